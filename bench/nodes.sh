#!/usr/bin/env bash
# Benchmark: files per second through one, two and three nodes on one spool and one PostgreSQL
# ledger, on this machine: COUNT 4 KiB Standard 18 files dropped before the nodes start, then
# the nodes started together with `rbgate run --once` (each claims by rename, checks, archives
# and delivers, every step on record), timed until the last one is done. On a machine with
# fewer cores than nodes x workers the figure is the cost of coordinating (claims lost to
# another node, the ledger's writers serialised), not the gain of more machines.
# PostgreSQL is Debian's, started for the run by tests/support/with_postgres.sh (fsync and
# synchronous_commit on, a Unix socket).
# Not a test: run it by hand. Usage: bench/nodes.sh [COUNT] [WORKERS_PER_NODE]
set -euo pipefail
if [ -z "${RBGATE_TEST_POSTGRES:-}" ]; then
  RBGATE_PG_FSYNC=on exec "$(dirname "$0")/../tests/support/with_postgres.sh" "$0" "$@"
fi
count=${1:-1000}
workers=${2:-8}
source "$(dirname "$0")/common.sh"
work=$data/nodes
rm -rf "$work"
mkdir -p "$work"
host=${RBGATE_TEST_POSTGRES#host=}
host=${host%% *}
small_files "$data/small" "$count"

# run_nodes N: writes "files/s statements/file claims-lost" to $work/N.result.
run_nodes() {
  local n=$1 s=$work/spool$1 db=nodes$1
  new_spool "$s" "$workers"
  "$PGBIN/psql" -X -q "host=$host user=rbgate dbname=postgres" -c "CREATE DATABASE $db"
  sed -i "s|^url = \"\"|url = \"postgresql:///$db?host=$host\\&user=rbgate\"|" "$s/rbgate.toml"
  local i
  for i in $(seq "$n"); do
    sed "s/^# node = \"\"/node = \"n$i\"/; s|^root = \".\"|root = \"$s\"|;
         s|^path = \"delivered\"|path = \"$s/delivered\"|" "$s/rbgate.toml" >"$work/n$n-$i.toml"
  done
  for i in $(seq "$count"); do cp "$data/small/f$i.s18" "$s/incoming/auto/"; done
  sync
  local start end pids=()
  start=$(date +%s%N)
  for i in $(seq "$n"); do
    /usr/bin/time -f %M -o "$work/n$n-$i.rss" \
      "$rbgate" run --once --config "$work/n$n-$i.toml" 2>"$work/n$n-$i.log" &
    pids+=("$!")
  done
  for p in "${pids[@]}"; do wait "$p"; done
  end=$(date +%s%N)
  local delivered statements=0 st rss=0 m
  delivered=$(ls "$s/delivered" | wc -l)
  [ "$delivered" -eq "$count" ] || { echo "$n nodes: $delivered of $count delivered" >&2; exit 1; }
  for i in $(seq "$n"); do
    st=$(grep -o 'ledger_statements=[0-9]*' "$work/n$n-$i.log" | tail -1 | cut -d= -f2)
    statements=$((statements + ${st:-0}))
    read -r m <"$work/n$n-$i.rss"
    [ "$m" -gt "$rss" ] && rss=$m
  done
  local per_node
  per_node=$("$PGBIN/psql" -X -At "host=$host user=rbgate dbname=$db" \
    -c "SELECT string_agg(node || ' ' || n, ', ' ORDER BY node) FROM (SELECT node, count(*) n FROM files GROUP BY node) x")
  awk "BEGIN{ printf \"%.0f %.1f %d\\n\", $count / (($end - $start) / 1e9), $statements / $count, $rss / 1024 }" \
    >"$work/$n.result"
  echo "$per_node" >"$work/$n.split"
}

for n in 1 2 3; do run_nodes "$n"; done
echo "$count files of 4 KiB, $workers workers a node, PostgreSQL 15 on a Unix socket, $(nproc) cores:"
read -r one _ _ <"$work/1.result"
for n in 1 2 3; do
  read -r rate stmts rss <"$work/$n.result"
  printf '  %d node%-2s %6s files/s  %5s ledger statements a file  %4s MiB peak a node  x%s of one node  (files by node: %s)\n' \
    "$n" "$([ "$n" -gt 1 ] && echo s || echo "")" "$rate" "$stmts" "$rss" \
    "$(awk "BEGIN{ printf \"%.2f\", $rate / $one }")" "$(cat "$work/$n.split")"
done
