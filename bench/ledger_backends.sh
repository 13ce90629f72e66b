#!/usr/bin/env bash
# Benchmark: one node's throughput with the ledger in SQLite and in PostgreSQL, on this
# machine: COUNT 4 KiB Standard 18 files through `rbgate run --once` (claim, check, archive,
# deliver, every step on record), in files/s, with the ledger's statements per file (on
# PostgreSQL each is a round trip to the server). PostgreSQL is Debian's, started for the run
# by tests/support/with_postgres.sh with fsync on and synchronous_commit on, on a Unix socket:
# a ledger on another machine adds the network's round trip to each statement.
# Then one 1 GB Standard 18 file (10 million records, each one's item kept in the ledger for
# reconciliation) through each, in MB/s.
# Not a test: run it by hand. Usage: bench/ledger_backends.sh [COUNT] [WORKERS]
set -euo pipefail
if [ -z "${RBGATE_TEST_POSTGRES:-}" ]; then
  RBGATE_PG_FSYNC=on exec "$(dirname "$0")/../tests/support/with_postgres.sh" "$0" "$@"
fi
count=${1:-1000}
workers=${2:-16}
source "$(dirname "$0")/common.sh"
work=$data/ledgers
rm -rf "$work"
mkdir -p "$work"
host=${RBGATE_TEST_POSTGRES#host=}
host=${host%% *}
small_files "$data/small" "$count"

# run_once NAME [pg]: writes "files/s statements/file" to $work/NAME.result.
run_once() {
  local s=$work/$1
  new_spool "$s" "$workers"
  if [ -n "${2:-}" ]; then
    "$PGBIN/psql" -X -q "host=$host user=rbgate dbname=postgres" -c "CREATE DATABASE $1"
    sed -i "s|^url = \"\"|url = \"postgresql:///$1?host=$host\\&user=rbgate\"|" "$s/rbgate.toml"
  fi
  local i
  for i in $(seq "$count"); do cp "$data/small/f$i.s18" "$s/incoming/auto/"; done
  sync
  local start end
  start=$(date +%s%N)
  "$rbgate" run --once --config "$s/rbgate.toml" 2>"$s.log"
  end=$(date +%s%N)
  local delivered statements
  delivered=$(ls "$s/delivered" | wc -l)
  [ "$delivered" -eq "$count" ] || { echo "$1: $delivered of $count delivered" >&2; exit 1; }
  statements=$(grep -o 'ledger_statements=[0-9]*' "$s.log" | tail -1 | cut -d= -f2)
  awk "BEGIN{ printf \"%.0f %.1f\\n\", $count / (($end - $start) / 1e9), $statements / $count }" \
    >"$work/$1.result"
}

# run_large NAME [pg]: the 1 GB file through one node; writes "MB/s" to $work/NAME.result.
run_large() {
  local s=$work/$1 big
  big=$(large_file 10000000)
  new_spool "$s" 2
  if [ -n "${2:-}" ]; then
    "$PGBIN/psql" -X -q "host=$host user=rbgate dbname=postgres" -c "CREATE DATABASE $1"
    sed -i "s|^url = \"\"|url = \"postgresql:///$1?host=$host\\&user=rbgate\"|" "$s/rbgate.toml"
  fi
  cp "$big" "$s/incoming/auto/big.s18"
  sync
  local start end
  start=$(date +%s%N)
  "$rbgate" run --once --config "$s/rbgate.toml" 2>"$s.log"
  end=$(date +%s%N)
  [ "$(ls "$s/delivered" | wc -l)" -eq 1 ] || { echo "$1: the large file was not delivered" >&2; exit 1; }
  echo "$(mbps "$(stat -c %s "$big")" "$(awk "BEGIN{ print ($end - $start) / 1e9 }")")" >"$work/$1.result"
  rm -rf "$s"
}

run_once sqlite
run_once pg on
run_large sqlite-large
run_large pg_large on
read -r sq_rate sq_stmts <"$work/sqlite.result"
read -r pg_rate pg_stmts <"$work/pg.result"
echo "one node, $count files of 4 KiB, $workers workers:"
printf '  %-28s %6s files/s  %5s ledger statements a file\n' "SQLite (WAL, in the spool)" "$sq_rate" "$sq_stmts"
printf '  %-28s %6s files/s  %5s ledger statements a file\n' "PostgreSQL 15 (Unix socket)" "$pg_rate" "$pg_stmts"
awk "BEGIN{ printf \"  PostgreSQL / SQLite: %.2f\\n\", $pg_rate / $sq_rate }"
read -r sq_large <"$work/sqlite-large.result"
read -r pg_large <"$work/pg_large.result"
echo "one 1 GB Standard 18 file (10 million items on record), one node:"
printf '  %-28s %6s MB/s\n' "SQLite" "$sq_large" "PostgreSQL 15" "$pg_large"
awk "BEGIN{ printf \"  PostgreSQL / SQLite: %.2f\\n\", $pg_large / $sq_large }"
