-- order_create with a seventh parameter: the request's trace header
-- (AWSTraceHeader, "Root=1-...;Parent=...;Sampled=..."), stored in the outbox
-- row the create writes (outbox.trace_header, 0005), so that the cleanup
-- relay's resend of a message the api could not send carries the request's
-- trace as the api's own SendMessage does.
--
-- A function's parameter list cannot change in place, so this is a second
-- order_create beside 0003's. It calls 0003's and then sets the trace header
-- on the outbox row that call created (same transaction: no other session
-- sees the row without it). 0003's six-parameter function is left as it is,
-- so the previous release's api keeps working against this schema (docs/
-- deploy.md: one version of backward compatibility); the one statement body
-- stays in one place (0003) instead of a second copy here. The price is one
-- UPDATE by primary key per create (a HOT update: trace_header is in no
-- index). EXECUTE on the new function reaches the three function users by
-- 0006's default privileges (db/README.md, "Rules for later migrations"); its
-- UPDATE of outbox is covered by the api's UPDATE grant on outbox.

CREATE FUNCTION order_create(
  p_customer_id text, p_key text, p_request_hash bytea, p_items jsonb, p_ttl_hours int,
  p_published uuid[],
  p_trace_header text)    -- NULL: none; else 1..1024 characters (0005's check)
RETURNS TABLE (
  r_outcome text, r_order_id text, r_body text, r_outbox_id text, r_message text,
  r_lines bigint, r_catalog text, r_marked bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM order_create(p_customer_id, p_key, p_request_hash, p_items, p_ttl_hours,
                                      p_published) LOOP
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
    r_marked := r.r_marked;
    RETURN NEXT;
  END LOOP;
END
$$;
