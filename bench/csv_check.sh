#!/usr/bin/env bash
# Table Schema throughput: `rbgate check --schema` on a ~1 GB synthetic CSV against a
# 20-field schema (bench/data/housing_benefit_20.json: dates in two notations, decimals,
# enums, patterns, a NINO, a postcode, pounds and pence), on one core and on every core,
# beside DuckDB reading the same file typed (npm @duckdb/node-api, installed into the bench
# folder on first use; bench/duckdb_read.mjs) on as many threads, and `wc -l` (the floor: one
# pass over the bytes), in the same run. Peak memory for each. MILLER=1 adds Miller.
#
#   bench/csv_check.sh              # ~1 GB (ROWS=6500000)
#   ROWS=1000000 bench/csv_check.sh
set -euo pipefail
runs=3
source "$(dirname "$0")/common.sh"
rows=${ROWS:-6500000}
schema=$here/bench/data/housing_benefit_20.json
csv=$data/hb-$rows.csv

if [ ! -s "$csv" ]; then
  echo "generating $csv ($rows rows) ..." >&2
  # Synthetic values only: names from a fixed list, NINOs with a valid prefix and made-up
  # digits, postcodes of the documented shape. No real person's data.
  awk -v rows="$rows" 'BEGIN {
    srand(42);
    split("SMITH JONES TAYLOR BROWN WILLIAMS WILSON JOHNSON DAVIES PATEL WRIGHT", sn, " ");
    split("ALEX SAM JO CHRIS PAT LEE ROBIN ASHLEY KIM DREW", fn, " ");
    split("council housing-association private temporary specified", ten, " ");
    split("weekly fortnightly four-weekly monthly", fq, " ");
    split("AB CE EH JK LM PR ST WX YZ NH", pre, " ");
    split("SW1A 1AA|M1 1AE|LS1 4AP|B33 8TH|CR2 6XH|DN55 1PT|EC1A 1BB|W1A 0AX", pc, "|");
    printf "claim_ref,nino,surname,forename,date_of_birth,postcode,uprn,tenancy,claim_start,claim_end,weekly_rent,eligible_rent,hb_award,band,ba_code,non_dependants,passported,frequency,tax_year,updated\r\n";
    for (i = 1; i <= rows; i++) {
      r = int(rand() * 1000000);
      printf "HB%08d,%s%06d%c,%s,%s,%04d-%02d-%02d,%s,%d,%s,%02d/%02d/%04d,%02d/%02d/%04d,%.2f,%.2f,%.2f,%c,%04d,%d,%s,%s,%d,2026-%02d-%02dT%02d:%02d:%02dZ\r\n",
        i, pre[r % 10 + 1], r, 65 + r % 4, sn[r % 10 + 1], fn[(r / 10) % 10 + 1],
        1940 + r % 60, 1 + r % 12, 1 + r % 28, pc[r % 8 + 1], 100000000 + r, ten[r % 5 + 1],
        1 + r % 28, 1 + r % 12, 2020 + r % 6, 1 + (r / 7) % 28, 1 + r % 12, 2027,
        (r % 50000) / 100, (r % 40000) / 100, (r % 30000) / 100, 65 + r % 8, 1 + r % 9999,
        r % 5, (r % 2) ? "true" : "false", fq[r % 4 + 1], 2026, 1 + r % 12, 1 + r % 28,
        r % 24, r % 60, (r / 60) % 60;
    }
  }' >"$csv"
fi
bytes=$(stat -c %s "$csv")
"$rbgate" check --schema "$schema" "$csv" >/dev/null || {
  echo "the benchmark file does not pass its schema:" >&2
  "$rbgate" check --schema "$schema" --max-per-rule 3 "$csv" | tail -20 >&2
  exit 1
}

cores=$(nproc)
duck=$(duckdb_node)
cp "$here/bench/duckdb_read.mjs" "$duck/"
read -r t_wc m_wc < <(best_of wc -l "$csv")
read -r t_rb1 m_rb1 < <(best_of "$rbgate" check --schema "$schema" --threads 1 "$csv")
read -r t_dk1 m_dk1 < <(best_of node "$duck/duckdb_read.mjs" "$csv" 1)
read -r t_rbn m_rbn < <(best_on all "$rbgate" check --schema "$schema" --threads "$cores" "$csv")
read -r t_dkn m_dkn < <(best_on all node "$duck/duckdb_read.mjs" "$csv" "$cores")

row() { printf '%-44s %8s %9s %10d\n' "$1" "$2" "$(mbps "$bytes" "$2")" $(($3 / 1024)); }
printf '%s: %s rows, %.0f MB, best of %s runs\n' "$(basename "$csv")" "$rows" "$(awk "BEGIN{print $bytes/1e6}")" "$runs"
printf '%-44s %8s %9s %10s\n' "" "seconds" "MB/s" "peak MiB"
row "wc -l (one core)" "$t_wc" "$m_wc"
row "rbgate check --schema, 1 thread" "$t_rb1" "$m_rb1"
row "DuckDB 1.5 typed read, threads=1" "$t_dk1" "$m_dk1"
row "rbgate check --schema, $cores threads" "$t_rbn" "$m_rbn"
row "DuckDB 1.5 typed read, threads=$cores" "$t_dkn" "$m_dkn"
awk "BEGIN{ printf \"one core: rbgate %.2fx DuckDB's speed (target 2x); %.1fx wc -l's time\n\", $t_dk1 / $t_rb1, $t_rb1 / $t_wc }"
awk "BEGIN{ printf \"$cores cores: rbgate %.2fx DuckDB's speed; %.2fx its own one-core speed (target 1.8x on 2)\n\", $t_dkn / $t_rbn, $t_rb1 / $t_rbn }"
if [ -n "${MILLER:-}" ]; then
  runs=1 read -r t_mlr m_mlr < <(runs=1 best_of sh -c "mlr --icsv --ojson cat '$csv' >/dev/null")
  row "mlr --icsv --ojson cat" "$t_mlr" "$m_mlr"
fi
