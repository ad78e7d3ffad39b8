/* The handler's HTTP layer without a database: routing, base64, cursors, body
 * checks, problem documents, and whole invocations whose answers must not
 * need the database (the app's database is a closed port: a request that
 * reached it would answer 503). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "lr/json.h"
#include "api_test.h"

#define JSON_CT "Content-Type: application/json"
static api_app *app;

static void setup(void) { app = at_app_db(at_closed_port(), "orders", NULL); }
static void teardown(void) { api_app_free(app); }

/* ---- pieces -------------------------------------------------------------- */

typedef struct rcase {
  const char *method, *path;
  api_match match;
  const char *route; /* the matched row's path template, NULL when none */
  const char *param_or_allow;
} rcase;

static const rcase routes[] = {
    {"POST", "/orders", API_MATCH_OK, "/orders", ""},
    {"GET", "/orders", API_MATCH_OK, "/orders", ""},
    {"GET", "/orders/abc", API_MATCH_OK, "/orders/{id}", "abc"},
    {"POST", "/orders/abc/cancel", API_MATCH_OK, "/orders/{id}/cancel", "abc"},
    {"GET", "/health", API_MATCH_OK, "/health", ""},
    {"GET", "/health/ready", API_MATCH_OK, "/health/ready", ""},
    {"DELETE", "/orders", API_MATCH_NO_METHOD, NULL, "POST, GET"},
    {"PUT", "/orders/abc", API_MATCH_NO_METHOD, NULL, "GET"},
    {"GET", "/orders/abc/cancel", API_MATCH_NO_METHOD, NULL, "POST"},
    {"post", "/orders", API_MATCH_NO_METHOD, NULL, "POST, GET"},
    {"GET", "/orders/", API_MATCH_NO_PATH, NULL, ""},
    {"GET", "/orders//cancel", API_MATCH_NO_PATH, NULL, ""},
    {"GET", "//orders", API_MATCH_NO_PATH, NULL, ""},
    {"GET", "/", API_MATCH_NO_PATH, NULL, ""},
    {"GET", "/ORDERS", API_MATCH_NO_PATH, NULL, ""},
    {"GET", "/orders/a/b", API_MATCH_NO_PATH, NULL, ""},
    {"GET", "/healthz", API_MATCH_NO_PATH, NULL, ""},
};

/* What the api does with a body: the shared strict parse; 0 when it passes. */
static int strict_ok(const char *s, size_t n) {
  cJSON *root = NULL;
  lr_json_status st = lr_json_parse(s, n, LR_JSON_STRICT, &root);
  cJSON_Delete(root);
  return st == LR_JSON_OK ? 0 : -1;
}

START_TEST(routing_table) {
  const rcase *c = &routes[_i];
  api_route_match m;
  api_match got = api_route_find(c->method, c->path, &m);
  ck_assert_msg(got == c->match, "%s %s: %d", c->method, c->path, got);
  if (c->route) {
    ck_assert_ptr_nonnull(m.route);
    ck_assert_str_eq(m.route->path, c->route);
    ck_assert_str_eq(m.route->method, c->method);
    ck_assert_ptr_nonnull(m.route->handle);
  } else {
    ck_assert_ptr_null(m.route);
  }
  if (got == API_MATCH_OK) ck_assert_str_eq(m.param, c->param_or_allow);
  if (got == API_MATCH_NO_METHOD) ck_assert_str_eq(m.allow, c->param_or_allow);
}
END_TEST

START_TEST(cursor_round_trip_and_garbage) {
  order_list_key k = {.created_us = 1795429426610123, .id = "0f8fad5b-d9cb-469f-a165-70867728950e"};
  order_list_key out;
  lr_buf b;
  lr_buf_init(&b, API_CURSOR_MAX);
  ck_assert(api_cursor_encode(&k, "c-1", ORDER_STATUS_PENDING, &b));
  char *cur = strdup(lr_buf_str(&b));
  ck_assert(api_cursor_decode(cur, "c-1", ORDER_STATUS_PENDING, &out));
  ck_assert(out.created_us == k.created_us);
  ck_assert_str_eq(out.id, k.id);
  for (const char *p = cur; *p; p++) ck_assert(strchr("=+/", *p) == NULL);
  /* other filters */
  ck_assert(!api_cursor_decode(cur, "c-2", ORDER_STATUS_PENDING, &out));
  ck_assert(!api_cursor_decode(cur, "c-1", ORDER_STATUS_ANY, &out));
  ck_assert(!api_cursor_decode(cur, NULL, ORDER_STATUS_PENDING, &out));
  /* every single-character change is caught */
  for (size_t i = 0; cur[i]; i++) {
    char saved = cur[i];
    cur[i] = saved == 'A' ? 'B' : 'A';
    ck_assert_msg(!api_cursor_decode(cur, "c-1", ORDER_STATUS_PENDING, &out), "pos %zu", i);
    cur[i] = saved;
  }
  const char *garbage[] = {"", "x", "!!!!", "AAAA", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                           "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                           "%00", "null", "\xff\xfe"};
  for (size_t i = 0; i < sizeof garbage / sizeof *garbage; i++)
    ck_assert(!api_cursor_decode(garbage[i], NULL, ORDER_STATUS_ANY, &out));
  free(cur);
  lr_buf_free(&b);
}
END_TEST

START_TEST(body_checks) {
  ck_assert(api_body_content_type_ok("application/json"));
  ck_assert(api_body_content_type_ok("Application/JSON; charset=UTF-8"));
  ck_assert(api_body_content_type_ok("application/json;charset=\"utf-8\""));
  ck_assert(!api_body_content_type_ok(NULL));
  ck_assert(!api_body_content_type_ok("text/plain"));
  ck_assert(!api_body_content_type_ok("application/jsonp"));
  ck_assert(!api_body_content_type_ok("application/json; charset=latin1"));
  ck_assert(!api_body_content_type_ok("application/x-www-form-urlencoded"));
  ck_assert_int_eq(strict_ok("{\"a\":\"caf\xc3\xa9 \\u00e9\"}", 20), 0);
  ck_assert_int_ne(strict_ok("{\"a\":\"\xc3\"}", 9), 0);        /* cut sequence */
  ck_assert_int_ne(strict_ok("{\"a\":\"\xc0\xaf\"}", 10), 0);   /* overlong */
  ck_assert_int_ne(strict_ok("{\"a\":\"\xed\xa0\x80\"}", 11), 0); /* surrogate */
  ck_assert_int_ne(strict_ok("{\"a\":\"\xff\"}", 9), 0);
  ck_assert_int_ne(strict_ok("{\"a\":\"x\0y\"}", 11), 0);       /* NUL byte */
  ck_assert_int_ne(strict_ok("{\"a\":\"x\\u0000y\"}", 16), 0);  /* NUL escape */
  ck_assert_int_eq(strict_ok("{\"a\":\"x\\\\u0000y\"}", 17), 0); /* escaped backslash */
}
END_TEST

START_TEST(problem_document) {
  api_response r;
  api_response_init(&r);
  order_errors errs;
  order_errors_init(&errs);
  order_errors_add(&errs, "items[0].sku", "has a \"quote\" and <html>");
  api_response_problem(&r, API_PROBLEM_VALIDATION_FAILED, "bad", "/orders", "req-1", &errs);
  cJSON *doc = cJSON_Parse(lr_buf_str(&r.body));
  ck_assert_ptr_nonnull(doc);
  ck_assert_int_eq(r.status, 422);
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "type")),
                   "https://docs.orders.example/problems/validation-failed");
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "instance")), "/orders");
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "request_id")), "req-1");
  ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(doc, "status")), 422);
  const cJSON *e0 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "errors"), 0);
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(e0, "detail")), "has a \"quote\" and <html>");
  cJSON_Delete(doc);
  for (int p = API_PROBLEM_BAD_REQUEST; p <= API_PROBLEM_UNAVAILABLE; p++) {
    ck_assert_int_ge(api_problem_status((api_problem)p), 400);
    ck_assert_ptr_nonnull(api_problem_slug((api_problem)p));
  }
  api_response_free(&r);
}
END_TEST

/* ---- whole invocations --------------------------------------------------- */

static void assert_common_headers(const at_response *r) {
  ck_assert_str_eq(at_header(r, "Cache-Control"), "no-store");
  ck_assert_str_eq(at_header(r, "X-Content-Type-Options"), "nosniff");
  ck_assert_ptr_nonnull(at_header(r, "Strict-Transport-Security"));
  ck_assert_str_eq(at_header(r, "X-Request-Id"), "test-request-1");
  ck_assert_int_eq(cJSON_IsFalse(cJSON_GetObjectItem(r->root, "isBase64Encoded")), 1);
}

static void assert_problem(const at_response *r, int status, const char *slug) {
  char type[128];
  ck_assert_msg(r->status == status, "status %d, wanted %d: %s", r->status, status, r->raw_body);
  assert_common_headers(r);
  ck_assert_str_eq(at_header(r, "Content-Type"), "application/problem+json");
  snprintf(type, sizeof type, "https://docs.orders.example/problems/%s", slug);
  ck_assert_str_eq(at_body_str(r, "type"), type);
  ck_assert_str_eq(at_body_str(r, "request_id"), "test-request-1");
}

START_TEST(health_live_both_formats) {
  for (int f = AT_V1; f <= AT_V2; f++) {
    at_response r = at_call(app, (at_format)f, "GET", "/health", NULL, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    assert_common_headers(&r);
    ck_assert_str_eq(at_body_str(&r, "status"), "ok");
    at_response_free(&r);
  }
}
END_TEST

START_TEST(unknown_route_and_wrong_method) {
  at_response r = at_call(app, AT_V2, "GET", "/nope", NULL, NULL, NULL);
  assert_problem(&r, 404, "not-found");
  at_response_free(&r);
  r = at_call(app, AT_V1, "DELETE", "/orders/0f8fad5b-d9cb-469f-a165-70867728950e", NULL, NULL, NULL);
  assert_problem(&r, 405, "method-not-allowed");
  ck_assert_str_eq(at_header(&r, "Allow"), "GET");
  at_response_free(&r);
}
END_TEST

START_TEST(create_refusals_before_the_database) {
  const char *json[] = {JSON_CT, NULL};
  const char *text[] = {"Content-Type: text/plain", NULL};
  const char *bad_key[] = {JSON_CT, "Idempotency-Key: caf\xc3\xa9", NULL};
  static const char good[] = "{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":1}]}";
  struct { const char *const *h; const char *body; int status; const char *slug; } cases[] = {
      {text, good, 415, "unsupported-media-type"},
      {NULL, good, 415, "unsupported-media-type"},
      {json, NULL, 400, "malformed-json"},
      {json, "", 400, "malformed-json"},
      {json, "{\"customer_id\":", 400, "malformed-json"},
      {json, "{\"customer_id\":\"c-1\"} trailing", 400, "malformed-json"},
      {json, "{\"customer_id\":\"c\xff\"}", 400, "malformed-json"},
      {json, "{\"customer_id\":\"c\\u0000x\",\"items\":[]}", 400, "malformed-json"},
      {json, "{\"customer_id\":\"c-1\",\"customer_id\":\"c-2\",\"items\":[]}", 400, "malformed-json"},
      {bad_key, good, 400, "bad-request"},
      {json, "{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":0}]}", 422, "validation-failed"},
      {json, "[1,2,3]", 422, "validation-failed"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    at_response r = at_call(app, AT_V2, "POST", "/orders", NULL, cases[i].h, cases[i].body);
    assert_problem(&r, cases[i].status, cases[i].slug);
    at_response_free(&r);
  }
}
END_TEST

START_TEST(body_size_limit) {
  ck_assert_uint_eq(strtoul(API_MAX_BODY_TEXT, NULL, 10), API_MAX_BODY);
  const char *json[] = {JSON_CT, NULL};
  char *big = malloc(API_MAX_BODY + 2);
  memset(big, ' ', API_MAX_BODY + 1);
  big[0] = '{';
  big[API_MAX_BODY - 1] = '}';
  big[API_MAX_BODY] = '\0'; /* exactly 64 KiB: accepted by size, refused as an order */
  at_response r = at_call(app, AT_V2, "POST", "/orders", NULL, json, big);
  assert_problem(&r, 422, "validation-failed");
  at_response_free(&r);
  big[API_MAX_BODY] = ' ';
  big[API_MAX_BODY + 1] = '\0'; /* 64 KiB + 1 */
  r = at_call(app, AT_V1, "POST", "/orders", NULL, json, big);
  assert_problem(&r, 413, "payload-too-large");
  at_response_free(&r);
  free(big);
}
END_TEST

START_TEST(base64_bodies) {
  const char *json[] = {JSON_CT, NULL};
  /* {"customer_id":"c 1","items":[{"sku":"SKU-1","quantity":1}]} */
  char *ev = at_event(AT_V2, "POST", "/orders", NULL, json,
                      "eyJjdXN0b21lcl9pZCI6ImMgMSIsIml0ZW1zIjpbeyJza3UiOiJTS1UtMSIsInF1YW50aXR5IjoxfV19", 1);
  at_response r = at_invoke(app, ev);
  assert_problem(&r, 422, "validation-failed");
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(
                       cJSON_GetArrayItem(cJSON_GetObjectItem(r.body, "errors"), 0), "field")),
                   "customer_id");
  at_response_free(&r);
  free(ev);
  ev = at_event(AT_V1, "POST", "/orders", NULL, json, "not base64!", 1);
  r = at_invoke(app, ev);
  assert_problem(&r, 400, "malformed-json");
  at_response_free(&r);
  free(ev);
}
END_TEST

START_TEST(headers_in_any_case) {
  const char *mixed[] = {"CONTENT-TYPE: Application/Json", NULL};
  at_response r = at_call(app, AT_V1, "POST", "/orders", NULL, mixed, "{}");
  assert_problem(&r, 422, "validation-failed"); /* the type was recognised */
  at_response_free(&r);
}
END_TEST

START_TEST(list_and_get_parameters) {
  struct { const char *path, *query; int status; const char *slug; } cases[] = {
      {"/orders/12", NULL, 400, "invalid-parameter"},
      {"/orders/0f8fad5b-d9cb-469f-a165-70867728950e'--", NULL, 400, "invalid-parameter"},
      {"/orders", "limit=0", 400, "invalid-parameter"},
      {"/orders", "limit=101", 400, "invalid-parameter"},
      {"/orders", "limit=-1", 400, "invalid-parameter"},
      {"/orders", "limit=1e2", 400, "invalid-parameter"},
      {"/orders", "limit=99999999999999999999", 400, "invalid-parameter"},
      {"/orders", "limit=", 400, "invalid-parameter"},
      {"/orders", "status=pending", 400, "invalid-parameter"},
      {"/orders", "customer_id=a%20b", 400, "invalid-parameter"},
      {"/orders", "customer_id=c-1&customer_id=c-2", 400, "invalid-parameter"},
      {"/orders", "cursor=garbage", 400, "invalid-cursor"},
      {"/orders", "cursor=", 400, "invalid-cursor"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    for (int f = AT_V1; f <= AT_V2; f++) {
      at_response r = at_call(app, (at_format)f, "GET", cases[i].path, cases[i].query, NULL, NULL);
      assert_problem(&r, cases[i].status, cases[i].slug);
      at_response_free(&r);
    }
  }
}
END_TEST

START_TEST(database_unreachable_is_503) {
  at_response r = at_call(app, AT_V2, "GET", "/health/ready", NULL, NULL, NULL);
  assert_problem(&r, 503, "unavailable");
  ck_assert_ptr_nonnull(at_header(&r, "Retry-After"));
  at_response_free(&r);
  r = at_call(app, AT_V1, "GET", "/orders/0f8fad5b-d9cb-469f-a165-70867728950e", NULL, NULL, NULL);
  assert_problem(&r, 503, "unavailable");
  at_response_free(&r);
}
END_TEST

START_TEST(not_an_api_gateway_event_faults) {
  const char *events[] = {"", "null", "[]", "{}", "{\"httpMethod\":\"GET\"}",
                          "{\"httpMethod\":1,\"path\":\"/\"}", "{\"httpMethod\":\"GET\",\"path\":\"health\"}",
                          "{\"version\":\"2.0\",\"rawPath\":\"/health\"}", "{\"Records\":[]}", "{\"a\":"};
  for (size_t i = 0; i < sizeof events / sizeof *events; i++) {
    at_response r = at_invoke(app, events[i]);
    ck_assert_msg(r.rc == LR_HANDLER_ERROR, "%s", events[i]);
    at_response_free(&r);
  }
}
END_TEST

START_TEST(nul_anywhere_in_the_request) {
  /* the body as API Gateway passes raw bytes: a NUL byte becomes \u0000 in the event */
  const char *events[] = {
      "{\"requestContext\":{\"requestId\":\"test-request-1\"},\"httpMethod\":\"POST\",\"path\":\"/orders\",\"headers\":{\"Content-Type\":\"application/json\"},"
      "\"body\":\"{\\\"customer_id\\\":\\\"c-1\\\",\\\"items\\\":[]}\\u0000junk\"}",
      "{\"requestContext\":{\"requestId\":\"test-request-1\"},\"httpMethod\":\"GET\",\"path\":\"/health\",\"headers\":{\"X-Thing\":\"a\\u0000b\"}}",
      "{\"requestContext\":{\"requestId\":\"test-request-1\"},\"httpMethod\":\"GET\",\"path\":\"/orders\",\"queryStringParameters\":{\"customer_id\":\"c-1\\u0000x\"}}",
  };
  for (size_t i = 0; i < sizeof events / sizeof *events; i++) {
    at_response r = at_invoke(app, events[i]);
    assert_problem(&r, 400, "bad-request");
    at_response_free(&r);
  }
  /* an escaped backslash before u0000 is text, not a NUL */
  at_response r = at_invoke(app, "{\"requestContext\":{\"requestId\":\"test-request-1\"},\"httpMethod\":\"GET\",\"path\":\"/health\",\"headers\":{\"X\":\"\\\\u0000\"}}");
  ck_assert_int_eq(r.status, 200);
  at_response_free(&r);
}
END_TEST

START_TEST(one_log_line_without_body) {
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  lr_logger lg;
  lr_logger_init(&lg, out, "orders", "api");
  lg.threshold = LR_LOG_INFO;
  const char *h[] = {JSON_CT, "Idempotency-Key: key-secret-marker", NULL};
  char *ev = at_event(AT_V2, "POST", "/orders", NULL, h,
                      "{\"customer_id\":\"body-secret-marker\",\"items\":[]}", 0);
  at_response r = at_invoke_log(app, ev, &lg);
  ck_assert_int_eq(r.status, 422);
  fclose(out);
  ck_assert_ptr_null(strstr(text, "secret-marker"));
  int requests = 0, emf = 0;
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    cJSON *j = cJSON_Parse(line);
    ck_assert_msg(j != NULL, "not JSON: %s", line);
    if (cJSON_GetObjectItem(j, "_aws")) {
      emf++;
      ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "ValidationFailures")), 1);
      ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(j, "Latency")));
    } else if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(j, "message")), "request") == 0) {
      requests++;
      ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(j, "method")), "POST");
      ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(j, "route")), "/orders");
      ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "status")), 422);
      ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(j, "duration_ms")));
      ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(j, "api_request_id")), "test-request-1");
    }
    cJSON_Delete(j);
  }
  ck_assert_int_eq(requests, 1);
  ck_assert_int_eq(emf, 1);
  at_response_free(&r);
  free(ev);
  free(text);
}
END_TEST

int main(void) {
  Suite *s = suite_create("unit.api.http");
  TCase *pieces = tcase_create("pieces");
  tcase_add_loop_test(pieces, routing_table, 0, (int)(sizeof routes / sizeof routes[0]));
  tcase_add_test(pieces, cursor_round_trip_and_garbage);
  tcase_add_test(pieces, body_checks);
  tcase_add_test(pieces, problem_document);
  suite_add_tcase(s, pieces);
  TCase *inv = tcase_create("invocations");
  tcase_add_checked_fixture(inv, setup, teardown);
  tcase_set_timeout(inv, 30);
  tcase_add_test(inv, health_live_both_formats);
  tcase_add_test(inv, unknown_route_and_wrong_method);
  tcase_add_test(inv, create_refusals_before_the_database);
  tcase_add_test(inv, body_size_limit);
  tcase_add_test(inv, base64_bodies);
  tcase_add_test(inv, headers_in_any_case);
  tcase_add_test(inv, list_and_get_parameters);
  tcase_add_test(inv, database_unreachable_is_503);
  tcase_add_test(inv, not_an_api_gateway_event_faults);
  tcase_add_test(inv, one_log_line_without_body);
  tcase_add_test(inv, nul_anywhere_in_the_request);
  suite_add_tcase(s, inv);
  return at_run_suite(s);
}
