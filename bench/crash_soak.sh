#!/usr/bin/env bash
# Soak version of the crash test: many files, many SIGKILLs, several seeds. Not run by CI.
# Usage: bench/crash_soak.sh [FILES] [KILLS] [SEEDS]   (default 400 files, 300 kills, 5 seeds)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
files=${1:-400}
kills=${2:-300}
seeds=${3:-5}
"$here/scripts/build.sh" release >/dev/null
for seed in $(seq "$seeds"); do
  RBGATE_BIN="$here/build/release/gateway/rbgate" RBGATE_CRASH_FILES=$files \
    RBGATE_CRASH_LOOPS=$kills RBGATE_CRASH_SEED=$seed \
    "$here/build/release/tests/crash_test" --success=false 2>&1 | grep -E 'MESSAGE|ERROR|Status'
done
