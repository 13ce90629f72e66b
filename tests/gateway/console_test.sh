#!/usr/bin/env bash
# The admin API's authentication and roles against the real daemon (no credentials, a wrong
# role, an expired session, a bad password, rate limiting, CSRF on every state-changing
# request, API tokens), then the web console end to end in a real browser (chromium driven by
# playwright-core), whose release must then be in the ledger and the audit chain.
#   console_test.sh RBGATE ORACLES_DIR ARTEFACTS_DIR
set -u
rbgate=$1
oracles=$2
artefacts=$3
tmp=$(mktemp -d)
cleanup() {
  [ -n "${daemon:-}" ] && kill -9 "$daemon" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
# shellcheck source=tests/gateway/lib.sh
source "$(dirname "$0")/lib.sh"
check() {  # check NAME CONDITION..., showing the last response body on a failure
  local name=$1
  shift
  if "$@"; then pass=$((pass + 1)); else
    fail=$((fail + 1))
    echo "FAIL $name"
    [ -f "$tmp/body" ] && head -c 300 "$tmp/body" | sed 's/^/  last body: /' && echo
  fi
}
# status METHOD PATH [CURL ARGS...]: the HTTP status; the body in $tmp/body.
status() {
  local method=$1 path=$2
  shift 2
  local json=()
  [ "$method" = GET ] || json=(-H 'Content-Type: application/json')
  curl -s -o "$tmp/body" -w '%{http_code}' -X "$method" "${json[@]}" "$@" "$url$path"
}
stop() {  # SIGTERM, then wait until it has gone (it may not be this shell's child: restart.sh)
  kill -TERM "$daemon"
  wait "$daemon" 2>/dev/null
  while kill -0 "$daemon" 2>/dev/null; do sleep 0.1; done
  daemon=""
}
csrf() { grep -o '"csrf":"[^"]*"' "$1" | cut -d'"' -f4; }

s=$tmp/spool
"$rbgate" init "$s" >/dev/null
sed -i 's/processing_days_against = "today"/processing_days_against = "creation-date"/;
        s/stable_seconds = 2/stable_seconds = 1/; s/rescan_seconds = 10/rescan_seconds = 1/;
        s/^listen = "127.0.0.1:8490"/listen = "127.0.0.1:0"/;
        s/^users_file = ""/users_file = "users.toml"/;
        s/^session_idle_seconds = 1800/session_idle_seconds = 5/;
        s/^# expect_by = "07:00"/expect_by = "00:00"/; s/^# expect_on = "working-days"/expect_on = "every-day"/' "$s/rbgate.toml"
officer_password="correct horse battery staple"
viewer_password="a viewer's long password"
approver_password="the second pair of eyes"
cat >>"$s/rbgate.toml" <<EOF

[[route]]
name = "payments"
feed = "bacs18"
destinations = ["delivered"]
approval = "required"

[route.settle]
stable_seconds = 1
EOF
token_out=$("$rbgate" admin new-token)
token=$(echo "$token_out" | head -1 | awk '{print $NF}')
cat >"$s/users.toml" <<EOF
[[user]]
name = "alice"
role = "officer"
password = "$(echo "$officer_password" | "$rbgate" admin hash-password)"

[[user]]
name = "vic"
role = "viewer"
password = "$(echo "$viewer_password" | "$rbgate" admin hash-password)"

[[user]]
name = "bob"
role = "approver"
password = "$(echo "$approver_password" | "$rbgate" admin hash-password)"

[[token]]
name = "monitoring"
role = "viewer"
sha256 = "$(echo "$token_out" | grep -o 'sha256 = "[^"]*"' | cut -d'"' -f2)"
EOF
check short-password bash -c "echo short | '$rbgate' admin hash-password 2>/dev/null; test \$? -eq 2"
check hash-is-argon2id grep -q 'password = "\$argon2id\$' "$s/users.toml"
check no-plain-password bash -c "! grep -q '$officer_password' '$s/users.toml'"

"$rbgate" gen bacs18 --records 50 --date 2026-11-23 --seed 31 --fault modulus \
  -o "$s/incoming/auto/housing-benefit.s18"
"$rbgate" gen bacs18 --records 50 --date 2026-11-23 --seed 32 --fault contra-mismatch \
  -o "$s/incoming/auto/other.s18"
mkdir -p "$s/incoming/payments"
"$rbgate" gen bacs18 --records 50 --date 2026-11-23 --seed 33 --serial 000033 \
  -o "$s/incoming/payments/dd.s18"
"$rbgate" gen bacs18 --records 50 --date 2026-11-23 --seed 34 --serial 000034 --fault modulus \
  -o "$s/incoming/payments/dd-fault.s18"
# Direct Debits collected, then the bank's returns of three of them, one with a reference the
# council never sent (the reconciliation's unmatched item).
"$rbgate" gen bacs18 --records 40 --date 2026-11-23 --seed 35 --serial 000035 -o "$tmp/col.s18"
"$rbgate" gen arudd --for "$tmp/col.s18" --records 3 --date "$(date -u +%F)" -o "$tmp/returns.xml"
unknown_ref=$(grep -o 'ReturnedDebitItem ref="[^"]*"' "$tmp/returns.xml" | head -1 | cut -d'"' -f2)
cp "$tmp/col.s18" "$s/incoming/auto/collections.s18"
# A landlord's rents naming a pay reference its map lacks (no map on record: a warning; the
# fault: an unknown record type), for the schema's masking.
printf '\n[[route]]\nname = "rents"\nfeed = "rsl-rents"\ndestinations = ["delivered"]\n' >>"$s/rbgate.toml"
# The VOA's rating list for 0114, a schedule that balances and one that does not.
printf '\n[[route]]\nname = "voa-lists"\nfeed = "ndr-list"\ndestinations = ["delivered"]\n' >>"$s/rbgate.toml"
sed -i 's/^voa_authorities = \[\]/voa_authorities = ["0114"]/' "$s/rbgate.toml"
mkdir -p "$s/incoming/voa-lists"
"$rbgate" gen ndr-list --records 60 --seed 5 -o "$tmp/ndr.txt"
"$rbgate" gen ndr-schedule --for "$tmp/ndr.txt" --records 12 --number 1 --date 2026-11-15 \
  -o "$tmp/s1.txt"
"$rbgate" gen ndr-schedule --for "$tmp/ndr.txt" --after "$tmp/s1.txt" --records 12 --number 2 \
  --date 2026-11-30 --fault missed-schedule -o "$tmp/s2.txt"
# HMRC's earnings alerts, JSON lines, one of them faulty: masked by the JSON Schema.
"$rbgate" gen vep --records 3 --seed 4 --fault wrong-type -o "$s/incoming/auto/alerts.jsonl"
mkdir -p "$s/incoming/rents"
"$rbgate" gen rsl-rents --records 4 --seed 9 --date 2026-04-07 -o "$tmp/rents.csv"
sed '3s/^UPD,/XXX,/' "$tmp/rents.csv" >"$s/incoming/rents/rents.csv"
start_daemon "$s/rbgate.toml" "$tmp/api.log"
check api-up test -n "$url"
check quarantined wait_for 10 bash -c "[ \$(ls '$s/quarantine' | wc -l) -ge 2 ]"
id=$("$rbgate" quarantine list --config "$s/rbgate.toml" --format json |
  grep -o '"id":"[^"]*","name":"housing-benefit.s18"' | cut -d'"' -f4)
check collections-in wait_for 10 bash -c "'$rbgate' ledger list --config '$s/rbgate.toml' | grep -q 'delivered.*collections.s18'"
sed "s/ref=\"$unknown_ref\"/ref=\"CT0000099999\"/g" "$tmp/returns.xml" >"$s/incoming/auto/returns.xml"
check returns-in wait_for 10 bash -c "'$rbgate' ledger list --config '$s/rbgate.toml' | grep -q 'delivered.*returns.xml'"
listed() {  # listed STATE NAME: the ledger has NAME in STATE
  "$rbgate" ledger list --config "$s/rbgate.toml" | grep -q "$1 .* $2\$"
}
cp "$tmp/ndr.txt" "$s/incoming/voa-lists/ndr.txt"
check voa-list-in wait_for 10 listed delivered ndr.txt
cp "$tmp/s1.txt" "$s/incoming/auto/schedule-1.txt"
check voa-s1-balanced wait_for 10 listed delivered schedule-1.txt
cp "$tmp/s2.txt" "$s/incoming/auto/schedule-2.txt"
check voa-s2-quarantined wait_for 10 listed quarantined schedule-2.txt
other=$("$rbgate" quarantine list --config "$s/rbgate.toml" --format json |
  grep -o '"id":"[^"]*","name":"other.s18"' | cut -d'"' -f4)

# --- no credentials, a bad password, an unknown user ------------------------------------------
check no-credentials test "$(status GET /api/quarantine)" = 401
check no-credentials-says grep -q 'sign in first' "$tmp/body"
check no-credentials-post test "$(status POST /api/files/$id/release -d '{"reason":"x"}')" = 401
check bad-password test "$(status POST /api/login -d '{"user":"alice","password":"guess"}')" = 401
check bad-password-says grep -q 'wrong user name or password' "$tmp/body"
check unknown-user test "$(status POST /api/login -d '{"user":"mallory","password":"guess"}')" = 401
check not-json test "$(status POST /api/login -d 'user=alice')" = 400
# Sign-in takes JSON only: a cross-site form can post text/plain or form data without asking.
check login-text-plain test "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain' \
  -d '{"user":"alice","password":"correct horse battery"}' "$url/api/login")" = 415
check login-form test "$(curl -s -o /dev/null -w '%{http_code}' -d 'user=alice' "$url/api/login")" = 415
# Only the names it answers to: a page on a rebound name cannot read it.
check host-rebound test "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: evil.example:8490' "$url/metrics")" = 421
check host-localhost test "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: localhost:${url##*:}" "$url/healthz")" = 200
check bad-cookie test "$(status GET /api/me -H 'Cookie: rbgate_session=forged')" = 401
check bad-token test "$(status GET /api/me -H 'Authorization: Bearer rbg_forged')" = 401

# --- an API token: read, and nothing more than its role -------------------------------------------
check token-reads test "$(status GET /api/quarantine -H "Authorization: Bearer $token")" = 200
check token-lists grep -q "\"id\":\"$id\"" "$tmp/body"
check token-viewer-cannot-release test "$(status POST /api/files/$id/release \
  -H "Authorization: Bearer $token" -d '{"reason":"x"}')" = 403
check token-viewer-says grep -q 'monitoring is a viewer; this needs an officer or above' "$tmp/body"

# --- a viewer's session: sees, masked; may not act, nor unmask ----------------------------------------
check viewer-login test "$(status POST /api/login -c "$tmp/vic" \
  -d "{\"user\":\"vic\",\"password\":\"$viewer_password\"}")" = 200
vcsrf=$(csrf "$tmp/body")
check viewer-cookie-flags grep -q '#HttpOnly_' "$tmp/vic"
check viewer-reads test "$(status GET /api/files/$id -b "$tmp/vic")" = 200
check viewer-lines test "$(status GET "/api/files/$id/lines?from=1&count=5" -b "$tmp/vic")" = 200
check viewer-lines-masked grep -q '\*\*\*\*\*\*\*\*' "$tmp/body"
check viewer-no-unmask test "$(status GET "/api/files/$id/lines?personal=1" -b "$tmp/vic")" = 403
# Returns reconciled, as rbgate reconcile gives them (the returns arrive after the collections).
check reconcile test "$(status GET /api/reports/reconcile -b "$tmp/vic")" = 200
check reconcile-summary grep -q '"summary":{"matched":2,"matched_pence":[0-9]*,"unmatched":1,' "$tmp/body"
check reconcile-unmatched-first grep -q '"items":\[{"status":"unmatched","feed":"ARUDD","sun":"123456","report_file":"returns.xml"' "$tmp/body"
check reconcile-links-sent grep -q '"sent_file":"collections.s18","sent_id":"[0-9a-z-]*","sent_line":[0-9]' "$tmp/body"
check reconcile-masked bash -c "! grep -q CT0000099999 '$tmp/body'"
check reconcile-viewer-no-unmask test "$(status GET "/api/reports/reconcile?personal=1" -b "$tmp/vic")" = 403
check reconcile-bad-day test "$(status GET "/api/reports/reconcile?from=2026-02-30" -b "$tmp/vic")" = 400
check reconcile-bad-status test "$(status GET "/api/reports/reconcile?status=lost" -b "$tmp/vic")" = 400
check reconcile-by-status test "$(status GET "/api/reports/reconcile?status=unmatched" -b "$tmp/vic")" = 200
check reconcile-by-status-one grep -q '"unmatched":1,"unmatched_pence":[0-9]*,"returned_twice":0,"returned_twice_pence":0},"items":\[{[^]]*}\]}' "$tmp/body"
check reconcile-by-sun test "$(status GET "/api/reports/reconcile?sun=999999" -b "$tmp/vic")" = 200
check reconcile-other-sun-none grep -q '"items":\[\]' "$tmp/body"
reason=$(grep -o 'returnCode="[0-9]*"' "$tmp/returns.xml" | sed -n 2p | cut -d'"' -f2)
check reconcile-by-reason test "$(status GET "/api/reports/reconcile?reason=$reason&sun=123456" -b "$tmp/vic")" = 200
check reconcile-reason-kept python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["items"] and all(i["return_code"]==sys.argv[2] for i in d["items"]), d' "$tmp/body" "$reason"
# The export is the command's CSV, byte for byte.
"$rbgate" reconcile --config "$s/rbgate.toml" --format csv >"$tmp/reconcile-cli.csv"
check reconcile-csv test "$(status GET "/api/reports/reconcile?format=csv" -b "$tmp/vic" -D "$tmp/headers")" = 200
check reconcile-csv-same cmp "$tmp/body" "$tmp/reconcile-cli.csv"
check reconcile-csv-download grep -qi '^Content-Disposition: attachment; filename="reconcile.csv"' "$tmp/headers"
# The VOA's lists on record, and a schedule's reconciliation beside its findings.
check report-unknown test "$(status GET /api/reports/no-such-report -b "$tmp/vic")" = 404
check report-bad-format test "$(status GET "/api/reports/voa-lists?format=csv" -b "$tmp/vic")" = 400
check voa-lists test "$(status GET /api/reports/voa-lists -b "$tmp/vic")" = 200
check voa-lists-after-s1 python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["lists"]; assert len(d)==1 and d[0]["billing_authority"]=="0114" and d[0]["from"]=="schedule" and d[0]["schedule"]=="1" and d[0]["rateable_value"]>0, d' "$tmp/body"
s2=$("$rbgate" quarantine list --config "$s/rbgate.toml" --format json |
  grep -o '"id":"[^"]*","name":"schedule-2.txt"' | cut -d'"' -f4)
check voa-s2-findings test "$(status GET "/api/files/$s2/findings" -b "$tmp/vic")" = 200
check voa-s2-balance python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "NOT BALANCED" in d["balance"] and any(f["rule"]=="voa.balance" for f in d["findings"]), d' "$tmp/body"
check no-balance-elsewhere test "$(status GET "/api/files/$id/findings" -b "$tmp/vic")" = 200
check no-balance-elsewhere-null grep -q '"balance":null}$' "$tmp/body"
# Every finding's rule has its page (rbgate explain), for anyone signed in.
check rule-page test "$(status GET /api/rules/bacs18.modulus.failed -b "$tmp/vic")" = 200
check rule-page-sections python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["rule"]=="bacs18.modulus.failed" and d["severity"]=="error" and [s["name"] for s in d["sections"]]==["Checks","Matters","Example","Fix","From"], d' "$tmp/body"
check rule-unknown test "$(status GET /api/rules/no.such.rule -b "$tmp/vic")" = 404
check rule-needs-sign-in test "$(status GET /api/rules/bacs18.modulus.failed)" = 401
check rules-list test "$(status GET /api/rules -b "$tmp/vic")" = 200
check rules-list-all python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["rules"])>=200 and any(r["rule"]=="openpgp.decrypt" for r in d["rules"])' "$tmp/body"
# A table feed is masked by its schema: the tenant's surname and street number go, the pay
# reference, rents and street stay; the header shows its column names.
check rents-quarantined wait_for 10 bash -c "'$rbgate' quarantine list --config '$s/rbgate.toml' | grep -q rents.csv"
rents=$("$rbgate" quarantine list --config "$s/rbgate.toml" --format json |
  grep -o '"id":"[^"]*","name":"rents.csv"' | cut -d'"' -f4)
check rents-lines test "$(status GET "/api/files/$rents/lines?from=1&count=3" -b "$tmp/vic")" = 200
surname=$(sed -n 2p "$tmp/rents.csv" | cut -d, -f9)
payref=$(sed -n 2p "$tmp/rents.csv" | cut -d, -f2)
street=$(sed -n 2p "$tmp/rents.csv" | cut -d, -f14)
check rents-header-shown grep -q '"text":"record_type,pay_ref,' "$tmp/body"
check rents-surname-masked bash -c "! grep -qF '$surname' '$tmp/body'"
check rents-payref-shown grep -qF "$payref" "$tmp/body"
check rents-street-shown grep -qF "$street" "$tmp/body"
vep=$("$rbgate" quarantine list --config "$s/rbgate.toml" --format json |
  grep -o '"id":"[^"]*","name":"alerts.jsonl"' | cut -d'"' -f4)
check vep-lines test "$(status GET "/api/files/$vep/lines?from=1&count=3" -b "$tmp/vic")" = 200
check vep-nino-masked grep -qF '\"nino\":\"*********\"' "$tmp/body"
check vep-employer-shown grep -qF 'GREEN LANE GARDENS' "$tmp/body"
check viewer-no-release test "$(status POST /api/files/$id/release -b "$tmp/vic" \
  -H "X-CSRF-Token: $vcsrf" -d '{"reason":"x"}')" = 403
check viewer-role-says grep -q 'vic is a viewer' "$tmp/body"

# --- an officer's session: CSRF on every state-changing request; a reason required -------------------
check officer-login test "$(status POST /api/login -c "$tmp/alice" \
  -d "{\"user\":\"alice\",\"password\":\"$officer_password\"}")" = 200
acsrf=$(csrf "$tmp/body")
for action in release reject reprocess; do
  check "csrf-missing-$action" test "$(status POST /api/files/$other/$action -b "$tmp/alice" \
    -d '{"reason":"x"}')" = 403
  check "csrf-wrong-$action" test "$(status POST /api/files/$other/$action -b "$tmp/alice" \
    -H "X-CSRF-Token: $vcsrf" -d '{"reason":"x"}')" = 403
done
check csrf-logout test "$(status POST /api/logout -b "$tmp/alice" -d '{}')" = 403
check csrf-says grep -q 'CSRF' "$tmp/body"
check still-quarantined bash -c "'$rbgate' ledger show '$other' --config '$s/rbgate.toml' | grep -q 'state quarantined'"
check reason-required test "$(status POST /api/files/$other/reject -b "$tmp/alice" \
  -H "X-CSRF-Token: $acsrf" -d '{"reason":"   "}')" = 400
check officer-unmasks test "$(status GET "/api/files/$id/lines?personal=1&from=1&count=3" -b "$tmp/alice")" = 200
check officer-rejects test "$(status POST /api/files/$other/reject -b "$tmp/alice" \
  -H "X-CSRF-Token: $acsrf" -d '{"reason":"the bureau will send it again"}')" = 200
check rejected-on-record bash -c "'$rbgate' ledger show '$other' --config '$s/rbgate.toml' | grep -q 'reject by alice: the bureau will send it again'"
check not-twice test "$(status POST /api/files/$other/reject -b "$tmp/alice" \
  -H "X-CSRF-Token: $acsrf" -d '{"reason":"again"}')" = 409
check unknown-file test "$(status GET /api/files/20990101-000000-000000 -b "$tmp/alice")" = 404
# Any file on record: found by a search, its archived original paged and downloaded.
col=$("$rbgate" ledger list --config "$s/rbgate.toml" --format json |
  grep -o '"id":"[^"]*","name":"collections.s18"' | cut -d'"' -f4)
check search-name test "$(status GET "/api/files?q=COLLECTIONS" -b "$tmp/alice")" = 200
check search-name-one python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [f["id"] for f in d["files"]]==[sys.argv[2]] and not d["more"], d' "$tmp/body" "$col"
sha=$(sha256sum "$tmp/col.s18" | cut -c1-12)
check search-sha test "$(status GET "/api/files?q=$sha" -b "$tmp/alice")" = 200
check search-sha-one grep -q "\"id\":\"$col\"" "$tmp/body"
check search-serial test "$(status GET "/api/files?q=/000035/&state=delivered" -b "$tmp/alice")" = 200
check search-serial-one grep -q "\"id\":\"$col\"" "$tmp/body"
check search-state test "$(status GET "/api/files?state=quarantined&feed=bacs18" -b "$tmp/alice")" = 200
check search-state-kept python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["files"] and all(f["state"]=="quarantined" and f["feed"]=="bacs18" for f in d["files"]), d' "$tmp/body"
check search-bad-day test "$(status GET "/api/files?day=2026-13-01" -b "$tmp/alice")" = 400
check archived-lines test "$(status GET "/api/files/$col/lines?from=40&count=5" -b "$tmp/alice")" = 200
check archived-lines-page python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [l["n"] for l in d["lines"]]==[40,41,42,43,44] and d["more"] and "*" in d["lines"][0]["text"], d' "$tmp/body"
expected=$(sed -n 40p "$tmp/col.s18" | cut -c1-11)
check archived-lines-unmasked test "$(status GET "/api/files/$col/lines?from=40&count=1&personal=1" -b "$tmp/alice")" = 200
check archived-lines-same grep -q "\"text\":\"$expected" "$tmp/body"
check archived-lines-last test "$(status GET "/api/files/$col/lines?from=$(wc -l <"$tmp/col.s18")&count=5" -b "$tmp/alice")" = 200
check archived-lines-end grep -q '"more":false' "$tmp/body"
check download-viewer test "$(status GET "/api/files/$col/original" -b "$tmp/vic")" = 403
check download test "$(status GET "/api/files/$col/original" -b "$tmp/alice" -D "$tmp/headers")" = 200
check download-same cmp "$tmp/body" "$tmp/col.s18"
check download-named grep -qi '^Content-Disposition: attachment; filename="collections.s18"' "$tmp/headers"
check download-on-record bash -c "'$rbgate' ledger show '$col' --config '$s/rbgate.toml' | grep -q 'download by alice: downloaded the original'"
check download-chained "$rbgate" audit verify --config "$s/rbgate.toml"

# --- sessions expire when idle (5 s here), and end at sign-out -----------------------------------------
sleep 5.5
check expired test "$(status GET /api/me -b "$tmp/alice")" = 401
check expired-says grep -q 'expired' "$tmp/body"
check relogin test "$(status POST /api/login -c "$tmp/alice" \
  -d "{\"user\":\"alice\",\"password\":\"$officer_password\"}")" = 200
acsrf=$(csrf "$tmp/body")
check logout test "$(status POST /api/logout -b "$tmp/alice" -H "X-CSRF-Token: $acsrf" -d '{}')" = 200
check logged-out test "$(status GET /api/me -b "$tmp/alice")" = 401

# --- four eyes: approvers approve, not officers, and never their own release -----------------------
id_of() {
  "$rbgate" ledger list --config "$s/rbgate.toml" --format json |
    grep -o "\"id\":\"[^\"]*\",\"name\":\"$1\"" | cut -d'"' -f4
}
for _ in $(seq 100); do  # claimed by now, or soon
  dd=$(id_of dd.s18) fault=$(id_of dd-fault.s18)
  [ -n "$dd" ] && [ -n "$fault" ] && break
  sleep 0.1
done
listed_awaiting() {
  [ "$(status GET /api/approvals -H "Authorization: Bearer $token")" = 200 ] &&
    grep -q "\"id\":\"$1\".*\"state\":\"awaiting-approval\"" "$tmp/body"
}
check approvals-lists-dd wait_for 10 listed_awaiting "$dd"
check relogin-alice test "$(status POST /api/login -c "$tmp/alice" \
  -d "{\"user\":\"alice\",\"password\":\"$officer_password\"}")" = 200
acsrf=$(csrf "$tmp/body")
check officer-cannot-approve test "$(status POST /api/files/$dd/approve -b "$tmp/alice" \
  -H "X-CSRF-Token: $acsrf" -d '{"reason":"fine"}')" = 403
check officer-cannot-approve-says grep -q 'alice is an officer; this needs an approver or above' "$tmp/body"
check bob-login test "$(status POST /api/login -c "$tmp/bob" \
  -d "{\"user\":\"bob\",\"password\":\"$approver_password\"}")" = 200
bcsrf=$(csrf "$tmp/body")
check approve-needs-reason test "$(status POST /api/files/$dd/approve -b "$tmp/bob" \
  -H "X-CSRF-Token: $bcsrf" -d '{"reason":" "}')" = 400
check approve-needs-csrf test "$(status POST /api/files/$dd/approve -b "$tmp/bob" \
  -d '{"reason":"totals agree"}')" = 403
check approver-approves test "$(status POST /api/files/$dd/approve -b "$tmp/bob" \
  -H "X-CSRF-Token: $bcsrf" -d '{"reason":"totals agree with the DD schedule"}')" = 200
check approved-delivered grep -q '"state":"delivered"' "$tmp/body"
check approved-twice test "$(status POST /api/files/$dd/approve -b "$tmp/bob" \
  -H "X-CSRF-Token: $bcsrf" -d '{"reason":"again"}')" = 409
check fault-quarantined wait_for 10 bash -c "'$rbgate' ledger show --config '$s/rbgate.toml' '$fault' | grep -q 'state quarantined'"
check approver-releases test "$(status POST /api/files/$fault/release -b "$tmp/bob" \
  -H "X-CSRF-Token: $bcsrf" -d '{"reason":"the bank confirmed the account"}')" = 200
check released-awaits grep -q '"state":"awaiting-approval"' "$tmp/body"
check own-release-refused test "$(status POST /api/files/$fault/approve -b "$tmp/bob" \
  -H "X-CSRF-Token: $bcsrf" -d '{"reason":"mine"}')" = 403
check own-release-says grep -q 'released by bob' "$tmp/body"
status GET /api/approvals -b "$tmp/bob" >/dev/null
check approvals-released-by grep -q "\"id\":\"$fault\".*\"released_by\":\[\"bob\"\]" "$tmp/body"

# --- failed sign-ins are limited: five, then 429 even with the right password --------------------------
for _ in 1 2 3 4 5; do status POST /api/login -d '{"user":"vic","password":"wrong"}' >/dev/null; done
check limited test "$(status POST /api/login -D "$tmp/headers" \
  -d "{\"user\":\"vic\",\"password\":\"$viewer_password\"}")" = 429
check limited-retry-after grep -qi '^Retry-After: [0-9]' "$tmp/headers"
check limited-says grep -q 'too many failed sign-ins' "$tmp/body"
stop

# --- the console in a real browser -----------------------------------------------------------------------
sed -i 's/^session_idle_seconds = 5/session_idle_seconds = 1800/' "$s/rbgate.toml"
start_daemon "$s/rbgate.toml" "$tmp/console.log"
mkdir -p "$artefacts"
check console-page bash -c "curl -sf '$url/' | grep -q '<title>rbgate console</title>'"
check console-csp bash -c "curl -sfI '$url/console/app.js' | grep -qi '^Content-Security-Policy: default-src'"
# The browser restarts the daemon as `systemctl restart` would (SIGTERM, wait, start): this
# prints the new address (port 0: a new port; cookies do not depend on it).
echo "$daemon" >"$tmp/daemon.pid"
cat >"$tmp/restart.sh" <<EOF
#!/usr/bin/env bash
pid=\$(cat "$tmp/daemon.pid")
kill -TERM "\$pid"
while kill -0 "\$pid" 2>/dev/null; do sleep 0.1; done
RBGATE_CONFIG="$s/rbgate.toml" "$rbgate" run </dev/null >/dev/null 2>"$tmp/restarted.log" &
echo \$! >"$tmp/daemon.pid"
for _ in \$(seq 100); do grep -q admin-listening "$tmp/restarted.log" && break; sleep 0.1; done
grep -o 'admin-listening url=[^ ]*' "$tmp/restarted.log" | head -1 | cut -d= -f2
EOF
chmod +x "$tmp/restart.sh"
NODE_PATH="$oracles/node_modules" node "$(dirname "$0")/console_browser.js" "$url" "$id" alice \
  "$officer_password" "$artefacts" "$s2" "$tmp/restart.sh" >"$tmp/browser.txt" 2>&1
browser=$?
daemon=$(cat "$tmp/daemon.pid")
if [ -s "$tmp/restarted.log" ]; then
  url=$(grep -o 'admin-listening url=[^ ]*' "$tmp/restarted.log" | head -1 | cut -d= -f2)
fi
sed 's/^/  browser: /' "$tmp/browser.txt"
check browser-steps test "$browser" -eq 0
reason=$(tail -1 "$tmp/browser.txt")
"$rbgate" ledger show "$id" --config "$s/rbgate.toml" >"$tmp/ledger.txt"
check release-in-ledger grep -qF "release by alice: $reason" "$tmp/ledger.txt"
check released-delivered grep -q 'state delivered' "$tmp/ledger.txt"
check release-chained "$rbgate" audit verify --config "$s/rbgate.toml"
check screenshots test -s "$artefacts/2-file-fault-highlighted.png"

# --- sessions survive a restart; an approver signs a user out everywhere -------------------------------
check bob-login-again test "$(status POST /api/login -c "$tmp/bob2" \
  -d "{\"user\":\"bob\",\"password\":\"$approver_password\"}")" = 200
bcsrf=$(csrf "$tmp/body")
check alice-login-again test "$(status POST /api/login -c "$tmp/alice2" \
  -d "{\"user\":\"alice\",\"password\":\"$officer_password\"}")" = 200
acsrf=$(csrf "$tmp/body")
stop
start_daemon "$s/rbgate.toml" "$tmp/console2.log"
check session-survives-restart test "$(status GET /api/me -b "$tmp/bob2")" = 200
check session-same-csrf grep -q "\"csrf\":\"$bcsrf\"" "$tmp/body"
cookie=$(awk '/rbgate_session/ {print $NF}' "$tmp/bob2")
check cookie-known test -n "$cookie"
check cookie-not-in-ledger bash -c "! cat '$s'/ledger.db* | grep -qaF '$cookie'"
check officer-cannot-sign-out test "$(status POST /api/users/bob/sign-out -b "$tmp/alice2" \
  -H "X-CSRF-Token: $acsrf" -d '{}')" = 403
check sign-out-needs-csrf test "$(status POST /api/users/alice/sign-out -b "$tmp/bob2" -d '{}')" = 403
check approver-signs-out test "$(status POST /api/users/alice/sign-out -b "$tmp/bob2" \
  -H "X-CSRF-Token: $bcsrf" -d '{}')" = 200
check signed-out-count grep -q '"user":"alice","ended":[1-9]' "$tmp/body"
check alice-signed-out test "$(status GET /api/me -b "$tmp/alice2")" = 401
check sign-out-unknown test "$(status POST /api/users/mallory/sign-out -b "$tmp/bob2" \
  -H "X-CSRF-Token: $bcsrf" -d '{}')" = 404
run users-sign-out 0 "$rbgate" users sign-out bob --config "$s/rbgate.toml"
check users-sign-out-says grep -q '^[1-9][0-9]* console sessions\? of bob ended$' "$tmp/out"
check bob-signed-out test "$(status GET /api/me -b "$tmp/bob2")" = 401
stop

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
