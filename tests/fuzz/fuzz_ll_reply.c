/* lambda-local's reader of a function's proxy answer, both formats. */
#include "fuzz.h"
#include <stdint.h>
#include <string.h>

#include "ll_apigw_reply.h"

static volatile unsigned sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  for (int f = 0; f < 2; f++) {
    ll_http_reply r;
    char err[256];
    if (ll_apigw_reply((const char *)data, size, f ? LL_API_HTTP : LL_API_REST, &r, err, sizeof err) ==
        LL_OK) {
      /* what the front sends: body_len bytes of body (ASan checks each) */
      unsigned sum = 0;
      for (size_t i = 0; i < r.body_len; i++) sum += (unsigned char)r.body[i];
      sink = sum;
      ll_http_reply_free(&r);
    }
  }
  return 0;
}
