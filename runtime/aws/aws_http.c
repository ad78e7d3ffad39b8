/* One signed request with retries over one reusable libcurl handle. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "aws_http.h"
#include "aws_internal.h"
#include "lr/clock.h"
#include "sigv4_internal.h"

#define HTTP_DEFAULT_CONNECT_MS 1000L
#define HTTP_DEFAULT_ATTEMPT_MS 5000L
#define HTTP_DEFAULT_ATTEMPTS 4
#define HTTP_MAX_ATTEMPTS 10
#define HTTP_DEFAULT_MAX_RESPONSE (64u * 1024u)
#define HTTP_BACKOFF_BASE_MS 50
#define HTTP_BACKOFF_CAP_MS 2000
/* No attempt is started with less time than this before the deadline: it
 * could not finish, and the caller needs the time to report the failure. */
#define HTTP_MIN_ATTEMPT_MS 100
#define HTTP_MAX_HEADER_LINE (LR_SIGV4_MAX_VALUE + LR_SIGV4_MAX_NAME + 4)
/* AL2023's system bundle, used when libcurl's compiled-in one is absent
 * (a libcurl built on Debian and shipped in the function zip). */
#define AL2023_CA_BUNDLE "/etc/pki/tls/certs/ca-bundle.crt"

static void pick_ca_file(lr_aws_http *h, const char *configured) {
  h->ca_file[0] = '\0';
  if (configured && *configured) {
    snprintf(h->ca_file, sizeof h->ca_file, "%s", configured);
    return;
  }
  char *def = NULL;
  if (curl_easy_getinfo(h->curl, CURLINFO_CAINFO, &def) == CURLE_OK && def && access(def, R_OK) == 0) return;
  if (access(AL2023_CA_BUNDLE, R_OK) == 0) snprintf(h->ca_file, sizeof h->ca_file, "%s", AL2023_CA_BUNDLE);
}

static void http_settings(lr_aws_http *h, const lr_aws_client_config *cfg) {
  h->connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : HTTP_DEFAULT_CONNECT_MS;
  h->attempt_timeout_ms = cfg->attempt_timeout_ms > 0 ? cfg->attempt_timeout_ms : HTTP_DEFAULT_ATTEMPT_MS;
  h->max_attempts = cfg->max_attempts > 0 ? cfg->max_attempts : HTTP_DEFAULT_ATTEMPTS;
  if (h->max_attempts > HTTP_MAX_ATTEMPTS) h->max_attempts = HTTP_MAX_ATTEMPTS;
  lr_buf_init(&h->body, cfg->max_response_bytes ? cfg->max_response_bytes : HTTP_DEFAULT_MAX_RESPONSE);
}

lr_aws_status lr_aws__http_init(lr_aws_http *h, const lr_aws_client_config *cfg,
                                const char *service, const char *env_suffix,
                                lr_sigv4_path_mode mode, char *err) {
  memset(h, 0, sizeof *h);
  if (!cfg || !cfg->credentials || !cfg->region) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the client needs a region and credentials");
  lr_aws_status st = lr_sigv4_signer_init(&h->signer, cfg->credentials, cfg->region, service, mode, err);
  if (st == LR_AWS_OK) st = lr_aws__endpoint_resolve(&h->ep, env_suffix, service, cfg->region, cfg->endpoint, err);
  if (st != LR_AWS_OK) {
    lr_sigv4_signer_wipe(&h->signer);
    return st;
  }
  h->curl = curl_easy_init();
  if (!h->curl) {
    lr_sigv4_signer_wipe(&h->signer);
    return lr_aws__fail(err, LR_AWS_NOMEM, "curl_easy_init failed");
  }
  http_settings(h, cfg);
  pick_ca_file(h, cfg->ca_file);
  return LR_AWS_OK;
}

void lr_aws__http_cleanup(lr_aws_http *h) {
  if (!h) return;
  if (h->curl) curl_easy_cleanup(h->curl);
  h->curl = NULL;
  lr_buf_free(&h->body);
  lr_sigv4_signer_wipe(&h->signer);
}

/* ---- libcurl callbacks ---------------------------------------------- */

static size_t on_body(char *p, size_t size, size_t n, void *arg) {
  lr_aws_http *h = arg;
  size_t len = size * n;
  if (lr_buf_add(&h->body, p, len) != LR_BUF_OK) {
    h->body_too_big = 1;
    return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
  }
  return len;
}

/* The value of header line p (len bytes) when it is `name`, trimmed into out. */
static void header_value(const char *p, size_t len, const char *name, char *out, size_t cap) {
  size_t nl = strlen(name);
  if (len <= nl || p[nl] != ':' || strncasecmp(p, name, nl) != 0) return;
  const char *v = p + nl + 1;
  size_t vl = len - nl - 1;
  while (vl && (*v == ' ' || *v == '\t')) v++, vl--;
  while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' ')) vl--;
  lr_aws__safe_copy(out, cap, v, vl);
}

static size_t on_header(char *p, size_t size, size_t n, void *arg) {
  lr_aws_http *h = arg;
  size_t len = size * n;
  header_value(p, len, "etag", h->etag, sizeof h->etag);
  if (h->capture_name) header_value(p, len, h->capture_name, h->captured, sizeof h->captured);
  return len;
}

/* ---- one attempt ------------------------------------------------------ */

static lr_aws_status add_line(struct curl_slist **list, const char *name, const char *value) {
  char line[HTTP_MAX_HEADER_LINE];
  int n = snprintf(line, sizeof line, "%s: %s", name, value);
  if (n < 0 || (size_t)n >= sizeof line) return LR_AWS_BAD_ARGUMENT;
  struct curl_slist *next = curl_slist_append(*list, line);
  lr_aws__wipe(line, (size_t)n);
  if (!next) return LR_AWS_NOMEM;
  *list = next;
  return LR_AWS_OK;
}

/* Signs the request now and lists every header to send. */
static lr_aws_status signed_headers(lr_aws_http *h, const lr_aws_http_req *req, const char *authority,
                                    struct curl_slist **list, char *err) {
  lr_sigv4_pair hs[LR_SIGV4_MAX_HEADERS];
  if (req->header_count + 1 > LR_SIGV4_MAX_HEADERS) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "too many headers");
  hs[0] = (lr_sigv4_pair){"Host", authority, 0};
  for (size_t i = 0; i < req->header_count; i++) hs[i + 1] = req->headers[i];
  lr_sigv4_request sr = {.method = req->method, .path = req->path, .query = req->query,
                         .query_count = req->query_count, .headers = hs,
                         .header_count = req->header_count + 1, .payload_hash = req->payload_hash,
                         .payload = req->body, .payload_len = req->body_len};
  lr_buf auth;
  lr_buf_init(&auth, 2048);
  lr_sigv4_out out = {0};
  lr_aws_status st = lr_sigv4_sign_headers(&h->signer, &sr, time(NULL), &auth, &out, err);
  if (st != LR_AWS_OK) {
    lr_buf_free(&auth);
    return st;
  }
  for (size_t i = 0; st == LR_AWS_OK && i < sr.header_count; i++) st = add_line(list, hs[i].name, hs[i].value);
  if (st == LR_AWS_OK) st = add_line(list, "X-Amz-Date", out.amz_date);
  if (st == LR_AWS_OK && h->signer.creds.session_token[0])
    st = add_line(list, "X-Amz-Security-Token", h->signer.creds.session_token);
  if (st == LR_AWS_OK) st = add_line(list, "Authorization", lr_buf_str(&auth));
  /* No "Expect: 100-continue" round trip, and no default Content-Type. */
  if (st == LR_AWS_OK && !(*list = curl_slist_append(*list, "Expect:"))) st = LR_AWS_NOMEM;
  lr_buf_free(&auth);
  if (st != LR_AWS_OK) lr_aws__fail(err, st, "cannot build the request headers");
  return st;
}

static void set_options(lr_aws_http *h, const lr_aws_http_req *req, const char *url,
                        struct curl_slist *list, long timeout_ms) {
  CURL *c = h->curl;
  curl_easy_reset(c); /* keeps the connection cache, forgets the last request */
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms < timeout_ms ? h->connect_timeout_ms : timeout_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  /* Send the path that was signed: libcurl would squash "/./" and "/../". */
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "orders-lambda-c/0.1");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->curl_err);
  if (h->ca_file[0]) curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
}

typedef enum verdict { V_DONE, V_RETRY, V_FAIL } verdict;

static verdict judge_http(lr_aws_http *h, long status, lr_aws_status *st, char *err) {
  if (status >= 200 && status < 300) {
    *st = LR_AWS_OK;
    return V_DONE;
  }
  lr_aws_error_body eb;
  if (h->errors == LR_AWS_ERRORS_XML) lr_aws__error_from_xml(h->body.data, h->body.len, &eb);
  else lr_aws__error_from_json(h->body.data, h->body.len, &eb);
  int throttled = status == 429 || lr_aws__is_throttle_code(eb.code);
  *st = throttled ? LR_AWS_THROTTLED : LR_AWS_HTTP_STATUS;
  lr_aws__fail(err, *st, "%s answered %ld %s%s%s", h->label, status, eb.code[0] ? eb.code : "(no code)",
               eb.message[0] ? ": " : "", eb.message);
  if (throttled || status >= 500 || lr_aws__is_transient_code(eb.code)) return V_RETRY;
  return V_FAIL;
}

static verdict attempt(lr_aws_http *h, const lr_aws_http_req *req, const char *url,
                       const char *authority, long timeout_ms, lr_aws_status *st, char *err) {
  struct curl_slist *list = NULL;
  lr_buf_reset(&h->body);
  h->etag[0] = '\0';
  h->captured[0] = '\0';
  h->capture_name = req->capture_header;
  h->body_too_big = 0;
  h->curl_err[0] = '\0';
  *st = signed_headers(h, req, authority, &list, err);
  if (*st != LR_AWS_OK) {
    curl_slist_free_all(list);
    return V_FAIL;
  }
  set_options(h, req, url, list, timeout_ms);
  CURLcode rc = curl_easy_perform(h->curl);
  long status = 0;
  curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
  curl_slist_free_all(list); /* held the signature and the session token */
  h->capture_name = NULL;
  if (h->body_too_big) {
    *st = lr_aws__fail(err, LR_AWS_BAD_RESPONSE, "%s answered more than %zu bytes", h->label, h->body.max);
    return V_FAIL;
  }
  if (rc != CURLE_OK) {
    *st = lr_aws__fail(err, LR_AWS_TRANSPORT, "%s request failed: %s", h->label,
                       h->curl_err[0] ? h->curl_err : curl_easy_strerror(rc));
    return V_RETRY;
  }
  return judge_http(h, status, st, err);
}

/* ---- retries ---------------------------------------------------------- */

/* Full jitter: uniform in [0, min(cap, base * 2^n)] (AWS Architecture Blog,
 * "Exponential Backoff And Jitter"), so that throttled callers spread out. */
static long backoff_ms(int n) {
  long ceiling = HTTP_BACKOFF_BASE_MS;
  for (int i = 0; i < n && ceiling < HTTP_BACKOFF_CAP_MS; i++) ceiling *= 2;
  if (ceiling > HTTP_BACKOFF_CAP_MS) ceiling = HTTP_BACKOFF_CAP_MS;
  unsigned int r = 0;
  if (RAND_bytes((unsigned char *)&r, sizeof r) != 1) r = (unsigned int)getpid();
  return (long)(r % (unsigned int)(ceiling + 1));
}

/* Appends " (N attempts)" to the message, within its bound. */
static void note_attempts(char *err, int made) {
  size_t n = strnlen(err, LR_AWS_ERR_LEN - 1);
  snprintf(err + n, LR_AWS_ERR_LEN - n, " (%d attempts)", made);
}

/* The query goes on the wire in its canonical form (sorted, encoded as
 * SigV4 wants), so that what is sent is what was signed. */
static lr_aws_status build_url(const lr_aws_http *h, const char *authority, const lr_aws_http_req *req,
                               lr_buf *url, char *err) {
  if (lr_buf_addf(url, "%s://%s%s", h->ep.https ? "https" : "http", authority, req->path) != LR_BUF_OK)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the request URL is too long");
  if (req->query_count == 0) return LR_AWS_OK;
  if (lr_buf_add(url, "?", 1) != LR_BUF_OK) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the request URL is too long");
  return lr_sigv4__query(url, req->query, req->query_count, NULL, 0, err);
}

lr_aws_status lr_aws__http_send(lr_aws_http *h, const lr_aws_http_req *req, int64_t deadline_ms,
                                char *err) {
  char auth_buf[LR_AWS_MAX_HOST + 8];
  const char *authority = req->authority ? req->authority : lr_aws__endpoint_authority(&h->ep, auth_buf, sizeof auth_buf);
  lr_buf url;
  lr_buf_init(&url, LR_AWS_MAX_ENDPOINT + 3 * LR_SIGV4_MAX_PATH);
  lr_aws_status bu = build_url(h, authority, req, &url, err);
  if (bu != LR_AWS_OK) {
    lr_buf_free(&url);
    return bu;
  }
  lr_aws_status st = lr_aws__fail(err, LR_AWS_TRANSPORT, "%s: the deadline passed before the first attempt", h->label);
  int made = 0;
  while (made < h->max_attempts) {
    int64_t left = deadline_ms - lr_clock_epoch_ms();
    if (left < HTTP_MIN_ATTEMPT_MS) break;
    long timeout = left < h->attempt_timeout_ms ? (long)left : h->attempt_timeout_ms;
    made++;
    if (attempt(h, req, lr_buf_str(&url), authority, timeout, &st, err) != V_RETRY) break;
    if (made == h->max_attempts) break;
    long pause = backoff_ms(made - 1);
    if (lr_clock_epoch_ms() + pause + HTTP_MIN_ATTEMPT_MS > deadline_ms) break;
    lr_clock_sleep_ms(pause);
  }
  lr_buf_free(&url);
  if (st != LR_AWS_OK && made > 1 && err) note_attempts(err, made);
  return st;
}
