# shellcheck shell=bash
# shellcheck disable=SC2034  # PROXY_PID and KEYED_ON_EXIT are read by keyed.sh (eval on EXIT)
# Sourced by the api stack's SQS scenarios after keyed.sh: tcp_fault.mjs in front
# of fauxqs for the functions (api and cleanup's relay; the worker's event source
# reaches fauxqs directly), started by stack.sh's stack_before_config hook.
#   proxy MODE [ARG]     pass | refuse | freeze | hold | slow MS, once it took effect
PROXY_PID=""
# shellcheck disable=SC2016  # eval'd on EXIT
KEYED_ON_EXIT='exec 4>&- 2>/dev/null; [ -z "$PROXY_PID" ] || kill "$PROXY_PID" 2>/dev/null'

stack_before_config() {
  mkfifo "$D/proxy.in"
  node "$SRC/tests/faults/tcp_fault.mjs" "${FQ_URL##*:}" <"$D/proxy.in" >"$D/proxy.out" 2>&1 &
  PROXY_PID=$!
  exec 4>"$D/proxy.in"
  for _ in $(seq 1 100); do grep -q '^PORT ' "$D/proxy.out" && break; sleep 0.1; done
  STACK_FN_SQS_URL="http://127.0.0.1:$(sed -n 's/^PORT //p' "$D/proxy.out")"
  [ "$STACK_FN_SQS_URL" != "http://127.0.0.1:" ] || fail "tcp_fault.mjs did not start: $(cat "$D/proxy.out")"
}

proxy() {
  local n
  n=$(grep -c '^MODE ' "$D/proxy.out" || true)
  echo "$*" >&4
  for _ in $(seq 1 50); do [ "$(grep -c '^MODE ' "$D/proxy.out" || true)" -gt "$n" ] && return 0; sleep 0.1; done
  fail "the proxy did not take '$*'"
}
