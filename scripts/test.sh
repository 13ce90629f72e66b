#!/usr/bin/env bash
# Builds and runs the whole test suite: the optimised build, then the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer, then the unit and crash tests under
# ThreadSanitizer. Does all set-up on a fresh Debian 12.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
jobs=$(nproc)
for preset in release asan tsan; do
  echo "== $preset build" >&2
  "$here/scripts/build.sh" "$preset"
  echo "== $preset tests" >&2
  ctest --preset "$preset" -j "$jobs"
done
