#!/usr/bin/env bash
# Runs the real rbgate binary: exit codes, help, JSON, masking, I/O errors.
set -u
rbgate=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
expect() {  # expect NAME WANTED_EXIT COMMAND...
  local name=$1 want=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name: exit $got, wanted $want"
    sed 's/^/  out: /' "$tmp/out" | head -5
    sed 's/^/  err: /' "$tmp/err" | head -5
  fi
}
contains() {  # contains NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then pass=$((pass + 1)); else
    fail=$((fail + 1))
    echo "FAIL $1: '$3' not in $2"
    head -5 "$2" | sed 's/^/  /'
  fi
}
lacks() {
  if grep -qF -- "$3" "$2"; then
    fail=$((fail + 1))
    echo "FAIL $1: '$3' unexpectedly in $2"
  else pass=$((pass + 1)); fi
}

expect help 0 "$rbgate" --help
contains help "$tmp/out" "check"
expect check-help 0 "$rbgate" check --help
contains check-help "$tmp/out" "--as-of"
expect gen-help 0 "$rbgate" gen bacs18 --help
contains gen-help "$tmp/out" "contra-mismatch"
expect rules 0 "$rbgate" rules
contains rules "$tmp/out" "bacs18.utl1.debit-total"
contains rules "$tmp/out" "dd-instructions.reference"
contains rules "$tmp/out" "feed.unknown"
expect no-command 2 "$rbgate"

# A feed added as one folder (schemas/dd_instructions) is known everywhere: detected, checked,
# transformed, listed with its rules; its & arrives as & (not libxml2's &#38;).
cat >"$tmp/dd.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<DDInstructions sun="123456" created="2026-12-01" count="1">
  <Instruction code="0N" reference="CT00012345" sortCode="08-99-99" accountNumber="66374958"
               accountName="C &amp; D TRADING" signed="2026-11-30"/>
</DDInstructions>
XML
expect dd-check 0 "$rbgate" check "$tmp/dd.xml"
contains dd-check "$tmp/out" "dd-instructions (1 record, "
expect dd-transform 0 "$rbgate" transform "$tmp/dd.xml"
contains dd-transform "$tmp/out" "CT00012345,089999,66374958,C & D TRADING,2026-11-30"
expect dd-list 0 "$rbgate" schema list
contains dd-list "$tmp/out" "dd-instructions"
expect bad-option 2 "$rbgate" check --frobnicate x
expect bad-format 2 "$rbgate" check --format xml x

expect gen-good 0 "$rbgate" gen bacs18 --records 500 --seed 3 --date 2026-11-23 -o "$tmp/good.s18"
expect gen-bad 0 "$rbgate" gen bacs18 --records 500 --seed 3 --date 2026-11-23 \
  --fault debit-total --fault modulus -o "$tmp/bad.s18"
expect gen-unknown-fault 2 "$rbgate" gen bacs18 --fault nope -o "$tmp/x.s18"

expect check-good 0 "$rbgate" check "$tmp/good.s18"
contains check-good "$tmp/out" "valid, 0 errors, 0 warnings"
expect check-bad 1 "$rbgate" check "$tmp/bad.s18"
contains check-bad "$tmp/out" "error[bacs18.utl1.debit-total]"
contains check-bad "$tmp/out" "error[bacs18.modulus.failed]"
contains check-bad "$tmp/out" "  = hint: "
expect check-both 1 "$rbgate" check "$tmp/good.s18" "$tmp/bad.s18"

expect json 1 "$rbgate" check --format json "$tmp/good.s18" "$tmp/bad.s18"
contains json "$tmp/out" '{"files":[{"path":'
contains json "$tmp/out" '"valid":true'
contains json "$tmp/out" '"valid":false'
contains json "$tmp/out" '"rule":"bacs18.modulus.failed","severity":"error","line":'
contains json "$tmp/out" '"suppressed":{}'

# Personal data is masked unless asked for.
"$rbgate" check "$tmp/bad.s18" >"$tmp/masked" 2>&1
"$rbgate" check --show-personal-data "$tmp/bad.s18" >"$tmp/shown" 2>&1
contains masked "$tmp/masked" "********"
lacks masked "$tmp/masked" "COUNCIL TAX       CT"
contains shown "$tmp/shown" "COUNCIL TAX       CT"

# --as-of moves the judgement of processing days.
expect as-of-late 1 "$rbgate" check --as-of 2026-12-31 "$tmp/good.s18"
contains as-of-late "$tmp/out" "bacs18.calendar.before-as-of"
expect as-of-bad 2 "$rbgate" check --as-of 2026-02-30 "$tmp/good.s18"
contains as-of-bad "$tmp/err" "--as-of"

# A calendar that stops short is an error, never a silent pass.
printf '{"england-and-wales":{"events":[{"title":"x","date":"2020-01-01"}]}}' >"$tmp/old.json"
expect old-calendar 1 "$rbgate" check --calendar "$tmp/old.json" "$tmp/good.s18"
contains old-calendar "$tmp/out" "bacs18.calendar.out-of-range"
expect bad-calendar 2 "$rbgate" check --calendar "$tmp/nope.json" "$tmp/good.s18"

# Modulus tables: an explicit directory that is wrong is a usage error; none is a warning.
expect bad-modulus-dir 2 "$rbgate" check --modulus-dir "$tmp" "$tmp/good.s18"
contains bad-modulus-dir "$tmp/err" "valacdos"
expect no-modulus 0 "$rbgate" check --no-modulus "$tmp/good.s18"
contains no-modulus "$tmp/out" "bacs18.modulus.tables-missing"

# I/O problems: exit 2 with a one-line reason.
expect missing 2 "$rbgate" check "$tmp/missing.s18"
contains missing "$tmp/err" "missing.s18: cannot open"
expect directory 2 "$rbgate" check "$tmp"
contains directory "$tmp/err" "not a regular file"
printf 'hello' >"$tmp/hello.txt"
expect forced-feed 1 "$rbgate" check --feed bacs18 "$tmp/hello.txt"
: >"$tmp/empty.s18"
expect empty 1 "$rbgate" check --feed bacs18 "$tmp/empty.s18"
contains empty "$tmp/out" "bacs18.file.empty"

# Bank returns (XML): generated, detected, checked.
expect gen-arudd 0 "$rbgate" gen arudd --records 30 --date 2026-11-25 -o "$tmp/arudd.xml"
expect check-arudd 0 "$rbgate" check "$tmp/arudd.xml"
contains check-arudd "$tmp/out" "arudd (30 records"
expect gen-arudd-xxe 0 "$rbgate" gen arudd --fault doctype -o "$tmp/xxe.xml"
expect check-xxe 1 "$rbgate" check --format json "$tmp/xxe.xml"
contains check-xxe "$tmp/out" '"rule":"xml.doctype"'
lacks check-xxe "$tmp/out" "root:"

expect transform-csv 0 "$rbgate" transform "$tmp/arudd.xml" -o "$tmp/arudd.csv"
contains transform-csv "$tmp/arudd.csv" "report_type,advice_number,processing_date"
contains transform-csv "$tmp/err" "30 rows"
expect transform-jsonl 0 "$rbgate" transform --format jsonl "$tmp/arudd.xml"
contains transform-jsonl "$tmp/out" '"amount_pence":'
expect gen-arudd-bad 0 "$rbgate" gen arudd --fault totals-count -o "$tmp/bad-arudd.xml"
expect transform-invalid 1 "$rbgate" transform "$tmp/bad-arudd.xml" -o "$tmp/bad.csv"
contains transform-invalid "$tmp/err" "arudd.totals.count"
contains transform-invalid "$tmp/err" "nothing written to"
expect transform-invalid-no-file 1 test -e "$tmp/bad.csv"
expect transform-invalid-no-partial 1 test -e "$tmp/bad.csv.partial"
expect gen-input 0 "$rbgate" gen input --records 4 -o "$tmp/input.xml"
expect check-input 0 "$rbgate" check "$tmp/input.xml"
contains check-input "$tmp/err" "only where the ledger is"
expect transform-input 0 "$rbgate" transform "$tmp/input.xml"
contains transform-input "$tmp/out" "report_type,report_date,submission_reference,volume_serial"
expect transform-bacs18 2 "$rbgate" transform "$tmp/good.s18"
contains transform-bacs18 "$tmp/err" "no transform"

# Files of no known feed are a verdict (exit 1, feed.unknown), not a usage error.
expect unknown-text 1 "$rbgate" check "$tmp/hello.txt"
contains unknown-text "$tmp/out" "error[feed.unknown]: text (1 line in the file"
printf 'account,name,amount\r\n12345678,A N OTHER,10.00\r\n' >"$tmp/rents.csv"
expect unknown-csv 1 "$rbgate" check "$tmp/rents.csv"
contains unknown-csv "$tmp/out" "rents.csv:1:1: error[feed.unknown]: comma-separated text (3 fields"
contains unknown-csv "$tmp/out" "rents.csv: no known feed (0 records, 47 bytes): INVALID"
expect unknown-csv-json 1 "$rbgate" check --format json "$tmp/rents.csv"
contains unknown-csv-json "$tmp/out" '"rule":"feed.unknown","severity":"error","line":1,"column":1'
head -c 100000 /dev/urandom >"$tmp/random.bin"
expect unknown-random 1 "$rbgate" check "$tmp/random.bin"
contains unknown-random "$tmp/out" "error[feed.unknown]: binary: "
contains unknown-random "$tmp/out" "% of the first 4 KiB are not text"
nested() {  # 100,000 nested elements before the report element
  printf '<?xml version="1.0"?>\n<BACSDocument><Data>'
  head -c 300000 /dev/zero | tr '\0' 'x' | sed 's/xxx/<a>/g'
  sed -n '/<ARUDD>/,$p' "$tmp/arudd.xml"
}
nested >"$tmp/nested.xml"
expect unknown-nested 1 "$rbgate" check "$tmp/nested.xml"
contains unknown-nested "$tmp/out" \
  "XML whose root is BACSDocument, but no report element rbgate knows in the first 64 KiB"
long_doctype() {  # a DOCTYPE whose internal subset pushes the report past the window
  printf '<?xml version="1.0"?>\n<!DOCTYPE BACSDocument [\n'
  head -c 100000 /dev/zero | tr '\0' ' '
  printf ']>\n'
  sed '1d' "$tmp/arudd.xml"
}
long_doctype >"$tmp/doctype.xml"
expect doctype-detected 1 "$rbgate" check "$tmp/doctype.xml"
contains doctype-detected "$tmp/out" "doctype.xml:2:1: error[xml.doctype]: a DOCTYPE (BACSDocument)"
expect doctype-named 1 "$rbgate" check --feed arudd "$tmp/doctype.xml"
contains doctype-named "$tmp/out" "error[xml.doctype]"
expect unknown-transform 1 "$rbgate" transform "$tmp/rents.csv"
contains unknown-transform "$tmp/err" "feed.unknown"

# Standard input: detected, or named with --feed; a pipe or a redirected file.
expect stdin-pipe 0 sh -c "cat '$tmp/arudd.xml' | '$rbgate' check -"
contains stdin-pipe "$tmp/out" "<stdin>: arudd (30 records"
expect stdin-redirect 1 sh -c "'$rbgate' check --format json - <'$tmp/rents.csv'"
contains stdin-redirect "$tmp/out" '"path":"<stdin>","feed":""'
expect stdin-feed 1 sh -c "cat '$tmp/hello.txt' | '$rbgate' check --feed bacs18 -"
expect stdin-twice 2 "$rbgate" check - -

# Hostile XML: limits hold for every shape, reported by their own rules (files made here).
signed() {  # an otherwise valid ARUDD whose Signature holds $1 MiB of base64 in 76-byte lines
  sed -n '1,/<SignatureMethod>/p' "$tmp/arudd.xml"
  printf '  <Signature>\n'
  head -c $(($1 << 20)) /dev/zero | tr '\0' 'Q' | fold -w 76
  printf '\n</Signature>\n</BACSDocument>\n'
}
signed 300 >"$tmp/signature.xml"
expect huge-signature 1 "$rbgate" check "$tmp/signature.xml"
contains huge-signature "$tmp/out" "error[xml.limit.text]: the text of <Signature> passes the limit"
signed 1 >"$tmp/signature-1m.xml"
expect signature-1m 0 "$rbgate" check "$tmp/signature-1m.xml"
long_attribute() {  # a 50 MiB attribute
  sed -n '1,/<ARUDD>/p' "$tmp/arudd.xml"
  printf '<Header reportType="'
  head -c $((50 << 20)) /dev/zero | tr '\0' 'R'
  printf '"/>\n'
  sed -n '/<\/Header>/,$p' "$tmp/arudd.xml"
}
long_attribute >"$tmp/attribute.xml"
expect huge-attribute 1 "$rbgate" check "$tmp/attribute.xml"
contains huge-attribute "$tmp/out" "error[xml.limit.attribute]: attribute reportType of <Header>"
lacks huge-attribute "$tmp/out" "Huge input lookup"
rm -f "$tmp/signature.xml" "$tmp/attribute.xml"

# Reconciliation: a Direct Debit file through a spool, then returns of its own items.
expect rec-init 0 "$rbgate" init "$tmp/sp"
expect rec-gen18 0 "$rbgate" gen bacs18 --records 300 --seed 9 -o "$tmp/dd.s18"
expect rec-gen-arudd 0 "$rbgate" gen arudd --for "$tmp/dd.s18" --records 4 -o "$tmp/ret1.xml"
expect rec-gen-arudd-again 0 "$rbgate" gen arudd --for "$tmp/dd.s18" --records 1 --seed 3 \
  -o "$tmp/ret2.xml"
expect rec-gen-arucs-none 2 "$rbgate" gen arudd --arucs --for "$tmp/dd.s18" -o "$tmp/c.xml"
contains rec-gen-arucs-none "$tmp/err" "no credits to return"
expect rec-empty 0 "$rbgate" reconcile --config "$tmp/sp/rbgate.toml"
contains rec-empty "$tmp/out" "0 matched"
cp "$tmp/dd.s18" "$tmp/sp/incoming/auto/"
expect rec-run1 0 "$rbgate" run --once --config "$tmp/sp/rbgate.toml"
cp "$tmp/ret1.xml" "$tmp/sp/incoming/auto/"
expect rec-run2 0 "$rbgate" run --once --config "$tmp/sp/rbgate.toml"
expect rec-matched 0 "$rbgate" reconcile --config "$tmp/sp/rbgate.toml"
contains rec-matched "$tmp/out" "4 matched"
ref=$(grep -o 'ReturnedDebitItem ref="[^"]*"' "$tmp/ret1.xml" | head -1 | cut -d'"' -f2)
lacks rec-masked "$tmp/out" "$ref"
cp "$tmp/ret2.xml" "$tmp/sp/incoming/auto/"
expect rec-run3 0 "$rbgate" run --once --config "$tmp/sp/rbgate.toml"
expect rec-twice 1 "$rbgate" reconcile --config "$tmp/sp/rbgate.toml" --format csv \
  --show-personal-data
contains rec-twice "$tmp/out" "returned-twice,ARUDD,123456,ret2.xml"
contains rec-twice "$tmp/out" "$ref"
expect rec-json 1 "$rbgate" reconcile --config "$tmp/sp/rbgate.toml" --format json
contains rec-json "$tmp/out" '"returned_twice":1'
expect rec-range 0 "$rbgate" reconcile --config "$tmp/sp/rbgate.toml" --to 2026-01-01
contains rec-range "$tmp/out" "0 matched"
expect rec-purge 0 "$rbgate" ledger purge-items --config "$tmp/sp/rbgate.toml" --before 2099-01-01
contains rec-purge "$tmp/out" "sent,"
expect rec-purged 0 "$rbgate" reconcile --config "$tmp/sp/rbgate.toml"
contains rec-purged "$tmp/out" "0 matched"
expect rec-bad-date 2 "$rbgate" reconcile --config "$tmp/sp/rbgate.toml" --from 2026-02-30
contains rec-bad-date "$tmp/err" "--from"

# A transforming route: the report goes with its rows; config mistakes are named.
expect tr-init 0 "$rbgate" init "$tmp/tr"
sed -i 's/^transform = "none"/transform = "csv"/' "$tmp/tr/rbgate.toml"
cp "$tmp/arudd.xml" "$tmp/tr/incoming/auto/"
expect tr-run 0 "$rbgate" run --once --config "$tmp/tr/rbgate.toml"
expect tr-rows 0 sh -c "cat '$tmp'/tr/delivered/*_arudd.xml.csv"
contains tr-rows "$tmp/out" "report_type,advice_number"
expect tr-original 0 sh -c "cmp '$tmp'/tr/delivered/*_arudd.xml '$tmp/arudd.xml'"
sed -i 's/^transform = "csv"/transform = "xml"/' "$tmp/tr/rbgate.toml"
expect tr-bad-name 2 "$rbgate" run --once --config "$tmp/tr/rbgate.toml"
contains tr-bad-name "$tmp/err" "route.transform"
sed -i 's/^transform = "xml"/transform = "jsonl"/; s/^feed = "auto"/feed = "bacs18"/' \
  "$tmp/tr/rbgate.toml"
expect tr-no-rows 2 "$rbgate" run --once --config "$tmp/tr/rbgate.toml"
contains tr-no-rows "$tmp/err" "feed bacs18 has no transform"

# --- multi-record feeds detected by their header record ------------------------------------
expect gen-payments 0 "$rbgate" gen payments --output "$tmp/payments.csv"
expect detect-payments 0 "$rbgate" check "$tmp/payments.csv"
contains detect-payments "$tmp/out" "payments.csv: payments ("
expect gen-shbe 0 "$rbgate" gen shbe --output "$tmp/shbe.csv"
expect detect-shbe 0 "$rbgate" check "$tmp/shbe.csv"
contains detect-shbe "$tmp/out" "shbe.csv: shbe ("
expect gen-vep 0 "$rbgate" gen vep --output "$tmp/vep.jsonl"
{ echo "["; sed '$!s/$/,/' "$tmp/vep.jsonl"; echo "]"; } >"$tmp/vep.json"
expect detect-vep-array 0 "$rbgate" check "$tmp/vep.json"
contains detect-vep-array "$tmp/out" "json array): valid"

# --- ATLAS: our XSD agrees with xmllint (libxml2's reference validator) ---------------------
# Faults the XSD catches must fail xmllint too; the rules beyond the XSD (NINO prefixes,
# dates, duplicates, a partner's NINO) pass xmllint and are rbgate's alone; a valid file passes
# both. The DOCTYPE and truncated faults are not compared: rbgate refuses them unread.
xsd="$(cd "$(dirname "$0")/../.." && pwd)/schemas/atlas/atlas.xsd"
mkdir -p "$tmp/atlas"
for fault in none nino-shape bad-amount unknown-kind bad-nino partner-same dates-reversed duplicate; do
  f="$tmp/atlas/$fault.xml"
  if [ "$fault" = none ]; then
    "$rbgate" gen atlas --records 12 --seed 5 --date 2026-11-12 -o "$f"
  else
    "$rbgate" gen atlas --records 12 --seed 5 --date 2026-11-12 --fault "$fault" -o "$f"
  fi
  xml_ok=0
  xmllint --noout --schema "$xsd" "$f" >/dev/null 2>&1 || xml_ok=1
  rb_ok=0
  "$rbgate" check --format json "$f" >"$tmp/atlas/$fault.json" || rb_ok=1
  case $fault in
  none) want_xml=0 want_rb=0 ;;
  nino-shape | bad-amount | unknown-kind) want_xml=1 want_rb=1 ;;
  *) want_xml=0 want_rb=1 ;;
  esac
  if [ "$xml_ok" -ne "$want_xml" ] || [ "$rb_ok" -ne "$want_rb" ]; then
    fail=$((fail + 1))
    echo "FAIL atlas-$fault: xmllint exit $xml_ok (want $want_xml), rbgate exit $rb_ok (want $want_rb)"
  else
    pass=$((pass + 1))
  fi
done
contains atlas-detected "$tmp/atlas/none.json" '"feed":"atlas"'
contains atlas-schema-rule "$tmp/atlas/bad-amount.json" '"rule":"xml.schema"'
contains atlas-nino-rule "$tmp/atlas/bad-nino.json" '"rule":"atlas.nino"'
contains atlas-duplicate-rule "$tmp/atlas/duplicate.json" '"rule":"atlas.duplicate"'
# The NINO itself is personal data and never appears in a finding (its prefix may).
lacks atlas-nino-masked "$tmp/atlas/bad-nino.json" "$(grep -o 'GB[0-9]\{6\}[A-D]' "$tmp/atlas/bad-nino.xml" | head -1)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
