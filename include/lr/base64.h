#ifndef LR_BASE64_H
#define LR_BASE64_H
/* Base64 (RFC 4648), defined once: API Gateway's isBase64Encoded bodies, the
 * api's list cursors, lambda-local's events and the answers it relays.
 *
 * Which text a decoder takes is a choice of the caller, stated by the variant:
 * an api must refuse what a client could spell two ways, while an emulator
 * must take what the service it stands for takes. */
#include <stddef.h>

#include "lr/buf.h"

typedef enum lr_b64_variant {
  /* RFC 4648 §4, '=' padding to a multiple of 4, zero tail bits: one spelling
   * per byte string (API Gateway bodies into the api) */
  LR_B64_STRICT = 0,
  /* RFC 4648 §5 (-_) without padding, zero tail bits (cursors) */
  LR_B64_URL_RAW = 1,
  /* §4 alphabet, padding optional, any tail bits: what API Gateway accepts
   * in a function's isBase64Encoded answer (lambda-local) */
  LR_B64_LENIENT = 2
} lr_b64_variant;

/* X(NAME, value, message); 0 is OK; values are never renumbered. */
#define LR_B64_STATUS_MAP(X)                                                  \
  X(OK, 0, "ok")                                                              \
  X(INVALID, 1, "not base64 of the expected kind")                           \
  X(TOO_BIG, 2, "the result is over the buffer's maximum")

typedef enum lr_b64_status {
#define LR_B64_ENUM(name, value, msg) LR_B64_##name = value,
  LR_B64_STATUS_MAP(LR_B64_ENUM)
#undef LR_B64_ENUM
} lr_b64_status;

const char *lr_b64_status_message(lr_b64_status st);

/* Appends the encoding of in[0..len) to out (padded for LR_B64_STRICT and
 * LR_B64_LENIENT, unpadded for LR_B64_URL_RAW). On failure out is freed
 * (lr_buf's rule). */
lr_b64_status lr_b64_encode(lr_buf *out, const unsigned char *in, size_t len, lr_b64_variant v);

/* Appends the bytes in[0..len) decodes to. On failure out may hold a part of
 * them (LR_B64_INVALID) or be freed (LR_B64_TOO_BIG, lr_buf's rule). */
lr_b64_status lr_b64_decode(lr_buf *out, const char *in, size_t len, lr_b64_variant v);

#endif
