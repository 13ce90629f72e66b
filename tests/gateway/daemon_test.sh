#!/usr/bin/env bash
# The real daemon against a real spool: init, --once, watching with SIGTERM, a file still
# being written, a full disk (a small tmpfs), an unreadable file (run as an unprivileged
# user), configuration mistakes, and the operator commands.
set -u
rbgate=$1
slow_clients=$2
tmp=$(mktemp -d)
mounted=""
cleanup() {
  [ -n "$mounted" ] && umount "$mounted" 2>/dev/null
  [ -n "${daemon:-}" ] && kill -9 "$daemon" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT
# shellcheck source=tests/gateway/lib.sh
source "$(dirname "$0")/lib.sh"
count() { find "$1" -mindepth 1 -maxdepth 1 ! -name '.*' 2>/dev/null | wc -l; }
at_least() { [ "$(count "$1")" -ge "$2" ]; }  # at_least DIR N, re-evaluated on each call
gen() { "$rbgate" gen bacs18 --records 50 --date 2026-11-23 "$@"; }
configure() {  # a spool judged by its files' own dates, settling after 1 second, admin on any port
  sed -i 's/processing_days_against = "today"/processing_days_against = "creation-date"/;
          s/stable_seconds = 2/stable_seconds = 1/; s/rescan_seconds = 10/rescan_seconds = 1/;
          s/^listen = "127.0.0.1:8490"/listen = "127.0.0.1:0"/' "$1/rbgate.toml"
}

# --- init and --once -------------------------------------------------------------------
s=$tmp/s1
check init "$rbgate" init "$s" >/dev/null
check init-refuses-twice bash -c "! '$rbgate' init '$s' 2>/dev/null"
configure "$s"
gen --seed 1 -o "$s/incoming/auto/good.s18"
gen --seed 2 --fault contra-mismatch -o "$s/incoming/auto/faulty.s18"
cp "$s/incoming/auto/good.s18" "$s/incoming/auto/again.s18"
echo "half" >"$s/incoming/auto/upload.part"
"$rbgate" run --once --config "$s/rbgate.toml" 2>"$tmp/once.log"
check once-exit test $? -eq 0
check delivered test "$(count "$s/delivered")" -eq 1
check delivered-bytes cmp -s "$s/delivered/"*.s18 <(gen --seed 1 -o /dev/stdout)
check quarantined test "$(count "$s/quarantine")" -eq 2
check part-left test -f "$s/incoming/auto/upload.part"
check work-empty test "$(count "$s/work")" -eq 0
check log-lines grep -q 'info delivered id=' "$tmp/once.log"
check faulty-state test "$(state_of "$s" faulty.s18)" = quarantined
check dup-reason bash -c "'$rbgate' quarantine list --config '$s/rbgate.toml' | grep -q 'duplicate: the same bytes'"
fid=$("$rbgate" quarantine list --config "$s/rbgate.toml" --format json | grep -o '"id":"[^"]*","name":"faulty.s18"' | cut -d'"' -f4)
"$rbgate" quarantine show "$fid" --config "$s/rbgate.toml" >"$tmp/show.txt"
check show-finding grep -q 'error\[bacs18.contra.mismatch\]' "$tmp/show.txt"
check show-caret grep -q '\^~~~' "$tmp/show.txt"
check report-json grep -q '"rule":"bacs18.contra.mismatch"' "$s/quarantine/$fid/report.json"
check original-kept cmp -s "$s/quarantine/$fid/original" <(gen --seed 2 --fault contra-mismatch -o /dev/stdout)
check release-needs-reason bash -c "! '$rbgate' quarantine release '$fid' --config '$s/rbgate.toml' 2>/dev/null"
"$rbgate" quarantine reject "$fid" --reason "sender to fix the contra" --config "$s/rbgate.toml" >/dev/null
check rejected test "$(state_of "$s" faulty.s18)" = rejected
"$rbgate" ledger show "$fid" --config "$s/rbgate.toml" >"$tmp/ledger.txt"
check action-recorded grep -q "reject by $(id -un): sender to fix the contra" "$tmp/ledger.txt"
check stats bash -c "'$rbgate' stats --config '$s/rbgate.toml' | grep -q 'bacs18   delivered'"
# The audit chain: intact after all that; a head to record; an edit made with sqlite3 found.
"$rbgate" audit verify --config "$s/rbgate.toml" >"$tmp/audit.txt"
check audit-intact test $? -eq 0
check audit-says grep -q '^intact: every transition and action is chained' "$tmp/audit.txt"
head=$("$rbgate" audit verify --config "$s/rbgate.toml" --format json | grep -o '"head":"[^"]*"' | cut -d'"' -f4)
check audit-head "$rbgate" audit verify --config "$s/rbgate.toml" --head "$head"
# The daemon logged the chain's head as it stopped; after the reject since, it still verifies.
logged=$(grep -o 'audit-head seq=[0-9]* hash=[0-9a-f]*' "$tmp/once.log" | tail -1 | sed 's/audit-head seq=//; s/ hash=/:/')
check audit-head-logged test -n "$logged"
check audit-logged-head-verifies "$rbgate" audit verify --config "$s/rbgate.toml" --head "$logged"
check audit-bad-head bash -c "'$rbgate' audit verify --config '$s/rbgate.toml' --head 1:zz 2>/dev/null; test \$? -eq 2"
cp "$s/ledger.db" "$tmp/ledger.db.bak"
sqlite3 "$s/ledger.db" "DROP TRIGGER actions_no_update; UPDATE actions SET reason = 'as agreed' WHERE action = 'reject';"
"$rbgate" audit verify --config "$s/rbgate.toml" >"$tmp/audit.txt"
check audit-tampered test $? -eq 1
check audit-where grep -q "file $fid.*an action (reject by $(id -un)) is in the ledger's actions but not in the chain" "$tmp/audit.txt"
check audit-verdict grep -q '^TAMPERED: 2 problems' "$tmp/audit.txt"
cp "$tmp/ledger.db.bak" "$s/ledger.db"
check audit-restored "$rbgate" audit verify --config "$s/rbgate.toml"
mv "$s/incoming/auto/upload.part" "$s/incoming/auto/upload.s18"  # the writer finishes
"$rbgate" run --once --config "$s/rbgate.toml" 2>/dev/null
check finished-upload test "$(state_of "$s" upload.s18)" = quarantined  # not a feed
check finished-upload-reason bash -c "'$rbgate' quarantine list --config '$s/rbgate.toml' | grep -q 'feed.unknown: text'"

# --- structured logs: one JSON object a line, the same events --------------------------------
s=$tmp/sj
"$rbgate" init "$s" >/dev/null
configure "$s"
sed -i 's/log_format = "text"/log_format = "json"/; s/log_level = "info"/log_level = "debug"/' "$s/rbgate.toml"
gen --seed 5 -o "$s/incoming/auto/good.s18"
gen --seed 6 --fault modulus -o "$s/incoming/auto/bad.s18"
"$rbgate" run --once --config "$s/rbgate.toml" 2>"$tmp/json.log"
check json-lines test "$(wc -l <"$tmp/json.log")" -ge 5
# Every line one JSON object with time, level and event; the outcomes with the file's fields.
check json-parses node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
  const outcome = ["id", "route", "feed", "stage", "outcome", "duration_ms"];
  let outcomes = 0;
  for (const line of lines) {
    const e = JSON.parse(line);
    for (const k of ["time", "level", "event"]) if (!(k in e)) throw new Error(k + ": " + line);
    if (e.event === "delivered" || e.event === "quarantined") {
      for (const k of outcome) if (!(k in e)) throw new Error(k + ": " + line);
      if (typeof e.duration_ms !== "number" || typeof e.records !== "number") throw new Error(line);
      outcomes++;
    }
  }
  if (outcomes !== 2) throw new Error("outcomes: " + outcomes);
' "$tmp/json.log"
check json-delivered grep -q '"event":"delivered".*"feed":"bacs18","stage":"deliver","outcome":"delivered"' "$tmp/json.log"
check json-quarantined grep -q '"level":"warning","event":"quarantined".*"stage":"quarantine"' "$tmp/json.log"
check json-debug grep -q '"event":"claimed"' "$tmp/json.log"
sed -i 's/log_format = "json"/log_format = "xml"/' "$s/rbgate.toml"
"$rbgate" run --once --config "$s/rbgate.toml" 2>"$tmp/badfmt.txt"
check bad-log-format test $? -eq 2
check bad-log-format-says grep -q 'daemon.log_format: must be text or json' "$tmp/badfmt.txt"

# --- the daemon: watching, a slow writer, SIGTERM -----------------------------------------
s=$tmp/s2
"$rbgate" init "$s" >/dev/null
configure "$s"
RBGATE_CONFIG="$s/rbgate.toml" "$rbgate" run 2>"$tmp/daemon.log" &
daemon=$!
gen --seed 3 -o "$tmp/slow.s18"
# A writer that takes 3 seconds over its file, pausing less than the settle time (1 s)
# between writes, must not have it claimed half-written.
(
  size=$(stat -c %s "$tmp/slow.s18")
  step=$(((size + 7) / 8))
  : >"$s/incoming/auto/slow.s18"
  for i in 0 1 2 3 4 5 6 7; do
    dd if="$tmp/slow.s18" bs="$step" skip="$i" count=1 status=none >>"$s/incoming/auto/slow.s18"
    sleep 0.4
  done
) &
writer=$!
gen --seed 4 -o "$s/incoming/auto/quick.s18"
check daemon-delivers wait_for 10 at_least "$s/delivered" 1
wait "$writer"
check daemon-slow-writer wait_for 10 at_least "$s/delivered" 2
check daemon-exactly-two test "$(count "$s/delivered")" -eq 2
check slow-intact cmp -s "$s/delivered/"*_slow.s18 "$tmp/slow.s18"
kill -TERM "$daemon"
wait "$daemon"
check sigterm-exit test $? -eq 0
daemon=""
check stopped-logged grep -q 'info stopped' "$tmp/daemon.log"

# --- the admin server: health, readiness, Prometheus metrics (checked by promtool), TLS ------
s=$tmp/sa
"$rbgate" init "$s" >/dev/null
configure "$s"
# A file due by midnight every day: at start nothing has come today, so the route is late.
sed -i 's/^# expect_by = "07:00"/expect_by = "00:00"/; s/^# expect_on = "working-days"/expect_on = "every-day"/' "$s/rbgate.toml"
start_daemon "$s/rbgate.toml" "$tmp/admin.log"
check admin-loopback bash -c "[[ '$url' == http://127.0.0.1:* ]]"
check healthz bash -c "curl -sf '$url/healthz' | grep -qx ok"
check readyz bash -c "curl -sf '$url/readyz' | grep -qx ready"
check metrics-empty-valid bash -c "curl -sf '$url/metrics' | promtool check metrics"
# Hundreds of slow and idle clients (a slowloris flood, on loopback) never hold up the liveness
# probe: it answers within a second, from the same address, while they hold their connections.
port=${url##*:}
timeout 40 "$slow_clients" "$port" 600 8 >"$tmp/flood.txt" &
flood=$!
check flood-connected wait_for 5 grep -q 'connected 300 slow, 300 idle' "$tmp/flood.txt"
sleep 2  # the slow ones are past their first header lines
slow_ok=0
for _ in 1 2 3 4 5; do
  curl -sf -m 1 "$url/healthz" | grep -qx ok && slow_ok=$((slow_ok + 1))
  sleep 0.5
done
check healthz-under-flood test "$slow_ok" -eq 5
check metrics-under-flood bash -c "curl -sf -m 2 '$url/metrics' | grep -q rbgate_ledger_up"
wait "$flood"
check late-logged wait_for 5 grep -q 'warning feed-late route=auto expected_by=00:00 on=every-day' "$tmp/admin.log"
check late-metric bash -c "curl -sf '$url/metrics' | grep -qx 'rbgate_route_late{route=\"auto\",expected_by=\"00:00\"} 1'"
gen --seed 21 -o "$s/incoming/auto/good.s18"
gen --seed 22 --fault modulus -o "$s/incoming/auto/bad.s18"
check admin-processed wait_for 10 bash -c "[ \$(ls '$s/delivered' | wc -l) -ge 1 ] && [ \$(ls '$s/quarantine' | wc -l) -ge 1 ]"
# A file shows in delivered/ or quarantine/ a moment before its final state is on record (and
# counted): wait for both counts, not for a fixed time (a loaded machine takes longer).
check admin-counted wait_for 20 bash -c "curl -sf '$url/metrics' | grep -q '^rbgate_processing_seconds_count{route=\"auto\",feed=\"bacs18\"} 2\$'"
curl -sf "$url/metrics" >"$tmp/metrics.txt"
check metrics-valid promtool check metrics <"$tmp/metrics.txt"
check metrics-delivered grep -qx 'rbgate_files_total{route="auto",feed="bacs18",outcome="delivered"} 1' "$tmp/metrics.txt"
check metrics-quarantined grep -qx 'rbgate_files_total{route="auto",feed="bacs18",outcome="quarantined"} 1' "$tmp/metrics.txt"
check metrics-finding grep -qx 'rbgate_findings_total{rule="bacs18.modulus.failed",severity="error"} 1' "$tmp/metrics.txt"
check metrics-histogram grep -qx 'rbgate_processing_seconds_count{route="auto",feed="bacs18"} 2' "$tmp/metrics.txt"
check metrics-waiting grep -qx 'rbgate_files_waiting{route="auto"} 0' "$tmp/metrics.txt"
check metrics-quarantine-gauge grep -qx 'rbgate_quarantined_files 1' "$tmp/metrics.txt"
check metrics-ledger-up grep -qx 'rbgate_ledger_up 1' "$tmp/metrics.txt"
check metrics-no-invariant-broken grep -qx 'rbgate_invariant_failures_total 0' "$tmp/metrics.txt"
check late-cleared grep -qx 'rbgate_route_late{route="auto",expected_by="00:00"} 0' "$tmp/metrics.txt"
check late-said-once test "$(grep -c 'feed-late' "$tmp/admin.log")" -eq 1
# The Grafana dashboard names only metrics the daemon exports, in PromQL that promtool accepts.
check dashboard-metrics node -e '
  const fs = require("fs");
  const dash = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const exported = new Set(fs.readFileSync(process.argv[2], "utf8").split("\n")
    .filter((l) => l.startsWith("# TYPE ")).map((l) => l.split(" ")[2]));
  const rules = [];
  for (const p of dash.panels) for (const t of p.targets) {
    rules.push(t.expr);
    for (const name of t.expr.match(/\brbgate_[a-z_]+/g) || []) {
      const base = name.replace(/_(bucket|sum|count)$/, "");
      if (!exported.has(name) && !exported.has(base)) throw new Error(p.title + ": " + name);
    }
  }
  if (rules.length < 10) throw new Error("only " + rules.length + " queries");
  fs.writeFileSync(process.argv[3], "groups:\n  - name: dashboard\n    rules:\n" + rules.map((e, i) =>
    "      - record: rbgate:dashboard_" + i + "\n        expr: " + JSON.stringify(e) + "\n").join(""));
' "$(dirname "$0")/../../docs/grafana-dashboard.json" "$tmp/metrics.txt" "$tmp/dashboard-rules.yml"
check dashboard-promql promtool check rules "$tmp/dashboard-rules.yml"
# The systemd unit: systemd-analyze finds nothing to say about it, and its exposure is low.
mkdir -p "$tmp/unit"
sed "s|/usr/local/bin/rbgate|$rbgate|" "$(dirname "$0")/../../docs/rbgate.service" >"$tmp/unit/rbgate.service"
check unit-verify bash -c "out=\$(systemd-analyze verify '$tmp/unit/rbgate.service' 2>&1) && [ -z \"\$out\" ] || { echo \"\$out\"; false; }"
check unit-notify grep -qx 'Type=notify' "$tmp/unit/rbgate.service"
check unit-watchdog grep -q '^WatchdogSec=' "$tmp/unit/rbgate.service"
check unit-strict grep -qx 'ProtectSystem=strict' "$tmp/unit/rbgate.service"
check unit-exposure bash -c "systemd-analyze security --offline=true '$tmp/unit/rbgate.service' 2>/dev/null | grep -E 'Overall exposure level for rbgate.service: [0-1]\.[0-9] '"
# Not ready while the ledger cannot be opened; ready again when it can.
mv "$s/ledger.db" "$s/ledger.db.moved"
code=$(curl -s -o "$tmp/readyz.txt" -w '%{http_code}' "$url/readyz")
check readyz-503 test "$code" = 503
check readyz-says grep -q '^ledger: ' "$tmp/readyz.txt"
check metrics-ledger-down bash -c "curl -sf '$url/metrics' | grep -qx 'rbgate_ledger_up 0'"
mv "$s/ledger.db.moved" "$s/ledger.db"
check readyz-again bash -c "curl -sf '$url/readyz' | grep -qx ready"
check admin-unknown-404 test "$(curl -s -o /dev/null -w '%{http_code}' "$url/nope")" = 404
kill -TERM "$daemon"
wait "$daemon"
check admin-sigterm-exit test $? -eq 0
daemon=""
# A port in use is refused at start, with the address. The holder picks a free port itself
# and says which (taking the daemon's last port could fail when another process has it now,
# and the daemon would then start and serve until the test timed out).
node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => console.log(s.address().port)); setTimeout(() => process.exit(0), 10000)' >"$tmp/holder.port" &
holder=$!
wait_for 5 test -s "$tmp/holder.port"
port=$(cat "$tmp/holder.port")
sed -i "s/^listen = \"127.0.0.1:0\"/listen = \"127.0.0.1:$port\"/" "$s/rbgate.toml"
timeout 30 "$rbgate" run --config "$s/rbgate.toml" 2>"$tmp/busy.log"
check admin-port-busy test $? -eq 2
check admin-port-busy-says grep -q "cannot listen on 127.0.0.1:$port" "$tmp/busy.log"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
# TLS: a throwaway certificate; HTTPS verified against it, plain HTTP not served.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$tmp/admin.key" -out "$tmp/admin.crt" 2>/dev/null
sed -i "s/^listen = .*/listen = \"127.0.0.1:0\"/; s|^tls_cert = .*|tls_cert = \"$tmp/admin.crt\"|; s|^tls_key = .*|tls_key = \"$tmp/admin.key\"|" "$s/rbgate.toml"
start_daemon "$s/rbgate.toml" "$tmp/tls.log"
check tls-url bash -c "[[ '$url' == https://127.0.0.1:* ]]"
check tls-healthz bash -c "curl -sf --cacert '$tmp/admin.crt' '$url/healthz' | grep -qx ok"
check tls-verified bash -c "! curl -sf '$url/healthz' >/dev/null 2>&1"  # not trusted without the CA
check tls-no-plain bash -c "! curl -sf 'http://${url#https://}/healthz' >/dev/null 2>&1"
kill -TERM "$daemon"
wait "$daemon"
daemon=""

# --- a full disk: stop taking work, lose nothing, resume --------------------------------
s=$tmp/s3
mkdir -p "$s"
# 5 MB: the 1.2 MB file, its archive and the ledger's record of its 12,000 items must fit.
if mount -t tmpfs -o size=5m tmpfs "$s" 2>/dev/null; then
  mounted=$s
  "$rbgate" init "$s" >/dev/null
  configure "$s"
  sed -i 's/min_free_mb = 64/min_free_mb = 1/' "$s/rbgate.toml"
  gen --seed 5 -o "$tmp/a.s18"
  "$rbgate" gen bacs18 --records 12000 --seed 6 --date 2026-11-23 -o "$tmp/big.s18"  # ~1.2 MB
  dd if=/dev/zero of="$s/filler" bs=64k count=52 status=none  # leave the spool short of space
  cp "$tmp/big.s18" "$s/incoming/auto/big.s18"
  "$rbgate" run --once --config "$s/rbgate.toml" 2>"$tmp/full.log"
  check full-exit test $? -eq 0
  check full-said grep -q -E 'low-space|paused' "$tmp/full.log"
  # Nothing lost: the file is still in incoming/ or safe in work/, byte for byte.
  found=$(find "$s/incoming" "$s/work" -type f -name 'big.s18' -o -type f -path '*/work/*' | head -1)
  check full-nothing-lost cmp -s "$found" "$tmp/big.s18"
  rm "$s/filler"  # space returns
  "$rbgate" run --once --config "$s/rbgate.toml" 2>>"$tmp/full.log"
  check full-resumed test "$(state_of "$s" big.s18)" = delivered
  check full-delivered-intact cmp -s "$s/delivered/"*_big.s18 "$tmp/big.s18"
  umount "$s"
  mounted=""
else
  echo "note: cannot mount a tmpfs here; the disk-full case was not run"
fi

# --- an unreadable file, with the daemon as an unprivileged user ------------------------
s=$tmp/s4
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
  "$rbgate" init "$s" >/dev/null
  configure "$s"
  gen --seed 7 -o "$s/incoming/auto/locked.s18"
  chmod 600 "$s/incoming/auto/locked.s18"  # root's; the daemon runs as nobody
  chown -R nobody "$s"
  chown root "$s/incoming/auto/locked.s18"
  chmod 755 "$tmp"
  cp "$rbgate" "$tmp/rbgate-copy" && chmod 755 "$tmp/rbgate-copy"
  setpriv --reuid=nobody --regid=nogroup --clear-groups \
    env RBGATE_MODULUS_DIR="${RBGATE_MODULUS_DIR:-}" "$tmp/rbgate-copy" run --once --config "$s/rbgate.toml" 2>"$tmp/locked.log"
  check locked-exit test $? -eq 0
  check locked-quarantined test "$(state_of "$s" locked.s18)" = quarantined
  check locked-reason bash -c "'$rbgate' quarantine list --config '$s/rbgate.toml' | grep -q 'cannot be read'"
else
  echo "note: not root; the unreadable-file case was not run"
fi

# --- a council's own feed: a schema file, edited while the daemon runs ------------------
s=$tmp/s5
"$rbgate" init "$s" >/dev/null
configure "$s"
mkdir -p "$s/schemas" "$s/incoming/rents"
printf '%s\n' '{"name":"rents","version":"1","schema":{"fields":[{"name":"pay_ref","constraints":{"required":true}},{"name":"rent","type":"number","constraints":{"minimum":0}}]}}' >"$s/schemas/rents.json"
sed -i 's|^schema_dirs = \[\]|schema_dirs = ["schemas"]|' "$s/rbgate.toml"
printf '\n[[route]]\nname = "rents"\nfeed = "rents"\ntransform = "jsonl"\ndestinations = ["delivered"]\n\n[route.settle]\nstable_seconds = 1\n' >>"$s/rbgate.toml"
check schema-list bash -c "'$rbgate' schema list --config '$s/rbgate.toml' | grep -q 'rents .* 1 .* table .*schemas/rents.json'"
RBGATE_CONFIG="$s/rbgate.toml" "$rbgate" run 2>"$tmp/schema.log" &
daemon=$!
printf 'pay_ref,rent\r\nA1,100.50\r\n' >"$s/incoming/rents/april.csv"
check schema-feed-delivered wait_for 10 is_state "$s" april.csv delivered
check schema-feed-rows grep -q '"pay_ref":"A1","rent":100.5' "$s"/delivered/*_april.csv.jsonl
# A stricter edit applies to the next file, without a restart.
sed -i 's/"minimum":0/"minimum":0,"maximum":100/; s/"version":"1"/"version":"2"/' "$s/schemas/rents.json"
check schema-reloaded wait_for 10 grep -q 'schema-loaded.*rents version 2' "$tmp/schema.log"
printf 'pay_ref,rent\r\nA2,100.50\r\n' >"$s/incoming/rents/may.csv"
check schema-edit-applies wait_for 10 is_state "$s" may.csv quarantined
check schema-edit-reason grep -q '"rule":"table.maximum"' "$s"/quarantine/*/report.json
# An edit that does not load is refused, with its JSON path; version 2 keeps serving.
printf '%s\n' '{"name":"rents","schema":{"fields":[{"name":"pay_ref","type":"integr"}]}}' >"$s/schemas/rents.json"
check schema-refused wait_for 10 grep -q 'schema-refused.*fields\[0\].type.*previous version keeps serving' "$tmp/schema.log"
printf 'pay_ref,rent\r\nA3,50.00\r\n' >"$s/incoming/rents/june.csv"
check schema-previous-serves wait_for 10 is_state "$s" june.csv delivered
kill -TERM "$daemon"
wait "$daemon"
daemon=""

# --- a reference map, kept when accepted, checks the files that refer to it --------------
s=$tmp/s6
"$rbgate" init "$s" >/dev/null
configure "$s"
mkdir -p "$s/incoming/maps" "$s/incoming/rents"
printf '\n[[route]]\nname = "maps"\nfeed = "rsl-refmap"\ndestinations = ["delivered"]\n\n[route.settle]\nstable_seconds = 0\n' >>"$s/rbgate.toml"
printf '\n[[route]]\nname = "rents"\nfeed = "rsl-rents"\ndestinations = ["delivered"]\n\n[route.settle]\nstable_seconds = 0\n' >>"$s/rbgate.toml"
"$rbgate" gen rsl-rents --records 6 --seed 9 --date 2026-04-06 -o "$s/incoming/rents/before.csv"
"$rbgate" run --once --config "$s/rbgate.toml" 2>/dev/null
check ref-unchecked-before grep -q '"warnings":1' <("$rbgate" ledger list --config "$s/rbgate.toml" --format json)
"$rbgate" gen rsl-refmap --records 6 --seed 9 -o "$s/incoming/maps/map.csv"
"$rbgate" run --once --config "$s/rbgate.toml" 2>/dev/null
check ref-map-kept test -s "$s/references/rsl-refmap"
check ref-map-no-temporary bash -c "! ls -A '$s/references' | grep -q tmp"
"$rbgate" gen rsl-rents --records 6 --seed 9 --date 2026-04-07 -o "$s/incoming/rents/good.csv"
"$rbgate" gen rsl-rents --records 6 --seed 9 --date 2026-04-08 --fault unknown-ref -o "$s/incoming/rents/bad.csv"
"$rbgate" run --once --config "$s/rbgate.toml" 2>/dev/null
check ref-good-delivered test "$(state_of "$s" good.csv)" = delivered
check ref-bad-quarantined test "$(state_of "$s" bad.csv)" = quarantined
check ref-bad-reason grep -q '"rule":"table.reference"' "$s"/quarantine/*/report.json

# --- configuration mistakes name the key and line ---------------------------------------
s=$tmp/s5
"$rbgate" init "$s" >/dev/null
sed -i 's/^workers = 2 /wrokers = 2 /' "$s/rbgate.toml"
"$rbgate" run --once --config "$s/rbgate.toml" 2>"$tmp/err.txt"
check config-exit test $? -eq 2
line=$(grep -n '^wrokers' "$s/rbgate.toml" | cut -d: -f1)
check config-key grep -q "rbgate.toml:$line:1: daemon.wrokers: unknown key" "$tmp/err.txt"
printf '[[route]]\nname = "x"\nfeed = "bacs19"\n' >"$s/bad.toml"
"$rbgate" run --once --config "$s/bad.toml" 2>"$tmp/err.txt"
check config-feed grep -q "bad.toml:3:8: route.feed: 'bacs19' is not a feed" "$tmp/err.txt"
printf '[spool\n' >"$s/broken.toml"
"$rbgate" run --once --config "$s/broken.toml" 2>"$tmp/err.txt"
check config-syntax test $? -eq 2
check config-syntax-line grep -q 'broken.toml:1:' "$tmp/err.txt"
check config-missing bash -c "! '$rbgate' run --once --config '$tmp/none.toml' 2>/dev/null"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
