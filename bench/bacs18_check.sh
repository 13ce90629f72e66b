#!/usr/bin/env bash
# Benchmark: `rbgate check` throughput on a ~1 GB Bacs Standard 18 file, beside `wc -l` on
# the same file in the same run, and peak resident memory. Not a test: run it by hand on a
# quiet machine. Usage: bench/bacs18_check.sh [RECORDS] (default 10,000,000, about 1 GB).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
records=${1:-10000000}
runs=${RUNS:-5}
"$here/scripts/build.sh" release >/dev/null
rbgate="$here/build/release/gateway/rbgate"
data=${BENCH_DIR:-$here/build/bench}
mkdir -p "$data"
file="$data/bacs18-$records.s18"
if [ ! -s "$file" ]; then
  echo "generating $file ..." >&2
  "$rbgate" gen bacs18 --records "$records" --seed 42 --date 2026-11-23 -o "$file"
fi
bytes=$(stat -c %s "$file")
cat "$file" >/dev/null  # warm the page cache: we measure the validator, not the disk

# best_of CMD...: the best wall time of $runs runs in seconds (nanosecond clock), and the
# peak resident memory in KiB (GNU time).
best_of() {
  local best="" rss=0 t m start end
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$data/time.txt" taskset -c 0 "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    t=$(awk "BEGIN{ printf \"%.3f\", ($end - $start) / 1e9 }")
    read -r m <"$data/time.txt"
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    [ "$m" -gt "$rss" ] && rss=$m
  done
  echo "$best $rss"
}

read -r t_wc rss_wc < <(best_of wc -l "$file")
read -r t_check rss_check < <(best_of "$rbgate" check "$file")
read -r t_nomod rss_nomod < <(best_of "$rbgate" check --no-modulus "$file")

mbps() { awk "BEGIN{ printf \"%.0f\", $bytes / 1e6 / ($1 > 0 ? $1 : 0.001) }"; }
echo "file: $file ($bytes bytes, $records data records), best of $runs runs, one core"
printf "%-34s %8s %10s %12s\n" "command" "seconds" "MB/s" "peak RSS"
printf "%-34s %8s %10s %9s MiB\n" "wc -l" "$t_wc" "$(mbps "$t_wc")" "$((rss_wc / 1024))"
printf "%-34s %8s %10s %9s MiB\n" "rbgate check" "$t_check" "$(mbps "$t_check")" "$((rss_check / 1024))"
printf "%-34s %8s %10s %9s MiB\n" "rbgate check --no-modulus" "$t_nomod" "$(mbps "$t_nomod")" "$((rss_nomod / 1024))"
awk "BEGIN{ printf \"rbgate check / wc -l throughput ratio: %.2f\\n\", $t_wc / $t_check }"
awk "BEGIN{ printf \"rbgate check --no-modulus / wc -l throughput ratio: %.2f\\n\", $t_wc / $t_nomod }"
