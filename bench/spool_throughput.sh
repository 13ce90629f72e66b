#!/usr/bin/env bash
# Benchmark: the spool, end to end with full durability, on the disk holding build/bench.
#   small files: COUNT 4 KiB Standard 18 files through `rbgate run --once` (claim, check,
#   archive, deliver), in files/s, beside the bare filesystem cost of landing the same number
#   of 4 KiB files (create + write + fsync + rename + fsync directory: bench/fs_baseline).
#   large file: one ~1 GB Standard 18 file through the spool, in MB/s, beside `rbgate check`
#   on the same file.
# Not a test: run it by hand. Usage: bench/spool_throughput.sh [COUNT] [WORKERS]
set -euo pipefail
count=${1:-2000}
workers=${2:-16}
source "$(dirname "$0")/common.sh"
baseline="$here/build/release/bench/fs_baseline"
work=$data/spool
rm -rf "$work"
mkdir -p "$work"
now() { date +%s%N; }
secs() { awk "BEGIN{ printf \"%.3f\", ($2 - $1) / 1e9 }"; }

# Small files: generated once (cached), outside the timed part.
echo "generating $count small files ..." >&2
small_files "$data/small" "$count"
mkdir -p "$work/small"
for i in $(seq "$count"); do cp "$data/small/f$i.s18" "$work/small/"; done
size=$(stat -c %s "$work/small/f1.s18")
new_spool "$work/s" "$workers"
mv "$work/small/"* "$work/s/incoming/auto/"
sync
start=$(now)
"$rbgate" run --once --config "$work/s/rbgate.toml" 2>"$work/small.log"
end=$(now)
small_syncs=$(grep -o 'syncs=[0-9]* sync_requests=[0-9]* sync_seconds=[0-9.]*' "$work/small.log" | tail -1 || true)
t_small=$(secs "$start" "$end")
delivered=$(ls "$work/s/delivered" | wc -l)
mkdir -p "$work/fs"
sync
fs_rate=$("$baseline" "$work/fs" "$count" "$size")
rb_rate=$(awk "BEGIN{ printf \"%.1f\", $count / $t_small }")

# A large file.
big=$(large_file 10000000)
bytes=$(stat -c %s "$big")
cat "$big" >/dev/null
start=$(now)
"$rbgate" check "$big" >/dev/null
end=$(now)
t_check=$(secs "$start" "$end")
new_spool "$work/l" "$workers"
cp "$big" "$work/l/incoming/auto/big.s18"
sync
start=$(now)
"$rbgate" run --once --config "$work/l/rbgate.toml" 2>"$work/large.log"
end=$(now)
large_syncs=$(grep -o 'syncs=[0-9]* sync_requests=[0-9]* sync_seconds=[0-9.]*' "$work/large.log" | tail -1 || true)
t_large=$(secs "$start" "$end")
state=$(grep -o 'info delivered\|warning quarantined' "$work/large.log" | head -1)

mbps() { awk "BEGIN{ printf \"%.0f\", $bytes / 1e6 / $1 }"; }
echo "small files: $count x $size bytes, $workers workers, $delivered delivered"
printf "  %-44s %10s files/s\n" "bare filesystem (create+write+fsync+rename+fsync dir)" "$fs_rate"
printf "  %-44s %10s files/s  (%.0f%% of bare; %s)\n" "rbgate run --once (claim, check, archive, deliver)" "$rb_rate" \
  "$(awk "BEGIN{ print 100 * $rb_rate / $fs_rate }")" "$small_syncs"
echo "large file: $bytes bytes ($state)"
printf "  %-44s %8s s %8s MB/s\n" "rbgate check" "$t_check" "$(mbps "$t_check")"
printf "  %-44s %8s s %8s MB/s  (%.0f%% of check; %s)\n" "rbgate run --once (hash, check, archive, verify, deliver)" \
  "$t_large" "$(mbps "$t_large")" "$(awk "BEGIN{ print 100 * $t_check / $t_large }")" "$large_syncs"
rm -rf "$work"
