/* API Gateway proxy events: REST API (payload 1.0) and HTTP API (payload 2.0,
 * told apart by "version":"2.0"). Anything else is not an HTTP request and the
 * handler reports it as a fault rather than inventing an answer. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api_internal.h"
#include "lr/base64.h"
#include "lr/json.h"

#define EVENT_FAIL(...) (snprintf(err, err_len, __VA_ARGS__), false)

static const cJSON *object_or_null(const cJSON *root, const char *name) {
  const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, name);
  return cJSON_IsObject(o) ? o : NULL;
}

static const char *string_at(const cJSON *o, const char *name) {
  return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

/* HTTP API paths carry the stage name unless the stage is $default. */
static const char *strip_stage(const char *path, const char *stage) {
  size_t n = stage ? strlen(stage) : 0;
  if (n == 0 || strcmp(stage, "$default") == 0) return path;
  if (path[0] == '/' && strncmp(path + 1, stage, n) == 0 && (path[n + 1] == '/' || !path[n + 1]))
    return path[n + 1] ? path + n + 1 : "/";
  return path;
}

/* A path longer than any route cannot match one: keep a marker, not a prefix
 * that might. */
static void set_path(api_request *req, const char *path) {
  if (strlen(path) < sizeof req->path) snprintf(req->path, sizeof req->path, "%s", path);
  else snprintf(req->path, sizeof req->path, "%s", "/(path too long)");
}

static bool parse_v2(api_request *req, char *err, size_t err_len) {
  const cJSON *rc = object_or_null(req->root, "requestContext");
  const cJSON *http = rc ? object_or_null(rc, "http") : NULL;
  const char *path = string_at(req->root, "rawPath");
  req->method = http ? string_at(http, "method") : NULL;
  if (!req->method || !path) return EVENT_FAIL("HTTP API event without method or rawPath");
  path = strip_stage(path, string_at(rc, "stage"));
  set_path(req, path);
  req->headers = object_or_null(req->root, "headers");
  req->query = object_or_null(req->root, "queryStringParameters");
  return true;
}

static bool parse_v1(api_request *req, char *err, size_t err_len) {
  req->method = string_at(req->root, "httpMethod");
  const char *path = string_at(req->root, "path");
  if (!req->method || !path) return EVENT_FAIL("event is not an API Gateway proxy event");
  set_path(req, path);
  req->headers = object_or_null(req->root, "headers");
  req->mv_headers = object_or_null(req->root, "multiValueHeaders");
  req->query = object_or_null(req->root, "queryStringParameters");
  req->mv_query = object_or_null(req->root, "multiValueQueryStringParameters");
  return true;
}

static void parse_body(api_request *req) {
  const cJSON *body = cJSON_GetObjectItemCaseSensitive(req->root, "body");
  const char *text = cJSON_GetStringValue(body);
  if (!text) return;
  size_t len = strlen(text);
  req->has_body = len > 0;
  if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req->root, "isBase64Encoded"))) {
    /* 4/3 of the limit, plus padding, is the longest encoding of a body we accept. */
    if (len > (API_MAX_BODY + 2) / 3 * 4) req->body_state = API_BODY_TOO_LARGE;
    else if (lr_b64_decode(&req->body, text, len, LR_B64_STRICT) != LR_B64_OK) req->body_state = API_BODY_BAD_BASE64;
    return;
  }
  if (len > API_MAX_BODY) req->body_state = API_BODY_TOO_LARGE;
  else if (lr_buf_add(&req->body, text, len) != LR_BUF_OK) req->body_state = API_BODY_TOO_LARGE;
}

static void request_id(api_request *req, const char *fallback_id) {
  const cJSON *rc = object_or_null(req->root, "requestContext");
  const char *id = rc ? string_at(rc, "requestId") : NULL;
  if (!id || !*id) id = fallback_id ? fallback_id : "";
  /* It travels back in a header and into logs: keep printable ASCII only. */
  size_t k = 0;
  for (size_t i = 0; id[i] && k + 1 < sizeof req->request_id; i++)
    if (id[i] > 0x20 && id[i] < 0x7f) req->request_id[k++] = id[i];
  req->request_id[k] = '\0';
}

bool api_event_parse(const char *event, size_t len, const char *fallback_id, api_request *req,
                    char *err, size_t err_len) {
  memset(req, 0, sizeof *req);
  lr_buf_init(&req->body, API_MAX_BODY);
  /* The event relays what the client sent, an escaped NUL or bytes that are
   * not UTF-8 included: let it parse, and refuse those later (has_nul, the
   * body's own strict parse) with a 400 rather than fail the invocation. */
  unsigned mode = LR_JSON_ALLOW_NUL_ESCAPE | LR_JSON_ALLOW_BAD_UTF8;
  if (!event || lr_json_parse(event, len, mode, &req->root) != LR_JSON_OK) req->root = NULL;
  if (!cJSON_IsObject(req->root)) return EVENT_FAIL("event is not a JSON object");
  const char *version = string_at(req->root, "version");
  req->format = version && strcmp(version, "2.0") == 0 ? API_FORMAT_HTTP_V2 : API_FORMAT_REST_V1;
  bool ok = req->format == API_FORMAT_HTTP_V2 ? parse_v2(req, err, err_len)
                                               : parse_v1(req, err, err_len);
  if (!ok) return false;
  if (req->path[0] != '/') return EVENT_FAIL("event path does not start with '/'");
  request_id(req, fallback_id);
  parse_body(req);
  req->has_nul = lr_json_has_nul_escape(event, len);
  api_auth_read(req);
  return true;
}

void api_request_free(api_request *req) {
  if (!req) return;
  cJSON_Delete(req->root);
  req->root = NULL;
  lr_buf_free(&req->body);
}

/* Header names are case-insensitive (RFC 9110), as is cJSON_GetObjectItem. */
const char *api_request_header(const api_request *req, const char *name) {
  const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(req->headers, name));
  if (v) return v;
  const cJSON *mv = cJSON_GetObjectItem(req->mv_headers, name);
  return cJSON_IsArray(mv) ? cJSON_GetStringValue(cJSON_GetArrayItem(mv, 0)) : NULL;
}

/* REST 1.0 gives repeated parameters in multiValueQueryStringParameters; HTTP
 * API 2.0 joins them with commas, which none of our parameters may contain. */
api_query_state api_request_query(const api_request *req, const char *name, const char **value) {
  const cJSON *mv = cJSON_GetObjectItemCaseSensitive(req->mv_query, name);
  *value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req->query, name));
  if (cJSON_IsArray(mv) && cJSON_GetArraySize(mv) > 1) return API_QUERY_REPEATED;
  if (!*value && cJSON_IsArray(mv)) *value = cJSON_GetStringValue(cJSON_GetArrayItem(mv, 0));
  if (!*value) return API_QUERY_ABSENT;
  if (req->format == API_FORMAT_HTTP_V2 && strchr(*value, ',')) return API_QUERY_REPEATED;
  return API_QUERY_ONE;
}
