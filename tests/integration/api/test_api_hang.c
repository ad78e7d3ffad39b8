/* The api when a dependency hangs instead of failing (issue 15):
 *  - a frozen database (backend, then postmaster too): the answer, 503 with
 *    Retry-After and "outcome unknown", is written before the invocation's
 *    deadline (defect 1);
 *  - init against a database that never answers ends well inside Lambda's
 *    10 s init phase (defect 2);
 *  - after the answer, a frozen or refusing SQS endpoint costs one short
 *    attempt, and then nothing for a while (circuit breaker) (defect 3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_test.h"
#include "common/app.h"
#include "it_freeze.h"
#include "itest.h"

#define JSON_CT "Content-Type: application/json"
#define ORDER_1 "{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":1}]}"
#define THAW_AFTER_MS 20000
#define SLACK_MS 250
/* The after-response budget: one send attempt and one outbox update of 300 ms. */
#define AFTER_BOUND_MS 900

static void fresh(const char *db) { it_fresh_seeded(db); }

static void teardown(void) { it_thaw_all(); }

typedef struct timed {
  int status;
  char body[2048];
  int retry_after;
  int64_t answer_ms; /* api_invoke */
  int64_t after_ms;  /* api_after_response */
} timed;

/* One POST /orders invocation with a deadline deadline_ms from now, timed as
 * the runtime runs it: the answer, then the after-response work. */
static timed post_within(api_app *a, const char *key, int64_t deadline_ms) {
  char kh[128];
  snprintf(kh, sizeof kh, "Idempotency-Key: %s", key);
  const char *h[] = {JSON_CT, kh, NULL};
  char *ev = at_event(AT_V2, "POST", "/orders", NULL, h, ORDER_1, 0);
  lr_buf out;
  lr_buf_init(&out, 1u << 20);
  lr_fault fault = {{0}, {0}};
  int64_t t0 = it_now_ms();
  lr_context ctx = {.request_id = "r-hang", .trace_id = "", .invoked_function_arn = "",
                    .client_context = "", .cognito_identity = "", .function_name = "api",
                    .deadline_ms = t0 + deadline_ms};
  timed t = {0};
  ck_assert_int_eq(api_invoke(a, &ctx, ev, strlen(ev), &out, &fault), LR_HANDLER_OK);
  int64_t t1 = it_now_ms();
  api_after_response(a, &ctx);
  t.answer_ms = t1 - t0;
  t.after_ms = it_now_ms() - t1;
  cJSON *root = cJSON_Parse(lr_buf_str(&out));
  ck_assert_ptr_nonnull(root);
  t.status = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(root, "statusCode"));
  const char *b = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "body"));
  snprintf(t.body, sizeof t.body, "%s", b ? b : "");
  const cJSON *hs = cJSON_GetObjectItemCaseSensitive(root, "headers");
  t.retry_after = cJSON_GetObjectItemCaseSensitive(hs, "Retry-After") != NULL;
  cJSON_Delete(root);
  lr_buf_free(&out);
  free(ev);
  return t;
}

static void assert_503_in_time(const timed *t, int64_t deadline_ms) {
  ck_assert_msg(t->status == 503, "status %d: %s", t->status, t->body);
  ck_assert(t->retry_after);
  ck_assert_msg(strstr(t->body, "outcome is unknown") != NULL, "%s", t->body);
  ck_assert_msg(t->answer_ms + t->after_ms < deadline_ms, "answered after %lld ms (+%lld after)",
                (long long)t->answer_ms, (long long)t->after_ms);
}

START_TEST(frozen_backend_answers_503_before_the_deadline) {
  fresh("h_backend");
  api_app *a = at_app_db(it_server()->port, "h_backend", NULL);
  timed t = post_within(a, "k-warm", 10000);
  ck_assert_int_eq(t.status, 201);
  it_freeze(db_session_backend_pid(api_app_db(a)), THAW_AFTER_MS);
  t = post_within(a, "k-frozen", 3000);
  assert_503_in_time(&t, 3000);
  it_thaw_all();
  /* the retry with the same key: one order, whatever the frozen statement did */
  t = post_within(a, "k-frozen", 10000);
  ck_assert_msg(t.status == 201, "status %d: %s", t.status, t.body);
  ck_assert_int_eq(it_count("h_backend", "SELECT count(*) FROM orders"), 2);
  api_app_free(a);
}
END_TEST

START_TEST(frozen_postmaster_answers_503_before_the_deadline) {
  fresh("h_postmaster");
  api_app *a = at_app_db(it_server()->port, "h_postmaster", NULL);
  timed t = post_within(a, "k-warm", 10000);
  ck_assert_int_eq(t.status, 201);
  int pid = db_session_backend_pid(api_app_db(a));
  it_freeze(it_parent_pid(pid), THAW_AFTER_MS);
  it_freeze(pid, THAW_AFTER_MS);
  t = post_within(a, "k-frozen", 3000);
  assert_503_in_time(&t, 3000);
  api_app_free(a);
}
END_TEST

static const char *init_env(void *arg, const char *name) {
  const char *const *env = arg;
  for (int i = 0; env[i]; i += 2)
    if (strcmp(env[i], name) == 0) return env[i + 1];
  return NULL;
}

START_TEST(init_with_a_silent_database_is_bounded) {
  int port = 0;
  int fd = it_silent_listener(&port);
  char ports[16];
  snprintf(ports, sizeof ports, "%d", port);
  const char *env[] = {"DB_HOST", "127.0.0.1", "DB_PORT", ports, "DB_NAME", "h_init",
                       "DB_USER", "postgres", "DB_SSLMODE", "disable", "DB_CONNECT_TIMEOUT", "5",
                       NULL};
  /* as api_init does it: with the warm-up connect */
  app_options opt = {.needs = CFG_NEED_DB, .warmup = APP_DB_WARM, .getenv_fn = init_env,
                     .getenv_arg = (void *)env};
  api_app *a = NULL;
  lr_fault fault = {{0}, {0}};
  int64_t t0 = it_now_ms();
  int rc = api_app_create(&opt, NULL, &a, &fault);
  int64_t took = it_now_ms() - t0;
  ck_assert_msg(rc == LR_HANDLER_OK, "%s", fault.message); /* the warm-up is best effort */
  ck_assert_msg(took < 2000, "init took %lld ms", (long long)took);
  /* the first request pays a bounded 503 instead */
  timed t = post_within(a, "k-init", 3000);
  ck_assert_msg(t.status == 503, "status %d", t.status);
  ck_assert_msg(t.answer_ms < 3000, "answered after %lld ms", (long long)t.answer_ms);
  api_app_free(a);
  close(fd);
}
END_TEST

static api_app *queue_app(const char *db, int sqs_port) {
  static char url[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/000000000000/orders", sqs_port);
  setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
  const char *extra[] = {"ORDERS_QUEUE_URL", url, "AWS_REGION", "eu-west-1",
                         "AWS_ENDPOINT_URL_SQS", url, NULL};
  return at_app_db(it_server()->port, db, extra);
}

/* Several creates against a broken queue: each answer is a 201, the first
 * after-response costs one short attempt, the next ones skip the send (the
 * breaker is open) and cost nothing; every row waits for the relay. */
static void creates_against_a_broken_queue(const char *db, int sqs_port) {
  fresh(db);
  api_app *a = queue_app(db, sqs_port);
  char key[32];
  for (int i = 0; i < 4; i++) {
    snprintf(key, sizeof key, "k-%d", i);
    timed t = post_within(a, key, 28000);
    ck_assert_msg(t.status == 201, "status %d: %s", t.status, t.body);
    ck_assert_msg(t.after_ms < AFTER_BOUND_MS, "create %d: after-response %lld ms", i,
                  (long long)t.after_ms);
    if (i > 0) ck_assert_msg(t.after_ms < 50, "breaker open, yet %lld ms", (long long)t.after_ms);
  }
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL"), 4);
  ck_assert_int_eq(it_count(db, "SELECT sum(attempts) FROM outbox"), 1);
  api_app_free(a);
}

START_TEST(frozen_queue_costs_one_short_attempt) {
  int port = 0;
  int fd = it_silent_listener(&port);
  creates_against_a_broken_queue("h_sqs_frozen", port);
  close(fd);
}
END_TEST

START_TEST(refusing_queue_costs_one_short_attempt) {
  creates_against_a_broken_queue("h_sqs_refused", at_closed_port());
}
END_TEST

int main(void) {
  Suite *s = suite_create("integration.api.hang");
  TCase *tc = tcase_create("hang");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, NULL, teardown);
  tcase_add_test(tc, frozen_backend_answers_503_before_the_deadline);
  tcase_add_test(tc, frozen_postmaster_answers_503_before_the_deadline);
  tcase_add_test(tc, init_with_a_silent_database_is_bounded);
  tcase_add_test(tc, frozen_queue_costs_one_short_attempt);
  tcase_add_test(tc, refusing_queue_costs_one_short_attempt);
  suite_add_tcase(s, tc);
  return it_main(s, NULL);
}
