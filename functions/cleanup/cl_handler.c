/* The cleanup handler: init builds the app (config, database session, S3 and
 * SQS clients); each invocation runs the task its event names within the
 * invocation's deadline and answers, logs and emits (EMF) its summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl.h"
#include "lr/clock.h"
#include "lr/metrics.h"

/* Stop this long before Lambda's deadline: time to answer, log and emit. */
#define CL_ANSWER_MARGIN_MS 1500
/* Without a deadline (tools, tests) a run still gets a bound. */
#define CL_DEFAULT_RUN_MS 60000
/* One S3 PUT of a batch (at most a few MiB) or one SQS call. */
#define CL_AWS_ATTEMPT_MS 10000
#define CL_AWS_ATTEMPTS 3
#define CL_SUMMARY_MAX 1024

static int cl_fault(lr_fault *f, const char *type, const char *msg) {
  snprintf(f->type, sizeof f->type, "%s", type);
  snprintf(f->message, sizeof f->message, "%s", msg);
  return LR_HANDLER_ERROR;
}

static int clients_create(cl_app *a, lr_fault *fault) {
  const cfg_config *cfg = &a->app->cfg;
  lr_aws_credentials cred;
  char err[LR_AWS_ERR_LEN] = "";
  lr_aws_status st = lr_aws_credentials_from_env(&cred, err);
  lr_aws_client_config cc = {.region = cfg->aws_region, .credentials = &cred,
                             .attempt_timeout_ms = CL_AWS_ATTEMPT_MS, .max_attempts = CL_AWS_ATTEMPTS};
  if (st == LR_AWS_OK) {
    cc.endpoint = cfg->endpoint_url_s3[0] ? cfg->endpoint_url_s3 : NULL;
    st = lr_s3_client_create(&a->s3, &cc, err);
  }
  if (st == LR_AWS_OK) {
    cc.endpoint = cfg->endpoint_url_sqs[0] ? cfg->endpoint_url_sqs : NULL;
    st = lr_sqs_client_create(&a->sqs, &cc, err);
  }
  memset(&cred, 0, sizeof cred);
  return st == LR_AWS_OK ? LR_HANDLER_OK : cl_fault(fault, APP_FAULT_CONFIG, err);
}

static int delete_db_create(cl_app *a, const app_options *o, const lr_logger *log, lr_fault *fault) {
  char err[DB_ERR_LEN] = "";
  if (db_session_create(&a->app->cfg, o->db_hooks, log, &a->delete_db, err) != DB_OK)
    return cl_fault(fault, APP_FAULT_CONFIG, err);
  return LR_HANDLER_OK;
}

int cl_app_create(const app_options *opt, const cl_hooks *hooks, const lr_logger *log,
                  cl_app **out, lr_fault *fault) {
  *out = NULL;
  cl_app *a = calloc(1, sizeof *a);
  if (!a) return cl_fault(fault, "Runtime.OutOfMemory", "cleanup: out of memory");
  if (hooks) a->hooks = *hooks;
  app_options o = opt ? *opt : (app_options){0};
  o.needs |= CFG_NEED_DB | CFG_NEED_QUEUE | CFG_NEED_ARCHIVE;
  if (app_create(&o, log, &a->app, fault) != LR_HANDLER_OK || delete_db_create(a, &o, log, fault) != LR_HANDLER_OK ||
      clients_create(a, fault) != LR_HANDLER_OK) {
    cl_app_free(a);
    return LR_HANDLER_ERROR;
  }
  *out = a;
  return LR_HANDLER_OK;
}

void cl_app_free(cl_app *a) {
  if (!a) return;
  lr_s3_client_free(a->s3);
  lr_sqs_client_free(a->sqs);
  db_session_free(a->delete_db);
  app_free(a->app);
  free(a);
}

static FILE *emf_out(const lr_context *ctx) { return ctx->log && ctx->log->out ? ctx->log->out : stdout; }

static void archive_emit(cl_app *a, const lr_context *ctx, const cl_archive_summary *s) {
  lr_metrics m;
  lr_metrics_init(&m, a->app->cfg.metrics_namespace);
  lr_metrics_dimension(&m, "Service", a->app->cfg.service_name);
  lr_metrics_put(&m, "ArchiveRuns", 1, LR_UNIT_COUNT);
  lr_metrics_put(&m, "ArchivedOrders", (double)s->archived, LR_UNIT_COUNT);
  lr_metrics_put(&m, "ArchiveObjects", (double)s->objects, LR_UNIT_COUNT);
  lr_metrics_put(&m, "ArchiveBytes", (double)s->bytes, LR_UNIT_BYTES);
  lr_metrics_put(&m, "IdempotencyKeysPurged", (double)s->keys_purged, LR_UNIT_COUNT);
  lr_metrics_put(&m, "ArchiveIncomplete", s->complete ? 0 : 1, LR_UNIT_COUNT);
  lr_metrics_flush(&m, emf_out(ctx), lr_clock_epoch_ms());
}

static void outbox_emit(cl_app *a, const lr_context *ctx, const cl_outbox_summary *s) {
  lr_metrics m;
  lr_metrics_init(&m, a->app->cfg.metrics_namespace);
  lr_metrics_dimension(&m, "Service", a->app->cfg.service_name);
  lr_metrics_put(&m, "OutboxRelayed", (double)s->sent, LR_UNIT_COUNT);
  lr_metrics_put(&m, "OutboxRelayFailures", (double)s->failed, LR_UNIT_COUNT);
  lr_metrics_put(&m, "OutboxGivenUp", (double)s->given_up, LR_UNIT_COUNT);
  lr_metrics_put(&m, "OutboxOldestAgeSeconds", (double)s->oldest_age_seconds, LR_UNIT_SECONDS);
  lr_metrics_flush(&m, emf_out(ctx), lr_clock_epoch_ms());
}

/* The summary is the answer; a failed run is an error carrying it, so that
 * Lambda's Errors metric sees the failure. */
static int finish(const lr_context *ctx, bool ran, const char *err, lr_buf *summary, lr_buf *response,
                  lr_fault *fault, const char *fault_type) {
  const char *text = lr_buf_str(summary);
  if (ctx->log) lr_log_kv(ctx->log, ran ? LR_LOG_INFO : LR_LOG_ERROR, "cleanup summary", "summary", text,
                          "error", ran ? "" : err, NULL);
  if (!ran) {
    snprintf(fault->type, sizeof fault->type, "%s", fault_type);
    snprintf(fault->message, sizeof fault->message, "%s; %s", err, text);
    return LR_HANDLER_ERROR;
  }
  return lr_buf_add(response, summary->data, summary->len) == LR_BUF_OK
             ? LR_HANDLER_OK
             : cl_fault(fault, "Runtime.OutOfMemory", "cleanup: the answer does not fit");
}

int cl_invoke(cl_app *a, const lr_context *ctx, const char *event, size_t len, lr_buf *response,
              lr_fault *fault) {
  cl_task task;
  char err[CL_ERR_LEN] = "";
  if (!cl_task_parse(event, len, &task, err)) return cl_fault(fault, CL_FAULT_EVENT, err);
  int64_t deadline = ctx->deadline_ms > 0 ? ctx->deadline_ms - CL_ANSWER_MARGIN_MS
                                          : lr_clock_epoch_ms() + CL_DEFAULT_RUN_MS;
  db_session_set_deadline(a->app->db, deadline);
  lr_buf summary;
  lr_buf_init(&summary, CL_SUMMARY_MAX);
  bool ran;
  const char *type;
  if (task == CL_TASK_ARCHIVE) {
    cl_archive_summary s;
    ran = cl_archive_run(a, ctx, deadline, &s, err);
    cl_archive_summary_json(&s, &summary);
    archive_emit(a, ctx, &s);
    type = CL_FAULT_ARCHIVE;
  } else {
    cl_outbox_summary s;
    ran = cl_relay_run(a, ctx, deadline, &s, err);
    cl_outbox_summary_json(&s, &summary);
    outbox_emit(a, ctx, &s);
    type = CL_FAULT_OUTBOX;
  }
  db_session_set_deadline(a->app->db, 0);
  int out = finish(ctx, ran, err, &summary, response, fault, type);
  lr_buf_free(&summary);
  return out;
}

/* ---- the lr_handler ------------------------------------------------------ */

static int cl_init(void **app, const lr_logger *log, lr_fault *fault) {
  cl_app *a = NULL;
  app_options opt = {.needs = CFG_NEED_DB | CFG_NEED_QUEUE | CFG_NEED_ARCHIVE};
  if (cl_app_create(&opt, NULL, log, &a, fault) != LR_HANDLER_OK) return LR_HANDLER_ERROR;
  *app = a;
  return LR_HANDLER_OK;
}

static int cl_invoke_hook(void *app, const lr_context *ctx, const char *event, size_t event_len,
                          lr_buf *response, lr_fault *fault) {
  return cl_invoke(app, ctx, event, event_len, response, fault);
}

static void cl_shutdown(void *app) { cl_app_free(app); }

const lr_handler cleanup_handler = {.name = "cleanup", .init = cl_init, .invoke = cl_invoke_hook,
                                    .shutdown = cl_shutdown};
