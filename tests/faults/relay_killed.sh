#!/usr/bin/env bash
# Fault scenario (issue 15): the outbox relay killed between SendMessageBatch and
# the mark of its rows, on the api's stack with the worker. The functions reach
# fauxqs through tests/faults/proxy.sh's proxy (the worker's event source
# directly):
#   1. the proxy refuses connections while keyed.sh's clients create orders: the
#      api's sends fail, every order's outbox row stays unpublished;
#   2. the proxy forwards requests but holds the answers; the relay (cleanup,
#      {"task":"outbox"}) claims its first 10 rows and sends them: the messages
#      are on the queue, the relay waits for SQS's answer; once the worker has
#      decided one of those orders, the relay's process gets SIGKILL;
#   3. the proxy passes again. The rows the relay sent are leased (a second run
#      leaves them alone) and, once the worker decided their orders, published by
#      the worker; a second run sends every other row and none of those; the
#      rows still leased when it ran, with their lease run out (by SQL: the lease
#      outlives the run by 30 s), go with a third run, and nothing is left.
# Passes with keyed.sh's accounting: 0 lost, 0 duplicated, every order decided.
#   relay_killed.sh SOURCE_DIR BUILD_DIR [CLIENTS]
set -euo pipefail
SRC=${1:?source dir}; BUILD=${2:?build dir}; CLIENTS=${3:-2}
# shellcheck source=keyed.sh
source "$SRC/tests/faults/keyed.sh"
# shellcheck source=proxy.sh
source "$SRC/tests/faults/proxy.sh"
keyed_stack 6

mine="o.customer_id LIKE 'c-relay-%'"
unpublished() { sql "SELECT count(*) FROM orders o JOIN outbox b ON b.order_id = o.id WHERE $mine AND b.published_at IS NULL"; }
relay_sent() { grep -o '"sent": *[0-9]*' "$1" | grep -o '[0-9]*$' || echo "?"; }

proxy refuse
keyed_start relay "$CLIENTS"
sleep 3
keyed_stop
stored=$(sql "SELECT count(*) FROM orders o WHERE $mine")
left=$(unpublished)
echo "orders created while SQS refused the api: $stored, outbox rows unpublished: $left"
keyed_check "the api's sends failed: more than 10 rows unpublished, one per order" \
  [ $((left > 10 && left == stored)) -eq 1 ]

proxy hold
stack_relay >"$D/relay1.out" 2>&1 &
relay=$!
# The first claim's messages reached the queue: the worker decided one of their orders.
first_decided() {
  for _ in $(seq 1 100); do
    [ "$(sql "SELECT count(*) FROM orders o WHERE $mine AND o.status <> 'PENDING'")" -gt 0 ] && return 0
    sleep 0.1
  done
  return 1
}
keyed_check "the relay's first batch reached the queue while its answer was held" first_decided
leased=$(sql "SELECT count(*) FROM orders o JOIN outbox b ON b.order_id = o.id WHERE $mine AND b.claimed_until > now()")
pids=$(keyed_fn_pids cleanup)
# shellcheck disable=SC2086  # one word a pid
[ -z "$pids" ] || kill -KILL $pids
proxy pass
wait "$relay" || true
echo "relay killed (pids: ${pids:-none}) with $leased rows leased; its answer: $(tail -c 300 "$D/relay1.out")"
keyed_check "the relay's process was killed waiting for SQS, its claim of 10 rows leased" \
  [ $((${#pids} > 0 && leased == 10)) -eq 1 ]
keyed_check "lambda-local reported the relay's end as an error, not a result" \
  grep -q 'Runtime.ExitError' "$D/relay1.out"

# Give the worker a moment with the first batch (its decisions publish the rows).
for _ in $(seq 1 50); do
  [ "$(sql "SELECT count(*) FROM orders o JOIN outbox b ON b.order_id = o.id WHERE $mine AND b.claimed_until > now() AND o.status = 'PENDING'")" = 0 ] && break
  sleep 0.1
done
sent_before=$(sql "SELECT count(*) FROM orders o JOIN outbox b ON b.order_id = o.id WHERE $mine AND b.claimed_until > now()")
still_leased=$(sql "SELECT count(*) FROM orders o JOIN outbox b ON b.order_id = o.id WHERE $mine AND b.claimed_until > now() AND b.published_at IS NULL")
stack_relay >"$D/relay2.out" 2>&1 || true
second=$(relay_sent "$D/relay2.out")
echo "second run: sent $second (rows unpublished before it: $left; leased by the killed run: $sent_before, of which unpublished $still_leased)"
keyed_check "a second run sends every row but the killed run's 10" [ "$second" = $((left - 10)) ]
sql "UPDATE outbox b SET claimed_until = now() - interval '1 second' FROM orders o
      WHERE o.id = b.order_id AND $mine AND b.claimed_until > now()" >/dev/null
stack_relay >"$D/relay3.out" 2>&1 || true
third=$(relay_sent "$D/relay3.out")
echo "third run, the lease run out: sent $third"
keyed_check "a third run, the lease run out, sends at most what was still unpublished of them" [ "$third" -le "$still_leased" ]
keyed_check "no outbox row left unpublished" [ "$(unpublished)" = 0 ]
keyed_accounting
keyed_finish relay_killed
