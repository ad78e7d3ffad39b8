/* The db-auth-token command: usage errors and exit codes, and its output equal
 * to lr_aws_rds_auth_token's for the same clock (--test-clock). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lr/aws.h"
#include "run_capture.h"
#include "test_common.h"

#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TOKEN "FQoGZXIvYXdzE/abc+def=="
#define CLOCK "1440938160"

static const char *const CREDS[] = {"AWS_ACCESS_KEY_ID=" AKID, "AWS_SECRET_ACCESS_KEY=" SECRET, NULL};

typedef struct result {
  int rc;
  lr_buf out, err;
} result;

static result run(const char *const args[], const char *const envp[]) {
  const char *argv[RUN_MAX_ARGS + 1] = {DB_AUTH_TOKEN_BIN};
  size_t n = 1;
  for (size_t i = 0; args[i] && n < RUN_MAX_ARGS; i++) argv[n++] = args[i];
  argv[n] = NULL;
  result r;
  lr_buf_init(&r.out, 65536);
  lr_buf_init(&r.err, 65536);
  r.rc = run_capture(argv, envp, &r.out, &r.err);
  return r;
}

static void done(result *r) {
  lr_buf_free(&r->out);
  lr_buf_free(&r->err);
}

static void expect_usage(const char *const args[], const char *needle) {
  result r = run(args, CREDS);
  ck_assert_msg(r.rc == 2, "rc %d for %s", r.rc, args[0] ? args[0] : "(none)");
  ck_assert_msg(strstr(lr_buf_str(&r.err), needle) != NULL, "stderr '%s' lacks '%s'", lr_buf_str(&r.err), needle);
  ck_assert_uint_eq(r.out.len, 0);
  done(&r);
}

START_TEST(usage_errors_exit_2) {
  expect_usage((const char *[]){NULL}, "--hostname is required");
  expect_usage((const char *[]){"--hostname", "h", "--username", "u", "--region", "us-east-1", NULL}, "--port is required");
  expect_usage((const char *[]){"--hostname", "h", "--port", "5432", "--region", "us-east-1", NULL}, "--username is required");
  expect_usage((const char *[]){"--hostname", "h", "--port", "abc", "--username", "u", NULL}, "--port must be");
  expect_usage((const char *[]){"--hostname", "h", "--port", "0", "--username", "u", NULL}, "--port must be");
  expect_usage((const char *[]){"--hostname", "h", "--port", "65536", "--username", "u", NULL}, "--port must be");
  expect_usage((const char *[]){"--hostname", "h", "--port", "54x", "--username", "u", NULL}, "--port must be");
  expect_usage((const char *[]){"--hostname", "--port", "5432", "--username", "u", NULL}, "--hostname needs a value");
  expect_usage((const char *[]){"--hostname", "h", "--port", "5432", "--username", NULL}, "--username needs a value");
  expect_usage((const char *[]){"--hostname", "h", "--hostname", "i", "--port", "1", "--username", "u", NULL}, "given twice");
  expect_usage((const char *[]){"--profile", "x", NULL}, "unknown argument '--profile'");
  expect_usage((const char *[]){"stray", NULL}, "unknown argument 'stray'");
  expect_usage((const char *[]){"--hostname", "h x", "--port", "1", "--username", "u", "--region", "us-east-1", NULL}, "host name");
  expect_usage((const char *[]){"--hostname", "h", "--port", "1", "--username", "u", "--test-clock", "-5", "--region", "us-east-1", NULL}, "--test-clock");
}
END_TEST

START_TEST(no_region_exit_2) {
  result r = run((const char *[]){"--hostname", "h", "--port", "5432", "--username", "u", NULL}, CREDS);
  ck_assert_int_eq(r.rc, 2);
  ck_assert_ptr_nonnull(strstr(lr_buf_str(&r.err), "no region"));
  done(&r);
}
END_TEST

START_TEST(no_credentials_exit_1) {
  const char *const env[] = {"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=" AKID, NULL};
  result r = run((const char *[]){"--hostname", "h", "--port", "5432", "--username", "u", NULL}, env);
  ck_assert_int_eq(r.rc, 1);
  ck_assert_ptr_nonnull(strstr(lr_buf_str(&r.err), "AWS_SECRET_ACCESS_KEY is not set"));
  ck_assert_uint_eq(r.out.len, 0);
  done(&r);
}
END_TEST

START_TEST(help_exit_0) {
  result r = run((const char *[]){"--help", NULL}, (const char *[]){NULL});
  ck_assert_int_eq(r.rc, 0);
  ck_assert(strncmp(lr_buf_str(&r.out), "usage: db-auth-token --hostname HOST --port PORT --username USER", 64) == 0);
  ck_assert_ptr_null(strstr(lr_buf_str(&r.out), "test-clock"));
  done(&r);
}
END_TEST

/* The library's token for the same inputs, plus the newline. */
static void expected(const char *region, const char *token, lr_buf *out) {
  lr_aws_credentials c = {AKID, SECRET, ""};
  if (token) snprintf(c.session_token, sizeof c.session_token, "%s", token);
  ck_assert_int_eq(lr_aws_rds_auth_token(&c, region, "orders.proxy-x.eu-west-1.rds.amazonaws.com", 5432, "ops user",
                                         1440938160, out, NULL), LR_AWS_OK);
  ck_assert_int_eq(lr_buf_adds(out, "\n"), LR_BUF_OK);
}

static void expect_token(const char *const extra_args[], const char *const env[], const char *region, const char *token) {
  const char *args[RUN_MAX_ARGS] = {"--hostname", "orders.proxy-x.eu-west-1.rds.amazonaws.com", "--port=5432",
                                    "--username", "ops user", "--test-clock", CLOCK};
  size_t n = 7;
  for (size_t i = 0; extra_args[i]; i++) args[n++] = extra_args[i];
  args[n] = NULL;
  result r = run(args, env);
  ck_assert_msg(r.rc == 0, "rc %d: %s", r.rc, lr_buf_str(&r.err));
  lr_buf want;
  lr_buf_init(&want, 65536);
  expected(region, token, &want);
  ck_assert_str_eq(lr_buf_str(&r.out), lr_buf_str(&want));
  lr_buf_free(&want);
  done(&r);
}

START_TEST(output_equals_library) {
  expect_token((const char *[]){"--region", "eu-west-1", NULL}, CREDS, "eu-west-1", NULL);
  expect_token((const char *[]){"--region=eu-west-2", NULL},
               (const char *[]){"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=" AKID, "AWS_SECRET_ACCESS_KEY=" SECRET, NULL},
               "eu-west-2", NULL);
  expect_token((const char *[]){NULL},
               (const char *[]){"AWS_REGION=ap-south-1", "AWS_DEFAULT_REGION=us-east-1", "AWS_ACCESS_KEY_ID=" AKID,
                                "AWS_SECRET_ACCESS_KEY=" SECRET, "AWS_SESSION_TOKEN=" TOKEN, NULL},
               "ap-south-1", TOKEN);
  expect_token((const char *[]){NULL},
               (const char *[]){"AWS_DEFAULT_REGION=us-west-2", "AWS_ACCESS_KEY_ID=" AKID, "AWS_SECRET_ACCESS_KEY=" SECRET, NULL},
               "us-west-2", NULL);
}
END_TEST

int main(void) {
  Suite *s = suite_create("db-auth-token");
  TCase *t = tcase_create("cli");
  tcase_set_timeout(t, 30);
  tcase_add_test(t, usage_errors_exit_2);
  tcase_add_test(t, no_region_exit_2);
  tcase_add_test(t, no_credentials_exit_1);
  tcase_add_test(t, help_exit_0);
  tcase_add_test(t, output_equals_library);
  suite_add_tcase(s, t);
  return aws_test_run_suite(s);
}
