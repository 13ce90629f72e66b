# Sourced by the benchmark scripts: builds the release preset and sets
#   here (the checkout), rbgate (the binary), data ($BENCH_DIR, default build/bench), runs
#   ($RUNS, else the script's default in $runs), and the helpers below.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/build.sh" release >/dev/null
rbgate="$here/build/release/gateway/rbgate"
data=${BENCH_DIR:-$here/build/bench}
mkdir -p "$data"
runs=${RUNS:-${runs:-5}}

# best_of CMD...: "SECONDS PEAK_RSS_KIB": the best wall time of $runs runs on one core
# (taskset -c 0; nanosecond clock) and the largest peak resident memory (GNU time).
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

# mbps BYTES SECONDS: decimal megabytes a second.
mbps() { awk "BEGIN{ printf \"%.0f\", $1 / 1e6 / ($2 > 0 ? $2 : 0.001) }"; }
