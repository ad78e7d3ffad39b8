#!/usr/bin/env bash
# Fault: poison messages (a body that is not JSON, an order.created with an
# order_id that is not a UUID) sent straight to the orders queue. Each is
# failed on every receive and, after maxReceiveCount (3 here) receives, is in
# the DLQ; the orders posted meanwhile flow. Prints the accounting and
# "N passed, N failed"; exit 77 without lambda-local, bootstrap or PostgreSQL.
#   poison.sh ROOT LAMBDA_LOCAL BOOTSTRAP
# The checks are strings that check() evals later: single quotes on purpose.
# shellcheck disable=SC2016
set -u
ROOT=${1:?} LL=${2:-} BOOT=${3:-}
if [ ! -x "$LL" ] || [ ! -x "$BOOT" ]; then echo "skipped: no lambda-local or no bootstrap"; exit 77; fi
[ -x /usr/lib/postgresql/15/bin/initdb ] || { echo "skipped: no PostgreSQL 15"; exit 77; }
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_stack
check "two poison messages sent to the orders queue" \
  'sqs send "$ORDERS_QUEUE_URL" "not json{" "{\"type\":\"order.created\",\"order_id\":\"not-a-uuid\"}"'
post_orders poison 40
check "the orders flow while the poison is retried: none PENDING within 20 s" 'await_decided 20'
in_dlq() {
  for _ in $(seq 1 60); do
    [ "$(sqs count "$DLQ_URL")" = 2 ] && [ "$(sqs count "$ORDERS_QUEUE_URL")" = 0 ] && return 0
    sleep 0.5
  done
  return 1
}
check "both poison messages in the DLQ, the orders queue empty, within 30 s" 'in_dlq'
check "the DLQ holds the poison bodies" '[ "$(sqs bodies "$DLQ_URL")" = "not json{ {\"type\":\"order.created\",\"order_id\":\"not-a-uuid\"}" ]'
check "the worker logged them as malformed" '[ "$(grep -c "\"outcome\":\"malformed\"" "$WORK/run.log")" -ge 6 ]'
accounting
finish
