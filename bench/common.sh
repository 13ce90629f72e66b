# Sourced by the benchmark scripts: builds the release preset and sets
#   here (the checkout), rbgate (the binary), data ($BENCH_DIR, default build/bench), runs
#   ($RUNS, else the script's default in $runs), and the helpers below.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/build.sh" release >/dev/null
# RBGATE_BIN: another build to measure on the same inputs (e.g. the previous commit's).
rbgate=${RBGATE_BIN:-$here/build/release/gateway/rbgate}
data=${BENCH_DIR:-$here/build/bench}
mkdir -p "$data"
runs=${RUNS:-${runs:-5}}

# best_of CMD...: "SECONDS PEAK_RSS_KIB": the best wall time of $runs runs on one core
# (taskset -c 0; nanosecond clock) and the largest peak resident memory (GNU time).
best_of() { best_on 0 "$@"; }
# best_on CPUS CMD...: the same on the CPUs listed (taskset's list: "0-1", or "all").
best_on() {
  local cpus=$1 best="" rss=0 t m start end
  shift
  [ "$cpus" = all ] && cpus=0-$(($(nproc) - 1))
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$data/time.txt" taskset -c "$cpus" "$@" >/dev/null 2>&1 || true
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

# new_spool DIR WORKERS: a spool as rbgate init makes it, with files taken as soon as they are
# seen and processing days judged against each file's creation date.
new_spool() {
  "$rbgate" init "$1" >/dev/null
  sed -i "s/processing_days_against = \"today\"/processing_days_against = \"creation-date\"/;
          s/stable_seconds = 2/stable_seconds = 0/; s/workers = 2 /workers = $2 /" "$1/rbgate.toml"
}

# small_files DIR COUNT: COUNT distinct ~4 KiB Standard 18 files (34 records each), made once
# and cached in DIR.
small_files() {
  mkdir -p "$1"
  local i
  for i in $(seq "$2"); do
    [ -s "$1/f$i.s18" ] || "$rbgate" gen bacs18 --records 34 --seed "$i" \
      --serial "$(printf %06d "$i")" --date 2026-11-23 -o "$1/f$i.s18"
  done
}

# large_file RECORDS: the path of a Standard 18 file of RECORDS records (seed 42), made once.
large_file() {
  local big=$data/bacs18-$1.s18
  if [ ! -s "$big" ]; then
    echo "generating $big ..." >&2
    "$rbgate" gen bacs18 --records "$1" --seed 42 --date 2026-11-23 -o "$big"
  fi
  echo "$big"
}

# duckdb_node: the directory holding DuckDB's Node.js client (npm @duckdb/node-api, pinned),
# installed into $data on first use: the reference the table benchmarks are measured against.
duckdb_node() {
  local dir=$data/duckdb
  if [ ! -d "$dir/node_modules/@duckdb/node-api" ]; then
    mkdir -p "$dir"
    echo "installing DuckDB from npm into $dir ..." >&2
    (cd "$dir" && npm install --no-audit --no-fund --silent @duckdb/node-api@1.5.6-r.1 >&2)
  fi
  echo "$dir"
}
