-- POST /orders as a function. Sent as one unnamed statement, the ten-CTE
-- create was parsed and planned on every request: 0.8 of its 1.2 ms on the
-- bench machine. PL/pgSQL keeps the plan of its query per server connection
-- (shared by every client the proxy multiplexes onto it, and no session state
-- a client could see, so no pinning); the call itself is trivial to plan.
-- The api calls it from order_sql.c (ORDER_SQL_CREATE). Its answer JSON must
-- stay the shape that order_sql.c's ORDER_JSON gives GET, list and cancel:
-- the api's tests compare a create's answer with a GET of it byte for byte.
--
-- One statement, one round trip:
--  - marked: outbox rows that earlier requests of the caller sent; the CTE
--    runs whatever the outcome and touches only unpublished rows (the relay
--    may have been first);
--  - priced/verdict: the lines joined with the catalog; nothing is written
--    unless every SKU is known and active and all share one currency;
--  - idem: the key's row, inserted with the new answer. ON CONFLICT DO UPDATE
--    rather than DO NOTHING: it waits for a concurrent request holding the
--    key to finish and then returns the row that request committed, which
--    this statement's snapshot could not see, so the second of two concurrent
--    requests replays the first's answer. The update is a no-op on a live key
--    and takes an expired one over (the cleanup job purges them only daily);
--  - the order, its lines and the outbox row are written only when there is
--    no key or the key's row now names the new order;
--  - prior: when the catalog refuses the request (nothing written), a live
--    key still replays its first answer: the catalog may have changed since.
-- Foreign keys are checked at the end of the statement and the order's total
-- at commit, so the write order inside it does not matter.

CREATE FUNCTION order_create(
  p_customer_id text,     -- validated by the api
  p_key text,             -- Idempotency-Key, NULL: none
  p_request_hash bytea,   -- SHA-256 of the canonical request, NULL without a key
  p_items jsonb,          -- [{"sku":…,"quantity":…}, …], validated
  p_ttl_hours int,        -- the key's lifetime
  p_published uuid[])     -- outbox rows to mark published, NULL: none
RETURNS TABLE (
  r_outcome text,         -- created | replayed | key_reused | catalog_invalid
  r_order_id text,
  r_body text,            -- the order JSON: new, or the key's first answer
  r_outbox_id text,       -- created only
  r_message text,         -- the queue message, created only
  r_lines bigint,
  r_catalog text,         -- per line: known, active, currency (for the 422)
  r_marked bigint)        -- rows of p_published marked now
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH marked AS (
    UPDATE outbox SET published_at = greatest(now(), created_at), attempts = attempts + 1
     WHERE p_published IS NOT NULL AND id = ANY (p_published) AND published_at IS NULL
    RETURNING 1),
  items AS (
    SELECT e.ord::int AS line, e.value->>'sku' AS sku, (e.value->>'quantity')::int AS quantity
      FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e(value, ord)),
  priced AS (
    SELECT i.line, i.sku, i.quantity, p.price_cents, p.currency::text AS currency, p.active
      FROM items i LEFT JOIN products p ON p.sku = i.sku),
  verdict AS (
    SELECT coalesce(bool_and(price_cents IS NOT NULL AND active), false)
           AND count(DISTINCT currency) = 1 AS ok,
           min(currency) AS currency, sum(quantity::bigint * price_cents) AS total
      FROM priced),
  fresh AS (
    SELECT gen_random_uuid() AS id, now() AS at, v.currency, v.total FROM verdict v WHERE v.ok),
  answer AS (
    SELECT f.id, f.at, f.currency, f.total,
           jsonb_build_object(
             'id', f.id, 'customer_id', p_customer_id, 'status', 'PENDING',
             'currency', f.currency, 'total_cents', f.total, 'reject_reason', NULL::text,
             'items', (SELECT jsonb_agg(jsonb_build_object('line', p.line, 'sku', p.sku,
                                                           'quantity', p.quantity,
                                                           'unit_price_cents', p.price_cents)
                                        ORDER BY p.line)
                         FROM priced p),
             'created_at', to_char(f.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
             'updated_at', to_char(f.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')) AS body
      FROM fresh f),
  idem AS (
    INSERT INTO idempotency_keys AS k
           (customer_id, key, request_hash, order_id, response, created_at, expires_at)
    SELECT p_customer_id, p_key, p_request_hash, a.id, a.body, a.at,
           a.at + make_interval(hours => p_ttl_hours)
      FROM answer a WHERE p_key IS NOT NULL
    ON CONFLICT (customer_id, key) DO UPDATE SET
      request_hash = CASE WHEN k.expires_at <= EXCLUDED.created_at THEN EXCLUDED.request_hash ELSE k.request_hash END,
      order_id = CASE WHEN k.expires_at <= EXCLUDED.created_at THEN EXCLUDED.order_id ELSE k.order_id END,
      response = CASE WHEN k.expires_at <= EXCLUDED.created_at THEN EXCLUDED.response ELSE k.response END,
      expires_at = CASE WHEN k.expires_at <= EXCLUDED.created_at THEN EXCLUDED.expires_at ELSE k.expires_at END,
      created_at = CASE WHEN k.expires_at <= EXCLUDED.created_at THEN EXCLUDED.created_at ELSE k.created_at END
    RETURNING order_id, request_hash, response),
  ins_order AS (
    INSERT INTO orders (id, customer_id, status, currency, total_cents, created_at, updated_at)
    SELECT a.id, p_customer_id, 'PENDING', a.currency, a.total, a.at, a.at FROM answer a
     WHERE p_key IS NULL OR EXISTS (SELECT 1 FROM idem WHERE idem.order_id = a.id)
    RETURNING id, created_at),
  ins_items AS (
    INSERT INTO order_items (order_id, line, sku, quantity, unit_price_cents)
    SELECT o.id, p.line, p.sku, p.quantity, p.price_cents FROM ins_order o CROSS JOIN priced p
    RETURNING 1),
  ins_outbox AS (
    INSERT INTO outbox (order_id, type, payload, created_at)
    SELECT o.id, 'order.created',
           jsonb_build_object('type', 'order.created', 'order_id', o.id,
                              'occurred_at', to_char(o.created_at AT TIME ZONE 'UTC',
                                                     'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
           o.created_at
      FROM ins_order o
    RETURNING id, payload),
  prior AS (
    SELECT k.order_id, k.request_hash, k.response FROM idempotency_keys k
     WHERE p_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM answer)
       AND k.customer_id = p_customer_id AND k.key = p_key AND k.expires_at > now()),
  seen AS (
    SELECT order_id, request_hash, response FROM idem
     WHERE NOT EXISTS (SELECT 1 FROM answer a WHERE a.id = idem.order_id)
    UNION ALL
    SELECT order_id, request_hash, response FROM prior)
  SELECT CASE WHEN EXISTS (SELECT 1 FROM ins_order) THEN 'created'
              WHEN EXISTS (SELECT 1 FROM seen WHERE seen.request_hash = p_request_hash) THEN 'replayed'
              WHEN EXISTS (SELECT 1 FROM seen) THEN 'key_reused'
              ELSE 'catalog_invalid' END,
         coalesce((SELECT order_id FROM seen LIMIT 1), (SELECT id FROM answer))::text,
         coalesce((SELECT response FROM seen LIMIT 1), (SELECT body FROM answer))::text,
         (SELECT id FROM ins_outbox)::text,
         (SELECT payload FROM ins_outbox)::text,
         (SELECT count(*) FROM ins_items),
         (SELECT jsonb_agg(jsonb_build_object('line', p.line, 'known', p.price_cents IS NOT NULL,
                                              'active', coalesce(p.active, false),
                                              'currency', p.currency) ORDER BY p.line)
            FROM priced p)::text,
         (SELECT count(*) FROM marked);
END
$$;
