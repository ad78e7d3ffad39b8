/* API Gateway event building and answer translation, on hostile input too. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "ll_apigw_event.h"
#include "ll_apigw_reply.h"
#include "ll_tests.h"
#include "lr/buf.h"

static cJSON *event_of(const char *method, const char *target, const ll_header *h, size_t nh, const char *body,
                       size_t blen, ll_api_format f) {
  ll_http_request rq = {.method = method, .target = target, .protocol = "HTTP/1.1", .headers = h,
                        .header_count = nh, .body = body, .body_len = blen, .source_ip = "127.0.0.1",
                        .request_id = "req-1", .epoch_ms = 1700000000123};
  ll_apigw_opts o = {.format = f, .stage = "local"};
  char *json = NULL, err[LL_ERR_LEN] = "";
  size_t len = 0;
  ck_assert_int_eq(ll_apigw_event(&rq, &o, &json, &len, err, sizeof err), LL_OK);
  ck_assert_uint_eq(len, strlen(json));
  cJSON *j = cJSON_Parse(json);
  free(json);
  ck_assert_ptr_nonnull(j);
  return j;
}

static const char *str_at(const cJSON *j, const char *a, const char *b) {
  const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, a);
  if (b) o = cJSON_GetObjectItemCaseSensitive(o, b);
  return cJSON_IsString(o) ? o->valuestring : NULL;
}

START_TEST(rest_event_proxy_resource) {
  ll_header h[] = {{"X-Dup", "1"}, {"X-Dup", "2"}, {"Content-Type", "application/json"}};
  cJSON *j = event_of("POST", "/orders/a%20b?x=1&x=2&flag&e=%26", h, 3, "{\"k\":1}", 7, LL_API_REST);
  ck_assert_str_eq(str_at(j, "resource", NULL), "/{proxy+}");
  ck_assert_str_eq(str_at(j, "path", NULL), "/orders/a b");
  ck_assert_str_eq(str_at(j, "httpMethod", NULL), "POST");
  ck_assert_str_eq(str_at(j, "pathParameters", "proxy"), "orders/a b");
  ck_assert_str_eq(str_at(j, "headers", "X-Dup"), "2");
  ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "multiValueHeaders"), "X-Dup")), 2);
  ck_assert_str_eq(str_at(j, "queryStringParameters", "x"), "2");
  ck_assert_str_eq(str_at(j, "queryStringParameters", "flag"), "");
  ck_assert_str_eq(str_at(j, "queryStringParameters", "e"), "&");
  ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "multiValueQueryStringParameters"), "x")), 2);
  ck_assert_str_eq(str_at(j, "body", NULL), "{\"k\":1}");
  ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "isBase64Encoded")));
  const cJSON *rc = cJSON_GetObjectItem(j, "requestContext");
  ck_assert_str_eq(str_at(rc, "requestId", NULL), "req-1");
  ck_assert_str_eq(str_at(rc, "stage", NULL), "local");
  ck_assert_str_eq(str_at(rc, "path", NULL), "/local/orders/a b");
  ck_assert_str_eq(str_at(rc, "identity", "sourceIp"), "127.0.0.1");
  ck_assert_str_eq(str_at(rc, "requestTime", NULL), "14/Nov/2023:22:13:20 +0000");
  ck_assert(cJSON_GetObjectItem(rc, "requestTimeEpoch")->valuedouble == 1700000000123.0);
  cJSON_Delete(j);
}
END_TEST

START_TEST(rest_event_root_and_empty) {
  cJSON *j = event_of("GET", "/", NULL, 0, "", 0, LL_API_REST);
  ck_assert_str_eq(str_at(j, "resource", NULL), "/");
  ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "pathParameters")));
  ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "queryStringParameters")));
  ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "multiValueHeaders")));
  ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "body")));
  cJSON_Delete(j);
}
END_TEST

START_TEST(http_event_cookies_and_joins) {
  ll_header h[] = {{"X-Dup", "1"}, {"x-dup", "2"}, {"Cookie", "a=1; b=2;;  c=3 "}};
  cJSON *j = event_of("GET", "/p?x=1&x=2", h, 3, NULL, 0, LL_API_HTTP);
  ck_assert_str_eq(str_at(j, "version", NULL), "2.0");
  ck_assert_str_eq(str_at(j, "rawPath", NULL), "/p");
  ck_assert_str_eq(str_at(j, "rawQueryString", NULL), "x=1&x=2");
  ck_assert_str_eq(str_at(j, "headers", "x-dup"), "1,2");
  ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "headers"), "cookie"));
  const cJSON *c = cJSON_GetObjectItem(j, "cookies");
  ck_assert_int_eq(cJSON_GetArraySize(c), 3);
  ck_assert_str_eq(cJSON_GetArrayItem(c, 2)->valuestring, "c=3");
  ck_assert_str_eq(str_at(j, "queryStringParameters", "x"), "1,2");
  ck_assert_str_eq(str_at(cJSON_GetObjectItem(j, "requestContext"), "http", "method"), "GET");
  cJSON_Delete(j);
}
END_TEST

START_TEST(binary_and_invalid_utf8_bodies_are_base64) {
  ll_header bin[] = {{"Content-Type", "image/png"}};
  cJSON *j = event_of("POST", "/b", bin, 1, "\x89PNG", 4, LL_API_REST);
  ck_assert_str_eq(str_at(j, "body", NULL), "iVBORw==");
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "isBase64Encoded")));
  cJSON_Delete(j);
  ll_header txt[] = {{"Content-Type", "text/plain"}};
  j = event_of("POST", "/b", txt, 1, "a\0b", 3, LL_API_HTTP); /* a NUL cannot travel in a JSON text body */
  ck_assert_str_eq(str_at(j, "body", NULL), "YQBi");
  cJSON_Delete(j);
  j = event_of("POST", "/b", txt, 1, "\xc3\x28", 2, LL_API_HTTP);
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "isBase64Encoded")));
  cJSON_Delete(j);
}
END_TEST

START_TEST(hostile_targets_refused) {
  ll_http_request rq = {.method = "GET", .protocol = "HTTP/1.1", .source_ip = "127.0.0.1", .request_id = "r"};
  ll_apigw_opts o = {.format = LL_API_REST, .stage = "local"};
  char *json = NULL, err[LL_ERR_LEN] = "";
  size_t len = 0;
  const char *bad[] = {"relative", "/a%00b", "/q?k=%00", "*"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    rq.target = bad[i];
    ck_assert_int_eq(ll_apigw_event(&rq, &o, &json, &len, err, sizeof err), LL_BAD_INPUT);
    ck_assert_ptr_null(json);
  }
  /* a malformed escape is passed on as it is, not refused */
  cJSON *j = event_of("GET", "/a%zz%4", NULL, 0, NULL, 0, LL_API_REST);
  ck_assert_str_eq(str_at(j, "path", NULL), "/a%zz%4");
  cJSON_Delete(j);
}
END_TEST

START_TEST(too_many_query_parameters) {
  lr_buf t;
  lr_buf_init(&t, 1 << 20);
  lr_buf_adds(&t, "/q?");
  for (int i = 0; i <= LL_MAX_QUERY_PARAMS; i++) lr_buf_adds(&t, "a&");
  ll_http_request rq = {.method = "GET", .target = lr_buf_str(&t), .protocol = "HTTP/1.1", .source_ip = "1", .request_id = "r"};
  ll_apigw_opts o = {.format = LL_API_REST, .stage = "local"};
  char *json = NULL, err[LL_ERR_LEN] = "";
  size_t len = 0;
  ck_assert_int_eq(ll_apigw_event(&rq, &o, &json, &len, err, sizeof err), LL_BAD_INPUT);
  lr_buf_free(&t);
}
END_TEST

static ll_http_reply reply_ok(const char *payload, ll_api_format f) {
  ll_http_reply r;
  char err[LL_ERR_LEN] = "";
  ck_assert_msg(ll_apigw_reply(payload, strlen(payload), f, &r, err, sizeof err) == LL_OK, "%s: %s", payload, err);
  return r;
}

static void reply_bad(const char *payload, ll_api_format f) {
  ll_http_reply r;
  char err[LL_ERR_LEN] = "";
  ck_assert_msg(ll_apigw_reply(payload, strlen(payload), f, &r, err, sizeof err) == LL_BAD_INPUT, "accepted: %s", payload);
  ck_assert_ptr_null(r.body);
  ck_assert_uint_eq(r.header_count, 0);
}

START_TEST(rest_reply_headers_and_body) {
  ll_http_reply r = reply_ok("{\"statusCode\":201,\"headers\":{\"A\":\"1\",\"B\":\"x\",\"N\":7},"
                             "\"multiValueHeaders\":{\"A\":[\"m1\",\"m2\"]},\"body\":\"hi\"}",
                             LL_API_REST);
  ck_assert_uint_eq(r.status, 201);
  ck_assert_uint_eq(r.header_count, 4); /* A twice from multiValueHeaders, B, N */
  ck_assert_str_eq(r.headers[0].value, "m1");
  ck_assert_str_eq(r.headers[3].value, "7");
  ck_assert_uint_eq(r.body_len, 2);
  ll_http_reply_free(&r);
  r = reply_ok("{\"statusCode\":200,\"body\":\"AAH/\",\"isBase64Encoded\":true}", LL_API_REST);
  ck_assert_uint_eq(r.body_len, 3);
  ck_assert_int_eq(memcmp(r.body, "\0\1\xff", 3), 0);
  ll_http_reply_free(&r);
}
END_TEST

START_TEST(http_reply_cookies_and_inferred) {
  ll_http_reply r = reply_ok("{\"statusCode\":\"302\",\"cookies\":[\"a=1\",\"b=2; Path=/\"]}", LL_API_HTTP);
  ck_assert_uint_eq(r.status, 302);
  ck_assert_uint_eq(r.header_count, 2);
  ck_assert_str_eq(r.headers[1].name, "Set-Cookie");
  ck_assert_str_eq(r.headers[1].value, "b=2; Path=/");
  ll_http_reply_free(&r);
  r = reply_ok("{\"just\":\"data\"}", LL_API_HTTP);
  ck_assert_uint_eq(r.status, 200);
  ck_assert_str_eq(r.body, "{\"just\":\"data\"}");
  ll_http_reply_free(&r);
}
END_TEST

/* Issue 15, defect 6: an HTTP API answer without statusCode holding a NUL
 * (raw, or escaped at the start of a string) was copied with strndup while the
 * body kept the full length: the front sent heap bytes past the copy. */
START_TEST(inferred_reply_with_nul_is_exact_or_refused) {
  static const char raw_nul[] = {' ', '\0', '4'};
  ll_http_reply r;
  char err[256] = "";
  ll_status st = ll_apigw_reply(raw_nul, sizeof raw_nul, LL_API_HTTP, &r, err, sizeof err);
  if (st == LL_OK) {
    ck_assert_uint_eq(r.body_len, sizeof raw_nul);
    ck_assert_mem_eq(r.body, raw_nul, sizeof raw_nul);
    ll_http_reply_free(&r);
  }
  static const char lead_nul[] = {'"', '\0', 'a', '"'};
  st = ll_apigw_reply(lead_nul, sizeof lead_nul, LL_API_HTTP, &r, err, sizeof err);
  if (st == LL_OK) {
    ck_assert_uint_eq(r.body_len, sizeof lead_nul);
    ck_assert_mem_eq(r.body, lead_nul, sizeof lead_nul);
    ll_http_reply_free(&r);
  }
  static const char escaped[] = "\"\\u0000 starts with a NUL\"";
  r = reply_ok(escaped, LL_API_HTTP);
  ck_assert_uint_eq(r.body_len, strlen(escaped));
  ck_assert_mem_eq(r.body, escaped, strlen(escaped));
  ll_http_reply_free(&r);
}
END_TEST

START_TEST(malformed_replies_refused) {
  const char *rest[] = {"not json", "", "[1]", "\"str\"", "{}", "{\"statusCode\":\"200\"}", "{\"statusCode\":99}",
                        "{\"statusCode\":600}", "{\"statusCode\":200.5}", "{\"statusCode\":200,\"body\":{}}",
                        "{\"statusCode\":200,\"headers\":[]}", "{\"statusCode\":200,\"headers\":{\"A\":{}}}",
                        "{\"statusCode\":200,\"headers\":{\"A\":\"x\\r\\nInjected: 1\"}}",
                        "{\"statusCode\":200,\"headers\":{\"Bad Name\":\"x\"}}",
                        "{\"statusCode\":200,\"multiValueHeaders\":{\"A\":\"x\"}}",
                        "{\"statusCode\":200,\"body\":\"***\",\"isBase64Encoded\":true}",
                        "{\"statusCode\":200,\"isBase64Encoded\":\"yes\"}", "{\"statusCode\":200} trailing"};
  for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++) reply_bad(rest[i], LL_API_REST);
  reply_bad("{\"statusCode\":200,\"cookies\":\"a=1\"}", LL_API_HTTP);
  reply_bad("{\"statusCode\":200,\"cookies\":[\"a=1\\nX: y\"]}", LL_API_HTTP);
  reply_bad("{broken", LL_API_HTTP);
}
END_TEST

START_TEST(too_many_reply_headers) {
  lr_buf p;
  lr_buf_init(&p, 1 << 20);
  lr_buf_adds(&p, "{\"statusCode\":200,\"multiValueHeaders\":{\"A\":[");
  for (int i = 0; i <= LL_MAX_HEADERS; i++) lr_buf_adds(&p, i ? ",\"v\"" : "\"v\"");
  lr_buf_adds(&p, "]}}");
  reply_bad(lr_buf_str(&p), LL_API_REST);
  lr_buf_free(&p);
}
END_TEST

START_TEST(long_header_names_kept) {
  char name[301], lower[301];
  memset(name, 'N', 300);
  memset(lower, 'n', 300);
  name[300] = lower[300] = '\0';
  ll_header h[] = {{name, "v"}};
  cJSON *j = event_of("GET", "/", h, 1, NULL, 0, LL_API_HTTP);
  ck_assert_str_eq(str_at(j, "headers", lower), "v");
  cJSON_Delete(j);
  j = event_of("GET", "/", h, 1, NULL, 0, LL_API_REST);
  ck_assert_str_eq(str_at(j, "headers", name), "v");
  cJSON_Delete(j);
}
END_TEST

Suite *ll_apigw_suite(void) {
  Suite *s = suite_create("apigw");
  TCase *core = tcase_create("core");
  tcase_add_test(core, rest_event_proxy_resource);
  tcase_add_test(core, rest_event_root_and_empty);
  tcase_add_test(core, http_event_cookies_and_joins);
  tcase_add_test(core, rest_reply_headers_and_body);
  tcase_add_test(core, http_reply_cookies_and_inferred);
  suite_add_tcase(s, core);
  TCase *limits = tcase_create("limits");
  tcase_add_test(limits, binary_and_invalid_utf8_bodies_are_base64);
  tcase_add_test(limits, hostile_targets_refused);
  tcase_add_test(limits, too_many_query_parameters);
  tcase_add_test(limits, malformed_replies_refused);
  tcase_add_test(limits, inferred_reply_with_nul_is_exact_or_refused);
  tcase_add_test(limits, too_many_reply_headers);
  tcase_add_test(limits, long_header_names_kept);
  suite_add_tcase(s, limits);
  return s;
}
