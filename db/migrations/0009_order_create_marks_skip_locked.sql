-- order_create (0007's, with the trace header) marks the api's sent outbox rows
-- itself, skipping rows another transaction holds, and calls 0003's with no
-- rows to mark.
--
-- Why: the row a create marks is the previous create's, whose message the api
-- has just sent, so the worker is often deciding that very order: its batch
-- transaction updates the row (order_decide_batch marks it published) and holds
-- it until the batch commits. 0003's mark waited for it, which made a create
-- wait for a worker's batch, and with two or more rows to mark (they pile up
-- after a failed statement) it could deadlock with a batch that takes them in
-- the other order. The relay's marks do the same since the change that
-- found this (functions/cleanup/cl_outbox_sql.c: a deadlock seen on the local
-- stack). A skipped row is being published by the worker; if that rolls back,
-- the relay sends it again (at least once, as always).
--
-- Same statement semantics as 0003's CTE: the mark runs in the create's
-- transaction whatever its outcome, and r_marked counts the rows marked now.
-- 0003's six-parameter function is unchanged (the previous release's api).

CREATE OR REPLACE FUNCTION order_create(
  p_customer_id text, p_key text, p_request_hash bytea, p_items jsonb, p_ttl_hours int,
  p_published uuid[],
  p_trace_header text)    -- NULL: none; else 1..1024 characters (0005's check)
RETURNS TABLE (
  r_outcome text, r_order_id text, r_body text, r_outbox_id text, r_message text,
  r_lines bigint, r_catalog text, r_marked bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  r record;
  v_marked bigint := 0;
BEGIN
  IF p_published IS NOT NULL THEN
    UPDATE outbox SET published_at = greatest(now(), created_at), attempts = attempts + 1
     WHERE id IN (SELECT id FROM outbox WHERE id = ANY (p_published) AND published_at IS NULL
                  FOR UPDATE SKIP LOCKED)
       AND published_at IS NULL;
    GET DIAGNOSTICS v_marked = ROW_COUNT;
  END IF;
  FOR r IN SELECT * FROM order_create(p_customer_id, p_key, p_request_hash, p_items, p_ttl_hours,
                                      NULL::uuid[]) LOOP
    IF p_trace_header IS NOT NULL AND r.r_outbox_id IS NOT NULL THEN
      UPDATE outbox SET trace_header = p_trace_header WHERE id = r.r_outbox_id::uuid;
    END IF;
    r_outcome := r.r_outcome;
    r_order_id := r.r_order_id;
    r_body := r.r_body;
    r_outbox_id := r.r_outbox_id;
    r_message := r.r_message;
    r_lines := r.r_lines;
    r_catalog := r.r_catalog;
    r_marked := v_marked;
    RETURN NEXT;
  END LOOP;
END
$$;
