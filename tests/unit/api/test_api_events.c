/* API Gateway events shaped like AWS's published samples (the JSON files in events/):
 * each is read as its format says and answered in that format. The app's
 * database is a closed port: none of these answers may need it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "api_test.h"

static char *fixture(const char *name) {
  char path[1024];
  const char *dir = getenv("API_EVENTS_DIR");
  snprintf(path, sizeof path, "%s/%s", dir ? dir : "events", name);
  return at_read_file(path, NULL);
}

static at_response invoke_fixture(const char *name) {
  api_app *a = at_app_db(at_closed_port(), "orders", NULL);
  char *ev = fixture(name);
  at_response r = at_invoke(a, ev);
  free(ev);
  api_app_free(a);
  return r;
}

START_TEST(http_v2_base64_body_is_decoded) {
  at_response r = invoke_fixture("http_v2_post_orders.json");
  ck_assert_int_eq(r.status, 422);
  ck_assert_str_eq(at_header(&r, "X-Request-Id"), "JKJaXmPLvHcESHA=");
  const cJSON *e0 = cJSON_GetArrayItem(cJSON_GetObjectItem(r.body, "errors"), 0);
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(e0, "field")), "customer_id");
  at_response_free(&r);
}
END_TEST

START_TEST(http_v2_stage_prefix_is_stripped) {
  at_response r = invoke_fixture("http_v2_get_health_stage.json");
  ck_assert_int_eq(r.status, 200);
  at_response_free(&r);
}
END_TEST

START_TEST(rest_v1_wrong_content_type) {
  at_response r = invoke_fixture("rest_v1_post_orders.json");
  ck_assert_int_eq(r.status, 415);
  ck_assert_str_eq(at_header(&r, "X-Request-Id"), "c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
  ck_assert_str_eq(at_body_str(&r, "instance"), "/orders");
  at_response_free(&r);
}
END_TEST

START_TEST(rest_v1_null_members_and_bad_id) {
  at_response r = invoke_fixture("rest_v1_get_order_bad_id.json");
  ck_assert_int_eq(r.status, 400);
  at_response_free(&r);
}
END_TEST

START_TEST(http_v1_repeated_query_parameter) {
  at_response r = invoke_fixture("http_v1_list_repeated.json");
  ck_assert_int_eq(r.status, 400);
  ck_assert_ptr_nonnull(strstr(at_body_str(&r, "detail"), "limit"));
  at_response_free(&r);
}
END_TEST

START_TEST(sqs_event_is_a_fault) {
  at_response r = invoke_fixture("sqs_event.json");
  ck_assert_int_eq(r.rc, LR_HANDLER_ERROR);
  at_response_free(&r);
}
END_TEST

START_TEST(parse_both_formats) {
  char *ev = fixture("http_v2_post_orders.json");
  api_request req;
  char err[128];
  ck_assert(api_event_parse(ev, strlen(ev), "x", &req, err, sizeof err));
  ck_assert_int_eq(req.format, API_FORMAT_HTTP_V2);
  ck_assert_str_eq(req.method, "POST");
  ck_assert_str_eq(api_request_header(&req, "Idempotency-Key"), "7f1c2d3e-order-1");
  ck_assert_str_eq(api_request_header(&req, "CONTENT-TYPE"), "application/json");
  ck_assert_ptr_null(api_request_header(&req, "X-Missing"));
  api_request_free(&req);
  free(ev);
  ev = fixture("rest_v1_post_orders.json");
  ck_assert(api_event_parse(ev, strlen(ev), "x", &req, err, sizeof err));
  ck_assert_int_eq(req.format, API_FORMAT_REST_V1);
  ck_assert_str_eq(req.path, "/orders");
  ck_assert_str_eq(api_request_header(&req, "content-type"), "text/plain");
  ck_assert_int_eq((int)req.body.len, 60);
  api_request_free(&req);
  free(ev);
}
END_TEST

int main(void) {
  Suite *s = suite_create("unit.api.events");
  TCase *tc = tcase_create("fixtures");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, http_v2_base64_body_is_decoded);
  tcase_add_test(tc, http_v2_stage_prefix_is_stripped);
  tcase_add_test(tc, rest_v1_wrong_content_type);
  tcase_add_test(tc, rest_v1_null_members_and_bad_id);
  tcase_add_test(tc, http_v1_repeated_query_parameter);
  tcase_add_test(tc, sqs_event_is_a_fault);
  tcase_add_test(tc, parse_both_formats);
  suite_add_tcase(s, tc);
  return at_run_suite(s);
}
