#!/usr/bin/env bash
# Configures and builds one CMake preset (default: release), after set-up.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
preset=${1:-release}
"$here/scripts/setup.sh"
cd "$here"
[ -f "build/$preset/build.ninja" ] || cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
