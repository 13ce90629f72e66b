#!/usr/bin/env bash
# Benchmark: collecting. COUNT distinct 4 KiB Standard 18 files waiting in a folder on OpenSSH's
# sshd (SFTP, loopback; tests/support/servers.sh), collected by a running daemon's [[source]]
# (listed, settled, fetched hidden, synced, recorded, renamed into the drop folder, and deleted
# on the server once the spool holds each one), timed from the daemon's start until the last
# is deleted on the server, in files/s; beside `curl` fetching the same files one by one (a new
# connection each, as a cron job would) and in one process (one connection, every file), in the
# same run. The spool also checks and delivers each file collected: rbgate does more than curl.
# Not a test: run it by hand. Usage: bench/collect.sh [COUNT]
set -euo pipefail
count=${1:-500}
source "$(dirname "$0")/common.sh"
source "$here/tests/support/servers.sh"
cmake --build "$here/build/release" --target https_sink >/dev/null
work=$data/collect
rm -rf "$work"
mkdir -p "$work"
now() { date +%s%N; }
secs() { awk "BEGIN{ printf \"%.3f\", ($2 - $1) / 1e9 }"; }
rate() { awk "BEGIN{ printf \"%.1f\", $1 / $2 }"; }

servers_init "$work/srv" "$here/build/release/tests/https_sink"
daemon=""
cleanup() {
  [ -n "$daemon" ] && kill -9 "$daemon" 2>/dev/null
  [ -n "${sshd_pid:-}" ] && kill -9 "$sshd_pid" 2>/dev/null
  return 0
}
trap cleanup EXIT
start_sshd

echo "generating $count small files ..." >&2
small_files "$data/small" "$count"
size=$(stat -c %s "$data/small/f1.s18")
remote=$work/remote
fill() { rm -rf "$remote"; mkdir -p "$remote"; cp "$data/small/"f{1..$count}.s18 "$remote/" 2>/dev/null ||
  for i in $(seq "$count"); do cp "$data/small/f$i.s18" "$remote/"; done; touch -d '-1 hour' "$remote"/*; }

# curl gets the key without its passphrase (its KDF would dominate each of its connections).
mkdir -p "$work/home/.ssh" "$work/curl-out"
cp "$srv/ssh/known_hosts" "$work/home/.ssh/known_hosts"
cp "$srv/ssh/client_key" "$work/home/.ssh/id_ed25519"
ssh-keygen -q -p -P 'correct horse battery' -N '' -f "$work/home/.ssh/id_ed25519"
curl_each() {
  local start end i
  start=$(now)
  for i in $(seq "$count"); do
    HOME=$work/home curl -sSf --user "$srv_user:" --key "$work/home/.ssh/id_ed25519" \
      -o "$work/curl-out/f$i.s18" "sftp://127.0.0.1:$ssh_port$remote/f$i.s18"
  done
  end=$(now)
  secs "$start" "$end"
}
curl_once() {
  local start end i
  for i in $(seq "$count"); do
    printf 'url = "sftp://127.0.0.1:%s%s/f%s.s18"\noutput = "%s/curl-out/f%s.s18"\n' \
      "$ssh_port" "$remote" "$i" "$work" "$i"
  done >"$work/curl.cfg"
  start=$(now)
  HOME=$work/home curl -sSf --user "$srv_user:" --key "$work/home/.ssh/id_ed25519" -K "$work/curl.cfg"
  end=$(now)
  secs "$start" "$end"
}
rbgate_collect() {
  local s=$work/spool start end
  rm -rf "$s"
  new_spool "$s" 2
  sed -i 's/^listen = .*/listen = ""/' "$s/rbgate.toml"
  {
    sftp_destination src "$remote" "$srv/ssh/known_hosts" | sed 's/^\[\[destination\]\]$/[[source]]/'
    printf 'route = "auto"\nafter = "delete"\npoll_seconds = 1\nsettle_seconds = 0\n'
  } >>"$s/rbgate.toml"
  start=$(now)
  RBGATE_CONFIG="$s/rbgate.toml" "$rbgate" run 2>"$s/daemon.log" &
  daemon=$!
  until [ -z "$(ls -A "$remote")" ]; do sleep 0.05; done
  end=$(now)
  kill -TERM "$daemon"
  wait "$daemon" || true
  daemon=""
  local got
  got=$(grep -c ' info collected ' "$s/daemon.log")
  [ "$got" -eq "$count" ] || echo "rbgate collected $got of $count" >&2
  secs "$start" "$end"
}

fill
t_each=$(curl_each)
t_once=$(curl_once)
fill
t_rbgate=$(rbgate_collect)
echo "collect $count files of $size bytes from sshd on loopback (SFTP):"
printf '  %-46s %8s s  %8s files/s\n' "curl, one process a file" "$t_each" "$(rate "$count" "$t_each")"
printf '  %-46s %8s s  %8s files/s\n' "curl, one process (one connection)" "$t_once" "$(rate "$count" "$t_once")"
printf '  %-46s %8s s  %8s files/s  (%s x curl one by one, %s x one process)\n' \
  "rbgate [[source]] (collect, record, delete)" "$t_rbgate" "$(rate "$count" "$t_rbgate")" \
  "$(awk "BEGIN{printf \"%.2f\", $t_each / $t_rbgate}")" "$(awk "BEGIN{printf \"%.2f\", $t_once / $t_rbgate}")"
