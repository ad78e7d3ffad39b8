-- 0002's check of an order's total runs at commit for every line inserted,
-- changed or deleted. When the archive deletes orders, ON DELETE CASCADE
-- deletes their lines, and each deleted line queued a check of an order that
-- is gone with it: 10,000 PL/pgSQL calls at the commit of a 5,000-order batch,
-- as long as the DELETE itself (bench/README.md, "Cleanup").
--
-- The check of a deleted line now runs only for a line deleted by a statement
-- of its own (pg_trigger_depth() = 0), not by a trigger: the only trigger that
-- deletes lines is the foreign key's cascade, which runs because the order is
-- being deleted. A line deleted by hand still has its order's total checked
-- at commit. Inserts and updates are checked as before. The function is 0002's.
--
-- WHEN is evaluated as the event is queued, so inside the cascade's trigger
-- the depth is 1. The old trigger goes and the two new ones come in this
-- migration's one transaction: no commit in between runs unchecked.

DROP TRIGGER order_items_check_total ON order_items;

CREATE CONSTRAINT TRIGGER order_items_check_total AFTER INSERT OR UPDATE ON order_items
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION order_items_check_total();

CREATE CONSTRAINT TRIGGER order_items_check_total_on_delete AFTER DELETE ON order_items
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (pg_trigger_depth() = 0)
  EXECUTE FUNCTION order_items_check_total();
