/* The worker handler: init builds the app (config, database session) and warms
 * the connection within a bound; each invocation parses the SQS event, decides
 * every well-formed message in one database call, logs one line per message
 * and one EMF line, and answers the batch's failures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lr/clock.h"
#include "lr/metrics.h"
#include "wk_internal.h"

#define WK_FAULT_BAD_EVENT "Worker.BadEvent"
#define WK_FAULT_RESPONSE "Worker.ResponseTooLarge"
/* The warm-up's deadline: libpq's connect timeout has a 2 s floor, and a
 * deadline this close leaves no time for the session's one reconnect, so a
 * hanging database holds init for about 2 s. */
#define WK_WARMUP_MS 1000

static void warm(wk_app *a) {
  char err[DB_ERR_LEN] = "";
  db_session_set_deadline(a->app->db, lr_clock_epoch_ms() + WK_WARMUP_MS);
  db_status st = db_session_connect(a->app->db, err);
  db_session_set_deadline(a->app->db, 0);
  if (st != DB_OK && a->app->log)
    lr_log_kv(a->app->log, LR_LOG_WARN, "database not reachable at init; will retry on first use",
              "status", db_status_name(st), "error", err, NULL);
}

int wk_app_create(const app_options *opt, const lr_logger *log, wk_app **out, lr_fault *fault) {
  *out = NULL;
  wk_app *a = calloc(1, sizeof *a);
  if (!a) return lr_fault_set(fault, "Runtime.OutOfMemory", "worker: out of memory");
  app_options o = opt ? *opt : (app_options){0};
  o.needs |= CFG_NEED_DB;
  int want_warm = o.warmup == APP_DB_WARM;
  o.warmup = APP_DB_LAZY; /* app_create's warm-up is bounded by DB_CONNECT_TIMEOUT only */
  if (app_create(&o, log, &a->app, fault) != LR_HANDLER_OK) {
    wk_app_free(a);
    return LR_HANDLER_ERROR;
  }
  if (want_warm) warm(a);
  *out = a;
  return LR_HANDLER_OK;
}

void wk_app_free(wk_app *a) {
  if (!a) return;
  app_free(a->app);
  free(a);
}

/* ---- logs and metrics ----------------------------------------------------- */

static lr_log_level level_of(wk_outcome o) {
  switch (o) {
  case WK_CONFIRMED:
  case WK_REJECTED:
  case WK_ALREADY_HANDLED: return LR_LOG_INFO;
  case WK_MALFORMED:
  case WK_UNKNOWN_TYPE:
  case WK_NOT_A_RECORD:
  case WK_ERROR: return LR_LOG_ERROR;
  default: return LR_LOG_WARN;
  }
}

/* One line per message, under the sender's trace (AWSTraceHeader) when the
 * message carries one; Lambda's own trace id stays in lambda_trace_id. */
static void log_message(const lr_context *ctx, const wk_message *m, size_t index) {
  int unnamed = !m->message_id[0];
  /* a failure that cannot be named is lost to SQS: say so loudly */
  lr_log_level lvl = unnamed && wk_outcome_failed(m->outcome) ? LR_LOG_ERROR : level_of(m->outcome);
  if (!ctx->log || !lr_log_enabled(ctx->log, lvl)) return;
  lr_logger lg = *ctx->log;
  if (m->trace[0]) lg.trace_id = m->trace;
  cJSON *f = cJSON_CreateObject();
  if (!f) return;
  cJSON_AddStringToObject(f, "message_id", m->message_id);
  cJSON_AddNumberToObject(f, "record", (double)index);
  if (m->order_id[0]) cJSON_AddStringToObject(f, "order_id", m->order_id);
  cJSON_AddStringToObject(f, "outcome", wk_outcome_label(m->outcome));
  if (m->detail[0]) cJSON_AddStringToObject(f, "detail", m->detail);
  if (m->receive_count >= 0) cJSON_AddNumberToObject(f, "receive_count", (double)m->receive_count);
  if (m->latency_ms >= 0) cJSON_AddNumberToObject(f, "decision_latency_ms", m->latency_ms);
  cJSON_AddBoolToObject(f, "retried", wk_outcome_failed(m->outcome) && !unnamed);
  if (unnamed) cJSON_AddStringToObject(f, "problem", "no usable messageId: the message cannot be named");
  if (ctx->trace_id && ctx->trace_id[0]) cJSON_AddStringToObject(f, "lambda_trace_id", ctx->trace_id);
  lr_log(&lg, lvl, "message", f);
  cJSON_Delete(f);
}

typedef struct wk_totals {
  double confirmed, rejected, failed, latency_max;
} wk_totals;

static wk_totals totals_of(const wk_batch *b) {
  wk_totals t = {0, 0, 0, -1};
  for (size_t i = 0; i < b->n; i++) {
    const wk_message *m = &b->msgs[i];
    if (m->outcome == WK_CONFIRMED) t.confirmed++;
    if (m->outcome == WK_REJECTED) t.rejected++;
    if (wk_outcome_failed(m->outcome)) t.failed++;
    if (m->latency_ms > t.latency_max) t.latency_max = m->latency_ms;
  }
  return t;
}

/* One EMF line per batch, in the api's namespace and dimensions. lr_metrics
 * keeps one value per name, so DecisionLatency is the batch's slowest
 * decision; every message's own latency is in its log line. */
static void put_metrics(const wk_app *a, const lr_context *ctx, const wk_batch *b, double ms) {
  lr_metrics m;
  wk_totals t = totals_of(b);
  lr_metrics_init(&m, a->app->cfg.metrics_namespace);
  lr_metrics_dimension(&m, "Service", a->app->cfg.service_name);
  lr_metrics_put(&m, "OrdersConfirmed", t.confirmed, LR_UNIT_COUNT);
  lr_metrics_put(&m, "OrdersRejected", t.rejected, LR_UNIT_COUNT);
  lr_metrics_put(&m, "MessagesFailed", t.failed, LR_UNIT_COUNT);
  if (t.latency_max >= 0) lr_metrics_put(&m, "DecisionLatency", t.latency_max, LR_UNIT_MILLISECONDS);
  lr_metrics_put(&m, "Latency", ms, LR_UNIT_MILLISECONDS);
  lr_metrics_flush(&m, ctx->log && ctx->log->out ? ctx->log->out : stdout, lr_clock_epoch_ms());
}

/* ---- invoke --------------------------------------------------------------- */

int wk_invoke(wk_app *a, const lr_context *ctx, const char *event, size_t event_len,
              lr_buf *response, lr_fault *fault) {
  wk_batch b;
  char err[256] = "";
  if (!wk_event_parse(event, event_len, &b, err, sizeof err)) {
    wk_batch_free(&b);
    if (ctx->log) lr_log_kv(ctx->log, LR_LOG_ERROR, "not an SQS event", "error", err, NULL);
    return lr_fault_set(fault, WK_FAULT_BAD_EVENT, "worker: %s", err);
  }
  int64_t t0 = lr_clock_mono_us();
  db_session *db = a->app->db;
  if (ctx->deadline_ms > 0) db_session_set_deadline(db, ctx->deadline_ms - WK_DB_MARGIN_MS);
  char dberr[DB_ERR_LEN] = "";
  db_status st = wk_decide(db, &b, wk_budget_ms(ctx->deadline_ms, lr_clock_epoch_ms()), dberr);
  db_session_set_deadline(db, 0);
  if (st != DB_OK && ctx->log)
    lr_log_kv(ctx->log, LR_LOG_WARN, "database call failed; the batch's messages are retried",
              "status", db_status_name(st), "error", dberr, NULL);
  for (size_t i = 0; i < b.n; i++) log_message(ctx, &b.msgs[i], i);
  put_metrics(a, ctx, &b, (double)(lr_clock_mono_us() - t0) / 1000.0);
  lr_buf_status bs = wk_answer_write(&b, response);
  wk_batch_free(&b);
  if (bs != LR_BUF_OK)
    return lr_fault_set(fault, WK_FAULT_RESPONSE, "worker: the answer does not fit (%d)", (int)bs);
  return LR_HANDLER_OK;
}

/* ---- the lr_handler ------------------------------------------------------- */

static int wk_init(void **app, const lr_logger *log, lr_fault *fault) {
  wk_app *a = NULL;
  app_options opt = {.needs = CFG_NEED_DB, .warmup = APP_DB_WARM};
  if (wk_app_create(&opt, log, &a, fault) != LR_HANDLER_OK) return LR_HANDLER_ERROR;
  *app = a;
  return LR_HANDLER_OK;
}

static int wk_invoke_hook(void *app, const lr_context *ctx, const char *event, size_t event_len,
                          lr_buf *response, lr_fault *fault) {
  return wk_invoke(app, ctx, event, event_len, response, fault);
}

static void wk_shutdown(void *app) { wk_app_free(app); }

const lr_handler worker_handler = {.name = "worker", .init = wk_init, .invoke = wk_invoke_hook,
                                   .shutdown = wk_shutdown};
