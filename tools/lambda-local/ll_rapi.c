/* The Runtime API (2018-06-01) of one instance, on 127.0.0.1. A thread per
 * connection, because /next blocks until there is an invocation: Lambda
 * freezes the sandbox there, we make the runtime wait on a condition. */
#include <arpa/inet.h>
#include <poll.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ll_instance_internal.h"
#include "ll_log.h"
#include "ll_mhd.h"
#include "lr/buf.h"
#include "lr/clock.h"
#include "lr/runtime_api.h"
#include "lr/json.h"

#define LL_ERROR_BODY_MAX (1024 * 1024)

typedef struct ll_rapi_req {
  lr_buf body;
  bool too_big;
} ll_rapi_req;

static enum MHD_Result ll_rapi_reply(struct MHD_Connection *c, unsigned status, const char *json) {
  struct MHD_Response *r = ll_mhd_response_copy(json, strlen(json));
  if (!r) return MHD_NO;
  MHD_add_response_header(r, "Content-Type", "application/json");
  enum MHD_Result ok = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ok;
}

/* The headers Lambda sends with an event (locked: reads the invocation). */
static struct MHD_Response *ll_rapi_event(ll_instance *in, const ll_invocation *inv) {
  struct MHD_Response *r =
      ll_mhd_response_copy(inv->payload, inv->payload_len);
  if (!r) return NULL;
  char deadline[32], arn[256];
  snprintf(deadline, sizeof deadline, "%lld", (long long)(lr_clock_epoch_ms() + (int64_t)in->fn->timeout_s * 1000));
  snprintf(arn, sizeof arn, "arn:aws:lambda:%s:000000000000:function:%s", in->region, in->fn->name);
  bool ok = MHD_add_response_header(r, "Content-Type", "application/json") == MHD_YES &&
            MHD_add_response_header(r, LR_RAPI_H_REQUEST_ID, inv->request_id) == MHD_YES &&
            MHD_add_response_header(r, LR_RAPI_H_DEADLINE, deadline) == MHD_YES &&
            MHD_add_response_header(r, LR_RAPI_H_FUNCTION_ARN, arn) == MHD_YES &&
            MHD_add_response_header(r, LR_RAPI_H_TRACE_ID, inv->trace_id) == MHD_YES;
  if (!ok) {
    MHD_destroy_response(r);
    return NULL;
  }
  return r;
}

/* Whether the runtime at the other end is gone (its process died after
 * sending /next): an event handed to it would be lost. */
static bool ll_peer_gone(struct MHD_Connection *c) {
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
  if (!ci) return false;
  struct pollfd p = {.fd = ci->connect_fd, .events = POLLRDHUP};
  return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static enum MHD_Result ll_rapi_next(ll_instance *in, struct MHD_Connection *c) {
  pthread_mutex_lock(&in->mu);
  unsigned gen = in->generation;
  if (!in->ready_seen && in->proc.pid > 0) {
    in->ready_seen = in->init_pending = true;
    in->init_ms = (double)(lr_clock_mono_ns() - in->spawned_ns) / 1e6;
  }
  if (in->proc.pid > 0) in->peak_mb = ll_proc_peak_rss_mb(in->proc.pid);
  ll__report_flush(in); /* the previous invocation ends here, after-response work included */
  in->in_next = true;
  while (!in->stopping && gen == in->generation && !(in->cur && in->cur_state == LL_CUR_QUEUED))
    pthread_cond_wait(&in->cv, &in->mu);
  if (gen == in->generation) in->in_next = false;
  if (in->stopping || gen != in->generation) {
    pthread_mutex_unlock(&in->mu);
    return ll_rapi_reply(c, MHD_HTTP_GONE, "{\"errorType\":\"Local.Stopped\",\"errorMessage\":\"instance stopped\"}");
  }
  if (ll_peer_gone(c)) { /* the event stays queued for the process that replaces it */
    pthread_mutex_unlock(&in->mu);
    return MHD_NO;
  }
  struct MHD_Response *r = ll_rapi_event(in, in->cur);
  if (r) {
    in->cur_state = LL_CUR_DELIVERED;
    in->delivered_ns = lr_clock_mono_ns();
    /* Taken now: a process dying right after answering is replaced (and its
     * init figures reset) before the caller wakes up to write the REPORT. */
    in->cur_init_ms = in->init_pending ? in->init_ms : 0.0;
    in->init_pending = false;
    ll__report_start(in, in->cur);
    pthread_cond_broadcast(&in->cv); /* the caller's deadline is now the function's timeout */
  }
  pthread_mutex_unlock(&in->mu);
  if (!r) return MHD_NO;
  enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ok;
}

/* The error type of an /error post: header, else the body's errorType. */
static void ll_rapi_error_type(struct MHD_Connection *c, const lr_buf *body, char *out, size_t cap) {
  const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, LR_RAPI_H_ERROR_TYPE);
  cJSON *j = h ? NULL : lr_json_parse_or_null(lr_buf_str(body), body->len,
                                                 LR_JSON_ALLOW_NUL_ESCAPE | LR_JSON_ALLOW_DUP_KEYS | LR_JSON_ALLOW_BAD_UTF8);
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "errorType");
  const char *type = h ? h : cJSON_IsString(t) ? t->valuestring : "Unhandled";
  snprintf(out, cap, "%s", type);
  cJSON_Delete(j);
}

/* Completes the invocation with a response or an error body (locked). */
static void ll_rapi_settle(ll_instance *in, ll_rapi_req *rq, bool is_error, struct MHD_Connection *c) {
  ll_invocation *inv = in->cur;
  if (rq->too_big) {
    ll__invocation_fail(inv, LL_OUT_FUNCTION_ERROR, "Function.ResponseSizeTooLarge",
                        "Response payload size exceeded maximum allowed payload size (%u bytes).",
                        LL_MAX_PAYLOAD_BYTES);
  } else {
    inv->outcome = is_error ? LL_OUT_FUNCTION_ERROR : LL_OUT_OK;
    if (is_error) ll_rapi_error_type(c, &rq->body, inv->error_type, sizeof inv->error_type);
    free(inv->body);
    inv->body = lr_buf_take(&rq->body, &inv->body_len);
    if (!inv->body) ll__invocation_fail(inv, LL_OUT_FUNCTION_ERROR, "Local.OutOfMemory", "out of memory");
  }
  if (in->proc.pid > 0) in->peak_mb = ll_proc_peak_rss_mb(in->proc.pid);
  in->cur_state = LL_CUR_DONE;
  in->done_ns = lr_clock_mono_ns();
  pthread_cond_broadcast(&in->cv);
}

static enum MHD_Result ll_rapi_result(ll_instance *in, struct MHD_Connection *c, const char *id, size_t id_len,
                                      bool is_error, ll_rapi_req *rq) {
  pthread_mutex_lock(&in->mu);
  ll_invocation *inv = in->cur;
  bool match = inv && in->cur_state == LL_CUR_DELIVERED && id_len == strlen(inv->request_id) &&
               memcmp(id, inv->request_id, id_len) == 0;
  if (match) ll_rapi_settle(in, rq, is_error, c);
  pthread_mutex_unlock(&in->mu);
  if (!match)
    return ll_rapi_reply(c, MHD_HTTP_BAD_REQUEST,
                         "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
  if (rq->too_big)
    return ll_rapi_reply(c, MHD_HTTP_CONTENT_TOO_LARGE,
                         "{\"errorMessage\":\"Exceeded maximum allowed payload size (" LR_MAX_PAYLOAD_BYTES_TEXT " bytes).\","
                         "\"errorType\":\"RequestEntityTooLarge\"}");
  return ll_rapi_reply(c, MHD_HTTP_ACCEPTED, "{\"status\":\"OK\"}");
}

static enum MHD_Result ll_rapi_init_error(ll_instance *in, struct MHD_Connection *c, ll_rapi_req *rq) {
  pthread_mutex_lock(&in->mu);
  ll_rapi_error_type(c, &rq->body, in->init_error_type, sizeof in->init_error_type);
  free(in->init_error_body);
  in->init_error_body = rq->too_big ? NULL : lr_buf_take(&rq->body, &in->init_error_len);
  ll_logf("lambda-local: %s[%d]: init error %s: %.*s", in->fn->name, in->index, in->init_error_type,
          in->init_error_body ? (int)(in->init_error_len > 2000 ? 2000 : in->init_error_len) : 0,
          in->init_error_body ? in->init_error_body : "");
  pthread_mutex_unlock(&in->mu);
  return ll_rapi_reply(c, MHD_HTTP_ACCEPTED, "{\"status\":\"OK\"}");
}

static enum MHD_Result ll_rapi_route(ll_instance *in, struct MHD_Connection *c, const char *url,
                                     const char *method, ll_rapi_req *rq) {
  bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
  if (strncmp(url, LR_RAPI_PREFIX, strlen(LR_RAPI_PREFIX)) != 0) goto not_found;
  const char *p = url + strlen(LR_RAPI_PREFIX);
  if (get && strcmp(p, LR_RAPI_NEXT) == 0) return ll_rapi_next(in, c);
  if (post && strcmp(p, LR_RAPI_INIT_ERROR) == 0) return ll_rapi_init_error(in, c, rq);
  if (post && strncmp(p, LR_RAPI_INVOCATION, strlen(LR_RAPI_INVOCATION)) == 0) {
    const char *id = p + strlen(LR_RAPI_INVOCATION), *slash = strchr(id, '/');
    if (slash && strcmp(slash, LR_RAPI_RESPONSE) == 0) return ll_rapi_result(in, c, id, (size_t)(slash - id), false, rq);
    if (slash && strcmp(slash, LR_RAPI_ERROR) == 0) return ll_rapi_result(in, c, id, (size_t)(slash - id), true, rq);
  }
not_found:
  return ll_rapi_reply(c, MHD_HTTP_NOT_FOUND, "{\"errorMessage\":\"unknown Runtime API path\",\"errorType\":\"NotFound\"}");
}

static enum MHD_Result ll_rapi_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                     const char *version, const char *upload, size_t *upload_size, void **req_cls) {
  (void)version;
  ll_rapi_req *rq = *req_cls;
  if (!rq) {
    rq = calloc(1, sizeof *rq);
    if (!rq) return MHD_NO;
    /* An init error is a short JSON document; a response may be 6 MB. */
    bool init_error = strcmp(url, LR_RAPI_PREFIX LR_RAPI_INIT_ERROR) == 0;
    lr_buf_init(&rq->body, init_error ? LL_ERROR_BODY_MAX : LL_MAX_PAYLOAD_BYTES);
    *req_cls = rq;
    return MHD_YES;
  }
  if (*upload_size > 0) {
    if (!rq->too_big && lr_buf_add(&rq->body, upload, *upload_size) != LR_BUF_OK) rq->too_big = true;
    *upload_size = 0;
    return MHD_YES;
  }
  return ll_rapi_route(cls, c, url, method, rq);
}

static void ll_rapi_done(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode t) {
  (void)cls, (void)c, (void)t;
  ll_rapi_req *rq = *req_cls;
  if (!rq) return;
  lr_buf_free(&rq->body);
  free(rq);
  *req_cls = NULL;
}

ll_status ll__rapi_start(ll_instance *in, char *err, size_t errcap) {
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  in->rapi = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
                              ll_rapi_access, in, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                              MHD_OPTION_NOTIFY_COMPLETED, ll_rapi_done, NULL,
                              /* no idle timeout: the runtime waits in /next as long as it takes */
                              MHD_OPTION_CONNECTION_TIMEOUT, 0u, MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_END);
  const union MHD_DaemonInfo *info = in->rapi ? MHD_get_daemon_info(in->rapi, MHD_DAEMON_INFO_BIND_PORT) : NULL;
  if (!info) {
    ll_err_set(err, errcap, "cannot start the Runtime API server for %s", in->fn->name);
    return LL_LISTEN;
  }
  snprintf(in->api_addr, sizeof in->api_addr, "127.0.0.1:%u", (unsigned)info->port);
  return LL_OK;
}

void ll__rapi_stop(ll_instance *in) {
  if (in->rapi) MHD_stop_daemon(in->rapi);
  in->rapi = NULL;
}
