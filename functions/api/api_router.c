/* The route table, as data: a row per route with the function that answers
 * it (a route that lists API_PROBLEM_FORBIDDEN reads the authoriser's
 * identity, and the dispatcher refuses an unusable one before it runs); the
 * handler dispatches on it and tests/unit/api compares it with
 * docs/openapi.yaml and serverless.yml. To add a route: one row here, its
 * function, its operation in docs/openapi.yaml, its http event in
 * serverless.yml, and its tests. */
#include <stdio.h>
#include <string.h>

#include "api_internal.h"

static const api_route api_routes[] = {
    {"POST", "/orders", api_orders_create,
     {API_PROBLEM_MALFORMED_JSON, API_PROBLEM_PAYLOAD_TOO_LARGE, API_PROBLEM_UNSUPPORTED_MEDIA_TYPE,
      API_PROBLEM_VALIDATION_FAILED, API_PROBLEM_IDEMPOTENCY_KEY_REUSED, API_PROBLEM_UNAVAILABLE,
      API_PROBLEM_FORBIDDEN}},
    {"GET", "/orders", api_orders_list,
     {API_PROBLEM_INVALID_CURSOR, API_PROBLEM_INVALID_PARAMETER, API_PROBLEM_UNAVAILABLE,
      API_PROBLEM_FORBIDDEN}},
    {"GET", "/orders/{id}", api_orders_get,
     {API_PROBLEM_NOT_FOUND, API_PROBLEM_UNAVAILABLE, API_PROBLEM_FORBIDDEN}},
    {"POST", "/orders/{id}/cancel", api_orders_cancel,
     {API_PROBLEM_NOT_FOUND, API_PROBLEM_NOT_CANCELLABLE, API_PROBLEM_UNAVAILABLE,
      API_PROBLEM_FORBIDDEN}},
    {"GET", "/health", api_health_live, {API_PROBLEM_NONE}},
    {"GET", "/health/ready", api_health_ready, {API_PROBLEM_UNAVAILABLE}},
};
#define API_NROUTES (sizeof api_routes / sizeof api_routes[0])

bool api_route_can_answer(const api_route *r, api_problem p) {
  for (size_t i = 0; i < API_ROUTE_MAX_PROBLEMS && r->problems[i] != API_PROBLEM_NONE; i++)
    if (r->problems[i] == p) return true;
  return false;
}

size_t api_route_count(void) { return API_NROUTES; }

const api_route *api_route_at(size_t i) { return i < API_NROUTES ? &api_routes[i] : NULL; }

/* Segment by segment; "{…}" matches one non-empty segment. */
static int path_matches(const char *tpl, const char *path, char param[API_PARAM_LEN]) {
  while (*tpl && *path) {
    if (*tpl != '/' || *path != '/') return 0;
    tpl++, path++;
    size_t tl = strcspn(tpl, "/"), pl = strcspn(path, "/");
    if (tpl[0] == '{') {
      if (pl == 0 || pl >= API_PARAM_LEN) return 0;
      memcpy(param, path, pl);
      param[pl] = '\0';
    } else if (tl != pl || strncmp(tpl, path, tl) != 0) {
      return 0;
    }
    tpl += tl, path += pl;
  }
  return *tpl == '\0' && *path == '\0';
}

static void allow_add(char allow[64], const char *method) {
  if (strstr(allow, method)) return;
  size_t n = strlen(allow);
  snprintf(allow + n, 64 - n, "%s%s", n ? ", " : "", method);
}

api_match api_route_find(const char *method, const char *path, api_route_match *m) {
  memset(m, 0, sizeof *m);
  int path_seen = 0;
  char param[API_PARAM_LEN];
  for (size_t i = 0; i < API_NROUTES; i++) {
    param[0] = '\0';
    if (!path_matches(api_routes[i].path, path, param)) continue;
    path_seen = 1;
    allow_add(m->allow, api_routes[i].method);
    if (strcmp(api_routes[i].method, method) == 0) {
      m->route = &api_routes[i];
      memcpy(m->param, param, sizeof param);
      return API_MATCH_OK;
    }
  }
  return path_seen ? API_MATCH_NO_METHOD : API_MATCH_NO_PATH;
}
