#!/usr/bin/env bash
# Benchmark: a page of a large archived file in the console. The ~1 GB Standard 18 file
# (bench/common.sh large_file) is taken through a spool (archived with zstd, delivered); then,
# in the same run, the time to the first byte's last line of:
#   zstdcat | sed -n 'A,Bp'       the reference: decompress from the start up to the page
#   GET /api/files/ID/lines       the console's page (decompressed as it is read, masked, JSON)
# for page 4,000 (lines 399,901 to 400,000: the issue's target, under a second) and for the
# file's last page. Wall times of curl against the daemon on loopback, best of $RUNS (default 3).
# Not a test: run it by hand. Usage: bench/console_page.sh [RECORDS]
set -euo pipefail
records=${1:-10000000}
runs=${RUNS:-3}
source "$(dirname "$0")/common.sh"
source "$here/tests/gateway/lib.sh"
work=$data/console
rm -rf "$work"
mkdir -p "$work"
cleanup() { [ -n "${daemon:-}" ] && kill "$daemon" 2>/dev/null; true; }
trap cleanup EXIT
now() { date +%s%N; }
secs() { awk "BEGIN{ printf \"%.3f\", ($2 - $1) / 1e9 }"; }
best() {  # best CMD...: the best wall time of $runs runs
  local b="" t start end
  for _ in $(seq "$runs"); do
    start=$(now)
    "$@" >/dev/null
    end=$(now)
    t=$(secs "$start" "$end")
    if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; fi
  done
  echo "$b"
}

big=$(large_file "$records")
lines=$(wc -l <"$big")
new_spool "$work/s" 2
sed -i 's/^listen = "127.0.0.1:8490"/listen = "127.0.0.1:0"/; s/^users_file = ""/users_file = "users.toml"/' \
  "$work/s/rbgate.toml"
password="a benchmark's long password"
printf '[[user]]\nname = "ops"\nrole = "officer"\npassword = "%s"\n' \
  "$(echo "$password" | "$rbgate" admin hash-password)" >"$work/s/users.toml"
cp "$big" "$work/s/incoming/auto/big.s18"
echo "archiving $big through the spool ..." >&2
"$rbgate" run --once --config "$work/s/rbgate.toml" 2>"$work/run.log"
id=$("$rbgate" ledger list --config "$work/s/rbgate.toml" --format json |
  grep -o '"id":"[^"]*","name":"big.s18"' | cut -d'"' -f4)
archive=$(ls "$work"/s/archive/*/*/*/"$id".zst)
start_daemon "$work/s/rbgate.toml" "$work/daemon.log"
curl -sf -c "$work/cookie" -H 'Content-Type: application/json' \
  -d "{\"user\":\"ops\",\"password\":\"$password\"}" "$url/api/login" >/dev/null

page() {  # page FROM: the console's page of 100 lines from line FROM
  curl -sf -b "$work/cookie" "$url/api/files/$id/lines?from=$1&count=100" -o "$work/page.json"
}
reference() {  # reference FROM: zstdcat up to the same lines
  zstdcat "$archive" | sed -n "$1,$(($1 + 99))p;$(($1 + 99))q"
}
page 399901
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["lines"][0]["n"]==399901 and len(d["lines"])==100' \
  "$work/page.json"
last=$((lines - 99))
echo "$(stat -c %s "$big") bytes, $lines lines; archive $(stat -c %s "$archive") bytes; best of $runs"
for from in 399901 "$last"; do
  t_ref=$(best reference "$from")
  t_api=$(best page "$from")
  printf "  page from line %-10s zstdcat | sed %7s s   console API %7s s   (%.2f x)\n" "$from" "$t_ref" \
    "$t_api" "$(awk "BEGIN{ print $t_ref / $t_api }")"
done
