#!/usr/bin/env bash
# Collecting with two nodes on one spool and one PostgreSQL ledger (a server of the test's own)
# from OpenSSH's sshd: only the node that leads collects; when it is SIGKILLed the other takes
# over once its lease runs out, and files the dead node had kept on the server are not collected
# again (the ledger remembers them for both); back, it leads again. Every remote file is
# delivered once, by content; the audit chain verifies.
set -u
rbgate=$(realpath "$1")
sink=$(realpath "$2")
: "${RBGATE_TEST_POSTGRES:?run under tests/support/with_postgres.sh}"
tmp=$(mktemp -d)
sshd_pid="" pid_a="" pid_b=""
cleanup() {
  exec 2>/dev/null
  kill -9 $pid_a $pid_b $sshd_pid 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../support/servers.sh"
new_database collecting
cd "$tmp" || exit 1
servers_init "$tmp" "$sink"
start_sshd || exit 1
r=$tmp/remote
mkdir -p "$r/out" "$r/keep"

sp=$tmp/sp
"$rbgate" init "$sp" >/dev/null
sed -i "s/processing_days_against = \"today\"/processing_days_against = \"creation-date\"/;
        s/stable_seconds = 2/stable_seconds = 0/; s/^rescan_seconds = 10 /rescan_seconds = 1 /;
        s|^listen = \"127.0.0.1:8490\"|listen = \"\"|" "$sp/rbgate.toml"
for src in "landlord $r/out delete" "portal $r/keep keep"; do
  set -- $src
  sftp_destination "$1" "$2" "$srv/ssh/known_hosts" | sed 's/^\[\[destination\]\]$/[[source]]/'
  printf 'route = "auto"\nafter = "%s"\npattern = "*.s18"\npoll_seconds = 1\nsettle_seconds = 1\n' "$3"
done >>"$sp/rbgate.toml"
for n in a b; do
  sed "s|^url = \"\"|url = \"$pg_url\"|;
       s/^# node = \"\"/node = \"$n\"/; s/^# lease_seconds = 30/lease_seconds = 3/;
       s|^root = \".\"|root = \"$sp\"|; s|^path = \"delivered\"|path = \"$sp/delivered\"|" \
    "$sp/rbgate.toml" >"$tmp/$n.toml"
  check "config-$n" grep -q "^node = \"$n\"" "$tmp/$n.toml"
done
run_node() {  # run_node NODE: its daemon in the background, its pid in pid_NODE
  RBGATE_CONFIG="$tmp/$1.toml" "$rbgate" run 2>>"$tmp/$1.log" &
  eval "pid_$1=$!"
}
put() {  # put DIR FROM TO: files fFROM..fTO made whole in $tmp, then moved onto the server
  local i
  for i in $(seq "$2" "$3"); do
    "$rbgate" gen bacs18 --records 40 --date 2026-11-23 --seed "$i" \
      --serial "$(printf %06d "$i")" -o "$tmp/f$i.s18"
    cp "$tmp/f$i.s18" "$1/.f$i.part"  # hidden names never match a pattern
    mv "$1/.f$i.part" "$1/f$i.s18"
  done
}
delivered() { ls "$sp/delivered" 2>/dev/null | wc -l; }
delivered_is() { [ "$(delivered)" -eq "$1" ]; }
collected_by() { grep -c "collected source=" "$tmp/$1.log" 2>/dev/null || true; }

put "$r/out" 1 10
put "$r/keep" 101 103
run_node a
run_node b
check first-13 wait_for 60 delivered_is 13
check a-collected test "$(collected_by a)" -eq 13
check b-collected-none test "$(collected_by b)" -eq 0
check deleted wait_for 10 bash -c "[ -z \"\$(ls '$r/out')\" ]"
check kept test "$(ls "$r/keep" | wc -l)" -eq 3

# The leader dies; the other collects once a's lease has run out, and not what a kept.
kill -9 "$pid_a"
wait "$pid_a" 2>/dev/null
pid_a=""
put "$r/out" 11 15
check b-takes-over wait_for 60 delivered_is 18
check b-collected test "$(collected_by b)" -eq 5
sleep 3
check kept-not-again delivered_is 18

# Back, a leads again (the lowest live name): b stops collecting.
run_node a
sleep 5
before_b=$(collected_by b)
put "$r/out" 16 18
check a-again wait_for 60 delivered_is 21
check b-stopped test "$(collected_by b)" -eq "$before_b"

# Each remote file once, by content.
once=0
for i in $(seq 1 18) 101 102 103; do
  n=$(ls "$sp/delivered" | grep -c "_f$i.s18\$")
  if [ "$n" -ne 1 ] || ! cmp -s "$sp/delivered/"*"_f$i.s18" "$tmp/f$i.s18"; then
    echo "  f$i.s18 delivered $n times"
    once=$((once + 1))
  fi
done
check each-once test "$once" -eq 0
run audit-verifies 0 "$rbgate" audit verify --config "$tmp/b.toml"

echo "collect_nodes_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
