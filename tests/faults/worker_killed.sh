#!/usr/bin/env bash
# Fault: the worker's bootstrap process SIGKILLed while its batch is in flight.
# lambda-local starts a new one; the batch's messages come back after the
# visibility timeout and are decided once. Prints the accounting and
# "N passed, N failed"; exit 77 without lambda-local, bootstrap or PostgreSQL.
#   worker_killed.sh ROOT LAMBDA_LOCAL BOOTSTRAP
# The checks are strings that check() evals later: single quotes on purpose.
# shellcheck disable=SC2016,SC2034
set -u
ROOT=${1:?} LL=${2:-} BOOT=${3:-}
if [ ! -x "$LL" ] || [ ! -x "$BOOT" ]; then echo "skipped: no lambda-local or no bootstrap"; exit 77; fi
[ -x /usr/lib/postgresql/15/bin/initdb ] || { echo "skipped: no PostgreSQL 15"; exit 77; }
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# The worker processes of this stack only: _HANDLER=worker and our database port
# (other stacks may run on this machine).
worker_pids() {
  local f pid env
  for f in /proc/[0-9]*/environ; do
    pid=${f#/proc/}; pid=${pid%/environ}
    env=$( { tr '\0' '\n' <"$f"; } 2>/dev/null) || continue
    grep -qx "_HANDLER=worker" <<<"$env" && grep -qx "DB_PORT=$PGPORT" <<<"$env" && echo "$pid"
  done
}

start_stack
post_orders warm 10
check "before the fault: the first orders are decided" 'await_decided 20'
before=$(worker_pids | sort)
check "the worker processes are found (_HANDLER=worker, DB_PORT=$PGPORT)" '[ -n "$before" ]'
check "a lock holds SKU-3" 'hold_lock SKU-3'
post_orders fault 40
check "a worker batch is in flight (waiting for the lock)" 'batch_waiting'
# shellcheck disable=SC2086
kill -KILL $before
gone() { # a killed process is gone or a zombie
  local p
  for p in $before; do
    [ -e "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && return 1
  done
  return 0
}
check "the worker processes are gone" 'sleep 0.3; gone'
release_lock
check "after the kill: no accepted order is PENDING within 40 s" 'await_decided 40'
after=$(worker_pids | sort)
check "lambda-local runs new worker processes" '[ -n "$after" ] && [ -z "$(comm -12 <(echo "$before") <(echo "$after"))" ]'
post_orders after 10
check "orders posted after the kill are decided" 'await_decided 20'
check "no message in the DLQ" '[ "$(sqs_count "$DLQ_URL")" = 0 ]'
accounting
finish
