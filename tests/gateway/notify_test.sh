#!/usr/bin/env bash
# Notifications against real servers on loopback: Debian's aiosmtpd (python3-aiosmtpd) as the
# council's mail relay, STARTTLS required, with a throwaway CA; a plain one that offers no
# STARTTLS (refused unless the channel says tls = "none"); the HTTPS sink as a webhook
# receiver (Teams, Slack, a ticketing system). `rbgate notify test` sends to each channel and
# says what came of it; bad [[notify]] tables are refused with their key.
set -u
rbgate=$(realpath "$1")
sink=$(realpath "$2")
tmp=$(mktemp -d)
sink_pid="" smtp_pid="" plain_pid=""
cleanup() {
  exec 2>/dev/null
  kill -9 $sink_pid $smtp_pid $plain_pid 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../support/servers.sh"
cd "$tmp" || exit 1
servers_init "$tmp" "$sink"
start_sink || exit 1
py=/usr/bin/python3  # Debian's, with python3-aiosmtpd
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
smtp_port=$(free_port)
mkdir -p "$tmp"/mail/{cur,new,tmp} "$tmp"/plainmail/{cur,new,tmp}  # Maildirs
"$py" -m aiosmtpd -n -l "127.0.0.1:$smtp_port" --tlscert pki/loopback.crt --tlskey pki/loopback.key \
  -c aiosmtpd.handlers.Mailbox "$tmp/mail" 2>"$tmp/smtp.log" &
smtp_pid=$!
plain_port=$(free_port)
"$py" -m aiosmtpd -n -l "127.0.0.1:$plain_port" -c aiosmtpd.handlers.Mailbox "$tmp/plainmail" \
  2>"$tmp/plain.log" &
plain_pid=$!
check smtp-up wait_for 10 bash -c "(exec 3<>/dev/tcp/127.0.0.1/$smtp_port) 2>/dev/null"
check plain-up wait_for 10 bash -c "(exec 3<>/dev/tcp/127.0.0.1/$plain_port) 2>/dev/null"

s=$tmp/s
"$rbgate" init "$s" >/dev/null
printf 'hook-token-not-in-any-log-7c1d\n' >"$tmp/hook.token"
cat >>"$s/rbgate.toml" <<TOML

[[notify]]
name = "officers"
type = "email"
url = "smtp://127.0.0.1:$smtp_port"
from = "rbgate@council.example"
to = ["revenues-team@council.example", "systems@council.example"]
ca_file = "$tmp/pki/ca.crt"
events = ["quarantined", "approval-waiting"]
console_url = "https://rbgate.council.example:8490"

[[notify]]
name = "teams"
type = "webhook"
url = "https://127.0.0.1:$sink_port/upload/hook"
ca_file = "$tmp/pki/ca.crt"
token_file = "$tmp/hook.token"
TOML
"$rbgate" notify test --config "$s/rbgate.toml" >"$tmp/test.txt" 2>&1
check notify-test-ok test $? -eq 0
check said-officers grep -q '^officers  *email  *sent: sent to 2 recipients' "$tmp/test.txt"
check said-teams grep -q '^teams  *webhook  *sent: HTTP 201' "$tmp/test.txt"
mail_file=$(ls "$tmp/mail/new" 2>/dev/null | head -1)
check mail-received test -n "$mail_file"
msg=$tmp/mail/new/$mail_file
check mail-subject grep -q '^Subject: \[rbgate\] test: a test notice' "$msg"
check mail-to grep -q '^To: revenues-team@council.example, systems@council.example' "$msg"
check mail-auto-submitted grep -q '^Auto-Submitted: auto-generated' "$msg"
check mail-once test "$(ls "$tmp/mail/new" | wc -l)" -eq 1
check hook-received grep -q '^stored [0-9a-f]\{64\} unnamed POST Bearer hook-token-not-in-any-log-7c1d' "$tmp/recv/requests.log"
check hook-json grep -q '"source":"rbgate","channel":"teams","notices":\[{"event":"test"' "$tmp/recv/unnamed"
check token-not-said bash -c "! grep -q 'hook-token-not-in-any-log' '$tmp/test.txt'"

# One channel only.
"$rbgate" notify test --config "$s/rbgate.toml" --channel teams >"$tmp/one.txt" 2>&1
check one-channel test "$(grep -c sent "$tmp/one.txt")" -eq 1
check one-channel-no-mail test "$(ls "$tmp/mail/new" | wc -l)" -eq 1
"$rbgate" notify test --config "$s/rbgate.toml" --channel nobody 2>"$tmp/nobody.txt"
check no-such-channel test $? -eq 2
check no-such-channel-said grep -q 'no \[\[notify\]\] channel named nobody' "$tmp/nobody.txt"

# A relay that offers no STARTTLS: refused (the message would cross the network in clear),
# unless the channel says tls = "none" (a relay on this machine).
p=$tmp/p
"$rbgate" init "$p" >/dev/null
cat >>"$p/rbgate.toml" <<TOML

[[notify]]
name = "plain"
type = "email"
url = "smtp://127.0.0.1:$plain_port"
from = "rbgate@council.example"
to = ["systems@council.example"]
TOML
"$rbgate" notify test --config "$p/rbgate.toml" >"$tmp/plain.txt" 2>&1
check plain-refused test $? -eq 1
check plain-says grep -q '^plain  *email  *NOT SENT: SMTP smtp://127.0.0.1:[0-9]*: .*SSL' "$tmp/plain.txt"
check plain-nothing-sent test "$(ls "$tmp/plainmail/new" 2>/dev/null | wc -l)" -eq 0
sed -i 's|^to = \["systems@council.example"\]|&\ntls = "none"|' "$p/rbgate.toml"
"$rbgate" notify test --config "$p/rbgate.toml" >"$tmp/plain2.txt" 2>&1
check plain-allowed test $? -eq 0
check plain-delivered test "$(ls "$tmp/plainmail/new" | wc -l)" -eq 1

# The server down: said, exit 1; a webhook's refusal: said with the server's answer.
kill -9 "$smtp_pid"
wait "$smtp_pid" 2>/dev/null
smtp_pid=""
"$rbgate" notify test --config "$s/rbgate.toml" --channel officers >"$tmp/down.txt" 2>&1
check down-fails test $? -eq 1
check down-says grep -q 'NOT SENT: SMTP .*connect' "$tmp/down.txt"
curl -sf --cacert pki/ca.crt -d reject "https://127.0.0.1:$sink_port/_mode" >/dev/null
"$rbgate" notify test --config "$s/rbgate.toml" --channel teams >"$tmp/reject.txt" 2>&1
check hook-refused test $? -eq 1
check hook-refused-says grep -q 'NOT SENT: HTTP 400' "$tmp/reject.txt"

# Bad channels are refused with their key, whatever the command.
bad() {  # bad NAME TOML EXPECTED: the table appended to a fresh configuration is refused
  local b=$tmp/bad-$1
  "$rbgate" init "$b" >/dev/null
  printf '\n[[notify]]\n%s\n' "$2" >>"$b/rbgate.toml"
  "$rbgate" notify test --config "$b/rbgate.toml" >/dev/null 2>"$b.err"
  check "bad-$1" test $? -eq 2
  check "bad-$1-says" grep -q "$3" "$b.err"
}
bad type 'name = "x"
type = "pigeon"' 'notify.type.*must be "email" or "webhook"'
bad scheme 'name = "x"
type = "email"
url = "http://mail.example"
from = "a@b.example"
to = ["c@d.example"]' 'smtp:// (STARTTLS) or smtps://'
bad password 'name = "x"
type = "email"
url = "smtp://mail.example"
from = "a@b.example"
to = ["c@d.example"]
password = "hunter2hunter2"' 'a secret does not go in the configuration'
bad user-in-url 'name = "x"
type = "webhook"
url = "https://me:pw@hooks.example/x"' 'names a user in the url'
bad address 'name = "x"
type = "email"
url = "smtp://mail.example"
from = "a@b.example"
to = ["c@d.example\r\nBcc: everyone@example"]' "is not one address"
bad event 'name = "x"
type = "webhook"
url = "https://hooks.example/x"
events = ["quarantined", "lunch"]' "'lunch' is not an event"
bad route 'name = "x"
type = "webhook"
url = "https://hooks.example/x"
routes = ["nowhere"]' "no \[\[route\]\] named 'nowhere'"

echo "notify_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
