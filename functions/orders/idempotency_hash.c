/* Idempotency key syntax and the request hash (see orders/idempotency.h). */
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lr/buf.h"
#include "orders/idempotency.h"

/* Version tag first: a change of the canonical form must never collide with
 * hashes stored under the old one. */
#define IDEMPOTENCY_CANON_TAG "orders.create/v1\n"
/* customer (64) + 50 lines of sku (64) + quantity (4) + separators */
#define IDEMPOTENCY_CANON_MAX 8192

bool idempotency_key_valid(const char *key, size_t len) {
  if (!key || len < 1 || len > IDEMPOTENCY_KEY_MAX || strlen(key) != len) return false;
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)key[i] < 0x20 || (unsigned char)key[i] > 0x7e) return false;
  return true;
}

/* Neither a customer id nor a SKU may hold '\n' or '\t' (order_validate.c), so
 * this form is unambiguous. */
static bool canonical_form(const order_request *req, lr_buf *b) {
  lr_buf_status st = lr_buf_adds(b, IDEMPOTENCY_CANON_TAG);
  if (st == LR_BUF_OK) st = lr_buf_addf(b, "%s\n", req->customer_id);
  for (int i = 0; i < req->nitems && st == LR_BUF_OK; i++)
    st = lr_buf_addf(b, "%s\t%d\n", req->items[i].sku, req->items[i].quantity);
  return st == LR_BUF_OK;
}

bool idempotency_request_hash(const order_request *req, unsigned char out[IDEMPOTENCY_HASH_LEN]) {
  lr_buf b;
  lr_buf_init(&b, IDEMPOTENCY_CANON_MAX);
  unsigned int n = 0;
  bool ok = canonical_form(req, &b) && EVP_Digest(b.data, b.len, out, &n, EVP_sha256(), NULL) == 1 &&
            n == IDEMPOTENCY_HASH_LEN;
  lr_buf_free(&b);
  return ok;
}

void idempotency_hash_hex(const unsigned char hash[IDEMPOTENCY_HASH_LEN],
                          char out[IDEMPOTENCY_HASH_HEX_LEN]) {
  static const char digits[] = "0123456789abcdef";
  out[0] = '\\';
  out[1] = 'x';
  for (size_t i = 0; i < IDEMPOTENCY_HASH_LEN; i++) {
    out[2 + 2 * i] = digits[hash[i] >> 4];
    out[3 + 2 * i] = digits[hash[i] & 15];
  }
  out[IDEMPOTENCY_HASH_HEX_LEN - 1] = '\0';
}
