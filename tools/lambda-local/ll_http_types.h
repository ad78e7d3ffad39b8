#ifndef LL_HTTP_TYPES_H
#define LL_HTTP_TYPES_H
/* An HTTP request and reply as the API Gateway modules see them, apart from
 * the HTTP server library, so that they are testable on their own. */
#include <stddef.h>
#include <stdint.h>

#define LL_MAX_HEADERS 256

/* A request header: borrowed from the server for the request's lifetime. */
typedef struct ll_header {
  const char *name;
  const char *value;
} ll_header;

/* A reply header: owned by the reply. */
typedef struct ll_reply_header {
  char *name;
  char *value;
} ll_reply_header;

typedef struct ll_http_request {
  const char *method;
  const char *target; /* as received: path[?query], still percent-encoded */
  const char *protocol; /* "HTTP/1.1" */
  const ll_header *headers;
  size_t header_count;
  const char *body;
  size_t body_len;
  const char *source_ip;
  const char *request_id; /* API Gateway's own request id */
  int64_t epoch_ms;
} ll_http_request;

typedef struct ll_http_reply {
  unsigned status;
  size_t header_count;
  ll_reply_header headers[LL_MAX_HEADERS];
  char *body;
  size_t body_len;
} ll_http_reply;

void ll_http_reply_free(ll_http_reply *r);

#endif
