/* Runtime API client: one curl handle, reset before each request so no
 * option leaks from one call to the next, while its connection cache keeps
 * the TCP connection to the Runtime API open between invocations. */
#include "rt_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "rt_json.h"

#define LR_RT_PREFIX "/2018-06-01/runtime"
#define LR_RT_CONNECT_TIMEOUT_MS 1000L /* the API is local: a slow connect is a dead one */
#define LR_RT_BACKOFF_CAP_MS 1000
#define LR_RT_ERROR_BODY_MAX (64u * 1024u)
#define LR_RT_URL_MAX 1024u

/* attempt results besides lr_rt_status values */
enum { LR_TRY_AGAIN = -1 };

static const char *const header_names[LR_HDR_COUNT] = {
    "Lambda-Runtime-Aws-Request-Id",   "Lambda-Runtime-Deadline-Ms",
    "Lambda-Runtime-Invoked-Function-Arn", "Lambda-Runtime-Trace-Id",
    "Lambda-Runtime-Client-Context",   "Lambda-Runtime-Cognito-Identity"};

static lr_rt_status client_fail(lr__client *c, lr_rt_status st, const char *what) {
  snprintf(c->err, sizeof c->err, "%s", what);
  return st;
}

lr_rt_status lr__client_init(lr__client *c, const char *api, int max_retries, int backoff_ms) {
  memset(c, 0, sizeof *c);
  lr_buf_init(&c->url, LR_RT_URL_MAX);
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
  c->curl = curl_easy_init();
  /* An empty Expect: stops curl from waiting for 100-continue on big posts. */
  struct curl_slist *h = curl_slist_append(NULL, "Expect:");
  c->headers = h ? curl_slist_append(h, "Content-Type: application/json") : NULL;
  if (!c->headers) curl_slist_free_all(h);
  if (!c->curl || !c->headers) return client_fail(c, LR_RT_NOMEM, "cannot create the curl handle");
  return LR_RT_OK;
}

void lr__client_free(lr__client *c) {
  if (!c) return;
  if (c->curl) curl_easy_cleanup(c->curl);
  curl_slist_free_all(c->headers);
  c->curl = NULL;
  c->headers = NULL;
  lr_buf_free(&c->url);
  lr_buf_free(&c->event);
  lr_buf_free(&c->scratch);
  for (int i = 0; i < LR_HDR_COUNT; i++) lr_buf_free(&c->hdr[i].value);
}

int lr__request_id_ok(const char *s) {
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

/* ---- curl callbacks ---- */

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
  lr__client *c = ud;
  (void)size;
  /* Returning less than given aborts the transfer: an oversized event. */
  return lr_buf_add(&c->event, p, n) == LR_BUF_OK ? n : 0;
}

static size_t on_discard(char *p, size_t size, size_t n, void *ud) {
  (void)p, (void)size, (void)ud;
  return n;
}

static void trim(const char **v, size_t *n) {
  while (*n && (**v == ' ' || **v == '\t')) (*v)++, (*n)--;
  while (*n && ((*v)[*n - 1] == '\r' || (*v)[*n - 1] == '\n' || (*v)[*n - 1] == ' ')) (*n)--;
}

static void reset_headers(lr__client *c) {
  for (int i = 0; i < LR_HDR_COUNT; i++) lr_buf_reset(&c->hdr[i].value);
  c->header_overflow = 0;
}

/* Size the event buffer once from Content-Length instead of doubling it. */
static void reserve_event(lr__client *c, const char *v, size_t n) {
  char num[24];
  if (n == 0 || n >= sizeof num) return;
  memcpy(num, v, n);
  num[n] = '\0';
  char *end = NULL;
  unsigned long long len = strtoull(num, &end, 10);
  if (*end == '\0' && len <= LR_MAX_EVENT_BYTES) lr_buf_reserve(&c->event, (size_t)len);
}

static void keep_header(lr__client *c, const char *name, size_t nlen, const char *v, size_t vlen) {
  for (int i = 0; i < LR_HDR_COUNT; i++) {
    if (strlen(c->hdr[i].name) != nlen || strncasecmp(c->hdr[i].name, name, nlen) != 0) continue;
    lr_buf_reset(&c->hdr[i].value);
    if (lr_buf_add(&c->hdr[i].value, v, vlen) != LR_BUF_OK) c->header_overflow = 1;
    return;
  }
  if (nlen == 14 && strncasecmp(name, "Content-Length", nlen) == 0) reserve_event(c, v, vlen);
}

static size_t on_header(char *p, size_t size, size_t n, void *ud) {
  lr__client *c = ud;
  (void)size;
  if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
    reset_headers(c); /* only the final answer's headers count */
    return n;
  }
  const char *colon = memchr(p, ':', n);
  if (!colon) return n;
  const char *v = colon + 1;
  size_t vlen = n - (size_t)(v - p);
  trim(&v, &vlen);
  keep_header(c, p, (size_t)(colon - p), v, vlen);
  return n;
}

/* ---- requests ---- */

static lr_rt_status set_url(lr__client *c, const char *path, const char *id, const char *suffix) {
  lr_buf_reset(&c->url);
  if (lr_buf_addf(&c->url, "http://%s" LR_RT_PREFIX "%s%s%s", c->api, path, id ? id : "",
                  suffix ? suffix : "") != LR_BUF_OK)
    return client_fail(c, LR_RT_NOMEM, "cannot build the Runtime API URL");
  return LR_RT_OK;
}

static void setup(lr__client *c) {
  CURL *h = c->curl;
  curl_easy_reset(h);
  curl_easy_setopt(h, CURLOPT_URL, c->url.data);
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, LR_RT_CONNECT_TIMEOUT_MS);
  /* No total timeout: Lambda freezes the sandbox while /next waits, and a
   * timer would fire on thaw. */
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 0L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_discard);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
}

static int transient_curl(CURLcode rc) {
  return rc == CURLE_COULDNT_CONNECT || rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR ||
         rc == CURLE_GOT_NOTHING || rc == CURLE_PARTIAL_FILE || rc == CURLE_OPERATION_TIMEDOUT;
}

/* One transfer: OK for a status in [lo, hi], LR_TRY_AGAIN for what a retry
 * may cure (connection refused/reset/dropped, 5xx), else a final status. */
static int perform(lr__client *c, long lo, long hi) {
  c->status = 0;
  CURLcode rc = curl_easy_perform(c->curl);
  curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &c->status);
  if (rc == CURLE_WRITE_ERROR && c->status >= 200 && c->status < 300)
    return client_fail(c, LR_RT_TOO_BIG, "the event is over its size limit");
  if (rc != CURLE_OK) {
    snprintf(c->err, sizeof c->err, "%s: %s", c->url.data, curl_easy_strerror(rc));
    return transient_curl(rc) ? LR_TRY_AGAIN : LR_RT_TRANSPORT;
  }
  if (c->status >= lo && c->status <= hi) return LR_RT_OK;
  snprintf(c->err, sizeof c->err, "%s: HTTP %ld", c->url.data, c->status);
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
  lr_buf_reset(&c->event);
  setup(c);
  /* Only /next's headers are kept: a post's answer must not clear the
   * request id the loop is still using. */
  curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, c);
  curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
  return perform(c, 200, 299);
}

lr_rt_status lr__client_next(lr__client *c) {
  lr_rt_status st = set_url(c, "/invocation/next", NULL, NULL);
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
  struct curl_slist *headers;
} post_args;

static int post_attempt(lr__client *c, const void *arg) {
  const post_args *a = arg;
  setup(c);
  curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
  curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, a->body);
  curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)a->len);
  if (a->headers) curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, a->headers);
  return perform(c, 200, 299);
}

lr_rt_status lr__client_post_response(lr__client *c, const char *id, const char *body, size_t len) {
  if (!lr__request_id_ok(id)) return client_fail(c, LR_RT_PROTOCOL, "unusable request id");
  lr_rt_status st = set_url(c, "/invocation/", id, "/response");
  post_args a = {body ? body : "", body ? len : 0, NULL};
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

static struct curl_slist *error_headers(const lr_fault *f) {
  char type[LR_ERROR_TYPE_LEN];
  char line[LR_ERROR_TYPE_LEN + 64];
  lr__header_sanitize(type, sizeof type, f->type[0] ? f->type : "Function.Error");
  snprintf(line, sizeof line, "Lambda-Runtime-Function-Error-Type: %s", type);
  struct curl_slist *h = curl_slist_append(NULL, "Expect:");
  struct curl_slist *t = h ? curl_slist_append(h, "Content-Type: application/json") : NULL;
  struct curl_slist *l = t ? curl_slist_append(t, line) : NULL;
  if (!l) curl_slist_free_all(h);
  return l;
}

lr_rt_status lr__client_post_error(lr__client *c, const char *id, const lr_fault *f) {
  if (id && !lr__request_id_ok(id)) return client_fail(c, LR_RT_PROTOCOL, "unusable request id");
  lr_rt_status st = id ? set_url(c, "/invocation/", id, "/error") : set_url(c, "/init/error", NULL, NULL);
  if (st == LR_RT_OK) st = error_body(c, f);
  if (st != LR_RT_OK) return st;
  post_args a = {c->scratch.data, c->scratch.len, error_headers(f)};
  if (!a.headers) return client_fail(c, LR_RT_NOMEM, "cannot build the error headers");
  st = with_retries(c, post_attempt, &a);
  curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
  curl_slist_free_all(a.headers);
  return st;
}
