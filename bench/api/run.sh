#!/usr/bin/env bash
# bench/api: the api function on the local stack (lambda-local with several api
# instances, throw-away PostgreSQL, fauxqs), measured with wrk: POST /orders
# and GET /orders/{id}, p50/p99 and requests/s; then database round trips per
# request, counted from the server's statement log (log_statement=all).
#   bench/api/run.sh BUILD_DIR [INSTANCES] [SECONDS]
# Build first, e.g.:
#   cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF
#   cmake --build build/bench --target bootstrap lambda-local -j
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?build dir}" && pwd); INSTANCES=${2:-4}; SECS=${3:-10}
command -v wrk >/dev/null || { echo "wrk is not installed (scripts/deps)" >&2; exit 1; }
source "$SRC/tests/e2e/api/stack.sh"
LOG_LEVEL=warn stack_start "$SRC" "$BUILD" rest "$INSTANCES"
SERVER_LOG="$D/pg/server.log"
BODY='{"customer_id":"c-bench","items":[{"sku":"SKU-1","quantity":1},{"sku":"SKU-4","quantity":2}]}'
sql() { psql -d orders -qAt -v ON_ERROR_STOP=1 -c "$1"; }

ID=$(curl -s -H 'Content-Type: application/json' --data "$BODY" "$BASE/orders" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).id))')

# Handler time: Lambda's own "Duration" of each invocation (lambda-local's REPORT
# lines), from the log lines written since mark; p50 and p99 in ms.
LL_LOG="$D/ll.log"
mark() { wc -l <"$LL_LOG"; }
pct() { # LABEL: p50 and p99 of the numbers on stdin
  sort -n | awk -v l="$1" '{v[NR]=$1} END {if (NR) printf "   %s: p50 %.3f ms, p99 %.3f ms over %d invocations\n", l, v[int(NR*0.5+0.5)], v[int(NR*0.99+0.5)], NR}'
}
# Two handler times: until the answer is ready (the api's own EMF "Latency":
# what API Gateway and the client wait for), and Lambda's Duration (REPORT:
# until the process asks for the next event, after-response work included).
handler_time() {
  tail -n +"$(($1 + 1))" "$LL_LOG" | sed -n 's/^{"_aws".*"Latency":\([0-9.e+-]*\)}$/\1/p' | pct "handler time to the answer (EMF Latency)"
  tail -n +"$(($1 + 1))" "$LL_LOG" | sed -n 's/^REPORT .*\tDuration: \([0-9.]*\) ms.*/\1/p' | pct "Lambda Duration (REPORT, after-response work included)"
}

echo "== wrk: $INSTANCES api instances, $INSTANCES connections, ${SECS}s each (build: $BUILD)"
echo "-- POST /orders"
m=$(mark)
wrk -t2 -c"$INSTANCES" -d"${SECS}s" --latency -s "$SRC/bench/api/create.lua" "$BASE/orders" |
  grep -E 'Requests/sec|Latency|50%|99%|Non-2xx|Socket errors'
handler_time "$m"
echo "-- GET /orders/{id}"
m=$(mark)
wrk -t2 -c"$INSTANCES" -d"${SECS}s" --latency "$BASE/orders/$ID" |
  grep -E 'Requests/sec|Latency|50%|99%|Non-2xx|Socket errors'
handler_time "$m"
echo "-- GET /health (no database: the runtime and lambda-local floor)"
m=$(mark)
wrk -t2 -c"$INSTANCES" -d"${SECS}s" --latency "$BASE/health" | grep -E 'Requests/sec|50%|99%'
handler_time "$m"

# Round trips: statements the server received while N requests ran, one at a time.
N=50
count_statements() { grep -cE 'LOG:  (statement|execute)' "$SERVER_LOG" || true; }
sql "ALTER SYSTEM SET log_statement = 'all'" && sql "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
for what in create create_with_key get list cancel; do
  before=$(count_statements)
  for i in $(seq 1 $N); do
    case $what in
      create) curl -s -o /dev/null -H 'Content-Type: application/json' --data "$BODY" "$BASE/orders" ;;
      create_with_key) curl -s -o /dev/null -H 'Content-Type: application/json' -H "Idempotency-Key: k-$i" \
                         --data "$BODY" "$BASE/orders" ;;
      get) curl -s -o /dev/null "$BASE/orders/$ID" ;;
      list) curl -s -o /dev/null "$BASE/orders?customer_id=c-bench&limit=20" ;;
      cancel) curl -s -o /dev/null -X POST "$BASE/orders/$(sql "SELECT id FROM orders WHERE status = 'PENDING' LIMIT 1")/cancel" ;;
    esac
  done
  sleep 0.3
  after=$(count_statements)
  # cancel's own id lookups are psql statements of this script: one per request, subtracted
  extra=0; [ "$what" = cancel ] && extra=$N
  awk -v w="$what" -v s=$((after - before - extra)) -v n=$N \
    'BEGIN {printf "round trips per request, %s: %.2f (statements %d for %d requests)\n", w, s / n, s, n}'
done
sql "ALTER SYSTEM RESET log_statement" && sql "SELECT pg_reload_conf()" >/dev/null
