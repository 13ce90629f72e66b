#!/usr/bin/env bash
# The VOA's NDR rating list: `rbgate check --feed ndr-list` on a country-sized synthetic list
# (~2.1 million entries, ~500 MB, 300 councils; rbgate gen ndr-list) on one core, beside `wc -l`
# (the floor: one pass over the bytes) and Miller reading the same '*'-separated lines
# (`mlr --inidx --ifs '*' --ojson cat`, which types nothing) on the same file in the same run.
# Peak memory for each: the check should stay flat whatever the list's size. Also times the
# generator itself (the issue asks for a country's list in seconds).
#
#   bench/voa_list.sh                  # ~500 MB (ENTRIES=2100000)
#   ENTRIES=500000 bench/voa_list.sh
set -euo pipefail
runs=3
source "$(dirname "$0")/common.sh"
command -v mlr >/dev/null || { echo "Miller is needed: apt-get install miller" >&2; exit 2; }
entries=${ENTRIES:-2100000}
list=$data/ndr-list-$entries.txt

start=$(date +%s%N)
"$rbgate" gen ndr-list --records "$entries" --councils 300 --seed 7 --date 2026-04-01 -o "$list"
end=$(date +%s%N)
t_gen=$(awk "BEGIN{ printf \"%.3f\", ($end - $start) / 1e9 }")
bytes=$(stat -c %s "$list")
"$rbgate" check --feed ndr-list "$list" >/dev/null || {
  echo "the benchmark list does not pass its schema" >&2
  exit 1
}
# A tenth of the list, to show memory does not grow with it.
small=$data/ndr-list-$((entries / 10)).txt
head -n $((entries / 10)) "$list" >"$small"

read -r t_rb m_rb < <(best_of "$rbgate" check --feed ndr-list "$list")
read -r t_small m_small < <(best_of "$rbgate" check --feed ndr-list "$small")
read -r t_wc m_wc < <(best_of wc -l "$list")
read -r t_mlr m_mlr < <(runs=1 best_of sh -c "mlr --inidx --ifs '*' --ojson cat '$list' >/dev/null")

printf '%s: %s entries, %.0f MB (generated in %s s)\n' "$(basename "$list")" "$entries" \
  "$(awk "BEGIN{print $bytes/1e6}")" "$t_gen"
printf '%-36s %8s %9s %10s\n' "" "seconds" "MB/s" "peak MiB"
printf '%-36s %8s %9s %10d\n' "wc -l" "$t_wc" "$(mbps "$bytes" "$t_wc")" $((m_wc / 1024))
printf '%-36s %8s %9s %10d\n' "rbgate check --feed ndr-list" "$t_rb" "$(mbps "$bytes" "$t_rb")" \
  $((m_rb / 1024))
printf '%-36s %8s %9s %10d\n' "  the same on a tenth of the list" "$t_small" \
  "$(mbps "$(stat -c %s "$small")" "$t_small")" $((m_small / 1024))
printf '%-36s %8s %9s %10d\n' "mlr --inidx --ifs '*' --ojson cat" "$t_mlr" \
  "$(mbps "$bytes" "$t_mlr")" $((m_mlr / 1024))
awk "BEGIN{ printf \"rbgate: %.2fx wc -l's time, %.1fx Miller's speed; target 500 MB/s: %.0f%%\n\", \
  $t_rb / $t_wc, $t_mlr / $t_rb, 100 * ($bytes / 1e6 / $t_rb) / 500 }"
