-- The cleanup function (functions/cleanup): the archive's batches and the
-- outbox relay's claims. Backward compatible: new nullable columns and indexes
-- only, so the previous version of every function keeps working.

-- The archive reads terminal orders oldest-updated first, in (updated_at, id)
-- order, so that a batch is the same set of rows on a rerun (newly eligible
-- orders always sort after the ones a crashed run had written).
CREATE INDEX orders_terminal_updated_idx ON orders (updated_at, id)
  WHERE status IN ('CONFIRMED', 'REJECTED', 'CANCELLED');

-- The relay claims a row by setting a lease in a short statement of its own,
-- then sends without holding any row lock; an expired lease (a relay that
-- died mid-send) makes the row claimable again.
ALTER TABLE outbox ADD COLUMN claimed_until timestamptz;
-- The relay's claim walks unpublished rows in (created_at, id) order from a
-- cursor; outbox_unpublished_idx (created_at only) made it sort every
-- unpublished row for each claim of ten.
CREATE INDEX outbox_relay_idx ON outbox (created_at, id) WHERE published_at IS NULL;
-- The X-Ray trace header of the request that made the row, when its writer
-- records it: the relay sends it as AWSTraceHeader.
ALTER TABLE outbox ADD COLUMN trace_header text
  CHECK (trace_header IS NULL OR length(trace_header) BETWEEN 1 AND 1024);

-- Deleting an archived order cascades to its idempotency keys: without an
-- index on order_id every deleted order would scan the whole table.
CREATE INDEX idempotency_keys_order_idx ON idempotency_keys (order_id);
