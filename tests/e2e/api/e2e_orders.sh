#!/usr/bin/env bash
# e2e: the api function on the local stack. A throw-away PostgreSQL and fauxqs
# (SQS) on free ports, the migrate function run once through lambda-local, the
# local seed, then lambda-local serving the api function; curl an order in,
# GET it, replay it, and find its order.created message on the queue.
#   e2e_orders.sh SOURCE_DIR BUILD_DIR [rest|http]
# Everything it starts is stopped on exit, failure included.
set -euo pipefail
SRC=${1:?source dir}; BUILD=${2:?build dir}; FORMAT=${3:-rest}
LL="$BUILD/tools/lambda-local/lambda-local"
BOOT="$BUILD/functions/bootstrap"
[ -x "$LL" ] && [ -x "$BOOT" ] || { echo "e2e: build lambda-local and bootstrap first" >&2; exit 1; }
command -v curl >/dev/null && command -v node >/dev/null
# The local stack's fauxqs launcher belongs to scripts/run; without it there is no stack to test.
[ -f "$SRC/local/fauxqs.mjs" ] || { echo "e2e: local/fauxqs.mjs is missing: skipped"; exit 77; }

D=$(mktemp -d); chmod 755 "$D"
FQ_PID="" LL_PID=""
cleanup() {
  set +e
  [ -n "$LL_PID" ] && kill -TERM "$LL_PID" 2>/dev/null && wait "$LL_PID" 2>/dev/null
  exec 3>&- 2>/dev/null
  [ -n "$FQ_PID" ] && kill -TERM "$FQ_PID" 2>/dev/null && wait "$FQ_PID" 2>/dev/null
  "$SRC/scripts/lib/pgtmp" stop "$D/pg" >/dev/null 2>&1
  rm -rf "$D"
}
trap cleanup EXIT
fail() { echo "e2e: FAIL: $*" >&2; [ -f "$D/ll.log" ] && tail -30 "$D/ll.log" >&2; exit 1; }
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

eval "$("$SRC/scripts/lib/pgtmp" start "$D/pg")"
psql -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE orders" >/dev/null

mkfifo "$D/fq.in"
(cd "$SRC/local" && exec node fauxqs.mjs "$SRC/tools/node_modules" 0 orders orders-dlq orders-archive) \
  <"$D/fq.in" >"$D/fq.out" 2>&1 &
FQ_PID=$!
exec 3>"$D/fq.in"
for _ in $(seq 1 300); do grep -q '^READY' "$D/fq.out" && break; sleep 0.1; done
grep -q '^READY' "$D/fq.out" || fail "fauxqs did not start: $(cat "$D/fq.out")"
FQ_URL="http://127.0.0.1:$(sed -n 's/^PORT //p' "$D/fq.out")"
QUEUE=$(sed -n 's/^QUEUE //p' "$D/fq.out")

PORT=$(free_port)
cat >"$D/stack.json" <<JSON
{
  "region": "us-east-1",
  "bootstrap": "$BOOT",
  "env": {
    "SERVICE_NAME": "orders", "LOG_LEVEL": "info",
    "DB_HOST": "127.0.0.1", "DB_PORT": "$PGPORT", "DB_NAME": "orders", "DB_USER": "$PGUSER",
    "DB_IAM_AUTH": "false", "DB_SSLMODE": "disable",
    "ORDERS_QUEUE_URL": "$QUEUE", "AWS_ENDPOINT_URL": "$FQ_URL"
  },
  "functions": {
    "api": {"handler": "api", "timeout": 28, "memory": 512, "concurrency": 2},
    "migrate": {"handler": "migrate", "timeout": 300, "memory": 256}
  },
  "http": {"function": "api", "host": "127.0.0.1", "port": $PORT, "format": "$FORMAT", "stage": "local"}
}
JSON
"$LL" invoke migrate --config "$D/stack.json" >"$D/migrate.out" 2>&1 || fail "migrate: $(tail -5 "$D/migrate.out")"
psql -q -v ON_ERROR_STOP=1 -d orders -f "$SRC/db/seed/local_seed.sql" >/dev/null

"$LL" serve --config "$D/stack.json" >"$D/ll.log" 2>&1 &
LL_PID=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/health" && break; sleep 0.1; done
BASE="http://127.0.0.1:$PORT"

# create (with a key), then the same request again: one order, replayed answer
BODY='{"customer_id":"c-e2e","items":[{"sku":"SKU-1","quantity":2},{"sku":"SKU-2","quantity":1}]}'
curl -s -D "$D/h1" -o "$D/b1" -H 'Content-Type: application/json' -H 'Idempotency-Key: e2e-1' \
  --data "$BODY" "$BASE/orders"
grep -q '^HTTP/1.1 201' "$D/h1" || fail "POST /orders: $(head -1 "$D/h1") $(cat "$D/b1")"
grep -qi '^x-request-id: ' "$D/h1" || fail "no X-Request-Id"
ID=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).id)' "$D/b1")
grep -qi "^location: /orders/$ID" "$D/h1" || fail "Location"
curl -s -D "$D/h2" -o "$D/b2" -H 'Content-Type: application/json' -H 'Idempotency-Key: e2e-1' \
  --data "$BODY" "$BASE/orders"
grep -qi '^idempotent-replayed: true' "$D/h2" || fail "replay header"
cmp -s "$D/b1" "$D/b2" || fail "replay body differs"

curl -s -D "$D/h3" -o "$D/b3" "$BASE/orders/$ID"
grep -q '^HTTP/1.1 200' "$D/h3" || fail "GET /orders/$ID: $(cat "$D/b3")"
cmp -s "$D/b1" "$D/b3" || fail "GET body differs from the POST answer"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/orders?customer_id=c-e2e&limit=1")" = 200 ] || fail "list"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$BASE/orders")" = 405 ] || fail "405"

# the order.created message is on the queue, and the outbox row is published
curl -s -o "$D/msg" -X POST "$FQ_URL/" -H 'Content-Type: application/x-amz-json-1.0' \
  -H 'X-Amz-Target: AmazonSQS.ReceiveMessage' \
  -H 'Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0' \
  --data "{\"QueueUrl\":\"$QUEUE\",\"MaxNumberOfMessages\":10,\"WaitTimeSeconds\":1}"
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1]));
  const bodies = (r.Messages || []).map(m => JSON.parse(m.Body));
  const m = bodies.find(b => b.order_id === process.argv[2]);
  if (!m || m.type !== "order.created" || !/^\d{4}-\d\d-\d\dT/.test(m.occurred_at)) {
    console.error("no order.created message for", process.argv[2], JSON.stringify(r)); process.exit(1);
  }
  if (bodies.length !== 1) { console.error("expected one message, got", bodies.length); process.exit(1); }
' "$D/msg" "$ID" || fail "queue message"
[ "$(psql -d orders -qAt -c "SELECT count(*) FROM outbox WHERE published_at IS NOT NULL AND attempts = 1")" = 1 ] ||
  fail "outbox row not marked published"
echo "e2e: api ($FORMAT) OK: order $ID created, replayed, read, listed, message on the queue"
