/* SQL of the orders aggregate. The order JSON is built here, once, by one
 * macro, so POST, GET, the list, cancel and an idempotent replay all answer
 * with the same shape (and a replay with the very bytes of the first answer:
 * both are jsonb rendered by the server). */
#include "order_sql.h"

#define ORDER_TS(x) "to_char((" x ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#define ORDER_JSON(id, cust, status, cur, total, reason, created, updated, items)               \
  "jsonb_build_object('id', " id ", 'customer_id', " cust ", 'status', " status                  \
  ", 'currency', " cur ", 'total_cents', " total ", 'reject_reason', " reason                   \
  ", 'items', " items ", 'created_at', " ORDER_TS(created) ", 'updated_at', " ORDER_TS(updated) ")"

#define ORDER_ITEMS_OF(oid)                                                                      \
  "(SELECT jsonb_agg(jsonb_build_object('line', i.line, 'sku', i.sku, 'quantity', i.quantity, "  \
  "'unit_price_cents', i.unit_price_cents) ORDER BY i.line) FROM order_items i WHERE i.order_id = " \
  oid ")"

#define ORDER_JSON_OF(o)                                                                        \
  ORDER_JSON(o ".id", o ".customer_id", o ".status", o ".currency::text", o ".total_cents",     \
             o ".reject_reason", o ".created_at", o ".updated_at", ORDER_ITEMS_OF(o ".id"))

/* $1 customer_id, $2 idempotency key (NULL: none), $3 request hash (bytea,
 * NULL without a key), $4 items as a JSON array of {"sku","quantity"}, $5 key
 * lifetime in hours.
 *
 * One statement, one round trip:
 *  - priced/verdict: the lines joined with the catalog; nothing is written
 *    unless every SKU is known and active and all share one currency;
 *  - idem: the key's row, inserted with the new answer. On conflict DO UPDATE
 *    rather than DO NOTHING: it waits for a concurrent request holding the key
 *    to finish and then returns the row that request committed, which this
 *    statement's snapshot could not see, so the second of two concurrent
 *    requests replays the first's answer. The update is a no-op on a live key
 *    and takes an expired one over (the cleanup job purges them only daily);
 *  - the order, its lines and the outbox row are written only when there is
 *    no key or the key's row now names the new order;
 *  - prior: when the catalog refuses the request (nothing written), a live
 *    key still replays its first answer: the catalog may have changed since.
 * Foreign keys are checked at the end of the statement and the order's total
 * at commit, so the write order inside it does not matter. */
#define IDEM_TAKE(col) \
  col " = CASE WHEN k.expires_at <= EXCLUDED.created_at THEN EXCLUDED." col " ELSE k." col " END"
const char ORDER_SQL_CREATE[] =
    "WITH items AS ("
    " SELECT e.ord::int AS line, e.value->>'sku' AS sku, (e.value->>'quantity')::int AS quantity"
    " FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS e(value, ord)),"
    " priced AS ("
    " SELECT i.line, i.sku, i.quantity, p.price_cents, p.currency::text AS currency, p.active"
    " FROM items i LEFT JOIN products p ON p.sku = i.sku),"
    " verdict AS ("
    " SELECT coalesce(bool_and(price_cents IS NOT NULL AND active), false)"
    "        AND count(DISTINCT currency) = 1 AS ok,"
    "        min(currency) AS currency, sum(quantity::bigint * price_cents) AS total"
    " FROM priced),"
    " fresh AS ("
    " SELECT gen_random_uuid() AS id, now() AS at, v.currency, v.total FROM verdict v WHERE v.ok),"
    " answer AS ("
    " SELECT f.id, f.at, f.currency, f.total, "
    ORDER_JSON("f.id", "$1::text", "'PENDING'", "f.currency", "f.total", "NULL::text",
               "f.at", "f.at",
               "(SELECT jsonb_agg(jsonb_build_object('line', p.line, 'sku', p.sku, 'quantity', "
               "p.quantity, 'unit_price_cents', p.price_cents) ORDER BY p.line) FROM priced p)")
    " AS body FROM fresh f),"
    " idem AS ("
    " INSERT INTO idempotency_keys AS k (customer_id, key, request_hash, order_id, response,"
    "                                    created_at, expires_at)"
    " SELECT $1::text, $2::text, $3::bytea, a.id, a.body, a.at, a.at + make_interval(hours => $5::int)"
    " FROM answer a WHERE $2::text IS NOT NULL"
    " ON CONFLICT (customer_id, key) DO UPDATE SET "
    IDEM_TAKE("request_hash") ", " IDEM_TAKE("order_id") ", " IDEM_TAKE("response") ", "
    IDEM_TAKE("expires_at") ", " IDEM_TAKE("created_at")
    " RETURNING order_id, request_hash, response),"
    " ins_order AS ("
    " INSERT INTO orders (id, customer_id, status, currency, total_cents, created_at, updated_at)"
    " SELECT a.id, $1::text, 'PENDING', a.currency, a.total, a.at, a.at FROM answer a"
    " WHERE $2::text IS NULL OR EXISTS (SELECT 1 FROM idem WHERE idem.order_id = a.id)"
    " RETURNING id, created_at),"
    " ins_items AS ("
    " INSERT INTO order_items (order_id, line, sku, quantity, unit_price_cents)"
    " SELECT o.id, p.line, p.sku, p.quantity, p.price_cents FROM ins_order o CROSS JOIN priced p"
    " RETURNING 1),"
    " ins_outbox AS ("
    " INSERT INTO outbox (order_id, type, payload, created_at)"
    " SELECT o.id, 'order.created', jsonb_build_object('type', 'order.created', 'order_id', o.id,"
    "        'occurred_at', " ORDER_TS("o.created_at") "), o.created_at FROM ins_order o"
    " RETURNING id, payload),"
    " prior AS ("
    " SELECT k.order_id, k.request_hash, k.response FROM idempotency_keys k"
    " WHERE $2::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM answer)"
    "   AND k.customer_id = $1::text AND k.key = $2::text AND k.expires_at > now()),"
    " seen AS ("
    " SELECT order_id, request_hash, response FROM idem"
    " WHERE NOT EXISTS (SELECT 1 FROM answer a WHERE a.id = idem.order_id)"
    " UNION ALL SELECT order_id, request_hash, response FROM prior)"
    " SELECT CASE WHEN EXISTS (SELECT 1 FROM ins_order) THEN 'created'"
    "             WHEN EXISTS (SELECT 1 FROM seen WHERE seen.request_hash = $3::bytea) THEN 'replayed'"
    "             WHEN EXISTS (SELECT 1 FROM seen) THEN 'key_reused'"
    "             ELSE 'catalog_invalid' END AS outcome,"
    "  coalesce((SELECT order_id FROM seen LIMIT 1), (SELECT id FROM answer))::text AS order_id,"
    "  coalesce((SELECT response FROM seen LIMIT 1), (SELECT body FROM answer))::text AS body,"
    "  (SELECT id FROM ins_outbox)::text AS outbox_id,"
    "  (SELECT payload FROM ins_outbox)::text AS message,"
    "  (SELECT count(*) FROM ins_items) AS lines,"
    "  (SELECT jsonb_agg(jsonb_build_object('line', p.line, 'known', p.price_cents IS NOT NULL,"
    "          'active', coalesce(p.active, false), 'currency', p.currency) ORDER BY p.line)"
    "   FROM priced p)::text AS catalog";

/* $1 order id */
const char ORDER_SQL_GET[] = "SELECT " ORDER_JSON_OF("o") "::text FROM orders o WHERE o.id = $1::uuid";

/* $1 customer_id or NULL, $2 status or NULL, $3 after created_at (epoch
 * microseconds) or NULL, $4 after id, $5 rows to fetch (limit + 1, to know
 * whether a next page exists). Unnamed statements get a custom plan for their
 * parameters, so the IS NULL branches fold away and the indexes on
 * (customer_id, created_at DESC, id DESC) and (created_at DESC, id DESC) serve
 * the row comparison. */
const char ORDER_SQL_LIST[] =
    "SELECT " ORDER_JSON_OF("o") "::text, o.id::text,"
    " (extract(epoch FROM o.created_at) * 1000000)::bigint"
    " FROM orders o"
    " WHERE ($1::text IS NULL OR o.customer_id = $1::text)"
    "   AND ($2::text IS NULL OR o.status = $2::text)"
    "   AND ($3::bigint IS NULL OR (o.created_at, o.id) <"
    "        (timestamptz 'epoch' + ($3::bigint / 1000000) * interval '1 second'"
    "         + ($3::bigint % 1000000) * interval '1 microsecond', $4::uuid))"
    " ORDER BY o.created_at DESC, o.id DESC LIMIT $5::int";

/* $1 order id. The row is locked first (FOR UPDATE re-reads it if the worker
 * changed it meanwhile), then moved to CANCELLED when PENDING or CONFIRMED;
 * a CONFIRMED order had its stock reserved by the worker, so the lines'
 * quantities go back to inventory in the same statement. */
const char ORDER_SQL_CANCEL[] =
    "WITH target AS (SELECT id, status FROM orders WHERE id = $1::uuid FOR UPDATE),"
    " upd AS ("
    " UPDATE orders o SET status = 'CANCELLED' FROM target t"
    " WHERE o.id = t.id AND t.status IN ('PENDING', 'CONFIRMED')"
    " RETURNING o.*),"
    " released AS ("
    " UPDATE inventory inv SET available = inv.available + i.quantity, updated_at = now()"
    " FROM order_items i, target t"
    " WHERE t.status = 'CONFIRMED' AND i.order_id = t.id AND inv.sku = i.sku"
    "   AND EXISTS (SELECT 1 FROM upd)"
    " RETURNING inv.sku)"
    " SELECT (SELECT status FROM target) AS previous,"
    "  coalesce((SELECT " ORDER_JSON_OF("u") " FROM upd u),"
    "           (SELECT " ORDER_JSON_OF("o") " FROM orders o WHERE o.id = $1::uuid))::text,"
    "  (SELECT count(*) FROM released),"
    "  EXISTS (SELECT 1 FROM upd)";

/* $1 outbox id. Both only touch a row not yet published: the cleanup relay
 * may have published it in between. */
const char OUTBOX_SQL_PUBLISHED[] =
    "UPDATE outbox SET published_at = greatest(now(), created_at), attempts = attempts + 1"
    " WHERE id = $1::uuid AND published_at IS NULL";
const char OUTBOX_SQL_FAILED[] =
    "UPDATE outbox SET attempts = attempts + 1 WHERE id = $1::uuid AND published_at IS NULL";
