#!/usr/bin/env bash
# Collecting from partners' folders against OpenSSH's sshd on loopback: a source that deletes,
# one that moves, one that keeps (and remembers); a file still being written; the daemon
# SIGKILLed while collecting; a changed host key; bad [[source]] tables refused. Exactly once is
# checked by content in the spool and by what is left on the server.
set -u
rbgate=$(realpath "$1")
sink=$(realpath "$2")
tmp=$(mktemp -d)
sshd_pid="" daemon="" writer="" sink_pid=""
cleanup() {
  exec 2>/dev/null
  kill -9 $daemon $sshd_pid $writer $sink_pid 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../support/servers.sh"
cd "$tmp" || exit 1
servers_init "$tmp" "$sink"
start_sshd || exit 1
mkdir -p "$tmp/web"
printf 'portal-token-9f2e\n' >"$tmp/portal.token"
SINK_ARGS="--serve $tmp/web --token portal-token-9f2e" start_sink || exit 1
r=$tmp/remote
mkdir -p "$r/out" "$r/moving" "$r/done" "$r/keep"

source_table() {  # source_table NAME DIR ROUTE AFTER [MORE]: a [[source]] table
  sftp_destination "$1" "$2" "$srv/ssh/known_hosts" | sed 's/^\[\[destination\]\]$/[[source]]/'
  printf 'route = "%s"\nafter = "%s"\npattern = "*.s18"\npoll_seconds = 1\nsettle_seconds = 1\n%s\n' \
    "$3" "$4" "${5:-}"
}
s=$tmp/s
"$rbgate" init "$s" >/dev/null
sed -i 's|^listen = "127.0.0.1:8490"|listen = "127.0.0.1:0"|; s|^rescan_seconds = 10|rescan_seconds = 1|;
  s/processing_days_against = "today"/processing_days_against = "creation-date"/' "$s/rbgate.toml"
{
  source_table landlord-a "$r/out" auto delete
  source_table bureau "$r/moving" auto move "move_to = \"$r/done/\""
  source_table portal "$r/keep" auto keep
  # A bureau's HTTPS portal: a JSON listing, files fetched with a bearer token, then deleted.
  printf '\n[[source]]\nname = "web"\ntype = "https"\nurl = "https://127.0.0.1:%s/files/"\n' "$sink_port"
  printf 'ca_file = "%s"\ntoken_file = "%s"\nroute = "auto"\nafter = "delete"\n' "$tmp/pki/ca.crt" "$tmp/portal.token"
  printf 'pattern = "*.s18"\npoll_seconds = 1\nsettle_seconds = 1\nretry_min_seconds = 1\nretry_max_seconds = 2\n'
  # Operations are told when a source starts failing.
  printf '\n[[notify]]\nname = "ops"\ntype = "webhook"\nurl = "https://127.0.0.1:%s/upload/hook"\nca_file = "%s"\nevents = ["source-failing"]\nretry_min_seconds = 1\nretry_max_seconds = 2\n' \
    "$sink_port" "$tmp/pki/ca.crt"
} >>"$s/rbgate.toml"
gen() { "$rbgate" gen bacs18 --records 30 --date 2026-11-23 "$@"; }
gen --seed 1 -o "$r/out/a1.s18"
gen --seed 2 -o "$r/out/a2.s18"
printf 'not for us\n' >"$r/out/notes.txt"  # the pattern says *.s18
gen --seed 3 -o "$r/moving/b1.s18"
gen --seed 4 -o "$r/keep/c1.s18"
gen --seed 9 -o "$tmp/web/w1.s18"
delivered() { ls "$s/delivered" 2>/dev/null | grep -c "_$1\$"; }
delivered_is() { [ "$(delivered "$1")" -eq "$2" ]; }
same() {  # same NAME FILE: the one delivered copy of NAME holds FILE's bytes
  cmp -s "$s/delivered/"*"_$1" "$2"
}
start_daemon "$s/rbgate.toml" "$tmp/d.log"
check collected-delete wait_for 20 delivered_is a1.s18 1
check collected-delete2 wait_for 10 delivered_is a2.s18 1
check collected-move wait_for 10 delivered_is b1.s18 1
check collected-keep wait_for 10 delivered_is c1.s18 1
check bytes-a1 same a1.s18 <(gen --seed 1 -o /dev/stdout)
check bytes-b1 same b1.s18 <(gen --seed 3 -o /dev/stdout)
check bytes-c1 same c1.s18 <(gen --seed 4 -o /dev/stdout)
check collected-https wait_for 10 delivered_is w1.s18 1
check bytes-w1 same w1.s18 <(gen --seed 9 -o /dev/stdout)
check https-deleted wait_for 10 test ! -e "$tmp/web/w1.s18"
# The server's side changed only after the spool held each file, as each source says.
check deleted wait_for 10 bash -c "[ ! -e '$r/out/a1.s18' ] && [ ! -e '$r/out/a2.s18' ]"
check pattern-kept test -e "$r/out/notes.txt"
check moved wait_for 10 test -e "$r/done/b1.s18"
check moved-away test ! -e "$r/moving/b1.s18"
check kept test -e "$r/keep/c1.s18"
check finished-after-held bash -c "grep -n 'collect-finished source=landlord-a name=\"a1.s18\"' '$tmp/d.log' | grep -q 'id='"
# Kept: remembered, not collected again at later polls; touched (same bytes, new time): not
# again either; changed: collected as a new file.
sleep 3
check kept-once delivered_is c1.s18 1
touch -d '2026-12-01 09:00' "$r/keep/c1.s18"
check unchanged-said wait_for 10 grep -q 'collect-unchanged source=portal name="c1.s18"' "$tmp/d.log"
check kept-still-once delivered_is c1.s18 1
gen --seed 5 -o "$r/keep/c1.s18"
check changed-collected wait_for 15 delivered_is c1.s18 2

# A file still being written on the server: not collected until it holds still, then whole.
gen --seed 6 -o "$tmp/slow.s18"
(
  exec 3>"$r/out/slow.s18"
  while IFS= read -r line; do
    printf '%s\n' "$line" >&3
    sleep 0.15
  done <"$tmp/slow.s18"
) &
writer=$!
sleep 2
check not-while-written test "$(delivered slow.s18)" -eq 0
wait "$writer"
writer=""
check slow-collected wait_for 20 delivered_is slow.s18 1
check slow-whole same slow.s18 "$tmp/slow.s18"

# SIGKILLed while a large file is fetched: collected once, whole, after the restart.
"$rbgate" gen bacs18 --records 200000 --seed 7 --date 2026-11-23 -o "$tmp/big.s18"  # ~20 MB
cp "$tmp/big.s18" "$r/out/.big.s18.part" && mv "$r/out/.big.s18.part" "$r/out/big.s18"
check caught-fetching wait_for 30 bash -c "ls -a '$s/incoming/auto' | grep -q '^.rbgate-collect+landlord-a+big.s18'"
kill -9 "$daemon"
wait "$daemon" 2>/dev/null
check big-still-on-server test -e "$r/out/big.s18"
start_daemon "$s/rbgate.toml" "$tmp/d2.log"
check swept wait_for 10 grep -q 'collect-swept source=landlord-a name="big.s18"' "$tmp/d2.log"
check big-collected wait_for 60 delivered_is big.s18 1
check big-whole same big.s18 "$tmp/big.s18"
check big-deleted wait_for 10 test ! -e "$r/out/big.s18"
sleep 2
check big-once delivered_is big.s18 1
check no-temporaries bash -c "! ls -a '$s/incoming/auto' | grep -q rbgate-collect"

"$rbgate" sources list --config "$s/rbgate.toml" >"$tmp/list.txt"
check list-delete grep -q '^landlord-a  *sftp  *auto  *delete  *4 ' "$tmp/list.txt"
check list-keep grep -q '^portal  *sftp  *auto  *keep  *2 ' "$tmp/list.txt"
"$rbgate" sources list --format json --config "$s/rbgate.toml" >"$tmp/list.json"
check list-json grep -q '"name":"bureau","type":"sftp"' "$tmp/list.json"
curl -s "$url/metrics" >"$tmp/metrics.txt"
check metric-collected grep -q 'rbgate_source_collected_total{source="landlord-a"} [1-9]' "$tmp/metrics.txt"
check metric-last grep -q 'rbgate_source_last_success_timestamp_seconds{source="portal"} [1-9]' "$tmp/metrics.txt"

# The server's host key changes (the server replaced, or not the server at all): refused,
# said, counted; nothing collected.
pkill -9 -P "$sshd_pid"  # its sessions too: the daemon's connection is kept between polls
kill -9 "$sshd_pid"
wait "$sshd_pid" 2>/dev/null
rm -f "$srv/ssh/host_key" "$srv/ssh/host_key.pub"
ssh-keygen -q -t ed25519 -N '' -f "$srv/ssh/host_key"
/usr/sbin/sshd -D -e -f "$srv/ssh/sshd_config" >/dev/null 2>>"$srv/ssh/sshd.log" &
sshd_pid=$!
wait_for 5 bash -c "(exec 3<>/dev/tcp/127.0.0.1/$ssh_port) 2>/dev/null"
gen --seed 8 -o "$r/out/a3.s18"
check host-key-refused wait_for 15 grep -q 'collect-failed source=landlord-a stage=list reason=host-key' "$tmp/d2.log"
check host-key-said grep -q 'is not the one known_hosts holds' "$tmp/d2.log"
check host-key-circuit wait_for 20 grep -q 'source-circuit-open source=landlord-a' "$tmp/d2.log"
check host-key-told wait_for 30 grep -q '"event":"source-failing".*source landlord-a is failing (' "$tmp/recv/unnamed"
[ "$fail" -eq 0 ] || grep -E 'notif|circuit' "$tmp/d2.log" | sed 's/^/  /'  # why, when not
check host-key-not-collected test "$(delivered a3.s18)" -eq 0
check host-key-left test -e "$r/out/a3.s18"
curl -s "$url/metrics" >"$tmp/metrics2.txt"
check metric-host-key grep -q 'rbgate_source_failures_total{source="landlord-a",reason="host-key"} [1-9]' "$tmp/metrics2.txt"
kill -TERM "$daemon"
wait "$daemon" 2>/dev/null
daemon=""

# Schedules and late alerts. "at" 00:00 every day: listed from midnight until a file is
# collected, then not again that day (nor after a restart). A schedule whose day is not today:
# not listed. A source expecting a file by 00:00 that has none: late (log, metric, webhook).
echo "[127.0.0.1]:$ssh_port $(cat "$srv/ssh/host_key.pub")" >"$srv/ssh/known_hosts"
mkdir -p "$r/daily" "$r/weekly" "$r/empty"
days=(mon tue wed thu fri sat sun)
today=$(($(date +%u) - 1))
not_today=${days[$(((today + 1) % 7))]}
s2=$tmp/s2
"$rbgate" init "$s2" >/dev/null
sed -i 's|^listen = "127.0.0.1:8490"|listen = "127.0.0.1:0"|; s|^rescan_seconds = 10|rescan_seconds = 1|;
  s/processing_days_against = "today"/processing_days_against = "creation-date"/' "$s2/rbgate.toml"
{
  source_table daily "$r/daily" auto delete 'at = "00:00"
on = "every-day"
expect_by = "00:00"
expect_on = "every-day"'
  source_table weekly "$r/weekly" auto delete "at = \"00:00\"
on = \"$not_today\""
  source_table quiet "$r/empty" auto delete 'expect_by = "00:00"
expect_on = "every-day"'
  printf '\n[[notify]]\nname = "ops"\ntype = "webhook"\nurl = "https://127.0.0.1:%s/upload/late-hook"\nca_file = "%s"\nevents = ["feed-late"]\n' \
    "$sink_port" "$tmp/pki/ca.crt"
} >>"$s2/rbgate.toml"
gen --seed 11 -o "$r/daily/d1.s18"
gen --seed 12 -o "$r/weekly/w1.s18"
delivered2() { ls "$s2/delivered" 2>/dev/null | grep -c "_$1\$"; }
start_daemon "$s2/rbgate.toml" "$tmp/d3.log"
check scheduled-collected wait_for 20 bash -c "[ \$(ls '$s2/delivered' 2>/dev/null | grep -c '_d1.s18\$') -eq 1 ]"
gen --seed 13 -o "$r/daily/d2.s18"
sleep 4
check scheduled-once-a-day test "$(delivered2 d2.s18)" -eq 0
check scheduled-left test -e "$r/daily/d2.s18"
check not-today-not-listed test "$(delivered2 w1.s18)" -eq 0
check not-today-left test -e "$r/weekly/w1.s18"
check source-late-said wait_for 10 grep -q 'source-late source=quiet expected_by=00:00' "$tmp/d3.log"
check source-late-told wait_for 20 grep -q 'source quiet expects a file by 00:00 (every-day) and has collected none' "$tmp/recv/unnamed"
curl -s "$url/metrics" >"$tmp/metrics3.txt"
check metric-source-late grep -q '^rbgate_source_late{source="quiet"} 1$' "$tmp/metrics3.txt"
check metric-source-on-time grep -q '^rbgate_source_late{source="daily"} 0$' "$tmp/metrics3.txt"
"$rbgate" sources list --config "$s2/rbgate.toml" >"$tmp/list2.txt"
check list-schedule grep -q '^  daily: listed from 00:00 (every-day) until a file is collected$' "$tmp/list2.txt"
check list-expected grep -q '^  quiet: a file expected by 00:00 (every-day)$' "$tmp/list2.txt"
"$rbgate" sources list --format json --config "$s2/rbgate.toml" >"$tmp/list2.json"
check list-schedule-json grep -q "\"name\":\"weekly\".*\"at\":\"00:00\",\"on\":\"$not_today\"" "$tmp/list2.json"
kill -TERM "$daemon"
wait "$daemon" 2>/dev/null
start_daemon "$s2/rbgate.toml" "$tmp/d4.log"
sleep 4
check scheduled-day-kept-over-restart test "$(delivered2 d2.s18)" -eq 0
kill -TERM "$daemon"
wait "$daemon" 2>/dev/null
daemon=""

# Bad [[source]] tables are refused with their key.
refused() {  # refused NAME TABLE EXPECTED
  local b=$tmp/bad-$1
  "$rbgate" init "$b" >/dev/null
  printf '%s\n' "$2" >>"$b/rbgate.toml"
  "$rbgate" sources list --config "$b/rbgate.toml" >/dev/null 2>"$b.err"
  check "bad-$1" test $? -eq 2
  check "bad-$1-says" grep -q "$3" "$b.err"
}
refused type "$(source_table x /in auto delete | sed 's/type = "sftp"/type = "ftp"/')" 'source.type.*must be "sftp" or "https"'
refused https-move "$(printf '[[source]]\nname = "x"\ntype = "https"\nurl = "https://portal.example/files/"\nroute = "auto"\nafter = "move"\nmove_to = "/done/"\n')" 'an https source can "delete"'
refused after "$(source_table x /in auto never)" 'source.after.*"delete", "move"'
refused move-to "$(source_table x /in auto move)" 'source.move_to.*goes with after = "move"'
refused route "$(source_table x /in nowhere delete)" "source.route.*no \[\[route\]\] named 'nowhere'"
refused known-hosts "$(source_table x /in auto delete | grep -v known_hosts)" 'needs known_hosts'
refused at "$(source_table x /in auto delete 'at = "25:00"')" 'source.at.*"25:00" is not a time of day'
refused on "$(source_table x /in auto delete 'at = "06:30"
on = "fridays"')" 'source.on.*is not working-days'
refused on-alone "$(source_table x /in auto delete 'on = "mon"')" 'source.on.*goes with at'
refused twice "$(source_table x /in auto delete; source_table x /in auto delete)" "'x' is defined twice"

echo "source_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
