/* The predeploy handler against a mock of CodeDeploy and Lambda that checks
 * the exact requests and scripts the answers: a ready version, a 503, a
 * function error, CodeDeploy failing or hanging, bad AppSpecs, hostile events. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_test_util.h"
#include "lr/clock.h"
#include "lr/json.h"
#include "pd_internal.h"
#include "test_common.h"

extern const lr_handler predeploy_handler;

#define DEP_ID "d-ABC123DEF"
#define EXEC_ID "eyJkZXBsb3ltZW50SWQiOiJkLUFCQzEyM0RFRiJ9+/="
#define EVENT "{\"DeploymentId\":\"" DEP_ID "\",\"LifecycleEventHookExecutionId\":\"" EXEC_ID "\"}"
#define APPSPEC(target)                                                                              \
  "{\\\"version\\\":0.0,\\\"Resources\\\":[{\\\"ApiLambdaFunction\\\":{\\\"Type\\\":\\\"AWS::Lambda::Function\\\"," \
  "\\\"Properties\\\":{\\\"Name\\\":\\\"orders-dev-api\\\",\\\"Alias\\\":\\\"Live\\\",\\\"CurrentVersion\\\":\\\"6\\\"," \
  "\\\"TargetVersion\\\":" target "}}}],\\\"Hooks\\\":[{\\\"BeforeAllowTraffic\\\":\\\"orders-dev-predeploy\\\"}]}"
#define DEPLOYMENT_WITH(content)                                                                   \
  "{\"deploymentInfo\":{\"deploymentId\":\"" DEP_ID "\",\"computePlatform\":\"Lambda\",\"revision\":" \
  "{\"revisionType\":\"AppSpecContent\",\"appSpecContent\":{\"content\":\"" content "\",\"sha256\":\"x\"}}}}"
#define DEPLOYMENT DEPLOYMENT_WITH(APPSPEC("\\\"7\\\""))
#define READY "{\"statusCode\":200,\"headers\":{\"Content-Type\":\"application/json\"},\"body\":\"{\\\"status\\\":\\\"ok\\\",\\\"database\\\":\\\"ok\\\"}\",\"isBase64Encoded\":false}"
#define NOT_READY "{\"statusCode\":503,\"headers\":{},\"body\":\"{\\\"title\\\":\\\"Service Unavailable\\\"}\"}"
#define PUT_BODY(status) \
  "{\"deploymentId\":\"" DEP_ID "\",\"lifecycleEventHookExecutionId\":\"" EXEC_ID "\",\"status\":\"" status "\"}"

static const mock_action GET_OK = {MOCK_REPLY, 200, NULL, DEPLOYMENT, 0};
static const mock_action INVOKE_READY = {MOCK_REPLY, 200, NULL, READY, 0};
static const mock_action PUT_OK = {MOCK_REPLY, 200, NULL, "{}", 0};

typedef struct run_result {
  int rc;
  lr_fault fault;
  char response[2048];
  char *log;
  size_t log_len;
} run_result;

/* Every service at the mock through AWS_ENDPOINT_URL, or (per_service) through
 * AWS_ENDPOINT_URL_CODEDEPLOY / _LAMBDA while AWS_ENDPOINT_URL points nowhere. */
static void set_env(int port, int per_service) {
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
  setenv("AWS_ENDPOINT_URL", per_service ? "http://127.0.0.1:1" : url, 1);
  if (per_service) {
    setenv("AWS_ENDPOINT_URL_CODEDEPLOY", url, 1);
    setenv("AWS_ENDPOINT_URL_LAMBDA", url, 1);
  } else {
    unsetenv("AWS_ENDPOINT_URL_CODEDEPLOY");
    unsetenv("AWS_ENDPOINT_URL_LAMBDA");
  }
  setenv("AWS_REGION", "us-east-1", 1);
  setenv("AWS_ACCESS_KEY_ID", TEST_AKID, 1);
  setenv("AWS_SECRET_ACCESS_KEY", TEST_SECRET, 1);
  setenv("AWS_SESSION_TOKEN", TEST_TOKEN, 1);
}

/* Starts the mock, runs init + one invoke + shutdown with `budget_ms` left. */
static void run_env(mock_server *m, const mock_action *acts, size_t n, const char *event, size_t event_len,
                    int64_t budget_ms, int per_service, run_result *r) {
  memset(r, 0, sizeof *r);
  mock_start(m, acts, n);
  set_env(m->port, per_service);
  FILE *out = open_memstream(&r->log, &r->log_len);
  ck_assert_ptr_nonnull(out);
  lr_logger lg;
  lr_logger_init(&lg, out, "orders", "predeploy");
  void *app = NULL;
  ck_assert_msg(predeploy_handler.init(&app, &lg, &r->fault) == LR_HANDLER_OK, "%s", r->fault.message);
  lr_context ctx = {.request_id = "req-1", .deadline_ms = lr_clock_epoch_ms() + budget_ms,
                    .function_name = "orders-dev-predeploy", .log = &lg};
  lr_buf resp;
  lr_buf_init(&resp, 1 << 16);
  r->rc = predeploy_handler.invoke(app, &ctx, event, event_len, &resp, &r->fault);
  snprintf(r->response, sizeof r->response, "%s", lr_buf_str(&resp));
  lr_buf_free(&resp);
  predeploy_handler.shutdown(app);
  mock_stop(m);
  fclose(out);
  ck_assert_ptr_null(strstr(r->log, TEST_SECRET));
  ck_assert_ptr_null(strstr(r->log, TEST_TOKEN));
}

static void run(mock_server *m, const mock_action *acts, size_t n, const char *event, size_t event_len,
                int64_t budget_ms, run_result *r) {
  run_env(m, acts, n, event, event_len, budget_ms, 0, r);
}

static void done(mock_server *m, run_result *r) {
  free(r->log);
  mock_free(m);
}

static void expect_codedeploy(const mock_server *m, size_t i, const char *target, const char *body) {
  char v[4096];
  ck_assert_str_eq(mock_request_line(m, i, v, sizeof v), "POST /");
  ck_assert_str_eq(mock_header(m, i, "Content-Type", v, sizeof v), "application/x-amz-json-1.1");
  ck_assert_str_eq(mock_header(m, i, "X-Amz-Target", v, sizeof v), target);
  ck_assert_str_eq(mock_header(m, i, "X-Amz-Security-Token", v, sizeof v), TEST_TOKEN);
  mock_header(m, i, "Authorization", v, sizeof v);
  ck_assert_ptr_nonnull(strstr(v, "/us-east-1/codedeploy/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature="));
  ck_assert_str_eq(m->reqs[i].body, body);
  lr_aws_credentials c = test_creds(1);
  expect_valid_signature(m, i, &c, "codedeploy", LR_SIGV4_PATH_NORMALIZE_ENCODE);
}

static void expect_put(const mock_server *m, size_t i, const char *body) {
  expect_codedeploy(m, i, "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus", body);
}

static void expect_get(const mock_server *m) {
  expect_codedeploy(m, 0, "CodeDeploy_20141006.GetDeployment", "{\"deploymentId\":\"" DEP_ID "\"}");
}

static void expect_invoke(const mock_server *m, size_t i) {
  char v[4096];
  ck_assert_str_eq(mock_request_line(m, i, v, sizeof v), "POST /2015-03-31/functions/orders-dev-api/invocations?Qualifier=7");
  ck_assert_str_eq(mock_header(m, i, "Content-Type", v, sizeof v), "application/json");
  ck_assert_ptr_null(mock_header(m, i, "X-Api-Key", v, sizeof v));
  mock_header(m, i, "Authorization", v, sizeof v);
  ck_assert_ptr_nonnull(strstr(v, "/us-east-1/lambda/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature="));
  cJSON *e = NULL;
  ck_assert_int_eq(lr_json_parse(m->reqs[i].body, m->reqs[i].body_len, LR_JSON_STRICT, &e), LR_JSON_OK);
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(e, "httpMethod")), "GET");
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(e, "path")), "/health/ready");
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "requestContext"), "requestId")),
                   "predeploy-" DEP_ID);
  cJSON_Delete(e);
}

START_TEST(ready_version_succeeds) {
  mock_server m;
  run_result r;
  const mock_action acts[] = {GET_OK, INVOKE_READY, PUT_OK};
  run(&m, acts, 3, EVENT, strlen(EVENT), 20000, &r);
  ck_assert_msg(r.rc == LR_HANDLER_OK, "%s", r.fault.message);
  ck_assert_uint_eq(m.n_reqs, 3);
  expect_get(&m);
  expect_invoke(&m, 1);
  expect_put(&m, 2, PUT_BODY("Succeeded"));
  ck_assert_str_eq(r.response, "{\"deployment_id\":\"" DEP_ID "\",\"status\":\"Succeeded\"}");
  /* One JSON line per step. */
  ck_assert_ptr_nonnull(strstr(r.log, "\"message\":\"hook started\""));
  ck_assert_ptr_nonnull(strstr(r.log, "\"message\":\"deployment read\""));
  ck_assert_ptr_nonnull(strstr(r.log, "\"target_version\":\"7\""));
  ck_assert_ptr_nonnull(strstr(r.log, "\"api_function\":\"orders-dev-api\""));
  ck_assert_ptr_nonnull(strstr(r.log, "\"message\":\"health check\""));
  ck_assert_ptr_nonnull(strstr(r.log, "\"message\":\"status reported\""));
  done(&m, &r);
}
END_TEST

/* The endpoint variables per service win over AWS_ENDPOINT_URL. */
START_TEST(service_endpoints_are_honoured) {
  mock_server m;
  run_result r;
  const mock_action acts[] = {GET_OK, INVOKE_READY, PUT_OK};
  run_env(&m, acts, 3, EVENT, strlen(EVENT), 20000, 1, &r);
  ck_assert_msg(r.rc == LR_HANDLER_OK, "%s", r.fault.message);
  ck_assert_ptr_nonnull(strstr(r.response, "Succeeded"));
  ck_assert_uint_eq(m.n_reqs, 3);
  done(&m, &r);
}
END_TEST

/* Runs with GetDeployment OK, the given Invoke answer, and a Put: Failed. */
static void expect_unhealthy(const mock_action *invoke, const char *reason) {
  mock_server m;
  run_result r;
  const mock_action acts[] = {GET_OK, *invoke, PUT_OK};
  run(&m, acts, 3, EVENT, strlen(EVENT), 20000, &r);
  ck_assert_msg(r.rc == LR_HANDLER_OK, "%s", r.fault.message);
  ck_assert_uint_eq(m.n_reqs, 3);
  expect_invoke(&m, 1);
  expect_put(&m, 2, PUT_BODY("Failed"));
  ck_assert_msg(strstr(r.response, "\"status\":\"Failed\"") && strstr(r.response, reason), "%s", r.response);
  ck_assert_ptr_nonnull(strstr(r.log, "\"level\":\"WARN\""));
  done(&m, &r);
}

START_TEST(api_503_fails) {
  const mock_action a = {MOCK_REPLY, 200, NULL, NOT_READY, 0};
  expect_unhealthy(&a, "the api answered 503");
}
END_TEST

START_TEST(function_error_fails) {
  const mock_action a = {MOCK_REPLY, 200, "X-Amz-Function-Error: Unhandled\r\n",
                         "{\"errorType\":\"Runtime.ExitError\",\"errorMessage\":\"boom\"}", 0};
  expect_unhealthy(&a, "the api version failed (Unhandled)");
}
END_TEST

START_TEST(degraded_body_fails) {
  const mock_action a = {MOCK_REPLY, 200, NULL, "{\"statusCode\":200,\"body\":\"{\\\"status\\\":\\\"degraded\\\"}\"}", 0};
  expect_unhealthy(&a, "without \\\"status\\\":\\\"ok\\\"");
}
END_TEST

START_TEST(invoke_denied_fails) {
  const mock_action a = {MOCK_REPLY, 403, NULL, "{\"Type\":\"User\",\"message\":\"not authorized\"}", 0};
  expect_unhealthy(&a, "Invoke: lambda answered 403");
}
END_TEST

/* GetDeployment answers `get`: no Invoke, a Put: Failed. */
static void expect_get_failure(const mock_action *get, size_t n_get, int64_t budget_ms, const char *reason) {
  mock_server m;
  run_result r;
  mock_action acts[MOCK_MAX];
  for (size_t i = 0; i < n_get; i++) acts[i] = *get;
  acts[n_get] = PUT_OK;
  run(&m, acts, n_get + 1, EVENT, strlen(EVENT), budget_ms, &r);
  ck_assert_msg(r.rc == LR_HANDLER_OK, "%s", r.fault.message);
  ck_assert_uint_eq(m.n_reqs, n_get + 1);
  expect_get(&m);
  expect_put(&m, n_get, PUT_BODY("Failed"));
  ck_assert_msg(strstr(r.response, "\"status\":\"Failed\"") && strstr(r.response, reason), "%s", r.response);
  done(&m, &r);
}

START_TEST(get_deployment_denied_fails) {
  const mock_action a = {MOCK_REPLY, 400, NULL, "{\"__type\":\"AccessDeniedException\",\"message\":\"no\"}", 0};
  expect_get_failure(&a, 1, 20000, "GetDeployment: codedeploy answered 400 AccessDeniedException");
}
END_TEST

/* A hanging CodeDeploy is given up at the check deadline, and Failed still
 * goes out before the invocation's own deadline. */
START_TEST(get_deployment_hang_reports_failed) {
  const mock_action a = {MOCK_HANG, 0, NULL, NULL, 0};
  expect_get_failure(&a, 1, 6000, "GetDeployment: codedeploy request failed");
}
END_TEST

START_TEST(yaml_appspec_fails) {
  const mock_action a = {MOCK_REPLY, 200, NULL, DEPLOYMENT_WITH("version: 0.0\\nResources: []"), 0};
  expect_get_failure(&a, 1, 20000, "YAML AppSpecs are not supported");
}
END_TEST

START_TEST(bad_appspecs_fail) {
  static const char *const bodies[] = {
      DEPLOYMENT_WITH(APPSPEC("\\\"$LATEST\\\"")),
      DEPLOYMENT_WITH(APPSPEC("\\\"7\\\",\\\"TargetVersion\\\":\\\"8\\\"")), /* duplicate key */
      DEPLOYMENT_WITH("{\\\"Resources\\\":[]}"),
      DEPLOYMENT_WITH("{\\\"Resources\\\":[{\\\"A\\\":{}},{\\\"B\\\":{}}]}"),
      DEPLOYMENT_WITH("{\\\"Resources\\\":[{\\\"A\\\":{\\\"Properties\\\":{\\\"Name\\\":\\\"x/../y\\\",\\\"Alias\\\":\\\"Live\\\",\\\"TargetVersion\\\":\\\"2\\\"}}}]}"),
      DEPLOYMENT_WITH("{\\\"Resources\\\":[{\\\"A\\\":{\\\"Properties\\\":{\\\"Name\\\":\\\"f\\\",\\\"Alias\\\":\\\"Live\\\",\\\"TargetVersion\\\":2.5}}}]}"),
      DEPLOYMENT_WITH("{} trailing"),
      "{\"deploymentInfo\":{\"revision\":{\"revisionType\":\"S3\"}}}",
      "{\"deploymentInfo\":{}}",
      "not json",
  };
  for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
    const mock_action a = {MOCK_REPLY, 200, NULL, bodies[i], 0};
    expect_get_failure(&a, 1, 20000, "\"status\":\"Failed\"");
  }
}
END_TEST

/* With less time than the report needs, nothing is checked and Failed goes out at once. */
START_TEST(low_time_reports_failed_without_checks) {
  mock_server m;
  run_result r;
  run(&m, &PUT_OK, 1, EVENT, strlen(EVENT), 3000, &r);
  ck_assert_msg(r.rc == LR_HANDLER_OK, "%s", r.fault.message);
  ck_assert_uint_eq(m.n_reqs, 1);
  expect_put(&m, 0, PUT_BODY("Failed"));
  ck_assert_ptr_nonnull(strstr(r.response, "no time left for the checks"));
  done(&m, &r);
}
END_TEST

/* A Name given as an ARN is one encoded path segment (its colons as %3A). */
START_TEST(function_arn_is_encoded) {
  mock_server m;
  run_result r;
  const mock_action get = {MOCK_REPLY, 200, NULL,
                           DEPLOYMENT_WITH("{\\\"Resources\\\":[{\\\"A\\\":{\\\"Properties\\\":{\\\"Name\\\":"
                                           "\\\"arn:aws:lambda:us-east-1:123456789012:function:orders-dev-api\\\","
                                           "\\\"Alias\\\":\\\"Live\\\",\\\"TargetVersion\\\":12}}}]}"), 0};
  const mock_action acts[] = {get, INVOKE_READY, PUT_OK};
  run(&m, acts, 3, EVENT, strlen(EVENT), 20000, &r);
  ck_assert_msg(r.rc == LR_HANDLER_OK, "%s", r.fault.message);
  char v[512];
  ck_assert_str_eq(mock_request_line(&m, 1, v, sizeof v),
                   "POST /2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Aorders-dev-api"
                   "/invocations?Qualifier=12");
  expect_put(&m, 2, PUT_BODY("Succeeded"));
  done(&m, &r);
}
END_TEST

START_TEST(report_failure_is_a_function_error) {
  mock_server m;
  run_result r;
  const mock_action put_500 = {MOCK_REPLY, 500, NULL, "{\"__type\":\"InternalFailure\"}", 0};
  const mock_action acts[] = {GET_OK, INVOKE_READY, put_500, put_500, put_500};
  run(&m, acts, 5, EVENT, strlen(EVENT), 20000, &r);
  ck_assert_int_eq(r.rc, LR_HANDLER_ERROR);
  ck_assert_str_eq(r.fault.type, "Predeploy.ReportFailed");
  ck_assert_uint_eq(m.n_reqs, 5);
  expect_put(&m, 4, PUT_BODY("Succeeded"));
  ck_assert_ptr_nonnull(strstr(r.log, "\"level\":\"ERROR\""));
  done(&m, &r);
}
END_TEST

/* Hostile events: a clear function error, and nothing is sent anywhere. */
START_TEST(hostile_events_are_refused) {
  static char big[PD_MAX_EVENT + 64];
  memset(big, ' ', sizeof big - 1);
  memcpy(big, EVENT, strlen(EVENT));
  static char long_exec[PD_MAX_EXECUTION_ID + 200];
  int n = snprintf(long_exec, sizeof long_exec, "{\"DeploymentId\":\"" DEP_ID "\",\"LifecycleEventHookExecutionId\":\"");
  memset(long_exec + n, 'a', PD_MAX_EXECUTION_ID + 1);
  snprintf(long_exec + n + PD_MAX_EXECUTION_ID + 1, 8, "\"}");
  const char *const events[] = {
      "", "{}", "[]", "null", "\"d-1\"",
      "{\"DeploymentId\":1,\"LifecycleEventHookExecutionId\":\"x\"}",
      "{\"DeploymentId\":\"" DEP_ID "\"}",
      "{\"DeploymentId\":\"" DEP_ID "\",\"LifecycleEventHookExecutionId\":\"\"}",
      "{\"DeploymentId\":\"x-1\",\"LifecycleEventHookExecutionId\":\"e\"}",
      "{\"DeploymentId\":\"d-1\\\"}\",\"LifecycleEventHookExecutionId\":\"e\"}",
      "{\"DeploymentId\":\"d-1\",\"LifecycleEventHookExecutionId\":\"a b\"}",
      "{\"DeploymentId\":\"d-1\",\"LifecycleEventHookExecutionId\":\"e\\u0000\"}",
      "{\"DeploymentId\":\"d-1\",\"DeploymentId\":\"d-2\",\"LifecycleEventHookExecutionId\":\"e\"}",
      EVENT " {}",
      "{\"DeploymentId\":\"d-1\",\"LifecycleEventHookExecutionId\":\"\xff\"}",
      big,
      long_exec,
  };
  for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
    mock_server m;
    run_result r;
    static const mock_action none[1]; /* mock_start copies n of them: never from NULL */
    run(&m, none, 0, events[i], strlen(events[i]), 20000, &r);
    ck_assert_msg(r.rc == LR_HANDLER_ERROR, "event %zu accepted", i);
    ck_assert_str_eq(r.fault.type, "Predeploy.BadEvent");
    ck_assert_uint_eq(m.n_reqs, 0);
    done(&m, &r);
  }
}
END_TEST

START_TEST(health_answers) {
  char err[PD_ERR_LEN];
  const char *ok[] = {READY, "{\"statusCode\":200,\"body\":\"{\\\"status\\\":\\\"ok\\\"}\"}"};
  for (size_t i = 0; i < 2; i++) ck_assert_int_eq(pd_check_health(ok[i], strlen(ok[i]), err), PD_OK);
  const char *bad[] = {"", "{}", "[]", "{\"statusCode\":\"200\"}", "{\"statusCode\":200}",
                       "{\"statusCode\":200,\"body\":\"ok\"}",
                       "{\"statusCode\":200,\"body\":\"{\\\"status\\\":\\\"ok\\\"}\",\"isBase64Encoded\":true}",
                       "{\"statusCode\":200,\"body\":\"{\\\"status\\\":\\\"ok\\\",\\\"status\\\":\\\"ok\\\"}\"}",
                       "{\"statusCode\":201,\"body\":\"{\\\"status\\\":\\\"ok\\\"}\"}", NOT_READY};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(pd_check_health(bad[i], strlen(bad[i]), err) == PD_UNHEALTHY, "answer %zu passed", i);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("predeploy");
  TCase *tc = tcase_create("hook");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, ready_version_succeeds);
  tcase_add_test(tc, service_endpoints_are_honoured);
  tcase_add_test(tc, api_503_fails);
  tcase_add_test(tc, function_error_fails);
  tcase_add_test(tc, degraded_body_fails);
  tcase_add_test(tc, invoke_denied_fails);
  tcase_add_test(tc, get_deployment_denied_fails);
  tcase_add_test(tc, get_deployment_hang_reports_failed);
  tcase_add_test(tc, yaml_appspec_fails);
  tcase_add_test(tc, bad_appspecs_fail);
  tcase_add_test(tc, low_time_reports_failed_without_checks);
  tcase_add_test(tc, function_arn_is_encoded);
  tcase_add_test(tc, report_failure_is_a_function_error);
  tcase_add_test(tc, hostile_events_are_refused);
  tcase_add_test(tc, health_answers);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aws_test_run_suite(suite()); }
