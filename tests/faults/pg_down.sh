#!/usr/bin/env bash
# Fault: PostgreSQL stopped while a worker batch is in flight, started again 4 s
# later. The worker names the batch's messages for retry; they come back after
# the visibility timeout and every accepted order is decided once the database
# is back. Prints the accounting and "N passed, N failed"; exit 77 without
# lambda-local, bootstrap or PostgreSQL.
#   pg_down.sh ROOT LAMBDA_LOCAL BOOTSTRAP
# The checks are strings that check() evals later: single quotes on purpose.
# shellcheck disable=SC2016
set -u
ROOT=${1:?} LL=${2:-} BOOT=${3:-}
if [ ! -x "$LL" ] || [ ! -x "$BOOT" ]; then echo "skipped: no lambda-local or no bootstrap"; exit 77; fi
[ -x /usr/lib/postgresql/15/bin/initdb ] || { echo "skipped: no PostgreSQL 15"; exit 77; }
# Failed receives every 3 s during the outage (4 s, plus the restart, slow on a loaded
# machine or under libfaketime): 10 receives before the DLQ, not 3, keeps them out of it.
export FAUXQS_MAX_RECEIVE_COUNT=10
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_stack
post_orders warm 10
check "before the fault: the first orders are decided" 'await_decided 20'
# The next batch waits for SKU-3's row inside order_decide_batch.
check "a lock holds SKU-3" 'hold_lock SKU-3'
post_orders fault 40
check "a worker batch is in flight (waiting for the lock)" 'batch_waiting'
PG="$LOCAL_STACK_DIR/pg"
env -u LD_PRELOAD -u FAKETIME_SHARED runuser -u postgres -- env "LD_PRELOAD=${LD_PRELOAD:-}" /usr/lib/postgresql/15/bin/pg_ctl -D "$PG/data" -m fast -w stop >/dev/null
LOCK_PID=""
check "PostgreSQL stopped mid-batch" '! psql -qAtX -c "SELECT 1" >/dev/null 2>&1'
sleep 4 # the worker fails its batches meanwhile (messages come back every 3 s)
check "PostgreSQL started again on the same port" '"$ROOT/scripts/lib/pgtmp" start "$PG" "$PGPORT" >/dev/null'
check "the worker named the failed batch for retry" 'grep -q "database call failed; the batch" "$WORK/run.log"'
check "after the restart: no accepted order is PENDING within 40 s" 'await_decided 40'
post_orders after 10
check "orders posted after the restart are decided" 'await_decided 20'
check "no message in the DLQ" '[ "$(sqs_count "$DLQ_URL")" = 0 ]'
accounting
finish
