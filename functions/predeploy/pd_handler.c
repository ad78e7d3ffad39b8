/* The `predeploy` handler: init builds the two AWS clients; each invocation
 * checks one deployment's target version and reports the verdict. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lr/clock.h"
#include "lr/status.h"
#include "pd_internal.h"

#define PD_FAULT_BAD_EVENT "Predeploy.BadEvent"
#define PD_FAULT_REPORT "Predeploy.ReportFailed"
/* Kept back from the checks for the status report, which must go out even
 * when a check hangs: CodeDeploy otherwise waits for its hook timeout (1 h). */
#define PD_REPORT_RESERVE_MS 4000
/* Kept back from the report for the answer to Lambda. */
#define PD_ANSWER_MARGIN_MS 300
/* One CodeDeploy attempt; the api's is bounded by the invocation only (a cold
 * version in the VPC may take seconds to connect to the database). */
#define PD_CODEDEPLOY_ATTEMPT_MS 2000
#define PD_CODEDEPLOY_ATTEMPTS 3
#define PD_LAMBDA_ATTEMPT_MS 30000
#define PD_LAMBDA_ATTEMPTS 2

static const lr_status_row pd_rows[] = {
#define PD_ROW(name, value, msg) [value] = {"PD_" #name, msg},
    PD_STATUS_MAP(PD_ROW)
#undef PD_ROW
};
static const lr_status_row pd_unknown = {"PD_UNKNOWN", "unknown status"};

const char *pd_status_name(pd_status st) { return LR_STATUS_ROW(pd_rows, st, &pd_unknown)->name; }

static void pd_app_free(pd_app *a) {
  if (!a) return;
  lr_aws_call_client_free(a->codedeploy);
  lr_aws_call_client_free(a->lambda);
  app_free(a->app);
  free(a);
}

static int clients_create(pd_app *a, lr_fault *fault) {
  const cfg_config *cfg = &a->app->cfg;
  if (!cfg->aws_region[0]) return lr_fault_set(fault, APP_FAULT_CONFIG, "AWS_REGION is required");
  lr_aws_credentials cred;
  char err[LR_AWS_ERR_LEN] = "";
  lr_aws_status st = lr_aws_credentials_from_env(&cred, err);
  lr_aws_client_config cd = {.region = cfg->aws_region, .credentials = &cred,
                             .attempt_timeout_ms = PD_CODEDEPLOY_ATTEMPT_MS, .max_attempts = PD_CODEDEPLOY_ATTEMPTS};
  lr_aws_client_config lm = {.region = cfg->aws_region, .credentials = &cred,
                             .attempt_timeout_ms = PD_LAMBDA_ATTEMPT_MS, .max_attempts = PD_LAMBDA_ATTEMPTS};
  if (st == LR_AWS_OK) st = lr_aws_call_client_create(&a->codedeploy, &cd, "codedeploy", "CODEDEPLOY", err);
  if (st == LR_AWS_OK) st = lr_aws_call_client_create(&a->lambda, &lm, "lambda", "LAMBDA", err);
  memset(&cred, 0, sizeof cred);
  if (st != LR_AWS_OK) return lr_fault_set(fault, APP_FAULT_CONFIG, "%s", err);
  return LR_HANDLER_OK;
}

static int pd_init(void **app, const lr_logger *log, lr_fault *fault) {
  pd_app *a = calloc(1, sizeof *a);
  if (!a) return lr_fault_set(fault, "Runtime.OutOfMemory", "predeploy: out of memory");
  app_options opt = {.needs = 0}; /* no database: the hook runs outside the VPC */
  if (app_create(&opt, log, &a->app, fault) != LR_HANDLER_OK || clients_create(a, fault) != LR_HANDLER_OK) {
    pd_app_free(a);
    return LR_HANDLER_ERROR;
  }
  *app = a;
  return LR_HANDLER_OK;
}

static void pd_shutdown(void *app) { pd_app_free(app); }

/* The checks, each bounded by check_deadline; PD_OK when the version is ready. */
static pd_status pd_check(pd_app *a, const lr_context *ctx, const pd_event *ev, int64_t check_deadline,
                          char *err) {
  pd_target t;
  if (lr_clock_epoch_ms() >= check_deadline)
    return snprintf(err, PD_ERR_LEN, "no time left for the checks"), PD_TIME;
  pd_status st = pd_get_deployment(a, ev, check_deadline, &t, err);
  if (st != PD_OK) return st;
  if (ctx->log)
    lr_log_kv(ctx->log, LR_LOG_INFO, "deployment read", "deployment_id", ev->deployment_id, "api_function",
              t.function_name, "alias", t.alias, "current_version", t.current_version, "target_version",
              t.target_version, NULL);
  if (lr_clock_epoch_ms() >= check_deadline)
    return snprintf(err, PD_ERR_LEN, "no time left to invoke the api"), PD_TIME;
  st = pd_invoke_health(a, ev, &t, check_deadline, err);
  if (ctx->log)
    lr_log_kv(ctx->log, st == PD_OK ? LR_LOG_INFO : LR_LOG_WARN, "health check", "deployment_id",
              ev->deployment_id, "target_version", t.target_version, "result", pd_status_name(st), "error",
              st == PD_OK ? "" : err, NULL);
  return st;
}

static int pd_answer(lr_buf *response, const pd_event *ev, int succeeded, const char *reason) {
  cJSON *o = cJSON_CreateObject();
  int ok = o && cJSON_AddStringToObject(o, "deployment_id", ev->deployment_id) &&
           cJSON_AddStringToObject(o, "status", succeeded ? "Succeeded" : "Failed") &&
           (succeeded || cJSON_AddStringToObject(o, "reason", reason));
  char *s = ok ? cJSON_PrintUnformatted(o) : NULL;
  cJSON_Delete(o);
  ok = s && lr_buf_add(response, s, strlen(s)) == LR_BUF_OK;
  cJSON_free(s);
  return ok;
}

static int pd_invoke(void *app, const lr_context *ctx, const char *event, size_t event_len,
                     lr_buf *response, lr_fault *fault) {
  pd_app *a = app;
  char err[PD_ERR_LEN] = "", rerr[PD_ERR_LEN] = "";
  pd_event ev;
  if (pd_parse_event(event, event_len, &ev, err) != PD_OK) {
    /* Without both ids there is nothing to report to: the error is the answer. */
    if (ctx->log) lr_log_kv(ctx->log, LR_LOG_ERROR, "bad event", "error", err, NULL);
    return lr_fault_set(fault, PD_FAULT_BAD_EVENT, "%s", err);
  }
  if (ctx->log) lr_log_kv(ctx->log, LR_LOG_INFO, "hook started", "deployment_id", ev.deployment_id, NULL);
  int64_t report_deadline = ctx->deadline_ms - PD_ANSWER_MARGIN_MS;
  pd_status st = pd_check(a, ctx, &ev, report_deadline - PD_REPORT_RESERVE_MS, err);
  int succeeded = st == PD_OK;
  pd_status rs = pd_report(a, &ev, succeeded, report_deadline, rerr);
  if (ctx->log)
    lr_log_kv(ctx->log, rs == PD_OK ? (succeeded ? LR_LOG_INFO : LR_LOG_WARN) : LR_LOG_ERROR,
              "status reported", "deployment_id", ev.deployment_id, "status", succeeded ? "Succeeded" : "Failed",
              "reason", succeeded ? "" : err, "report", rs == PD_OK ? "ok" : rerr, NULL);
  if (rs != PD_OK) return lr_fault_set(fault, PD_FAULT_REPORT, "%s (check: %s)", rerr, succeeded ? "ok" : err);
  if (!pd_answer(response, &ev, succeeded, err)) return lr_fault_set(fault, "Runtime.OutOfMemory", "predeploy: out of memory");
  return LR_HANDLER_OK;
}

const lr_handler predeploy_handler = {
    .name = "predeploy",
    .init = pd_init,
    .invoke = pd_invoke,
    .shutdown = pd_shutdown,
};
