#!/usr/bin/env bash
# Fault scenario (issue 15): SQS down (connections refused) and then slow, under
# load, as the api sees it: the api reaches fauxqs through tests/faults/tcp_fault.mjs
# (the worker's event source reaches it directly: tests/faults/proxy.sh). Phases: normal 3 s, refused
# DOWN_S, normal 2 s, every chunk SLOW_MS late (beyond the send's 300 ms budget)
# for SLOW_S, then normal RECOVER_S. Passes when creates keep their 201 and a p99
# under 1,000 ms in every phase (the send is after the answer, with its own
# budget and a circuit breaker: functions/api/api_publish.c), the api sends
# again by itself once SQS is back (no order created in the last 3 s is left to
# the relay: the breaker's pause is at most 10 s), and keyed.sh's accounting
# holds: 0 lost, 0 duplicated, every order decided (the relay sends the rest).
#   sqs_down_slow.sh SOURCE_DIR BUILD_DIR [CLIENTS]
set -euo pipefail
SRC=${1:?source dir}; BUILD=${2:?build dir}; CLIENTS=${3:-4}
DOWN_S=6 SLOW_S=5 SLOW_MS=1000 RECOVER_S=13
# shellcheck source=keyed.sh
source "$SRC/tests/faults/keyed.sh"
# shellcheck source=proxy.sh
source "$SRC/tests/faults/proxy.sh"

keyed_stack 6

# "N 201s, p50, p99" of the 201s sent between $1 and $2 (ms); $3: the p99 only
latency() {
  awk -v a="$1" -v b="$2" '$2 == 201 && $5 >= a && $5 < b {print $6 - $5}' "$D/answers" | sort -n |
    awk -v only="${3:-}" '{v[NR] = $1} END {p = int(NR * 0.99); if (p < 1) p = 1;
      if (only) {print NR ? v[p] : 99999; exit}
      if (NR == 0) {print "none"; exit}
      printf "%d 201s, p50 %d ms, p99 %d ms\n", NR, v[int((NR + 1) / 2)], v[p]}'
}

keyed_start sqs "$CLIENTS"
t0=$(now_ms)
sleep 3
down_at=$(now_ms); proxy refuse; sleep "$DOWN_S"
up_at=$(now_ms); proxy pass; sleep 2
slow_at=$(now_ms); proxy slow "$SLOW_MS"; sleep "$SLOW_S"
back_at=$(now_ms); proxy pass; sleep "$RECOVER_S"
keyed_stop
end=$(now_ms)
echo "create latency: before $(latency "$t0" "$down_at"); refused ($DOWN_S s) $(latency "$down_at" "$up_at");" \
  "between $(latency "$up_at" "$slow_at"); slow ($SLOW_S s, ${SLOW_MS} ms a chunk) $(latency "$slow_at" "$back_at");" \
  "after $(latency "$back_at" "$end")"
keyed_check "creates answered 201 while SQS refused connections" [ "$(latency "$down_at" "$up_at" p99)" -lt 99999 ]
keyed_check "their p99 under 1,000 ms" [ "$(latency "$down_at" "$up_at" p99)" -lt 1000 ]
keyed_check "creates answered 201 while SQS was slow" [ "$(latency "$slow_at" "$back_at" p99)" -lt 99999 ]
keyed_check "their p99 under 1,000 ms" [ "$(latency "$slow_at" "$back_at" p99)" -lt 1000 ]
# The api's own sends resumed: no order created in the last 3 s (10 s after the
# return, the breaker's longest pause) has a "not sent" line in the api's log.
awk -v a="$((end - 3000))" '$2 == 201 && $5 >= a {print $4}' "$D/answers" | sort -u >"$D/late"
grep -o '"order message not sent[^}]*' "$D/ll.log" | grep -o '"order_id":"[0-9a-f-]*"' | cut -d'"' -f4 | sort -u >"$D/unsent"
late=$(wc -l <"$D/late") late_unsent=$(comm -12 "$D/late" "$D/unsent" | wc -l)
echo "api: $(wc -l <"$D/unsent") orders whose message it did not send; of the $late created in the last 3 s, $late_unsent"
keyed_check "the api sends again by itself once SQS is back ($late orders in the last 3 s, $late_unsent not sent)" \
  [ $((late > 0 && late_unsent == 0)) -eq 1 ]
keyed_accounting
keyed_check "the relay sent the rows with no message" [ "$KEYED_NO_MESSAGE" -gt 0 ]
keyed_finish sqs_down_slow
