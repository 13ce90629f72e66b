#!/usr/bin/env bash
# The layers depend one way: gateway uses spool, spool uses checking (spool/check), checking
# uses schemas, schemas use parsers, and never the reverse. Fails, naming each line, when an include points up the stack; the test
# suite runs it (tests/CMakeLists.txt: layers_test) so that CI catches it.
#
# Usage: scripts/check-layers.sh [SOURCE_DIR]
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
bad=0
check() {  # LAYER FORBIDDEN-REGEX
  local hits
  hits=$(grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]+\"($2)/" "$root/$1" \
           --include='*.h' --include='*.cc' 2>/dev/null)
  if [ -n "$hits" ]; then
    echo "$1/ must not include from $2/ (the layers depend one way):"
    echo "$hits" | sed "s|^$root/|  |"
    bad=1
  fi
}
check parsers 'schemas|spool|gateway'
check schemas 'spool|gateway'
check spool 'gateway'
# Checking (spool/check/) sits between schemas/ and the spool: nothing of the spool above it
# (the ledger, the archive, SQLite, zstd) may reach it.
hits=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]+("spool/|<(sqlite3|zstd)\.h>)' \
         "$root/spool/check" --include='*.h' --include='*.cc' 2>/dev/null | grep -v '"spool/check/')
if [ -n "$hits" ]; then
  echo "spool/check/ must not include the spool above it, SQLite or zstd:"
  echo "$hits" | sed "s|^$root/|  |"
  bad=1
fi
# Within gateway/: the daemon's library (daemon/, admin/, forward/) never reaches the command
# (cli/) or the test-data generators (gen/).
for sub in daemon admin forward; do
  check "gateway/$sub" 'gateway/cli|gateway/gen'
done
check gateway/gen 'gateway/(cli|daemon|admin|forward)'
# A feed is its folder (schemas/<feed>/, listed in schemas/CMakeLists.txt): the spool, the
# daemon, the admin server, forwarding and the command's dispatch ask the catalogue
# (schemas/feed.h, feed_store.h) and never include a feed's own headers.
folders=$(sed -n '/^set(rbgate_feed_folders/,/^)/p' "$root/schemas/CMakeLists.txt" |
            grep -vE '^(set\(|\))' | tr -d ' ' | paste -sd'|')
if [ -n "$folders" ]; then
  for dir in spool gateway/daemon gateway/admin gateway/forward; do
    check "$dir" "schemas/($folders)"
  done
  hits=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]+\"schemas/($folders)/" \
           "$root/gateway/cli/main.cc" 2>/dev/null)
  if [ -n "$hits" ]; then
    echo "gateway/cli/main.cc only dispatches: it must not include a feed's headers:"
    echo "$hits" | sed 's|^|  |'
    bad=1
  fi
fi
[ "$bad" -eq 0 ] && echo "layers: parsers < schemas < spool/check < spool < gateway, no include points up;" \
  "no feed's own header outside its folder's users"
exit "$bad"
