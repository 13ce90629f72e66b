#!/usr/bin/env bash
# Benchmark: OpenPGP on the way in. The ~1 GB Standard 18 file (bench/common.sh large_file),
# encrypted to a council key and signed by a landlord's (gpg's defaults: AES-256, ZLIB), made at
# bench time with keys made at bench time, then in the same run:
#   gpg --decrypt            the reference: decrypt and verify, the content to /dev/null
#   rbgate run --once        a spool whose route requires encryption and the landlord's
#                            signature: decrypt into work/ (GPGME, the same gpg), verify, hash
#                            the ciphertext, check the content, archive the ciphertext, deliver
#   rbgate run --once        the same spool and content, sent unencrypted: the difference is
#                            what decryption adds
# MB/s are of the content (plaintext) bytes. Both sides run gpg as a process of its own, so
# neither is pinned to one core. Best of $RUNS (default 2).
# Not a test: run it by hand. Usage: bench/openpgp_decrypt.sh [RECORDS]
set -euo pipefail
records=${1:-10000000}
runs=${RUNS:-2}
source "$(dirname "$0")/common.sh"
work=$data/openpgp
rm -rf "$work"
mkdir -p -m 700 "$work/council" "$work/landlord"
cleanup() {
  for h in "$work/council" "$work/landlord"; do gpgconf --homedir "$h" --kill all 2>/dev/null || true; done
}
trap cleanup EXIT
now() { date +%s%N; }
secs() { awk "BEGIN{ printf \"%.3f\", ($2 - $1) / 1e9 }"; }
g() {
  local home=$1
  shift
  gpg --batch --quiet --no-tty --homedir "$home" --pinentry-mode loopback --passphrase '' \
    --trust-model always "$@"
}
g "$work/council" --quick-gen-key 'Revenues <revenues@council.example>' future-default default 1y
g "$work/landlord" --quick-gen-key 'Landlord A <files@landlord.example>' future-default default 1y
g "$work/council" --export | g "$work/landlord" --import 2>/dev/null
g "$work/landlord" --export | g "$work/council" --import 2>/dev/null
landlord_fpr=$(gpg --batch --homedir "$work/council" --with-colons --fingerprint files@landlord.example |
  awk -F: '/^fpr/ {print $10; exit}')

big=$(large_file "$records")
bytes=$(stat -c %s "$big")
echo "encrypting $big ..." >&2
g "$work/landlord" -r revenues@council.example -u files@landlord.example -o "$work/big.s18.pgp" \
  --encrypt --sign "$big"
cipher_bytes=$(stat -c %s "$work/big.s18.pgp")

best() {  # best CMD...: the best wall time of $runs runs
  local b="" t start end
  for _ in $(seq "$runs"); do
    start=$(now)
    "$@" >/dev/null 2>&1
    end=$(now)
    t=$(secs "$start" "$end")
    if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; fi
  done
  echo "$b"
}
gpg_decrypt() { g "$work/council" -o /dev/null --decrypt "$work/big.s18.pgp"; }
spool_run() {  # spool_run FILE [pgp]: seconds for rbgate run --once to take FILE through
  rm -rf "$work/s"
  new_spool "$work/s" 2
  if [ -n "${2:-}" ]; then
    printf '\n[openpgp]\nhome = "%s"\n' "$work/council" >>"$work/s/rbgate.toml"
    sed -i "s|^\[route.settle\]|[route.openpgp]\ndecrypt = \"required\"\nsigned_by = [\"$landlord_fpr\"]\n\n[route.settle]|" \
      "$work/s/rbgate.toml"
  fi
  cp "$1" "$work/s/incoming/auto/"
  sync
  local start end
  start=$(now)
  "$rbgate" run --once --config "$work/s/rbgate.toml" 2>"$work/run.log"
  end=$(now)
  grep -q 'delivered' "$work/run.log" || { echo "not delivered: $(tail -3 "$work/run.log")" >&2; exit 1; }
  secs "$start" "$end"
}
best_spool() {  # best_spool FILE [pgp]
  local b="" t
  for _ in $(seq "$runs"); do
    t=$(spool_run "$@")
    if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; fi
  done
  echo "$b"
}
cat "$work/big.s18.pgp" >/dev/null
t_gpg=$(best gpg_decrypt)
t_pgp=$(best_spool "$work/big.s18.pgp" pgp)
t_plain=$(best_spool "$big")
t_added=$(awk "BEGIN{ printf \"%.3f\", $t_pgp - $t_plain }")

echo "content $bytes bytes, ciphertext $cipher_bytes bytes (AES-256, ZLIB, signed), best of $runs"
printf "  %-72s %8s s %6s MB/s\n" "gpg --decrypt (verify; content to /dev/null)" "$t_gpg" "$(mbps "$bytes" "$t_gpg")"
printf "  %-72s %8s s %6s MB/s\n" "rbgate run --once, encrypted (decrypt, verify, check, archive, deliver)" \
  "$t_pgp" "$(mbps "$bytes" "$t_pgp")"
printf "  %-72s %8s s %6s MB/s\n" "rbgate run --once, the same content sent unencrypted" "$t_plain" "$(mbps "$bytes" "$t_plain")"
printf "  %-72s %8s s %6s MB/s  (%.2f x gpg --decrypt's rate)\n" "what decryption adds to the spool (the two runs' difference)" \
  "$t_added" "$(mbps "$bytes" "$t_added")" "$(awk "BEGIN{ print $t_gpg / $t_added }")"
rm -rf "$work/s" "$work/big.s18.pgp"
