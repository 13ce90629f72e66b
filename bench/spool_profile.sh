#!/usr/bin/env bash
# Where the spool's time goes, from perf: COUNT small files, or one ~1 GB file, through
# `rbgate run --once` (WORKERS workers) under `perf record`, then the hottest symbols and the
# time the workers spent waiting for syncs (the daemon's closing line). Not a test: run it by
# hand. Usage: bench/spool_profile.sh small|large [COUNT] [WORKERS]
set -euo pipefail
what=${1:?small or large}
count=${2:-2000}
workers=${3:-8}
source "$(dirname "$0")/common.sh"
work=$data/profile
rm -rf "$work"
mkdir -p "$work"
new_spool "$work/s" "$workers"
if [ "$what" = small ]; then
  small_files "$data/small" "$count"
  for i in $(seq "$count"); do cp "$data/small/f$i.s18" "$work/s/incoming/auto/"; done
else
  cp "$(large_file 10000000)" "$work/s/incoming/auto/big.s18"
fi
sync
start=$(date +%s%N)
perf record -q -F 1999 -g -o "$work/perf.data" -- \
  "$rbgate" run --once --config "$work/s/rbgate.toml" 2>"$work/run.log"
end=$(date +%s%N)
echo "$what: $(awk "BEGIN{ printf \"%.3f\", ($end - $start) / 1e9 }") s wall under perf;" \
  "$(grep -o 'syncs=[0-9]* sync_requests=[0-9]* sync_seconds=[0-9.]*' "$work/run.log" | tail -1)"
report() { perf report -i "$work/perf.data" --no-children -g none --stdio "$@" 2>/dev/null; }
echo "CPU samples by library:"
report --sort dso | grep -E '^ +[0-9]' | head -12 | sed 's/ *$//'
echo "hottest symbols:"
report --sort dso,symbol | grep -E '^ +[0-9]' | head -25 | sed 's/ *$//' | cut -c1-110
