/* Runtime API client: the Runtime API's requests and how their outcomes
 * map to the runtime's statuses, retries and size limits. The bytes on the
 * wire are rt_http.c's. */
#include "rt_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lr/runtime_api.h"
#include "rt_json.h"

/* A post's answer comes at once; /next has no read timeout at all: Lambda
 * freezes the sandbox while it waits, and a timer would fire on thaw. */
#define LR_RT_POST_TIMEOUT_MS 5000
/* A post as a whole: a peer trickling bytes cannot hold the runtime longer. */
#define LR_RT_POST_TOTAL_MS 10000
#define LR_RT_EXTRA_MAX 512u
#define LR_RT_JSON "Content-Type: application/json\r\n"
#define LR_RT_BACKOFF_CAP_MS 1000
#define LR_RT_ERROR_BODY_MAX (64u * 1024u)
#define LR_RT_URL_MAX 1024u

/* attempt results besides lr_rt_status values */
enum { LR_TRY_AGAIN = -1 };

static const char *const header_names[LR_HDR_COUNT] = {
    LR_RAPI_H_REQUEST_ID,     LR_RAPI_H_DEADLINE,      LR_RAPI_H_FUNCTION_ARN,
    LR_RAPI_H_TRACE_ID,       LR_RAPI_H_CLIENT_CONTEXT, LR_RAPI_H_COGNITO_IDENTITY};

static lr_rt_status client_fail(lr__client *c, lr_rt_status st, const char *what) {
  snprintf(c->err, sizeof c->err, "%s", what);
  return st;
}

lr_rt_status lr__client_init(lr__client *c, const char *api, int max_retries, int backoff_ms) {
  memset(c, 0, sizeof *c);
  c->http.fd = -1;
  lr_buf_init(&c->url, LR_RT_URL_MAX);
  lr_buf_init(&c->extra, LR_RT_EXTRA_MAX);
  lr_buf_init(&c->event, LR_MAX_EVENT_BYTES);
  lr_buf_init(&c->scratch, LR_RT_ERROR_BODY_MAX);
  for (int i = 0; i < LR_HDR_COUNT; i++) {
    c->hdr[i].name = header_names[i];
    lr_buf_init(&c->hdr[i].value, LR_RT_HEADER_MAX);
  }
  c->max_retries = max_retries < 0 ? 0 : max_retries;
  c->backoff_ms = backoff_ms < 0 ? 0 : backoff_ms;
  if (!api || !*api || strlen(api) >= sizeof c->api || strpbrk(api, "/?#@ \r\n\t"))
    return client_fail(c, LR_RT_CONFIG, "AWS_LAMBDA_RUNTIME_API is missing or not host:port");
  memcpy(c->api, api, strlen(api) + 1);
  lr_rt_status st = lr__http_init(&c->http, api);
  return st == LR_RT_OK ? st : client_fail(c, st, c->http.err);
}

void lr__client_free(lr__client *c) {
  if (!c) return;
  lr__http_free(&c->http);
  lr_buf_free(&c->url);
  lr_buf_free(&c->extra);
  lr_buf_free(&c->event);
  lr_buf_free(&c->scratch);
  for (int i = 0; i < LR_HDR_COUNT; i++) lr_buf_free(&c->hdr[i].value);
}

bool lr__request_id_ok(const char *s) {
  size_t n = 0;
  for (; s && s[n]; n++) {
    char ch = s[n];
    int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '-' || ch == '_' || ch == '.' || ch == ':';
    if (!ok || n >= LR_RT_ID_MAX) return 0;
  }
  /* "." and ".." would change the path's meaning. */
  return n > 0 && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

void lr__header_sanitize(char *dst, size_t cap, const char *src) {
  size_t i = 0;
  if (!cap) return;
  for (; src && src[i] && i + 1 < cap; i++) {
    unsigned char ch = (unsigned char)src[i];
    dst[i] = (ch < 0x20 || ch == 0x7F) ? '_' : (char)ch;
  }
  dst[i] = '\0';
}

/* ---- /next headers ---- */

static void reset_headers(lr__client *c) {
  for (int i = 0; i < LR_HDR_COUNT; i++) lr_buf_reset(&c->hdr[i].value);
  c->header_overflow = 0;
}

/* rt_http hands each header of /next's answer over, value trimmed. */
static void keep_header(void *ud, const char *name, size_t nlen, const char *v, size_t vlen) {
  lr__client *c = ud;
  for (int i = 0; i < LR_HDR_COUNT; i++) {
    if (strlen(c->hdr[i].name) != nlen || strncasecmp(c->hdr[i].name, name, nlen) != 0) continue;
    lr_buf_reset(&c->hdr[i].value);
    if (lr_buf_add(&c->hdr[i].value, v, vlen) != LR_BUF_OK) c->header_overflow = 1;
    return;
  }
}

/* ---- requests ---- */

static lr_rt_status set_url(lr__client *c, const char *path, const char *id, const char *suffix) {
  lr_buf_reset(&c->url);
  if (lr_buf_addf(&c->url, LR_RAPI_PREFIX "%s%s%s", path, id ? id : "",
                  suffix ? suffix : "") != LR_BUF_OK)
    return client_fail(c, LR_RT_NOMEM, "cannot build the Runtime API URL");
  return LR_RT_OK;
}

/* One request's outcome: OK for a status in [lo, hi], LR_TRY_AGAIN for
 * what a retry may cure (connection refused/reset/dropped, 5xx), else a
 * final status. */
static int outcome(lr__client *c, const char *method, lr_rt_status st, long lo, long hi) {
  c->status = c->http.status;
  if (st == LR_RT_TOO_BIG && c->status >= 200 && c->status <= 299)
    return client_fail(c, LR_RT_TOO_BIG, "the event is over its size limit");
  if (st != LR_RT_OK && st != LR_RT_TOO_BIG) {
    snprintf(c->err, sizeof c->err, "%s %s: %s", method, c->url.data, c->http.err);
    return st == LR_RT_TRANSPORT ? LR_TRY_AGAIN : (int)st;
  }
  if (c->status >= lo && c->status <= hi) return LR_RT_OK;
  snprintf(c->err, sizeof c->err, "%s %s: HTTP %ld", method, c->url.data, c->status);
  if (c->status == 413) return LR_RT_TOO_BIG;
  return c->status >= 500 ? LR_TRY_AGAIN : LR_RT_HTTP;
}

static void backoff(const lr__client *c, int attempt) {
  long ms = c->backoff_ms;
  for (int i = 0; i < attempt && ms < LR_RT_BACKOFF_CAP_MS; i++) ms *= 2;
  if (ms > LR_RT_BACKOFF_CAP_MS) ms = LR_RT_BACKOFF_CAP_MS;
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

typedef int (*attempt_fn)(lr__client *c, const void *arg);

static lr_rt_status with_retries(lr__client *c, attempt_fn fn, const void *arg) {
  for (int attempt = 0;; attempt++) {
    int st = fn(c, arg);
    if (st != LR_TRY_AGAIN) return (lr_rt_status)st;
    if (attempt >= c->max_retries) return c->status >= 500 ? LR_RT_HTTP : LR_RT_TRANSPORT;
    backoff(c, attempt);
  }
}

static int next_attempt(lr__client *c, const void *arg) {
  (void)arg;
  reset_headers(c);
  /* Only /next's headers are kept: a post's answer must not clear the
   * request id the loop is still using. */
  lr__http_req r = {.method = LR_HTTP_GET, .path = c->url.data, .timeout_ms = -1,
                    .on_header = keep_header, .ud = c, .out = &c->event};
  return outcome(c, "GET", lr__http_request(&c->http, &r), 200, 299);
}

lr_rt_status lr__client_next(lr__client *c) {
  lr_rt_status st = set_url(c, LR_RAPI_NEXT, NULL, NULL);
  if (st == LR_RT_OK) st = with_retries(c, next_attempt, NULL);
  if (st != LR_RT_OK && st != LR_RT_TOO_BIG) return st;
  if (c->header_overflow)
    return client_fail(c, LR_RT_PROTOCOL, "a Lambda-Runtime header is over its size limit");
  if (!lr__request_id_ok(lr_buf_str(&c->hdr[LR_HDR_REQUEST_ID].value)))
    return client_fail(c, LR_RT_PROTOCOL, "/next answered without a usable request id");
  return st;
}

typedef struct post_args {
  const char *body;
  size_t len;
  const char *extra; /* header lines */
} post_args;

static int post_attempt(lr__client *c, const void *arg) {
  const post_args *a = arg;
  lr__http_req r = {.method = LR_HTTP_POST, .path = c->url.data, .extra = a->extra,
                    .body = a->body, .body_len = a->len, .timeout_ms = LR_RT_POST_TIMEOUT_MS,
                    .total_ms = LR_RT_POST_TOTAL_MS};
  return outcome(c, "POST", lr__http_request(&c->http, &r), 200, 299);
}

lr_rt_status lr__client_post_response(lr__client *c, const char *id, const char *body, size_t len) {
  if (!lr__request_id_ok(id)) return client_fail(c, LR_RT_PROTOCOL, "unusable request id");
  lr_rt_status st = set_url(c, LR_RAPI_INVOCATION, id, LR_RAPI_RESPONSE);
  post_args a = {body ? body : "", body ? len : 0, LR_RT_JSON};
  return st == LR_RT_OK ? with_retries(c, post_attempt, &a) : st;
}

static lr_rt_status error_body(lr__client *c, const lr_fault *f) {
  lr_buf *b = &c->scratch;
  lr_buf_reset(b);
  lr_buf_status st = lr_buf_adds(b, "{\"errorType\":");
  if (st == LR_BUF_OK) st = lr__json_str(b, f->type, strnlen(f->type, sizeof f->type));
  if (st == LR_BUF_OK) st = lr_buf_adds(b, ",\"errorMessage\":");
  if (st == LR_BUF_OK) st = lr__json_str(b, f->message, strnlen(f->message, sizeof f->message));
  if (st == LR_BUF_OK) st = lr_buf_adds(b, ",\"stackTrace\":[]}");
  return st == LR_BUF_OK ? LR_RT_OK : client_fail(c, LR_RT_NOMEM, "cannot build the error body");
}

static lr_rt_status error_headers(lr__client *c, const lr_fault *f) {
  char type[LR_ERROR_TYPE_LEN];
  lr__header_sanitize(type, sizeof type, f->type[0] ? f->type : "Function.Error");
  lr_buf_reset(&c->extra);
  if (lr_buf_addf(&c->extra, LR_RT_JSON LR_RAPI_H_ERROR_TYPE ": %s\r\n", type) != LR_BUF_OK)
    return client_fail(c, LR_RT_NOMEM, "cannot build the error headers");
  return LR_RT_OK;
}

lr_rt_status lr__client_post_error(lr__client *c, const char *id, const lr_fault *f) {
  if (id && !lr__request_id_ok(id)) return client_fail(c, LR_RT_PROTOCOL, "unusable request id");
  lr_rt_status st = id ? set_url(c, LR_RAPI_INVOCATION, id, LR_RAPI_ERROR) : set_url(c, LR_RAPI_INIT_ERROR, NULL, NULL);
  if (st == LR_RT_OK) st = error_body(c, f);
  if (st == LR_RT_OK) st = error_headers(c, f);
  if (st != LR_RT_OK) return st;
  post_args a = {c->scratch.data, c->scratch.len, c->extra.data};
  return with_retries(c, post_attempt, &a);
}
