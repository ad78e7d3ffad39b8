/* RFC 9457 problem documents. Built with cJSON so that every string a client
 * sent (a path, a field name) is escaped. */
#include <stdio.h>
#include <stdlib.h>

#include "api_internal.h"
#include "lr/status.h"

typedef struct api_problem_row {
  const char *name;
  int status;
  const char *slug;
  const char *title;
} api_problem_row;

static const api_problem_row api_problems[] = {
#define API_PROBLEM_ROW(name, value, http, slug, title) [value] = {#name, http, slug, title},
    API_PROBLEM_MAP(API_PROBLEM_ROW)
#undef API_PROBLEM_ROW
};

/* A value outside the table (a bug) answers as the internal error it is. */
static const api_problem_row *api_problem_find(api_problem p) {
  return LR_STATUS_ROW(api_problems, p, &api_problems[API_PROBLEM_INTERNAL]);
}

int api_problem_status(api_problem p) { return api_problem_find(p)->status; }
const char *api_problem_slug(api_problem p) { return api_problem_find(p)->slug; }
const char *api_problem_title(api_problem p) { return api_problem_find(p)->title; }

static bool add_errors(cJSON *doc, const order_errors *errs) {
  cJSON *arr = cJSON_AddArrayToObject(doc, "errors");
  if (!arr) return false;
  for (int i = 0; i < errs->n; i++) {
    cJSON *e = cJSON_CreateObject();
    if (!e || !cJSON_AddItemToArray(arr, e)) {
      cJSON_Delete(e);
      return false;
    }
    if (!cJSON_AddStringToObject(e, "field", errs->e[i].field) ||
        !cJSON_AddStringToObject(e, "detail", errs->e[i].detail))
      return false;
  }
  if (errs->dropped > 0 && !cJSON_AddNumberToObject(doc, "errors_not_shown", errs->dropped))
    return false;
  return true;
}

static cJSON *problem_doc(api_problem p, const char *detail, const char *instance,
                          const char *request_id, const order_errors *errs) {
  char type[128];
  snprintf(type, sizeof type, "%s%s", API_PROBLEM_TYPE_BASE, api_problem_slug(p));
  cJSON *doc = cJSON_CreateObject();
  int ok = doc && cJSON_AddStringToObject(doc, "type", type) &&
           cJSON_AddStringToObject(doc, "title", api_problem_title(p)) &&
           cJSON_AddNumberToObject(doc, "status", api_problem_status(p)) &&
           cJSON_AddStringToObject(doc, "detail", detail ? detail : api_problem_title(p)) &&
           cJSON_AddStringToObject(doc, "instance", instance ? instance : "") &&
           cJSON_AddStringToObject(doc, "request_id", request_id ? request_id : "");
  if (ok && errs) ok = add_errors(doc, errs);
  if (!ok) {
    cJSON_Delete(doc);
    return NULL;
  }
  return doc;
}

int api_response_problem(api_response *r, api_problem p, const char *detail, const char *instance,
                         const char *request_id, const order_errors *errs) {
  cJSON *doc = problem_doc(p, detail, instance, request_id, errs);
  char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
  cJSON_Delete(doc);
  lr_buf_reset(&r->body);
  r->status = api_problem_status(p);
  /* Out of memory while describing a problem: a fixed document still says 500. */
  int rc = 0;
  if (!text || lr_buf_adds(&r->body, text) != LR_BUF_OK) {
    r->status = 500;
    lr_buf_adds(&r->body, "{\"title\":\"Internal error\",\"status\":500}");
    rc = -1;
  }
  free(text);
  api_response_header(r, "Content-Type", "application/problem+json");
  return rc;
}
