/* The api handler: init builds the app (config, database session, SQS
 * client); each invocation parses the API Gateway event, routes it, answers
 * in the event's format, and writes one log line and one EMF line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_internal.h"
#include "lr/clock.h"

#define API_FAULT_BAD_EVENT "Api.BadEvent"
#define API_FAULT_RESPONSE "Api.ResponseTooLarge"
/* The database must give up early enough to leave time for the answer. */
#define API_DB_MARGIN_MS 1000

static int api_fault(lr_fault *f, const char *type, const char *msg) {
  snprintf(f->type, sizeof f->type, "%s", type);
  snprintf(f->message, sizeof f->message, "%s", msg);
  return LR_HANDLER_ERROR;
}

static int sqs_create(api_app *a, lr_fault *fault) {
  const cfg_config *cfg = &a->app->cfg;
  if (!cfg->orders_queue_url[0]) return LR_HANDLER_OK;
  lr_aws_credentials cred;
  char err[LR_AWS_ERR_LEN] = "";
  lr_aws_status st = lr_aws_credentials_from_env(&cred, err);
  if (st == LR_AWS_OK) {
    /* only the after-response send uses it: one short attempt (api_publish.c) */
    lr_aws_client_config cc = {.region = cfg->aws_region, .credentials = &cred,
                               .endpoint = cfg->endpoint_url_sqs[0] ? cfg->endpoint_url_sqs : NULL,
                               .attempt_timeout_ms = 300, .max_attempts = 1};
    st = lr_sqs_client_create(&a->sqs, &cc, err);
  }
  memset(&cred, 0, sizeof cred);
  if (st != LR_AWS_OK) return api_fault(fault, "Runtime.ConfigError", err);
  return LR_HANDLER_OK;
}

int api_app_create(const app_options *opt, const lr_logger *log, api_app **out, lr_fault *fault) {
  *out = NULL;
  api_app *a = calloc(1, sizeof *a);
  if (!a) return api_fault(fault, "Runtime.OutOfMemory", "api: out of memory");
  lr_buf_init(&a->send.message, API_MESSAGE_MAX);
  app_options o = opt ? *opt : (app_options){0};
  /* The queue is optional for the api (local runs without one keep messages
   * in the outbox): validated, and its region required, only when set. */
  o.needs |= CFG_NEED_DB | CFG_WANT_QUEUE;
  if (app_create(&o, log, &a->app, fault) != LR_HANDLER_OK || sqs_create(a, fault) != LR_HANDLER_OK) {
    api_app_free(a);
    return LR_HANDLER_ERROR;
  }
  *out = a;
  return LR_HANDLER_OK;
}

void api_app_free(api_app *a) {
  if (!a) return;
  lr_sqs_client_free(a->sqs);
  lr_buf_free(&a->send.message);
  app_free(a->app);
  free(a);
}

db_session *api_app_db(api_app *a) { return a && a->app ? a->app->db : NULL; }

/* ---- answers shared by the routes ---------------------------------------- */

void api_problem_answer(api_call *c, api_problem p, const char *detail, const order_errors *errs) {
  api_response_problem(c->resp, p, detail, c->req->path, c->req->request_id, errs);
}

void api_db_failure(api_call *c, db_status st, const char *err) {
  int unavailable = db_status_http(st) == 503;
  if (c->ctx->log)
    lr_log_kv(c->ctx->log, unavailable ? LR_LOG_WARN : LR_LOG_ERROR, "database call failed",
              "status", db_status_name(st), "error", err, NULL);
  if (st == DB_OUTCOME_UNKNOWN || st == DB_COMMIT_UNKNOWN) {
    api_problem_answer(c, API_PROBLEM_UNAVAILABLE,
                       "the outcome is unknown; retry with the same Idempotency-Key", NULL);
    api_response_header(c->resp, "Retry-After", "%d", API_RETRY_AFTER_S);
  } else if (unavailable) {
    api_problem_answer(c, API_PROBLEM_UNAVAILABLE, "the database is not available; try again", NULL);
    api_response_header(c->resp, "Retry-After", "%d", API_RETRY_AFTER_S);
  } else {
    api_problem_answer(c, API_PROBLEM_INTERNAL, "the request could not be completed", NULL);
  }
}

/* ---- dispatch ------------------------------------------------------------ */

static void dispatch(api_call *c) {
  if (c->req->has_nul) {
    /* a header, parameter or body that held a NUL would be read cut short */
    api_problem_answer(c, API_PROBLEM_BAD_REQUEST, "the request holds a NUL character", NULL);
    return;
  }
  api_match m = api_route_find(c->req->method, c->req->path, c->route);
  if (m == API_MATCH_NO_PATH) {
    api_problem_answer(c, API_PROBLEM_NOT_FOUND, "no such route", NULL);
    return;
  }
  if (m == API_MATCH_NO_METHOD) {
    api_problem_answer(c, API_PROBLEM_METHOD_NOT_ALLOWED, "this route does not take that method",
                       NULL);
    api_response_header(c->resp, "Allow", "%s", c->route->allow);
    return;
  }
  if (c->req->identity.state == API_IDENTITY_INVALID &&
      api_route_can_answer(c->route->route, API_PROBLEM_FORBIDDEN)) {
    api_problem_answer(c, API_PROBLEM_FORBIDDEN,
                       "the authoriser's subject is not a valid customer id", NULL);
    return;
  }
  c->route->route->handle(c);
}

/* Method, route template (not the raw path: ids are not log dimensions),
 * status, duration and ids; never bodies, headers or query values. */
static void log_request(const api_call *c, double ms) {
  if (!c->ctx->log || !lr_log_enabled(c->ctx->log, LR_LOG_INFO)) return;
  cJSON *f = cJSON_CreateObject();
  if (!f) return;
  cJSON_AddStringToObject(f, "method", c->req->method);
  cJSON_AddStringToObject(f, "route", c->route->route ? c->route->route->path : "unmatched");
  cJSON_AddNumberToObject(f, "status", c->resp->status);
  cJSON_AddNumberToObject(f, "duration_ms", (double)(long long)(ms * 1000.0) / 1000.0);
  cJSON_AddStringToObject(f, "api_request_id", c->req->request_id);
  if (c->order_id[0]) cJSON_AddStringToObject(f, "order_id", c->order_id);
  lr_log(c->ctx->log, c->resp->status >= 500 ? LR_LOG_ERROR : LR_LOG_INFO, "request", f);
  cJSON_Delete(f);
}

static int answer(api_app *a, const lr_context *ctx, api_request *req, lr_buf *response,
                  lr_fault *fault) {
  api_response resp;
  api_route_match route;
  lr_metrics metrics;
  double t0 = (lr_clock_mono_us() / 1000.0);
  lr_metrics_init(&metrics, a->app->cfg.metrics_namespace);
  lr_metrics_dimension(&metrics, "Service", a->app->cfg.service_name);
  api_response_init(&resp);
  memset(&route, 0, sizeof route);
  api_call c = {.a = a, .ctx = ctx, .req = req, .route = &route, .resp = &resp, .metrics = &metrics};
  if (ctx->deadline_ms > 0) db_session_set_deadline(a->app->db, ctx->deadline_ms - API_DB_MARGIN_MS);
  dispatch(&c);
  db_session_set_deadline(a->app->db, 0);
  double ms = (lr_clock_mono_us() / 1000.0) - t0;
  log_request(&c, ms);
  lr_metrics_put(&metrics, "Latency", ms, LR_UNIT_MILLISECONDS);
  lr_metrics_flush(&metrics, ctx->log && ctx->log->out ? ctx->log->out : stdout, lr_clock_epoch_ms());
  lr_buf_status st = api_response_write(&resp, req->format, req->request_id, response);
  api_response_free(&resp);
  if (st != LR_BUF_OK) return api_fault(fault, API_FAULT_RESPONSE, "api: the answer does not fit");
  return LR_HANDLER_OK;
}

int api_invoke(api_app *a, const lr_context *ctx, const char *event, size_t event_len,
               lr_buf *response, lr_fault *fault) {
  api_request req;
  char err[256] = "";
  int rc;
  if (!api_event_parse(event, event_len, ctx->request_id, &req, err, sizeof err))
    rc = api_fault(fault, API_FAULT_BAD_EVENT, err);
  else
    rc = answer(a, ctx, &req, response, fault);
  api_request_free(&req);
  return rc;
}

/* ---- the lr_handler ------------------------------------------------------ */

static int api_init(void **app, const lr_logger *log, lr_fault *fault) {
  api_app *a = NULL;
  app_options opt = {.needs = CFG_NEED_DB, .warmup = APP_DB_WARM};
  if (api_app_create(&opt, log, &a, fault) != LR_HANDLER_OK) return LR_HANDLER_ERROR;
  *app = a;
  return LR_HANDLER_OK;
}

static int api_invoke_hook(void *app, const lr_context *ctx, const char *event, size_t event_len,
                           lr_buf *response, lr_fault *fault) {
  return api_invoke(app, ctx, event, event_len, response, fault);
}

static void api_shutdown(void *app) { api_app_free(app); }

static void api_after_response_hook(void *app, const lr_context *ctx) {
  api_after_response(app, ctx);
}

const lr_handler api_handler = {.name = "api", .init = api_init, .invoke = api_invoke_hook,
                                .shutdown = api_shutdown, .after_response = api_after_response_hook};
