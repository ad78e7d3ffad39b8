#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2034 # check() evaluates its single-quoted condition later; the variables it reads are set here
# scripts/run end to end: the orders stack (PostgreSQL, fauxqs, migrate, seed,
# api behind lambda-local) answers over HTTP, and SIGTERM stops all it started.
# Prints "N passed, N failed"; exit 77 without lambda-local, bootstrap or PostgreSQL.
#   stack.sh ROOT LAMBDA_LOCAL BOOTSTRAP
set -u
ROOT=${1:?} LL=${2:-} BOOT=${3:-}
if [ ! -x "$LL" ] || [ ! -x "$BOOT" ]; then echo "skipped: no lambda-local or no bootstrap"; exit 77; fi
[ -x /usr/lib/postgresql/15/bin/initdb ] || { echo "skipped: no PostgreSQL 15"; exit 77; }

WORK=$(mktemp -d)
chmod 755 "$WORK" # PostgreSQL runs as the postgres user and must reach its directory
PASS=0 FAIL=0 RUN_PID=""
cleanup() {
  [ -n "$RUN_PID" ] && kill -TERM "$RUN_PID" 2>/dev/null && wait "$RUN_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
ko() { FAIL=$((FAIL + 1)); echo "FAIL $1"; tail -20 "$WORK/run.log" | sed 's/^/     | /'; }
check() { local name=$1; shift; if eval "$1"; then ok "$name"; else ko "$name"; fi; }
# Suites run in parallel: the port found free may be taken before lambda-local
# binds it (scripts/run stops with "in use"); then start again on another.
for _ in 1 2 3; do
  PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  LOCAL_STACK_DIR="$WORK/local" LAMBDA_LOCAL="$LL" BOOTSTRAP="$BOOT" \
    "$ROOT/scripts/run" --orders --no-build --port "$PORT" >"$WORK/run.log" 2>&1 &
  RUN_PID=$!
  for _ in $(seq 1 600); do
    grep -q "serving function api" "$WORK/run.log" && break
    kill -0 "$RUN_PID" 2>/dev/null || break
    sleep 0.1
  done
  grep -q "cannot listen on .* (in use?)" "$WORK/run.log" || break
  wait "$RUN_PID" 2>/dev/null || true
done
check "the stack starts and serves api" 'grep -q "serving function api" "$WORK/run.log"'
check "migrate ran, seed applied" 'grep -q "applied db/seed/local_seed.sql" "$WORK/run.log"'
BASE="http://127.0.0.1:$PORT"
check "GET /health: 200" '[ "$(curl -s --max-time 20 -o /dev/null -w "%{http_code}" "$BASE/health")" = 200 ]'
body='{"customer_id":"c-e2e","items":[{"sku":"SKU-2","quantity":1}]}'
curl -s --max-time 20 -D "$WORK/h1" -o "$WORK/b1" -X POST "$BASE/orders" -H 'Content-Type: application/json' \
  -H 'Idempotency-Key: e2e-stack-1' -d "$body"
check "POST /orders: 201 with a Location" 'head -1 "$WORK/h1" | grep -q " 201" && grep -qi "^Location: /orders/" "$WORK/h1"'
loc=$(grep -i '^Location:' "$WORK/h1" | cut -d' ' -f2 | tr -d '\r')
check "GET the order: 200" '[ -n "$loc" ] && [ "$(curl -s --max-time 20 -o /dev/null -w "%{http_code}" "$BASE$loc")" = 200 ]'
curl -s --max-time 20 -D "$WORK/h2" -o "$WORK/b2" -X POST "$BASE/orders" -H 'Content-Type: application/json' \
  -H 'Idempotency-Key: e2e-stack-1' -d "$body"
check "replay: the first answer, marked replayed" 'grep -qi "^Idempotent-Replayed: true" "$WORK/h2" && cmp -s "$WORK/b1" "$WORK/b2"'
# The worker decides orders from the queue; cleanup's schedules run.
check "the worker's SQS event source polls the orders queue" 'grep -q "sqs worker: polling" "$WORK/run.log"'
decided() { # decided LOCATION STATUS: waits up to 10 s for the order to leave PENDING
  for _ in $(seq 1 100); do
    curl -s --max-time 5 "$BASE$1" | grep -Eq '"status": ?"PENDING"' || break
    sleep 0.1
  done
  curl -s --max-time 5 "$BASE$1" | grep -Eq "\"status\": ?\"$2\""
}
check "the order is CONFIRMED by the worker within 10 s" 'decided "$loc" CONFIRMED'
curl -s --max-time 20 -D "$WORK/h3" -o "$WORK/b3" -X POST "$BASE/orders" -H 'Content-Type: application/json' \
  -d '{"customer_id":"c-e2e","items":[{"sku":"SKU-OUT","quantity":1}]}'
out=$(grep -i '^Location:' "$WORK/h3" | cut -d' ' -f2 | tr -d '\r')
check "an order for SKU-OUT is REJECTED as out_of_stock:SKU-OUT" \
  'decided "$out" REJECTED && curl -s --max-time 5 "$BASE$out" | grep -q "out_of_stock:SKU-OUT"'
check "cleanup's schedules are running" 'grep -q "schedule CleanupArchiveSchedule: cron(0 3 \* \* ? \*) -> cleanup" "$WORK/run.log" && grep -q "schedule CleanupOutboxSchedule" "$WORK/run.log"'

kill -TERM "$RUN_PID"
rc=0
wait "$RUN_PID" || rc=$?
RUN_PID=""
check "SIGTERM: scripts/run exits 0" '[ "$rc" -eq 0 ]'
# Nothing listens any more where the stack did.
closed() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pg_port=$(sed -n 's/.*PostgreSQL on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/run.log")
fq_port=$(sed -n 's/.*fauxqs (SQS + S3) on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/run.log")
check "SIGTERM: lambda-local, PostgreSQL and fauxqs stopped" '[ -n "$pg_port" ] && [ -n "$fq_port" ] && closed "$PORT" && closed "$pg_port" && closed "$fq_port" && [ ! -d "$WORK/local/pg" ]'
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
