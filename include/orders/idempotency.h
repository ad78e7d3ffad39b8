#ifndef ORDERS_IDEMPOTENCY_H
#define ORDERS_IDEMPOTENCY_H
/* Idempotency keys of POST /orders: the key's syntax and the request hash.
 *
 * The hash is SHA-256 over a canonical form of the VALIDATED request (not the
 * raw bytes): member order, white space and number spelling of the JSON do not
 * change it, while every field that changes the order does. */
#include <stddef.h>

#include "orders/order.h"

#define IDEMPOTENCY_KEY_MAX 255
#define IDEMPOTENCY_HASH_LEN 32
/* "\x" and two hex digits a byte: the bytea text form for PQexecParams. */
#define IDEMPOTENCY_HASH_HEX_LEN (2 + 2 * IDEMPOTENCY_HASH_LEN + 1)

/* 1..255 printable ASCII characters (0x20..0x7e), no embedded NUL. */
bool idempotency_key_valid(const char *key, size_t len);

/* Hashes req into out. Returns false when OpenSSL fails. */
bool idempotency_request_hash(const order_request *req, unsigned char out[IDEMPOTENCY_HASH_LEN]);

/* The hash as a bytea literal ("\x…", lower-case hex). */
void idempotency_hash_hex(const unsigned char hash[IDEMPOTENCY_HASH_LEN],
                          char out[IDEMPOTENCY_HASH_HEX_LEN]);

#endif
