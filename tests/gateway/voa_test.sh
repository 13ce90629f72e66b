#!/usr/bin/env bash
# The VOA feeds end to end with the real binary: generated lists and schedules, `rbgate voa
# balance` in its three formats and exit codes, and the daemon keeping the list on record,
# quarantining a schedule with nothing to balance against or that does not balance (with its
# reconciliation), and chaining schedules.
set -u
rbgate=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"
source_dir=$(cd "$(dirname "$0")/../.." && pwd)

cd "$tmp"
day=2026-11-15
# An NDR list and a council tax list, and schedules that balance to them.
run gen-ndr-list 0 "$rbgate" gen ndr-list --records 3000 --date 2026-11-01 -o ndr.txt
run gen-ct-list 0 "$rbgate" gen ct-list --records 3000 --date 2026-11-01 -o ct.txt
run check-lists 0 "$rbgate" check --feed ndr-list ndr.txt
run check-ct-list 0 "$rbgate" check --feed ct-list ct.txt
run gen-s1 0 "$rbgate" gen ndr-schedule --for ndr.txt --records 60 --number 1 --date $day -o s1.txt
run gen-s2 0 "$rbgate" gen ndr-schedule --for ndr.txt --after s1.txt --records 60 --number 2 \
  --date 2026-11-30 -o s2.txt
run gen-c1 0 "$rbgate" gen ct-schedule --for ct.txt --records 40 --number 1 --date $day -o c1.txt
# Schedules are detected by their header record.
run check-schedules 0 "$rbgate" check s1.txt c1.txt
check detected-ndr has "$tmp/out" "s1.txt: ndr-schedule"
check detected-ct has "$tmp/out" "c1.txt: ct-schedule"

# Balanced: text, JSON and CSV, exit 0.
run balance-text 0 "$rbgate" voa balance s1.txt --list ndr.txt
check text-title has "$tmp/out" "NDR schedule 1 of 15-NOV-2026 for billing authority 0114"
check text-balanced has "$tmp/out" "BALANCED: the list after this schedule agrees"
for heading in "before" "new" "deleted" "amended" "reinstated" "minor address change" \
  "historic (no change now)" "after" "VOA's figure" "difference"; do
  check "text-row-$heading" grep -q "^  $heading " "$tmp/out"
done
run balance-json 0 "$rbgate" voa balance s1.txt --list ndr.txt --format json
check json-valid python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["balanced"] is True and d["difference"]=={"entries":0,"rateable_value":0} and len(d["changes"])==6' "$tmp/out"
run balance-csv 0 "$rbgate" voa balance s1.txt --list ndr.txt --format csv
check csv-header grep -q '^row,records,entries,rateable_value,line,heading,uarn,reference,problem' "$tmp/out"
check csv-difference grep -q '^difference,,0,0,' "$tmp/out"
run balance-ct 0 "$rbgate" voa balance c1.txt --list ct.txt
check ct-bands has "$tmp/out" "band A"
# The second schedule follows the first, not the list.
run s2-needs-s1 1 "$rbgate" voa balance s2.txt --list ndr.txt

# Not balanced: exit 1, the records that explain it, or none.
run gen-new-listed 0 "$rbgate" gen ndr-schedule --for ndr.txt --records 30 --number 1 \
  --date $day --fault new-listed -o bad1.txt
run balance-new-listed 1 "$rbgate" voa balance bad1.txt --list ndr.txt
check explains has "$tmp/out" "is already in the list"
check not-balanced has "$tmp/out" "NOT BALANCED"
run gen-missed 0 "$rbgate" gen ct-schedule --for ct.txt --records 30 --number 1 --date $day \
  --fault missed-schedule -o bad2.txt
run balance-missed 1 "$rbgate" voa balance bad2.txt --list ct.txt --format json
check missed-json python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["balanced"] is False and d["exceptions"]==[] and d["difference"]["bands"]["C"]==1 and d["difference"]["bands"]["D"]==-1' "$tmp/out"
# A schedule with errors is refused with its findings, never balanced.
run gen-count 0 "$rbgate" gen ndr-schedule --for ndr.txt --records 30 --number 1 --date $day \
  --fault count-mismatch -o bad3.txt
run balance-invalid 1 "$rbgate" voa balance bad3.txt --list ndr.txt
check invalid-finding has "$tmp/err" "error[table.control]"
check invalid-nothing-printed test ! -s "$tmp/out"
# Usage: the wrong list, a list with errors, a file that is no schedule.
run wrong-list 2 "$rbgate" voa balance s1.txt --list ct.txt --list-feed ct-list
run gen-bad-list 0 "$rbgate" gen ndr-list --records 50 --fault bad-date -o badlist.txt
run bad-list 1 "$rbgate" voa balance s1.txt --list badlist.txt
check bad-list-said has "$tmp/err" "it is not used until it is mended"
run no-schedule 2 "$rbgate" voa balance ndr.txt --list ndr.txt

# Billing authority reports: rbgate's XSD agrees with xmllint (libxml2's reference validator)
# on every generated report, valid or with a fault the XSD catches, over several seeds; the
# rules beyond the XSD (reasons needing entries, a band on an NNDR report, trailer counts) pass
# xmllint and are rbgate's alone. DOCTYPE and truncated files are refused unread, not compared.
xsd=$source_dir/schemas/voa/ba_report.xsd
mkdir -p ba
for seed in 1 2 3 4 5; do
  for fault in none bad-reason long-remarks missing-existing record-count ctax-count band-on-nndr; do
    f=ba/$fault-$seed.xml
    if [ "$fault" = none ]; then
      "$rbgate" gen ba-report --records 15 --seed $seed --date $day -o "$f"
    else
      "$rbgate" gen ba-report --records 15 --seed $seed --date $day --fault "$fault" -o "$f"
    fi
    xml_ok=0
    xmllint --noout --schema "$xsd" "$f" >/dev/null 2>&1 || xml_ok=1
    rb_ok=0
    "$rbgate" check --format json "$f" >"ba/$fault-$seed.json" || rb_ok=1
    case $fault in
    none) want_xml=0 want_rb=0 ;;
    bad-reason | long-remarks) want_xml=1 want_rb=1 ;;
    *) want_xml=0 want_rb=1 ;;
    esac
    check "ba-$fault-$seed: xmllint exit $xml_ok (want $want_xml), rbgate $rb_ok (want $want_rb)" \
      test "$xml_ok$rb_ok" = "$want_xml$want_rb"
  done
done
check ba-detected has ba/none-1.json '"feed":"ba-report"'
check ba-entries-rule has ba/missing-existing-1.json '"rule":"voa.ba.entries"'
check ba-trailer-rule has ba/ctax-count-1.json '"rule":"voa.ba.trailer"'
check ba-tax-rule has ba/band-on-nndr-1.json '"rule":"voa.ba.tax"'
run ba-doctype-gen 0 "$rbgate" gen ba-report --records 4 --fault doctype -o ba/doctype.xml
run ba-doctype 1 "$rbgate" check ba/doctype.xml
check ba-doctype-refused has "$tmp/out" "xml.doctype"

# The daemon: a route for lists, schedules detected on the automatic route.
run init 0 "$rbgate" init spool
cat >>spool/rbgate.toml <<'EOF'

[[route]]
name = "voa-lists"
feed = "ndr-list"
destinations = ["delivered"]
EOF
sed -i 's/^voa_authorities = \[\]/voa_authorities = ["0114"]/' spool/rbgate.toml
export RBGATE_CONFIG=$tmp/spool/rbgate.toml
mkdir -p spool/incoming/voa-lists
state_of() {  # state_of NAME: the ledger state of the file received as NAME
  "$rbgate" ledger list --format json |
    python3 -c 'import json,sys; print(" ".join(f["state"] for f in json.load(sys.stdin)["files"] if f["name"]==sys.argv[1]))' "$1"
}
id_of() {
  "$rbgate" ledger list --format json |
    python3 -c 'import json,sys; print(" ".join(f["id"] for f in json.load(sys.stdin)["files"] if f["name"]==sys.argv[1]))' "$1"
}
# A schedule before any list: nothing to balance against.
cp s1.txt spool/incoming/auto/
run once-1 0 "$rbgate" run --once
check no-list-quarantined test "$(state_of s1.txt)" = quarantined
run show-no-list 0 "$rbgate" quarantine show "$(id_of s1.txt)"
check no-list-said has "$tmp/out" "voa.no-list: no rating list for billing authority 0114"
run lists-none 0 "$rbgate" voa lists
check lists-none-said has "$tmp/out" "no lists on record"
# The list is accepted and recorded; the schedule, reprocessed, balances and is recorded.
cp ndr.txt spool/incoming/voa-lists/
run once-2 0 "$rbgate" run --once
check list-delivered test "$(state_of ndr.txt)" = delivered
run lists-one 0 "$rbgate" voa lists --format json
check list-recorded python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["lists"]; assert len(d)==1 and d[0]["from"]=="list" and d[0]["billing_authority"]=="0114"' "$tmp/out"
run reprocess 0 "$rbgate" quarantine reprocess "$(id_of s1.txt)" --reason "the list is loaded"
check s1-delivered test "$(state_of s1.txt)" = delivered
run lists-after-s1 0 "$rbgate" voa lists
check after-s1 has "$tmp/out" "schedule 1 of 15-NOV-2026"
run ledger-detail 0 "$rbgate" ledger show "$(id_of s1.txt)"
check balanced-detail has "$tmp/out" "schedule 1 balanced"
# The next schedule balances against the list after the first, which the ledger holds.
run balance-on-record 0 "$rbgate" voa balance s2.txt
check on-record-source has "$tmp/out" "before: the ledger: the list after schedule 1"
cp s2.txt spool/incoming/auto/
run once-3 0 "$rbgate" run --once
check s2-delivered test "$(state_of s2.txt)" = delivered
# One that does not balance waits in quarantine with its reconciliation, and the list on
# record is left as it was.
run gen-missed-3 0 "$rbgate" gen ndr-schedule --for ndr.txt --after s1.txt --after s2.txt \
  --records 20 --number 3 --date 2026-12-01 --fault missed-schedule -o s3.txt
cp s3.txt spool/incoming/auto/
run once-4 0 "$rbgate" run --once
check s3-quarantined test "$(state_of s3.txt)" = quarantined
run show-s3 0 "$rbgate" quarantine show "$(id_of s3.txt)"
check s3-reason has "$tmp/out" "voa.balance: schedule 3 applied to the list on record"
check s3-reconciliation has "$tmp/out" "NOT BALANCED"
check s3-no-record has "$tmp/out" "No record of the schedule explains the difference"
run show-s3-json 0 "$rbgate" quarantine show "$(id_of s3.txt)" --format json
check s3-json python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "NOT BALANCED" in d["balance"]' "$tmp/out"
run lists-after-s3 0 "$rbgate" voa lists
check still-after-s2 has "$tmp/out" "schedule 2 of 30-NOV-2026"
# The same schedule twice is a duplicate, not applied again.
cp s2.txt spool/incoming/auto/s2-again.txt
run once-5 0 "$rbgate" run --once
check duplicate-quarantined test "$(state_of s2-again.txt)" = quarantined
run lists-after-dup 0 "$rbgate" voa lists
check dup-not-applied has "$tmp/out" "schedule 2 of 30-NOV-2026"
# Only the configured authority's entries are kept from a country's list.
run gen-country 0 "$rbgate" gen ndr-list --records 6000 --councils 3 --ba 0113 -o country.txt
cp country.txt spool/incoming/voa-lists/
run once-6 0 "$rbgate" run --once
run lists-country 0 "$rbgate" voa lists --format json
check only-0114 python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["lists"]; assert [l["billing_authority"] for l in d]==["0114"] and d[0]["from"]=="list" and d[0]["entries"]<2100' "$tmp/out"
run audit 0 "$rbgate" audit verify

echo "voa_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
