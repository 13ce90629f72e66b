// Compares rbgate's verdicts on generated CSV files with the reference implementation of
// Frictionless Table Schema (npm `tableschema`, installed at set-up by
// scripts/fetch-oracles.sh), row by row.
//
// Each case is a field with values that are valid and values with one fault each. The
// generator builds a schema with every field, a file whose rows are all valid but for one
// field, and asks both implementations which fields of which rows are at fault. They must
// agree, except on the values listed in `differs`, where rbgate follows the specification
// and tableschema does not; there the test checks that each gives the verdict stated.
//
// Usage: node tableschema_oracle.js RBGATE_BIN ORACLE_DIR
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const {checkReport} = require(path.join(__dirname, '..', '..', 'support', 'rbgate_check.js'));

const [rbgate, oracleDir] = process.argv.slice(2);
const {Table} = require(path.resolve(oracleDir, 'node_modules', 'tableschema'));

const cases = [
  {field: {name: 'count', type: 'integer', constraints: {minimum: 1, maximum: 1000}},
   valid: ['1', '42', '1000', '7'],
   faults: ['4.5', 'x', '0', '1001', '1e3', '12 '],
   differs: [
     {value: '007', rbgate: true, why: 'XML Schema integers may have leading zeros; tableschema compares parseInt back to the text'},
     {value: '+3', rbgate: true, why: 'XML Schema integers may carry a plus sign'},
   ]},
  {field: {name: 'amount', type: 'number', constraints: {minimum: 0}},
   valid: ['0', '3.5', '1e3', '0.01', '12', '.5'],
   faults: ['abc', '-0.01', '1.2.3', '1,5'],
   differs: [
     {value: '0x1F', rbgate: false, why: 'hexadecimal is not a Table Schema number; JavaScript reads it'},
   ]},
  {field: {name: 'euro', type: 'number', decimalChar: ',', groupChar: '.'},
   valid: ['1.234,5', '0,25', '12'],
   faults: ['zwölf', '1,2;5'],
   differs: [
     {value: '1,2,3', rbgate: false, why: 'two decimal commas; tableschema turns every decimal character into a point before it drops the group points, and reads 123'},
   ]},
  {field: {name: 'plain', type: 'number', groupChar: ''},
   valid: ['12.5', '3', '-0.25'],
   faults: ['x', '12.5.0', '1,5'],
   differs: [
     {value: '1 5', rbgate: false, why: 'a space inside a number; tableschema removes all whitespace before it reads one'},
   ]},
  {field: {name: 'price', type: 'number', bareNumber: false},
   valid: ['£12.50', '95%', '7'],
   faults: ['12.5.0'],
   differs: [
     {value: '£', rbgate: false, why: 'no number at all; tableschema strips every non-digit and reads the empty rest as 0'},
     {value: 'free', rbgate: false, why: 'no number at all; tableschema strips every non-digit and reads the empty rest as 0'},
   ]},
  {field: {name: 'flag', type: 'boolean'},
   valid: ['true', 'FALSE', '1', '0', 'True'],
   faults: ['yes', 't', 'TRUE!']},
  {field: {name: 'flag_yn', type: 'boolean', trueValues: ['Y'], falseValues: ['N']},
   valid: ['Y', 'N'],
   faults: ['true', 'y']},
  {field: {name: 'day', type: 'date', constraints: {minimum: '2000-01-01'}},
   valid: ['2026-01-02', '2024-02-29', '2000-01-01'],
   faults: ['2026-02-30', '02/01/2026', '2026-1-2', '2023-02-29', '1999-12-31', '2026-01-02T00:00:00Z']},
  {field: {name: 'uk_day', type: 'date', format: '%d/%m/%Y'},
   valid: ['02/01/2026', '31/12/2025', '29/02/2024'],
   faults: ['2026-01-02', '31/02/2026', '29/02/2023', '02-01-2026']},
  {field: {name: 'stamp', type: 'datetime'},
   valid: ['2026-01-02T10:20:30Z', '2024-02-29T23:59:59Z'],
   faults: ['2026-01-02 10:20:30', '2026-01-02T25:00:00Z', '2026-01-02', '2026-01-02T10:20:30'],
   differs: [
     {value: '2026-01-02T10:20:30+01:00', rbgate: true, why: 'RFC 3339 offsets name an instant as well as Z does; tableschema takes Z only'},
   ]},
  {field: {name: 'at', type: 'time'},
   valid: ['10:20:30', '23:59:59', '00:00:00', '24:00:00'],
   faults: ['24:00:01', '10:20', '10:60:00', 'noon']},
  {field: {name: 'at_any', type: 'time', format: 'any'},
   valid: ['10:20:30', '10:20', '23:59', '00:00:00'],
   faults: ['noon', '25:00', '10:61', '10:20:61']},
  {field: {name: 'stamp_any', type: 'datetime', format: 'any'},
   valid: ['2026-01-02T10:20:30Z', '2026-01-02 10:20:30', '2026-01-02T10:20', '2026-01-02T10:20:30+01:00',
           '02/01/2026 10:20'],
   faults: ['2026-13-02 10:20', '2026-01-02T25:00:00Z', 'nonsense'],
   differs: [
     {value: '25/12/2026 10:00', rbgate: true, why: 'UK files put the day first; tableschema (moment, then JavaScript Date) reads the month first and refuses month 25'},
     {value: 'Dec 25 2026 10:00', rbgate: false, why: 'JavaScript Date reads English prose dates; rbgate reads the numeric forms feeds use'},
   ]},
  {field: {name: 'tax_year', type: 'year'},
   valid: ['2026', '1999'],
   faults: ['26', '20x6', '02026']},
  {field: {name: 'period', type: 'yearmonth'},
   valid: ['2026-01', '1999-12'],
   faults: ['2026-13', '2026', '2026-00']},
  {field: {name: 'code', type: 'string', constraints: {minLength: 2, maxLength: 5}},
   valid: ['ab', 'abcde', 'aé'],
   faults: ['a', 'abcdef']},
  {field: {name: 'ref', type: 'string', constraints: {pattern: '[A-Z]{2}[0-9]{2}'}},
   valid: ['AB12', 'ZZ00'],
   faults: ['ab12', 'A123'],
   differs: [
     {value: 'AB123', rbgate: false, why: 'Table Schema patterns are XML Schema regular expressions, anchored at both ends; tableschema searches unanchored'},
   ]},
  {field: {name: 'kind', type: 'string', constraints: {enum: ['UPD', 'NEW', 'END']}},
   valid: ['UPD', 'END'],
   faults: ['upd', 'DEL']},
  {field: {name: 'weeks', type: 'integer', constraints: {enum: [52, 53]}},
   valid: ['52', '53'],
   faults: ['51']},
  {field: {name: 'must', type: 'string', constraints: {required: true}},
   valid: ['x', 'yes'],
   faults: ['', 'NA']},
  {field: {name: 'optional', type: 'integer'},
   valid: ['', 'NA', '5'],
   faults: ['five']},
  {field: {name: 'email', type: 'string', format: 'email'},
   valid: ['officer@example.gov.uk'],
   faults: ['no-at-sign', 'two@@example.org']},
  {field: {name: 'uuid', type: 'string', format: 'uuid'},
   valid: ['123e4567-e89b-12d3-a456-426614174000'],
   faults: ['123e4567', '123e4567-e89b-12d3-a456-42661417400g']},
];

const schema = {
  fields: [{name: 'id', type: 'integer', constraints: {required: true, unique: true}}]
      .concat(cases.map(c => c.field)),
  missingValues: ['', 'NA'],
};
const names = schema.fields.map(f => f.name);

function csvValue(v) {
  return /[",\n\r]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
}

// Rows: one all valid per valid value index, then one row per fault, then per difference,
// then the cross-row and shape faults.
const rows = [];        // arrays of strings
const expected = [];    // per row: {faulty: field name or '*row*' or null, differ: case}
const base = i => cases.map(c => c.valid[i % c.valid.length]);
let nextId = 1;
const push = (values, note) => {
  rows.push([String(nextId++)].concat(values));
  expected.push(note);
};
for (let i = 0; i < 3; i++) push(base(i), {faulty: null});
cases.forEach((c, k) => {
  for (const bad of c.faults) {
    const values = base(rows.length);
    values[k] = bad;
    push(values, {faulty: c.field.name, value: bad});
  }
  for (const d of c.differs || []) {
    const values = base(rows.length);
    values[k] = d.value;
    push(values, {faulty: c.field.name, value: d.value, differ: d});
  }
});
// A repeated id (unique), a short row and a long row.
rows.push(['1'].concat(base(0)));
expected.push({faulty: 'id', value: '1'});
nextId++;
push(base(1).slice(0, -1), {faulty: '*row*'});
push(base(2).concat(['extra']), {faulty: '*row*'});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbgate-tableschema-'));
const schemaPath = path.join(dir, 'schema.json');
const dataPath = path.join(dir, 'data.csv');
fs.writeFileSync(schemaPath, JSON.stringify(schema, null, 1));
fs.writeFileSync(dataPath,
    [names.map(csvValue).join(',')].concat(rows.map(r => r.map(csvValue).join(','))).join('\r\n') + '\r\n');

async function oracleVerdicts() {
  const table = await Table.load(dataPath, {schema});
  const out = await table.read({forceCast: true, extended: true});
  const faults = new Map();  // row number (header = 1) -> Set of field names
  for (const r of out) {
    if (!(r instanceof Error)) continue;
    const set = new Set();
    const errors = r.errors && r.errors.length ? r.errors : [r];
    for (const e of errors) {
      let m;
      if (e.columnNumber) {
        set.add(names[e.columnNumber - 1]);
      } else if ((m = /column "([^"]+)"/.exec(e.message))) {
        set.add(m[1]);
      } else if (/does not match the .*fields|values does not match/.test(e.message)) {
        set.add('*row*');
      } else {
        set.add('*row*:' + e.message);
      }
    }
    faults.set(r.rowNumber, set);
  }
  return faults;
}

function rbgateVerdicts() {
  const report = checkReport(rbgate, schemaPath, dataPath);
  const faults = new Map();
  for (const d of report.diagnostics) {
    if (d.severity !== 'error') continue;
    if (!faults.has(d.record)) faults.set(d.record, new Set());
    faults.get(d.record).add(d.rule === 'table.row.fields' ? '*row*' : d.field);
  }
  return faults;
}

(async () => {
  const oracle = await oracleVerdicts();
  const ours = rbgateVerdicts();
  const show = s => (s && s.size ? [...s].sort().join(',') : 'valid');
  let agreed = 0, differed = 0;
  const failures = [];
  expected.forEach((want, i) => {
    const rowNumber = i + 2;  // the header is row 1
    const o = oracle.get(rowNumber), r = ours.get(rowNumber);
    const wantSet = want.faulty ? want.faulty : null;
    const label = `row ${rowNumber}${want.faulty ? ` (${want.faulty} = ${JSON.stringify(want.value)})` : ''}`;
    if (want.differ) {
      // rbgate must give the verdict stated, tableschema the other one.
      const rbgateValid = !r || !r.has(want.faulty);
      const oracleValid = !o || !o.has(want.faulty);
      if (rbgateValid !== want.differ.rbgate) {
        failures.push(`${label}: rbgate says ${show(r)}, expected ${want.differ.rbgate ? 'valid' : 'invalid'}`);
      } else if (oracleValid === rbgateValid) {
        failures.push(`${label}: listed as a difference but both agree (${show(r)}); remove it from differs`);
      } else {
        differed++;
      }
      return;
    }
    if (show(o) !== show(r)) {
      failures.push(`${label}: tableschema says ${show(o)}, rbgate says ${show(r)}`);
      return;
    }
    if (show(r) !== (wantSet || 'valid')) {
      failures.push(`${label}: both say ${show(r)}, the generator meant ${wantSet || 'valid'}`);
      return;
    }
    agreed++;
  });
  console.log(`tableschema oracle: ${expected.length} rows, ${agreed} agreed, ` +
              `${differed} known differences confirmed, ${failures.length} disagreements`);
  for (const f of failures) console.log('  ' + f);
  if (failures.length === 0) fs.rmSync(dir, {recursive: true});
  else console.log(`files kept in ${dir}`);
  process.exit(failures.length ? 1 : 0);
})().catch(e => {
  console.error(e);
  process.exit(2);
});
