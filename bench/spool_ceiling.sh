#!/usr/bin/env bash
# The arithmetic before the spool benchmark: what each piece of a large file's way through the
# spool costs on one core, on the same ~1 GB Standard 18 file (build/bench, as
# bacs18_check.sh makes it): rbgate check, SHA-256 (OpenSSL, which rbgate uses), zstd
# compression at candidate levels and decompression (the zstd CLI on the same libzstd, one
# thread). Prints seconds per GB, the ratio, and the two-core ceiling of the spool's path
# (check + hash + compress, then decompress + hash), both as the work adds up and as it can
# overlap. Not a test: run it by hand. Usage: bench/spool_ceiling.sh [RECORDS]
set -euo pipefail
records=${1:-10000000}
runs=${RUNS:-3}
source "$(dirname "$0")/common.sh"
big=$(large_file "$records")
bytes=$(stat -c %s "$big")
cat "$big" >/dev/null
per_gb() { awk "BEGIN{ printf \"%.3f\", $1 * 1e9 / $bytes }"; }
row() {  # row NAME SECONDS [RATIO]
  printf "  %-40s %8s s/GB %8s MB/s %s\n" "$1" "$(per_gb "$2")" "$(mbps "$bytes" "$2")" "${3:-}"
}

read -r t_check _ < <(best_of "$rbgate" check "$big")
read -r t_sha _ < <(best_of openssl dgst -sha256 "$big")
echo "one core, best of $runs, $bytes bytes:"
row "rbgate check" "$t_check"
row "SHA-256 (openssl dgst)" "$t_sha"
declare -A t_comp t_dec
for level in 1 -1 -3 -5; do
  flag=-$level
  [ "$level" -lt 0 ] && flag=--fast=${level#-}
  zstd -q -T1 $flag -f -o "$data/level.zst" "$big"
  size=$(stat -c %s "$data/level.zst")
  read -r t_comp[$level] _ < <(best_of zstd -q -T1 $flag -c "$big")
  read -r t_dec[$level] _ < <(best_of zstd -q -d -c "$data/level.zst")
  ratio=$(awk "BEGIN{ printf \"%.1f\", $bytes / $size }")
  row "zstd level $level compress" "${t_comp[$level]}" "(ratio $ratio:1)"
  row "zstd level $level decompress" "${t_dec[$level]}"
done
rm -f "$data/level.zst"
echo "the spool's path on two cores (check+hash+compress, then decompress+hash):"
for level in 1 -1 -3 -5; do
  sum=$(awk "BEGIN{ print $t_check + 2 * $t_sha + ${t_comp[$level]} + ${t_dec[$level]} }")
  # Overlapped at best: all the work shared by two cores, and no phase shorter than its longest
  # single-threaded piece (the check, then the decompression, each on one core).
  first=$(awk "BEGIN{ a = ($t_check + $t_sha + ${t_comp[$level]}) / 2; print (a > $t_check ? a : $t_check) }")
  second=$(awk "BEGIN{ a = (${t_dec[$level]} + $t_sha) / 2; m = (${t_dec[$level]} > $t_sha ? ${t_dec[$level]} : $t_sha); print (a > m ? a : m) }")
  best=$(awk "BEGIN{ print $first + $second }")
  printf "  level %-3s work %6.3f core-s/GB; ceiling %6.3f s/GB = %5s MB/s = %.2fx check\n" "$level" \
    "$(per_gb "$sum")" "$(per_gb "$best")" "$(mbps "$bytes" "$best")" \
    "$(awk "BEGIN{ print $t_check / $best }")"
done
