# shellcheck shell=bash
# Sourced by the database fault scenarios (db_outage.sh, backend_kill.sh,
# table_lock.sh), with SRC and BUILD set: exits 77 without what they need, and
# sources tests/e2e/api/stack.sh. Clients that send orders one after another and
# retry each with its own Idempotency-Key until a 201, and the closing accounting.
#   keyed_stack TIMEOUT       the api's stack (stack.sh, STACK_WORKER=1), api timeout
#                             TIMEOUT s; failed worker receives come back after 3 s
#                             (FAUXQS_MAX_RECEIVE_COUNT, default 20, before the DLQ);
#                             on EXIT: KEYED_ON_EXIT (eval'd), the clients, the stack
#   keyed_start TAG CLIENTS   clients in the background (orders' customer c-TAG-N-SEQ)
#   keyed_stop                each client finishes its order (201, or gives up after
#                             KEYED_GIVE_UP_S) and ends
#   keyed_check NAME CMD      a check of the scenario, counted
#   keyed_accounting          the accounting, asserted; then keyed_finish
#   keyed_fn_pids HANDLER     the stack's bootstrap processes of a function
# KEYED_NO_MESSAGE: the accounting's outbox rows with no message.
# $D/answers: one line an answer: key status retry-after order-id sent-ms answered-ms.
KEYED_GIVE_UP_S=${KEYED_GIVE_UP_S:-90}
KEYED_PIDS="" KEYED_FAILED=0 KEYED_TAG="" KEYED_NO_MESSAGE=0 KEYED_ON_EXIT=""
{ command -v node && command -v curl; } >/dev/null || { echo "skipped: no node or curl"; exit 77; }
[ -f "$SRC/local/fauxqs.mjs" ] || { echo "skipped: local/fauxqs.mjs is missing"; exit 77; }
[ -x "$BUILD/functions/bootstrap" ] || { echo "skipped: no bootstrap in $BUILD"; exit 77; }
# shellcheck disable=SC1091  # found at run time, under SOURCE_DIR
source "$SRC/tests/e2e/api/stack.sh"

keyed_stack() { # TIMEOUT
  export FAUXQS_VISIBILITY_TIMEOUT=3 FAUXQS_MAX_RECEIVE_COUNT=${FAUXQS_MAX_RECEIVE_COUNT:-20}
  trap 'eval "$KEYED_ON_EXIT"; keyed_stop >/dev/null 2>&1; stack_stop' EXIT
  STACK_API_TIMEOUT=$1 STACK_WORKER=1 LOG_LEVEL=warn stack_start "$SRC" "$BUILD" http "$CLIENTS"
}

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
# psql for the scenario's own statements; synchronous_commit off, whatever the
# database's default (backend_kill.sh makes the api's commits wait for a standby).
sql() { PGOPTIONS="-c synchronous_commit=off" psql -qAtX -v ON_ERROR_STOP=1 -d orders -c "$1"; }

keyed_client() { # TAG N
  local tag=$1 n=$2 seq=0 key sku out code ra loc t0 t1 give_up
  while [ ! -e "$D/stop" ]; do
    seq=$((seq + 1)) key="$tag-$n-$seq"
    if [ $((seq % 5)) -eq 0 ]; then sku=SKU-OUT; else sku="SKU-$((seq % 5))"; fi
    give_up=$((SECONDS + KEYED_GIVE_UP_S))
    while :; do
      t0=$(now_ms)
      out=$(curl -s -o /dev/null --max-time 40 -w '%{http_code}|%header{retry-after}|%header{location}' \
        -H 'Content-Type: application/json' -H "Idempotency-Key: $key" \
        --data "{\"customer_id\":\"c-$key\",\"items\":[{\"sku\":\"$sku\",\"quantity\":1}]}" \
        "$BASE/orders") || out="000||"
      t1=$(now_ms)
      IFS='|' read -r code ra loc <<<"$out"
      echo "$key $code ${ra:--} $(basename "${loc:--}") $t0 $t1" >>"$D/answers"
      [ "$code" = 201 ] && break
      [ "$SECONDS" -lt "$give_up" ] || { echo "$key" >>"$D/gave_up"; break; }
      if [ "$code" = 429 ]; then sleep 0.2; else sleep 0.5; fi
    done
    sleep 0.1
  done
}

keyed_start() { # TAG CLIENTS
  local n
  KEYED_TAG=$1
  : >"$D/answers"
  : >"$D/gave_up"
  rm -f "$D/stop"
  for n in $(seq 1 "$2"); do
    keyed_client "$1" "$n" &
    KEYED_PIDS="$KEYED_PIDS $!"
  done
}

keyed_stop() {
  local p
  touch "$D/stop"
  for p in $KEYED_PIDS; do wait "$p" || true; done
  KEYED_PIDS=""
}

keyed_check() { # NAME CMD...
  local name=$1
  shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; KEYED_FAILED=$((KEYED_FAILED + 1)); fi
}

keyed_pending() { sql "SELECT count(*) FROM orders WHERE customer_id LIKE 'c-$KEYED_TAG-%' AND status = 'PENDING'"; }
# keyed_await_settled SECONDS: until no order of the scenario is PENDING, or the
# worker has taken every message sent (the orders queue, in flight included,
# empty three times in a row, 1 s apart): what is PENDING then has no message.
keyed_await_settled() {
  local end=$((SECONDS + $1)) empty=0
  while [ "$SECONDS" -lt "$end" ]; do
    [ "$(keyed_pending)" = 0 ] && return 0
    if [ "$(node "$SRC/tests/e2e/lambda_local/sqs_tool.mjs" "$FQ_URL" count "$QUEUE" 2>/dev/null)" = 0 ]; then
      empty=$((empty + 1))
    else
      empty=0
    fi
    [ "$empty" -lt 3 ] || return 0
    sleep 1
  done
  return 1
}

# keyed_fn_pids HANDLER: the bootstrap processes of this stack's HANDLER function
# (/proc/*/environ: _HANDLER and this stack's DB_PORT; other stacks may run here).
keyed_fn_pids() {
  local f pid env
  for f in /proc/[0-9]*/environ; do
    pid=${f#/proc/}; pid=${pid%/environ}
    env=$( { tr '\0' '\n' <"$f"; } 2>/dev/null) || continue
    grep -qx "_HANDLER=$1" <<<"$env" && grep -qx "DB_PORT=$PGPORT" <<<"$env" && echo "$pid"
  done
  return 0
}

keyed_count() { awk -v c="$1" '$2 == c' "$D/answers" | wc -l; }

keyed_accounting() {
  local sent created unavailable no_retry_after gateway throttled other keys told gave_up ids
  local stored dups lost untold decided nomsg nomsg_sent timeouts
  sent=$(wc -l <"$D/answers")
  created=$(keyed_count 201)
  unavailable=$(keyed_count 503)
  no_retry_after=$(awk '$2 == 503 && $3 == "-"' "$D/answers" | wc -l)
  gateway=$(awk '$2 == 502 || $2 == 504' "$D/answers" | wc -l)
  throttled=$(keyed_count 429)
  other=$(awk '$2 != 201 && $2 != 503 && $2 != 502 && $2 != 504 && $2 != 429' "$D/answers" | wc -l)
  keys=$(awk '{print $1}' "$D/answers" | sort -u | wc -l)
  told=$(awk '$2 == 201 {print $1}' "$D/answers" | sort -u | wc -l)
  gave_up=$(wc -l <"$D/gave_up")
  ids=$(awk '$2 == 201 {print $4}' "$D/answers" | paste -sd,)
  stored=$(sql "SELECT count(*) FROM orders WHERE customer_id LIKE 'c-$KEYED_TAG-%'")
  dups=$(sql "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) n FROM orders WHERE customer_id LIKE 'c-$KEYED_TAG-%' GROUP BY customer_id) c")
  # lost: a 201 whose order is not stored; untold: an order stored whose client got no 201
  lost=$(sql "SELECT count(*) FROM unnest('{$ids}'::uuid[]) i WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = i)")
  untold=$((stored - dups - told))
  timeouts=$(grep -c 'Task timed out' "$D/ll.log" || true)
  keyed_await_settled 40 || true
  # Outbox rows with no message: orders the worker never heard of, their row unpublished
  # (the api's send never happened: the client got an error and its retry replayed).
  nomsg=$(sql "SELECT count(*) FROM orders o JOIN outbox b ON b.order_id = o.id WHERE o.customer_id LIKE 'c-$KEYED_TAG-%' AND o.status = 'PENDING' AND b.published_at IS NULL")
  # shellcheck disable=SC2034  # read by the scripts that source this one
  nomsg_sent=0 KEYED_NO_MESSAGE=$nomsg
  if [ "$nomsg" -gt 0 ]; then
    stack_relay >"$D/relay.out" 2>&1 || true
    nomsg_sent=$(grep -o '"sent": *[0-9]*' "$D/relay.out" | grep -o '[0-9]*$' || echo "?")
    [ "$nomsg_sent" != "?" ] || { echo "the relay's answer:"; tail -c 2000 "$D/relay.out"; echo; }
    keyed_await_settled 40 || true
  fi
  decided=$(sql "SELECT count(*) FROM orders WHERE customer_id LIKE 'c-$KEYED_TAG-%' AND status <> 'PENDING'")
  echo "accounting: requests sent $sent (201 $created, 503 $unavailable of which without Retry-After $no_retry_after," \
    "502/504 $gateway, 429 $throttled, other $other), orders asked $keys, told 201 $told, gave up $gave_up;" \
    "orders stored $stored, decided $decided, duplicates $dups, lost $lost, stored but never told $untold;" \
    "outbox rows with no message $nomsg (relay sent ${nomsg_sent:-?}); Task timed out $timeouts"
  keyed_check "requests were answered 201" [ "$created" -gt 0 ]
  keyed_check "lost = 0 (every 201 names a stored order)" [ "$lost" -eq 0 ]
  keyed_check "duplicates = 0 (one order a key)" [ "$dups" -eq 0 ]
  keyed_check "every client's order got its 201 (none gave up, none stored untold)" \
    [ $((gave_up == 0 && told == keys && untold == 0)) -eq 1 ]
  # KEYED_GATEWAY=any: the scenario checks 502/504 over its fault's window itself
  [ "${KEYED_GATEWAY:-}" = any ] || keyed_check "no 502/504 and no Task timed out" [ $((gateway + timeouts)) -eq 0 ]
  keyed_check "every 503 has Retry-After" [ "$no_retry_after" -eq 0 ]
  keyed_check "every stored order is decided (after the relay for the rows with no message)" \
    [ "$decided" -eq "$stored" ]
}

keyed_finish() { # SCRIPT
  if [ "$KEYED_FAILED" -ne 0 ]; then
    echo "$1: $KEYED_FAILED checks failed"
    tail -20 "$D/ll.log"
    # KEYED_KEEP=DIR keeps the answers and the logs of a failed run
    [ -z "${KEYED_KEEP:-}" ] || { mkdir -p "$KEYED_KEEP"; cp "$D/answers" "$D/ll.log" "$D/pg/server.log" "$D"/relay*.out "$KEYED_KEEP/" 2>/dev/null; }
    exit 1
  fi
  echo "$1: passed"
}
