/* The inputs of the hook, all parsed strictly: CodeDeploy's event, the
 * deployment it describes (with the AppSpec inside it) and the api's answer. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lr/json.h"
#include "pd_internal.h"

#define PD_FAIL(st, ...) (snprintf(err, PD_ERR_LEN, __VA_ARGS__), (st))

static const char *string_at(const cJSON *o, const char *name) {
  return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

/* Printable ASCII without space, quote or backslash: ids end up in logs and
 * in JSON bodies, and real ones never hold anything else. */
static bool id_ok(const char *s, size_t max) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > max) return false;
  for (size_t i = 0; i < n; i++)
    if (s[i] <= 0x20 || s[i] >= 0x7F || s[i] == '"' || s[i] == '\\') return false;
  return true;
}

static bool charset_ok(const char *s, size_t max, const char *extra) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > max) return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && !strchr(extra, c)) return false;
  }
  return true;
}

pd_status pd_parse_event(const char *text, size_t len, pd_event *ev, char err[PD_ERR_LEN]) {
  memset(ev, 0, sizeof *ev);
  if (!text || len == 0 || len > PD_MAX_EVENT) return PD_FAIL(PD_BAD_EVENT, "the event is empty or over %d bytes", PD_MAX_EVENT);
  cJSON *root = NULL;
  lr_json_status js = lr_json_parse(text, len, LR_JSON_STRICT, &root);
  if (js != LR_JSON_OK) return PD_FAIL(PD_BAD_EVENT, "the event: %s", lr_json_status_message(js));
  const char *d = string_at(root, "DeploymentId");
  const char *x = string_at(root, "LifecycleEventHookExecutionId");
  pd_status st = PD_OK;
  if (!cJSON_IsObject(root) || !d || !x)
    st = PD_FAIL(PD_BAD_EVENT, "the event needs the strings DeploymentId and LifecycleEventHookExecutionId");
  else if (strncmp(d, "d-", 2) != 0 || !charset_ok(d + 2, PD_MAX_DEPLOYMENT_ID - 2, ""))
    st = PD_FAIL(PD_BAD_EVENT, "DeploymentId is not d- followed by letters and digits");
  else if (!id_ok(x, PD_MAX_EXECUTION_ID))
    st = PD_FAIL(PD_BAD_EVENT, "LifecycleEventHookExecutionId is empty, too long or not printable ASCII");
  else {
    snprintf(ev->deployment_id, sizeof ev->deployment_id, "%s", d);
    snprintf(ev->execution_id, sizeof ev->execution_id, "%s", x);
  }
  cJSON_Delete(root);
  return st;
}

/* A version is a string (as CloudFormation writes it) or an integer. */
static int version_at(const cJSON *props, const char *name, char out[PD_MAX_VERSION + 1]) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, name);
  if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble < 1e10 && v->valuedouble == (double)(long long)v->valuedouble) {
    snprintf(out, PD_MAX_VERSION + 1, "%lld", (long long)v->valuedouble);
    return 1;
  }
  const char *s = cJSON_GetStringValue(v);
  if (!charset_ok(s, PD_MAX_VERSION - 1, "") || strspn(s, "0123456789") != strlen(s)) return 0;
  snprintf(out, PD_MAX_VERSION + 1, "%s", s);
  return 1;
}

/* {"version":0.0,"Resources":[{"<logical id>":{"Type":"AWS::Lambda::Function",
 *  "Properties":{"Name":..,"Alias":..,"CurrentVersion":..,"TargetVersion":..}}}],...} */
static pd_status parse_appspec(const cJSON *spec, pd_target *t, char *err) {
  const cJSON *res = cJSON_GetObjectItemCaseSensitive(spec, "Resources");
  if (!cJSON_IsArray(res) || cJSON_GetArraySize(res) != 1)
    return PD_FAIL(PD_BAD_APPSPEC, "the AppSpec needs Resources with exactly one entry");
  const cJSON *entry = cJSON_GetArrayItem(res, 0);
  if (!cJSON_IsObject(entry) || cJSON_GetArraySize(entry) != 1)
    return PD_FAIL(PD_BAD_APPSPEC, "the AppSpec's resource must be an object with one member");
  const cJSON *props = cJSON_GetObjectItemCaseSensitive(entry->child, "Properties");
  const char *type = string_at(entry->child, "Type");
  if (type && strcmp(type, "AWS::Lambda::Function") != 0)
    return PD_FAIL(PD_BAD_APPSPEC, "the AppSpec's resource is not a Lambda function");
  const char *name = string_at(props, "Name");
  const char *alias = string_at(props, "Alias");
  if (!charset_ok(name, PD_MAX_FUNCTION_NAME, "-_:."))
    return PD_FAIL(PD_BAD_APPSPEC, "the AppSpec's Name is missing or not a function name");
  if (!charset_ok(alias, PD_MAX_ALIAS, "-_"))
    return PD_FAIL(PD_BAD_APPSPEC, "the AppSpec's Alias is missing or not an alias name");
  if (!version_at(props, "TargetVersion", t->target_version))
    return PD_FAIL(PD_BAD_APPSPEC, "the AppSpec's TargetVersion is missing or not a published version");
  if (cJSON_GetObjectItemCaseSensitive(props, "CurrentVersion") && !version_at(props, "CurrentVersion", t->current_version))
    return PD_FAIL(PD_BAD_APPSPEC, "the AppSpec's CurrentVersion is not a published version");
  snprintf(t->function_name, sizeof t->function_name, "%s", name);
  snprintf(t->alias, sizeof t->alias, "%s", alias);
  return PD_OK;
}

static pd_status parse_content(const char *content, pd_target *t, char *err) {
  size_t skip = strspn(content, " \t\r\n");
  if (content[skip] != '{')
    return PD_FAIL(PD_BAD_APPSPEC, "the AppSpec is not JSON (YAML AppSpecs are not supported)");
  cJSON *spec = NULL;
  lr_json_status js = lr_json_parse(content, strlen(content), LR_JSON_STRICT, &spec);
  if (js != LR_JSON_OK) return PD_FAIL(PD_BAD_APPSPEC, "the AppSpec: %s", lr_json_status_message(js));
  pd_status st = parse_appspec(spec, t, err);
  cJSON_Delete(spec);
  return st;
}

pd_status pd_parse_deployment(const char *text, size_t len, pd_target *t, char err[PD_ERR_LEN]) {
  memset(t, 0, sizeof *t);
  cJSON *root = NULL;
  lr_json_status js = text && len ? lr_json_parse(text, len, LR_JSON_STRICT, &root) : LR_JSON_SYNTAX;
  if (js != LR_JSON_OK) return PD_FAIL(PD_BAD_APPSPEC, "GetDeployment's answer: %s", lr_json_status_message(js));
  const cJSON *info = cJSON_GetObjectItemCaseSensitive(root, "deploymentInfo");
  const cJSON *rev = cJSON_GetObjectItemCaseSensitive(info, "revision");
  const char *type = string_at(rev, "revisionType");
  const char *content = string_at(cJSON_GetObjectItemCaseSensitive(rev, "appSpecContent"), "content");
  pd_status st;
  if (type && strcmp(type, "AppSpecContent") != 0)
    st = PD_FAIL(PD_BAD_APPSPEC, "the deployment's revision is not AppSpecContent");
  else if (!content)
    st = PD_FAIL(PD_BAD_APPSPEC, "the deployment has no deploymentInfo.revision.appSpecContent.content");
  else st = parse_content(content, t, err);
  cJSON_Delete(root);
  return st;
}

pd_status pd_check_health(const char *text, size_t len, char err[PD_ERR_LEN]) {
  cJSON *root = NULL, *body = NULL;
  lr_json_status js = text && len ? lr_json_parse(text, len, LR_JSON_STRICT, &root) : LR_JSON_SYNTAX;
  if (js != LR_JSON_OK) return PD_FAIL(PD_UNHEALTHY, "the api's answer: %s", lr_json_status_message(js));
  const cJSON *code = cJSON_GetObjectItemCaseSensitive(root, "statusCode");
  const char *text_body = string_at(root, "body");
  pd_status st = PD_OK;
  if (!cJSON_IsNumber(code)) st = PD_FAIL(PD_UNHEALTHY, "the api answered without a statusCode");
  else if (code->valuedouble != 200) st = PD_FAIL(PD_UNHEALTHY, "the api answered %d", (int)code->valuedouble);
  else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "isBase64Encoded")) || !text_body)
    st = PD_FAIL(PD_UNHEALTHY, "the api answered 200 without a JSON text body");
  else if (lr_json_parse(text_body, strlen(text_body), LR_JSON_STRICT, &body) != LR_JSON_OK)
    st = PD_FAIL(PD_UNHEALTHY, "the api answered 200 with a body that is not JSON");
  else {
    const char *status = string_at(body, "status");
    if (!status || strcmp(status, "ok") != 0) st = PD_FAIL(PD_UNHEALTHY, "the api answered 200 without \"status\":\"ok\"");
  }
  cJSON_Delete(body);
  cJSON_Delete(root);
  return st;
}

/* API Gateway REST (payload 1.0) event for GET /health/ready, as the api
 * would receive it through the gateway. */
char *pd_health_event(const char *deployment_id) {
  cJSON *e = cJSON_CreateObject();
  cJSON *h = cJSON_AddObjectToObject(e, "headers");
  cJSON *rc = cJSON_AddObjectToObject(e, "requestContext");
  char rid[PD_MAX_DEPLOYMENT_ID + 16];
  snprintf(rid, sizeof rid, "predeploy-%s", deployment_id);
  int ok = h && rc && cJSON_AddStringToObject(e, "resource", "/health/ready") &&
           cJSON_AddStringToObject(e, "path", "/health/ready") && cJSON_AddStringToObject(e, "httpMethod", "GET") &&
           cJSON_AddStringToObject(h, "Accept", "application/json") &&
           cJSON_AddStringToObject(h, "User-Agent", "orders-predeploy") &&
           cJSON_AddNullToObject(e, "queryStringParameters") && cJSON_AddNullToObject(e, "body") &&
           cJSON_AddFalseToObject(e, "isBase64Encoded") && cJSON_AddStringToObject(rc, "requestId", rid) &&
           cJSON_AddStringToObject(rc, "resourcePath", "/health/ready") &&
           cJSON_AddStringToObject(rc, "httpMethod", "GET") && cJSON_AddStringToObject(rc, "stage", "predeploy");
  char *s = ok ? cJSON_PrintUnformatted(e) : NULL;
  cJSON_Delete(e);
  return s;
}
