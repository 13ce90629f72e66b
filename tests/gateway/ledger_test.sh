#!/usr/bin/env bash
# The ledger in PostgreSQL with the real binary, under tests/support/with_postgres.sh (a server
# of the test's own): a spool's SQLite ledger with files delivered, quarantined and reconciled
# is migrated (`rbgate ledger migrate`), verified, and the spool goes on with PostgreSQL: the
# same listing, the same audit head, reconciliation across the move, an officer's release; a
# migration into a ledger that is not empty, a URL with a password and a UTF8 database are
# refused with their reason; a pg_dump backup restores into a ledger whose chain still ends at
# the head recorded before.
set -u
rbgate=$(realpath "$1")
: "${RBGATE_TEST_POSTGRES:?run under tests/support/with_postgres.sh}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"
host=${RBGATE_TEST_POSTGRES#host=}
host=${host%% *}
psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "host=$host user=rbgate dbname=${DB:-postgres}" "$@"; }
url() { echo "postgresql:///$1?host=$host&user=rbgate"; }

sp=$tmp/sp
cfg=$sp/rbgate.toml
run init 0 "$rbgate" init "$sp"
run gen-dd 0 "$rbgate" gen bacs18 --records 300 --seed 9 -o "$tmp/dd.s18"
run gen-ret1 0 "$rbgate" gen arudd --for "$tmp/dd.s18" --records 4 -o "$tmp/ret1.xml"
run gen-ret2 0 "$rbgate" gen arudd --for "$tmp/dd.s18" --records 2 --seed 5 -o "$tmp/ret2.xml"
run gen-bad 0 "$rbgate" gen bacs18 --records 50 --seed 4 --fault bad-account -o "$tmp/bad.s18"

# On SQLite first: a payment file delivered, returns matched, a faulty file quarantined.
cp "$tmp/dd.s18" "$tmp/bad.s18" "$sp/incoming/auto/"
run run-sqlite 0 "$rbgate" run --once --config "$cfg"
cp "$tmp/ret1.xml" "$sp/incoming/auto/"
run run-returns 0 "$rbgate" run --once --config "$cfg"
run reconcile-sqlite 0 "$rbgate" reconcile --config "$cfg"
check matched-sqlite has "$tmp/out" "4 matched"
"$rbgate" ledger list --config "$cfg" --format json >"$tmp/list-sqlite.json"
run audit-sqlite 0 "$rbgate" audit verify --config "$cfg"
head_sqlite=$(grep -o 'head [0-9]*:[0-9a-f]*' "$tmp/out" | head -1 | cut -d' ' -f2)
check head-printed test -n "$head_sqlite"
bad_id=$("$rbgate" quarantine list --config "$cfg" --format json | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
check quarantined test -n "$bad_id"

# A backup of the SQLite ledger while it is in use, and a restore drill: the copy in a spool of
# its own verifies against the head recorded before, and lists the same files.
run backup 0 "$rbgate" ledger backup --config "$cfg" "$tmp/ledger-backup.db"
check backup-verified has "$tmp/out" "audit chain verified in the backup"
check backup-head has "$tmp/out" "head $head_sqlite"
run init-restore 0 "$rbgate" init "$tmp/restore"
cp "$tmp/ledger-backup.db" "$tmp/restore/ledger.db"
run restored-sqlite 0 "$rbgate" audit verify --config "$tmp/restore/rbgate.toml" --head "$head_sqlite"
check restored-sqlite-listing cmp -s "$tmp/list-sqlite.json" \
  <("$rbgate" ledger list --config "$tmp/restore/rbgate.toml" --format json)
run backup-nowhere 2 "$rbgate" ledger backup --config "$cfg" "$tmp/no/such/dir/x.db"

# Retention: off by default; on, nothing this young is due.
run purge-off 0 "$rbgate" archive purge --dry-run --config "$cfg"
check purge-off-said has "$tmp/out" "nothing is ever deleted"
sed -i '/^\[archive\]/,/^\[/ s/^retain_days = 0/retain_days = 1/' "$cfg"
run purge-dry 0 "$rbgate" archive purge --dry-run --config "$cfg"
check purge-dry-said has "$tmp/out" "would delete 0 (0 bytes)"
sed -i 's/^retain_days = 1/retain_days = 99999/' "$cfg"
run retain-too-long 2 "$rbgate" archive purge --dry-run --config "$cfg"
check retain-too-long-said has "$tmp/err" "archive.retain_days: must be 0 (for ever) to 36500 days"
sed -i 's/^retain_days = 99999/retain_days = 0/' "$cfg"

# Migrate into an empty database made for bytes (SQL_ASCII, as the server's default here).
psql -c "CREATE DATABASE ledger"
run migrate 0 "$rbgate" ledger migrate --config "$cfg" --to "$(url ledger)"
check migrate-verified has "$tmp/out" "audit chain verified in the copy"
check migrate-files grep -qE "^  files +3$" "$tmp/out"
check migrate-items grep -qE "^  items +[1-9]" "$tmp/out"
run migrate-again 2 "$rbgate" ledger migrate --config "$cfg" --to "$(url ledger)"
check migrate-not-empty has "$tmp/err" "the destination ledger is not empty"
# The original is unchanged and still answers.
run sqlite-unchanged 0 "$rbgate" audit verify --config "$cfg" --head "$head_sqlite"

# The spool now on PostgreSQL.
u=$(url ledger)
sed -i "s|^url = \"\"|url = \"${u//&/\\&}\"|" "$cfg"
check config-set grep -q "^url = \"postgresql" "$cfg"
"$rbgate" ledger list --config "$cfg" --format json >"$tmp/list-pg.json"
check same-listing cmp -s "$tmp/list-sqlite.json" "$tmp/list-pg.json"
run audit-pg 0 "$rbgate" audit verify --config "$cfg" --head "$head_sqlite"
run reconcile-pg 0 "$rbgate" reconcile --config "$cfg"
check matched-pg has "$tmp/out" "4 matched"
# New work on PostgreSQL: more returns (one item returned twice across the move), a release.
cp "$tmp/ret2.xml" "$sp/incoming/auto/"
run run-pg 0 "$rbgate" run --once --config "$cfg"
run reconcile-after 1 "$rbgate" reconcile --config "$cfg" --format json
check returned-twice grep -q '"returned_twice":[1-9]' "$tmp/out"
run release 0 "$rbgate" quarantine release "$bad_id" --config "$cfg" --reason "the bureau confirmed" --force-duplicate
run release-again 2 "$rbgate" quarantine release "$bad_id" --config "$cfg" --reason "twice"
run audit-after 0 "$rbgate" audit verify --config "$cfg" --head "$head_sqlite"
head_pg=$(grep -o 'head [0-9]*:[0-9a-f]*' "$tmp/out" | head -1 | cut -d' ' -f2)
check head-moved test "$head_pg" != "$head_sqlite"
files_sqlite=$(sqlite3 "$sp/ledger.db" 'SELECT count(*) FROM files')
check no-sqlite-writes test "$files_sqlite" = 3
# Tampering in PostgreSQL is found as in SQLite.
DB=ledger psql -c "ALTER TABLE actions DISABLE TRIGGER USER; UPDATE actions SET reason = 'as agreed'"
run tampered 1 "$rbgate" audit verify --config "$cfg"
check tampered-said has "$tmp/out" "in the ledger's actions but not in the chain"
# (Each start of rbgate arms the triggers again: the tamperer disables them again.)
DB=ledger psql -c "ALTER TABLE actions DISABLE TRIGGER USER; UPDATE actions SET reason = 'the bureau confirmed'; ALTER TABLE actions ENABLE TRIGGER USER"
run untampered 0 "$rbgate" audit verify --config "$cfg" --head "$head_pg"

# Backup and restore drill: pg_dump's custom format, restored into a new database, the chain
# ending at the head recorded before.
"$PGBIN/pg_dump" -Fc -f "$tmp/ledger.dump" "host=$host user=rbgate dbname=ledger"
check dump-made test -s "$tmp/ledger.dump"
run backup-pg-refused 2 "$rbgate" ledger backup --config "$cfg" "$tmp/x.db"
check backup-pg-said has "$tmp/err" "pg_dump -Fc"
psql -c "CREATE DATABASE restored"
"$PGBIN/pg_restore" -d "host=$host user=rbgate dbname=restored" "$tmp/ledger.dump"
"$rbgate" ledger list --config "$cfg" --format json >"$tmp/list-dumped.json"
sed -i "s|/ledger?|/restored?|" "$cfg"
run audit-restored 0 "$rbgate" audit verify --config "$cfg" --head "$head_pg"
"$rbgate" ledger list --config "$cfg" --format json >"$tmp/list-restored.json"
check restored-listing cmp -s "$tmp/list-dumped.json" "$tmp/list-restored.json"
sed -i "s|/restored?|/ledger?|" "$cfg"

# Refusals, each with its reason.
route='[[route]]\nname = "auto"\n'
printf "[ledger]\nurl = \"postgresql://rbgate:secret@localhost/ledger\"\n$route" >"$tmp/pw.toml"
run password-in-url 2 "$rbgate" ledger list --config "$tmp/pw.toml"
check password-said has "$tmp/err" "pw.toml:2:7: ledger.url: it holds a password"
printf "[ledger]\nurl = \"mysql://x\"\n$route" >"$tmp/my.toml"
run not-postgres 2 "$rbgate" ledger list --config "$tmp/my.toml"
check not-postgres-said has "$tmp/err" "ledger.url"
psql -c "CREATE DATABASE utf ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0"
mkdir -p "$tmp/u"
printf '[spool]\nroot = "%s"\n[ledger]\nurl = "%s"\n[[route]]\nname = "auto"\n' "$tmp/u" "$(url utf)" >"$tmp/u.toml"
run utf8-refused 2 "$rbgate" ledger list --config "$tmp/u.toml"
check utf8-said has "$tmp/err" "ENCODING 'SQL_ASCII'"
printf "[ledger]\nurl = \"postgresql:///x?host=/nonexistent&user=rbgate\"\n$route" >"$tmp/gone.toml"
run unreachable 2 "$rbgate" ledger list --config "$tmp/gone.toml"
check unreachable-said has "$tmp/err" "cannot connect to PostgreSQL"

# The daemon on PostgreSQL while the server restarts under load, then goes away for a while:
# the daemon pauses and resumes; every file is delivered once; the chain verifies.
d=$tmp/d
run init-d 0 "$rbgate" init "$d"
psql -c "CREATE DATABASE flood"
u=$(url flood)
sed -i "s|^url = \"\"|url = \"${u//&/\\&}\"|; s/^workers = 2 /workers = 4 /;
        s/^rescan_seconds = 10 /rescan_seconds = 1 /; s/stable_seconds = 2/stable_seconds = 0/;
        s|^listen = \"127.0.0.1:8490\"|listen = \"127.0.0.1:0\"|" "$d/rbgate.toml"
mkdir -p "$tmp/flood"
for i in $(seq 1 220); do
  "$rbgate" gen bacs18 --records 3 --seed "$i" --serial "$(printf %06d "$i")" \
    -o "$tmp/flood/f$i.s18" 2>/dev/null
done
start_daemon "$d/rbgate.toml" "$tmp/daemon.log"
check daemon-started test -n "$url"
delivered() { [ "$(ls "$d/delivered" | wc -l)" -ge "$1" ]; }
# A sender's whole file appears at once (written as .part, then renamed), as the settle rule
# expects: a plain cp would let the daemon, taking files at once, see one half-written.
drop() { cp "$tmp/flood/f$1.s18" "$d/incoming/auto/f$1.s18.part" && mv "$d/incoming/auto/f$1.s18.part" "$d/incoming/auto/f$1.s18"; }
for i in $(seq 1 100); do drop "$i"; done
sleep 0.3
$PG_AS "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w restart -l "$PG_LOG" >/dev/null
for i in $(seq 101 200); do drop "$i"; done
check restart-all-delivered wait_for 90 delivered 200
# Away for a while: not ready, files wait; back: they go.
$PG_AS "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null
for i in $(seq 201 220); do drop "$i"; done
check not-ready-without-ledger wait_for 15 bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$url/readyz')\" = 503 ]"
sleep 2
check nothing-lost-while-away test "$(ls "$d/delivered" | wc -l)" -eq 200
$PG_AS "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -w start -l "$PG_LOG" \
  -o "-k $host -c listen_addresses='' -c fsync=off -c max_connections=200" >/dev/null
check back-all-delivered wait_for 90 delivered 220
check ready-again wait_for 15 bash -c "curl -sf '$url/readyz' | grep -qx ready"
kill -TERM "$daemon"
wait "$daemon"
check daemon-stopped-clean test $? -eq 0
check delivered-once test "$(ls "$d/delivered" | wc -l)" -eq 220
check delivered-distinct test "$(ls "$d/delivered" | sed 's/^[0-9a-f]*_//' | sort -u | wc -l)" -eq 220
check delivered-whole bash -c "cd '$d/delivered' && for f in *; do cmp -s \"\$f\" '$tmp/flood/'\"\${f#*_}\" || exit 1; done"
"$rbgate" ledger list --config "$d/rbgate.toml" --format json >"$tmp/flood.json"
check flood-rows test "$(grep -o '"state":"delivered"' "$tmp/flood.json" | wc -l)" -eq 220
check flood-no-other-rows test "$(grep -o '"state":"[a-z-]*"' "$tmp/flood.json" | wc -l)" -eq 220
run flood-audit 0 "$rbgate" audit verify --config "$d/rbgate.toml"
check flood-paused-said grep -qE "paused|claim-failed" "$tmp/daemon.log"

echo "ledger_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
