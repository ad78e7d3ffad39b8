/* The app context: config errors become Runtime.ConfigError faults naming the
 * variable; the session is created but not connected (lazy); warm-up failure
 * is not an init failure. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/app.h"

typedef struct kv {
  const char *k, *v;
} kv;

static const char *table_getenv(void *arg, const char *name) {
  for (const kv *p = arg; p->k; p++)
    if (strcmp(p->k, name) == 0) return p->v;
  return NULL;
}

static int slept;
static void no_sleep(void *arg, unsigned ms) {
  (void)arg;
  (void)ms;
  slept++;
}

START_TEST(config_error_is_a_config_fault) {
  static kv env[] = {{"DB_NAME", "orders"}, {"DB_USER", "app"}, {NULL, NULL}};
  app_options opt = {.needs = CFG_NEED_DB, .getenv_fn = table_getenv, .getenv_arg = env};
  app_ctx *a = (app_ctx *)&opt;
  lr_fault f;
  memset(&f, 0, sizeof f);
  ck_assert_int_eq(app_create(&opt, NULL, &a, &f), LR_HANDLER_ERROR);
  ck_assert_ptr_null(a);
  ck_assert_str_eq(f.type, APP_FAULT_CONFIG);
  ck_assert_ptr_nonnull(strstr(f.message, "DB_HOST"));
}
END_TEST

START_TEST(lazy_session) {
  static kv env[] = {{"DB_HOST", "127.0.0.1"}, {"DB_PORT", "1"}, {"DB_NAME", "orders"},
                           {"DB_USER", "app"}, {"DB_PASSWORD", "pw"}, {NULL, NULL}};
  app_options opt = {.needs = CFG_NEED_DB, .getenv_fn = table_getenv, .getenv_arg = env};
  app_ctx *a = NULL;
  lr_fault f;
  ck_assert_int_eq(app_create(&opt, NULL, &a, &f), LR_HANDLER_OK);
  ck_assert_ptr_nonnull(a->db);
  ck_assert_uint_eq(db_session_connects(a->db), 0);
  ck_assert_str_eq(a->cfg.db_password, "pw");
  app_free(a);
  app_free(NULL);
}
END_TEST

START_TEST(warm_up_failure_is_not_fatal) {
  static kv env[] = {{"DB_HOST", "127.0.0.1"}, {"DB_PORT", "1"}, {"DB_NAME", "orders"},
                           {"DB_USER", "app"}, {NULL, NULL}};
  slept = 0;
  db_hooks hooks = {.sleep = no_sleep};
  app_options opt = {.needs = CFG_NEED_DB, .warmup = APP_DB_WARM, .getenv_fn = table_getenv,
                     .getenv_arg = env, .db_hooks = &hooks};
  app_ctx *a = NULL;
  lr_fault f;
  ck_assert_int_eq(app_create(&opt, NULL, &a, &f), LR_HANDLER_OK);
  ck_assert_int_eq(slept, 0); /* one attempt, no backoff: init must stay short (issue 15) */
  ck_assert_uint_eq(db_session_connects(a->db), 0);
  app_free(a);
}
END_TEST

/* Issue 15, defect 8: without DB_SSLMODE the server's name is verified; a
 * weaker mode is the deployment's explicit choice, and the log says so. */
static char *app_log_of(kv *env, app_ctx **out) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  lr_logger lg;
  lr_logger_init(&lg, f, "orders", "api");
  app_options opt = {.needs = CFG_NEED_DB, .getenv_fn = table_getenv, .getenv_arg = env};
  lr_fault fault;
  ck_assert_int_eq(app_create(&opt, &lg, out, &fault), LR_HANDLER_OK);
  fclose(f);
  return text;
}

START_TEST(weak_sslmode_is_explicit_and_logged) {
  static kv dflt[] = {{"DB_HOST", "db.example"}, {"DB_NAME", "orders"}, {"DB_USER", "app"},
                      {"DB_PASSWORD", "pw"}, {NULL, NULL}};
  app_ctx *a = NULL;
  char *text = app_log_of(dflt, &a);
  ck_assert_str_eq(a->cfg.db_sslmode, "verify-full");
  ck_assert_ptr_null(strstr(text, "DB_SSLMODE"));
  free(text);
  app_free(a);
  static kv weak[] = {{"DB_HOST", "db.example"}, {"DB_NAME", "orders"}, {"DB_USER", "app"},
                      {"DB_PASSWORD", "pw"}, {"DB_SSLMODE", "prefer"}, {NULL, NULL}};
  text = app_log_of(weak, &a);
  ck_assert_str_eq(a->cfg.db_sslmode, "prefer");
  ck_assert_msg(strstr(text, "DB_SSLMODE is weaker than verify-full") != NULL, "%s", text);
  ck_assert_ptr_nonnull(strstr(text, "\"db_sslmode\":\"prefer\""));
  free(text);
  app_free(a);
}
END_TEST

START_TEST(no_database_needed) {
  static kv env[] = {{"AWS_REGION", "eu-west-1"},
                           {"ORDERS_QUEUE_URL", "http://127.0.0.1:4566/000000000000/orders"},
                           {NULL, NULL}};
  app_options opt = {.needs = CFG_NEED_QUEUE, .getenv_fn = table_getenv, .getenv_arg = env};
  app_ctx *a = NULL;
  lr_fault f;
  ck_assert_int_eq(app_create(&opt, NULL, &a, &f), LR_HANDLER_OK);
  ck_assert_ptr_null(a->db);
  ck_assert_str_eq(a->cfg.orders_queue_url, "http://127.0.0.1:4566/000000000000/orders");
  app_free(a);
  ck_assert_int_eq(app_create(NULL, NULL, &a, &f), LR_HANDLER_ERROR);
}
END_TEST

int main(void) {
  Suite *s = suite_create("unit.common.app");
  TCase *tc = tcase_create("app");
  tcase_set_timeout(tc, 60); /* a ceiling for loaded CI machines, not a timing assertion */
  tcase_add_test(tc, config_error_is_a_config_fault);
  tcase_add_test(tc, lazy_session);
  tcase_add_test(tc, warm_up_failure_is_not_fatal);
  tcase_add_test(tc, weak_sslmode_is_explicit_and_logged);
  tcase_add_test(tc, no_database_needed);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
