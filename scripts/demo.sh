#!/usr/bin/env bash
# The main job, for now: generate a valid Standard 18 file and a faulty one, and check
# both, showing a clean report and a failing one. Does all set-up on a fresh Debian 12.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/build.sh" release >/dev/null
rbgate="$here/build/release/gateway/rbgate"
out="$here/demo"
mkdir -p "$out"

"$rbgate" gen bacs18 --records 2000 --seed 7 --date 2026-11-23 -o "$out/collection.s18"
"$rbgate" gen bacs18 --records 2000 --seed 8 --date 2026-11-23 \
  --fault modulus --fault contra-mismatch --fault bank-holiday --fault charset \
  --fault auddis-reference --fault lowercase -o "$out/faulty.s18"

echo "\$ rbgate check demo/collection.s18"
(cd "$here" && "$rbgate" check demo/collection.s18) && echo "(exit 0)"
echo
echo "\$ rbgate check demo/faulty.s18"
status=0
(cd "$here" && "$rbgate" check demo/faulty.s18) || status=$?
echo "(exit $status)"
[ "$status" -eq 1 ]
