/* The route table, as data: the handler dispatches on it and the OpenAPI test
 * compares it with docs/openapi.yaml. */
#include <stdio.h>
#include <string.h>

#include "api_internal.h"

typedef struct api_route {
  api_route_info info;
  api_route_id id;
} api_route;

static const api_route api_routes[] = {
    {{"POST", "/orders"}, API_ROUTE_ORDERS_CREATE},
    {{"GET", "/orders"}, API_ROUTE_ORDERS_LIST},
    {{"GET", "/orders/{id}"}, API_ROUTE_ORDER_GET},
    {{"POST", "/orders/{id}/cancel"}, API_ROUTE_ORDER_CANCEL},
    {{"GET", "/health"}, API_ROUTE_HEALTH},
    {{"GET", "/health/ready"}, API_ROUTE_READY},
};
#define API_NROUTES (sizeof api_routes / sizeof api_routes[0])

size_t api_route_count(void) { return API_NROUTES; }

const api_route_info *api_route_at(size_t i) { return i < API_NROUTES ? &api_routes[i].info : NULL; }

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
  m->id = API_ROUTE_NONE;
  int path_seen = 0;
  char param[API_PARAM_LEN];
  for (size_t i = 0; i < API_NROUTES; i++) {
    param[0] = '\0';
    if (!path_matches(api_routes[i].info.path, path, param)) continue;
    path_seen = 1;
    allow_add(m->allow, api_routes[i].info.method);
    if (strcmp(api_routes[i].info.method, method) == 0) {
      m->id = api_routes[i].id;
      m->template_path = api_routes[i].info.path;
      memcpy(m->param, param, sizeof param);
      return API_MATCH_OK;
    }
  }
  return path_seen ? API_MATCH_NO_METHOD : API_MATCH_NO_PATH;
}
