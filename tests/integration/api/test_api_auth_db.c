/* The authoriser's subject against a real PostgreSQL: two customers, each
 * through a different authoriser, see and cancel only their own orders, and
 * a request without an authoriser context sees every order as before. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_test.h"
#include "itest.h"

#define DB "t_auth"
#define JSON_CT "Content-Type: application/json"
#define ITEMS "\"items\":[{\"sku\":\"SKU-1\",\"quantity\":1}]"

/* Customer A through a REST Cognito authoriser, B through an HTTP API JWT
 * authoriser, and B again through a REST Lambda authoriser (principalId). */
typedef enum who { ALICE = 0, BOB_JWT = 1, BOB_LAMBDA = 2, NOBODY = 3 } who;

static api_app *app;

static at_response as(who w, const char *method, const char *path, const char *query,
                      const char *key, const char *body) {
  char kh[300];
  snprintf(kh, sizeof kh, "Idempotency-Key: %s", key ? key : "");
  const char *h[] = {JSON_CT, key ? kh : NULL, NULL};
  at_format f = w == BOB_JWT ? AT_V2 : AT_V1;
  if (w == NOBODY) return at_call(app, f, method, path, query, body ? h : NULL, body);
  char *auth = w == ALICE ? at_auth_cognito("c-alice") : w == BOB_JWT ? at_auth_jwt("c-bob") : at_auth_lambda("c-bob");
  char *ev = at_event_auth(f, method, path, query, body ? h : NULL, body, auth);
  at_response r = at_invoke(app, ev);
  free(ev);
  free(auth);
  return r;
}

static int status_of(who w, const char *method, const char *path, const char *query) {
  at_response r = as(w, method, path, query, NULL, NULL);
  int st = r.status;
  at_response_free(&r);
  return st;
}

/* Creates an order as w and copies its id to id. */
static void create(who w, const char *body, char id[64]) {
  at_response r = as(w, "POST", "/orders", NULL, NULL, body);
  ck_assert_msg(r.status == 201, "%d %s", r.status, r.raw_body);
  snprintf(id, 64, "%s", at_body_str(&r, "id"));
  at_response_free(&r);
}

static void setup(void) {
  it_fresh_seeded(DB);
  app = at_app_db(it_server()->port, DB, NULL);
}
static void teardown(void) { api_app_free(app); }

START_TEST(create_takes_the_subject) {
  at_response r = as(ALICE, "POST", "/orders", NULL, "k-1", "{" ITEMS "}");
  ck_assert_msg(r.status == 201, "%d %s", r.status, r.raw_body);
  ck_assert_str_eq(at_body_str(&r, "customer_id"), "c-alice");
  /* the same request with customer_id written out is the same request: a replay */
  at_response again = as(ALICE, "POST", "/orders", NULL, "k-1", "{\"customer_id\":\"c-alice\"," ITEMS "}");
  ck_assert_int_eq(again.status, 201);
  ck_assert_str_eq(at_header(&again, "Idempotent-Replayed"), "true");
  ck_assert_str_eq(again.raw_body, r.raw_body);
  at_response_free(&again);
  at_response_free(&r);
  /* for another customer: refused, nothing written */
  r = as(BOB_JWT, "POST", "/orders", NULL, NULL, "{\"customer_id\":\"c-alice\"," ITEMS "}");
  ck_assert_int_eq(r.status, 403);
  at_response_free(&r);
  ck_assert_int_eq(it_count(DB, "SELECT count(*) FROM orders"), 1);
}
END_TEST

START_TEST(get_and_cancel_only_own_orders) {
  char a[64], b[64], pa[128], pb[128], ca[160], cb[160];
  create(ALICE, "{" ITEMS "}", a);
  create(BOB_JWT, "{\"customer_id\":\"c-bob\"," ITEMS "}", b);
  snprintf(pa, sizeof pa, "/orders/%s", a), snprintf(pb, sizeof pb, "/orders/%s", b);
  snprintf(ca, sizeof ca, "%s/cancel", pa), snprintf(cb, sizeof cb, "%s/cancel", pb);
  /* another customer's order does not exist for them: 404, as an unknown id */
  ck_assert_int_eq(status_of(BOB_JWT, "GET", pa, NULL), 404);
  ck_assert_int_eq(status_of(BOB_LAMBDA, "GET", pa, NULL), 404);
  ck_assert_int_eq(status_of(ALICE, "GET", pb, NULL), 404);
  ck_assert_int_eq(status_of(BOB_JWT, "POST", ca, NULL), 404);
  ck_assert_int_eq(status_of(BOB_LAMBDA, "POST", ca, NULL), 404);
  ck_assert_int_eq(it_count(DB, "SELECT count(*) FROM orders WHERE status = 'PENDING'"), 2);
  /* their own */
  ck_assert_int_eq(status_of(ALICE, "GET", pa, NULL), 200);
  ck_assert_int_eq(status_of(BOB_LAMBDA, "GET", pb, NULL), 200);
  ck_assert_int_eq(status_of(ALICE, "POST", ca, NULL), 200);
  ck_assert_int_eq(status_of(ALICE, "POST", ca, NULL), 409);
  ck_assert_int_eq(status_of(BOB_LAMBDA, "POST", ca, NULL), 404); /* not 409 either */
  ck_assert_int_eq(status_of(BOB_JWT, "POST", cb, NULL), 200);
  /* without an authoriser: every order, as before */
  ck_assert_int_eq(status_of(NOBODY, "GET", pa, NULL), 200);
  ck_assert_int_eq(status_of(NOBODY, "GET", pb, NULL), 200);
}
END_TEST

static int list_count(who w, const char *query, const char *only) {
  at_response r = as(w, "GET", "/orders", query, NULL, NULL);
  ck_assert_msg(r.status == 200, "%d %s", r.status, r.raw_body);
  const cJSON *items = cJSON_GetObjectItem(r.body, "items"), *it;
  cJSON_ArrayForEach(it, items)
    if (only) ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(it, "customer_id")), only);
  int n = cJSON_GetArraySize(items);
  at_response_free(&r);
  return n;
}

START_TEST(list_only_own_orders) {
  char id[64];
  for (int i = 0; i < 3; i++) create(ALICE, "{" ITEMS "}", id);
  create(BOB_JWT, "{" ITEMS "}", id);
  ck_assert_int_eq(list_count(ALICE, NULL, "c-alice"), 3);
  ck_assert_int_eq(list_count(ALICE, "customer_id=c-alice", "c-alice"), 3);
  ck_assert_int_eq(list_count(BOB_JWT, NULL, "c-bob"), 1);
  ck_assert_int_eq(list_count(BOB_LAMBDA, "status=PENDING", "c-bob"), 1);
  ck_assert_int_eq(status_of(BOB_JWT, "GET", "/orders", "customer_id=c-alice"), 403);
  ck_assert_int_eq(status_of(BOB_LAMBDA, "GET", "/orders", "customer_id=c-alice"), 403);
  ck_assert_int_eq(list_count(NOBODY, NULL, NULL), 4);
  /* pages: Alice's cursor keeps to Alice */
  at_response r = as(ALICE, "GET", "/orders", "limit=2", NULL, NULL);
  ck_assert_int_eq(r.status, 200);
  char q[160];
  snprintf(q, sizeof q, "limit=2&cursor=%s", at_body_str(&r, "next_cursor"));
  at_response_free(&r);
  ck_assert_int_eq(list_count(ALICE, q, "c-alice"), 1);
  ck_assert_int_eq(status_of(BOB_JWT, "GET", "/orders", q), 400); /* made for another customer */
}
END_TEST

int main(void) {
  Suite *s = suite_create("integration.api.auth_db");
  TCase *tc = tcase_create("auth_db");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, create_takes_the_subject);
  tcase_add_test(tc, get_and_cancel_only_own_orders);
  tcase_add_test(tc, list_only_own_orders);
  suite_add_tcase(s, tc);
  return it_main(s, NULL);
}
