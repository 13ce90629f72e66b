// Compares rbgate's verdicts on generated JSON lines with ajv (JSON Schema draft 2020-12,
// with ajv-formats for "date" and "date-time"; installed at set-up by
// scripts/fetch-oracles.sh), record by record: the JSON pointers each finds at fault must be
// the same, except for the values listed in `differs`, where the difference is stated and
// checked. Every record but the first has exactly one fault.
//
// Usage: node ajv_oracle.js RBGATE_BIN ORACLE_DIR
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const {execFileSync} = require('child_process');

const [rbgate, oracleDir] = process.argv.slice(2);
const modules = path.resolve(oracleDir, 'node_modules');
const Ajv2020 = require(path.join(modules, 'ajv', 'dist', '2020')).default;
const addFormats = require(path.join(modules, 'ajv-formats'));

// Each case: a property's schema, values that pass and values with one fault each.
const cases = [
  {name: 'alert_id', schema: {type: 'string', pattern: '^VEP[0-9]{8}$'},
   valid: ['VEP00000001'], faults: ['VEP1', 'xVEP00000001', 42]},
  {name: 'loose', schema: {type: 'string', pattern: '[0-9]{3}'},
   valid: ['abc123def', '999'], faults: ['12']},
  {name: 'count', schema: {type: 'integer', minimum: 1, maximum: 100},
   valid: [1, 100, 2.0], faults: [0, 101, 1.5, '5', null]},
  {name: 'amount', schema: {type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1000},
   valid: [0.01, 999.99, 5], faults: [0, 1000, -3, true]},
  {name: 'label', schema: {type: 'string', minLength: 2, maxLength: 4},
   valid: ['ab', 'abcd', 'é€'], faults: ['a', 'abcde', '']},
  {name: 'kind', schema: {enum: ['start', 'fluctuating', 7, null]},
   valid: ['start', 7, null], faults: ['START', 8, false]},
  {name: 'version', schema: {const: 2},
   valid: [2, 2.0], faults: [3, '2']},
  {name: 'paid_on', schema: {type: 'string', format: 'date'},
   valid: ['2026-01-02', '2024-02-29'], faults: ['2026-02-30', '02/01/2026', '2023-02-29']},
  {name: 'seen_at', schema: {type: 'string', format: 'date-time'},
   valid: ['2026-01-02T10:20:30Z', '2026-01-02T10:20:30.5+01:00'],
   faults: ['2026-01-02T10:20:30', '2026-01-02', '2026-13-02T10:20:30Z'],
   differs: [
     {value: '2026-01-02t10:20:30z', rbgate: false, why: 'RFC 3339 allows lower case t and z; rbgate takes the upper case that every feed writes'},
     {value: '2026-01-02 10:20:30Z', rbgate: false, why: 'ajv-formats takes a space for T; RFC 3339 section 5.6 does not'},
   ]},
  {name: 'pension', schema: {type: 'boolean'},
   valid: [true, false], faults: ['true', 0]},
  {name: 'maybe', schema: {type: ['string', 'null']},
   valid: ['x', null], faults: [1]},
  {name: 'tags', schema: {type: 'array', items: {type: 'string'}, minItems: 1, maxItems: 2},
   valid: [['a'], ['a', 'b']], faults: [[], ['a', 'b', 'c'], [1], 'a']},
  {name: 'employer', schema: {$ref: '#/$defs/employer'},
   valid: [{paye: '123/A246', name: 'Acme'}, {paye: '123/A246'}],
   faults: [{name: 'Acme'}, {paye: 5}, {paye: '123/A246', other: 1}, 'Acme']},
  {name: 'nothing', schema: false, absent: true,
   valid: [], faults: [1]},
];

const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['alert_id'],
  additionalProperties: false,
  properties: Object.fromEntries(cases.map(c => [c.name, c.schema])),
  $defs: {
    employer: {
      type: 'object', required: ['paye'], additionalProperties: false,
      properties: {paye: {type: 'string', pattern: '^[0-9]{3}/[A-Z0-9]{1,10}$'}, name: {type: 'string'}},
    },
  },
};

// Records: all valid ones first (values cycled), then one fault a record.
const records = [], expected = [];
const base = i => {
  const r = {};
  for (const c of cases) if (!c.absent) r[c.name] = c.valid[i % c.valid.length];
  return r;
};
for (let i = 0; i < 3; i++) { records.push(base(i)); expected.push({}); }
for (const c of cases) {
  for (const bad of c.faults) {
    const r = base(records.length);
    r[c.name] = bad;
    records.push(r);
    expected.push({pointer: '/' + c.name, value: bad});
  }
  for (const d of c.differs || []) {
    const r = base(records.length);
    r[c.name] = d.value;
    records.push(r);
    expected.push({pointer: '/' + c.name, value: d.value, differ: d});
  }
}
// Whole-record faults: a required property missing, one not allowed, not an object.
{ const r = base(0); delete r.alert_id; records.push(r); expected.push({pointer: '/alert_id'}); }
{ const r = base(1); r.extra = 1; records.push(r); expected.push({pointer: '/extra'}); }
records.push([1, 2]); expected.push({pointer: ''});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbgate-ajv-'));
const schemaPath = path.join(dir, 'alerts.json');
const dataPath = path.join(dir, 'alerts.jsonl');
fs.writeFileSync(schemaPath, JSON.stringify(schema, null, 1));
fs.writeFileSync(dataPath, records.map(r => JSON.stringify(r)).join('\n') + '\n');

// ajv: the pointers of its errors (a missing or extra property named as its own pointer).
const ajv = new Ajv2020({allErrors: true, strict: true});
addFormats(ajv);
ajv.addKeyword({keyword: 'rbgate'});
const validate = ajv.compile(schema);
const oracle = records.map(r => {
  const set = new Set();
  if (!validate(r)) {
    for (const e of validate.errors) {
      if (e.keyword === 'required') set.add(`${e.instancePath}/${e.params.missingProperty}`);
      else if (e.keyword === 'additionalProperties') set.add(`${e.instancePath}/${e.params.additionalProperty}`);
      else if (e.keyword === 'if' || e.keyword === '$ref') continue;
      else set.add(e.instancePath);
    }
  }
  return set;
});

let stdout;
try {
  stdout = execFileSync(rbgate, ['check', '--schema', schemaPath, '--format', 'json',
                                 '--max-per-rule', '1000000', dataPath], {encoding: 'utf8'});
} catch (e) {
  if (e.status !== 1) throw e;
  stdout = e.stdout;
}
const ours = records.map(() => new Set());
for (const d of JSON.parse(stdout).files[0].diagnostics) {
  if (d.severity === 'error') ours[d.record - 1].add(d.pointer || '');
}

// Items of an array fault at their own pointer (/tags/0); the test compares the property.
const top = set => new Set([...set].map(p => p === '' ? '' : '/' + p.split('/')[1]));
const show = set => (set.size ? [...set].sort().join(',') : 'valid');
let agreed = 0, differed = 0;
const failures = [];
expected.forEach((want, i) => {
  const o = top(oracle[i]), r = top(ours[i]);
  const label = `record ${i + 1}${want.pointer !== undefined ? ` (${want.pointer || 'the record'} = ${JSON.stringify(want.value)})` : ''}`;
  if (want.differ) {
    const rbgateValid = !r.has(want.pointer), oracleValid = !o.has(want.pointer);
    if (rbgateValid !== want.differ.rbgate) failures.push(`${label}: rbgate says ${show(r)}`);
    else if (rbgateValid === oracleValid) failures.push(`${label}: listed as a difference, but both agree`);
    else differed++;
    return;
  }
  const meant = want.pointer === undefined ? 'valid' : want.pointer;
  if (show(o) !== show(r)) failures.push(`${label}: ajv says ${show(o)}, rbgate says ${show(r)}`);
  else if (show(r) !== (meant === '' ? '' : meant) && !(meant === 'valid' && show(r) === 'valid')) {
    failures.push(`${label}: both say ${show(r)}, the generator meant ${meant}`);
  } else agreed++;
});
console.log(`ajv oracle: ${records.length} records, ${agreed} agreed, ${differed} known ` +
            `differences confirmed, ${failures.length} disagreements`);
for (const f of failures) console.log('  ' + f);
if (failures.length === 0) fs.rmSync(dir, {recursive: true});
else console.log(`files kept in ${dir}`);
process.exit(failures.length ? 1 : 0);
