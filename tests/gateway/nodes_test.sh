#!/usr/bin/env bash
# Several nodes on one spool and one PostgreSQL ledger (a server of the test's own, from
# tests/support/with_postgres.sh): three daemons take a flood of files, each claimed once and
# delivered once; one is SIGKILLed mid-flood again and again and the others adopt its files
# once its lease runs out; a node whose name is taken on another host is refused; the audit
# chain verifies.
set -u
rbgate=$(realpath "$1")
: "${RBGATE_TEST_POSTGRES:?run under tests/support/with_postgres.sh}"
tmp=$(mktemp -d)
pids=()
trap 'kill -9 "${pids[@]}" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"
host=${RBGATE_TEST_POSTGRES#host=}
host=${host%% *}
"$PGBIN/psql" -X -q "host=$host user=rbgate dbname=postgres" -c "CREATE DATABASE nodes"
url="postgresql:///nodes?host=$host&user=rbgate"

sp=$tmp/sp
"$rbgate" init "$sp" >/dev/null
sed -i "s|^url = \"\"|url = \"${url//&/\\&}\"|; s/^workers = 2 /workers = 3 /;
        s/^rescan_seconds = 10 /rescan_seconds = 1 /; s/stable_seconds = 2/stable_seconds = 0/;
        s|^listen = \"127.0.0.1:8490\"|listen = \"\"|" "$sp/rbgate.toml"
# A node's configuration: the spool's, with its name and a short lease.
for n in a b c; do
  sed "s/^# node = \"\"/node = \"$n\"/; s/^# lease_seconds = 30/lease_seconds = 3/" \
    "$sp/rbgate.toml" >"$tmp/$n.toml"
  sed -i "s|^root = \".\"|root = \"$sp\"|; s|^path = \"delivered\"|path = \"$sp/delivered\"|" "$tmp/$n.toml"
  check "config-$n" grep -q "^node = \"$n\"" "$tmp/$n.toml"
done
total=300
mkdir -p "$tmp/files"
for i in $(seq 1 $total); do
  # The last hundred larger (600 KB), so that node a is caught holding some.
  "$rbgate" gen bacs18 --records $([ "$i" -gt 200 ] && echo 6000 || echo 600) --seed "$i" \
    --serial "$(printf %06d "$i")" -o "$tmp/files/f$i.s18" 2>/dev/null
done

start() {  # start NODE: a daemon in the background, its pid in pid_NODE
  RBGATE_CONFIG="$tmp/$1.toml" "$rbgate" run 2>>"$tmp/$1.log" &
  eval "pid_$1=$!"
  pids+=("$!")
}
start a
start b
start c
sleep 1
delivered() { [ "$(ls "$sp/delivered" | wc -l)" -ge "$1" ]; }
# The flood, with node a killed (SIGKILL) while it works: twice restarted at once (it resumes
# its own files), the third time not (the others adopt them when its lease runs out).
drop_batch() {  # drop_batch N: the Nth hundred
  local i
  for i in $(seq $((($1 - 1) * 100 + 1)) $(($1 * 100))); do
    # Whole at once (.part, then renamed), as the settle rules ask of senders.
    cp "$tmp/files/f$i.s18" "$sp/incoming/auto/f$i.s18.part"
    mv "$sp/incoming/auto/f$i.s18.part" "$sp/incoming/auto/f$i.s18"
  done
}
for batch in 1 2 3; do
  if [ "$batch" -lt 3 ]; then
    drop_batch "$batch"
    sleep 0.4
    kill -9 "$pid_a"
  else
    # Dropped while a is watched, so that it is caught holding some.
    drop_batch 3 &
    dropper=$!
    # The last time, at a moment it holds files in flight, so that they are left to adopt.
    check killed-holding when_holding "$pid_a" 'kill -9 "$pid_a"' \
      "$PGBIN/psql" -X -At "host=$host user=rbgate dbname=nodes" \
      -c "SELECT count(*) FROM files WHERE node = 'a' AND state IN ('claiming', 'claimed', 'accepted', 'archived')"
    kill -9 "$pid_a" 2>/dev/null  # (when it held nothing: the failure is said above)
    wait "$dropper"
  fi
  wait "$pid_a" 2>/dev/null
  [ "$batch" -lt 3 ] && sleep 0.2 && start a
done
# Done when every file is delivered and no row is left unfinished: a file a delivered just
# before it died may still wait for its row's last step, taken by the node that adopts it.
unfinished() {
  "$PGBIN/psql" -X -At "host=$host user=rbgate dbname=nodes" \
    -c "SELECT count(*) FROM files WHERE state IN ('claiming', 'claimed', 'accepted', 'archived')"
}
settled() { delivered $total && [ "$(unfinished)" -eq 0 ]; }
check all-delivered wait_for 240 settled
sleep 2  # anything delivered twice would show now
check delivered-once test "$(ls "$sp/delivered" | wc -l)" -eq $total
check each-name-once test "$(ls "$sp/delivered" | sed 's/^[0-9a-f]*_//' | sort -u | wc -l)" -eq $total
check delivered-whole bash -c "cd '$sp/delivered' && for f in *; do cmp -s \"\$f\" '$tmp/files/'\"\${f#*_}\" || exit 1; done"
check incoming-empty test "$(ls "$sp/incoming/auto" | wc -l)" -eq 0
check work-empty test "$(ls "$sp/work" | wc -l)" -eq 0
"$rbgate" ledger list --config "$tmp/b.toml" --format json >"$tmp/list.json"
check rows-delivered test "$(grep -o '"state":"delivered"' "$tmp/list.json" | wc -l)" -eq $total
# Any other row is a name another node claimed first (its rename won), on record as such.
others=$(grep -o '"state":"[a-z-]*"' "$tmp/list.json" | grep -vc '"delivered"')
echo "nodes_test: $others rows for names another node took first"
check no-unfinished test "$(grep -cE '"state":"(claiming|claimed|accepted|archived|outbound)"' "$tmp/list.json")" -eq 0
# Every node did some of the work, and a killed node's files were adopted.
for n in a b c; do
  check "worked-$n" grep -q ' delivered ' "$tmp/$n.log"
done
check adopted grep -q ' adopted .*node=[bc]' "$tmp/b.log" "$tmp/c.log"
start a  # back, with nothing of its own left
run_audit() { "$rbgate" audit verify --config "$tmp/b.toml" >"$tmp/audit.txt" 2>&1; }
check audit run_audit
check audit-said grep -q "intact" "$tmp/audit.txt"

# A second daemon under a node name already running here is refused by its lock.
RBGATE_CONFIG="$tmp/b.toml" "$rbgate" run 2>"$tmp/b2.log"
check same-name-refused test $? -eq 2
check same-name-said grep -q "holds this spool" "$tmp/b2.log"

kill -TERM "$pid_a" "$pid_b" "$pid_c"
wait "$pid_a" "$pid_b" "$pid_c" 2>/dev/null
# A node name held by another host's live lease is refused.
"$PGBIN/psql" -X -q "host=$host user=rbgate dbname=nodes" \
  -c "UPDATE nodes SET host = 'elsewhere', lease_until = 9999999999999 WHERE node = 'c'"
RBGATE_CONFIG="$tmp/c.toml" "$rbgate" run --once 2>"$tmp/c2.log"
check other-host-refused test $? -eq 2
check other-host-said grep -q "node c is running on elsewhere" "$tmp/c2.log"

echo "nodes_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
