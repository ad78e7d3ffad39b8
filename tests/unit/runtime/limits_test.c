/* The loop at its limits: transient failures, huge payloads, broken answers,
 * and a handler that crashes. */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rt_test_util.h"

#define NEXT "/2018-06-01/runtime/invocation/next"

static int echo_invoke(void *app, const lr_context *ctx, const char *ev, size_t len, lr_buf *out,
                       lr_fault *f) {
  (void)app;
  if (the_probe.calls < PROBE_MAX) {
    snprintf(the_probe.request_id[the_probe.calls], PROBE_STR, "%s", ctx->request_id);
    the_probe.event_len[the_probe.calls] = len;
  }
  the_probe.calls++;
  if (lr_buf_add(out, ev, len) != LR_BUF_OK) return lr_fault_set(f, "Test.TooBig", "append failed");
  return LR_HANDLER_OK;
}
static const lr_handler echo = {.name = "echo", .invoke = echo_invoke};

/* ---- transient failures ---- */

/* The limit's number and the text quoted in Lambda's error say the same. */
START_TEST(test_payload_limit_text) {
  ck_assert_uint_eq(strtoul(LR_MAX_PAYLOAD_BYTES_TEXT, NULL, 10), LR_MAX_PAYLOAD_BYTES);
  ck_assert_uint_eq(LR_MAX_RESPONSE_BYTES, 6u * 1024u * 1024u + 100u);
}
END_TEST

START_TEST(test_next_retried_after_5xx) {
  static const mock_next s[] = {{.kind = MOCK_STATUS, .status = 500},
                                {.kind = MOCK_STATUS, .status = 503},
                                {.kind = MOCK_EVENT, .request_id = "r1", .body = "\"x\""}};
  mock_rapi m;
  mock_rapi_start(&m, s, 3);
  ck_assert_int_eq(run_against(&m, &echo, 1), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_uint_eq(m.n_gets, 3);
  ck_assert_int_ge(mock_find(&m, "POST", "/2018-06-01/runtime/invocation/r1/response", 0), 0);
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_post_retried_after_5xx) {
  static const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "r1", .body = "[1]"}};
  mock_rapi m;
  mock_rapi_start(&m, s, 1);
  m.post_failures = 2;
  ck_assert_int_eq(run_against(&m, &echo, 1), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_uint_eq(m.n_posts, 3);
  ck_assert_str_eq(m.reqs[3].body, "[1]");
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_gives_up_on_persistent_5xx) {
  static const mock_next s[] = {{.kind = MOCK_STATUS, .status = 500}};
  mock_rapi m;
  mock_rapi_start(&m, s, 1);
  m.repeat_last = 1;
  ck_assert_int_eq(run_against(&m, &echo, 0), LR_RT_HTTP);
  mock_rapi_stop(&m);
  ck_assert_uint_eq(m.n_gets, 3); /* one try + max_retries (2) */
  ck_assert_int_eq(the_probe.calls, 0);
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_gives_up_when_refused) {
  mock_rapi m;
  memset(&m, 0, sizeof m);
  snprintf(m.api, sizeof m.api, "127.0.0.1:%d", mock_dead_port());
  ck_assert_int_eq(run_against(&m, &echo, 0), LR_RT_TRANSPORT);
}
END_TEST

START_TEST(test_gives_up_when_post_keeps_failing) {
  static const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "r1"}};
  mock_rapi m;
  mock_rapi_start(&m, s, 1);
  m.post_failures = 100;
  ck_assert_int_ne(run_against(&m, &echo, 0), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_uint_eq(m.n_posts, 3);
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_response_refused_413_becomes_error) {
  static const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "r", .body = "{}"}};
  mock_rapi m;
  mock_rapi_start(&m, s, 1);
  m.response_refusals = 1, m.refusal_status = 413;
  ck_assert_int_eq(run_against(&m, &echo, 1), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_uint_eq(m.n_posts, 2); /* refused response, then the error; no retry of a 413 */
  char v[64];
  ck_assert_str_eq(mock_req_header(&m.reqs[2], "Lambda-Runtime-Function-Error-Type", v, sizeof v),
                   "Function.ResponseSizeTooLarge");
  ck_assert_str_eq(m.reqs[2].path, "/2018-06-01/runtime/invocation/r/error");
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_response_refused_400_loses_only_that_invocation) {
  static const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "r1", .body = "1"},
                                {.kind = MOCK_EVENT, .request_id = "r2", .body = "2"}};
  mock_rapi m;
  mock_rapi_start(&m, s, 2);
  m.response_refusals = 1, m.refusal_status = 400;
  ck_assert_int_eq(run_against(&m, &echo, 2), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_uint_eq(m.n_posts, 2); /* a 4xx is not retried */
  ck_assert_int_ge(mock_find(&m, "POST", "/2018-06-01/runtime/invocation/r2/response", 0), 0);
  mock_rapi_free(&m);
}
END_TEST

/* ---- broken answers ---- */

START_TEST(test_connection_dropped_mid_answer) {
  static const mock_next s[] = {{.kind = MOCK_DROP_MID, .request_id = "lost", .body = "{\"half\":\"of this\"}"},
                                {.kind = MOCK_EVENT, .request_id = "r2", .body = "{\"ok\":1}"}};
  mock_rapi m;
  mock_rapi_start(&m, s, 2);
  ck_assert_int_eq(run_against(&m, &echo, 1), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_int_eq(the_probe.calls, 1);
  ck_assert_str_eq(the_probe.request_id[0], "r2");
  ck_assert_int_eq(mock_find(&m, "POST", "/2018-06-01/runtime/invocation/lost/response", 0), -1);
  long i = mock_find(&m, "POST", "/2018-06-01/runtime/invocation/r2/response", 0);
  ck_assert_int_ge(i, 0);
  ck_assert_str_eq(m.reqs[i].body, "{\"ok\":1}");
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_next_without_request_id) {
  static const mock_next s[] = {{.kind = MOCK_NO_ID, .body = "{}"},
                                {.kind = MOCK_EVENT, .request_id = "../../init/error"},
                                {.kind = MOCK_EVENT, .request_id = "r3", .body = "3"}};
  mock_rapi m;
  mock_rapi_start(&m, s, 3);
  ck_assert_int_eq(run_against(&m, &echo, 1), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_int_eq(the_probe.calls, 1);
  ck_assert_uint_eq(m.n_gets, 3);
  ck_assert_uint_eq(m.n_posts, 1); /* nothing posted for the unusable ones */
  ck_assert_str_eq(m.reqs[3].path, "/2018-06-01/runtime/invocation/r3/response");
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_gives_up_on_endless_malformed_nexts) {
  static const mock_next s[] = {{.kind = MOCK_NO_ID}};
  mock_rapi m;
  mock_rapi_start(&m, s, 1);
  m.repeat_last = 1;
  ck_assert_int_eq(run_against(&m, &echo, 0), LR_RT_PROTOCOL);
  mock_rapi_stop(&m);
  ck_assert_uint_eq(m.n_gets, 3);
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_oversized_header_is_malformed) {
  size_t n = 9000;
  char *hdr = malloc(n + 64);
  memcpy(hdr, "Lambda-Runtime-Client-Context: ", 31);
  memset(hdr + 31, 'c', n);
  memcpy(hdr + 31 + n, "\r\n", 3);
  const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "big", .headers = hdr},
                         {.kind = MOCK_EVENT, .request_id = "ok"}};
  mock_rapi m;
  mock_rapi_start(&m, s, 2);
  ck_assert_int_eq(run_against(&m, &echo, 1), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_str_eq(the_probe.request_id[0], "ok");
  mock_rapi_free(&m);
  free(hdr);
}
END_TEST

START_TEST(test_header_names_any_case_values_trimmed) {
  static const mock_next s[] = {
      {.kind = MOCK_NO_ID, .headers = "lambda-runtime-aws-request-id: \t lower-1  \r\n"
                                      "LAMBDA-RUNTIME-DEADLINE-MS:42\r\n", .body = "{}"}};
  mock_rapi m;
  mock_rapi_start(&m, s, 1);
  ck_assert_int_eq(run_against(&m, &echo, 1), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_str_eq(the_probe.request_id[0], "lower-1");
  ck_assert_int_ge(mock_find(&m, "POST", "/2018-06-01/runtime/invocation/lower-1/response", 0), 0);
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_empty_and_binary_events) {
  static const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "empty", .body = ""},
                                {.kind = MOCK_EVENT, .request_id = "nul", .body = "a\0b", .body_len = 3}};
  mock_rapi m;
  mock_rapi_start(&m, s, 2);
  ck_assert_int_eq(run_against(&m, &echo, 2), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_uint_eq(the_probe.event_len[0], 0);
  ck_assert_uint_eq(the_probe.event_len[1], 3);
  long i = mock_find(&m, "POST", "/2018-06-01/runtime/invocation/empty/response", 0);
  ck_assert_uint_eq(m.reqs[i].body_len, 0);
  i = mock_find(&m, "POST", "/2018-06-01/runtime/invocation/nul/response", 0);
  ck_assert_uint_eq(m.reqs[i].body_len, 3);
  ck_assert_int_eq(memcmp(m.reqs[i].body, "a\0b", 3), 0);
  mock_rapi_free(&m);
}
END_TEST

/* ---- payload sizes ---- */

static char *filled_json_string(size_t total) {
  char *s = malloc(total + 1);
  s[0] = '"';
  memset(s + 1, 'e', total - 2);
  s[total - 1] = '"';
  s[total] = '\0';
  return s;
}

START_TEST(test_large_event_echoed) {
  size_t n = (1u << 20) + 12345;
  char *ev = filled_json_string(n);
  const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "big", .body = ev, .body_len = n},
                         {.kind = MOCK_EVENT, .request_id = "small", .body = "1"}};
  mock_rapi m;
  mock_rapi_start(&m, s, 2);
  ck_assert_int_eq(run_against(&m, &echo, 2), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_uint_eq(the_probe.event_len[0], n);
  ck_assert_uint_eq(the_probe.event_len[1], 1); /* the reused buffer holds only the new event */
  long i = mock_find(&m, "POST", "/2018-06-01/runtime/invocation/big/response", 0);
  ck_assert_uint_eq(m.reqs[i].body_len, n);
  ck_assert_int_eq(memcmp(m.reqs[i].body, ev, n), 0);
  ck_assert_str_eq(m.reqs[i + 2].body, "1");
  mock_rapi_free(&m);
  free(ev);
}
END_TEST

static size_t big_size;
static int big_invoke(void *app, const lr_context *ctx, const char *ev, size_t len, lr_buf *out,
                      lr_fault *f) {
  (void)app, (void)ctx, (void)ev, (void)len;
  if (lr_buf_reserve(out, big_size) != LR_BUF_OK) return lr_fault_set(f, "Test.NoMem", "reserve");
  memset(out->data, '7', big_size);
  out->len = big_size;
  out->data[big_size] = '\0';
  return LR_HANDLER_OK;
}
static const lr_handler big = {.name = "big", .invoke = big_invoke};

START_TEST(test_response_over_6mb_is_function_error) {
  static const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "r"}};
  mock_rapi m;
  mock_rapi_start(&m, s, 1);
  big_size = LR_MAX_RESPONSE_BYTES + 1;
  ck_assert_int_eq(run_against(&m, &big, 1), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_uint_eq(m.n_reqs, 2);
  ck_assert_str_eq(m.reqs[1].path, "/2018-06-01/runtime/invocation/r/error");
  char v[64];
  ck_assert_str_eq(mock_req_header(&m.reqs[1], "Lambda-Runtime-Function-Error-Type", v, sizeof v),
                   "Function.ResponseSizeTooLarge");
  cJSON *j = req_json(&m, 1);
  ck_assert_str_eq(cJSON_GetObjectItem(j, "errorType")->valuestring, "Function.ResponseSizeTooLarge");
  cJSON_Delete(j);
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_response_of_exactly_6mb_is_sent) {
  static const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "r"}};
  mock_rapi m;
  mock_rapi_start(&m, s, 1);
  big_size = LR_MAX_RESPONSE_BYTES;
  ck_assert_int_eq(run_against(&m, &big, 1), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_str_eq(m.reqs[1].path, "/2018-06-01/runtime/invocation/r/response");
  ck_assert_uint_eq(m.reqs[1].body_len, LR_MAX_RESPONSE_BYTES);
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_event_over_limit_is_reported) {
  size_t n = 16u * 1024u * 1024u + 1;
  char *ev = filled_json_string(n);
  const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "huge", .body = ev, .body_len = n},
                         {.kind = MOCK_EVENT, .request_id = "after", .body = "2"}};
  mock_rapi m;
  mock_rapi_start(&m, s, 2);
  ck_assert_int_eq(run_against(&m, &echo, 2), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_int_eq(the_probe.calls, 1);
  long i = mock_find(&m, "POST", "/2018-06-01/runtime/invocation/huge/error", 0);
  ck_assert_int_ge(i, 0);
  cJSON *j = req_json(&m, i);
  ck_assert_str_eq(cJSON_GetObjectItem(j, "errorType")->valuestring, "Runtime.EventTooLarge");
  cJSON_Delete(j);
  ck_assert_int_ge(mock_find(&m, "POST", "/2018-06-01/runtime/invocation/after/response", 0), 0);
  mock_rapi_free(&m);
  free(ev);
}
END_TEST

/* ---- crash ---- */

static int crash_invoke(void *app, const lr_context *ctx, const char *ev, size_t len, lr_buf *out,
                        lr_fault *f) {
  (void)app, (void)ctx, (void)ev, (void)len, (void)out, (void)f;
  raise(SIGSEGV);
  return LR_HANDLER_OK;
}

static int crash_fpe_invoke(void *app, const lr_context *ctx, const char *ev, size_t len,
                            lr_buf *out, lr_fault *f) {
  (void)app, (void)ctx, (void)ev, (void)len, (void)out, (void)f;
  raise(SIGFPE);
  return LR_HANDLER_OK;
}

/* lr_run_ex with the crash reporter on, in a child; its wait status. */
static int run_in_child(const mock_rapi *m, const lr_handler *h) {
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    lr_run_options o;
    lr_run_options_init(&o);
    o.runtime_api = m->api;
    o.log_out = fopen("/dev/null", "w");
    _exit(lr_run_ex(h, &o) == LR_RT_OK ? 0 : 3);
  }
  int status = 0;
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  return status;
}

static void crash_case(int (*invoke)(void *, const lr_context *, const char *, size_t, lr_buf *,
                                     lr_fault *),
                       int sig, const char *name) {
  static const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "doomed"}};
  const lr_handler h = {.name = "crash", .invoke = invoke};
  mock_rapi m;
  mock_rapi_start(&m, s, 1);
  int status = run_in_child(&m, &h);
  mock_rapi_stop(&m);
  ck_assert(WIFSIGNALED(status));
  ck_assert_int_eq(WTERMSIG(status), sig);
  long i = mock_find(&m, "POST", "/2018-06-01/runtime/invocation/doomed/error", 0);
  ck_assert_int_ge(i, 0);
  char v[64];
  ck_assert_str_eq(mock_req_header(&m.reqs[i], "Lambda-Runtime-Function-Error-Type", v, sizeof v),
                   "Runtime.Crash");
  ck_assert_str_eq(mock_req_header(&m.reqs[i], "Host", v, sizeof v), m.api);
  ck_assert_str_eq(mock_req_header(&m.reqs[i], "Content-Type", v, sizeof v), "application/json");
  cJSON *j = req_json(&m, i);
  ck_assert_ptr_nonnull(j);
  ck_assert_str_eq(cJSON_GetObjectItem(j, "errorType")->valuestring, "Runtime.Crash");
  ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItem(j, "errorMessage")->valuestring, name));
  cJSON_Delete(j);
  mock_rapi_free(&m);
}

static int crash_abort_invoke(void *app, const lr_context *ctx, const char *ev, size_t len,
                              lr_buf *out, lr_fault *f) {
  (void)app, (void)ctx, (void)ev, (void)len, (void)out, (void)f;
  abort();
}

START_TEST(test_crash_abort) { crash_case(crash_abort_invoke, SIGABRT, "SIGABRT"); }
END_TEST

static int crash_in_init(void **app, const lr_logger *log, lr_fault *f) {
  (void)app, (void)log, (void)f;
  raise(SIGBUS);
  return LR_HANDLER_OK;
}

/* Outside an invocation there is nothing to post to: the process still dies
 * of its signal, having asked for no event. */
START_TEST(test_crash_in_init_posts_nothing) {
  const lr_handler h = {.name = "crash", .init = crash_in_init, .invoke = crash_invoke};
  mock_rapi m;
  mock_rapi_start(&m, NULL, 0);
  int status = run_in_child(&m, &h);
  mock_rapi_stop(&m);
  ck_assert(WIFSIGNALED(status));
  ck_assert_int_eq(WTERMSIG(status), SIGBUS);
  ck_assert_uint_eq(m.n_reqs, 0);
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_crash_posts_runtime_crash) { crash_case(crash_invoke, SIGSEGV, "SIGSEGV"); }
END_TEST

START_TEST(test_crash_sigfpe) { crash_case(crash_fpe_invoke, SIGFPE, "SIGFPE"); }
END_TEST

Suite *limits_suite(void);
Suite *limits_suite(void) {
  Suite *s = suite_create("runtime.limits");
  TCase *tc = tcase_create("limits");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_payload_limit_text);
  tcase_add_test(tc, test_next_retried_after_5xx);
  tcase_add_test(tc, test_post_retried_after_5xx);
  tcase_add_test(tc, test_gives_up_on_persistent_5xx);
  tcase_add_test(tc, test_gives_up_when_refused);
  tcase_add_test(tc, test_gives_up_when_post_keeps_failing);
  tcase_add_test(tc, test_response_refused_413_becomes_error);
  tcase_add_test(tc, test_response_refused_400_loses_only_that_invocation);
  tcase_add_test(tc, test_connection_dropped_mid_answer);
  tcase_add_test(tc, test_next_without_request_id);
  tcase_add_test(tc, test_gives_up_on_endless_malformed_nexts);
  tcase_add_test(tc, test_oversized_header_is_malformed);
  tcase_add_test(tc, test_header_names_any_case_values_trimmed);
  tcase_add_test(tc, test_empty_and_binary_events);
  tcase_add_test(tc, test_large_event_echoed);
  tcase_add_test(tc, test_response_over_6mb_is_function_error);
  tcase_add_test(tc, test_response_of_exactly_6mb_is_sent);
  tcase_add_test(tc, test_event_over_limit_is_reported);
  suite_add_tcase(s, tc);
  /* Skipped under valgrind (RT_SKIP_CRASH, see CMakeLists.txt). */
  if (!getenv("RT_SKIP_CRASH")) {
    TCase *crash = tcase_create("crash");
    tcase_set_timeout(crash, 30);
    tcase_add_test(crash, test_crash_posts_runtime_crash);
    tcase_add_test(crash, test_crash_sigfpe);
    tcase_add_test(crash, test_crash_abort);
    tcase_add_test(crash, test_crash_in_init_posts_nothing);
    suite_add_tcase(s, crash);
  }
  return s;
}
