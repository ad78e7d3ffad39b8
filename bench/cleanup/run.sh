#!/usr/bin/env bash
# Cleanup benchmark: the archive of N old orders (2 lines each) through the
# handler, in-process against a throw-away PostgreSQL and fauxqs S3, beside
# the floor `psql -c "COPY (same SELECT) TO STDOUT" | gzip -1` on the same
# rows in the same run; then the relay of M stuck outbox rows to fauxqs SQS.
#   bench/cleanup/run.sh [BUILD_DIR] [N] [M]    (default build/ci 1000000 20000)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
B=${1:-build/ci}
N=${2:-1000000}
M=${3:-20000}
if [ "$B" = build/ci ]; then
  cmake --preset ci >/dev/null
  cmake --build --preset ci -j2 --target bench-cleanup >/dev/null
fi
BIN="$ROOT/$B/bench/cleanup/bench-cleanup"
WORK=$(mktemp -d /tmp/bench-cleanup.XXXXXX)
chmod 755 "$WORK"
FQ_PID=""
cleanup() {
  if [ -n "$FQ_PID" ]; then kill "$FQ_PID" 2>/dev/null || true; fi
  scripts/lib/pgtmp stop "$WORK/pg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

eval "$(scripts/lib/pgtmp start "$WORK/pg")"
export PGHOST PGPORT PGUSER PGDATABASE
scripts/lib/pgtmp migrate
psql -q -v ON_ERROR_STOP=1 -f db/seed/local_seed.sql >/dev/null

mkfifo "$WORK/fq.in"
node tests/unit/aws/fauxqs_local.mjs "$ROOT/tools/node_modules" bench-orders bench-archive \
  <"$WORK/fq.in" >"$WORK/fq.out" &
FQ_PID=$!
exec 3>"$WORK/fq.in"
for _ in $(seq 100); do grep -q '^QUEUE ' "$WORK/fq.out" 2>/dev/null && break; sleep 0.2; done
FQ_PORT=$(sed -n 's/^PORT //p' "$WORK/fq.out")
QUEUE=$(sed -n 's/^QUEUE //p' "$WORK/fq.out")

echo "seeding $N orders (2 lines each), updated 100 days ago" >&2
psql -q -v ON_ERROR_STOP=1 <<SQL
WITH o AS (INSERT INTO orders (customer_id, status, currency, total_cents, created_at, updated_at)
  SELECT 'c-' || (g % 1000), 'CONFIRMED', 'EUR', 500, now() - interval '101 days',
         now() - interval '100 days' + g * interval '1 microsecond' FROM generate_series(1, $N) g RETURNING id),
 i1 AS (INSERT INTO order_items SELECT id, 1, 'SKU-1', 1, 100 FROM o)
INSERT INTO order_items SELECT id, 2, 'SKU-2', 2, 200 FROM o;
VACUUM ANALYZE;
SQL

export DB_HOST=$PGHOST DB_PORT=$PGPORT DB_NAME=$PGDATABASE DB_USER=$PGUSER DB_SSLMODE=disable
export ORDERS_QUEUE_URL=$QUEUE ARCHIVE_BUCKET=bench-archive AWS_REGION=us-east-1
export AWS_ENDPOINT_URL=http://127.0.0.1:$FQ_PORT AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench
export ORDER_RETENTION_DAYS=90

"$BIN" floor-sql "$ORDER_RETENTION_DAYS" >"$WORK/floor.sql"
t0=$(date +%s.%N)
floor_bytes=$(psql -q -c "COPY ($(cat "$WORK/floor.sql")) TO STDOUT" | gzip -1 | wc -c)
t1=$(date +%s.%N)
floor_rps=$(awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", n/(b-a)}')
echo "floor rows=$N seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') rows_per_s=$floor_rps bytes=$floor_bytes"

"$BIN" archive 2>&1 | tee "$WORK/archive.txt"
left=$(psql -Atq -c "SELECT count(*) FROM orders")
echo "orders left after the archive: $left"
rps=$(sed -n 's/.*rows_per_s=\([0-9]*\).*/\1/p' "$WORK/archive.txt")
awk -v a="$rps" -v f="$floor_rps" 'BEGIN{printf "archive / floor rows per second: %.2f\n", a/f}'

echo "seeding $M stuck outbox rows" >&2
psql -q -v ON_ERROR_STOP=1 <<SQL
WITH o AS (INSERT INTO orders (customer_id, status, currency, total_cents)
  SELECT 'r-' || g, 'PENDING', 'EUR', 100 FROM generate_series(1, $M) g RETURNING id, created_at),
 i AS (INSERT INTO order_items SELECT id, 1, 'SKU-1', 1, 100 FROM o)
INSERT INTO outbox (order_id, type, payload, created_at)
  SELECT id, 'order.created', jsonb_build_object('type', 'order.created', 'order_id', id,
         'occurred_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
         created_at - interval '10 minutes' FROM o;
SQL
# the rows are backdated past the grace period; created_at of the outbox is older than the order's
"$BIN" outbox 2>&1
