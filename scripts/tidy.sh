#!/usr/bin/env bash
# clang-tidy with the project's checks (.clang-tidy) on every source file of the tree, against
# the release build's compile commands; fails on any finding. Run by scripts/test.sh after
# the release build. Usage: scripts/tidy.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build/release}
cd "$here"
command -v clang-tidy >/dev/null || { echo "clang-tidy is needed (scripts/setup.sh)" >&2; exit 2; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! git ls-files 'parsers/*.cc' 'schemas/*.cc' 'spool/*.cc' 'gateway/*.cc' |
    xargs -n 4 -P "$(nproc)" clang-tidy -p "$build" --quiet >"$log" 2>&1; then
  grep -E '(warning|error):' "$log" | sort -u >&2 || cat "$log" >&2
  echo "clang-tidy: findings above (.clang-tidy lists the checks)" >&2
  exit 1
fi
echo "clang-tidy: the tree is clean" >&2
