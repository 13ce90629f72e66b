#!/usr/bin/env bash
# The main job: start the gateway on a demo spool (embedded defaults: SQLite ledger, no
# server to install), drop generated files into it (valid, faulty, a duplicate, one still
# being written), and show where each went and why. Does all set-up on a fresh Debian 12.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/build.sh" release >/dev/null
rbgate="$here/build/release/gateway/rbgate"
demo="$here/demo"
rm -rf "$demo"
"$rbgate" init "$demo" >/dev/null
# Settle quickly for the demo; files are judged by their own creation date.
sed -i 's/stable_seconds = 2/stable_seconds = 1/' "$demo/rbgate.toml"
in="$demo/incoming/auto"
step() { printf '\n\033[1m%s\033[0m\n' "$*"; }

step "rbgate init demo   (spool, commented rbgate.toml, SQLite ledger; started in the background)"
"$rbgate" run --config "$demo/rbgate.toml" 2>"$demo/rbgate.log" &
daemon=$!
trap 'kill -TERM $daemon 2>/dev/null || true' EXIT

step "Dropping files into demo/incoming/auto/"
"$rbgate" gen bacs18 --records 2000 --seed 7 -o "$in/council-tax-dd.s18"
"$rbgate" gen bacs18 --records 500 --seed 8 --multi-day -o "$in/business-rates-dd.s18"
"$rbgate" gen bacs18 --records 2000 --seed 9 --fault modulus --fault contra-mismatch \
  -o "$in/housing-benefit.s18"
cp "$in/council-tax-dd.s18" "$in/council-tax-dd-resent.s18"  # the same file sent twice
"$rbgate" gen arudd --records 40 --seed 11 -o "$in/ARUDD-returns.xml"          # a bank's returns
"$rbgate" gen arudd --records 40 --seed 12 --fault totals-value -o "$in/ARUDD-bad-totals.xml"
"$rbgate" gen bacs18 --records 300 --seed 10 -o "$demo/landlords.s18"
head -c 9000 "$demo/landlords.s18" >"$in/landlords.s18.part"  # a transfer still under way
ls -l "$in" | tail -n +2

step "Waiting for the gateway (it takes a file once its size and mtime are still for 1 s)"
for _ in $(seq 100); do
  [ "$(ls "$demo/delivered" | wc -l)" -ge 3 ] && [ "$(ls "$demo/quarantine" | wc -l)" -ge 3 ] && break
  sleep 0.1
done
step "The transfer finishes: the rest is written, then landlords.s18.part is renamed"
tail -c +9001 "$demo/landlords.s18" >>"$in/landlords.s18.part"
mv "$in/landlords.s18.part" "$in/landlords.s18"
for _ in $(seq 100); do
  [ "$(ls "$demo/delivered" | wc -l)" -ge 4 ] && break
  sleep 0.1
done
rm -f "$demo/landlords.s18"
sleep 0.5
kill -TERM "$daemon"
wait "$daemon" || true
trap - EXIT

step "What the gateway logged (demo/rbgate.log)"
cat "$demo/rbgate.log"

step "rbgate ledger list   (every file: name, SHA-256, feed, state, outcome)"
"$rbgate" ledger list --config "$demo/rbgate.toml"

step "Delivered (demo/delivered/, named by content hash) and archived (demo/archive/)"
ls "$demo/delivered"
find "$demo/archive" -name '*.zst' | sed "s|$here/||"

step "rbgate quarantine list"
"$rbgate" quarantine list --config "$demo/rbgate.toml"
id=$("$rbgate" quarantine list --config "$demo/rbgate.toml" --format json |
  grep -o '"id":"[^"]*","name":"housing-benefit.s18"' | cut -d'"' -f4)
step "rbgate quarantine show $id"
"$rbgate" quarantine show "$id" --config "$demo/rbgate.toml"

step "rbgate stats"
"$rbgate" stats --config "$demo/rbgate.toml"
echo
echo "Try: rbgate quarantine release ID --reason TEXT [--force-duplicate] --config demo/rbgate.toml"
