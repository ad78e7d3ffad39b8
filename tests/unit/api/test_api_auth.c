/* The authoriser's identity in the event (api_auth.c) without a database: the
 * app's database is a closed port, so a request that got past the identity
 * checks answers 503 and one refused before it answers 403 (or 400/422). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "api_test.h"

#define JSON_CT "Content-Type: application/json"
#define ORDER_ID "0b6f2c4e-8a1d-4c3b-9e2f-5d7a6b8c9d0e"
static api_app *app;

static void setup(void) { app = at_app_db(at_closed_port(), "orders", NULL); }
static void teardown(void) { api_app_free(app); }

static const char *const json_headers[] = {JSON_CT, NULL};

static int call_auth(at_format f, const char *method, const char *path, const char *query,
                     const char *body, const char *authorizer, const char **type) {
  char *ev = at_event_auth(f, method, path, query, body ? json_headers : NULL, body, authorizer);
  at_response r = at_invoke(app, ev);
  free(ev);
  ck_assert_int_eq(r.rc, LR_HANDLER_OK);
  static char slug[96];
  const char *t = at_body_str(&r, "type");
  snprintf(slug, sizeof slug, "%s", t ? t : "");
  if (type) *type = slug;
  int status = r.status;
  at_response_free(&r);
  return status;
}

/* Parses the event and returns the identity it carries. */
static api_identity identity_of(at_format f, const char *authorizer) {
  char *ev = at_event_auth(f, "GET", "/orders", NULL, NULL, NULL, authorizer);
  api_request req;
  char err[128];
  ck_assert(api_event_parse(ev, strlen(ev), "id", &req, err, sizeof err));
  api_identity id = req.identity;
  api_request_free(&req);
  free(ev);
  return id;
}

/* ---- reading the context ------------------------------------------------- */

START_TEST(each_authoriser_gives_its_subject) {
  char *cognito = at_auth_cognito("c-1"), *jwt = at_auth_jwt("c-2"), *lambda = at_auth_lambda("tenant.3");
  api_identity a = identity_of(AT_V1, cognito), b = identity_of(AT_V2, jwt), c = identity_of(AT_V1, lambda);
  ck_assert_int_eq(a.state, API_IDENTITY_SUBJECT);
  ck_assert_str_eq(a.subject, "c-1");
  ck_assert_int_eq(b.state, API_IDENTITY_SUBJECT);
  ck_assert_str_eq(b.subject, "c-2");
  ck_assert_int_eq(c.state, API_IDENTITY_SUBJECT);
  ck_assert_str_eq(c.subject, "tenant.3");
  free(cognito), free(jwt), free(lambda);
}
END_TEST

START_TEST(no_context_is_no_identity) {
  char *ev = at_event(AT_V1, "GET", "/orders", NULL, NULL, NULL, 0);
  api_request req;
  char err[128];
  ck_assert(api_event_parse(ev, strlen(ev), "id", &req, err, sizeof err));
  ck_assert_int_eq(req.identity.state, API_IDENTITY_NONE);
  api_request_free(&req);
  free(ev);
  /* what REST APIs send on some routes without an authoriser, and nulls */
  static const char *const none[] = {"null", "{}", "{\"principalId\":null}", "{\"claims\":null}",
                                     "{\"integrationLatency\":0}", "{\"jwt\":null,\"lambda\":null}"};
  for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
    ck_assert_msg(identity_of(AT_V1, none[i]).state == API_IDENTITY_NONE, "%s", none[i]);
    ck_assert_msg(identity_of(AT_V2, none[i]).state == API_IDENTITY_NONE, "%s", none[i]);
    ck_assert_int_eq(call_auth(AT_V1, "GET", "/orders", "customer_id=c-2", NULL, none[i], NULL), 503);
  }
}
END_TEST

typedef struct auth_case {
  at_format f;
  const char *authorizer;
} auth_case;

/* Every context below is present but names no usable subject: fail closed. */
static const auth_case unusable[] = {
    {AT_V1, "\"c-1\""},
    {AT_V1, "[]"},
    {AT_V1, "{\"claims\":{}}"},
    {AT_V1, "{\"claims\":{\"sub\":null}}"},
    {AT_V1, "{\"claims\":{\"sub\":7}}"},
    {AT_V1, "{\"claims\":{\"sub\":[\"c-1\"]}}"},
    {AT_V1, "{\"claims\":{\"sub\":\"\"}}"},
    {AT_V1, "{\"claims\":{\"sub\":\"c 1\"}}"},
    {AT_V1, "{\"claims\":{\"sub\":\"-c1\"}}"},
    {AT_V1, "{\"claims\":{\"sub\":\"c\\u00e91\"}}"},
    {AT_V1, "{\"claims\":\"c-1\",\"principalId\":\"c-1\"}"},       /* no fallback */
    {AT_V1, "{\"principalId\":\"user|c-1\"}"},
    {AT_V1, "{\"jwt\":{\"claims\":{\"sub\":\"c-1\"}}}"},            /* a 2.0 shape in a 1.0 event */
    {AT_V2, "{\"claims\":{\"sub\":\"c-1\"}}"},                      /* and the other way round */
    {AT_V2, "{\"principalId\":\"c-1\"}"},
    {AT_V2, "{\"lambda\":{\"sub\":\"c-1\"}}"},                      /* HTTP API Lambda: not honoured */
    {AT_V2, "{\"iam\":{\"userId\":\"c-1\"}}"},
    {AT_V2, "{\"jwt\":{\"claims\":null}}"},
};

START_TEST(unusable_context_is_refused) {
  ck_assert_int_eq(identity_of(unusable[_i].f, unusable[_i].authorizer).state, API_IDENTITY_INVALID);
  static const char *const routes[][2] = {
      {"GET", "/orders"}, {"GET", "/orders/" ORDER_ID}, {"POST", "/orders/" ORDER_ID "/cancel"}};
  const char *type;
  for (size_t k = 0; k < sizeof routes / sizeof routes[0]; k++) {
    ck_assert_int_eq(call_auth(unusable[_i].f, routes[k][0], routes[k][1], NULL, NULL,
                               unusable[_i].authorizer, &type), 403);
    ck_assert_str_eq(type, API_PROBLEM_TYPE_BASE "forbidden");
  }
  ck_assert_int_eq(call_auth(unusable[_i].f, "POST", "/orders", NULL,
                             "{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"S-1\",\"quantity\":1}]}",
                             unusable[_i].authorizer, &type), 403);
  /* the health routes do not read the identity */
  ck_assert_int_eq(call_auth(unusable[_i].f, "GET", "/health", NULL, NULL, unusable[_i].authorizer, NULL), 200);
}
END_TEST

/* Which of two subs would win is a guess: the event parser refuses repeated
 * keys, so such an event is a fault (Api.BadEvent), never an answer. */
static const auth_case repeated[] = {
    {AT_V1, "{\"claims\":{\"sub\":\"c-1\",\"sub\":\"c-2\"}}"},
    {AT_V1, "{\"claims\":{\"sub\":\"c-1\"},\"claims\":{\"sub\":\"c-1\"}}"},
    {AT_V1, "{\"principalId\":\"c-1\",\"principalId\":\"c-2\"}"},
    {AT_V2, "{\"jwt\":{\"claims\":{\"sub\":\"c-1\",\"sub\":\"c-2\"}}}"},
};

START_TEST(repeated_claims_are_a_fault) {
  char *ev = at_event_auth(repeated[_i].f, "GET", "/orders", NULL, NULL, NULL, repeated[_i].authorizer);
  at_response r = at_invoke(app, ev);
  free(ev);
  ck_assert_int_ne(r.rc, LR_HANDLER_OK);
  at_response_free(&r);
}
END_TEST

START_TEST(long_subject_is_refused) {
  char sub[ORDER_CUSTOMER_ID_MAX + 2];
  memset(sub, 'a', sizeof sub - 1);
  sub[sizeof sub - 1] = '\0';
  char *a = at_auth_cognito(sub);
  ck_assert_int_eq(identity_of(AT_V1, a).state, API_IDENTITY_INVALID);
  free(a);
  sub[ORDER_CUSTOMER_ID_MAX] = '\0'; /* 64: the longest customer id */
  a = at_auth_cognito(sub);
  ck_assert_int_eq(identity_of(AT_V1, a).state, API_IDENTITY_SUBJECT);
  free(a);
}
END_TEST

START_TEST(nul_in_subject_is_a_bad_request) {
  /* cJSON would read "c-1" out of "c-1\u0000c-2": the event's NUL check answers first */
  ck_assert_int_eq(call_auth(AT_V1, "GET", "/orders", NULL, NULL,
                             "{\"claims\":{\"sub\":\"c-1\\u0000c-2\"}}", NULL), 400);
}
END_TEST

/* ---- the routes with a subject ------------------------------------------- */

static char *auth_for(int kind, const char *sub) {
  return kind == 0 ? at_auth_cognito(sub) : kind == 1 ? at_auth_jwt(sub) : at_auth_lambda(sub);
}
static at_format format_for(int kind) { return kind == 1 ? AT_V2 : AT_V1; }

START_TEST(create_for_another_customer_is_forbidden) {
  char *a = auth_for(_i, "c-1");
  const char *type;
  ck_assert_int_eq(call_auth(format_for(_i), "POST", "/orders", NULL,
                             "{\"customer_id\":\"c-2\",\"items\":[{\"sku\":\"S-1\",\"quantity\":1}]}", a, &type), 403);
  ck_assert_str_eq(type, API_PROBLEM_TYPE_BASE "forbidden");
  /* an invalid body is still 422 first: nothing about the customer is told */
  ck_assert_int_eq(call_auth(format_for(_i), "POST", "/orders", NULL, "{\"customer_id\":\"c-2\",\"items\":[]}", a, NULL), 422);
  /* its own id, or none (the subject fills it in): past every check, to the database */
  ck_assert_int_eq(call_auth(format_for(_i), "POST", "/orders", NULL,
                             "{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"S-1\",\"quantity\":1}]}", a, NULL), 503);
  ck_assert_int_eq(call_auth(format_for(_i), "POST", "/orders", NULL,
                             "{\"items\":[{\"sku\":\"S-1\",\"quantity\":1}]}", a, NULL), 503);
  free(a);
}
END_TEST

START_TEST(list_of_another_customer_is_forbidden) {
  char *a = auth_for(_i, "c-1");
  const char *type;
  ck_assert_int_eq(call_auth(format_for(_i), "GET", "/orders", "customer_id=c-2", NULL, a, &type), 403);
  ck_assert_str_eq(type, API_PROBLEM_TYPE_BASE "forbidden");
  ck_assert_int_eq(call_auth(format_for(_i), "GET", "/orders", "customer_id=not%20valid", NULL, a, NULL), 403);
  ck_assert_int_eq(call_auth(format_for(_i), "GET", "/orders", "customer_id=c-1", NULL, a, NULL), 503);
  ck_assert_int_eq(call_auth(format_for(_i), "GET", "/orders", NULL, NULL, a, NULL), 503);
  ck_assert_int_eq(call_auth(format_for(_i), "GET", "/orders", "limit=0", NULL, a, NULL), 400);
  free(a);
}
END_TEST

START_TEST(without_authoriser_nothing_changes) {
  ck_assert_int_eq(call_auth(AT_V1, "GET", "/orders", "customer_id=c-2", NULL, "null", NULL), 503);
  at_response r = at_call(app, AT_V2, "GET", "/orders", "customer_id=c-2", NULL, NULL);
  ck_assert_int_eq(r.status, 503);
  at_response_free(&r);
  const char *const h[] = {JSON_CT, NULL};
  r = at_call(app, AT_V1, "POST", "/orders", NULL, h, "{\"items\":[{\"sku\":\"S-1\",\"quantity\":1}]}");
  ck_assert_int_eq(r.status, 422); /* customer_id is required without a subject */
  at_response_free(&r);
}
END_TEST

START_TEST(routes_that_read_the_identity_can_answer_403) {
  for (size_t i = 0; i < api_route_count(); i++) {
    const api_route *r = api_route_at(i);
    int orders = strncmp(r->path, "/orders", 7) == 0;
    ck_assert_msg(api_route_can_answer(r, API_PROBLEM_FORBIDDEN) == orders, "%s %s", r->method, r->path);
  }
}
END_TEST

int main(void) {
  Suite *s = suite_create("unit.api.auth");
  TCase *tc = tcase_create("auth");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, each_authoriser_gives_its_subject);
  tcase_add_test(tc, no_context_is_no_identity);
  tcase_add_loop_test(tc, unusable_context_is_refused, 0, (int)(sizeof unusable / sizeof unusable[0]));
  tcase_add_loop_test(tc, repeated_claims_are_a_fault, 0, (int)(sizeof repeated / sizeof repeated[0]));
  tcase_add_test(tc, long_subject_is_refused);
  tcase_add_test(tc, nul_in_subject_is_a_bad_request);
  tcase_add_loop_test(tc, create_for_another_customer_is_forbidden, 0, 3);
  tcase_add_loop_test(tc, list_of_another_customer_is_forbidden, 0, 3);
  tcase_add_test(tc, without_authoriser_nothing_changes);
  tcase_add_test(tc, routes_that_read_the_identity_can_answer_403);
  suite_add_tcase(s, tc);
  return at_run_suite(s);
}
