#!/usr/bin/env bash
# A node that loses the database but keeps running, beside one that keeps it (two nodes on one
# spool and one PostgreSQL ledger, a server of the test's own): node b reaches the server
# through a proxy the test kills mid-flood. b stops taking new work and says so on /readyz;
# its lease runs out and a adopts its unfinished files; when the proxy is back, b joins again
# and its late steps on the adopted files are refused; then PostgreSQL is restarted under
# load. Nothing is delivered twice or lost, the nodes are listed with their leases, stats say
# which node did what, and the audit chain verifies.
set -u
rbgate=$(realpath "$1")
: "${RBGATE_TEST_POSTGRES:?run under tests/support/with_postgres.sh}"
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
pids=()
trap 'kill -9 "${pids[@]}" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"
pghost=${RBGATE_TEST_POSTGRES#host=}
pghost=${pghost%% *}
psql() { "$PGBIN/psql" -X -q -At "host=$pghost user=rbgate dbname=${db:-postgres}" "$@"; }
psql -c "CREATE DATABASE partition"
db=partition

# The proxy: b's way to the server, on a socket in a folder of its own (libpq's host=DIR).
mkdir -p "$tmp/net"
proxy_up() {
  python3 "$here/support/unix_proxy.py" "$tmp/net/.s.PGSQL.5432" "$pghost/.s.PGSQL.5432" &
  proxy=$!
  pids+=("$proxy")
  wait_for 10 test -S "$tmp/net/.s.PGSQL.5432"
}
proxy_up

sp=$tmp/sp
"$rbgate" init "$sp" >/dev/null
sed -i "s/^workers = 2 /workers = 3 /; s/^rescan_seconds = 10 /rescan_seconds = 1 /;
        s/stable_seconds = 2/stable_seconds = 0/;
        s|^listen = \"127.0.0.1:8490\"|listen = \"127.0.0.1:0\"|" "$sp/rbgate.toml"
for n in a b; do
  via=$pghost
  [ "$n" = b ] && via=$tmp/net
  sed "s|^url = \"\"|url = \"postgresql:///partition?host=$via\\&user=rbgate\"|;
       s/^# node = \"\"/node = \"$n\"/; s/^# lease_seconds = 30/lease_seconds = 3/;
       s|^root = \".\"|root = \"$sp\"|; s|^path = \"delivered\"|path = \"$sp/delivered\"|" \
    "$sp/rbgate.toml" >"$tmp/$n.toml"
  check "config-$n" grep -q "^node = \"$n\"" "$tmp/$n.toml"
done
total=240
mkdir -p "$tmp/files"
for i in $(seq 1 $total); do
  "$rbgate" gen bacs18 --records 600 --seed "$i" --serial "$(printf %06d "$i")" \
    -o "$tmp/files/f$i.s18" 2>/dev/null
done
drop() {  # drop FIRST LAST: whole files (.part, then renamed), as senders must
  local i
  for i in $(seq "$1" "$2"); do
    cp "$tmp/files/f$i.s18" "$sp/incoming/auto/f$i.s18.part"
    mv "$sp/incoming/auto/f$i.s18.part" "$sp/incoming/auto/f$i.s18"
  done
}
delivered() { [ "$(ls "$sp/delivered" | wc -l)" -ge "$1" ]; }
in_flight() {  # in_flight NODE: how many of its files are between claim and final state
  psql -c "SELECT count(*) FROM files WHERE node = '$1' AND state IN ('claiming', 'claimed', 'accepted', 'archived')"
}

start_daemon "$tmp/a.toml" "$tmp/a.log"
pid_a=$daemon url_a=$url
pids+=("$pid_a")
start_daemon "$tmp/b.toml" "$tmp/b.log"
pid_b=$daemon url_b=$url
pids+=("$pid_b")
check both-started test -n "$url_a" -a -n "$url_b"
check b-ready-names-node bash -c "curl -sf '$url_b/readyz' | grep -qx 'node: b'"
check nodes-listed bash -c "'$rbgate' nodes --config '$tmp/a.toml' | grep -q '^b .* live'"

# The flood; b cut off from the server while it holds files in flight. a is paused for the
# moment of the cut, so that b surely has files in flight (on a loaded machine a alone could
# take them all first); a's lease outlives the pause.
kill -STOP "$pid_a"
drop 1 100
# b stopped at a moment it holds files in flight, the proxy killed, and b continued.
check b-cut-holding when_holding "$pid_b" 'kill -9 "$proxy"' in_flight b
kill -9 "$proxy" 2>/dev/null  # (when it held nothing: the failure is said above)
wait "$proxy" 2>/dev/null
kill -CONT "$pid_a"
drop 101 180
check b-lease-lost wait_for 20 grep -q ' lease-lost ' "$tmp/b.log"
check b-not-ready wait_for 20 bash -c "curl -s '$url_b/readyz' | grep -q '^ledger: '"
check a-adopts wait_for 30 grep -q ' adopted .*node=a' "$tmp/a.log"
check a-delivers-all wait_for 120 delivered 180
check b-listed-lapsed bash -c "'$rbgate' nodes --config '$tmp/a.toml' | grep -q '^b .*lease ran out'"
check b-nothing-left test "$(in_flight b)" -eq 0
curl -s "$url_a/metrics" >"$tmp/metrics_a.txt"
check metrics-node grep -q '^rbgate_node_info{node="a"} 1' "$tmp/metrics_a.txt"
check metrics-b-lapsed grep -q '^rbgate_node_lease_remaining_seconds{node="b"} -' "$tmp/metrics_a.txt"

# b back: it joins again and takes work; its late steps on files a adopted are refused.
proxy_up
check b-rejoins wait_for 30 grep -q ' lease-renewed ' "$tmp/b.log"
check b-ready-again wait_for 20 bash -c "curl -sf '$url_b/readyz' | grep -qx ready"
# Then PostgreSQL itself restarted under load: both nodes pause and resume, nothing lost.
drop 181 210
$PG_AS "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w restart -l "$PG_LOG" >/dev/null
check pg-restarted test $? -eq 0
drop 211 $total
settled() {  # every file delivered and no row left unfinished
  delivered $total &&
    [ "$(psql -c "SELECT count(*) FROM files WHERE state IN ('claiming', 'claimed', 'accepted', 'archived')")" -eq 0 ]
}
check all-delivered wait_for 120 settled
sleep 3  # anything delivered twice would show now
check delivered-once test "$(ls "$sp/delivered" | wc -l)" -eq $total
check each-name-once test "$(ls "$sp/delivered" | sed 's/^[0-9a-f]*_//' | sort -u | wc -l)" -eq $total
check delivered-whole bash -c "cd '$sp/delivered' && for f in *; do cmp -s \"\$f\" '$tmp/files/'\"\${f#*_}\" || exit 1; done"
check incoming-empty test "$(ls "$sp/incoming/auto" | wc -l)" -eq 0
check no-unfinished test "$(psql -c "SELECT count(*) FROM files WHERE state NOT IN ('delivered', 'vanished')")" -eq 0
check delivered-rows test "$(psql -c "SELECT count(*) FROM files WHERE state = 'delivered'")" -eq $total
check b-worked-after test "$(psql -c "SELECT count(*) FROM files WHERE node = 'b' AND state = 'delivered' AND name IN ($(seq -s, -f "'f%g.s18'" 181 $total))")" -gt 0
"$rbgate" stats --config "$tmp/a.toml" >"$tmp/stats.txt"
check stats-by-node grep -q ' b  *[0-9]' "$tmp/stats.txt"
run_audit() { "$rbgate" audit verify --config "$tmp/a.toml" >"$tmp/audit.txt" 2>&1; }
check audit run_audit
kill -TERM "$pid_a" "$pid_b"
wait "$pid_a" "$pid_b" 2>/dev/null

echo "nodes_partition_test: $pass passed, $fail failed"
if [ "$fail" -ne 0 ]; then
  echo "--- a's log (tail) ---"; tail -20 "$tmp/a.log"
  echo "--- b's log (tail) ---"; tail -30 "$tmp/b.log"
fi
[ "$fail" -eq 0 ]
