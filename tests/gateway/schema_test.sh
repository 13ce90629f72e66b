#!/usr/bin/env bash
# An officer's schema edits against the real daemon: a broken edit never stops the gateway or
# changes a verdict, across restarts; a feed that never loaded holds its files; a removed file
# and a copy of one; reprocess with a broken schema; one daemon per spool.
set -u
rbgate=$1
tmp=$(mktemp -d)
cleanup() {
  [ -n "${daemon:-}" ] && kill -9 "$daemon" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT
# shellcheck source=tests/gateway/lib.sh
source "$(dirname "$0")/lib.sh"
stop() {
  kill -TERM "$daemon"
  wait "$daemon"
  daemon=""
}
good='{"name":"rents-northgate","version":"1","schema":{"fields":[{"name":"pay_ref","constraints":{"required":true}},{"name":"rent","type":"number","constraints":{"maximum":500}}]}}'
money='{"name":"rents-northgate","version":"2","schema":{"fields":[{"name":"pay_ref"},{"name":"rent","type":"money"}]}}'

s=$tmp/s
"$rbgate" init "$s" >/dev/null
mkdir -p "$s/schemas" "$s/incoming/rents"
sed -i 's/stable_seconds = 2/stable_seconds = 1/; s/rescan_seconds = 10/rescan_seconds = 1/;
        s/^listen = "127.0.0.1:8490"/listen = "127.0.0.1:0"/;
        s|^schema_dirs = \[\]|schema_dirs = ["schemas"]|' "$s/rbgate.toml"
printf '\n[[route]]\nname = "rents"\nfeed = "rents-northgate"\ndestinations = ["delivered"]\n\n[route.settle]\nstable_seconds = 1\n' >>"$s/rbgate.toml"
printf '%s\n' "$good" >"$s/schemas/rents.json"

# --- one daemon per spool --------------------------------------------------------------------
start_daemon "$s/rbgate.toml" "$tmp/d1.log"
check first-daemon-up test -n "$url"
"$rbgate" run --config "$s/rbgate.toml" 2>"$tmp/d2.log"
check second-daemon-exit test $? -eq 2
check second-daemon-names-first grep -q "another rbgate run (process $daemon) holds this spool" "$tmp/d2.log"
"$rbgate" run --once --config "$s/rbgate.toml" 2>"$tmp/d3.log"
check once-beside-daemon-exit test $? -eq 2
check operator-beside-daemon "$rbgate" ledger list --config "$s/rbgate.toml" >/dev/null
printf 'pay_ref,rent\r\nA1,100.50\r\n' >"$s/incoming/rents/april.csv"
check served-v1 wait_for 10 is_state "$s" april.csv delivered
check v1-listed bash -c "'$rbgate' schema list --config '$s/rbgate.toml' | grep -Eq '^rents-northgate +1 +table +[0-9a-f]{12} '"

# --- a broken edit while it runs, then a restart: version 1 serves throughout -----------------
printf '%s\n' "$money" >"$s/schemas/rents.json"
check refused-live wait_for 10 grep -q 'schema-refused.*money.. is not a Table Schema type.*previous version keeps serving' "$tmp/d1.log"
check refused-metric wait_for 5 bash -c "curl -sf '$url/metrics' | grep -qx 'rbgate_schema_refused{feed=\"rents-northgate\"} 1'"
check metrics-valid bash -c "curl -sf '$url/metrics' | promtool check metrics"
stop
start_daemon "$s/rbgate.toml" "$tmp/d4.log"
check restarted test -n "$url"
check restart-says-ledger grep -q 'schema-from-ledger feed=rents-northgate.*the last good version serves' "$tmp/d4.log"
printf 'pay_ref,rent\r\nA2,600\r\n' >"$s/incoming/rents/may.csv"
printf 'pay_ref,rent\r\nA3,50\r\n' >"$s/incoming/rents/june.csv"
# Judged by version 1: its maximum of 500 quarantines May, June goes.
check v1-judges-may wait_for 10 is_state "$s" may.csv quarantined
check v1-judges-june wait_for 10 is_state "$s" june.csv delivered
check v1-maximum grep -q '"rule":"table.maximum"' "$s"/quarantine/*/report.json
# Every verdict names the schema that judged it: version and SHA-256, in the ledger and report.
v1sha=$(sqlite3 "$s/ledger.db" "SELECT sha256 FROM schema_versions WHERE feed = 'rents-northgate' ORDER BY seq LIMIT 1")
check v1-sha-recorded test ${#v1sha} -eq 64
check report-names-schema grep -q "\"schema\":{\"feed\":\"rents-northgate\",\"version\":\"1\",\"sha256\":\"$v1sha\"}" "$s"/quarantine/*/report.json
check ledger-row-schema bash -c "'$rbgate' ledger list --config '$s/rbgate.toml' --format json | grep -q '\"name\":\"june.csv\".*\"schema_version\":\"1\",\"schema_sha256\":\"$v1sha\"'"
jid=$("$rbgate" ledger list --config "$s/rbgate.toml" --format json | grep -o '"id":"[^"]*","name":"june.csv"' | cut -d'"' -f4)
check ledger-show-schema bash -c "'$rbgate' ledger show '$jid' --config '$s/rbgate.toml' | grep -q 'judged by schema rents-northgate version 1 (sha256 $v1sha)'"
"$rbgate" schema list --config "$s/rbgate.toml" >"$tmp/list.txt"
check list-exit test $? -eq 1
check list-serving grep -Eq '^  serving [0-9a-f]{12} since 20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} \(the ledger.s copy\); .*schemas/rents.json refused: .*"money"' "$tmp/list.txt"
check list-json bash -c "'$rbgate' schema list --config '$s/rbgate.toml' --format json | grep -q '\"feed\":\"rents-northgate\",\"version\":\"1\".*\"from_ledger\":true.*\"refused\":{\"file\"'"

# 'rbgate check --config --route' judges as the route will: the version serving, from the ledger.
printf 'pay_ref,rent\r\nA9,600\r\n' >"$tmp/offline.csv"
"$rbgate" check --config "$s/rbgate.toml" --route rents "$tmp/offline.csv" >"$tmp/offline.txt" 2>&1
check check-as-route-exit test $? -eq 1
check check-as-route-v1 grep -q 'error\[table.maximum\]: "600" in rent is above the maximum 500' "$tmp/offline.txt"
check check-route-needs-config bash -c "! '$rbgate' check --route rents '$tmp/offline.csv' 2>/dev/null"
check check-route-unknown bash -c "'$rbgate' check --config '$s/rbgate.toml' --route nope '$tmp/offline.csv' 2>&1 | grep -q \"'nope' is no route\""
# Reprocess judges with the version that serves; findings are never replaced by a schema fault.
mid=$("$rbgate" quarantine list --config "$s/rbgate.toml" --format json | grep -o '"id":"[^"]*","name":"may.csv"' | cut -d'"' -f4)
cp "$s/quarantine/$mid/report.json" "$tmp/report-before.json"
check quarantine-show-schema bash -c "'$rbgate' quarantine show '$mid' --config '$s/rbgate.toml' | grep -q 'judged by schema rents-northgate version 1'"
"$rbgate" quarantine reprocess "$mid" --reason "after the edit" --config "$s/rbgate.toml" >"$tmp/rep.txt" 2>&1
check reprocess-by-serving test $? -eq 0
check reprocess-same-verdict is_state "$s" may.csv quarantined
check reprocess-findings grep -q '"rule":"table.maximum"' "$s/quarantine/$mid/report.json"

# --- a copy of the schema beside it never takes the feed over ----------------------------------
printf '%s\n' "$good" >"$s/schemas/rents.json"
check fixed-loads wait_for 10 grep -q 'schema-loaded.*rents-northgate version 1' "$tmp/d4.log"
sed 's/"maximum":500/"maximum":5/' <<<"$good" >"$s/schemas/copy-of-rents.json"
check copy-refused wait_for 10 grep -q 'schema-refused file=".*copy-of-rents.json".*already defined by .*/rents.json' "$tmp/d4.log"
printf 'pay_ref,rent\r\nA4,60\r\n' >"$s/incoming/rents/july.csv"
check copy-not-serving wait_for 10 is_state "$s" july.csv delivered
rm "$s/schemas/copy-of-rents.json"

# --- removing the file: a warning; the feed serves on, across a restart ----------------------
rm "$s/schemas/rents.json"
check removed-warned wait_for 10 grep -q 'warning schema-removed .*rents.json.*serves on' "$tmp/d4.log"
printf 'pay_ref,rent\r\nA5,70\r\n' >"$s/incoming/rents/august.csv"
check removed-serves wait_for 10 is_state "$s" august.csv delivered
stop
start_daemon "$s/rbgate.toml" "$tmp/d5.log"
check removed-restart grep -q 'schema-from-ledger feed=rents-northgate.*its file is gone' "$tmp/d5.log"
printf 'pay_ref,rent\r\nA6,80\r\n' >"$s/incoming/rents/september.csv"
check removed-restart-serves wait_for 10 is_state "$s" september.csv delivered
stop

# --- a feed that has never loaded holds its files in the drop folder --------------------------
h=$tmp/h
"$rbgate" init "$h" >/dev/null
mkdir -p "$h/schemas" "$h/incoming/rents"
sed -i 's/rescan_seconds = 10/rescan_seconds = 1/; s/^listen = "127.0.0.1:8490"/listen = "127.0.0.1:0"/;
        s|^schema_dirs = \[\]|schema_dirs = ["schemas"]|' "$h/rbgate.toml"
printf '\n[[route]]\nname = "rents"\nfeed = "rents-northgate"\ndestinations = ["delivered"]\n\n[route.settle]\nstable_seconds = 1\n' >>"$h/rbgate.toml"
printf '%s\n' "$money" >"$h/schemas/rents.json"
"$rbgate" schema list --config "$h/rbgate.toml" >"$tmp/held.txt"
check held-list-exit test $? -eq 1
check held-listed grep -q 'held: no version has ever loaded' "$tmp/held.txt"
start_daemon "$h/rbgate.toml" "$tmp/h1.log"
check held-starts test -n "$url"
printf 'pay_ref,rent\r\nB1,10\r\n' >"$h/incoming/rents/one.csv"
check held-logged wait_for 10 grep -q 'warning route-held route=rents feed=rents-northgate' "$tmp/h1.log"
sleep 2
check held-waits test -f "$h/incoming/rents/one.csv"
check held-no-quarantine test -z "$(ls "$h/quarantine")"
check held-metric bash -c "curl -sf '$url/metrics' | grep -qx 'rbgate_schema_held{feed=\"rents-northgate\"} 1'"
check held-backlog bash -c "curl -sf '$url/metrics' | grep -qx 'rbgate_files_waiting{route=\"rents\"} 1'"
printf '%s\n' "$good" >"$h/schemas/rents.json"
check held-resumes wait_for 10 grep -q 'info route-resumed route=rents' "$tmp/h1.log"
check held-then-delivered wait_for 10 is_state "$h" one.csv delivered
stop

# A file that is not even JSON, at the first start: still held, not a configuration mistake.
printf '{"name": "rents-northgate",\n' >"$h/schemas/rents.json"
rm -f "$h/ledger.db"*
"$rbgate" run --once --config "$h/rbgate.toml" 2>"$tmp/h2.log"
check broken-json-runs test $? -eq 0
check broken-json-held grep -q 'route-held route=rents' "$tmp/h2.log"
# Reprocess with no version serving: refused, exit 2, the findings untouched.
printf '%s\n' "$good" >"$h/schemas/rents.json"
printf 'pay_ref,rent\r\n,10\r\n' >"$h/incoming/rents/two.csv"
sleep 1.1
"$rbgate" run --once --config "$h/rbgate.toml" 2>/dev/null
tid=$("$rbgate" quarantine list --config "$h/rbgate.toml" --format json | grep -o '"id":"[^"]*","name":"two.csv"' | cut -d'"' -f4)
check two-quarantined test -n "$tid"
cp "$h/quarantine/$tid/report.json" "$tmp/two-before.json"
printf '{"name": "rents-northgate",\n' >"$h/schemas/rents.json"
rm -f "$h/ledger.db-wal" "$h/ledger.db-shm"
sqlite3 "$h/ledger.db" 'DELETE FROM schema_versions'
"$rbgate" quarantine reprocess "$tid" --reason "try" --config "$h/rbgate.toml" 2>"$tmp/rep2.txt"
check reprocess-refused-exit test $? -eq 2
check reprocess-refused-why grep -q 'not reprocessed, its findings stand: feed rents-northgate has no schema that loads' "$tmp/rep2.txt"
check reprocess-report-kept cmp -s "$h/quarantine/$tid/report.json" "$tmp/two-before.json"
check reprocess-still-quarantined is_state "$h" two.csv quarantined

# --- help says what exit statuses mean ----------------------------------------------------------
"$rbgate" ledger list --help >"$tmp/help.txt"
check ledger-help-exit bash -c "! grep -q '1 when any file has an error' '$tmp/help.txt'"
check ledger-help-says grep -q 'Exit status: 0' "$tmp/help.txt"

# --- Data Packages: the resource picked, foreign keys, bytes and hash ------------------------
p=$tmp/pkg
mkdir -p "$p/data"
printf 'tenancy,surname\nT1,Smith\nT2,Jones\n' >"$p/data/tenancies.csv"
printf 'ref,tenancy,parent\nR1,T1,\nR2,T2,R1\nR3,T9,R7\nR4,T1,R5\nR5,T2,\n' >"$p/data/rents.csv"
size=$(stat -c %s "$p/data/rents.csv")
hash=$(sha256sum "$p/data/rents.csv" | cut -c1-64)
cat >"$p/datapackage.json" <<EOF
{"\$schema": "https://datapackage.org/profiles/2.0/datapackage.json", "name": "hra",
 "resources": [
  {"name": "rents", "path": "data/rents.csv", "bytes": $size, "hash": "sha256:$hash",
   "schema": {"fields": [{"name": "ref"}, {"name": "tenancy"}, {"name": "parent"}],
              "primaryKey": "ref",
              "foreignKeys": [
                {"fields": "tenancy", "reference": {"resource": "tenancies", "fields": "tenancy"}},
                {"fields": ["parent"], "reference": {"resource": "", "fields": ["ref"]}}]}},
  {"name": "tenancies", "path": "data/tenancies.csv",
   "schema": {"fields": [{"name": "tenancy"}, {"name": "surname"}]}}]}
EOF
"$rbgate" schema check "$p/datapackage.json" >"$tmp/pkg-check.txt"
check package-schema-check-each grep -q 'table schema rents: 3 fields.*table schema tenancies: 2 fields.*: ok' "$tmp/pkg-check.txt"
# The resource is the one whose path is the file's; R3's tenancy is in no tenancies file and
# its parent R7 in no record; R4's parent R5 comes later and is found.
"$rbgate" check --schema "$p/datapackage.json" --format json "$p/data/rents.csv" >"$tmp/pkg.json"
check package-exit test $? -eq 1
check package-picked-by-path grep -q '"feed":"rents"' "$tmp/pkg.json"
check package-other-resource grep -q '"rule":"table.reference","severity":"error","line":4' "$tmp/pkg.json"
check package-self-reference grep -q '"rule":"table.foreign-key","severity":"error","line":4' "$tmp/pkg.json"
check package-two-findings test "$(grep -o '"rule":"table\.' "$tmp/pkg.json" | wc -l)" -eq 2
"$rbgate" check --schema "$p/datapackage.json" "$p/data/tenancies.csv" >/dev/null
check package-other-valid test $? -eq 0
cp "$p/data/rents.csv" "$tmp/today.csv"
"$rbgate" check --schema "$p/datapackage.json" "$tmp/today.csv" 2>"$tmp/pkg-pick.txt"
check package-unpicked-exit test $? -eq 2
check package-unpicked-names grep -q 'lists 2 tabular resources (rents, tenancies)' "$tmp/pkg-pick.txt"
"$rbgate" check --schema "$p/datapackage.json" --resource rents "$tmp/today.csv" >/dev/null
check package-resource-named test $? -eq 1
"$rbgate" check --schema "$p/datapackage.json" --resource nope "$tmp/today.csv" 2>"$tmp/pkg-nope.txt"
check package-resource-unknown grep -q 'has no tabular resource named "nope" (it has rents, tenancies)' "$tmp/pkg-nope.txt"
# One line more: size and hash both say so, and the rest is still checked.
echo "R6,T1," >>"$p/data/rents.csv"
"$rbgate" check --schema "$p/datapackage.json" "$p/data/rents.csv" >"$tmp/pkg-grown.txt"
check package-bytes grep -q "error\[table.resource.bytes\]: the file is $((size + 7)) bytes; its descriptor says $size" "$tmp/pkg-grown.txt"
check package-hash grep -q "error\[table.resource.hash\]: the file's sha256 is .*; its descriptor says $hash" "$tmp/pkg-grown.txt"
check package-rest-checked grep -q 'error\[table.foreign-key\]' "$tmp/pkg-grown.txt"

# --- one large file on every core -------------------------------------------------------------
# `rbgate check` cuts a large file into blocks and checks them on several threads: its report,
# findings, lines and counts included, must be the one pass's, byte for byte. The file has
# repeats, runs of empty rows, quoted line ends (some cuts fall inside them) and bad values.
big='{"name":"claims","schema":{"fields":[{"name":"ref","type":"integer","constraints":{"required":true,"unique":true}},{"name":"note"},{"name":"rent","type":"number","constraints":{"maximum":500}},{"name":"band","constraints":{"enum":["A","B","C"]}}],"primaryKey":["band","rent"]}}'
printf '%s\n' "$big" >"$tmp/claims.json"
awk 'BEGIN {
  print "ref,note,rent,band";
  for (i = 1; i <= 600000; i++) {
    if (i % 9973 == 0) { print ",,,"; print ",,,"; continue }
    if (i % 7919 == 0) { printf "%d,\"two\nlines, \"\"quoted\"\"\",%d.%02d,A\n", i, i % 400, i % 100; continue }
    printf "%d,a note of some length for row %d,%d.%02d,%s\n", (i % 50000 == 0 ? 17 : i), i,
      (i % 31337 == 0 ? 900 : i % 500), i % 97, (i % 65537 == 0 ? "Z" : substr("ABC", i % 3 + 1, 1));
  }
}' >"$tmp/claims.csv"
for t in 1 2 3; do
  "$rbgate" check --schema "$tmp/claims.json" --threads "$t" --format json --max-per-rule 50 \
    "$tmp/claims.csv" >"$tmp/claims-$t.json"
  echo "$?" >"$tmp/claims-$t.rc"
done
check blocks-big-enough test "$(stat -c %s "$tmp/claims.csv")" -gt $((24 << 20))
check blocks-findings test "$(grep -o '"rule":"table.primary-key"' "$tmp/claims-1.json" | wc -l)" -eq 50
check blocks-kinds grep -q '"rule":"table.unique".*"rule":"table.row.padding"\|"rule":"table.row.padding".*"rule":"table.unique"' "$tmp/claims-1.json"
check blocks-rc test "$(cat "$tmp/claims-1.rc")" = 1
check blocks-2-same cmp -s "$tmp/claims-1.json" "$tmp/claims-2.json"
check blocks-3-same cmp -s "$tmp/claims-1.json" "$tmp/claims-3.json"
check blocks-rc-same test "$(cat "$tmp/claims-1.rc" "$tmp/claims-2.rc" "$tmp/claims-3.rc" | sort -u)" = 1

# The transform's rows, each block's written apart and joined in order: the command's at 1 and
# 3 threads, and the daemon's (its checking pass cuts the file the same way), byte for byte.
awk 'BEGIN {
  print "ref,note,rent,band";
  for (i = 0; i < 150000; i++) {
    r = i % 50000;
    note = sprintf("a longer note for claim %d: long enough that the file needs several blocks of the checker on every core", i);
    if (i % 7919 == 0) note = sprintf("\"claim %d: one line,\nand another\"", i);
    printf "%d,%s,%d.%02d,%s\n", i + 1, note, r / 100, r % 100, substr("ABC", int(i / 50000) % 3 + 1, 1);
  }
}' >"$tmp/claims-ok.csv"
"$rbgate" transform --schema "$tmp/claims.json" --threads 1 -o "$tmp/rows-1.csv" \
  "$tmp/claims-ok.csv" 2>"$tmp/rows-1.err"
check transform-1-rc test $? -eq 0
"$rbgate" transform --schema "$tmp/claims.json" --threads 3 -o "$tmp/rows-3.csv" \
  "$tmp/claims-ok.csv" 2>"$tmp/rows-3.err"
check transform-3-rc test $? -eq 0
check transform-big-enough test "$(stat -c %s "$tmp/claims-ok.csv")" -gt $((16 << 20))
check transform-rows test "$(grep -c '^[0-9]' "$tmp/rows-1.csv")" -eq 150000
check transform-blocks-same cmp -s "$tmp/rows-1.csv" "$tmp/rows-3.csv"
b=$tmp/b
"$rbgate" init "$b" >/dev/null
mkdir -p "$b/schemas" "$b/incoming/claims"
cp "$tmp/claims.json" "$b/schemas/"
sed -i 's|^schema_dirs = \[\]|schema_dirs = ["schemas"]|' "$b/rbgate.toml"
printf '\n[[route]]\nname = "claims"\nfeed = "claims"\ntransform = "csv"\ndestinations = ["delivered"]\n\n[route.settle]\nstable_seconds = 0\n' >>"$b/rbgate.toml"
cp "$tmp/claims-ok.csv" "$b/incoming/claims/"
"$rbgate" run --once --config "$b/rbgate.toml" 2>"$tmp/b.log"
delivered=$(ls "$b"/delivered/*_claims-ok.csv.csv 2>/dev/null)
check daemon-blocks-delivered test -n "$delivered"
check daemon-blocks-rows cmp -s "$delivered" "$tmp/rows-1.csv"
check daemon-blocks-clean grep -q 'outcome=delivered size=[0-9]* records=150000 errors=0' "$tmp/b.log"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
