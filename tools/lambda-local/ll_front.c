/* HTTP front on libmicrohttpd, a thread per connection: each request blocks
 * its thread while the function runs, as API Gateway's integration does. */
#include "ll_front.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ll_apigw_event.h"
#include "ll_apigw_reply.h"
#include "ll_log.h"
#include "ll_mhd.h"
#include "lr/buf.h"
#include "lr/clock.h"

#define LL_MAX_TARGET 8192

struct ll_front {
  ll_pool *pool;
  ll_front_opts o;
  int function_timeout_s;
  struct MHD_Daemon *d;
  int port;
};

typedef struct ll_front_req {
  char *target; /* raw request target, from the URI log callback */
  int64_t arrived_ns; /* CLOCK_MONOTONIC: API Gateway's limit runs from here */
  lr_buf body;
  bool started, too_big;
} ll_front_req;

typedef struct ll_header_list {
  ll_header h[LL_MAX_HEADERS];
  size_t n;
  bool overflow;
} ll_header_list;

static void *ll_front_uri(void *cls, const char *uri, struct MHD_Connection *c) {
  (void)cls, (void)c;
  ll_front_req *rq = calloc(1, sizeof *rq);
  if (!rq) return NULL;
  rq->target = strndup(uri, LL_MAX_TARGET + 1);
  rq->arrived_ns = lr_clock_mono_ns();
  lr_buf_init(&rq->body, LL_MAX_REQUEST_BODY);
  return rq;
}

static void ll_front_done(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode t) {
  (void)cls, (void)c, (void)t;
  ll_front_req *rq = *req_cls;
  if (!rq) return;
  free(rq->target);
  lr_buf_free(&rq->body);
  free(rq);
  *req_cls = NULL;
}

static enum MHD_Result ll_front_send(struct MHD_Connection *c, const ll_http_reply *r, const char *request_id) {
  struct MHD_Response *resp = ll_mhd_response_copy(r->body, r->body_len);
  if (!resp) return MHD_NO;
  for (size_t i = 0; i < r->header_count; i++) {
    const char *n = r->headers[i].name;
    /* Framing is the server's business, as behind API Gateway. */
    if (strcasecmp(n, "content-length") == 0 || strcasecmp(n, "transfer-encoding") == 0 ||
        strcasecmp(n, "connection") == 0)
      continue;
    MHD_add_response_header(resp, n, r->headers[i].value);
  }
  if (request_id) MHD_add_response_header(resp, "x-amzn-RequestId", request_id);
  enum MHD_Result ok = MHD_queue_response(c, r->status, resp);
  MHD_destroy_response(resp);
  return ok;
}

static enum MHD_Result ll_front_fixed(struct MHD_Connection *c, unsigned status, const char *msg, const char *id) {
  ll_http_reply r;
  if (ll_apigw_fixed(status, msg, &r) != LL_OK) return MHD_NO;
  enum MHD_Result ok = ll_front_send(c, &r, id);
  ll_http_reply_free(&r);
  return ok;
}

static enum MHD_Result ll_collect_header(void *cls, enum MHD_ValueKind k, const char *name, const char *value) {
  (void)k;
  ll_header_list *l = cls;
  if (l->n == LL_MAX_HEADERS) {
    l->overflow = true;
    return MHD_NO;
  }
  l->h[l->n].name = name;
  l->h[l->n].value = value ? value : "";
  l->n++;
  return MHD_YES;
}

static void ll_client_ip(struct MHD_Connection *c, char *out, size_t cap) {
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  snprintf(out, cap, "127.0.0.1");
  if (!ci || !ci->client_addr) return;
  if (ci->client_addr->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr, out, (socklen_t)cap);
  else if (ci->client_addr->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr, out, (socklen_t)cap);
}

/* The invocation's end as API Gateway reports it. */
static enum MHD_Result ll_front_answer(ll_front *f, struct MHD_Connection *c, const ll_invocation *inv, bool api_limited) {
  const char *id = inv->request_id;
  if (inv->outcome == LL_OUT_TIMEOUT && api_limited)
    return ll_front_fixed(c, MHD_HTTP_GATEWAY_TIMEOUT, "Endpoint request timed out", id);
  if (inv->outcome == LL_OUT_STOPPED) return ll_front_fixed(c, MHD_HTTP_SERVICE_UNAVAILABLE, "Service Unavailable", id);
  if (inv->outcome != LL_OUT_OK) return ll_front_fixed(c, MHD_HTTP_BAD_GATEWAY, "Internal server error", id);
  ll_http_reply r;
  char err[LL_ERR_LEN] = "";
  ll_status st = ll_apigw_reply(inv->body, inv->body_len, f->o.format, &r, err, sizeof err);
  if (st != LL_OK) {
    ll_logf("lambda-local: %s: malformed Lambda proxy response: %s", id, err[0] ? err : ll_status_message(st));
    return ll_front_fixed(c, MHD_HTTP_BAD_GATEWAY, "Internal server error", id);
  }
  enum MHD_Result ok = ll_front_send(c, &r, id);
  ll_http_reply_free(&r);
  return ok;
}

static enum MHD_Result ll_front_invoke(ll_front *f, struct MHD_Connection *c, ll_front_req *rq, const char *method,
                                       const char *version) {
  ll_header_list hl = {.n = 0};
  MHD_get_connection_values(c, MHD_HEADER_KIND, ll_collect_header, &hl);
  if (hl.overflow) return ll_front_fixed(c, 431, "Request Header Fields Too Large", NULL);
  char ip[64];
  ll_client_ip(c, ip, sizeof ip);
  ll_invocation inv;
  ll_invocation_init(&inv, NULL, 0, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amzn-Trace-Id"));
  ll_http_request hr = {.method = method, .target = rq->target, .protocol = version, .headers = hl.h,
                        .header_count = hl.n, .body = lr_buf_str(&rq->body), .body_len = rq->body.len,
                        .source_ip = ip, .request_id = inv.request_id, .epoch_ms = lr_clock_epoch_ms()};
  ll_apigw_opts ao = {.format = f->o.format, .stage = f->o.stage};
  char *event = NULL, err[LL_ERR_LEN] = "";
  ll_status st = ll_apigw_event(&hr, &ao, &event, &inv.payload_len, err, sizeof err);
  if (st != LL_OK) return ll_front_fixed(c, MHD_HTTP_BAD_REQUEST, st == LL_BAD_INPUT ? err : "Bad Request", NULL);
  if (inv.payload_len > LL_MAX_PAYLOAD_BYTES) { /* Lambda's own limit, after base64 */
    free(event);
    return ll_front_fixed(c, MHD_HTTP_CONTENT_TOO_LARGE, "Request Entity Too Large", NULL);
  }
  inv.payload = event;
  /* API Gateway's limit runs once, from the request's arrival: the wait for
   * a free instance, the init and the run all come out of it */
  inv.answer_by_ns = rq->arrived_ns + (int64_t)f->o.api_timeout_s * 1000000000;
  st = ll_pool_invoke(f->pool, f->o.function, &inv, f->o.api_timeout_s, f->o.api_timeout_s * 1000);
  bool api_late = lr_clock_mono_ns() >= inv.answer_by_ns;
  enum MHD_Result ok =
      st == LL_OK ? ll_front_answer(f, c, &inv, api_late || f->o.api_timeout_s < f->function_timeout_s)
      : st == LL_BUSY && api_late ? ll_front_fixed(c, MHD_HTTP_GATEWAY_TIMEOUT, "Endpoint request timed out", NULL)
      : st == LL_BUSY ? ll_front_fixed(c, MHD_HTTP_TOO_MANY_REQUESTS, "Too Many Requests", NULL)
                      : ll_front_fixed(c, MHD_HTTP_SERVICE_UNAVAILABLE, "Service Unavailable", NULL);
  ll_invocation_clear(&inv);
  free(event);
  return ok;
}

/* A declared body over the limit is refused before it is read. */
static bool ll_declared_too_big(struct MHD_Connection *c) {
  const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
  if (!cl) return false;
  char *end = NULL;
  unsigned long long v = strtoull(cl, &end, 10);
  return end != cl && v > LL_MAX_REQUEST_BODY;
}

static enum MHD_Result ll_front_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                      const char *version, const char *upload, size_t *upload_size, void **req_cls) {
  (void)url;
  ll_front_req *rq = *req_cls;
  if (!rq || !rq->target) return MHD_NO;
  if (!rq->started) {
    rq->started = true;
    if (strlen(rq->target) > LL_MAX_TARGET) return ll_front_fixed(c, 414, "Request-URI Too Long", NULL);
    if (ll_declared_too_big(c)) return ll_front_fixed(c, MHD_HTTP_CONTENT_TOO_LARGE, "Request Entity Too Large", NULL);
    return MHD_YES;
  }
  if (*upload_size > 0) {
    if (!rq->too_big && lr_buf_add(&rq->body, upload, *upload_size) != LR_BUF_OK) rq->too_big = true;
    *upload_size = 0;
    return MHD_YES;
  }
  if (rq->too_big) return ll_front_fixed(c, MHD_HTTP_CONTENT_TOO_LARGE, "Request Entity Too Large", NULL);
  return ll_front_invoke(cls, c, rq, method, version);
}

ll_status ll_front_start(ll_pool *pool, const ll_front_opts *o, ll_front **out, char *err, size_t errcap) {
  *out = NULL;
  const ll_function_cfg *fn = ll_pool_function(pool, o->function);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
  if (!fn || inet_pton(AF_INET, o->host, &sa.sin_addr) != 1) {
    ll_err_set(err, errcap, fn ? "bad listen address %s (an IPv4 address)" : "no function %s", fn ? o->host : o->function);
    return LL_CONFIG;
  }
  ll_front *f = calloc(1, sizeof *f);
  if (!f) return LL_NOMEM;
  f->pool = pool;
  f->o = *o;
  f->function_timeout_s = fn->timeout_s;
  f->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
                          ll_front_access, f, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                          MHD_OPTION_URI_LOG_CALLBACK, ll_front_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED, ll_front_done,
                          NULL, MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_CONNECTION_LIMIT, 256u,
                          MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_END);
  const union MHD_DaemonInfo *info = f->d ? MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
  if (!info) {
    ll_err_set(err, errcap, "cannot listen on %s:%d (in use?)", o->host, o->port);
    ll_front_free(f);
    return LL_LISTEN;
  }
  f->port = info->port;
  *out = f;
  return LL_OK;
}

int ll_front_port(const ll_front *f) { return f->port; }

void ll_front_free(ll_front *f) {
  if (!f) return;
  if (f->d) MHD_stop_daemon(f->d);
  free(f);
}
