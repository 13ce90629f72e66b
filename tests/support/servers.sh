#!/usr/bin/env bash
# Real servers on loopback for the forwarding tests: OpenSSH's sshd (SFTP) in a folder of its
# own with its own host key, and the HTTPS sink (https_sink.cc) with a throwaway CA.
#
# Sourced (forward_test.sh): servers_init DIR SINK-BINARY, then start_sink [PORT],
# stop_sink, start_sshd, sftp_destination NAME DIR KNOWN-HOSTS, https_destination NAME URL.
# Run (crash_test.cc):  servers.sh start DIR SINK-BINARY  -> DIR/destinations.toml with an
#                       sftp "bank" (into DIR/sftp-in) and an https "dms" (into DIR/recv)
#                       servers.sh stop DIR

# shellcheck source=tests/gateway/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../gateway/lib.sh"  # wait_for

servers_init() {  # servers_init DIR SINK: certificates, keys and folders under DIR
  srv=$1
  srv_sink=$2
  srv_user=$(id -un)
  mkdir -p "$srv/pki" "$srv/ssh" "$srv/recv" "$srv/sftp-in"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=rbgate-test-ca \
    -keyout "$srv/pki/ca.key" -out "$srv/pki/ca.crt" 2>/dev/null
  srv_cert loopback IP:127.0.0.1
  ssh-keygen -q -t ed25519 -N '' -f "$srv/ssh/host_key"
  ssh-keygen -q -t ed25519 -N 'correct horse battery' -f "$srv/ssh/client_key"
  cp "$srv/ssh/client_key.pub" "$srv/ssh/authorized_keys"
  printf 'correct horse battery\n' >"$srv/ssh/passphrase"
  chmod 600 "$srv/ssh/passphrase"
}

srv_cert() {  # srv_cert NAME SUBJECT-ALT-NAME: pki/NAME.{crt,key}, signed by the CA
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$srv/pki/$1.key" \
    -out "$srv/pki/$1.csr" 2>/dev/null
  openssl x509 -req -in "$srv/pki/$1.csr" -CA "$srv/pki/ca.crt" -CAkey "$srv/pki/ca.key" \
    -CAcreateserial -days 1 -extfile <(printf 'subjectAltName=%s' "$2") \
    -out "$srv/pki/$1.crt" 2>/dev/null
}

start_sink() {  # start_sink [PORT]: sets sink_pid, sink_port; stores into recv/; $SINK_ARGS more
  rm -f "$srv/sink.port"
  # A fixture, not the code under test: under ThreadSanitizer its races (httplib's, OpenSSL's,
  # uninstrumented) are neither reported nor fatal.
  TSAN_OPTIONS="report_bugs=0 halt_on_error=0" "$srv_sink" --cert "$srv/pki/loopback.crt" --key "$srv/pki/loopback.key" --store "$srv/recv" \
    --port-file "$srv/sink.port" ${1:+--port "$1"} ${SINK_ARGS:-} >/dev/null 2>>"$srv/sink.log" &
  sink_pid=$!
  wait_for 10 test -s "$srv/sink.port" || {
    echo "servers.sh: the HTTPS sink did not start: $(cat "$srv/sink.log")" >&2
    return 1
  }
  sink_port=$(cat "$srv/sink.port")
}

stop_sink() {
  kill -9 "$sink_pid" 2>/dev/null
  wait "$sink_pid" 2>/dev/null || true
  sink_pid=""
}

start_sshd() {  # sets sshd_pid, ssh_port; writes ssh/known_hosts
  if [ ! -x /usr/sbin/sshd ]; then
    echo "servers.sh: /usr/sbin/sshd is missing (scripts/setup.sh installs openssh-server)" >&2
    return 1
  fi
  [ "$(id -u)" -eq 0 ] && mkdir -p /run/sshd
  sshd_pid=""
  for _ in 1 2 3 4 5; do
    ssh_port=$((20000 + RANDOM % 30000))
    cat >"$srv/ssh/sshd_config" <<EOF
Port $ssh_port
ListenAddress 127.0.0.1
HostKey $srv/ssh/host_key
AuthorizedKeysFile $srv/ssh/authorized_keys
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PidFile none
Subsystem sftp internal-sftp
PermitRootLogin prohibit-password
AllowUsers $srv_user
LogLevel ERROR
EOF
    /usr/sbin/sshd -D -e -f "$srv/ssh/sshd_config" >/dev/null 2>"$srv/ssh/sshd.log" &
    sshd_pid=$!
    wait_for 5 bash -c "(exec 3<>/dev/tcp/127.0.0.1/$ssh_port) 2>/dev/null" && break
    kill -9 "$sshd_pid" 2>/dev/null
    sshd_pid=""
  done
  if [ -z "$sshd_pid" ]; then
    echo "servers.sh: sshd did not start: $(cat "$srv/ssh/sshd.log")" >&2
    return 1
  fi
  echo "[127.0.0.1]:$ssh_port $(cat "$srv/ssh/host_key.pub")" >"$srv/ssh/known_hosts"
}

sftp_destination() {  # sftp_destination NAME DIR KNOWN-HOSTS: a [[destination]] table
  cat <<EOF

[[destination]]
name = "$1"
type = "sftp"
url = "sftp://127.0.0.1:$ssh_port$2/"
user = "$srv_user"
identity_file = "$srv/ssh/client_key"
key_passphrase_file = "$srv/ssh/passphrase"
known_hosts = "$3"
connect_timeout_seconds = 10
timeout_seconds = 20
retry_min_seconds = 1
retry_max_seconds = 2
EOF
}

https_destination() {  # https_destination NAME URL: a [[destination]] table
  cat <<EOF

[[destination]]
name = "$1"
type = "https"
url = "$2"
ca_file = "$srv/pki/ca.crt"
connect_timeout_seconds = 5
timeout_seconds = 20
retry_min_seconds = 1
retry_max_seconds = 2
EOF
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  case ${1:-} in
    start)
      servers_init "$2" "$3"
      start_sink || exit 1
      start_sshd || exit 1
      {
        sftp_destination bank "$srv/sftp-in" "$srv/ssh/known_hosts"
        https_destination dms "https://127.0.0.1:$sink_port/upload/{name}"
      } >"$srv/destinations.toml"
      echo "$sink_pid $sshd_pid" >"$srv/pids"
      ;;
    stop)
      [ -f "$2/pids" ] && kill -9 $(cat "$2/pids") 2>/dev/null
      ;;
    *)
      echo "usage: servers.sh start DIR SINK | stop DIR" >&2
      exit 2
      ;;
  esac
fi
