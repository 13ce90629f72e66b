#!/usr/bin/env bash
# Installs the reference implementations the tests compare rbgate's verdicts with, from the
# npm registry, into an ignored cache: tableschema (Frictionless Table Schema, JavaScript)
# and ajv with ajv-formats (JSON Schema); and playwright-core, which drives Debian's chromium in
# the web console's browser test, with axe-core, which checks each of its views against WCAG 2.2
# AA. Versions are pinned so that a verdict never changes under a test (playwright-core 1.57 is
# the last that runs on Debian 12's Node 18).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$here/.cache/oracles}
want="tableschema@1.12.6 ajv@8.20.0 ajv-formats@3.0.1 playwright-core@1.57.0 axe-core@4.11.0"
stamp="$dest/.installed"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && exit 0

mkdir -p "$dest"
# shellcheck disable=SC2086
(cd "$dest" && npm install --silent --no-audit --no-fund --no-save --prefix "$dest" $want >/dev/null)
echo "$want" >"$stamp"
echo "setup: reference implementations ($want) cached in $dest" >&2
