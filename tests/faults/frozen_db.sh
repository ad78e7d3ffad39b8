#!/usr/bin/env bash
# Fault scenario (issue 15): the database frozen (SIGSTOP of every api backend
# and of the postmaster) for longer than the function's timeout, under load,
# on the local stack. Clients send creates with their own Idempotency-Key and
# retry anything but a 201 with the same key for up to 60 s. Accounting:
# requests sent, 201s, 503s, 502/504s, orders stored, duplicates, lost.
# Passes with 0 lost, 0 duplicates, and no 502/504 while frozen: the api
# answers 503 before its deadline instead of being killed at it.
#   frozen_db.sh SOURCE_DIR BUILD_DIR [CLIENTS]
set -euo pipefail
SRC=${1:?source dir}; BUILD=${2:?build dir}; CLIENTS=${3:-12}
TIMEOUT_S=4 FREEZE_S=7
command -v node >/dev/null && command -v curl >/dev/null
[ -f "$SRC/local/fauxqs.mjs" ] || { echo "frozen_db: local/fauxqs.mjs is missing: skipped"; exit 77; }
# shellcheck disable=SC1091  # stack.sh is found at run time, under SOURCE_DIR
source "$SRC/tests/e2e/api/stack.sh"
LOG_LEVEL=warn stack_start "$SRC" "$BUILD" http 4

# the same stack with a short function timeout, so that the freeze outlasts it
kill -TERM "$LL_PID"
wait "$LL_PID" 2>/dev/null || true
sed -i "s/\"handler\": \"api\", \"timeout\": 28/\"handler\": \"api\", \"timeout\": $TIMEOUT_S/" "$D/stack.json"
"$BUILD/tools/lambda-local/lambda-local" serve --config "$D/stack.json" >"$D/ll.log" 2>&1 &
LL_PID=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "$BASE/health" && break; sleep 0.1; done

FROZEN=""
thaw() { local p; for p in $FROZEN; do kill -CONT "$p" 2>/dev/null || true; done; FROZEN=""; }
trap 'thaw; stack_stop' EXIT

# client N: one order, retried with its key until 201 (60 s at most); one line per answer
client() {
  local n=$1 end=$((SECONDS + 60)) code
  while [ "$SECONDS" -lt "$end" ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 40 -H 'Content-Type: application/json' \
      -H "Idempotency-Key: frozen-$n" \
      --data "{\"customer_id\":\"c-frozen-$n\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":1}]}" \
      "$BASE/orders" || echo 000)
    echo "$n $code $(date +%s)" >>"$D/answers"
    [ "$code" = 201 ] && return 0
    sleep 0.5
  done
}

: >"$D/answers"
pids=""
for n in $(seq 1 "$CLIENTS"); do
  client "$n" &
  pids="$pids $!"
  sleep 0.05
  # halfway: freeze every api backend and the postmaster
  if [ "$n" -eq $((CLIENTS / 2)) ]; then
    FROZEN=$(psql -qAt -d orders -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'orders'" | tr '\n' ' ')
    FROZEN="$FROZEN $(head -1 "$D/pg/data/postmaster.pid" 2>/dev/null || true)"
    freeze_at=$(date +%s)
    for p in $FROZEN; do kill -STOP "$p"; done
    (sleep "$FREEZE_S"; for p in $FROZEN; do kill -CONT "$p" 2>/dev/null || true; done) &
    pids="$pids $!"
  fi
done
for p in $pids; do wait "$p" || true; done
thaw

sent=$(wc -l <"$D/answers")
ok=$(awk '$2 == 201' "$D/answers" | wc -l)
unavailable=$(awk '$2 == 503' "$D/answers" | wc -l)
gateway=$(awk '$2 == 502 || $2 == 504' "$D/answers" | wc -l)
gateway_frozen=$(awk -v a="${freeze_at:-0}" -v b=$((${freeze_at:-0} + FREEZE_S)) '($2 == 502 || $2 == 504) && $3 >= a && $3 <= b' "$D/answers" | wc -l)
stored=$(psql -qAt -d orders -c "SELECT count(*) FROM orders WHERE customer_id LIKE 'c-frozen-%'")
dups=$(psql -qAt -d orders -c "SELECT count(*) FROM (SELECT customer_id FROM orders WHERE customer_id LIKE 'c-frozen-%' GROUP BY 1 HAVING count(*) > 1) d")
lost=$(psql -qAt -d orders -c "SELECT $CLIENTS - count(DISTINCT customer_id) FROM orders WHERE customer_id LIKE 'c-frozen-%'")
timeouts=$(grep -c 'Task timed out' "$D/ll.log" || true)
echo "accounting: clients=$CLIENTS requests=$sent 201=$ok 503=$unavailable 502/504=$gateway" \
     "(while frozen: $gateway_frozen) task_timeouts=$timeouts orders_stored=$stored duplicates=$dups lost=$lost"
[ "$lost" -eq 0 ] || fail "$lost orders lost"
[ "$dups" -eq 0 ] || fail "$dups duplicated orders"
[ "$gateway_frozen" -eq 0 ] || fail "$gateway_frozen answers were 502/504 while the database was frozen"
[ "$timeouts" -eq 0 ] || fail "the api was killed at its timeout $timeouts times"
echo "frozen_db: passed"
