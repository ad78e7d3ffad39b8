/* echo-bootstrap and fixture-bootstrap run as Lambda runs them: exec'd with
 * AWS_LAMBDA_RUNTIME_API and _HANDLER, against the mock. The emulator's
 * end-to-end tests rely on what each fixture does; this pins it down. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rt_test_util.h"

#define EVENT "{\"hello\":\"world\"}"

static const mock_next one_event[] = {{.kind = MOCK_EVENT, .request_id = "fx-1", .body = EVENT}};

static pid_t spawn(const char *bin, const char *api, const char *handler) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  char env_api[128], env_handler[128];
  snprintf(env_api, sizeof env_api, "AWS_LAMBDA_RUNTIME_API=%s", api);
  snprintf(env_handler, sizeof env_handler, "_HANDLER=%s", handler);
  char *const envp[] = {env_api, env_handler, "AWS_LAMBDA_FUNCTION_NAME=fixture", NULL};
  char path[1024];
  snprintf(path, sizeof path, "%s", bin);
  char *const argv[] = {path, NULL};
  if (!freopen("/dev/null", "w", stdout)) _exit(126);
  execve(path, argv, envp);
  _exit(127);
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Waits up to 20 s; kills the child past that so a test never hangs. */
static int wait_bounded(pid_t pid) {
  int status = 0;
  for (int i = 0; i < 2000; i++) {
    if (waitpid(pid, &status, WNOHANG) == pid) return status;
    sleep_ms(10);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return status;
}

static void run_fixture(mock_rapi *m, const char *bin, const char *handler, int *status) {
  mock_rapi_start(m, one_event, 1);
  *status = wait_bounded(spawn(bin, m->api, handler));
  mock_rapi_stop(m);
}

static const char *error_type_of(mock_rapi *m, const char *path, char *out, size_t cap) {
  long i = mock_find(m, "POST", path, 0);
  return i < 0 ? NULL : mock_req_header(&m->reqs[i], "Lambda-Runtime-Function-Error-Type", out, cap);
}

START_TEST(test_echo_bootstrap) {
  mock_rapi m;
  int status;
  run_fixture(&m, ECHO_BIN, "anything", &status);
  long i = mock_find(&m, "POST", "/2018-06-01/runtime/invocation/fx-1/response", 0);
  ck_assert_int_ge(i, 0);
  ck_assert_str_eq(m.reqs[i].body, EVENT);
  /* The script ran out (500s): it gave up with LR_RT_HTTP. */
  ck_assert(WIFEXITED(status));
  ck_assert_int_eq(WEXITSTATUS(status), LR_RT_HTTP);
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_fixture_echo_and_malformed) {
  mock_rapi m;
  int status;
  run_fixture(&m, FIXTURE_BIN, "echo", &status);
  long i = mock_find(&m, "POST", "/2018-06-01/runtime/invocation/fx-1/response", 0);
  ck_assert_str_eq(m.reqs[i].body, EVENT);
  mock_rapi_free(&m);
  run_fixture(&m, FIXTURE_BIN, "malformed", &status);
  i = mock_find(&m, "POST", "/2018-06-01/runtime/invocation/fx-1/response", 0);
  ck_assert_int_ge(i, 0);
  cJSON *j = req_json(&m, i);
  ck_assert_ptr_null(j); /* not JSON, on purpose */
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_fixture_crash) {
  mock_rapi m;
  int status;
  char v[64];
  run_fixture(&m, FIXTURE_BIN, "crash", &status);
  ck_assert(WIFSIGNALED(status));
  ck_assert_int_eq(WTERMSIG(status), SIGSEGV);
  ck_assert_str_eq(error_type_of(&m, "/2018-06-01/runtime/invocation/fx-1/error", v, sizeof v),
                   "Runtime.Crash");
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_fixture_error_and_big) {
  mock_rapi m;
  int status;
  char v[64];
  run_fixture(&m, FIXTURE_BIN, "error", &status);
  ck_assert_str_eq(error_type_of(&m, "/2018-06-01/runtime/invocation/fx-1/error", v, sizeof v),
                   "Fixture.Error");
  mock_rapi_free(&m);
  run_fixture(&m, FIXTURE_BIN, "big", &status);
  ck_assert_str_eq(error_type_of(&m, "/2018-06-01/runtime/invocation/fx-1/error", v, sizeof v),
                   "Function.ResponseSizeTooLarge");
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_fixture_init_failures) {
  mock_rapi m;
  int status;
  char v[64];
  run_fixture(&m, FIXTURE_BIN, "initfail", &status);
  ck_assert(WIFEXITED(status));
  ck_assert_int_eq(WEXITSTATUS(status), LR_RT_INIT);
  ck_assert_str_eq(error_type_of(&m, "/2018-06-01/runtime/init/error", v, sizeof v), "Fixture.InitFailed");
  ck_assert_uint_eq(m.n_gets, 0);
  mock_rapi_free(&m);
  run_fixture(&m, FIXTURE_BIN, "no-such-fixture", &status);
  ck_assert_int_eq(WEXITSTATUS(status), LR_RT_NO_HANDLER);
  ck_assert_str_eq(error_type_of(&m, "/2018-06-01/runtime/init/error", v, sizeof v),
                   "Runtime.HandlerNotFound");
  mock_rapi_free(&m);
}
END_TEST

START_TEST(test_fixture_hang) {
  mock_rapi m;
  mock_rapi_start(&m, one_event, 1);
  pid_t pid = spawn(FIXTURE_BIN, m.api, "hang");
  for (int i = 0; i < 1000 && m.n_gets == 0; i++) sleep_ms(10);
  sleep_ms(200);
  int status = 0;
  ck_assert_int_eq(waitpid(pid, &status, WNOHANG), 0); /* still in the handler */
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  mock_rapi_stop(&m);
  ck_assert_uint_eq(m.n_gets, 1);
  ck_assert_uint_eq(m.n_posts, 0);
  mock_rapi_free(&m);
}
END_TEST

int main(void) {
  Suite *s = suite_create("runtime.fixtures");
  TCase *tc = tcase_create("fixtures");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_echo_bootstrap);
  tcase_add_test(tc, test_fixture_echo_and_malformed);
  tcase_add_test(tc, test_fixture_crash);
  tcase_add_test(tc, test_fixture_error_and_big);
  tcase_add_test(tc, test_fixture_init_failures);
  tcase_add_test(tc, test_fixture_hang);
  suite_add_tcase(s, tc);
  return rt_run_suite(s);
}
