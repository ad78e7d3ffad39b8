/* The hook's three AWS calls: CodeDeploy GetDeployment, Lambda Invoke of the
 * api's target version, CodeDeploy PutLifecycleEventHookExecutionStatus. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lr/buf.h"
#include "lr/sigv4.h"
#include "pd_internal.h"

#define PD_TARGET_GET "CodeDeploy_20141006.GetDeployment"
#define PD_TARGET_PUT "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus"
#define PD_INVOKE_PATH_MAX 512

static pd_status aws_fail(lr_aws_status st, const char *what, const char *aws_err, char *err) {
  if (st == LR_AWS_NOMEM) {
    snprintf(err, PD_ERR_LEN, "%s: out of memory", what);
    return PD_NOMEM;
  }
  snprintf(err, PD_ERR_LEN, "%s: %s", what, aws_err[0] ? aws_err : lr_aws_status_message(st));
  return PD_AWS;
}

/* {"<k1>":"<v1>"[,"<k2>":"<v2>"[,"<k3>":"<v3>"]]}, NULL-terminated pairs. */
static char *json_object(const char *const *kv) {
  cJSON *o = cJSON_CreateObject();
  int ok = o != NULL;
  for (size_t i = 0; ok && kv[i]; i += 2) ok = cJSON_AddStringToObject(o, kv[i], kv[i + 1]) != NULL;
  char *s = ok ? cJSON_PrintUnformatted(o) : NULL;
  cJSON_Delete(o);
  return s;
}

pd_status pd_get_deployment(pd_app *a, const pd_event *ev, int64_t deadline_ms, pd_target *t,
                            char err[PD_ERR_LEN]) {
  const char *kv[] = {"deploymentId", ev->deployment_id, NULL};
  char *body = json_object(kv);
  if (!body) return snprintf(err, PD_ERR_LEN, "GetDeployment: out of memory"), PD_NOMEM;
  char aerr[LR_AWS_ERR_LEN] = "";
  lr_aws_call_answer ans;
  lr_aws_status st = lr_aws_json_call(a->codedeploy, PD_TARGET_GET, body, strlen(body), deadline_ms, &ans, aerr);
  cJSON_free(body);
  if (st != LR_AWS_OK) return aws_fail(st, "GetDeployment", aerr, err);
  return pd_parse_deployment(ans.body, ans.body_len, t, err);
}

/* /2015-03-31/functions/<name, encoded>/invocations */
static int invoke_path(const char *name, lr_buf *path) {
  return lr_buf_addf(path, "/2015-03-31/functions/") == LR_BUF_OK &&
         lr_sigv4_uri_encode(path, name, strlen(name), 0) == LR_AWS_OK &&
         lr_buf_addf(path, "/invocations") == LR_BUF_OK;
}

pd_status pd_invoke_health(pd_app *a, const pd_event *ev, const pd_target *t, int64_t deadline_ms,
                           char err[PD_ERR_LEN]) {
  char *event = pd_health_event(ev->deployment_id);
  lr_buf path;
  lr_buf_init(&path, PD_INVOKE_PATH_MAX);
  if (!event || !invoke_path(t->function_name, &path)) {
    cJSON_free(event);
    lr_buf_free(&path);
    return snprintf(err, PD_ERR_LEN, "Invoke: cannot build the request"), PD_NOMEM;
  }
  const lr_sigv4_pair query[] = {{"Qualifier", t->target_version, 0}};
  lr_aws_rest_request req = {.method = "POST", .path = lr_buf_str(&path), .query = query, .query_count = 1,
                             .content_type = "application/json", .body = event, .body_len = strlen(event),
                             .capture_header = "X-Amz-Function-Error"};
  char aerr[LR_AWS_ERR_LEN] = "";
  lr_aws_call_answer ans;
  lr_aws_status st = lr_aws_rest_call(a->lambda, &req, deadline_ms, &ans, aerr);
  cJSON_free(event);
  lr_buf_free(&path);
  if (st != LR_AWS_OK) return aws_fail(st, "Invoke", aerr, err);
  /* A function error is still HTTP 200: Lambda says so in this header only. */
  if (ans.captured[0]) return snprintf(err, PD_ERR_LEN, "the api version failed (%s)", ans.captured), PD_UNHEALTHY;
  return pd_check_health(ans.body, ans.body_len, err);
}

pd_status pd_report(pd_app *a, const pd_event *ev, int succeeded, int64_t deadline_ms,
                    char err[PD_ERR_LEN]) {
  const char *kv[] = {"deploymentId", ev->deployment_id, "lifecycleEventHookExecutionId", ev->execution_id,
                      "status", succeeded ? "Succeeded" : "Failed", NULL};
  char *body = json_object(kv);
  if (!body) return snprintf(err, PD_ERR_LEN, "PutLifecycleEventHookExecutionStatus: out of memory"), PD_NOMEM;
  char aerr[LR_AWS_ERR_LEN] = "";
  lr_aws_status st = lr_aws_json_call(a->codedeploy, PD_TARGET_PUT, body, strlen(body), deadline_ms, NULL, aerr);
  cJSON_free(body);
  return st == LR_AWS_OK ? PD_OK : aws_fail(st, "PutLifecycleEventHookExecutionStatus", aerr, err);
}
