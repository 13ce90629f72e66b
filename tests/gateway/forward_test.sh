#!/usr/bin/env bash
# Forwarding against real servers on loopback: OpenSSH's sshd (SFTP) in a temporary folder
# with its own host key, and an HTTPS sink (tests/support/https_sink.cc) with a throwaway CA
# that can be stopped, made to fail, hang or refuse. Delivered exactly once is checked by
# content on the servers; four-eyes approval with two officers; the daemon SIGKILLed while
# uploading, again and again.
set -u
rbgate=$(realpath "$1")
sink=$(realpath "$2")
tmp=$(mktemp -d)
sink_pid="" sshd_pid="" daemon=""
cleanup() {
  exec 2>/dev/null  # not the shell's "Killed" notices
  [ -n "$daemon" ] && kill -9 "$daemon" 2>/dev/null
  [ -n "$sink_pid" ] && kill -9 "$sink_pid" 2>/dev/null
  [ -n "${other_pid:-}" ] && kill -9 "$other_pid" 2>/dev/null
  [ -n "${mtls_pid:-}" ] && kill -9 "$mtls_pid" 2>/dev/null
  [ -n "$sshd_pid" ] && kill -9 "$sshd_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT && echo "kept $tmp"
# shellcheck source=tests/gateway/lib.sh
source "$(dirname "$0")/lib.sh"

# shellcheck source=tests/support/servers.sh
source "$(dirname "$0")/../support/servers.sh"

# --- the servers ---------------------------------------------------------------------------
cd "$tmp" || exit 1
servers_init "$tmp" "$sink"
srv_cert other DNS:other.example
mkdir -p sftp-other
mode() { curl -sf --cacert pki/ca.crt -d "$1" "https://127.0.0.1:$sink_port/_mode" >/dev/null; }
start_sink
# A second sink whose certificate names another host.
"$sink" --cert pki/other.crt --key pki/other.key --store "$tmp/sftp-other" \
  --port-file "$tmp/other.port" >/dev/null 2>&1 &
other_pid=$!
wait_for 10 test -s "$tmp/other.port"
# A third that asks for a client certificate signed by the CA; ours has a passphrase.
srv_cert client DNS:rbgate.client
printf 'client key words\n' >pki/client.pass
openssl pkey -in pki/client.key -aes256 -passout file:pki/client.pass -out pki/client-locked.key
mkdir -p mtls
"$sink" --cert pki/loopback.crt --key pki/loopback.key --client-ca pki/ca.crt \
  --store "$tmp/mtls" --port-file "$tmp/mtls.port" >/dev/null 2>&1 &
mtls_pid=$!
wait_for 10 test -s "$tmp/mtls.port"
start_sshd || exit 1
user=$srv_user
ssh-keygen -q -t ed25519 -N '' -f ssh/impostor_key
echo "[127.0.0.1]:$ssh_port $(cat ssh/impostor_key.pub)" >ssh/known_hosts.changed
: >ssh/known_hosts.empty

# --- a spool forwarding to them --------------------------------------------------------------
s=$tmp/s
# new_spool DIR DESTINATIONS: a spool judged by its files' own dates, quick to settle, admin on
# any port, whose route "auto" sends to DESTINATIONS (a TOML list's inside).
new_spool() {
  "$rbgate" init "$1" >/dev/null
  sed -i "s/processing_days_against = \"today\"/processing_days_against = \"creation-date\"/;
          s/stable_seconds = 2/stable_seconds = 1/; s/rescan_seconds = 10/rescan_seconds = 1/;
          s/^listen = \"127.0.0.1:8490\"/listen = \"127.0.0.1:0\"/;
          s/^destinations = \[\"delivered\"\]/destinations = [$2]/" "$1/rbgate.toml"
}
new_spool "$s" '"delivered", "bank", "dms"'
sftp_dest() {  # sftp_dest NAME DIR KNOWN_HOSTS: into $tmp/DIR, host keys from ssh/KNOWN_HOSTS
  sftp_destination "$1" "$tmp/$2" "$tmp/ssh/$3"
  echo "circuit_failures = 100"
}
route() {  # route NAME DESTINATION [APPROVAL]
  cat <<EOF

[[route]]
name = "$1"
feed = "bacs18"
destinations = ["$2"]
approval = "${3:-none}"

[route.settle]
stable_seconds = 1
EOF
}
{
  sftp_dest bank sftp-in known_hosts
  cat <<EOF

[[destination]]
name = "dms"
type = "https"
url = "https://127.0.0.1:$sink_port/upload/{name}"
method = "PUT"
content_type = "text/plain"
ca_file = "$tmp/pki/ca.crt"
token_env = "RBGATE_TEST_DMS_TOKEN"
connect_timeout_seconds = 2
timeout_seconds = 3
retry_min_seconds = 1
retry_max_seconds = 2
circuit_failures = 3
circuit_open_seconds = 2
EOF
  sftp_dest changed sftp-other known_hosts.changed
  sftp_dest unknown sftp-other known_hosts.empty
  cat <<EOF

[[destination]]
name = "othername"
type = "https"
url = "https://127.0.0.1:$(cat other.port)/upload/{name}"
ca_file = "$tmp/pki/ca.crt"
connect_timeout_seconds = 2
timeout_seconds = 3
retry_min_seconds = 1
retry_max_seconds = 2
EOF
  cat <<EOF

[[destination]]
name = "mtls"
type = "https"
url = "https://127.0.0.1:$(cat mtls.port)/upload/{name}"
ca_file = "$tmp/pki/ca.crt"
client_cert = "$tmp/pki/client.crt"
client_key = "$tmp/pki/client-locked.key"
client_key_passphrase_file = "$tmp/pki/client.pass"

[[destination]]
name = "nocert"
type = "https"
url = "https://127.0.0.1:$(cat mtls.port)/upload/{name}"
ca_file = "$tmp/pki/ca.crt"
retry_min_seconds = 1
retry_max_seconds = 2
EOF
  route mtls mtls
  route nocert nocert
  route payments bank required
  route changed changed
  route unknown unknown
  route othername othername
} >>"$s/rbgate.toml"
export RBGATE_TEST_DMS_TOKEN=not-in-any-log-9f2c
gen() {  # gen SEED FILE [more options]: a clean Standard 18 file
  local seed=$1 out=$2
  shift 2
  "$rbgate" gen bacs18 --records "${records:-30}" --date 2026-11-23 --seed "$seed" \
    --serial "$(printf %06d "$seed")" -o "$out" "$@"
}
sha() { sha256sum "$1" | cut -c1-64; }
file_id() {  # file_id NAME: the id of the file dropped as NAME
  "$rbgate" ledger list --config "$s/rbgate.toml" --format json |
    grep -o "\"id\":\"[^\"]*\",\"name\":\"$1\"" | head -1 | cut -d'"' -f4
}
state_of() { "$rbgate" ledger show --config "$s/rbgate.toml" "$(file_id "$1")" 2>/dev/null | sed -n 's/^  state \([a-z-]*\).*/\1/p'; }
is_state() { [ "$(state_of "$1")" = "$2" ]; }
stored() { grep -c "^stored $1 " "$tmp/recv/requests.log" 2>/dev/null; }  # stored KEY: how often

# --- delivered to both, by content; the token sent and never logged ---------------------------
start_daemon "$s/rbgate.toml" "$tmp/daemon.log"
gen 1 "$tmp/a.s18"
cp "$tmp/a.s18" "$s/incoming/auto/a.s18"
a=$(sha "$tmp/a.s18")
check a-delivered wait_for 20 is_state a.s18 delivered
check a-on-sftp cmp -s "$tmp/a.s18" "$tmp/sftp-in/${a:0:16}_a.s18"
check a-on-https cmp -s "$tmp/a.s18" "$tmp/recv/${a:0:16}_a.s18"
check a-stored-once test "$(stored "$a")" -eq 1
check a-bearer grep -q "^stored $a .* PUT Bearer $RBGATE_TEST_DMS_TOKEN" "$tmp/recv/requests.log"
check a-no-part bash -c "! ls -A '$tmp/sftp-in' | grep -q part"
check a-outbound-empty wait_for 5 bash -c "[ -z \"\$(find '$s/outbound/bank' '$s/outbound/dms' -type f)\" ]"

# --- down for a while, then back: nothing lost, delivered once -------------------------------
stop_sink
gen 2 "$tmp/b.s18"
cp "$tmp/b.s18" "$s/incoming/auto/b.s18"
b=$(sha "$tmp/b.s18")
check down-fails wait_for 20 grep -q "forward-failed .*destination=dms .*reason=connect" "$tmp/daemon.log"
check down-circuit wait_for 20 grep -q "circuit-open destination=dms" "$tmp/daemon.log"
check down-forwarding is_state b.s18 forwarding
"$rbgate" outbound list --config "$s/rbgate.toml" >"$tmp/list.txt"
check down-listed grep -q "dms .*queued" "$tmp/list.txt"
check down-last-error grep -q "last: .*127.0.0.1:$sink_port" "$tmp/list.txt"
"$rbgate" stats --config "$s/rbgate.toml" >"$tmp/stats.txt"
check down-stats grep -Eq "^dms .*connect [0-9]+" "$tmp/stats.txt"
curl -sf "$url/metrics" >"$tmp/metrics.txt"
metrics=$(cat "$tmp/metrics.txt")
check down-metrics-queued grep -q 'rbgate_outbound_queued{destination="dms"} 1' <<<"$metrics"
check down-metrics-circuit grep -q 'rbgate_destination_circuit_open{destination="dms"} 1' <<<"$metrics"
check down-metrics-failed grep -q 'rbgate_forward_attempts_total{destination="dms",outcome="failed",reason="connect"}' <<<"$metrics"
if command -v promtool >/dev/null; then
  check down-promtool bash -c "promtool check metrics <'$tmp/metrics.txt' >/dev/null 2>&1"
fi
start_sink "$sink_port"
check back-delivered wait_for 30 is_state b.s18 delivered
check back-stored-once test "$(stored "$b")" -eq 1
check back-circuit-closed wait_for 5 grep -q "circuit-closed destination=dms" "$tmp/daemon.log"

# --- 500 then 200; slow (the server stored it but answered too late) ---------------------------
mode "fail 2"
gen 3 "$tmp/c.s18"
cp "$tmp/c.s18" "$s/incoming/auto/c.s18"
c=$(sha "$tmp/c.s18")
check flaky-delivered wait_for 30 is_state c.s18 delivered
check flaky-two-500s test "$(grep -c "^failed $c " "$tmp/recv/requests.log")" -eq 2
check flaky-stored-once test "$(stored "$c")" -eq 1
check flaky-reason grep -q "forward-failed .*reason=http-500" "$tmp/daemon.log"
mode "hang 5"
gen 4 "$tmp/d.s18"
cp "$tmp/d.s18" "$s/incoming/auto/d.s18"
d=$(sha "$tmp/d.s18")
check slow-timeout wait_for 20 grep -q "forward-failed .*reason=timeout" "$tmp/daemon.log"
mode ok
check slow-delivered wait_for 30 is_state d.s18 delivered
check slow-stored-once test "$(stored "$d")" -eq 1
check slow-replayed grep -q "^replayed $d " "$tmp/recv/requests.log"

# --- 4xx: quarantined with the server's reason; released, delivered where it was not -------------
mode reject
gen 5 "$tmp/e.s18"
cp "$tmp/e.s18" "$s/incoming/auto/e.s18"
e=$(sha "$tmp/e.s18")
check refused-quarantined wait_for 20 is_state e.s18 quarantined
"$rbgate" quarantine list --config "$s/rbgate.toml" >"$tmp/q.txt"
check refused-reason grep -q "dms refused .*HTTP 400 Bad Request: field 'reference' is missing from line 3" "$tmp/q.txt"
check refused-original cmp -s "$tmp/e.s18" "$s/quarantine/$(file_id e.s18)/original"
check refused-logged wait_for 5 grep -q "forward-refused .*destination=dms" "$tmp/daemon.log"
check refused-sftp-had-it wait_for 10 test -f "$tmp/sftp-in/${e:0:16}_e.s18"
mode ok
"$rbgate" quarantine release --config "$s/rbgate.toml" "$(file_id e.s18)" \
  --reason "DMS fixed its reference rule" >/dev/null
check released-delivered wait_for 20 is_state e.s18 delivered
check released-stored-once test "$(stored "$e")" -eq 1
check released-not-resent-sftp bash -c "'$rbgate' outbound list --all --config '$s/rbgate.toml' | grep -q '$(file_id e.s18) *bank *delivered *1 '"
check released-outbound-empty wait_for 5 bash -c "[ -z \"\$(find '$s/outbound/bank' '$s/outbound/dms' -type f)\" ]"

# --- who the server is: host keys and certificates ----------------------------------------------
gen 6 "$tmp/f.s18"
cp "$tmp/f.s18" "$s/incoming/changed/f.s18"
check hostkey-changed wait_for 20 grep -q "forward-failed .*destination=changed .*reason=host-key .*not the one known_hosts holds" "$tmp/daemon.log"
gen 7 "$tmp/g.s18"
cp "$tmp/g.s18" "$s/incoming/unknown/g.s18"
check hostkey-unknown wait_for 20 grep -q "forward-failed .*destination=unknown .*reason=host-key .*is not in known_hosts" "$tmp/daemon.log"
gen 8 "$tmp/h.s18"
cp "$tmp/h.s18" "$s/incoming/othername/h.s18"
check cert-other-name wait_for 20 grep -q "forward-failed .*destination=othername .*reason=tls" "$tmp/daemon.log"
gen 11 "$tmp/m.s18"
cp "$tmp/m.s18" "$s/incoming/mtls/m.s18"
m=$(sha "$tmp/m.s18")
check client-cert-delivered wait_for 20 is_state m.s18 delivered
check client-cert-stored cmp -s "$tmp/m.s18" "$tmp/mtls/${m:0:16}_m.s18"
gen 12 "$tmp/n.s18"
cp "$tmp/n.s18" "$s/incoming/nocert/n.s18"
check no-client-cert-refused wait_for 20 grep -Eq "forward-failed .*destination=nocert .*reason=(tls|connection)" "$tmp/daemon.log"
check no-client-cert-not-stored test ! -e "$tmp/mtls/$(sha "$tmp/n.s18" | cut -c1-16)_n.s18"
check client-key-passphrase-not-logged bash -c "! grep -q 'client key words' '$tmp/daemon.log'"
check nothing-sent-to-impostors bash -c "[ -z \"\$(ls -A '$tmp/sftp-other')\" ] || ! ls '$tmp/sftp-other' | grep -q s18"
check still-queued is_state f.s18 forwarding
# An operator gives up on one, on record.
item=$("$rbgate" outbound list --config "$s/rbgate.toml" --format json |
  grep -o "\"id\":[0-9]*,\"file\":\"$(file_id f.s18)\"" | cut -d: -f2 | cut -d, -f1)
"$rbgate" outbound cancel --config "$s/rbgate.toml" "$item" 2>"$tmp/cancel.err"
check cancel-needs-reason test $? -ne 0
# Refused while an attempt is under way ("being sent now"): an operator tries again.
cancel_item() {
  "$rbgate" outbound cancel --config "$s/rbgate.toml" "$item" \
    --reason "wrong host key; sent by hand" >/dev/null 2>&1
}
check cancel-done wait_for 45 cancel_item
check cancel-file-state is_state f.s18 cancelled
check cancel-on-record bash -c "'$rbgate' ledger show --config '$s/rbgate.toml' '$(file_id f.s18)' | grep -q 'outbound cancel $item by $user: wrong host key'"
"$rbgate" outbound retry --config "$s/rbgate.toml" "$item" --reason again 2>/dev/null
check retry-cancelled-refused test $? -ne 0

# --- four eyes ---------------------------------------------------------------------------------
gen 9 "$tmp/p.s18"
cp "$tmp/p.s18" "$s/incoming/payments/p.s18"
p=$(sha "$tmp/p.s18")
check approval-waits wait_for 20 is_state p.s18 awaiting-approval
check approval-listed bash -c "'$rbgate' outbound list --config '$s/rbgate.toml' | grep -q '$(file_id p.s18) *route payments .*dropped by $user'"
sleep 2
check approval-not-sent test ! -e "$tmp/sftp-in/${p:0:16}_p.s18"
"$rbgate" approve --config "$s/rbgate.toml" "$(file_id p.s18)" --reason "looks right" 2>"$tmp/approve.err"
check approve-same-person-refused test $? -eq 1
check approve-same-person-says grep -q "dropped by $user; approval needs a second officer" "$tmp/approve.err"
check approve-other env SUDO_USER=approver-bob "$rbgate" approve --config "$s/rbgate.toml" "$(file_id p.s18)" --reason "checked totals against the DD schedule" >/dev/null
check approved-delivered wait_for 20 is_state p.s18 delivered
check approved-on-sftp cmp -s "$tmp/p.s18" "$tmp/sftp-in/${p:0:16}_p.s18"
check approved-on-record bash -c "'$rbgate' ledger show --config '$s/rbgate.toml' '$(file_id p.s18)' | grep -q 'approve by approver-bob: checked totals'"
# A file with errors released by one officer needs another's approval too.
gen 10 "$tmp/q.s18" --fault bad-sort-code
cp "$tmp/q.s18" "$s/incoming/payments/q.s18"
check faulty-quarantined wait_for 20 is_state q.s18 quarantined
SUDO_USER=officer-alice "$rbgate" quarantine release --config "$s/rbgate.toml" "$(file_id q.s18)" --reason "bank confirmed the sort code" >/dev/null
check released-waits is_state q.s18 awaiting-approval
SUDO_USER=officer-alice "$rbgate" approve --config "$s/rbgate.toml" "$(file_id q.s18)" --reason "me again" 2>"$tmp/approve2.err"
check releaser-refused test $? -eq 1
check releaser-says grep -q "released by officer-alice" "$tmp/approve2.err"
check releaser-still-waits is_state q.s18 awaiting-approval
check second-officer env SUDO_USER=approver-bob "$rbgate" approve --config "$s/rbgate.toml" "$(file_id q.s18)" --reason "second pair of eyes" >/dev/null
check second-delivered wait_for 20 is_state q.s18 delivered

check token-not-logged bash -c "! grep -rq '$RBGATE_TEST_DMS_TOKEN' '$tmp/daemon.log' '$s/ledger.db'"
check passphrase-not-logged bash -c "! grep -rq 'correct horse' '$tmp/daemon.log' '$s/ledger.db'"
check audit-intact "$rbgate" audit verify --config "$s/rbgate.toml" >/dev/null
kill -TERM "$daemon"
wait "$daemon"
daemon=""

# --- SIGKILL while uploading, again and again: each file exactly once, by content ---------------
k=$tmp/k
new_spool "$k" '"bank", "dms"'
mkdir -p "$tmp/sftp-k"
{
  sftp_dest bank sftp-k known_hosts
  cat <<EOF

[[destination]]
name = "dms"
type = "https"
url = "https://127.0.0.1:$sink_port/upload/{name}"
ca_file = "$tmp/pki/ca.crt"
timeout_seconds = 20
retry_min_seconds = 1
retry_max_seconds = 1
EOF
} >>"$k/rbgate.toml"
mode ok
: >"$tmp/expected"
for i in 1 2 3 4 5 6 7 8; do  # large enough (2-5 MB) that a kill often lands mid-upload
  records=$((20000 + i * 5000)) gen $((100 + i)) "$tmp/k$i.s18"
  echo "$(sha "$tmp/k$i.s18") k$i.s18" >>"$tmp/expected"
  cp "$tmp/k$i.s18" "$k/incoming/auto/"
done
kills=0
for round in 1 2 3 4 5 6; do
  RBGATE_CONFIG="$k/rbgate.toml" "$rbgate" run 2>>"$tmp/kill.log" &
  daemon=$!
  sleep "0.$((RANDOM % 9 + 1))"
  kill -9 "$daemon" 2>/dev/null && kills=$((kills + 1))
  wait "$daemon" 2>/dev/null
  daemon=""
done
RBGATE_CONFIG="$k/rbgate.toml" "$rbgate" run 2>>"$tmp/kill.log" &
daemon=$!
all_delivered() {
  [ "$("$rbgate" ledger list --config "$k/rbgate.toml" --format json | grep -o '"state":"delivered"' | wc -l)" -eq 8 ]
}
check kill-all-delivered wait_for 120 all_delivered
check kill-some-kills test "$kills" -ge 5
while read -r hash name; do
  check "kill-sftp-$name" cmp -s "$tmp/$name" "$tmp/sftp-k/${hash:0:16}_$name"
  check "kill-https-$name" test "$(stored "$hash")" -eq 1
done <"$tmp/expected"
check kill-no-part bash -c "! ls -A '$tmp/sftp-k' | grep -q '\\.part$'"
check kill-sftp-count test "$(ls "$tmp/sftp-k" | wc -l)" -eq 8
check kill-audit "$rbgate" audit verify --config "$k/rbgate.toml" >/dev/null
kill -TERM "$daemon"
wait "$daemon"
daemon=""

if [ "$fail" -gt 0 ]; then  # what the daemons said, for whoever reads a failure
  echo "--- daemon.log (last 60 lines)"
  tail -60 "$tmp/daemon.log"
  if [ -s "$tmp/kill.log" ]; then
    echo "--- kill.log (the killed daemons; last 40 lines)"
    tail -40 "$tmp/kill.log"
  fi
fi
echo "forward_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
