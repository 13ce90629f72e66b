#!/usr/bin/env bash
# Benchmark: forwarding. COUNT distinct 4 KiB Standard 18 files dropped at once into a running
# daemon whose route sends them to OpenSSH's sshd (SFTP) or to the HTTPS sink, both on
# loopback (tests/support/servers.sh), timed from the drop until the last is delivered (claim,
# check, archive, queue, upload, confirm, all on record), in deliveries/s; beside `curl`
# uploading the same files one by one (a new connection each, as a shell loop or a cron job
# would), in the same run.
# Not a test: run it by hand. Usage: bench/forward_throughput.sh [COUNT] [MAX_IN_FLIGHT]
set -euo pipefail
count=${1:-500}
inflight=${2:-4}
source "$(dirname "$0")/common.sh"
source "$here/tests/support/servers.sh"
cmake --build "$here/build/release" --target https_sink >/dev/null
work=$data/forward
rm -rf "$work"
mkdir -p "$work"
now() { date +%s%N; }
secs() { awk "BEGIN{ printf \"%.3f\", ($2 - $1) / 1e9 }"; }
rate() { awk "BEGIN{ printf \"%.1f\", $1 / $2 }"; }

servers_init "$work/srv" "$here/build/release/tests/https_sink"
daemon=""
cleanup() {
  [ -n "$daemon" ] && kill -9 "$daemon" 2>/dev/null
  [ -n "${sink_pid:-}" ] && kill -9 "$sink_pid" 2>/dev/null
  [ -n "${sshd_pid:-}" ] && kill -9 "$sshd_pid" 2>/dev/null
  return 0
}
trap cleanup EXIT
start_sshd
start_sink

echo "generating $count small files ..." >&2
small_files "$data/small" "$count"
size=$(stat -c %s "$data/small/f1.s18")

# rbgate NAME DESTINATION-TOML: seconds from dropping the files until all are delivered.
rbgate_run() {
  local s=$work/$1 start end
  new_spool "$s" 2
  sed -i "s/^listen = .*/listen = \"\"/; s/^destinations = \[\"delivered\"\]/destinations = [\"$1\"]/" \
    "$s/rbgate.toml"
  printf '%s\nmax_in_flight = %s\n' "$2" "$inflight" >>"$s/rbgate.toml"
  mkdir -p "$s/staging"
  for i in $(seq "$count"); do cp "$data/small/f$i.s18" "$s/staging/"; done
  RBGATE_CONFIG="$s/rbgate.toml" "$rbgate" run 2>"$s/daemon.log" &
  daemon=$!
  wait_for 10 grep -q " start " "$s/daemon.log"
  sync
  start=$(now)
  mv "$s/staging/"* "$s/incoming/auto/"
  until [ "$(grep -c ' info delivered ' "$s/daemon.log")" -ge "$count" ]; do sleep 0.02; done
  end=$(now)
  kill -TERM "$daemon"
  wait "$daemon" || true
  daemon=""
  secs "$start" "$end"
}

# The same files by curl, one process and one connection each.
mkdir -p "$work/home/.ssh" "$work/sftp-rbgate" "$work/sftp-curl"
cp "$srv/ssh/known_hosts" "$work/home/.ssh/known_hosts"
# curl gets the key without its passphrase: its bcrypt KDF (~0.3 s) would otherwise dominate
# each of curl's connections and flatter rbgate, which unlocks it once a connection it keeps.
cp "$srv/ssh/client_key" "$work/home/.ssh/id_ed25519"
ssh-keygen -q -p -P 'correct horse battery' -N '' -f "$work/home/.ssh/id_ed25519"
curl_sftp() {
  local start end i
  start=$(now)
  for i in $(seq "$count"); do
    HOME=$work/home curl -sSf --user "$srv_user:" --key "$work/home/.ssh/id_ed25519" \
      -T "$data/small/f$i.s18" \
      "sftp://127.0.0.1:$ssh_port$work/sftp-curl/"
  done
  end=$(now)
  secs "$start" "$end"
}
curl_https() {
  local start end i
  for i in $(seq "$count"); do sha256sum "$data/small/f$i.s18" | cut -c1-64; done >"$work/keys"
  start=$(now)
  i=0
  while read -r key; do
    i=$((i + 1))
    curl -sSf -o /dev/null --cacert "$srv/pki/ca.crt" -T "$data/small/f$i.s18" \
      -H "Idempotency-Key: $key" -H "Content-Type: application/octet-stream" \
      -H "Content-Disposition: attachment; filename=\"f$i.s18\"" \
      "https://127.0.0.1:$sink_port/upload/f$i.s18"
  done <"$work/keys"
  end=$(now)
  secs "$start" "$end"
}
fresh_sink() {  # a sink with an empty store (it remembers idempotency keys)
  stop_sink
  rm -rf "$srv/recv"
  mkdir -p "$srv/recv"
  start_sink
}

echo "rbgate -> sftp ..." >&2
t_rb_sftp=$(rbgate_run sftp "$(sftp_destination sftp "$work/sftp-rbgate" "$srv/ssh/known_hosts")")
echo "curl -> sftp ..." >&2
t_curl_sftp=$(curl_sftp)
fresh_sink
echo "rbgate -> https ..." >&2
t_rb_https=$(rbgate_run https "$(https_destination https "https://127.0.0.1:$sink_port/upload/{name}")")
fresh_sink
echo "curl -> https ..." >&2
t_curl_https=$(curl_https)

[ "$(ls "$work/sftp-rbgate" | wc -l)" -eq "$count" ] || echo "warning: rbgate's SFTP copies are short" >&2
[ "$(ls "$work/sftp-curl" | wc -l)" -eq "$count" ] || echo "warning: curl's SFTP copies are short" >&2

echo
echo "$count files of $size bytes; rbgate max_in_flight=$inflight, 2 workers, full durability"
printf '| %-42s | %8s | %12s |\n' "" "seconds" "deliveries/s"
printf '|---|---|---|\n'
printf '| %-42s | %8s | %12s |\n' "rbgate -> SFTP (drop to delivered)" "$t_rb_sftp" "$(rate "$count" "$t_rb_sftp")"
printf '| %-42s | %8s | %12s |\n' "curl -> SFTP, one by one" "$t_curl_sftp" "$(rate "$count" "$t_curl_sftp")"
printf '| %-42s | %8s | %12s |\n' "rbgate -> HTTPS (drop to delivered)" "$t_rb_https" "$(rate "$count" "$t_rb_https")"
printf '| %-42s | %8s | %12s |\n' "curl -> HTTPS, one by one" "$t_curl_https" "$(rate "$count" "$t_curl_https")"
echo
echo "ratio rbgate/curl: SFTP $(awk "BEGIN{ printf \"%.1f\", $t_curl_sftp / $t_rb_sftp }")x," \
  "HTTPS $(awk "BEGIN{ printf \"%.1f\", $t_curl_https / $t_rb_https }")x"
