// Compares rbgate's verdicts on generated JSON lines with ajv (JSON Schema draft 2020-12,
// 2019-09 and draft-07, with ajv-formats; installed at set-up by scripts/fetch-oracles.sh),
// record by record: the JSON pointers each finds at fault must be the same, except for the
// values listed in `differs`, where the difference is stated and checked. Every record but the
// first three has exactly one fault.
//
// Usage: node ajv_oracle.js RBGATE_BIN ORACLE_DIR
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const {checkReport} = require(path.join(__dirname, '..', '..', 'support', 'rbgate_check.js'));

const [rbgate, oracleDir] = process.argv.slice(2);
const modules = path.resolve(oracleDir, 'node_modules');
const Ajv2020 = require(path.join(modules, 'ajv', 'dist', '2020')).default;
const Ajv2019 = require(path.join(modules, 'ajv', 'dist', '2019')).default;
const Ajv07 = require(path.join(modules, 'ajv')).default;
const addFormats = require(path.join(modules, 'ajv-formats'));

// Each case: a property's schema, values that pass and values with one fault each.
const cases2020 = [
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
  // Applicators: each reads the value again.
  {name: 'code_or_count', schema: {anyOf: [{type: 'string', pattern: '^[A-Z]{3}$'}, {type: 'integer', minimum: 0}]},
   valid: ['ABC', 5], faults: ['abc', -1, true]},
  {name: 'one', schema: {oneOf: [{type: 'integer'}, {type: 'number', minimum: 100}]},
   valid: [5, 100.5], faults: [150, 1.5, 'x']},
  {name: 'live', schema: {not: {type: 'string', pattern: '^TEST'}},
   valid: ['LIVE1', 3], faults: ['TEST1']},
  {name: 'both', schema: {allOf: [{type: 'string'}, {maxLength: 3}]},
   valid: ['abc'], faults: ['abcd', 7]},
  {name: 'ref_beside', schema: {$ref: '#/$defs/code', maxLength: 4},
   valid: ['AB12'], faults: ['ABC123', 'ab']},
  {name: 'payment', schema: {type: 'object', if: {properties: {method: {const: 'dd'}}, required: ['method']},
                             then: {required: ['sun']}, else: {required: ['ref']}},
   valid: [{method: 'dd', sun: '123456'}, {method: 'bacs', ref: 'x'}, {ref: 'y'}],
   faults: [{method: 'dd'}, {method: 'card'}, {}]},
  // Arrays.
  {name: 'pair', schema: {type: 'array', prefixItems: [{type: 'string'}, {type: 'integer'}], items: false},
   valid: [['a', 1], ['a']], faults: [[1, 1], ['a', 'b'], ['a', 1, 2]]},
  {name: 'readings', schema: {type: 'array', contains: {type: 'integer', minimum: 10}, minContains: 2, maxContains: 3},
   valid: [[10, 11], [1, 10, 20, 30]], faults: [[10], [1, 2], [10, 11, 12, 13]]},
  {name: 'distinct', schema: {type: 'array', uniqueItems: true},
   valid: [[1, '1', [1]], [{a: 1}, {a: 2}], []], faults: [[1, 1], [[1, 2], [1, 2]], [{a: 1, b: 2}, {b: 2, a: 1}]]},
  // Objects.
  {name: 'extras', schema: {type: 'object', patternProperties: {'^x-': {type: 'string'}},
                            propertyNames: {pattern: '^[a-z-]+$'}, additionalProperties: false},
   valid: [{'x-a': '1'}, {}], faults: [{'x-a': 1}, {'X-a': '1'}, {other: '1'}]},
  {name: 'bank', schema: {type: 'object', dependentRequired: {iban: ['bic']}},
   valid: [{iban: 'x', bic: 'y'}, {bic: 'y'}], faults: [{iban: 'x'}]},
  {name: 'bank_rule', schema: {type: 'object', dependentSchemas: {iban: {properties: {bic: {minLength: 8}}}}},
   valid: [{iban: 'x', bic: 'ABCDGB2L'}, {bic: 'y'}], faults: [{iban: 'x', bic: 'y'}]},
  {name: 'sized', schema: {type: 'object', minProperties: 1, maxProperties: 2},
   valid: [{a: 1}, {a: 1, b: 2}], faults: [{}, {a: 1, b: 2, c: 3}]},
  // Numbers and formats.
  {name: 'halves', schema: {type: 'number', multipleOf: 0.5},
   valid: [1.5, 2, -0.5, 0], faults: [1.25, 0.3]},
  {name: 'pounds', schema: {type: 'number', multipleOf: 0.01},
   valid: [19, 0.5, 1.25], faults: [0.001, 2.505],
   differs: [
     {value: 19.99, rbgate: true, why: 'ajv divides in binary floating point (19.99 / 0.01 = 1998.9999999999998); rbgate works in decimal, as the amount is written'},
   ]},
  {name: 'at', schema: {type: 'string', format: 'time'},
   valid: ['10:20:30Z', '23:59:60Z', '10:20:30.5+01:00', '00:59:60+01:00'],
   faults: ['10:20:30', '25:00:00Z', '10:60:00Z', '10:20:60Z'],
   differs: [
     {value: '10:20:30z', rbgate: false, why: 'RFC 3339 allows a lower case z; rbgate takes the upper case that every feed writes'},
     {value: '10:20:30+0100', rbgate: false, why: 'an RFC 3339 offset has a colon; ajv-formats takes one without'},
   ]},
  {name: 'mail', schema: {type: 'string', format: 'email'},
   valid: ['a.b@example.gov.uk', 'x+y@b.co'], faults: ['a@', 'a b@c.uk', 'a@b']},
  {name: 'id', schema: {type: 'string', format: 'uuid'},
   valid: ['123e4567-e89b-12d3-a456-426614174000', 'urn:uuid:123E4567-E89B-12D3-A456-426614174000'],
   faults: ['123e4567e89b12d3a456426614174000', 'x']},
];

const schema2020 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['alert_id'],
  additionalProperties: false,
  properties: Object.fromEntries(cases2020.map(c => [c.name, c.schema])),
  $defs: {
    code: {type: 'string', pattern: '^[A-Z0-9]+$'},
    employer: {
      type: 'object', required: ['paye'], additionalProperties: false,
      properties: {paye: {type: 'string', pattern: '^[0-9]{3}/[A-Z0-9]{1,10}$'}, name: {type: 'string'}},
    },
  },
};

// Draft-07 and 2019-09 say some of the same in their own words: a list under items,
// additionalItems, dependencies; each file is read in its declared dialect.
const cases07 = [
  {name: 'pair', schema: {type: 'array', items: [{type: 'string'}, {type: 'integer'}], additionalItems: false},
   valid: [['a', 1], ['a']], faults: [[1, 1], ['a', 1, 2]]},
  {name: 'bank', schema: {type: 'object', dependencies: {iban: ['bic'], sun: {required: ['ref']}}},
   valid: [{iban: 'x', bic: 'y'}, {sun: '1', ref: 'r'}, {}], faults: [{iban: 'x'}, {sun: '1'}]},
  {name: 'code', schema: {$ref: '#/definitions/code'},
   valid: ['AB1'], faults: ['ab', 1]},
  {name: 'one', schema: {oneOf: [{type: 'integer'}, {type: 'number', minimum: 100}]},
   valid: [5], faults: [150]},
];
const schema07 = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object', required: ['pair'],
  properties: Object.fromEntries(cases07.map(c => [c.name, c.schema])),
  definitions: {code: {type: 'string', pattern: '^[A-Z0-9]+$'}},
};
const cases2019 = [
  {name: 'pair', schema: {type: 'array', items: [{type: 'string'}], additionalItems: {type: 'integer'}},
   valid: [['a', 1, 2]], faults: [['a', 'b'], [1]]},
  {name: 'ref_beside', schema: {$ref: '#/$defs/code', maxLength: 2},
   valid: ['AB'], faults: ['ABC', 'ab']},
  {name: 'readings', schema: {type: 'array', contains: {const: 1}, maxContains: 1},
   valid: [[1, 2]], faults: [[1, 1], [2]]},
];
const schema2019 = {
  $schema: 'https://json-schema.org/draft/2019-09/schema',
  type: 'object', required: ['pair'],
  properties: Object.fromEntries(cases2019.map(c => [c.name, c.schema])),
  $defs: {code: {type: 'string', pattern: '^[A-Z0-9]+$'}},
};

let total = 0, agreed = 0, differed = 0;
const failures = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbgate-ajv-'));

function compare(dialect, Ajv, schema, cases, first) {
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
  { const r = base(0); delete r[first]; records.push(r); expected.push({pointer: '/' + first}); }
  if (schema.additionalProperties === false) {
    const r = base(1); r.extra = 1; records.push(r); expected.push({pointer: '/extra'});
  }
  records.push([1, 2]); expected.push({pointer: ''});

  const schemaPath = path.join(dir, `alerts-${dialect}.json`);
  const dataPath = path.join(dir, `alerts-${dialect}.jsonl`);
  fs.writeFileSync(schemaPath, JSON.stringify(schema, null, 1));
  fs.writeFileSync(dataPath, records.map(r => JSON.stringify(r)).join('\n') + '\n');

  // ajv: the pointers of its errors (a missing or extra property named as its own pointer).
  // Strict, but a keyword beside no type (maxLength in allOf) is legal JSON Schema.
    const ajv = new Ajv({allErrors: true, strict: true, strictTypes: false, strictTuples: false,
                         strictRequired: false});
  addFormats(ajv);
  ajv.addKeyword({keyword: 'rbgate'});
  const validate = ajv.compile(schema);
  const oracle = records.map(r => {
    const set = new Set();
    if (!validate(r)) {
      for (const e of validate.errors) {
        if (e.keyword === 'required' || e.keyword === 'dependentRequired' ||
            (e.keyword === 'dependencies' && e.params.missingProperty)) {
          set.add(`${e.instancePath}/${e.params.missingProperty}`);
        }
        else if (e.keyword === 'additionalProperties') set.add(`${e.instancePath}/${e.params.additionalProperty}`);
        else if (e.keyword === 'if' || e.keyword === '$ref') continue;
        else set.add(e.instancePath);
      }
    }
    return set;
  });

  const ours = records.map(() => new Set());
  for (const d of checkReport(rbgate, schemaPath, dataPath).diagnostics) {
    if (d.severity === 'error') ours[d.record - 1].add(d.pointer || '');
  }

  // Items of an array fault at their own pointer (/tags/0); the test compares the property.
  const top = set => new Set([...set].map(p => p === '' ? '' : '/' + p.split('/')[1]));
  const show = set => (set.size ? [...set].sort().join(',') : 'valid');
  total += records.length;
  expected.forEach((want, i) => {
    const o = top(oracle[i]), r = top(ours[i]);
    const label = `${dialect} record ${i + 1}${want.pointer !== undefined ? ` (${want.pointer || 'the record'} = ${JSON.stringify(want.value)})` : ''}`;
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
}

compare('2020-12', Ajv2020, schema2020, cases2020, 'alert_id');
compare('2019-09', Ajv2019, schema2019, cases2019, 'pair');
compare('draft-07', Ajv07, schema07, cases07, 'pair');
console.log(`ajv oracle: ${total} records in three dialects, ${agreed} agreed, ${differed} known ` +
            `differences confirmed, ${failures.length} disagreements`);
for (const f of failures) console.log('  ' + f);
if (failures.length === 0) fs.rmSync(dir, {recursive: true});
else console.log(`files kept in ${dir}`);
process.exit(failures.length ? 1 : 0);
