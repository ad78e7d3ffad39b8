-- Local seed for the local stack, the README's examples and the tests.
-- Never applied in AWS (it is not a migration). Safe to run again.
INSERT INTO products (sku, name, price_cents, currency, active) VALUES
  ('SKU-1',   'Espresso beans 1 kg',   2499, 'EUR', true),
  ('SKU-2',   'Pour-over kettle',      5900, 'EUR', true),
  ('SKU-3',   'Burr grinder',         12900, 'EUR', true),
  ('SKU-4',   'Paper filters x100',     650, 'EUR', true),
  ('SKU-5',   'Ceramic mug',           1200, 'EUR', true),
  ('SKU-OUT', 'Limited edition roast', 3900, 'EUR', true)
ON CONFLICT (sku) DO NOTHING;

INSERT INTO inventory (sku, available) VALUES
  ('SKU-1', 1000), ('SKU-2', 1000), ('SKU-3', 1000), ('SKU-4', 1000), ('SKU-5', 1000),
  ('SKU-OUT', 0)
ON CONFLICT (sku) DO NOTHING;
