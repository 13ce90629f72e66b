// `rbgate check --schema SCHEMA --format json DATA` for the oracle tests: the report of the one
// file checked, whether the file is valid (exit 0) or not (exit 1); any other exit throws.
'use strict';
const {execFileSync} = require('child_process');

function checkReport(rbgate, schemaPath, dataPath) {
  let stdout;
  try {
    stdout = execFileSync(rbgate, ['check', '--schema', schemaPath, '--format', 'json',
                                   '--max-per-rule', '1000000', dataPath], {encoding: 'utf8'});
  } catch (e) {
    if (e.status !== 1) throw e;
    stdout = e.stdout;
  }
  return JSON.parse(stdout).files[0];
}

module.exports = {checkReport};
