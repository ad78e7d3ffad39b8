#!/usr/bin/env bash
# Fault scenario (issue 15): SQS frozen (fauxqs, the local SQS, SIGSTOPped for
# FREEZE_S seconds) under load. The api's send after the answer has a budget of
# its own (one attempt of 300 ms, then a circuit breaker: functions/api/
# api_publish.c), so creates keep their 201 and their latency while SQS hangs;
# the orders whose message could not be sent keep an unpublished outbox row,
# which the relay (the cleanup function's outbox task) sends once SQS is back,
# and the worker decides them. Prints the create latency before, during and
# after the freeze; passes with no 502/504, 0 lost and 0 duplicated, every
# order decided (keyed.sh's accounting).
#   sqs_frozen.sh SOURCE_DIR BUILD_DIR [CLIENTS]
set -euo pipefail
SRC=${1:?source dir}; BUILD=${2:?build dir}; CLIENTS=${3:-4}
FREEZE_S=8
# shellcheck source=keyed.sh
source "$SRC/tests/faults/keyed.sh"
# shellcheck disable=SC2016  # eval'd on EXIT: never leave fauxqs stopped
KEYED_ON_EXIT='[ -z "${FQ_PID:-}" ] || kill -CONT "$FQ_PID" 2>/dev/null'
keyed_stack 6

# p50/p99 (ms) of the 201s sent between $1 and $2 (ms), and how many
latency() {
  awk -v a="$1" -v b="$2" '$2 == 201 && $5 >= a && $5 < b {print $6 - $5}' "$D/answers" | sort -n |
    awk '{v[NR] = $1} END {if (NR == 0) {print "none"; exit} p = int(NR * 0.99); if (p < 1) p = 1;
         printf "%d 201s, p50 %d ms, p99 %d ms\n", NR, v[int((NR + 1) / 2)], v[p]}'
}

keyed_start sqs "$CLIENTS"
sleep 3
frozen_at=$(now_ms)
kill -STOP "$FQ_PID"
sleep "$FREEZE_S"
kill -CONT "$FQ_PID"
thawed_at=$(now_ms)
sleep 4
keyed_stop
end=$(now_ms)
before=$(latency 0 "$frozen_at")
during=$(latency "$frozen_at" "$thawed_at")
after=$(latency "$thawed_at" "$end")
echo "create latency: before the freeze $before; during ($FREEZE_S s) $during; after $after"
unsent=$(sql "SELECT count(*) FROM orders o JOIN outbox b ON b.order_id = o.id
               WHERE o.customer_id LIKE 'c-sqs-%' AND b.published_at IS NULL")
echo "outbox rows unpublished once the clients stopped: $unsent"
n_during=$(awk -v a="$frozen_at" -v b="$thawed_at" '$2 == 201 && $5 >= a && $5 < b' "$D/answers" | wc -l)
p99_during=$(awk -v a="$frozen_at" -v b="$thawed_at" '$2 == 201 && $5 >= a && $5 < b {print $6 - $5}' "$D/answers" |
  sort -n | awk '{v[NR] = $1} END {p = int(NR * 0.99); if (p < 1) p = 1; print NR ? v[p] : 99999}')
keyed_check "creates answered 201 while SQS was frozen" [ "$n_during" -gt 0 ]
keyed_check "their p99 under 1,000 ms (the send's budget is 300 ms, after the answer)" [ "$p99_during" -lt 1000 ]
keyed_check "messages that could not be sent stayed in the outbox" [ "$unsent" -gt 0 ]
keyed_accounting
keyed_check "the relay sent the rows with no message" [ "$KEYED_NO_MESSAGE" -gt 0 ]
keyed_finish sqs_frozen
