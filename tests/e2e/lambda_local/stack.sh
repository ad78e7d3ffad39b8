#!/usr/bin/env bash
# scripts/run end to end: the orders stack (PostgreSQL, fauxqs, migrate, seed,
# api behind lambda-local) answers over HTTP, and SIGTERM stops all it started.
# Prints "N passed, N failed"; exit 77 when the bootstrap has no api/migrate yet.
#   stack.sh ROOT LAMBDA_LOCAL BOOTSTRAP
set -u
ROOT=${1:?} LL=${2:-} BOOT=${3:-}
[ -x "$LL" ] && [ -x "$BOOT" ] && grep -qa api_handler "$BOOT" && grep -qa migrate_handler "$BOOT" ||
  { echo "skipped: no lambda-local or no bootstrap with the api and migrate handlers"; exit 77; }
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
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

LOCAL_STACK_DIR="$WORK/local" LAMBDA_LOCAL="$LL" BOOTSTRAP="$BOOT" \
  "$ROOT/scripts/run" --orders --no-build --port "$PORT" >"$WORK/run.log" 2>&1 &
RUN_PID=$!
for _ in $(seq 1 600); do
  grep -q "serving function api" "$WORK/run.log" && break
  kill -0 "$RUN_PID" 2>/dev/null || break
  sleep 0.1
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
# The event sources: on when bootstrap has the handler, off with a clear line otherwise.
if grep -qa worker_handler "$BOOT"; then
  check "the worker's SQS event source polls the orders queue" 'grep -q "sqs worker: polling" "$WORK/run.log"'
  for _ in $(seq 1 100); do
    curl -s --max-time 5 "$BASE$loc" | grep -Eq '"status": ?"PENDING"' || break
    sleep 0.1
  done
  check "the order is decided by the worker within 10 s" \
    'curl -s --max-time 5 "$BASE$loc" | grep -Eq "\"status\": ?\"(CONFIRMED|REJECTED)\""'
else
  check "no worker handler: its SQS event source stays off, said so" \
    'grep -q "no worker handler yet: the SQS event source of worker stay off" "$WORK/run.log" && ! grep -q "sqs worker: polling" "$WORK/run.log"'
fi
if grep -qa cleanup_handler "$BOOT"; then
  check "cleanup's schedules are running" 'grep -q "schedule CleanupArchiveSchedule: cron(0 3 \* \* ? \*) -> cleanup" "$WORK/run.log" && grep -q "schedule CleanupOutboxSchedule" "$WORK/run.log"'
else
  check "no cleanup handler: its schedules stay off, said so" \
    'grep -q "no cleanup handler yet: the schedules of cleanup stay off" "$WORK/run.log" && ! grep -q "schedule Cleanup" "$WORK/run.log"'
fi

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
