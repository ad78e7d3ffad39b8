#!/usr/bin/env bash
# Fault scenario (issue 15): the cleanup archive run twice in a day: two runs at
# once, then a third after them. 2,000 old terminal orders (2 lines each, last
# updated 100 days ago) and 50 recent ones are made by SQL; the archive runs
# through lambda-local (`invoke cleanup`) with 100-order batches, so that the
# concurrent runs interleave. Passes when no order is lost (every order gone
# from the table is, field for field, in an object of the archive bucket), the
# recent orders stay, the third run archives nothing and writes nothing, and
# every object holds whole JSON lines. Prints what the bucket holds: objects,
# lines, distinct orders, orders in two objects.
#   cleanup_twice.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
SRC=${1:?source dir}; BUILD=${2:?build dir}
OLD=2000 RECENT=50
{ command -v node && command -v curl; } >/dev/null || { echo "skipped: no node or curl"; exit 77; }
[ -f "$SRC/local/fauxqs.mjs" ] || { echo "skipped: local/fauxqs.mjs is missing"; exit 77; }
[ -x "$BUILD/functions/bootstrap" ] || { echo "skipped: no bootstrap in $BUILD"; exit 77; }
# shellcheck disable=SC1091  # found at run time, under SOURCE_DIR
source "$SRC/tests/e2e/api/stack.sh"
STACK_WORKER=1 LOG_LEVEL=warn stack_start "$SRC" "$BUILD" http 1
sed -i 's/"OUTBOX_GRACE_SECONDS": "0"/&, "ARCHIVE_BATCH_ROWS": "100"/' "$D/stack.json"
LL="$BUILD/tools/lambda-local/lambda-local"
sql() { psql -qAtX -v ON_ERROR_STOP=1 -d orders -c "$1"; }
PASS=0 FAIL=0
check() { local name=$1; shift; if "$@"; then PASS=$((PASS + 1)); echo "ok   $name"; else FAIL=$((FAIL + 1)); echo "FAIL $name"; fi; }

make_orders() { # N STATUS DAYS PREFIX
  sql "WITH o AS (INSERT INTO orders (customer_id, status, currency, total_cents, created_at, updated_at)
         SELECT '$4-' || g, '$2', 'EUR', 500, now() - interval '$3 days' - interval '1 hour',
                now() - interval '$3 days' + g * interval '1 microsecond' FROM generate_series(1, $1) g RETURNING id),
       i1 AS (INSERT INTO order_items SELECT id, 1, 'SKU-1', 1, 100 FROM o)
       INSERT INTO order_items SELECT id, 2, 'SKU-2', 2, 200 FROM o" >/dev/null
}
make_orders $((OLD / 2)) CONFIRMED 100 old-conf
make_orders $((OLD / 2)) CANCELLED 100 old-canc
make_orders "$RECENT" CONFIRMED 10 recent
# the rows as they were, to compare the archive with
sql "CREATE TABLE oc AS SELECT o.id, o.customer_id, o.status, o.total_cents,
       (SELECT jsonb_agg(jsonb_build_object('line', line, 'sku', sku, 'quantity', quantity,
          'unit_price_cents', unit_price_cents) ORDER BY line) FROM order_items i WHERE i.order_id = o.id) AS items
     FROM orders o" >/dev/null

archive() { echo '{"task":"archive"}' | "$LL" invoke cleanup - --config "$D/stack.json" >"$D/archive.$1" 2>&1; }
field() { grep -o "\"$2\": *[0-9a-z]*" "$D/archive.$1" | head -1 | sed 's/.*: *//'; }
archive a & pa=$!
archive b & pb=$!
wait "$pa" && ra=0 || ra=$?
wait "$pb" && rb=0 || rb=$?
echo "two runs at once: a archived $(field a archived) in $(field a objects) objects (exit $ra)," \
  "b archived $(field b archived) in $(field b objects) objects (exit $rb)"
check "both concurrent runs answered (no function error)" [ $((ra + rb)) -eq 0 ]
archive c || true
echo "the run after them: $(grep -o '{"task".*}' "$D/archive.c" | head -1)"
check "the run after them archived nothing and wrote nothing" \
  [ "$(field c archived)/$(field c objects)" = "0/0" ]

# The bucket: every object fetched (fauxqs checks no signature), gunzipped, one JSON line an order.
curl -s "$FQ_URL/orders-archive?list-type=2&max-keys=1000" | grep -o '<Key>[^<]*</Key>' |
  sed 's/<Key>\(.*\)<\/Key>/\1/' >"$D/keys"
: >"$D/lines"
while IFS= read -r k; do curl -sf "$FQ_URL/orders-archive/$k" | gzip -dc >>"$D/lines"; done <"$D/keys"
objects=$(wc -l <"$D/keys")
lines=$(wc -l <"$D/lines")
# shellcheck disable=SC2016  # JavaScript, not shell
node -e '
  const fs = require("fs"); const seen = new Map(); let bad = 0;
  for (const l of fs.readFileSync(process.argv[1], "utf8").split("\n")) {
    if (!l) continue;
    try { const o = JSON.parse(l); seen.set(o.id, (seen.get(o.id) || 0) + 1);
      fs.appendFileSync(process.argv[2], [o.id, o.customer_id, o.status, o.total_cents, JSON.stringify(o.items)].join("\t") + "\n");
    } catch (e) { bad++; }
  }
  console.log(`${seen.size} ${[...seen.values()].filter((n) => n > 1).length} ${bad}`);
' "$D/lines" "$D/archived.tsv" >"$D/summary"
read -r distinct twice bad <"$D/summary"
left=$(sql "SELECT count(*) FROM orders")
recent_left=$(sql "SELECT count(*) FROM orders WHERE customer_id LIKE 'recent-%'")
sql "CREATE TABLE arch (id uuid, customer_id text, status text, total_cents bigint, items jsonb)" >/dev/null
psql -qX -v ON_ERROR_STOP=1 -d orders -c "\\copy arch FROM '$D/archived.tsv'" >/dev/null
# lost: gone from the table and in no object as it was; foreign: in an object, not one of ours
lost=$(sql "SELECT count(*) FROM oc WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = oc.id)
              AND NOT EXISTS (SELECT 1 FROM arch a WHERE a.id = oc.id AND a.customer_id = oc.customer_id
                AND a.status = oc.status AND a.total_cents = oc.total_cents AND a.items = oc.items)")
archived_still_there=$(sql "SELECT count(*) FROM orders o WHERE EXISTS (SELECT 1 FROM arch a WHERE a.id = o.id)")
echo "bucket: $objects objects, $lines lines, $distinct distinct orders, $twice orders in two objects, $bad bad lines;" \
  "table: $left orders left ($recent_left recent); lost $lost; archived but still in the table $archived_still_there"
check "every old order left the table" [ "$left" -eq "$RECENT" ]
check "the recent orders stay" [ "$recent_left" -eq "$RECENT" ]
check "lost = 0: every order gone from the table is in an object, field for field" [ "$lost" -eq 0 ]
check "the bucket holds exactly the old orders" [ "$distinct" -eq "$OLD" ]
check "every line of every object is JSON" [ "$bad" -eq 0 ]
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
