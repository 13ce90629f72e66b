#!/usr/bin/env bash
# OpenPGP keys as operations see them, with keys gpg makes at test time: rbgate keys list (the
# council's and partners' keys, which to act on), the daemon saying keys that expire within
# [openpgp] warn_days or have expired (log and /metrics), a keyring that is not there refused.
set -u
rbgate=$(realpath "$1")
tmp=$(mktemp -d)
daemon=""
keys=$tmp/keyring
cleanup() {
  exec 2>/dev/null
  kill -9 $daemon 2>/dev/null
  for h in "$keys" "$tmp/partner"; do gpgconf --homedir "$h" --kill all 2>/dev/null; done
  [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
source "$(dirname "$0")/lib.sh"
mkdir -p -m 700 "$keys" "$tmp/partner"
gpg_in "$keys" --quick-gen-key 'Revenues <revenues@council.example>' future-default default 1y
gpg_in "$keys" --quick-gen-key 'Revenues 2025 <old@council.example>' future-default default 10d
gpg_in "$tmp/partner" --quick-gen-key 'Landlord A <files@landlord.example>' future-default default seconds=2
gpg --batch --quiet --homedir "$tmp/partner" --export | gpg_in "$keys" --import
sleep 3  # the partner's key has expired

s=$tmp/s
"$rbgate" init "$s" >/dev/null
sed -i 's|^listen = "127.0.0.1:8490"|listen = "127.0.0.1:0"|' "$s/rbgate.toml"
printf '\n[openpgp]\nhome = "%s"\nwarn_days = 30\n' "$keys" >>"$s/rbgate.toml"
"$rbgate" keys list --config "$s/rbgate.toml" >"$tmp/keys.txt"
check keys-listed test $? -eq 0
check keys-ok grep -q '^[0-9A-F]\{40\} council *ok, expires [0-9-]* *Revenues <revenues@council.example>' "$tmp/keys.txt"
check keys-soon grep -q '^[0-9A-F]\{40\} council *expires in [0-9]* days ([0-9-]*) *Revenues 2025' "$tmp/keys.txt"
check keys-expired grep -q '^[0-9A-F]\{40\} partner *EXPIRED [0-9-]* *Landlord A' "$tmp/keys.txt"
check keys-count grep -q '^3 keys in .*; 2 to act on' "$tmp/keys.txt"
"$rbgate" keys list --format json --config "$s/rbgate.toml" >"$tmp/keys.json"
check keys-json grep -q '"secret":false.*"needs_action":true' "$tmp/keys.json"

start_daemon "$s/rbgate.toml" "$tmp/d.log"
check daemon-says-soon wait_for 10 grep -q 'key-attention fingerprint=[0-9A-F]* kind=council state="expires in' "$tmp/d.log"
check daemon-says-expired grep -q 'key-attention fingerprint=[0-9A-F]* kind=partner state="EXPIRED' "$tmp/d.log"
check daemon-not-ok-key bash -c "! grep -q 'key-attention.*revenues@council' '$tmp/d.log'"
curl -s "$url/metrics" >"$tmp/metrics.txt"
check metric-action grep -q '^rbgate_openpgp_keys_needing_action 2$' "$tmp/metrics.txt"
check metric-expiry test "$(grep -c '^rbgate_openpgp_key_expires_timestamp_seconds{fingerprint="[0-9A-F]*"} [0-9]*$' "$tmp/metrics.txt")" -eq 3
kill -TERM "$daemon"
wait "$daemon" 2>/dev/null
daemon=""

# A keyring that is not there: refused with its key, for the daemon.
sed -i "s|^home = \"$keys\"|home = \"$tmp/nowhere\"|" "$s/rbgate.toml"
RBGATE_CONFIG="$s/rbgate.toml" "$rbgate" run --once >/dev/null 2>"$tmp/bad.txt"
check bad-home test $? -eq 2
check bad-home-says grep -q 'openpgp.home.*is not a folder' "$tmp/bad.txt"
"$rbgate" keys list --config "$s/rbgate.toml" >/dev/null 2>"$tmp/bad2.txt"
check bad-home-list test $? -eq 2
check bad-home-list-says grep -q 'keyring' "$tmp/bad2.txt"

echo "openpgp_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
