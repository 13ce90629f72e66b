#!/usr/bin/env bash
# Forwarding from two nodes on one spool and one PostgreSQL ledger (a server of the test's
# own) to real servers on loopback, OpenSSH's sshd (SFTP) and the HTTPS sink: node b runs
# throughout while node a is SIGKILLed again and again mid-upload, restarted under its name
# (it resumes its own items) and finally left dead holding files (b, stopped meanwhile so that
# a takes them, starts again and adopts a's files and items once a's lease runs out). Each file reaches each server exactly once, whole, by content; each item
# was taken by one node at a time (FOR UPDATE SKIP LOCKED); the audit chain verifies.
set -u
rbgate=$(realpath "$1")
sink=$(realpath "$2")
: "${RBGATE_TEST_POSTGRES:?run under tests/support/with_postgres.sh}"
tmp=$(mktemp -d)
sink_pid="" sshd_pid="" pid_a="" pid_b=""
cleanup() {
  exec 2>/dev/null  # not the shell's "Killed" notices
  kill -9 $pid_a $pid_b $sink_pid $sshd_pid 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../support/servers.sh"
new_database forwarding

cd "$tmp" || exit 1
servers_init "$tmp" "$sink"
start_sink || exit 1
start_sshd || exit 1

sp=$tmp/sp
"$rbgate" init "$sp" >/dev/null
sed -i "s/processing_days_against = \"today\"/processing_days_against = \"creation-date\"/;
        s/stable_seconds = 2/stable_seconds = 0/; s/^rescan_seconds = 10 /rescan_seconds = 1 /;
        s|^listen = \"127.0.0.1:8490\"|listen = \"\"|;
        s/^destinations = \[\"delivered\"\]/destinations = [\"bank\", \"dms\"]/" "$sp/rbgate.toml"
{
  sftp_destination bank "$tmp/sftp-in" "$tmp/ssh/known_hosts"
  https_destination dms "https://127.0.0.1:$sink_port/upload/{name}"
} >>"$sp/rbgate.toml"
for n in a b; do
  sed "s|^url = \"\"|url = \"$pg_url\"|;
       s/^# node = \"\"/node = \"$n\"/; s/^# lease_seconds = 30/lease_seconds = 3/;
       s|^root = \".\"|root = \"$sp\"|" "$sp/rbgate.toml" >"$tmp/$n.toml"
  check "config-$n" grep -q "^node = \"$n\"" "$tmp/$n.toml"
done

sha() { sha256sum "$1" | cut -c1-64; }
stored() { grep -c "^stored $1 " "$tmp/recv/requests.log" 2>/dev/null; }  # stored KEY: how often
: >"$tmp/expected"
total=14
for i in $(seq 1 $total); do  # large enough (2-5 MB) that a kill often lands mid-upload
  "$rbgate" gen bacs18 --records $((20000 + (i % 6) * 5000)) --date 2026-11-23 --seed $((200 + i)) \
    --serial "$(printf %06d $((200 + i)))" -o "$tmp/k$i.s18"
  echo "$(sha "$tmp/k$i.s18") k$i.s18" >>"$tmp/expected"
done
run() {  # run NODE: its daemon in the background, its pid in pid_NODE
  RBGATE_CONFIG="$tmp/$1.toml" "$rbgate" run 2>>"$tmp/$1.log" &
  eval "pid_$1=$!"
}
drop() {  # drop I: file k$I, whole (.part, then renamed), as senders must
  cp "$tmp/k$1.s18" "$sp/incoming/auto/k$1.s18.part"
  mv "$sp/incoming/auto/k$1.s18.part" "$sp/incoming/auto/k$1.s18"
}
run b
kills=0
for round in 1 2 3 4 5 6; do
  drop $((round * 2 - 1))
  drop $((round * 2))
  run a
  sleep "0.$((RANDOM % 9 + 1))"
  kill -9 "$pid_a" 2>/dev/null && kills=$((kills + 1))
  wait "$pid_a" 2>/dev/null
  pid_a=""
done
# The last time a is left dead while it holds something: b adopts it when a's lease runs out.
# b is stopped meanwhile, so that a takes the last files.
kill -TERM "$pid_b"
wait "$pid_b"
drop 13
drop 14
run a
check a-killed-holding when_holding "$pid_a" 'kill -9 "$pid_a"' \
  "$PGBIN/psql" -X -At "host=$pghost user=rbgate dbname=forwarding" \
  -c "SELECT count(*) FROM files WHERE node = 'a' AND state IN ('claiming', 'claimed', 'accepted', 'archived', 'outbound')"
kill -9 "$pid_a" 2>/dev/null  # (when it held nothing: the failure is said above)
kills=$((kills + 1))
wait "$pid_a" 2>/dev/null
pid_a=""
run b
all_delivered() {
  [ "$("$rbgate" ledger list --config "$tmp/b.toml" --format json | grep -o '"state":"delivered"' | wc -l)" -eq $total ]
}
check all-delivered wait_for 180 all_delivered
check some-kills test "$kills" -ge 5
sleep 2  # anything sent twice would show now
while read -r hash name; do
  check "sftp-$name" cmp -s "$tmp/$name" "$tmp/sftp-in/${hash:0:16}_$name"
  check "https-once-$name" test "$(stored "$hash")" -eq 1
done <"$tmp/expected"
check no-part bash -c "! ls -A '$tmp/sftp-in' | grep -q '\\.part$'"
check sftp-count test "$(ls "$tmp/sftp-in" | wc -l)" -eq $total
check b-adopted grep -q ' adopted .*node=b' "$tmp/b.log"
check audit "$rbgate" audit verify --config "$tmp/b.toml" >/dev/null
kill -TERM "$pid_b"
wait "$pid_b"
pid_b=""

if [ "$fail" -gt 0 ]; then
  echo "--- a.log (last 40 lines)"; tail -40 "$tmp/a.log"
  echo "--- b.log (last 40 lines)"; tail -40 "$tmp/b.log"
fi
echo "forward_nodes_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
