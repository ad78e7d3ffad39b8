-- Orders schema, first version.
-- Each migration runs inside one transaction opened by the migrate function,
-- so no BEGIN/COMMIT here. Limits mirror the API's validation (functions/api)
-- so that data stays valid even if a code path forgets a check.

CREATE TABLE products (
  sku          text        PRIMARY KEY CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
  name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  price_cents  bigint      NOT NULL CHECK (price_cents > 0 AND price_cents <= 100000000),
  currency     char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  active       boolean     NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE inventory (
  sku          text        PRIMARY KEY REFERENCES products (sku),
  available    integer     NOT NULL CHECK (available >= 0),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
  id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id   text        NOT NULL CHECK (customer_id ~ '^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$'),
  status        text        NOT NULL DEFAULT 'PENDING'
                            CHECK (status IN ('PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLED')),
  currency      char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  total_cents   bigint      NOT NULL CHECK (total_cents > 0),
  reject_reason text        CHECK (length(reject_reason) BETWEEN 1 AND 500),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  -- a rejected order always says why, and only a rejected order has a reason
  CONSTRAINT orders_reject_reason_iff_rejected CHECK ((status = 'REJECTED') = (reject_reason IS NOT NULL)),
  CONSTRAINT orders_updated_after_created CHECK (updated_at >= created_at)
);

-- GET /orders?customer_id=…: keyset pagination on (created_at, id), newest first
CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at DESC, id DESC);
-- GET /orders without a customer filter
CREATE INDEX orders_created_idx ON orders (created_at DESC, id DESC);
-- the archive job: terminal orders by age
CREATE INDEX orders_status_updated_idx ON orders (status, updated_at);

CREATE TABLE order_items (
  order_id         uuid     NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  line             smallint NOT NULL CHECK (line BETWEEN 1 AND 50),
  sku              text     NOT NULL REFERENCES products (sku),
  quantity         integer  NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
  unit_price_cents bigint   NOT NULL CHECK (unit_price_cents > 0),
  PRIMARY KEY (order_id, line),
  CONSTRAINT order_items_one_line_per_sku UNIQUE (order_id, sku)
);
CREATE INDEX order_items_sku_idx ON order_items (sku);

CREATE TABLE idempotency_keys (
  customer_id  text        NOT NULL,
  key          text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  request_hash bytea       NOT NULL CHECK (length(request_hash) = 32),  -- SHA-256
  order_id     uuid        NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  response     jsonb       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (customer_id, key),
  CONSTRAINT idempotency_keys_expire_later CHECK (expires_at > created_at)
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);

CREATE TABLE outbox (
  id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id     uuid        NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  type         text        NOT NULL CHECK (type ~ '^order\.[a-z_]+$'),
  payload      jsonb       NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  attempts     integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  CONSTRAINT outbox_published_after_created CHECK (published_at IS NULL OR published_at >= created_at)
);
-- the outbox relay: oldest unpublished rows first
CREATE INDEX outbox_unpublished_idx ON outbox (created_at) WHERE published_at IS NULL;
CREATE INDEX outbox_order_idx ON outbox (order_id);

-- Status moves only along PENDING -> CONFIRMED | REJECTED | CANCELLED and
-- CONFIRMED -> CANCELLED; identity, money and creation time never change.
-- updated_at follows every change unless the statement sets it itself.
CREATE FUNCTION orders_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id <> OLD.id OR NEW.customer_id <> OLD.customer_id OR NEW.currency <> OLD.currency
     OR NEW.total_cents <> OLD.total_cents OR NEW.created_at <> OLD.created_at THEN
    RAISE EXCEPTION 'orders: id, customer, currency, total and created_at are immutable'
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.status <> OLD.status AND NOT (
       (OLD.status = 'PENDING' AND NEW.status IN ('CONFIRMED', 'REJECTED', 'CANCELLED'))
    OR (OLD.status = 'CONFIRMED' AND NEW.status = 'CANCELLED')) THEN
    RAISE EXCEPTION 'orders: status % -> % is not allowed', OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.updated_at = OLD.updated_at THEN
    NEW.updated_at := greatest(now(), OLD.updated_at);
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER orders_guard_update BEFORE UPDATE ON orders
  FOR EACH ROW EXECUTE FUNCTION orders_guard_update();

-- An order's total is the sum of its lines and it has at least one line,
-- checked at commit so that the order and its lines can be written in any order.
CREATE FUNCTION orders_check_total() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  lines_total bigint;
  lines_count integer;
BEGIN
  SELECT coalesce(sum(quantity::bigint * unit_price_cents), 0), count(*)
    INTO lines_total, lines_count
    FROM order_items WHERE order_id = NEW.id;
  IF lines_count = 0 THEN
    RAISE EXCEPTION 'orders: order % has no items', NEW.id USING ERRCODE = 'check_violation';
  END IF;
  IF lines_total <> NEW.total_cents THEN
    RAISE EXCEPTION 'orders: total % of order % is not the sum of its items (%)',
      NEW.total_cents, NEW.id, lines_total USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER orders_check_total AFTER INSERT ON orders
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION orders_check_total();
