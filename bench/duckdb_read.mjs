// DuckDB's typed read of a CSV, the reference for bench/csv_check.sh: every column read and
// typed as DuckDB's sniffer types it (dates, numbers, booleans, text), no rule checked.
// Usage: node duckdb_read.mjs FILE THREADS, from beside the npm install (bench/common.sh copies
// it there: ES modules resolve imports from the script's own folder).
import { DuckDBInstance } from '@duckdb/node-api';

const [file, threads = '1'] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', { threads });
const c = await db.connect();
const quoted = file.replaceAll("'", "''");
const columns = (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_csv('${quoted}', header=true)`))
  .getRows().map((r) => [r[0], r[1]]);
// A count of each column's values makes DuckDB read and cast every one of them.
const counts = columns.map(([name]) => `count("${name.replaceAll('"', '""')}")`).join(', ');
const rows = (await c.runAndReadAll(`SELECT count(*), ${counts} FROM read_csv('${quoted}', header=true)`))
  .getRows()[0];
if (process.env.VERBOSE) {
  console.error(columns.map(([n, t]) => `${n} ${t}`).join(', '));
  console.error(`${rows[0]} rows`);
}
