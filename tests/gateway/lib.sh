# Helpers the shell tests share. Source it.

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
