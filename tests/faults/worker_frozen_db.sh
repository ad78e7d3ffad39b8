#!/usr/bin/env bash
# Fault scenario (issue 15): the database frozen (SIGSTOP of the postmaster and of
# every backend of the functions) for FREEZE_S seconds, longer than the worker's
# 4 s timeout and the api's 6 s, on the api's stack with the worker, under
# keyed.sh's load; 20 copies of orders' messages are sent to the queue once it is
# frozen. The worker's batches in flight must end before its deadline
# with every message named (retried after the visibility timeout), never be
# killed at the timeout; after the thaw every order is decided (the copies are
# already_handled) and nothing is in the DLQ. Passes with keyed.sh's accounting (no 502/504, no `Task timed out`,
# 0 lost, 0 duplicated, every order decided).
#   worker_frozen_db.sh SOURCE_DIR BUILD_DIR [CLIENTS]
set -euo pipefail
SRC=${1:?source dir}; BUILD=${2:?build dir}; CLIENTS=${3:-4}
FREEZE_S=9
# shellcheck source=keyed.sh
source "$SRC/tests/faults/keyed.sh"
FROZEN=""
# shellcheck disable=SC2016  # eval'd on EXIT: never leave the database stopped
KEYED_ON_EXIT='for p in $FROZEN; do kill -CONT "$p" 2>/dev/null; done'
STACK_WORKER_TIMEOUT=4 keyed_stack 6

# lambda-local's line for each batch the worker answered: "batch of N (request ...): D deleted, F left ..."
batches() { grep -c "sqs worker: batch of" "$D/ll.log" || true; }
retried() { grep -o 'sqs worker: batch of [0-9]* ([^)]*): 0 deleted, [1-9][0-9]* left' "$D/ll.log" | wc -l; }

keyed_start wfrozen "$CLIENTS"
sleep 3
# Messages for the worker while the database is frozen (the api cannot create any
# then): copies of 20 orders' messages, sent straight to the queue once it is frozen.
sql "SELECT b.payload::text FROM outbox b JOIN orders o ON o.id = b.order_id
      WHERE o.customer_id LIKE 'c-wfrozen-%' ORDER BY b.created_at LIMIT 20" >"$D/copies"
FROZEN="$(sql "SELECT pid FROM pg_stat_activity WHERE application_name = 'orders'" | tr '\n' ' ') $(head -1 "$D/pg/data/postmaster.pid")"
before=$(batches)
# shellcheck disable=SC2086  # one word a pid
kill -STOP $FROZEN
tr '\n' '\0' <"$D/copies" | xargs -0 node "$SRC/tests/e2e/lambda_local/sqs_tool.mjs" "$FQ_URL" send "$QUEUE" >/dev/null
sleep "$FREEZE_S"
# shellcheck disable=SC2086
kill -CONT $FROZEN
during=$(($(batches) - before)) retried_during=$(retried) nfrozen=$(wc -w <<<"$FROZEN")
FROZEN=""
sleep 3
keyed_stop
echo "froze $nfrozen processes for $FREEZE_S s; worker batches answered meanwhile: $during," \
  "batches with every message left for redelivery (whole run): $retried_during"
keyed_check "the worker answered batches while the database was frozen (each before its 4 s deadline)" [ "$during" -gt 0 ]
keyed_check "some batch named every message for redelivery" [ "$retried_during" -gt 0 ]
keyed_accounting
dlq=$(node "$SRC/tests/e2e/lambda_local/sqs_tool.mjs" "$FQ_URL" count "${QUEUE%/*}/orders-dlq")
keyed_check "nothing in the DLQ ($dlq)" [ "$dlq" = 0 ]
keyed_finish worker_frozen_db
