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

new_spool() {  # new_spool DIR
  "$rbgate" init "$1" >/dev/null
  sed -i "s/processing_days_against = \"today\"/processing_days_against = \"creation-date\"/;
          s/stable_seconds = 2/stable_seconds = 0/; s/workers = 2 /workers = $workers /" "$1/rbgate.toml"
}

# Small files: generate distinct 4 KiB files once, outside the timed part.
echo "generating $count small files ..." >&2
mkdir -p "$work/small"
for i in $(seq "$count"); do
  "$rbgate" gen bacs18 --records 34 --seed "$i" --serial "$(printf %06d "$i")" --date 2026-11-23 \
    -o "$work/small/f$i.s18"
done
size=$(stat -c %s "$work/small/f1.s18")
new_spool "$work/s"
mv "$work/small/"* "$work/s/incoming/auto/"
sync
start=$(now)
"$rbgate" run --once --config "$work/s/rbgate.toml" 2>"$work/small.log"
end=$(now)
t_small=$(secs "$start" "$end")
delivered=$(ls "$work/s/delivered" | wc -l)
mkdir -p "$work/fs"
sync
fs_rate=$("$baseline" "$work/fs" "$count" "$size")
rb_rate=$(awk "BEGIN{ printf \"%.1f\", $count / $t_small }")

# A large file.
big=$data/bacs18-10000000.s18
if [ ! -s "$big" ]; then
  echo "generating $big ..." >&2
  "$rbgate" gen bacs18 --records 10000000 --seed 42 --date 2026-11-23 -o "$big"
fi
bytes=$(stat -c %s "$big")
cat "$big" >/dev/null
start=$(now)
"$rbgate" check "$big" >/dev/null
end=$(now)
t_check=$(secs "$start" "$end")
new_spool "$work/l"
cp "$big" "$work/l/incoming/auto/big.s18"
sync
start=$(now)
"$rbgate" run --once --config "$work/l/rbgate.toml" 2>"$work/large.log"
end=$(now)
t_large=$(secs "$start" "$end")
state=$(grep -o 'info delivered\|warning quarantined' "$work/large.log" | head -1)

mbps() { awk "BEGIN{ printf \"%.0f\", $bytes / 1e6 / $1 }"; }
echo "small files: $count x $size bytes, $workers workers, $delivered delivered"
printf "  %-44s %10s files/s\n" "bare filesystem (create+write+fsync+rename+fsync dir)" "$fs_rate"
printf "  %-44s %10s files/s  (%.0f%% of bare)\n" "rbgate run --once (claim, check, archive, deliver)" "$rb_rate" \
  "$(awk "BEGIN{ print 100 * $rb_rate / $fs_rate }")"
echo "large file: $bytes bytes ($state)"
printf "  %-44s %8s s %8s MB/s\n" "rbgate check" "$t_check" "$(mbps "$t_check")"
printf "  %-44s %8s s %8s MB/s  (%.0f%% of check)\n" "rbgate run --once (hash, check, archive, verify, deliver)" \
  "$t_large" "$(mbps "$t_large")" "$(awk "BEGIN{ print 100 * $t_check / $t_large }")"
rm -rf "$work"
