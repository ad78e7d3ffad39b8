-- wrk: POST /orders, each request a new order (no Idempotency-Key).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"customer_id":"c-bench","items":[{"sku":"SKU-1","quantity":1},{"sku":"SKU-4","quantity":2}]}'
