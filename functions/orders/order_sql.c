/* SQL of the orders aggregate. The order JSON is built by one macro for GET,
 * the list and cancel, and by the order_create function (migration 0003) in
 * the same shape for POST, so every route answers alike (and a replay with the
 * very bytes of the first answer: both are jsonb rendered by the server). */
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
 * lifetime in hours, $6 outbox rows sent by earlier requests to mark published
 * (uuid[], NULL: none), $7 the request's trace header for the outbox row
 * (NULL: none).
 *
 * The statement itself is db/migrations/0003_order_create_function.sql (0007
 * adds the trace header around it): as a
 * PL/pgSQL function its plan is kept per server connection instead of being
 * made for every request. Its answer JSON is the shape ORDER_JSON gives. */
const char ORDER_SQL_CREATE[] =
    "SELECT r_outcome, r_order_id, r_body, r_outbox_id, r_message, r_lines, r_catalog, r_marked"
    " FROM order_create($1::text, $2::text, $3::bytea, $4::jsonb, $5::int, $6::uuid[], $7::text)";

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
