#!/usr/bin/env bash
# The worker benchmark: orders decided per second by one worker instance.
#   bench/worker/run.sh BUILD_DIR [BATCHES] [BATCH_SIZE] [ROUNDS]
# On a throw-away PostgreSQL 15 (scripts/lib/pgtmp) with the migrations and the
# local seed, stock raised so that every order is confirmed (the heavier path),
# each round measures on fresh PENDING orders:
#   handler: bench-worker (the handler in process: event parsing, one call of
#            order_decide_batch, per-message log lines and EMF to /dev/null,
#            the answer) on BATCHES prepared events of BATCH_SIZE messages;
#   floor:   the same function alone from pgbench (one client, extended
#            protocol), BATCHES transactions on the same kind of batches.
# Then database round trips per batch, counted from the server's statement log
# (log_statement = all) while 50 batches go through the handler.
set -euo pipefail
BUILD=${1:?usage: run.sh BUILD_DIR [BATCHES] [BATCH_SIZE] [ROUNDS]}
BATCHES=${2:-500}
SIZE=${3:-10}
ROUNDS=${4:-2}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$BUILD" && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
TMP=$(mktemp -d)
chmod 755 "$TMP"
cleanup() { "$ROOT/scripts/lib/pgtmp" stop "$TMP/pg" >/dev/null 2>&1 || true; rm -rf "$TMP"; }
trap cleanup EXIT
eval "$("$ROOT/scripts/lib/pgtmp" start "$TMP/pg")"
export PGHOST PGPORT PGUSER PGDATABASE
export DB_HOST=$PGHOST DB_PORT=$PGPORT DB_NAME=$PGDATABASE DB_USER=$PGUSER DB_SSLMODE=disable
sql() { PGOPTIONS="-c client_min_messages=warning" psql -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
"$ROOT/scripts/lib/pgtmp" migrate
psql -qX -v ON_ERROR_STOP=1 -f "$ROOT/db/seed/local_seed.sql"
sql "UPDATE inventory SET available = 1000000000 WHERE sku <> 'SKU-OUT'"

# N PENDING orders of customer $1, two lines each over SKU-1..SKU-5
make_orders() {
  sql "SELECT count(*) FROM generate_series(1, $2) g, LATERAL order_create('$1', NULL, NULL,
         jsonb_build_array(jsonb_build_object('sku', 'SKU-' || (g % 5 + 1), 'quantity', 1),
                           jsonb_build_object('sku', 'SKU-' || ((g + 2) % 5 + 1), 'quantity', 2)),
         24, NULL)" >/dev/null
  sql "VACUUM ANALYZE" >/dev/null
}

cat > "$TMP/decide.sql" <<SQL
\set n :n + 1
SELECT r_idx, r_outcome, r_detail, r_latency_ms FROM order_decide_batch((SELECT ids FROM bench_batches WHERE n = :n), 900000);
SQL

for round in $(seq 1 "$ROUNDS"); do
  make_orders "bench-a$round" $((BATCHES * SIZE))
  "$BUILD/bench/worker/bench-worker" "bench-a$round" "$SIZE"
  make_orders "bench-b$round" $((BATCHES * SIZE))
  sql "DROP TABLE IF EXISTS bench_batches;
       CREATE TABLE bench_batches AS
         SELECT (row_number() OVER (ORDER BY created_at, id) - 1) / $SIZE + 1 AS n, id
           FROM orders WHERE customer_id = 'bench-b$round';
       CREATE TABLE bench_b AS SELECT n, array_agg(id ORDER BY id) AS ids FROM bench_batches GROUP BY n;
       DROP TABLE bench_batches; ALTER TABLE bench_b RENAME TO bench_batches;
       ALTER TABLE bench_batches ADD PRIMARY KEY (n); ANALYZE bench_batches"
  rm -f "$TMP"/pgb.*
  "$PGBIN/pgbench" -n -M extended -c 1 -j 1 -t "$BATCHES" -D n=0 -f "$TMP/decide.sql" \
      -l --log-prefix="$TMP/pgb" 2>&1 |
    awk -v size="$SIZE" '/^tps/ {printf "floor:   batch %d, pgbench %s tps: %.0f orders/s\n", size, $3, $3 * size}'
  # per-transaction latencies (third field, microseconds): p50 and p99 as bench-worker prints them
  awk '{print $3}' "$TMP"/pgb.* | sort -n |
    awk '{v[NR] = $1} END {printf "floor:   per batch p50 %.3f ms p99 %.3f ms\n", v[int(NR / 2) + 1] / 1000, v[int(NR * 99 / 100) + 1] / 1000}'
  sql "SELECT 'round $round: ' || count(*) FILTER (WHERE status = 'CONFIRMED') || ' confirmed, '
              || count(*) FILTER (WHERE status = 'PENDING') || ' pending'
         FROM orders WHERE customer_id IN ('bench-a$round', 'bench-b$round')"
done

# Round trips per batch
N=50
make_orders bench-rt $((N * SIZE))
LOG="$PGTMP_DIR/server.log"
count_statements() { grep -cE 'LOG:  (statement|execute)' "$LOG" || true; }
sql "ALTER SYSTEM SET log_statement = 'all'" && sql "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
before=$(count_statements)
"$BUILD/bench/worker/bench-worker" bench-rt "$SIZE" >/dev/null
sleep 0.3
after=$(count_statements)
# bench-worker's own statements: the warm-up's none, the id lookup 1
awk -v s=$((after - before - 1)) -v n=$N \
  'BEGIN {printf "round trips per batch: %.2f (statements %d for %d batches)\n", s / n, s, n}'
sql "ALTER SYSTEM RESET log_statement" && sql "SELECT pg_reload_conf()" >/dev/null
