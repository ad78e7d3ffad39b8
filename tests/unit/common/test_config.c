/* cfg_load: table-driven over a fake environment. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"

#define MAX_VARS 16

typedef struct env_var {
  const char *name;
  const char *value; /* NULL: unset (removes a base variable) */
} env_var;

typedef struct fake_env {
  env_var vars[2 * MAX_VARS];
  int n;
} fake_env;

static const char *fake_getenv(void *arg, const char *name) {
  const fake_env *e = arg;
  const char *v = NULL;
  for (int i = 0; i < e->n; i++) /* later entries override earlier ones */
    if (strcmp(e->vars[i].name, name) == 0) v = e->vars[i].value;
  return v;
}

static void env_add(fake_env *e, const env_var *vars) {
  for (int i = 0; i < MAX_VARS && vars[i].name; i++) e->vars[e->n++] = vars[i];
}

/* A readable CA file for the verify-* cases. */
static char ca_path[64];

static const env_var base_db[] = {
    {"DB_HOST", "orders-proxy.proxy-abc.eu-west-1.rds.amazonaws.com"},
    {"DB_NAME", "orders"},
    {"DB_USER", "orders_app"},
    {NULL, NULL},
};

typedef struct cfg_case {
  const char *what;
  unsigned needs;
  env_var env[MAX_VARS];
  cfg_status want;
  const char *err_has; /* substring of the message; the variable's name */
} cfg_case;

#define IAM {"DB_IAM_AUTH", "true"}, {"AWS_REGION", "eu-west-1"}, {"DB_SSLROOTCERT", ca_path}

static const cfg_case cases[] = {
    {"defaults", CFG_NEED_DB, {{NULL, NULL}}, CFG_OK, NULL},
    {"missing host", CFG_NEED_DB, {{"DB_HOST", NULL}}, CFG_MISSING, "DB_HOST"},
    {"empty host", CFG_NEED_DB, {{"DB_HOST", ""}}, CFG_MISSING, "DB_HOST"},
    {"host list", CFG_NEED_DB, {{"DB_HOST", "a,b"}}, CFG_INVALID, "DB_HOST"},
    {"host with space", CFG_NEED_DB, {{"DB_HOST", "a b"}}, CFG_INVALID, "DB_HOST"},
    {"host label dash", CFG_NEED_DB, {{"DB_HOST", "-a.b"}}, CFG_INVALID, "DB_HOST"},
    {"ipv6 host", CFG_NEED_DB, {{"DB_HOST", "::1"}}, CFG_OK, NULL},
    {"missing user", CFG_NEED_DB, {{"DB_USER", NULL}}, CFG_MISSING, "DB_USER"},
    {"user with quote", CFG_NEED_DB, {{"DB_USER", "a'b"}}, CFG_INVALID, "DB_USER"},
    {"missing name", CFG_NEED_DB, {{"DB_NAME", NULL}}, CFG_MISSING, "DB_NAME"},
    {"name too long", CFG_NEED_DB,
     {{"DB_NAME", "a234567890123456789012345678901234567890123456789012345678901234"}},
     CFG_INVALID, "DB_NAME"},
    {"port text", CFG_NEED_DB, {{"DB_PORT", "abc"}}, CFG_INVALID, "DB_PORT"},
    {"port trailing", CFG_NEED_DB, {{"DB_PORT", "5432x"}}, CFG_INVALID, "DB_PORT"},
    {"port negative", CFG_NEED_DB, {{"DB_PORT", "-1"}}, CFG_INVALID, "DB_PORT"},
    {"port zero", CFG_NEED_DB, {{"DB_PORT", "0"}}, CFG_INVALID, "DB_PORT"},
    {"port too big", CFG_NEED_DB, {{"DB_PORT", "65536"}}, CFG_INVALID, "DB_PORT"},
    {"port huge", CFG_NEED_DB, {{"DB_PORT", "99999999999999999999"}}, CFG_INVALID, "DB_PORT"},
    {"port blank", CFG_NEED_DB, {{"DB_PORT", " 5432"}}, CFG_INVALID, "DB_PORT"},
    {"port max", CFG_NEED_DB, {{"DB_PORT", "65535"}}, CFG_OK, NULL},
    {"bad bool", CFG_NEED_DB, {{"DB_IAM_AUTH", "maybe"}}, CFG_INVALID, "DB_IAM_AUTH"},
    {"bool FALSE", CFG_NEED_DB, {{"DB_IAM_AUTH", "FALSE"}}, CFG_OK, NULL},
    {"bad sslmode", CFG_NEED_DB, {{"DB_SSLMODE", "verify_full"}}, CFG_INVALID, "DB_SSLMODE"},
    {"timeout too long", CFG_NEED_DB, {{"DB_CONNECT_TIMEOUT", "60"}}, CFG_INVALID,
     "DB_CONNECT_TIMEOUT"},
    {"timeout too short", CFG_NEED_DB, {{"DB_CONNECT_TIMEOUT", "1"}}, CFG_INVALID,
     "DB_CONNECT_TIMEOUT"},
    {"iam ok", CFG_NEED_DB, {IAM}, CFG_OK, NULL},
    {"iam sslmode require", CFG_NEED_DB, {IAM, {"DB_SSLMODE", "require"}}, CFG_CONFLICT,
     "DB_SSLMODE"},
    {"iam sslmode verify-ca", CFG_NEED_DB, {IAM, {"DB_SSLMODE", "verify-ca"}}, CFG_CONFLICT,
     "DB_SSLMODE"},
    {"iam sslmode disable", CFG_NEED_DB, {IAM, {"DB_SSLMODE", "disable"}}, CFG_CONFLICT,
     "verify-full"},
    {"iam with password", CFG_NEED_DB, {IAM, {"DB_PASSWORD", "secret"}}, CFG_CONFLICT,
     "DB_PASSWORD"},
    {"iam without region", CFG_NEED_DB, {IAM, {"AWS_REGION", NULL}}, CFG_MISSING, "AWS_REGION"},
    {"iam unreadable ca", CFG_NEED_DB, {IAM, {"DB_SSLROOTCERT", "/nonexistent/ca.pem"}},
     CFG_INVALID, "DB_SSLROOTCERT"},
    {"bad region", CFG_NEED_DB, {IAM, {"AWS_REGION", "EU-WEST-1"}}, CFG_INVALID, "AWS_REGION"},
    {"region no number", CFG_NEED_DB, {IAM, {"AWS_REGION", "eu-west-"}}, CFG_INVALID,
     "AWS_REGION"},
    {"gov region", CFG_NEED_DB, {IAM, {"AWS_REGION", "us-gov-west-1"}}, CFG_OK, NULL},
    {"queue missing", CFG_NEED_QUEUE, {{"AWS_REGION", "eu-west-1"}}, CFG_MISSING,
     "ORDERS_QUEUE_URL"},
    {"queue not a url", CFG_NEED_QUEUE,
     {{"AWS_REGION", "eu-west-1"}, {"ORDERS_QUEUE_URL", "sqs/orders"}}, CFG_INVALID,
     "ORDERS_QUEUE_URL"},
    {"queue without region", CFG_NEED_QUEUE,
     {{"ORDERS_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/1/orders"}}, CFG_MISSING,
     "AWS_REGION"},
    {"bucket bad", CFG_NEED_ARCHIVE, {{"AWS_REGION", "eu-west-1"}, {"ARCHIVE_BUCKET", "Orders"}},
     CFG_INVALID, "ARCHIVE_BUCKET"},
    {"bucket dots", CFG_NEED_ARCHIVE, {{"AWS_REGION", "eu-west-1"}, {"ARCHIVE_BUCKET", "a..b"}},
     CFG_INVALID, "ARCHIVE_BUCKET"},
    {"retention zero", CFG_NEED_ARCHIVE,
     {{"AWS_REGION", "eu-west-1"}, {"ARCHIVE_BUCKET", "orders-archive"},
      {"ORDER_RETENTION_DAYS", "0"}},
     CFG_INVALID, "ORDER_RETENTION_DAYS"},
    {"prefix traversal", CFG_NEED_ARCHIVE,
     {{"AWS_REGION", "eu-west-1"}, {"ARCHIVE_BUCKET", "orders-archive"},
      {"ARCHIVE_PREFIX", "../x"}},
     CFG_INVALID, "ARCHIVE_PREFIX"},
    {"ttl text", 0, {{"IDEMPOTENCY_TTL_HOURS", "1d"}}, CFG_INVALID, "IDEMPOTENCY_TTL_HOURS"},
    {"log level", 0, {{"LOG_LEVEL", "chatty"}}, CFG_INVALID, "LOG_LEVEL"},
    {"lambda log level", 0, {{"AWS_LAMBDA_LOG_LEVEL", "loud"}}, CFG_INVALID, "LOG_LEVEL"},
    {"endpoint", 0, {{"AWS_ENDPOINT_URL", "localhost:4566"}}, CFG_INVALID, "AWS_ENDPOINT_URL"},
    {"service control char", 0, {{"SERVICE_NAME", "a\nb"}}, CFG_INVALID, "SERVICE_NAME"},
    {"no db needed ignores db", 0, {{"DB_HOST", NULL}, {"DB_PORT", "x"}}, CFG_OK, NULL},
};

START_TEST(table) {
  const cfg_case *c = &cases[_i];
  fake_env e = {.n = 0};
  if (c->needs & CFG_NEED_DB) env_add(&e, base_db);
  env_add(&e, c->env);
  cfg_config cfg;
  char err[CFG_ERR_LEN] = "";
  cfg_status st = cfg_load(&cfg, c->needs, fake_getenv, &e, err);
  ck_assert_msg(st == c->want, "%s: got %s (%s), want %s", c->what, cfg_status_name(st), err,
                cfg_status_name(c->want));
  if (c->err_has)
    ck_assert_msg(strstr(err, c->err_has) != NULL, "%s: '%s' lacks '%s'", c->what, err,
                  c->err_has);
  if (st != CFG_OK) ck_assert_int_eq(cfg.db_port, 0); /* zeroed on failure */
}
END_TEST

START_TEST(defaults_and_values) {
  fake_env e = {.n = 0};
  env_add(&e, base_db);
  static const env_var more[] = {{"DB_PASSWORD", "p a's\"s"}, {"DB_PORT", "6432"}, {NULL, NULL}};
  env_add(&e, more);
  cfg_config cfg;
  char err[CFG_ERR_LEN] = "";
  ck_assert_int_eq(cfg_load(&cfg, CFG_NEED_DB, fake_getenv, &e, err), CFG_OK);
  ck_assert_int_eq(cfg.db_port, 6432);
  ck_assert_int_eq(cfg.db_connect_timeout_s, 5);
  ck_assert_int_eq(cfg.idempotency_ttl_hours, 24);
  ck_assert_int_eq(cfg.db_auth, CFG_DB_AUTH_PASSWORD);
  ck_assert_str_eq(cfg.db_sslmode, "verify-full"); /* a weaker mode is set explicitly (issue 15) */
  ck_assert_str_eq(cfg.db_password, "p a's\"s");
  ck_assert_str_eq(cfg.service_name, ""); /* neither SERVICE_NAME nor a function name */
  cfg_clear(&cfg);
  /* the logger's readers decide: WARNING is a level, the function's name the default service */
  static const env_var logging[] = {{"LOG_LEVEL", "warning"}, {"AWS_LAMBDA_FUNCTION_NAME", "orders-dev-api"}, {NULL, NULL}};
  env_add(&e, logging);
  ck_assert_int_eq(cfg_load(&cfg, CFG_NEED_DB, fake_getenv, &e, err), CFG_OK);
  ck_assert_str_eq(cfg.service_name, "orders-dev-api");
  ck_assert_int_eq(lr_setting_log_level(fake_getenv, &e, NULL), LR_LOG_WARN);
  cfg_clear(&cfg);
  ck_assert_str_eq(cfg.db_password, "");
}
END_TEST

START_TEST(iam_defaults) {
  fake_env e = {.n = 0};
  env_add(&e, base_db);
  static const env_var iam[] = {{"DB_IAM_AUTH", "true"}, {"AWS_REGION", "eu-west-1"},
                                {NULL, NULL}};
  env_add(&e, iam);
  cfg_config cfg;
  char err[CFG_ERR_LEN] = "";
  cfg_status st = cfg_load(&cfg, CFG_NEED_DB, fake_getenv, &e, err);
  /* The default bundle exists on provided.al2023; on a build host it may not. */
  if (access(CFG_DEFAULT_SSLROOTCERT, R_OK) == 0) {
    ck_assert_int_eq(st, CFG_OK);
    ck_assert_str_eq(cfg.db_sslmode, "verify-full");
    ck_assert_str_eq(cfg.db_sslrootcert, CFG_DEFAULT_SSLROOTCERT);
    ck_assert_int_eq(cfg.db_auth, CFG_DB_AUTH_IAM);
  } else {
    ck_assert_int_eq(st, CFG_INVALID);
    ck_assert_ptr_nonnull(strstr(err, CFG_DEFAULT_SSLROOTCERT));
  }
}
END_TEST

START_TEST(iam_means_verify_full) {
  fake_env e = {.n = 0};
  env_add(&e, base_db);
  env_var iam[] = {{"DB_IAM_AUTH", "True"}, {"AWS_REGION", "eu-west-1"},
                   {"DB_SSLROOTCERT", ca_path}, {NULL, NULL}};
  env_add(&e, iam);
  cfg_config cfg;
  char err[CFG_ERR_LEN] = "";
  ck_assert_msg(cfg_load(&cfg, CFG_NEED_DB, fake_getenv, &e, err) == CFG_OK, "%s", err);
  ck_assert_str_eq(cfg.db_sslmode, "verify-full");
  ck_assert_str_eq(cfg.db_sslrootcert, ca_path);
  ck_assert_int_eq(cfg.db_auth, CFG_DB_AUTH_IAM);
  ck_assert_str_eq(cfg.db_password, "");
}
END_TEST

START_TEST(endpoints_inherit) {
  fake_env e = {.n = 0};
  static const env_var v[] = {{"AWS_ENDPOINT_URL", "http://127.0.0.1:4566"},
                              {"AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4567"},
                              {NULL, NULL}};
  env_add(&e, v);
  cfg_config cfg;
  char err[CFG_ERR_LEN] = "";
  ck_assert_int_eq(cfg_load(&cfg, 0, fake_getenv, &e, err), CFG_OK);
  ck_assert_str_eq(cfg.endpoint_url_sqs, "http://127.0.0.1:4566");
  ck_assert_str_eq(cfg.endpoint_url_s3, "http://127.0.0.1:4567");
}
END_TEST

START_TEST(oversized_values) {
  /* Limits: a value one byte too long for its field is refused, never truncated. */
  char big[CFG_SECRET_LEN + 1];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  fake_env e = {.n = 0};
  env_add(&e, base_db);
  env_var v[] = {{"DB_PASSWORD", big}, {NULL, NULL}};
  env_add(&e, v);
  cfg_config cfg;
  char err[CFG_ERR_LEN] = "";
  ck_assert_int_eq(cfg_load(&cfg, CFG_NEED_DB, fake_getenv, &e, err), CFG_INVALID);
  ck_assert_ptr_nonnull(strstr(err, "DB_PASSWORD is too long"));
  ck_assert_ptr_null(strstr(err, "xxxx")); /* the secret is not echoed */
  big[CFG_SECRET_LEN - 1] = '\0';          /* exactly the maximum fits */
  ck_assert_int_eq(cfg_load(&cfg, CFG_NEED_DB, fake_getenv, &e, err), CFG_OK);
  cfg_clear(&cfg);
}
END_TEST

START_TEST(process_environment) {
  setenv("DB_HOST", "127.0.0.1", 1);
  setenv("DB_NAME", "orders", 1);
  setenv("DB_USER", "postgres", 1);
  setenv("DB_PORT", "70000", 1);
  cfg_config cfg;
  char err[CFG_ERR_LEN] = "";
  ck_assert_int_eq(cfg_load(&cfg, CFG_NEED_DB, NULL, NULL, err), CFG_INVALID);
  ck_assert_ptr_nonnull(strstr(err, "DB_PORT"));
  unsetenv("DB_PORT");
  ck_assert_int_eq(cfg_load(&cfg, CFG_NEED_DB, NULL, NULL, err), CFG_OK);
  ck_assert_int_eq(cfg.db_port, 5432);
  ck_assert_str_eq(cfg_status_name(CFG_CONFLICT), "CONFLICT");
  ck_assert_str_eq(cfg_status_name((cfg_status)99), "UNKNOWN");
}
END_TEST

int main(void) {
  snprintf(ca_path, sizeof ca_path, "/tmp/cfg-ca-XXXXXX");
  int fd = mkstemp(ca_path);
  if (fd < 0) return EXIT_FAILURE;
  close(fd);
  Suite *s = suite_create("unit.common.config");
  TCase *tc = tcase_create("config");
  tcase_set_timeout(tc, 60); /* a ceiling for loaded CI machines, not a timing assertion */
  tcase_add_loop_test(tc, table, 0, (int)(sizeof cases / sizeof *cases));
  tcase_add_test(tc, defaults_and_values);
  tcase_add_test(tc, iam_defaults);
  tcase_add_test(tc, endpoints_inherit);
  tcase_add_test(tc, iam_means_verify_full);
  tcase_add_test(tc, oversized_values);
  tcase_add_test(tc, process_environment);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  unlink(ca_path);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
