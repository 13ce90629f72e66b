#!/usr/bin/env bash
# Table Schema throughput: `rbgate check --schema` on a ~1 GB synthetic CSV against a
# 20-field schema (bench/data/housing_benefit_20.json: dates in two notations, decimals,
# enums, patterns, a NINO, a postcode, pounds and pence), on one core, beside `wc -l` (the
# floor: one pass over the bytes) and Miller (`mlr --icsv --ojson cat`, a CSV reader that
# types nothing) on the same file in the same run. Peak memory for each.
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

read -r t_rb m_rb < <(best_of "$rbgate" check --schema "$schema" "$csv")
read -r t_wc m_wc < <(best_of wc -l "$csv")
runs=1 read -r t_mlr m_mlr < <(runs=1 best_of sh -c "mlr --icsv --ojson cat '$csv' >/dev/null")

printf '%s: %s rows, %.0f MB\n' "$(basename "$csv")" "$rows" "$(awk "BEGIN{print $bytes/1e6}")"
printf '%-34s %8s %9s %10s\n' "" "seconds" "MB/s" "peak MiB"
printf '%-34s %8s %9s %10d\n' "wc -l" "$t_wc" "$(mbps "$bytes" "$t_wc")" $((m_wc / 1024))
printf '%-34s %8s %9s %10d\n' "rbgate check --schema (20 fields)" "$t_rb" "$(mbps "$bytes" "$t_rb")" $((m_rb / 1024))
printf '%-34s %8s %9s %10d\n' "mlr --icsv --ojson cat" "$t_mlr" "$(mbps "$bytes" "$t_mlr")" $((m_mlr / 1024))
awk "BEGIN{ printf \"rbgate: %.2fx wc -l's time, %.1fx Miller's speed\n\", $t_rb / $t_wc, $t_mlr / $t_rb }"
