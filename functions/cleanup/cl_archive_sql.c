/* SQL of the archive: terminal orders past the retention, their lines, and
 * expired idempotency keys. The server renders each archived line (one JSON
 * object per order with its lines), so every column keeps its type: text as
 * JSON strings, bigint as numbers, NULL as null, instants as RFC 3339 UTC
 * with microseconds (exactly what the row holds, so the DELETE can match it). */
#include "cl_sql.h"

#define CL_TS(x) "to_char((" x ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
#define CL_TERMINAL "('CONFIRMED', 'REJECTED', 'CANCELLED')"

/* $1 retention in days, $2 cursor updated_at (NULL: from the start), $3
 * cursor id, $4 batch size. (updated_at, id) order makes a batch the same
 * rows on a rerun: orders that become eligible later sort after it. Served by
 * orders_terminal_updated_idx (migration 0005). Columns: the line, the id,
 * updated_at as rendered. */
const char CL_SQL_ARCHIVE_BATCH[] =
    "SELECT json_build_object('schema_version', 1, 'id', o.id, 'customer_id', o.customer_id,"
    " 'status', o.status, 'currency', o.currency, 'total_cents', o.total_cents,"
    " 'reject_reason', o.reject_reason, 'created_at', " CL_TS("o.created_at") ","
    " 'updated_at', " CL_TS("o.updated_at") ","
    " 'items', (SELECT json_agg(json_build_object('line', i.line, 'sku', i.sku, 'quantity', i.quantity,"
    "  'unit_price_cents', i.unit_price_cents) ORDER BY i.line) FROM order_items i WHERE i.order_id = o.id))::text,"
    " o.id::text, " CL_TS("o.updated_at")
    " FROM orders o"
    " WHERE o.status IN " CL_TERMINAL
    "   AND o.updated_at < now() - $1::int * interval '1 day'"
    "   AND ($2::timestamptz IS NULL OR (o.updated_at, o.id) > ($2::timestamptz, $3::uuid))"
    " ORDER BY o.updated_at, o.id LIMIT $4::int";

/* $1 ids (uuid[]), $2 and $3 the first and the last row's updated_at as
 * archived. A row changed since it was read (a late cancel) is left for the
 * next run rather than deleted with a stale copy in the archive: a change
 * sets updated_at to now() (orders_guard_update), past $3, which is older
 * than the retention. The range, not the (id, updated_at) pairs, lets the
 * planner take orders_terminal_updated_idx; the pairs' join cost a third
 * more (bench/cleanup). Lines, keys and outbox rows go by ON DELETE CASCADE.
 * One statement: one transaction. */
const char CL_SQL_ARCHIVE_DELETE[] =
    "WITH d AS (DELETE FROM orders o WHERE o.id = ANY($1::uuid[])"
    " AND o.updated_at BETWEEN $2::timestamptz AND $3::timestamptz AND o.status IN " CL_TERMINAL
    " RETURNING 1) SELECT count(*) FROM d";

/* $1 at most this many keys. */
const char CL_SQL_KEYS_PURGE[] =
    "WITH x AS (SELECT customer_id, key FROM idempotency_keys WHERE expires_at < now()"
    "  ORDER BY expires_at LIMIT $1::int),"
    " d AS (DELETE FROM idempotency_keys k USING x WHERE k.customer_id = x.customer_id AND k.key = x.key"
    "  RETURNING 1) SELECT count(*) FROM d";
