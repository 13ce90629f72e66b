#!/usr/bin/env bash
# Runs COMMAND... with a PostgreSQL server of its own: Debian's initdb and pg_ctl in a new
# temporary folder, listening on a Unix socket there only (no TCP port), stopped and removed
# when COMMAND ends. COMMAND finds it in RBGATE_TEST_POSTGRES (libpq options: host, user;
# each test makes its own database) and PGBIN (the server's programs, for tests that stop and
# start it). As root, the server runs as the postgres user, which refuses to run as root.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "with_postgres: no PostgreSQL server (Debian's postgresql package); scripts/setup.sh installs it" >&2
  exit 1
fi
dir=$(mktemp -d /tmp/rbgate-pg.XXXXXX)
chmod 755 "$dir"
as=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$dir"
  as=(runuser -u postgres --)
fi
stop() {
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
"${as[@]}" "$bin/initdb" -D "$dir/data" -U rbgate --auth=trust -E SQL_ASCII --locale=C \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
# fsync off for the tests, which never lose power and make many small databases;
# RBGATE_PG_FSYNC=on for benchmarks.
if ! "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-k $dir -c listen_addresses='' -c fsync=${RBGATE_PG_FSYNC:-off} -c max_connections=200" \
  start >/dev/null; then
  cat "$dir/server.log" >&2
  exit 1
fi
export RBGATE_TEST_POSTGRES="host=$dir user=rbgate"
# pg_ctl as the server's own user, for tests that stop and start it: $PG_AS "$PGBIN/pg_ctl" ...
export PGBIN="$bin" PGDATA_DIR="$dir/data" PG_AS="${as[*]:-}" PG_LOG="$dir/server.log"
set +e
"$@"
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "--- PostgreSQL's log (last 40 lines) ---" >&2
  tail -40 "$dir/server.log" >&2
fi
exit "$rc"
