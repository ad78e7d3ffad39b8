/* docs/openapi.yaml and the handler agree: the same set of (method, path)
 * routes, and every problem type the handler can answer with is documented. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "api_test.h"

#define MAX_OPS 64

typedef struct op {
  char method[16];
  char path[128];
} op;

static char *spec_text(void) {
  const char *p = getenv("API_OPENAPI");
  return at_read_file(p ? p : "docs/openapi.yaml", NULL);
}

/* The operations under `paths:`: path keys at two spaces, methods at four. */
static int spec_ops(op ops[MAX_OPS]) {
  static const char *const methods[] = {"get", "put", "post", "delete", "patch", "head", "options", "trace"};
  char *text = spec_text(), *save = NULL, path[128] = "";
  int n = 0, in_paths = 0;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    if (line[0] != ' ' && line[0] != '#') in_paths = strncmp(line, "paths:", 6) == 0;
    if (!in_paths) continue;
    if (strncmp(line, "  /", 3) == 0 && line[3 + strcspn(line + 3, ":")] == ':') {
      snprintf(path, sizeof path, "%.*s", (int)strcspn(line + 2, ":"), line + 2);
      continue;
    }
    for (size_t m = 0; m < sizeof methods / sizeof *methods; m++) {
      size_t ml = strlen(methods[m]);
      if (strncmp(line, "    ", 4) == 0 && line[4] != ' ' && strncmp(line + 4, methods[m], ml) == 0 &&
          line[4 + ml] == ':') {
        ck_assert_int_lt(n, MAX_OPS);
        for (size_t k = 0; k <= ml; k++) ops[n].method[k] = (char)toupper((unsigned char)methods[m][k]);
        snprintf(ops[n].path, sizeof ops[n].path, "%s", path);
        n++;
      }
    }
  }
  free(text);
  return n;
}

START_TEST(routes_match_the_spec) {
  op ops[MAX_OPS];
  int n = spec_ops(ops);
  ck_assert_int_gt(n, 0);
  ck_assert_int_eq((size_t)n, api_route_count());
  for (size_t i = 0; i < api_route_count(); i++) {
    const api_route *r = api_route_at(i);
    int found = 0;
    for (int k = 0; k < n; k++)
      found |= strcmp(ops[k].method, r->method) == 0 && strcmp(ops[k].path, r->path) == 0;
    ck_assert_msg(found, "%s %s is not in docs/openapi.yaml", r->method, r->path);
  }
  for (int k = 0; k < n; k++) {
    int found = 0;
    for (size_t i = 0; i < api_route_count(); i++)
      found |= strcmp(ops[k].method, api_route_at(i)->method) == 0 &&
               strcmp(ops[k].path, api_route_at(i)->path) == 0;
    ck_assert_msg(found, "%s %s is documented but not routed", ops[k].method, ops[k].path);
  }
  ck_assert_ptr_null(api_route_at(api_route_count()));
}
END_TEST

START_TEST(problem_types_documented) {
  char *text = spec_text();
  for (int p = API_PROBLEM_BAD_REQUEST; p <= API_PROBLEM_FORBIDDEN; p++) {
    char uri[160];
    snprintf(uri, sizeof uri, "- %s%s\n", API_PROBLEM_TYPE_BASE, api_problem_slug((api_problem)p));
    ck_assert_msg(strstr(text, uri) != NULL, "%s is not documented", uri);
  }
  free(text);
}
END_TEST

/* Issue 15, defect 5: API Gateway's own 502 (a process killed mid-request)
 * is documented on every operation, as retryable with the same key. */
START_TEST(gateway_errors_documented_as_retryable) {
  char *text = spec_text();
  op ops[MAX_OPS];
  int n = spec_ops(ops);
  size_t refs = 0;
  for (const char *p = text; (p = strstr(p, "'502': {$ref: '#/components/responses/GatewayError'}")); p++) refs++;
  ck_assert_uint_eq(refs, (size_t)n);
  const char *ge = strstr(text, "    GatewayError:");
  ck_assert_ptr_nonnull(ge);
  ck_assert_ptr_nonnull(strstr(ge, "Retryable: retry with\n        the same Idempotency-Key"));
  free(text);
}
END_TEST

static void print_statuses(const api_problem *list, size_t n, int *first) {
  for (size_t k = 0; k < n && list[k] != API_PROBLEM_NONE; k++) {
    printf("%s%d", *first ? "" : ",", api_problem_status(list[k]));
    *first = 0;
  }
}

static void print_routes(void) {
  static const api_problem common[] = API_ROUTE_COMMON_PROBLEMS;
  printf("[");
  for (size_t i = 0; i < api_route_count(); i++) {
    const api_route *r = api_route_at(i);
    int first = 1;
    printf("%s{\"method\":\"%s\",\"path\":\"%s\",\"statuses\":[", i ? "," : "", r->method, r->path);
    print_statuses(r->problems, API_ROUTE_MAX_PROBLEMS, &first);
    print_statuses(common, sizeof common / sizeof *common, &first);
    printf("]}");
  }
  printf("]\n");
}

int main(int argc, char **argv) {
  /* `test_api_openapi --routes` prints the route table as JSON, for
   * tests/unit/api/routes_agree.mjs: method, path and the statuses each route
   * can answer with (its own problems and the common ones). */
  if (argc > 1 && strcmp(argv[1], "--routes") == 0) {
    print_routes();
    return 0;
  }
  Suite *s = suite_create("unit.api.openapi");
  TCase *tc = tcase_create("spec");
  tcase_add_test(tc, routes_match_the_spec);
  tcase_add_test(tc, problem_types_documented);
  tcase_add_test(tc, gateway_errors_documented_as_retryable);
  suite_add_tcase(s, tc);
  return at_run_suite(s);
}
