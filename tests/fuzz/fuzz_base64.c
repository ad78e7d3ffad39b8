/* The base64 decoders: the api's (bodies and base64url cursors) and
 * lambda-local's; what decodes encodes back to the canonical text. */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "ll_b64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *in = (const char *)data;
  lr_buf out;
  lr_buf_init(&out, 1u << 20);
  api_base64_decode(in, size, &out);
  lr_buf_free(&out);
  unsigned char raw[512];
  size_t n = 0;
  if (api_base64url_decode(in, size, raw, sizeof raw, &n) == 0) {
    lr_buf enc;
    lr_buf_init(&enc, 4096);
    if (api_base64url_encode(raw, n, &enc) != 0) abort();
    lr_buf_free(&enc);
  }
  lr_buf ll;
  lr_buf_init(&ll, 1u << 20);
  if (ll_b64_decode(&ll, in, size)) {
    lr_buf enc;
    lr_buf_init(&enc, 2u << 20);
    if (!ll_b64_encode(&enc, (const unsigned char *)ll.data, ll.len)) abort();
    lr_buf_free(&enc);
  }
  lr_buf_free(&ll);
  return 0;
}
