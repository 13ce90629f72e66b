#!/usr/bin/env bash
# Benchmark: ARUDD validation plus transform on a ~200 MB file. rbgate transform (SAX2 with
# the XSD plugged into the stream, ARUDD's own rules, and the CSV rows written, in one pass)
# and rbgate check (the same without rows) beside xmllint --stream --noout --schema with the
# same XSD on the same file, in MB/s and as ratios. Not a test: run it by hand.
# Usage: bench/xml_validate.sh [ITEMS]   (default 450,000 returned items, about 200 MB)
set -euo pipefail
items=${1:-450000}
runs=3
source "$(dirname "$0")/common.sh"
file="$data/arudd-$items.xml"
[ -s "$file" ] || "$rbgate" gen arudd --records "$items" --seed 42 --date 2026-11-25 -o "$file"
bytes=$(stat -c %s "$file")
xsd="$here/schemas/bacs_reports/arudd.xsd"
cat "$file" >/dev/null
best() { best_of "$@" | cut -d" " -f1; }  # seconds only
rows="$data/arudd-$items.csv"
# Each must succeed before it is timed: a fast failure is not a result.
floor="$here/build/release/bench/libxml2_floor"
xmllint --stream --noout --schema "$xsd" "$file" 2>/dev/null
"$floor" "$xsd" "$file" >/dev/null
"$rbgate" check --feed arudd "$file" >/dev/null
"$rbgate" transform --feed arudd "$file" -o "$rows" 2>/dev/null
test "$(wc -l <"$rows")" -eq $((items + 1))
t_xmllint=$(best xmllint --stream --noout --schema "$xsd" "$file")
t_floor=$(best "$floor" "$xsd" "$file")
t_rbgate=$(best "$rbgate" check --feed arudd "$file")
t_transform=$(best "$rbgate" transform --feed arudd "$file" -o "$rows")
echo "file: $file ($bytes bytes, $items items), one core, best of $runs"
printf "  %-52s %8s s %6s MB/s\n" "xmllint --stream --noout --schema arudd.xsd" "$t_xmllint" "$(mbps "$bytes" "$t_xmllint")"
printf "  %-52s %8s s %6s MB/s\n" "libxml2 alone: SAX2 + XSD, empty handlers (floor)" "$t_floor" "$(mbps "$bytes" "$t_floor")"
printf "  %-52s %8s s %6s MB/s\n" "rbgate check --feed arudd (XSD + ARUDD rules)" "$t_rbgate" "$(mbps "$bytes" "$t_rbgate")"
printf "  %-52s %8s s %6s MB/s\n" "rbgate transform -o rows.csv (the same + CSV rows)" "$t_transform" "$(mbps "$bytes" "$t_transform")"
awk "BEGIN{ printf \"  floor / xmllint throughput: %.2fx (the most any libxml2 validator gets)\\n\", $t_xmllint / $t_floor }"
awk "BEGIN{ printf \"  check / xmllint throughput: %.2fx\\n\", $t_xmllint / $t_rbgate }"
awk "BEGIN{ printf \"  transform (validation + transform) / xmllint throughput: %.2fx (target 1.3x)\\n\", $t_xmllint / $t_transform }"
