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
sink_pid="" smtp_pid="" plain_pid="" daemon=""
cleanup() {
  exec 2>/dev/null
  kill -9 $sink_pid $smtp_pid $plain_pid $daemon 2>/dev/null
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
# channels SMTP-PORT RECIPIENTS [OFFICERS-EXTRA [TEAMS-EXTRA]]: the officers' email (quarantines
# and approvals) and a webhook for everything, as [[notify]] tables.
channels() {
  cat <<TOML

[[notify]]
name = "officers"
type = "email"
url = "smtp://127.0.0.1:$1"
from = "rbgate@council.example"
to = [$2]
ca_file = "$tmp/pki/ca.crt"
events = ["quarantined", "approval-waiting"]
console_url = "https://rbgate.council.example:8490"
${3:-}

[[notify]]
name = "teams"
type = "webhook"
url = "https://127.0.0.1:$sink_port/upload/hook"
ca_file = "$tmp/pki/ca.crt"
token_file = "$tmp/hook.token"
${4:-}
TOML
}
channels "$smtp_port" '"revenues-team@council.example", "systems@council.example"' >>"$s/rbgate.toml"
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
refused() {  # refused NAME TOML EXPECTED: the table appended to a fresh configuration is refused
  local b=$tmp/bad-$1
  "$rbgate" init "$b" >/dev/null
  printf '\n[[notify]]\n%s\n' "$2" >>"$b/rbgate.toml"
  "$rbgate" notify test --config "$b/rbgate.toml" >/dev/null 2>"$b.err"
  check "bad-$1" test $? -eq 2
  check "bad-$1-says" grep -q "$3" "$b.err"
}
refused type 'name = "x"
type = "pigeon"' 'notify.type.*must be "email" or "webhook"'
refused scheme 'name = "x"
type = "email"
url = "http://mail.example"
from = "a@b.example"
to = ["c@d.example"]' 'smtp:// (STARTTLS) or smtps://'
refused password 'name = "x"
type = "email"
url = "smtp://mail.example"
from = "a@b.example"
to = ["c@d.example"]
password = "hunter2hunter2"' 'a secret does not go in the configuration'
refused user-in-url 'name = "x"
type = "webhook"
url = "https://me:pw@hooks.example/x"' 'names a user in the url'
refused address 'name = "x"
type = "email"
url = "smtp://mail.example"
from = "a@b.example"
to = ["c@d.example\r\nBcc: everyone@example"]' "is not one address"
refused event 'name = "x"
type = "webhook"
url = "https://hooks.example/x"
events = ["quarantined", "lunch"]' "'lunch' is not an event"
refused route 'name = "x"
type = "webhook"
url = "https://hooks.example/x"
routes = ["nowhere"]' "no \[\[route\]\] named 'nowhere'"

# ---- The daemon: notices from what happens, queued in the ledger, sent once. ----
curl -sf --cacert pki/ca.crt -d ok "https://127.0.0.1:$sink_port/_mode" >/dev/null
start_smtp() {  # start_smtp PORT: a STARTTLS relay delivering into $tmp/dmail
  "$py" -m aiosmtpd -n -l "127.0.0.1:$1" --tlscert pki/loopback.crt --tlskey pki/loopback.key \
    -c aiosmtpd.handlers.Mailbox "$tmp/dmail" 2>>"$tmp/dsmtp.log" &
  smtp_pid=$!
  wait_for 10 bash -c "(exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null"
}
mails() { ls "$tmp/dmail/new" 2>/dev/null | wc -l; }
hooks() { grep -c '^stored .* unnamed POST' "$tmp/recv/requests.log"; }
mails_reach() { [ "$(mails)" -ge "$1" ]; }  # for wait_for: counted at each look
hooks_pass() { [ "$(hooks)" -gt "$1" ]; }
mkdir -p "$tmp"/dmail/{cur,new,tmp}
dport=$(free_port)
check relay-up start_smtp "$dport"
d=$tmp/d
"$rbgate" init "$d" >/dev/null
sed -i 's|^listen = "127.0.0.1:8490"|listen = "127.0.0.1:0"|; s|^rescan_seconds = 10|rescan_seconds = 1|;
  s/processing_days_against = "today"/processing_days_against = "creation-date"/' "$d/rbgate.toml"
channels "$dport" '"revenues-team@council.example"' $'retry_min_seconds = 1\nretry_max_seconds = 2' \
  'digest_seconds = 4' >>"$d/rbgate.toml"
# A route that expects a file by midnight and has had none: late from the start. A schema folder
# an officer edits.
mkdir -p "$d/incoming/rents" "$d/schemas"
sed -i 's|^schema_dirs = \[\]|schema_dirs = ["schemas"]|' "$d/rbgate.toml"
cat >>"$d/rbgate.toml" <<TOML

[[route]]
name = "rents"
feed = "auto"
destinations = ["delivered"]
expect_by = "00:00"
expect_on = "every-day"
TOML
gen() { "$rbgate" gen bacs18 --records 20 --date 2026-11-23 "$@"; }
gen --seed 1 -o "$d/incoming/auto/good.s18"
gen --seed 2 --fault contra-mismatch -o "$d/incoming/auto/faulty.s18"
h0=$(hooks)
start_daemon "$d/rbgate.toml" "$tmp/d.log"
check d-quarantined wait_for 20 is_state "$d" faulty.s18 quarantined
fid=$(grep -o 'id=[0-9a-f-]*' <(grep ' quarantined ' "$tmp/d.log") | head -1 | cut -d= -f2)
check d-mailed wait_for 15 mails_reach 1
m=$tmp/dmail/new/$(ls "$tmp/dmail/new" | head -1)
check d-mail-subject grep -q "^Subject: \[rbgate\] quarantined on auto: file $fid (bacs18) was quarantined with" "$m"
check d-mail-link grep -q "Open it: https://rbgate.council.example:8490/#/file/$fid" "$m"
check d-mail-rule grep -q 'contra' "$m"
# Only what the officers asked for: the good file made no notice.
check d-one-mail test "$(mails)" -eq 1
# The webhook's digest gathers for 4 s, then one POST.
check d-hooked wait_for 15 hooks_pass "$h0"
check d-hook-one-notice test "$(grep -o '"event":"quarantined"' "$tmp/recv/unnamed" | wc -l)" -eq 1
check d-hook-file grep -q "\"file_id\":\"$fid\"" "$tmp/recv/unnamed"
# Other events, to the channel that wants every one: the late route, and a schema refused.
check d-late-hooked wait_for 15 grep -q '"event":"feed-late","at":"[^"]*","route":"rents"' "$tmp/recv/unnamed"
h1=$(hooks)
printf '{"name": "rents-extra", "fields": 3}\n' >"$d/schemas/rents-extra.json"
check d-schema-hooked wait_for 15 hooks_pass "$h1"
check d-schema-refused-said grep -q '"event":"schema-refused".*rents-extra' "$tmp/recv/unnamed"
check d-schema-mail-not test "$(mails)" -eq 1
# Never personal data: no payee's name, reference or account from the file.
personal() {
  awk 'length($0) >= 100 && substr($0, 1, 14) ~ /^[0-9]+$/ {print substr($0, 7, 8); print substr($0, 65, 18); print substr($0, 83, 18)}' "$1" |
    sed 's/  *$//' | awk 'length($0) >= 5' | sort -u
}
leaks=0
while IFS= read -r p; do
  if grep -qF -- "$p" "$m" "$tmp/recv/unnamed"; then leaks=$((leaks + 1)); echo "  leaked: $p"; fi
done < <(personal "$d/quarantine/$fid/original")
check d-personal-known test "$(personal "$d/quarantine/$fid/original" | wc -l)" -gt 10
check d-no-personal-data test "$leaks" -eq 0
# On record: sent, with the message id; in the file's ledger entry too.
"$rbgate" notify list --all --config "$d/rbgate.toml" >"$tmp/nl.txt"
check d-list-sent grep -q "officers *quarantined *sent " "$tmp/nl.txt"
check d-list-counts grep -q '^officers  *0  *1  *0 ' "$tmp/nl.txt"
"$rbgate" ledger show "$fid" --config "$d/rbgate.toml" >"$tmp/show.txt"
check d-show-notices grep -q '^notices:' "$tmp/show.txt"
"$rbgate" notify list --all --format json --config "$d/rbgate.toml" >"$tmp/nl.json"
check d-list-message-id grep -q '"message_id":"rbgate\.[0-9]*\.1\.officers@[^"]*"' "$tmp/nl.json"
check d-message-id-in-mail grep -q "^Message-ID: <$(grep -o 'rbgate\.[0-9]*\.1\.officers@[^"]*' "$tmp/nl.json" | head -1)>" "$m"
curl -s "$url/metrics" >"$tmp/metrics.txt"
check d-metric-sent grep -q 'rbgate_notices_total{channel="officers",outcome="sent",reason="sent"} 1' "$tmp/metrics.txt"
check d-metric-queued grep -q 'rbgate_notices_queued{channel="officers"} 0' "$tmp/metrics.txt"

# The relay down: the file is quarantined as ever, its notice waits and is retried, and is
# sent once when the relay is back.
kill -9 "$smtp_pid"
wait "$smtp_pid" 2>/dev/null
gen --seed 3 --fault contra-mismatch -o "$d/incoming/auto/faulty2.s18"
check d2-quarantined wait_for 20 is_state "$d" faulty2.s18 quarantined
check d2-failed-logged wait_for 10 grep -q 'notify-failed channel=officers .*reason=connect' "$tmp/d.log"
"$rbgate" notify list --config "$d/rbgate.toml" >"$tmp/nl2.txt"
check d2-waiting grep -q 'officers *quarantined *queued' "$tmp/nl2.txt"
check d2-last-error grep -q 'last: connect' "$tmp/nl2.txt"
curl -s "$url/metrics" >"$tmp/metrics2.txt"
check d2-metric-failed grep -q 'rbgate_notices_total{channel="officers",outcome="failed",reason="connect"}' "$tmp/metrics2.txt"
check d2-metric-waiting grep -q 'rbgate_notices_queued{channel="officers"} 1' "$tmp/metrics2.txt"
# Killed while the notice waits: it is in the ledger, not in the process.
kill -9 "$daemon"
wait "$daemon" 2>/dev/null
start_smtp "$dport"
start_daemon "$d/rbgate.toml" "$tmp/d2.log"
check d2-mailed-after-restart wait_for 15 mails_reach 2
sleep 3
check d2-mailed-once test "$(mails)" -eq 2
"$rbgate" notify list --all --config "$d/rbgate.toml" >"$tmp/nl3.txt"
check d2-all-sent test "$(grep -c 'officers *quarantined *sent' "$tmp/nl3.txt")" -eq 2
check d2-none-waiting grep -q '^officers  *0  *2  *0 ' "$tmp/nl3.txt"

# A tampered ledger: rbgate audit verify says so and queues the audit-failed notice, which the
# daemon sends (the officers' channel does not ask for it; the webhook, for everything, does).
before=$(hooks)
sqlite3 "$d/ledger.db" "DROP TRIGGER transitions_no_update; UPDATE transitions SET detail = 'edited' WHERE rowid = 2;"
"$rbgate" audit verify --config "$d/rbgate.toml" >"$tmp/verify.txt" 2>&1
check audit-tampered test $? -eq 1
check audit-notice-queued grep -q 'notice queued for 1 channel' "$tmp/verify.txt"
check audit-hooked wait_for 15 hooks_pass "$before"
check audit-hook-event grep -q '"event":"audit-failed"' "$tmp/recv/unnamed"
check audit-no-mail test "$(mails)" -eq 2
kill -TERM "$daemon"
wait "$daemon" 2>/dev/null
check d-no-errors bash -c "! grep -E ' error (notify|notice)' '$tmp/d.log' '$tmp/d2.log'"

echo "notify_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
