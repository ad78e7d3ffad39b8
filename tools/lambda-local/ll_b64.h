#ifndef LL_B64_H
#define LL_B64_H
/* Base64 (RFC 4648, standard alphabet, padded) for API Gateway bodies. */
#include <stdbool.h>
#include <stddef.h>

#include "lr/buf.h"

/* Appends the encoding of src to out. Returns false when out is full/no memory. */
bool ll_b64_encode(lr_buf *out, const unsigned char *src, size_t len);
/* Appends the decoding of src (whitespace not allowed, padding optional) to out.
 * Returns false on a character outside the alphabet, bad padding or a full out. */
bool ll_b64_decode(lr_buf *out, const char *src, size_t len);

#endif
