# Helpers the shell tests share. Source it.

# The tally: `check NAME CONDITION...` counts a pass, or a failure with "FAIL NAME".
pass=${pass:-0} fail=${fail:-0}
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() {  # check NAME CONDITION...
  local name=$1
  shift
  if "$@"; then ok; else bad "$name"; fi
}

# wait_for SECONDS CONDITION...: polls until the condition holds or the time runs out.
wait_for() {
  local limit=$1
  shift
  for _ in $(seq $((limit * 10))); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

# run NAME WANTED_EXIT COMMAND...: counts a pass when COMMAND exits WANTED_EXIT, else a
# failure with the first lines it said; its output stays in $tmp/out and $tmp/err.
# has FILE TEXT: FILE holds TEXT (fixed, not a pattern).
run() {
  local name=$1 want=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok; else
    bad "$name: exit $got, wanted $want"
    head -5 "$tmp/out" "$tmp/err" | sed 's/^/  /'
  fi
}
has() { grep -qF -- "$2" "$1"; }

# state_of SPOOL NAME: the ledger state of the file received as NAME in the spool at SPOOL;
# is_state SPOOL NAME STATE, for wait_for. (Tests with one spool define their own.)
state_of() {  # state_of SPOOL NAME
  "$rbgate" ledger list --config "$1/rbgate.toml" --format json |
    grep -o "\"name\":\"$2\"[^}]*\"state\":\"[a-z]*\"" | sed 's/.*"state":"//; s/"$//' | head -1
}
is_state() { [ "$(state_of "$1" "$2")" = "$3" ]; }

# start_daemon CONFIG LOG: `$rbgate run` in the background with stderr to LOG; sets `daemon`
# (its pid) and `url` (its admin server, from the admin-listening line it logs).
start_daemon() {
  RBGATE_CONFIG="$1" "$rbgate" run 2>"$2" &
  daemon=$!
  wait_for 10 grep -q admin-listening "$2"
  url=$(grep -o 'admin-listening url=[^ ]*' "$2" | head -1 | cut -d= -f2)
}

# when_holding PID ACTION COUNT-COMMAND...: runs ACTION (a command line, eval'd) at a moment
# when COUNT-COMMAND (which prints a number: what the process holds, from the ledger) is above
# 0. The process is stopped (SIGSTOP) for each look, so what it holds cannot finish between the
# look and the action; it is continued after (a SIGKILL in ACTION needs no continuing). False,
# the action not taken, if it held nothing within 30 s.
when_holding() {
  local pid=$1 action=$2 n
  shift 2
  for _ in $(seq 300); do
    kill -STOP "$pid" 2>/dev/null || return 1
    n=$("$@")
    if [ "${n:-0}" -gt 0 ] 2>/dev/null; then
      eval "$action"
      kill -CONT "$pid" 2>/dev/null
      return 0
    fi
    kill -CONT "$pid"
    sleep 0.05
  done
  return 1
}

# gpg_in HOME ARGS...: gpg on keyring HOME, in batch, quietly, no passphrase, every key trusted.
gpg_in() {
  local home=$1
  shift
  gpg --batch --quiet --no-tty --homedir "$home" --pinentry-mode loopback --passphrase '' \
    --trust-model always "$@" 2>/dev/null
}

# new_database NAME (under tests/support/with_postgres.sh): database NAME made on the test's
# PostgreSQL server; sets pghost (its socket folder) and pg_url (a ledger url for the database,
# with & escaped for a sed replacement).
new_database() {
  pghost=${RBGATE_TEST_POSTGRES#host=}
  pghost=${pghost%% *}
  "$PGBIN/psql" -X -q "host=$pghost user=rbgate dbname=postgres" -c "CREATE DATABASE $1"
  pg_url="postgresql:///$1?host=$pghost\\&user=rbgate"
}

