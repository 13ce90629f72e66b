#!/usr/bin/env bash
# The main job: start the gateway on a demo spool (embedded defaults: SQLite ledger, no
# server to install), drop generated files of every feed family into it (Bacs payments and
# the banks' answers, valid, faulty, a duplicate, one still being written; payments, VEP,
# ATLAS, SHBE, a landlord's rent pair, a VOA list and its schedule), show where each went and
# why, and where the officers' console is. Does all set-up on a fresh Debian 12.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/build.sh" release >/dev/null
rbgate="$here/build/release/gateway/rbgate"
demo="$here/demo"
rm -rf "$demo"
"$rbgate" init "$demo" >/dev/null
# Settle quickly for the demo; bank reports go to the R&B system with their rows (CSV).
# The admin server on any free port (the log says which), so a busy 8490 cannot stop the demo.
sed -i 's/stable_seconds = 2/stable_seconds = 1/; s/^transform = "none"/transform = "csv"/;
        s/^listen = "127.0.0.1:8490"/listen = "127.0.0.1:0"/' "$demo/rbgate.toml"
in="$demo/incoming/auto"
# The VOA's lists and schedules have no header to be recognised by: each has its route.
for r in voa-list:ndr-list voa-schedules:ndr-schedule; do
  cat >>"$demo/rbgate.toml" <<TOML

[[route]]
name = "${r%%:*}"
feed = "${r#*:}"
destinations = ["delivered"]
[route.settle]
stable_seconds = 1
TOML
  mkdir -p "$demo/incoming/${r%%:*}"
done
# An officer for the web console (a demo password: never one like it on a real gateway).
password="demo-officer-password"
printf '[[user]]\nname = "officer"\nrole = "approver"\npassword = "%s"\n' \
  "$(printf '%s\n' "$password" | "$rbgate" admin hash-password)" >"$demo/users.toml"
sed -i 's|^users_file = ""|users_file = "users.toml"|' "$demo/rbgate.toml"
step() { printf '\n\033[1m%s\033[0m\n' "$*"; }
# Waits (up to 10 s) until D originals are delivered (rows not counted) and Q quarantined.
wait_for() {
  for _ in $(seq 100); do
    [ "$(ls "$demo/delivered" | grep -vc '\.csv$')" -ge "$1" ] &&
      [ "$(ls "$demo/quarantine" | wc -l)" -ge "$2" ] && return 0
    sleep 0.1
  done
}

step "rbgate init demo   (spool, commented rbgate.toml, SQLite ledger; started in the background)"
"$rbgate" run --config "$demo/rbgate.toml" 2>"$demo/rbgate.log" &
daemon=$!
trap 'kill -TERM $daemon 2>/dev/null || true' EXIT

step "Dropping files into demo/incoming/auto/"
"$rbgate" gen bacs18 --records 2000 --seed 7 --serial 000101 -o "$in/council-tax-dd.s18"
"$rbgate" gen bacs18 --records 500 --seed 8 --serial 000102 --multi-day \
  -o "$in/business-rates-dd.s18"
"$rbgate" gen bacs18 --records 2000 --seed 9 --serial 000103 --fault modulus \
  --fault contra-mismatch -o "$in/housing-benefit.s18"
cp "$in/council-tax-dd.s18" "$in/council-tax-dd-resent.s18"  # the same file sent twice
"$rbgate" gen arudd --records 3 --seed 11 -o "$in/ARUDD-returns.xml"  # returns of items never sent
"$rbgate" gen arudd --records 40 --seed 12 --fault totals-value -o "$in/ARUDD-bad-totals.xml"
"$rbgate" gen bacs18 --records 300 --seed 10 --serial 000104 -o "$demo/landlords.s18"
head -c 9000 "$demo/landlords.s18" >"$in/landlords.s18.part"  # a transfer still under way
ls -l "$in" | tail -n +2

step "Waiting for the gateway (it takes a file once its size and mtime are still for 1 s)"
wait_for 3 3
step "The transfer finishes: the rest is written, then landlords.s18.part is renamed"
tail -c +9001 "$demo/landlords.s18" >>"$in/landlords.s18.part"
mv "$in/landlords.s18.part" "$in/landlords.s18"
wait_for 4 3
rm -f "$demo/landlords.s18"

step "Days later, the banks answer the council-tax collection (generated from the file itself)"
# Whichever copy was accepted (the other is quarantined as its duplicate).
sent="$demo/delivered/$(ls "$demo/delivered" | grep -E '_council-tax-dd(-resent)?\.s18$' | head -1)"
"$rbgate" gen input --for "$sent" -o "$in/INPUT-council-tax.xml"     # Bacs accepted it all
"$rbgate" gen input --for "$sent" --fault totals -o "$in/INPUT-council-tax-amended.xml"
"$rbgate" gen arudd --for "$sent" --records 6 -o "$in/ARUDD-council-tax.xml"   # 6 unpaid
"$rbgate" gen arudd --for "$sent" --records 1 --seed 3 --date "$(date -u -d '+7 days' +%F)" \
  -o "$in/ARUDD-council-tax-again.xml"  # the next day's report returns one of them again
ls -l "$in" | tail -n +2
wait_for 7 4

step "Every other feed family: a landlord's reference map, payments, HMRC VEP alerts, a DWP ATLAS notification file, the SHBE extract, the VOA's rating list"
"$rbgate" gen rsl-refmap --records 40 --seed 21 -o "$in/landlord-refmap.csv"
"$rbgate" gen payments --records 30 --seed 22 -o "$in/payments.csv"
"$rbgate" gen vep --records 50 --seed 23 -o "$in/VEP-alerts.jsonl"
"$rbgate" gen atlas --records 20 --seed 24 -o "$in/ATLAS-notifications.xml"
"$rbgate" gen shbe --records 20 --seed 25 -o "$in/SHBE-extract.csv"
"$rbgate" gen ndr-list --records 2000 --councils 1 --seed 26 -o "$demo/ndr-list.txt"
cp "$demo/ndr-list.txt" "$demo/incoming/voa-list/ndr-list.txt"
wait_for 13 4
step "Then the landlord's rent changes (checked against its reference map) and the VOA's schedule of alterations (balanced against the list on record)"
"$rbgate" gen rsl-rents --records 40 --seed 21 -o "$in/landlord-rents.csv"
"$rbgate" gen ndr-schedule --for "$demo/ndr-list.txt" --records 25 --seed 27 \
  -o "$demo/incoming/voa-schedules/ndr-schedule-1.txt"
rm -f "$demo/ndr-list.txt"
wait_for 15 4
sleep 0.5
admin=$(grep -o 'admin-listening url=[^ ]*' "$demo/rbgate.log" | cut -d= -f2)
step "The officers' console is at $admin/ (user officer, password $password) while rbgate run runs"
curl -sf -o /dev/null -w 'GET / -> HTTP %{http_code}\n' "$admin/"
step "curl $admin/metrics   (what Prometheus scrapes; a few of the lines)"
curl -sf "$admin/metrics" -o "$demo/metrics.txt"
grep -m 14 -E '^rbgate_(files_total|findings_total|files_waiting|quarantined_files|ledger_up)' \
  "$demo/metrics.txt"
step "curl $admin/readyz"
curl -sf "$admin/readyz"
kill -TERM "$daemon"
wait "$daemon" || true
trap - EXIT

step "What the gateway logged (demo/rbgate.log)"
cat "$demo/rbgate.log"

step "rbgate ledger list   (every file: name, SHA-256, feed, state, outcome)"
"$rbgate" ledger list --config "$demo/rbgate.toml"

step "Delivered (demo/delivered/, named by content hash; reports with their rows) and archived"
ls "$demo/delivered"
find "$demo/archive" -name '*.zst' | sed "s|$here/||"
step "The rows of the council-tax returns, for the R&B system (first 3 lines)"
head -3 "$demo"/delivered/*_ARUDD-council-tax.xml.csv

step "rbgate reconcile   (returns matched against the Direct Debits the gateway sent)"
"$rbgate" reconcile --config "$demo/rbgate.toml" || true

step "rbgate quarantine list"
"$rbgate" quarantine list --config "$demo/rbgate.toml"
id=$("$rbgate" quarantine list --config "$demo/rbgate.toml" --format json |
  grep -o '"id":"[^"]*","name":"housing-benefit.s18"' | cut -d'"' -f4)
step "rbgate quarantine show $id"
"$rbgate" quarantine show "$id" --config "$demo/rbgate.toml"
id=$("$rbgate" quarantine list --config "$demo/rbgate.toml" --format json |
  grep -o '"id":"[^"]*","name":"INPUT-council-tax-amended.xml"' | cut -d'"' -f4)
step "rbgate quarantine show $id   (Bacs's input report disagrees with what was sent)"
"$rbgate" quarantine show "$id" --config "$demo/rbgate.toml"

step "rbgate voa lists   (the rating list on record, as after the schedule)"
"$rbgate" voa lists --config "$demo/rbgate.toml"

step "rbgate stats"
"$rbgate" stats --config "$demo/rbgate.toml"

step "rbgate audit verify   (every transition and officer's action, hash-chained)"
"$rbgate" audit verify --config "$demo/rbgate.toml"
echo
echo "Try: rbgate quarantine release ID --reason TEXT [--force-duplicate] --config demo/rbgate.toml"
echo "The console: rbgate run --config demo/rbgate.toml, then the admin-listening url in its log"
echo "(user officer, password $password); docs/officers.md says what it shows."
