#!/usr/bin/env bash
# Builds and runs the whole test suite: the optimised build (and clang-tidy on the tree,
# against its compile commands), then the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer, then the unit and crash tests under
# ThreadSanitizer. Does all set-up on a fresh Debian 12.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
jobs=$(nproc)
for preset in release asan tsan; do
  echo "== $preset build" >&2
  "$here/scripts/build.sh" "$preset"
  if [ "$preset" = release ]; then
    echo "== clang-tidy (.clang-tidy, warnings as errors)" >&2
    "$here/scripts/tidy.sh" "$here/build/release"
  fi
  echo "== $preset tests" >&2
  ctest --preset "$preset" -j "$jobs"
done
