#!/usr/bin/env bash
# The worker through the local stack: scripts/run --orders (api, fauxqs, the
# worker's SQS event source, PostgreSQL) on free ports, orders posted to the api.
#   bench/worker/stack.sh BUILD_DIR [N] [CLIENTS]
# Two phases, N orders each (stock raised so that every order is confirmed):
#   flow:    N orders posted by CLIENTS concurrent clients while the worker runs;
#            p50/p99 from created_at to the decision (updated_at of the decided
#            order, both from the database);
#   backlog: a transaction holds every inventory row while N orders are posted, so
#            the worker's batches wait and the rest queue up in fauxqs; then it is
#            released and the time until no order is PENDING is measured: orders
#            decided per second through the stack (SQS receive, lambda-local, the
#            handler, the database, the deletes), and per worker instance.
set -euo pipefail
BUILD=${1:?usage: stack.sh BUILD_DIR [N] [CLIENTS]}
N=${2:-2000}
CLIENTS=${3:-2}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$BUILD" && pwd)
WORK=$(mktemp -d)
chmod 755 "$WORK"
RUN_PID="" LOCK_PID=""
cleanup() {
  [ -n "$LOCK_PID" ] && kill "$LOCK_PID" 2>/dev/null
  [ -n "$RUN_PID" ] && kill -TERM "$RUN_PID" 2>/dev/null && wait "$RUN_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
export LOCAL_STACK_DIR="$WORK/local" LOG_LEVEL=warn
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
LAMBDA_LOCAL="$BUILD/tools/lambda-local/lambda-local" BOOTSTRAP="$BUILD/functions/bootstrap" \
  "$ROOT/scripts/run" --orders --no-build --port "$PORT" >"$WORK/run.log" 2>&1 &
RUN_PID=$!
for _ in $(seq 1 600); do
  grep -q "sqs worker: polling" "$WORK/run.log" && grep -q "serving function api" "$WORK/run.log" && break
  kill -0 "$RUN_PID" 2>/dev/null || { cat "$WORK/run.log" >&2; exit 1; }
  sleep 0.1
done
# shellcheck source=/dev/null
source "$LOCAL_STACK_DIR/env"
export PGHOST PGPORT PGUSER PGDATABASE
BASE="http://127.0.0.1:$PORT"
sql() { psql -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
sql "UPDATE inventory SET available = 1000000000 WHERE sku <> 'SKU-OUT'"
post() { node "$ROOT/bench/worker/post.mjs" "$BASE" "$1" "$N" "$CLIENTS"; }
pending() { sql "SELECT count(*) FROM orders WHERE customer_id = '$1' AND status = 'PENDING'"; }
await_decided() {
  for _ in $(seq 1 1200); do [ "$(pending "$1")" = 0 ] && return 0; sleep 0.1; done
  echo "orders of $1 still PENDING after 120 s" >&2
  return 1
}
workers() { # worker instances of this stack
  local f n=0 env
  for f in /proc/[0-9]*/environ; do
    env=$( { tr '\0' '\n' <"$f"; } 2>/dev/null) || continue
    grep -qx "_HANDLER=worker" <<<"$env" && grep -qx "DB_PORT=$PGPORT" <<<"$env" && n=$((n + 1))
  done
  echo "$n"
}
echo "load before: $(cat /proc/loadavg)"

post bench-warm >/dev/null && await_decided bench-warm
echo "flow: $(post bench-flow)"
await_decided bench-flow
sql "SELECT 'flow: ' || count(*) || ' decided, created -> decided p50 '
            || round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) || ' ms, p99 '
            || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1) || ' ms, max '
            || round(max(ms)::numeric, 1) || ' ms'
       FROM (SELECT extract(epoch FROM updated_at - created_at) * 1000 AS ms
               FROM orders WHERE customer_id = 'bench-flow' AND status <> 'PENDING') d"

PGAPPNAME=bench-lock psql -qAtX -c "BEGIN" -c "SELECT 1 FROM inventory FOR UPDATE" -c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
LOCK_PID=$!
until [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'bench-lock' AND query LIKE '%pg_sleep%'")" = 1 ]; do sleep 0.1; done
echo "backlog: $(post bench-backlog)"
sleep 1
w=$(workers)
t0=$(date +%s.%N)
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'bench-lock'" >/dev/null
await_decided bench-backlog
t1=$(date +%s.%N)
wait "$LOCK_PID" 2>/dev/null || true
LOCK_PID=""
awk -v n="$N" -v t0="$t0" -v t1="$t1" -v w="$w" 'BEGIN {
  printf "backlog: %d orders decided in %.2f s after the release: %.0f orders/s, %d worker instances, %.0f orders/s per instance\n",
    n, t1 - t0, n / (t1 - t0), w, n / (t1 - t0) / w }'
echo "load after: $(cat /proc/loadavg)"
