#!/usr/bin/env bash
# Fault scenario (issue 15): the same order.created message delivered 2 to 5
# times. While a transaction holds every inventory row (so that the worker's
# batches wait inside order_decide_batch), 30 orders are posted through the api
# and 1 to 4 copies of each order's message (its outbox payload, as the api and
# the relay send it) go straight to the orders queue with the SQS API; then the
# lock is released, and originals and copies race in concurrent batches. Passes when each
# order is decided once (one confirmed/rejected line a order in the worker's
# log, the others already_handled), the stock is reserved once, and nothing is
# in the DLQ. Ends with lib.sh's accounting.
#   duplicates.sh SOURCE_DIR LAMBDA_LOCAL BOOTSTRAP
# The checks are strings that check() evals: single quotes on purpose.
# shellcheck disable=SC2016
set -u
ROOT=${1:?} LL=${2:-} BOOT=${3:-}
if [ ! -x "$LL" ] || [ ! -x "$BOOT" ]; then echo "skipped: no lambda-local or no bootstrap"; exit 77; fi
[ -x /usr/lib/postgresql/15/bin/initdb ] || { echo "skipped: no PostgreSQL 15"; exit 77; }
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_stack
check "a transaction holds every inventory row" 'hold_lock "*"'
post_orders dup 30
# copies: order number i (1-based, in acceptance order) gets (i % 4) + 1 copies
sql "SELECT b.payload::text FROM outbox b WHERE b.order_id = ANY($(ids_array)) ORDER BY b.created_at, b.id" \
  >"$WORK/payloads"
copies=0 i=0
while IFS= read -r body; do
  i=$((i + 1))
  for _ in $(seq 1 $((i % 4 + 1))); do printf '%s\0' "$body"; copies=$((copies + 1)); done
done <"$WORK/payloads" >"$WORK/copies"
check "the orders' messages were read from the outbox" '[ "$i" -eq "$(wc -l <"$WORK/accepted")" ] && [ "$i" -gt 0 ]'
check "$copies copies sent to the orders queue" 'xargs -0 node "$SQS_TOOL" "$AWS_ENDPOINT_URL" send "$ORDERS_QUEUE_URL" <"$WORK/copies" >/dev/null'
check "worker batches wait for the inventory (originals and copies in flight)" 'batch_waiting'
sleep 2
release_lock
check "no accepted order PENDING within 30 s" 'await_decided 30'
drained() {
  for _ in $(seq 1 60); do
    [ "$(sqs_count "$ORDERS_QUEUE_URL")" = 0 ] && return 0
    sleep 0.5
  done
  return 1
}
check "the orders queue drained (every copy received and deleted) within 30 s" 'drained'
handled=$(grep -c '"outcome":"already_handled"' "$WORK/run.log" || true)
echo "copies sent $copies, already_handled logged $handled"
check "each copy answered already_handled (at least as many lines as copies)" '[ "$handled" -ge "$copies" ]'
check "no message in the DLQ" '[ "$(sqs_count "$DLQ_URL")" = 0 ]'
accounting
finish
