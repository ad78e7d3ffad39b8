/* The loop against the mock Runtime API: the exact requests it sends. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rt_test_util.h"

#define NEXT "/2018-06-01/runtime/invocation/next"
#define INIT_ERROR "/2018-06-01/runtime/init/error"

static void probe_record(const lr_context *ctx, size_t len) {
  probe *p = &the_probe;
  if (p->calls >= PROBE_MAX) return;
  int i = p->calls++;
  const char *t = getenv("_X_AMZN_TRACE_ID");
  snprintf(p->request_id[i], PROBE_STR, "%s", ctx->request_id);
  snprintf(p->trace_env[i], PROBE_STR, "%s", t ? t : "(unset)");
  snprintf(p->arn[i], PROBE_STR, "%s", ctx->invoked_function_arn);
  snprintf(p->client_context[i], PROBE_STR, "%s", ctx->client_context);
  snprintf(p->cognito[i], PROBE_STR, "%s", ctx->cognito_identity);
  p->deadline[i] = ctx->deadline_ms;
  p->remaining[i] = lr_context_remaining_ms(ctx);
  p->event_len[i] = len;
}

static int echo_invoke(void *app, const lr_context *ctx, const char *ev, size_t len, lr_buf *out,
                       lr_fault *f) {
  (void)app;
  probe_record(ctx, len);
  if (lr_buf_add(out, ev, len) != LR_BUF_OK) return lr_fault_set(f, "Test.TooBig", "append failed");
  return LR_HANDLER_OK;
}
static const lr_handler echo = {.name = "echo", .invoke = echo_invoke};

/* ---- response ---- */

START_TEST(test_response_post_exact) {
  static const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "req-1", .body = "{\"a\":1}"}};
  mock_rapi m;
  mock_rapi_start(&m, s, 1);
  ck_assert_int_eq(run_against(&m, &echo, 1), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_uint_eq(m.n_reqs, 2);
  ck_assert_str_eq(m.reqs[0].method, "GET");
  ck_assert_str_eq(m.reqs[0].path, NEXT);
  ck_assert_str_eq(m.reqs[1].method, "POST");
  ck_assert_str_eq(m.reqs[1].path, "/2018-06-01/runtime/invocation/req-1/response");
  ck_assert_str_eq(m.reqs[1].body, "{\"a\":1}");
  char v[128];
  for (int i = 0; i < 2; i++) {
    ck_assert_ptr_null(mock_req_header(&m.reqs[i], "Expect", v, sizeof v));
    ck_assert_ptr_null(mock_req_header(&m.reqs[i], "Transfer-Encoding", v, sizeof v));
  }
  ck_assert_str_eq(mock_req_header(&m.reqs[1], "Content-Length", v, sizeof v), "7");
  ck_assert_ptr_null(mock_req_header(&m.reqs[1], "Lambda-Runtime-Function-Error-Type", v, sizeof v));
  ck_assert_int_eq(the_probe.calls, 1);
  mock_rapi_free(&m);
}
END_TEST

/* One connection, reused: the Runtime API sees a keep-alive client. */
START_TEST(test_connection_reused) {
  static const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "r", .body = "1"}};
  mock_rapi m;
  mock_rapi_start(&m, s, 1);
  m.repeat_last = 1;
  ck_assert_int_eq(run_against(&m, &echo, 5), LR_RT_OK);
  ck_assert_uint_eq(m.n_conns, 1);
  mock_rapi_stop(&m);
  ck_assert_uint_eq(m.n_reqs, 10);
  mock_rapi_free(&m);
}
END_TEST

/* ---- after the response ---- */

/* What the after_response hook saw: the requests the mock had received by
 * then, and the invocation's id, still valid. */
static mock_rapi *after_mock;
static size_t after_seen_reqs[4];
static char after_seen_id[4][64];
static int after_calls;

static void after_record(void *app, const lr_context *ctx) {
  (void)app;
  if (after_calls >= 4) return;
  pthread_mutex_lock(&after_mock->mu);
  after_seen_reqs[after_calls] = after_mock->n_reqs;
  pthread_mutex_unlock(&after_mock->mu);
  snprintf(after_seen_id[after_calls], sizeof after_seen_id[0], "%s", ctx->request_id);
  after_calls++;
}

static int echo_or_fail(void *app, const lr_context *ctx, const char *ev, size_t len, lr_buf *out,
                        lr_fault *f) {
  if (strcmp(ctx->request_id, "bad") == 0) return lr_fault_set(f, "Test.Failed", "as asked");
  return echo_invoke(app, ctx, ev, len, out, f);
}
static const lr_handler with_after = {.name = "after", .invoke = echo_or_fail,
                                      .after_response = after_record};

/* The hook runs once an invocation's answer is posted (a response or an
 * error) and before the next /next: Lambda has the answer while it works. */
START_TEST(test_after_response_hook) {
  static const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "good", .body = "{}"},
                                {.kind = MOCK_EVENT, .request_id = "bad", .body = "{}"}};
  mock_rapi m;
  mock_rapi_start(&m, s, 2);
  after_mock = &m;
  after_calls = 0;
  ck_assert_int_eq(run_against(&m, &with_after, 2), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_int_eq(after_calls, 2);
  ck_assert_uint_eq(after_seen_reqs[0], 2); /* next, response */
  ck_assert_uint_eq(after_seen_reqs[1], 4); /* next, response, next, error */
  ck_assert_str_eq(after_seen_id[0], "good");
  ck_assert_str_eq(after_seen_id[1], "bad");
  ck_assert_str_eq(m.reqs[1].path, "/2018-06-01/runtime/invocation/good/response");
  ck_assert_str_eq(m.reqs[3].path, "/2018-06-01/runtime/invocation/bad/error");
  ck_assert_uint_eq(m.n_reqs, 4);
  mock_rapi_free(&m);
}
END_TEST

/* ---- errors ---- */

static const char hostile_message[] = "say \"hi\"\nback\\slash\ttab\x01\x1f bell\x07 é€😀 bad\xff\xc3";

static int fail_invoke(void *app, const lr_context *ctx, const char *ev, size_t len, lr_buf *out,
                       lr_fault *f) {
  (void)app, (void)ev, (void)out;
  probe_record(ctx, len);
  return lr_fault_set(f, "Test.Failed\r\nX-Injected: 1", "%s", hostile_message);
}
static const lr_handler failing = {.name = "fail", .invoke = fail_invoke};

START_TEST(test_error_post_escaped) {
  static const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "req-e"}};
  mock_rapi m;
  mock_rapi_start(&m, s, 1);
  ck_assert_int_eq(run_against(&m, &failing, 1), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_uint_eq(m.n_reqs, 2);
  ck_assert_str_eq(m.reqs[1].path, "/2018-06-01/runtime/invocation/req-e/error");
  char v[256];
  /* CR/LF cannot split the header: the type arrives as one sanitized value. */
  ck_assert_str_eq(mock_req_header(&m.reqs[1], "Lambda-Runtime-Function-Error-Type", v, sizeof v),
                   "Test.Failed__X-Injected: 1");
  ck_assert_ptr_null(mock_req_header(&m.reqs[1], "X-Injected", v, sizeof v));
  ck_assert_str_eq(mock_req_header(&m.reqs[1], "Content-Type", v, sizeof v), "application/json");
  cJSON *j = req_json(&m, 1);
  ck_assert_ptr_nonnull(j);
  ck_assert_str_eq(cJSON_GetObjectItem(j, "errorType")->valuestring, "Test.Failed\r\nX-Injected: 1");
  ck_assert_str_eq(cJSON_GetObjectItem(j, "errorMessage")->valuestring,
                   "say \"hi\"\nback\\slash\ttab\x01\x1f bell\x07 é€😀 bad\xef\xbf\xbd\xef\xbf\xbd");
  ck_assert(cJSON_IsArray(cJSON_GetObjectItem(j, "stackTrace")));
  ck_assert_int_eq(cJSON_GetArraySize(j), 3);
  /* Control characters travel escaped, never raw. */
  ck_assert_ptr_nonnull(strstr(m.reqs[1].body, "\\u0001"));
  ck_assert_ptr_null(memchr(m.reqs[1].body, '\n', m.reqs[1].body_len));
  cJSON_Delete(j);
  mock_rapi_free(&m);
}
END_TEST

static int silent_fail_invoke(void *app, const lr_context *ctx, const char *ev, size_t len,
                              lr_buf *out, lr_fault *f) {
  (void)app, (void)ctx, (void)ev, (void)len, (void)out, (void)f;
  return LR_HANDLER_ERROR; /* fault left empty */
}

START_TEST(test_error_without_fault_has_type) {
  static const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "r"}};
  static const lr_handler h = {.name = "x", .invoke = silent_fail_invoke};
  mock_rapi m;
  mock_rapi_start(&m, s, 1);
  ck_assert_int_eq(run_against(&m, &h, 1), LR_RT_OK);
  mock_rapi_stop(&m);
  char v[64];
  ck_assert_str_eq(mock_req_header(&m.reqs[1], "Lambda-Runtime-Function-Error-Type", v, sizeof v),
                   "Function.Error");
  cJSON *j = req_json(&m, 1);
  ck_assert_str_eq(cJSON_GetObjectItem(j, "errorMessage")->valuestring, "");
  cJSON_Delete(j);
  mock_rapi_free(&m);
}
END_TEST

/* ---- init ---- */

static int init_fails(void **app, const lr_logger *log, lr_fault *f) {
  (void)app, (void)log;
  return lr_fault_set(f, "Runtime.ConfigError", "DB_HOST is \"\"");
}
static const lr_handler init_failing = {.name = "i", .init = init_fails, .invoke = echo_invoke};

START_TEST(test_init_error) {
  mock_rapi m;
  mock_rapi_start(&m, NULL, 0);
  ck_assert_int_eq(run_against(&m, &init_failing, 0), LR_RT_INIT);
  mock_rapi_stop(&m);
  ck_assert_uint_eq(m.n_reqs, 1); /* never asks for an event */
  ck_assert_str_eq(m.reqs[0].method, "POST");
  ck_assert_str_eq(m.reqs[0].path, INIT_ERROR);
  char v[64];
  ck_assert_str_eq(mock_req_header(&m.reqs[0], "Lambda-Runtime-Function-Error-Type", v, sizeof v),
                   "Runtime.ConfigError");
  ck_assert_str_eq(m.reqs[0].body,
                   "{\"errorType\":\"Runtime.ConfigError\",\"errorMessage\":\"DB_HOST is \\\"\\\"\","
                   "\"stackTrace\":[]}");
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_unknown_handler) {
  mock_rapi m;
  mock_rapi_start(&m, NULL, 0);
  lr_run_options o;
  lr_run_options_init(&o);
  o.runtime_api = m.api;
  o.log_out = fopen("/dev/null", "w");
  ck_assert_int_eq(lr_run_unknown_handler_ex("nope\"x", &o), LR_RT_NO_HANDLER);
  fclose(o.log_out);
  mock_rapi_stop(&m);
  ck_assert_uint_eq(m.n_reqs, 1);
  ck_assert_str_eq(m.reqs[0].path, INIT_ERROR);
  cJSON *j = req_json(&m, 0);
  ck_assert_str_eq(cJSON_GetObjectItem(j, "errorType")->valuestring, "Runtime.HandlerNotFound");
  ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItem(j, "errorMessage")->valuestring, "nope\"x"));
  cJSON_Delete(j);
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_missing_runtime_api) {
  unsetenv("AWS_LAMBDA_RUNTIME_API");
  char *logs = NULL;
  size_t n = 0;
  FILE *log = open_memstream(&logs, &n);
  lr_run_options o;
  lr_run_options_init(&o);
  o.log_out = log;
  ck_assert_int_eq(lr_run_ex(&echo, &o), LR_RT_CONFIG);
  setenv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:1/x", 1); /* not host:port */
  ck_assert_int_eq(lr_run_ex(&echo, &o), LR_RT_CONFIG);
  ck_assert_int_eq(lr_run_unknown_handler_ex("x", &o), LR_RT_CONFIG);
  fclose(log);
  ck_assert_ptr_nonnull(strstr(logs, "AWS_LAMBDA_RUNTIME_API"));
  ck_assert_ptr_nonnull(strstr(logs, "\"level\":\"FATAL\""));
  free(logs);
  unsetenv("AWS_LAMBDA_RUNTIME_API");
}
END_TEST

/* ---- context ---- */

START_TEST(test_context_and_trace_env) {
  char deadline_hdr[1024];
  long long deadline = (long long)time(NULL) * 1000 + 60000;
  snprintf(deadline_hdr, sizeof deadline_hdr,
           "Lambda-Runtime-Deadline-Ms: %lld\r\n"
           "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:eu-west-1:1:function:f\r\n"
           "Lambda-Runtime-Trace-Id: Root=1-5e1b4151-5ac6c58f;Parent=d8a6;Sampled=1\r\n"
           "Lambda-Runtime-Client-Context: {\"client\":{}}\r\n"
           "Lambda-Runtime-Cognito-Identity: {\"cognitoIdentityId\":\"x\"}\r\n",
           deadline);
  const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "a", .headers = deadline_hdr},
                         {.kind = MOCK_EVENT, .request_id = "b"}};
  setenv("_X_AMZN_TRACE_ID", "left-by-the-environment", 1);
  mock_rapi m;
  mock_rapi_start(&m, s, 2);
  ck_assert_int_eq(run_against(&m, &echo, 2), LR_RT_OK);
  mock_rapi_stop(&m);
  probe *p = &the_probe;
  ck_assert_int_eq(p->calls, 2);
  ck_assert_str_eq(p->request_id[0], "a");
  ck_assert_str_eq(p->trace_env[0], "Root=1-5e1b4151-5ac6c58f;Parent=d8a6;Sampled=1");
  ck_assert_str_eq(p->arn[0], "arn:aws:lambda:eu-west-1:1:function:f");
  ck_assert_str_eq(p->client_context[0], "{\"client\":{}}");
  ck_assert_str_eq(p->cognito[0], "{\"cognitoIdentityId\":\"x\"}");
  ck_assert_int_eq(p->deadline[0], deadline);
  ck_assert(p->remaining[0] > 0 && p->remaining[0] <= 60000);
  /* The second invocation has no trace header: the variable is gone, and no
   * header leaks over from the first. */
  ck_assert_str_eq(p->trace_env[1], "(unset)");
  ck_assert_str_eq(p->arn[1], "");
  ck_assert_int_eq(p->deadline[1], 0);
  ck_assert(p->remaining[1] < 0);
  ck_assert_ptr_null(getenv("_X_AMZN_TRACE_ID"));
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_malformed_deadline) {
  static const mock_next s[] = {
      {.kind = MOCK_EVENT, .request_id = "a", .headers = "Lambda-Runtime-Deadline-Ms: 12abc\r\n"},
      {.kind = MOCK_EVENT, .request_id = "b", .headers = "Lambda-Runtime-Deadline-Ms: -5\r\n"},
      {.kind = MOCK_EVENT, .request_id = "c",
       .headers = "Lambda-Runtime-Deadline-Ms: 99999999999999999999999\r\n"}};
  mock_rapi m;
  mock_rapi_start(&m, s, 3);
  ck_assert_int_eq(run_against(&m, &echo, 3), LR_RT_OK);
  mock_rapi_stop(&m);
  for (int i = 0; i < 3; i++) ck_assert_int_eq(the_probe.deadline[i], 0);
  mock_rapi_free(&m);
}
END_TEST

Suite *loop_suite(void);
Suite *loop_suite(void) {
  Suite *s = suite_create("runtime.loop");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_response_post_exact);
  tcase_add_test(tc, test_connection_reused);
  tcase_add_test(tc, test_after_response_hook);
  tcase_add_test(tc, test_error_post_escaped);
  tcase_add_test(tc, test_error_without_fault_has_type);
  tcase_add_test(tc, test_init_error);
  tcase_add_test(tc, test_unknown_handler);
  tcase_add_test(tc, test_missing_runtime_api);
  tcase_add_test(tc, test_context_and_trace_env);
  tcase_add_test(tc, test_malformed_deadline);
  suite_add_tcase(s, tc);
  return s;
}
