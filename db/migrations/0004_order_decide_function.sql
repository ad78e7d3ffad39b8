-- The worker's decision as one set-returning function: one call (one round
-- trip, one commit) decides every order of an SQS batch. The worker calls it
-- from functions/worker/wk_sql.c (WK_SQL_DECIDE).
--
-- Per message, in its own subtransaction (BEGIN … EXCEPTION), so that a
-- failure rolls back that message only:
--  - the order is locked (FOR UPDATE) and its order.created outbox row marked
--    published: the message's arrival proves it was sent, and the mark stops
--    the relay from sending it again;
--  - PENDING: every line is reserved (inventory.available -= quantity, the
--    notion of reservation that the api's cancel undoes) and the order moves
--    to CONFIRMED, or nothing is reserved and it moves to REJECTED with the
--    first failing line's reason, lines taken in SKU order:
--      unknown_product:SKU   no products row, or no inventory row for it
--                            (the stock system does not know the SKU)
--      inactive_product:SKU  the product was deactivated after the order
--      out_of_stock:SKU      available < quantity
--  - any other state: already handled, nothing changes (a redelivered or
--    duplicated message never reserves twice).
--
-- Locks. The subtransactions commit into one transaction, so every lock taken
-- is held until the batch commits: locking per message in SKU order would
-- still let two batches deadlock (batch A holds SKU-2 from its first message
-- and wants SKU-1 for its second, batch B the reverse). So the batch's orders
-- are locked first, in id order, then every inventory row their lines need,
-- in SKU order: one global order (orders, then inventory, each sorted). The
-- per-message statements below then find their locks already held.
--
-- Deadline. p_budget_ms is the time the caller gives the call, measured on the
-- server's clock from the start of the call (the Lambda's and the server's
-- clocks need not agree). Once it has passed no further message is decided:
-- those come back 'not_attempted'. The client also cancels the statement at
-- its own deadline a little later (db_wait.c), which covers a lock wait.
--
-- Outcomes (r_outcome): confirmed | rejected | already_handled | unknown_order
-- | retry (a transient error: r_detail is the SQLSTATE, e.g. 40001, 40P01)
-- | error (any other error: r_detail is the SQLSTATE) | not_attempted.
-- r_detail: the reject reason, the status found (already_handled) or the
-- SQLSTATE. r_latency_ms: from the order's creation (the message's
-- occurred_at, which the api sets to created_at) to the decision, both on the
-- server's clock; NULL unless confirmed or rejected.

CREATE FUNCTION order_decide_batch(
  p_order_ids uuid[],     -- one per message, in message order; duplicates allowed
  p_budget_ms integer)    -- stop deciding this long after the call starts
RETURNS TABLE (
  r_idx integer,          -- 1-based position in p_order_ids
  r_outcome text,
  r_detail text,
  r_latency_ms double precision)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  v_stop timestamptz := clock_timestamp() + make_interval(secs => greatest(p_budget_ms, 0) / 1000.0);
  v_n integer := coalesce(cardinality(p_order_ids), 0);
  v_i integer;
  v_id uuid;
  v_status text;
  v_created timestamptz;
  v_reason text;
BEGIN
  -- the batch's locks, in the global order (see above)
  PERFORM 1 FROM orders WHERE id = ANY (p_order_ids) ORDER BY id FOR UPDATE;
  PERFORM 1 FROM inventory
    WHERE sku IN (SELECT i.sku FROM order_items i JOIN orders o ON o.id = i.order_id
                   WHERE o.id = ANY (p_order_ids) AND o.status = 'PENDING')
    ORDER BY sku FOR UPDATE;

  FOR v_i IN 1 .. v_n LOOP
    v_id := p_order_ids[v_i];
    r_idx := v_i;
    r_detail := NULL;
    r_latency_ms := NULL;
    IF v_id IS NULL THEN
      r_outcome := 'unknown_order';
      RETURN NEXT;
      CONTINUE;
    END IF;
    IF clock_timestamp() >= v_stop THEN
      r_outcome := 'not_attempted';
      RETURN NEXT;
      CONTINUE;
    END IF;
    BEGIN
      SELECT o.status, o.created_at INTO v_status, v_created
        FROM orders o WHERE o.id = v_id FOR UPDATE;
      IF NOT FOUND THEN
        r_outcome := 'unknown_order';
      ELSE
        UPDATE outbox SET published_at = coalesce(published_at, greatest(now(), created_at))
         WHERE order_id = v_id AND type = 'order.created' AND published_at IS NULL;
        IF v_status <> 'PENDING' THEN
          r_outcome := 'already_handled';
          r_detail := v_status;
        ELSE
          SELECT CASE WHEN p.sku IS NULL OR inv.sku IS NULL THEN 'unknown_product:' || i.sku
                      WHEN NOT p.active THEN 'inactive_product:' || i.sku
                      ELSE 'out_of_stock:' || i.sku END
            INTO v_reason
            FROM order_items i
            LEFT JOIN products p ON p.sku = i.sku
            LEFT JOIN inventory inv ON inv.sku = i.sku
           WHERE i.order_id = v_id
             AND (p.sku IS NULL OR inv.sku IS NULL OR NOT p.active OR inv.available < i.quantity)
           ORDER BY i.sku
           LIMIT 1;
          IF v_reason IS NULL THEN
            UPDATE inventory inv SET available = inv.available - i.quantity, updated_at = now()
              FROM order_items i
             WHERE i.order_id = v_id AND inv.sku = i.sku;
            UPDATE orders SET status = 'CONFIRMED' WHERE id = v_id;
            r_outcome := 'confirmed';
          ELSE
            UPDATE orders SET status = 'REJECTED', reject_reason = v_reason WHERE id = v_id;
            r_outcome := 'rejected';
            r_detail := v_reason;
          END IF;
          r_latency_ms := extract(epoch FROM clock_timestamp() - v_created) * 1000.0;
        END IF;
      END IF;
    EXCEPTION WHEN OTHERS THEN
      -- only this message is rolled back; the caller names it as a failure
      r_detail := SQLSTATE;
      r_outcome := CASE WHEN SQLSTATE IN ('40001', '40P01', '55P03', '55006', '53000', '53100',
                                          '53200', '53300', '53400', '57P01', '57P02', '57P03',
                                          '58000', '58030')
                        THEN 'retry' ELSE 'error' END;
    END;
    RETURN NEXT;
  END LOOP;
END
$$;
