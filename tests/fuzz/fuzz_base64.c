/* The shared base64 codec (lr/base64.h) in each of its variants: whatever
 * decodes encodes again, and for the strict variants the encoding is the very
 * text that was decoded (one spelling per byte string). */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lr/base64.h"

static void one(const char *in, size_t size, lr_b64_variant v) {
  lr_buf out, enc;
  lr_buf_init(&out, 1u << 20);
  lr_buf_init(&enc, 2u << 20);
  if (lr_b64_decode(&out, in, size, v) == LR_B64_OK) {
    if (lr_b64_encode(&enc, (const unsigned char *)(out.data ? out.data : ""), out.len, v) != LR_B64_OK) abort();
    if (v != LR_B64_LENIENT && (enc.len != size || (size && memcmp(enc.data, in, size) != 0))) abort();
  }
  lr_buf_free(&enc);
  lr_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *in = (const char *)data;
  one(in, size, LR_B64_STRICT);
  one(in, size, LR_B64_URL_RAW);
  one(in, size, LR_B64_LENIENT);
  return 0;
}
