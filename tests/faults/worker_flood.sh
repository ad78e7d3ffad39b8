#!/usr/bin/env bash
# The malformed-input flood for the worker (issue 15): N hostile messages
# (default 100000; tests/faults/worker_flood.mjs lists the kinds) sent to the
# orders queue of the local stack, while 40 real orders are posted through the
# api. lambda-local's SQS source delivers them to the worker in SQS events.
# maxReceiveCount is 1, so each message SQS accepted is delivered once and then
# dead-lettered unless the worker said it succeeded. Passes when every hostile
# message is a per-message failure of the worker (logged once, with a failure
# outcome, and in the DLQ: none silently deleted), no batch fails as a whole,
# no worker process crashes or times out, the orders queue drains, and lib.sh's
# accounting holds for the real orders (each decided once, no other order, the
# stock invariant): a hostile message writes nothing.
#   worker_flood.sh SOURCE_DIR LAMBDA_LOCAL BOOTSTRAP [N] [CONCURRENCY]
# The checks are strings that check() evals later: single quotes on purpose.
# shellcheck disable=SC2016,SC2034
set -u
ROOT=${1:?} LL=${2:-} BOOT=${3:-} N=${4:-100000} CONC=${5:-4}
if [ ! -x "$LL" ] || [ ! -x "$BOOT" ]; then echo "skipped: no lambda-local or no bootstrap"; exit 77; fi
[ -x /usr/lib/postgresql/15/bin/initdb ] || { echo "skipped: no PostgreSQL 15"; exit 77; }
export FAUXQS_MAX_RECEIVE_COUNT=1 FAUXQS_VISIBILITY_TIMEOUT=2
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_stack
post_orders flood 40 &
ORDERS_PID=$!
t0=$SECONDS
node "$ROOT/tests/faults/worker_flood.mjs" "$AWS_ENDPOINT_URL" "$ORDERS_QUEUE_URL" "$N" "$CONC" "$RANDOM" >"$WORK/flood.json"
wait "$ORDERS_PID"
cat "$WORK/flood.json"
j() { node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(eval(process.argv[2]))' "$WORK/flood.json" "$1"; }
accepted=$(j j.accepted) refused=$(j j.refused) errors=$(j j.errors)
check "every message answered by SQS ($accepted accepted, $refused refused as SQS refuses them)" \
  '[ "$errors" -eq 0 ] && [ $((accepted + refused)) -eq "$N" ] && [ "$accepted" -gt 0 ]'
# Drained: nothing left in the orders queue (visible or in flight), every accepted message in the DLQ.
drained() {
  local limit=$((60 + N / 500)) q d
  while [ $((SECONDS - t0)) -lt "$limit" ]; do
    q=$(sqs_count "$ORDERS_QUEUE_URL") d=$(sqs_count "$DLQ_URL")
    [ "$q" = 0 ] && [ "$d" = "$accepted" ] && return 0
    sleep 1
  done
  echo "orders queue $q, DLQ $d, accepted $accepted"
  return 1
}
check "the orders queue drained and every hostile message is in the DLQ" 'drained'
echo "drained in $((SECONDS - t0)) s"
check "the real orders are decided" 'await_decided 30'
outcome() { grep -c "\"outcome\":\"$1\"" "$WORK/run.log" || true; }
malformed=$(outcome malformed) unknown_type=$(outcome unknown_type) unknown_order=$(outcome unknown_order)
other_failures=0
for o in not_a_record retry error not_attempted db_unavailable; do other_failures=$((other_failures + $(outcome "$o"))); done
problems=$(grep -c '"problem":"no usable messageId' "$WORK/run.log" || true)
whole=$(grep -c 'whole batch failed' "$WORK/run.log" || true)
crashes=$(grep -Ec 'process ended|Task timed out|init did not finish|Runtime\.[A-Z]' "$WORK/run.log" || true)
echo "worker: malformed $malformed, unknown_type $unknown_type, unknown_order $unknown_order," \
  "other failures $other_failures, without usable id $problems; batches failed whole $whole; crashes or timeouts $crashes"
check "each hostile message logged once as a per-message failure (malformed, unknown_type, unknown_order)" \
  '[ $((malformed + unknown_type + unknown_order)) -eq "$accepted" ] && [ "$other_failures" -eq 0 ] && [ "$problems" -eq 0 ]'
check "no batch failed as a whole, no worker process crashed or timed out" '[ "$whole" -eq 0 ] && [ "$crashes" -eq 0 ]'
accounting
finish
