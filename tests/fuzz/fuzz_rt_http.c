/* The Runtime API client's answer reader (rt_http.c): the input is what the
 * peer sends back on the connection (status line, head, Content-Length,
 * chunked or read-to-close body, interim answers), then it closes. The real
 * transport reads it from a socketpair. */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rt_http.h"

static void on_header(void *ud, const char *n, size_t nl, const char *v, size_t vl) {
  (void)ud, (void)n, (void)nl, (void)v, (void)vl;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 100000) return 0; /* fits the socket buffer: written before the request */
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return 0;
  int sz = 512 * 1024;
  setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
  setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
  if (size && write(sv[1], data, size) != (ssize_t)size) {
    close(sv[0]), close(sv[1]);
    return 0;
  }
  shutdown(sv[1], SHUT_WR);
  lr__http h;
  if (lr__http_init(&h, "127.0.0.1:9001") != LR_RT_OK) abort();
  h.fd = sv[0];
  lr_buf out;
  lr_buf_init(&out, 1u << 20);
  lr__http_req r = {.method = (size & 1) ? LR_HTTP_POST : LR_HTTP_GET,
                    .path = "/2018-06-01/runtime/invocation/next", .body = "{}", .body_len = 2,
                    .timeout_ms = 1000, .total_ms = 2000, .on_header = on_header, .out = &out};
  lr__http_request(&h, &r);
  lr_buf_free(&out);
  lr__http_free(&h); /* closes sv[0] if still open */
  close(sv[1]);
  return 0;
}
