/* Proxy responses for both API Gateway payload formats. REST 1.0 and HTTP API
 * 2.0 take the same shape here (statusCode, headers, body, isBase64Encoded);
 * 1.0 also reads multiValueHeaders, which we never need. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_internal.h"

void api_response_init(api_response *r) {
  memset(r, 0, sizeof *r);
  r->status = 500;
  lr_buf_init(&r->body, API_RESPONSE_BODY_MAX);
}

void api_response_free(api_response *r) {
  if (r) lr_buf_free(&r->body);
}

bool api_response_header(api_response *r, const char *name, const char *fmt, ...) {
  int i = 0;
  while (i < r->nheaders && strcasecmp(r->names[i], name) != 0) i++;
  if (i == API_MAX_HEADERS) return false;
  if (i == r->nheaders) r->nheaders++;
  snprintf(r->names[i], sizeof r->names[i], "%s", name);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->values[i], sizeof r->values[i], fmt, ap);
  va_end(ap);
  return true;
}

bool api_response_json(api_response *r, int status, const char *json) {
  lr_buf_reset(&r->body);
  r->status = status;
  api_response_header(r, "Content-Type", "application/json");
  return lr_buf_adds(&r->body, json) == LR_BUF_OK;
}

/* Sent on every answer, errors included: answers carry customers' orders, so
 * no cache may keep them, and browsers must not sniff them into HTML. */
static int add_fixed_headers(cJSON *h, const char *request_id) {
  return cJSON_AddStringToObject(h, "Cache-Control", "no-store") &&
         cJSON_AddStringToObject(h, "Strict-Transport-Security",
                                 "max-age=63072000; includeSubDomains") &&
         cJSON_AddStringToObject(h, "X-Content-Type-Options", "nosniff") &&
         cJSON_AddStringToObject(h, "X-Request-Id", request_id ? request_id : "");
}

static cJSON *response_doc(const api_response *r, const char *request_id) {
  cJSON *doc = cJSON_CreateObject();
  cJSON *h = doc ? cJSON_AddObjectToObject(doc, "headers") : NULL;
  int ok = h && cJSON_AddNumberToObject(doc, "statusCode", r->status) &&
           add_fixed_headers(h, request_id);
  for (int i = 0; ok && i < r->nheaders; i++)
    ok = cJSON_AddStringToObject(h, r->names[i], r->values[i]) != NULL;
  ok = ok && cJSON_AddStringToObject(doc, "body", lr_buf_str(&r->body)) &&
       cJSON_AddBoolToObject(doc, "isBase64Encoded", 0);
  if (!ok) {
    cJSON_Delete(doc);
    return NULL;
  }
  return doc;
}

lr_buf_status api_response_write(const api_response *r, api_format format, const char *request_id,
                                 lr_buf *out) {
  (void)format; /* both formats read this shape; kept for the day they differ */
  cJSON *doc = response_doc(r, request_id);
  char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
  cJSON_Delete(doc);
  lr_buf_status st = text ? lr_buf_adds(out, text) : LR_BUF_NOMEM;
  free(text);
  return st;
}
