#!/usr/bin/env bash
# The README's landlord example end to end, against real servers on loopback and real keys gpg
# makes at test time: a landlord's rent files, encrypted to the council and signed, collected
# from OpenSSH's sshd, decrypted in work/ only, checked against the reference map, delivered to
# the R&B system's folder and, encrypted to the landlord and signed by the council, to the
# landlord's portal (the HTTPS sink), where the landlord's gpg reads them; a faulty file, a file
# sent unencrypted and one signed by a stranger quarantined with their findings and the
# revenues team emailed (Debian's aiosmtpd, STARTTLS) with no personal data; the same rents
# encrypted again a duplicate; the ciphertext archived; decrypted content nowhere in the spool
# but work/; a route that would leave decrypted copies in outbound/ refused at start.
set -u
rbgate=$(realpath "$1")
sink=$(realpath "$2")
tmp=$(mktemp -d)
sshd_pid="" daemon="" sink_pid="" smtp_pid=""
council=$tmp/council-keys landlord=$tmp/landlord-keys stranger=$tmp/stranger-keys
cleanup() {
  exec 2>/dev/null
  kill -9 $daemon $sshd_pid $sink_pid $smtp_pid 2>/dev/null
  for h in "$council" "$landlord" "$stranger"; do gpgconf --homedir "$h" --kill all 2>/dev/null; done
  [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../support/servers.sh"
cd "$tmp" || exit 1
servers_init "$tmp" "$sink"
start_sshd || exit 1
start_sink || exit 1
py=/usr/bin/python3  # Debian's, with python3-aiosmtpd
smtp_port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$tmp"/mail/{cur,new,tmp}
"$py" -m aiosmtpd -n -l "127.0.0.1:$smtp_port" --tlscert pki/loopback.crt --tlskey pki/loopback.key \
  -c aiosmtpd.handlers.Mailbox "$tmp/mail" 2>"$tmp/smtp.log" &
smtp_pid=$!
check smtp-up wait_for 10 bash -c "(exec 3<>/dev/tcp/127.0.0.1/$smtp_port) 2>/dev/null"

fpr_of() {  # fpr_of HOME EMAIL: the key's fingerprint
  gpg --batch --homedir "$1" --with-colons --fingerprint "$2" 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}'
}
mkdir -p -m 700 "$council" "$landlord" "$stranger"
gpg_in "$council" --quick-gen-key 'Revenues <revenues@council.example>' future-default default 1y
gpg_in "$landlord" --quick-gen-key 'Landlord A <files@landlord.example>' future-default default 1y
gpg_in "$stranger" --quick-gen-key 'Stranger <x@elsewhere.example>' future-default default 1y
gpg_in "$council" --export | gpg_in "$landlord" --import
gpg_in "$council" --export | gpg_in "$stranger" --import
gpg_in "$landlord" --export | gpg_in "$council" --import
council_fpr=$(fpr_of "$council" revenues@council.example)
landlord_fpr=$(fpr_of "$council" files@landlord.example)
check fingerprints test -n "$council_fpr" -a -n "$landlord_fpr"
# seal FROM-KEYRING SIGNER IN OUT: IN encrypted to the council and signed by SIGNER
seal() { gpg_in "$1" -r revenues@council.example -u "$2" -o "$4" --encrypt --sign "$3"; }

r=$tmp/remote
mkdir -p "$r/outgoing/collected"
s=$tmp/s
"$rbgate" init "$s" >/dev/null
sed -i 's|^listen = "127.0.0.1:8490"|listen = "127.0.0.1:0"|; s|^rescan_seconds = 10|rescan_seconds = 1|' "$s/rbgate.toml"
mkdir -p "$s/rnb-import"
{
  printf '\n[openpgp]\nhome = "%s"\n' "$council"
  https_destination landlord-portal "https://127.0.0.1:$sink_port/upload/{name}"
  printf 'encrypt_to = ["%s"]\nsign_with = "%s"\n' "$landlord_fpr" "$council_fpr"
  printf '\n[[destination]]\nname = "rnb"\ntype = "directory"\npath = "rnb-import"\n'
  printf '\n[[route]]\nname = "maps"\nfeed = "rsl-refmap"\ndestinations = ["rnb"]\n\n[route.settle]\nstable_seconds = 0\n'
  printf '\n[[route]]\nname = "rents"\nfeed = "rsl-rents"\ndestinations = ["rnb", "landlord-portal"]\n'
  printf '\n[route.openpgp]\ndecrypt = "required"\nsigned_by = ["%s"]\n' "$landlord_fpr"
  printf '\n[route.settle]\nstable_seconds = 0\n'
  sftp_destination landlord-a "$r/outgoing" "$srv/ssh/known_hosts" | sed 's/^\[\[destination\]\]$/[[source]]/'
  printf 'route = "rents"\npattern = "*.csv.pgp"\nafter = "move"\nmove_to = "%s/outgoing/collected/"\npoll_seconds = 1\nsettle_seconds = 1\n' "$r"
  cat <<TOML

[[notify]]
name = "revenues"
type = "email"
url = "smtp://127.0.0.1:$smtp_port"
from = "rbgate@council.example"
to = ["revenues-team@council.example"]
ca_file = "$tmp/pki/ca.crt"
events = ["quarantined"]
routes = ["rents"]
console_url = "https://rbgate.council.example:8490"
retry_min_seconds = 1
retry_max_seconds = 2
TOML
} >>"$s/rbgate.toml"

# The landlord's reference map arrives as it is (not secret); the week's rents encrypted.
mkdir -p "$s/incoming/maps"
"$rbgate" gen rsl-refmap --records 8 --seed 9 -o "$s/incoming/maps/map.csv"
"$rbgate" gen rsl-rents --records 8 --seed 9 --date 2026-04-07 -o "$tmp/week1.csv"
"$rbgate" gen rsl-rents --records 8 --seed 9 --date 2026-04-08 --fault unknown-ref -o "$tmp/week2.csv"
"$rbgate" gen rsl-rents --records 8 --seed 9 --date 2026-04-09 -o "$tmp/week3.csv"
"$rbgate" gen rsl-rents --records 8 --seed 9 --date 2026-04-10 -o "$tmp/week4.csv"
mkdir -p "$tmp/sealed"
seal "$landlord" files@landlord.example "$tmp/week1.csv" "$tmp/sealed/week1.csv.pgp"
seal "$landlord" files@landlord.example "$tmp/week2.csv" "$tmp/sealed/week2.csv.pgp"
cp "$tmp/week3.csv" "$tmp/sealed/week3.csv.pgp"  # sent unencrypted, under the usual name
seal "$stranger" x@elsewhere.example "$tmp/week4.csv" "$tmp/sealed/week4.csv.pgp"
cp "$tmp/sealed/week1.csv.pgp" "$tmp/week1.csv.pgp"

start_daemon "$s/rbgate.toml" "$tmp/d.log"
check map-delivered wait_for 20 is_state "$s" map.csv delivered
mv "$tmp/sealed/"* "$r/outgoing/"  # on the landlord's server, whole
check week1-delivered wait_for 30 is_state "$s" week1.csv.pgp delivered
check week2-quarantined wait_for 20 is_state "$s" week2.csv.pgp quarantined
check week3-quarantined wait_for 20 is_state "$s" week3.csv.pgp quarantined
check week4-quarantined wait_for 20 is_state "$s" week4.csv.pgp quarantined
check moved-on-server wait_for 10 test -e "$r/outgoing/collected/week1.csv.pgp"

# Delivered: its content, under its name without .pgp, to the R&B system's folder.
rnb=$(ls "$s/rnb-import/"*_week1.csv 2>/dev/null | head -1)
check rnb-named test -n "$rnb"
check rnb-content cmp -s "$rnb" "$tmp/week1.csv"
# To the landlord's portal: encrypted to the landlord and signed by the council.
check portal-received wait_for 20 bash -c "ls '$tmp/recv/' | grep -q '_week1.csv.pgp\$'"
portal=$(ls "$tmp/recv/"*_week1.csv.pgp 2>/dev/null | head -1)
gpg --batch --quiet --homedir "$landlord" --status-file "$tmp/portal.status" -o "$tmp/portal.csv" \
  --decrypt "$portal" 2>/dev/null
check portal-decrypts cmp -s "$tmp/portal.csv" "$tmp/week1.csv"
check portal-signed grep -q "^\[GNUPG:\] VALIDSIG $council_fpr\|^\[GNUPG:\] GOODSIG" "$tmp/portal.status"
check portal-not-plain bash -c "! cmp -s '$portal' '$tmp/week1.csv'"

# The ledger and the archive hold the ciphertext as it came.
id1=$("$rbgate" ledger list --config "$s/rbgate.toml" --format json |
  grep -o '"id":"[^"]*","name":"week1.csv.pgp"' | cut -d'"' -f4)
check ledger-sha "$rbgate" ledger show "$id1" --config "$s/rbgate.toml" --format json |
  grep -q "\"sha256\":\"$(sha256sum "$tmp/week1.csv.pgp" | cut -c1-64)\""
archived=$(find "$s/archive" -name "$id1.zst")
check archive-is-ciphertext bash -c "zstd -dc '$archived' | cmp -s - '$tmp/week1.csv.pgp'"

# Each quarantined with its finding, the original as it came.
report_of() { grep -l "\"name\":\"$1\"" "$s"/quarantine/*/meta.json | head -1 | xargs dirname; }
check week2-finding grep -q '"rule":"table.reference"' "$(report_of week2.csv.pgp)/report.json"
check week3-finding grep -q '"rule":"openpgp.not-encrypted"' "$(report_of week3.csv.pgp)/report.json"
check week4-finding grep -q '"rule":"openpgp.unknown-signer"' "$(report_of week4.csv.pgp)/report.json"
check week2-original-ciphertext cmp -s "$(report_of week2.csv.pgp)/original" "$r/outgoing/collected/week2.csv.pgp"
check reason-in-ledger bash -c "'$rbgate' ledger list --config '$s/rbgate.toml' --format json | grep -q 'openpgp.unknown-signer: signed by key'"

# Decrypted content is nowhere in the spool outside work/ (week 2 and 4 were never sent plain;
# a tenant's surname and street from each file's first record, looked for in every file).
leaks=0
for w in week1 week2 week4; do
  needle=$(sed -n 2p "$tmp/$w.csv" | tr -d '\r')  # a tenant's whole record, dated that week
  if grep -rlaF --exclude-dir=work --exclude-dir=rnb-import --exclude='ledger.db*' -- \
    "$needle" "$s" | grep -q .; then
    leaks=$((leaks + 1))
    grep -rlaF --exclude-dir=work --exclude-dir=rnb-import --exclude='ledger.db*' -- "$needle" "$s"
  fi
done
check no-plaintext-outside-work test "$leaks" -eq 0
check work-empty wait_for 10 bash -c "[ -z \"\$(ls -A '$s/work')\" ]"
check outbound-empty wait_for 10 bash -c "[ -z \"\$(find '$s/outbound' -type f)\" ]"

# The revenues team emailed, once a file, with the id, the rule and the link; no tenant's
# name, address or reference from the file.
check mailed wait_for 30 bash -c "[ \$(ls '$tmp/mail/new' | wc -l) -eq 3 ]"
all_mail=$(cat "$tmp"/mail/new/*)
check mail-rule grep -q 'openpgp.unknown-signer' <<<"$all_mail"
check mail-rule2 grep -q 'table.reference' <<<"$all_mail"
check mail-link grep -q 'https://rbgate.council.example:8490/' <<<"$all_mail"
personal=0
for w in week2 week3 week4; do
  for col in 2 9 14; do  # pay_ref, surname, street
    v=$(sed -n 2p "$tmp/$w.csv" | cut -d, -f$col)
    [ -n "$v" ] && grep -qF -- "$v" <<<"$all_mail" && personal=$((personal + 1))
  done
done
check mail-no-personal test "$personal" -eq 0

# The same rents encrypted again (new ciphertext): a duplicate by content.
seal "$landlord" files@landlord.example "$tmp/week1.csv" "$tmp/again.csv.pgp"
mv "$tmp/again.csv.pgp" "$r/outgoing/"
check again-quarantined wait_for 20 is_state "$s" again.csv.pgp quarantined
check again-duplicate bash -c "'$rbgate' ledger list --config '$s/rbgate.toml' --format json | grep -q 'duplicate: the same content (decrypted) was accepted as $id1'"

# Released by an officer: the stranger's file (checked by telephone, say) goes on; the file sent
# unencrypted cannot be (a release delivers decrypted content).
id4=$("$rbgate" ledger list --config "$s/rbgate.toml" --format json |
  grep -o '"id":"[^"]*","name":"week4.csv.pgp"' | cut -d'"' -f4)
id3=$("$rbgate" ledger list --config "$s/rbgate.toml" --format json |
  grep -o '"id":"[^"]*","name":"week3.csv.pgp"' | cut -d'"' -f4)
"$rbgate" quarantine release "$id3" --reason "try" --config "$s/rbgate.toml" >/dev/null 2>"$tmp/rel3.txt"
check release-plain-refused test $? -ne 0
check release-plain-says grep -q 'not released' "$tmp/rel3.txt"
run release-stranger 0 "$rbgate" quarantine release "$id4" --reason "new key confirmed by phone" --config "$s/rbgate.toml"
check week4-delivered wait_for 20 is_state "$s" week4.csv.pgp delivered
check week4-content cmp -s "$(ls "$s/rnb-import/"*_week4.csv | head -1)" "$tmp/week4.csv"
"$rbgate" rules >"$tmp/rules.txt"
check rules-listed grep -q '^openpgp.unknown-signer' "$tmp/rules.txt"
kill -TERM "$daemon"
wait "$daemon" 2>/dev/null
daemon=""

# A decrypting route whose network destination does not encrypt: refused, with its line.
sed -i '/^encrypt_to = /d; /^sign_with = /d' "$s/rbgate.toml"
RBGATE_CONFIG="$s/rbgate.toml" "$rbgate" run --once >/dev/null 2>"$tmp/bad.txt"
check refused-exit test $? -eq 2
check refused-says grep -q "rbgate.toml:[0-9]*:[0-9]*: route.openpgp: route rents decrypts its files, and destination landlord-portal (https) does not encrypt" "$tmp/bad.txt"
# A fingerprint the keyring lacks: refused with its key.
sed -i "s/^signed_by = \[\"$landlord_fpr\"\]/signed_by = [\"0123456789ABCDEF0123456789ABCDEF01234567\"]/" "$s/rbgate.toml"
sed -i 's/^destinations = \["rnb", "landlord-portal"\]/destinations = ["rnb"]/' "$s/rbgate.toml"
RBGATE_CONFIG="$s/rbgate.toml" "$rbgate" run --once >/dev/null 2>"$tmp/bad2.txt"
check unknown-key-refused grep -q 'route.openpgp.signed_by: no key 0123456789ABCDEF0123456789ABCDEF01234567 in the keyring' "$tmp/bad2.txt"

echo "landlord_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
