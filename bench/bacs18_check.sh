#!/usr/bin/env bash
# Benchmark: `rbgate check` throughput on a ~1 GB Bacs Standard 18 file, beside `wc -l` on
# the same file in the same run, and peak resident memory. Not a test: run it by hand on a
# quiet machine. Usage: bench/bacs18_check.sh [RECORDS] (default 10,000,000, about 1 GB).
set -euo pipefail
records=${1:-10000000}
runs=5
source "$(dirname "$0")/common.sh"
file=$(large_file "$records")
bytes=$(stat -c %s "$file")
cat "$file" >/dev/null  # warm the page cache: we measure the validator, not the disk

read -r t_wc rss_wc < <(best_of wc -l "$file")
read -r t_check rss_check < <(best_of "$rbgate" check "$file")
read -r t_nomod rss_nomod < <(best_of "$rbgate" check --no-modulus "$file")

echo "file: $file ($bytes bytes, $records data records), best of $runs runs, one core"
printf "%-34s %8s %10s %12s\n" "command" "seconds" "MB/s" "peak RSS"
printf "%-34s %8s %10s %9s MiB\n" "wc -l" "$t_wc" "$(mbps "$bytes" "$t_wc")" "$((rss_wc / 1024))"
printf "%-34s %8s %10s %9s MiB\n" "rbgate check" "$t_check" "$(mbps "$bytes" "$t_check")" "$((rss_check / 1024))"
printf "%-34s %8s %10s %9s MiB\n" "rbgate check --no-modulus" "$t_nomod" "$(mbps "$bytes" "$t_nomod")" "$((rss_nomod / 1024))"
awk "BEGIN{ printf \"rbgate check / wc -l throughput ratio: %.2f\\n\", $t_wc / $t_check }"
awk "BEGIN{ printf \"rbgate check --no-modulus / wc -l throughput ratio: %.2f\\n\", $t_wc / $t_nomod }"
