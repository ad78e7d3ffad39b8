/* List cursors: base64url of version (1 byte) | created_at in epoch
 * microseconds (8, big-endian) | order id (16) | check (4). The check is the
 * start of SHA-256 over the rest and the list's filters: it catches garbled
 * cursors and cursors carried over to another filter, which would silently
 * skip or repeat orders. It is not a secret: a forged cursor only names a
 * position, and every position is one the client may ask for anyway. */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "api_internal.h"
#include "lr/base64.h"
#include "lr/hex.h"

#define CURSOR_VERSION 1
#define CURSOR_KEY_LEN 25
#define CURSOR_CHECK_LEN 4
#define CURSOR_LEN (CURSOR_KEY_LEN + CURSOR_CHECK_LEN)

static bool cursor_check(const unsigned char *key, const char *customer_id,
                        order_status_filter status, unsigned char out[CURSOR_CHECK_LEN]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  const char *st = order_status_name(status);
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
           EVP_DigestUpdate(c, key, CURSOR_KEY_LEN) &&
           EVP_DigestUpdate(c, customer_id ? customer_id : "", customer_id ? strlen(customer_id) + 1 : 0) &&
           EVP_DigestUpdate(c, "\n", 1) && EVP_DigestUpdate(c, st ? st : "", st ? strlen(st) : 0) &&
           EVP_DigestFinal_ex(c, md, &n);
  EVP_MD_CTX_free(c);
  if (!ok || n < CURSOR_CHECK_LEN) return false;
  memcpy(out, md, CURSOR_CHECK_LEN);
  return true;
}

static bool uuid_to_bytes(const char *id, unsigned char out[16]) {
  if (!order_id_valid(id, strlen(id))) return false;
  size_t k = 0;
  for (size_t i = 0; id[i] && k < 16; i++) {
    unsigned hi, lo;
    if (id[i] == '-') continue;
    if (!lr_hex_digit((unsigned char)id[i], &hi) || !lr_hex_digit((unsigned char)id[i + 1], &lo)) return false;
    out[k++] = (unsigned char)(hi << 4 | lo);
    i++;
  }
  return k == 16;
}

static void uuid_from_bytes(const unsigned char in[16], char out[ORDER_ID_LEN]) {
  static const char d[] = "0123456789abcdef";
  size_t k = 0;
  for (size_t i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[k++] = '-';
    out[k++] = d[in[i] >> 4];
    out[k++] = d[in[i] & 15];
  }
  out[k] = '\0';
}

bool api_cursor_encode(const order_list_key *key, const char *customer_id,
                      order_status_filter status, lr_buf *out) {
  unsigned char raw[CURSOR_LEN];
  uint64_t us = (uint64_t)key->created_us;
  raw[0] = CURSOR_VERSION;
  for (int i = 0; i < 8; i++) raw[1 + i] = (unsigned char)(us >> (56 - 8 * i));
  if (!uuid_to_bytes(key->id, raw + 9)) return false;
  if (!cursor_check(raw, customer_id, status, raw + CURSOR_KEY_LEN)) return false;
  return lr_b64_encode(out, raw, sizeof raw, LR_B64_URL_RAW) == LR_B64_OK;
}

bool api_cursor_decode(const char *cursor, const char *customer_id, order_status_filter status,
                      order_list_key *key) {
  unsigned char raw[CURSOR_LEN];
  unsigned char check[CURSOR_CHECK_LEN];
  size_t len = strnlen(cursor, API_CURSOR_MAX + 1);
  if (len == 0 || len > API_CURSOR_MAX) return false;
  lr_buf b;
  lr_buf_init(&b, CURSOR_LEN);
  int ok = lr_b64_decode(&b, cursor, len, LR_B64_URL_RAW) == LR_B64_OK && b.len == CURSOR_LEN;
  if (ok) memcpy(raw, b.data, CURSOR_LEN);
  lr_buf_free(&b);
  if (!ok) return false;
  if (raw[0] != CURSOR_VERSION) return false;
  if (!cursor_check(raw, customer_id, status, check)) return false;
  if (memcmp(check, raw + CURSOR_KEY_LEN, CURSOR_CHECK_LEN) != 0) return false;
  uint64_t us = 0;
  for (int i = 0; i < 8; i++) us = us << 8 | raw[1 + i];
  if (us > (uint64_t)INT64_MAX) return false;
  key->created_us = (int64_t)us;
  uuid_from_bytes(raw + 9, key->id);
  return true;
}
