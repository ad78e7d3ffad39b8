#ifndef LR_RT_CLIENT_H
#define LR_RT_CLIENT_H
/* The HTTP client of the Lambda Runtime API: next, response, error, init
 * error, over one keep-alive connection (rt_http.c) kept for the life of the
 * process. Buffers are kept and reused: a 1 MiB event costs no page faults
 * after the first one. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lr/buf.h"
#include "lr/runtime.h"
#include "rt_http.h"

#define LR_RT_ERR_LEN 256
/* The largest event we accept: Lambda's own limit is 6 MB (synchronous); the
 * margin is for base64 and headers we do not count. */
#define LR_MAX_EVENT_BYTES (16u * 1024u * 1024u)
#define LR_RT_HEADER_MAX 8192u  /* client context and Cognito identity */
#define LR_RT_ID_MAX 128u       /* request ids are UUIDs: 36 */
#define LR_RT_API_MAX 256u      /* host:port */

/* One header of /next we keep, with its reused value buffer. */
typedef struct lr__hdr {
  const char *name;
  lr_buf value;
} lr__hdr;

enum {
  LR_HDR_REQUEST_ID = 0,
  LR_HDR_DEADLINE,
  LR_HDR_ARN,
  LR_HDR_TRACE,
  LR_HDR_CLIENT_CONTEXT,
  LR_HDR_COGNITO,
  LR_HDR_COUNT
};

typedef struct lr__client {
  lr__http http;                /* the connection to the Runtime API */
  char api[LR_RT_API_MAX];      /* host:port */
  lr_buf url;                   /* the request's path, reused per request */
  lr_buf extra;                 /* a post's extra header lines, reused */
  lr_buf event;                 /* /next body, reused */
  lr_buf scratch;               /* error bodies, reused */
  lr__hdr hdr[LR_HDR_COUNT];
  int header_overflow;          /* a kept header was over LR_RT_HEADER_MAX */
  long status;                  /* HTTP status of the last request */
  int max_retries;
  int backoff_ms;
  char err[LR_RT_ERR_LEN];      /* the cause of the last failure */
} lr__client;

/* Sets up c (address resolved once, buffers). On failure everything is released and
 * c->err says why. Free with lr__client_free (also after a failed init). */
lr_rt_status lr__client_init(lr__client *c, const char *api, int max_retries, int backoff_ms);
void lr__client_free(lr__client *c);

/* GET /invocation/next, retried on transient failures. On OK c->event holds
 * the body and c->hdr the headers; the request id is present and safe to use
 * in a URL path. LR_RT_PROTOCOL when the answer has no usable request id. */
lr_rt_status lr__client_next(lr__client *c);
/* POST /invocation/{id}/response. */
lr_rt_status lr__client_post_response(lr__client *c, const char *id, const char *body, size_t len);
/* POST /invocation/{id}/error, or /init/error when id is NULL, with
 * {"errorType","errorMessage","stackTrace":[]} and the error-type header. */
lr_rt_status lr__client_post_error(lr__client *c, const char *id, const lr_fault *f);

/* 1 when s is a request id we may put in a URL path: [A-Za-z0-9._:-], 1..128. */
bool lr__request_id_ok(const char *s);
/* Header values made safe to send: CR, LF and other controls become '_'. */
void lr__header_sanitize(char *dst, size_t cap, const char *src);

#endif
