-- 0001 checks an order's total against its lines when the order is inserted.
-- Lines added, changed or removed afterwards escaped that check; the same rule
-- now runs at commit for every order whose lines changed, unless the order is
-- gone (the archive deletes orders, and their lines with them).

CREATE FUNCTION orders_assert_total(p_order uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  order_total bigint;
  lines_total bigint;
  lines_count integer;
BEGIN
  SELECT total_cents INTO order_total FROM orders WHERE id = p_order;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT coalesce(sum(quantity::bigint * unit_price_cents), 0), count(*)
    INTO lines_total, lines_count
    FROM order_items WHERE order_id = p_order;
  IF lines_count = 0 THEN
    RAISE EXCEPTION 'orders: order % has no items', p_order USING ERRCODE = 'check_violation';
  END IF;
  IF lines_total <> order_total THEN
    RAISE EXCEPTION 'orders: total % of order % is not the sum of its items (%)',
      order_total, p_order, lines_total USING ERRCODE = 'check_violation';
  END IF;
END
$$;

CREATE FUNCTION order_items_check_total() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM orders_assert_total(OLD.order_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.order_id <> OLD.order_id) THEN
    PERFORM orders_assert_total(NEW.order_id);
  END IF;
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER order_items_check_total AFTER INSERT OR UPDATE OR DELETE ON order_items
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION order_items_check_total();

-- The same guards as 0001, now naming the rule they enforce, so that callers
-- can tell a refused transition (orders_status_transition) from other checks.
CREATE OR REPLACE FUNCTION orders_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id <> OLD.id OR NEW.customer_id <> OLD.customer_id OR NEW.currency <> OLD.currency
     OR NEW.total_cents <> OLD.total_cents OR NEW.created_at <> OLD.created_at THEN
    RAISE EXCEPTION 'orders: id, customer, currency, total and created_at are immutable'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'orders_immutable';
  END IF;
  IF NEW.status <> OLD.status AND NOT (
       (OLD.status = 'PENDING' AND NEW.status IN ('CONFIRMED', 'REJECTED', 'CANCELLED'))
    OR (OLD.status = 'CONFIRMED' AND NEW.status = 'CANCELLED')) THEN
    RAISE EXCEPTION 'orders: status % -> % is not allowed', OLD.status, NEW.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'orders_status_transition';
  END IF;
  IF NEW.updated_at = OLD.updated_at THEN
    NEW.updated_at := greatest(now(), OLD.updated_at);
  END IF;
  RETURN NEW;
END
$$;
