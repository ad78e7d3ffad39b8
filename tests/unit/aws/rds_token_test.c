/* RDS IAM auth tokens compared byte for byte with AWS's SDK for JavaScript
 * (@aws-sdk/rds-signer from tools/node_modules), both on the same fixed clock
 * and credentials, with and without a session token. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lr/aws.h"
#include "run_capture.h"
#include "test_common.h"

#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
/* A token with the characters that need encoding in a query: / + = */
#define TOKEN "IQoJb3JpZ2luX2VjEA8aCXVzLWVhc3QtMSJHMEUCIQD/abc+def/ghi==FwoGZXIvYXdzEJr//////////wEaDN"

typedef struct rds_case {
  const char *region;
  const char *host;
  int port;
  const char *user;
  time_t now;
} rds_case;

static const rds_case CASES[] = {
    {"us-east-1", "orders-proxy.proxy-c0ffee123456.us-east-1.rds.amazonaws.com", 5432, "orders_app", 1440938160},
    {"eu-west-1", "orders.proxy-abcdefghijkl.eu-west-1.rds.amazonaws.com", 5432, "migrate", 1700006399},
    {"eu-central-1", "MyDB.cluster-xyz.eu-central-1.rds.amazonaws.com", 6543, "app user+1@corp/x", 1735689600},
    {"ap-southeast-2", "db.internal", 3306, "o'brien!*()~._-", 1767225599},
    {"us-west-2", "10.0.12.7", 5432, "caf\xc3\xa9_\xe1\x88\xb4", 2000000000},
};

static lr_aws_credentials creds(int with_token) {
  lr_aws_credentials c = {AKID, SECRET, ""};
  if (with_token) snprintf(c.session_token, sizeof c.session_token, "%s", TOKEN);
  return c;
}

/* The reference token from node, or "" with the test failed. */
static void node_token(const rds_case *k, int with_token, lr_buf *out) {
  char epoch[32], port[16];
  snprintf(epoch, sizeof epoch, "%lld", (long long)k->now);
  snprintf(port, sizeof port, "%d", k->port);
  const char *argv[] = {NODE_EXECUTABLE, REF_SCRIPT, NODE_MODULES_DIR, epoch, k->region,
                        k->host, port, k->user, NULL};
  const char *envp[] = {"AWS_ACCESS_KEY_ID=" AKID, "AWS_SECRET_ACCESS_KEY=" SECRET,
                  with_token ? "AWS_SESSION_TOKEN=" TOKEN : NULL, NULL};
  lr_buf err;
  lr_buf_init(&err, 4096);
  int rc = run_capture(argv, envp, out, &err);
  ck_assert_msg(rc == 0, "node (%s) failed with %d: %s", NODE_EXECUTABLE, rc, lr_buf_str(&err));
  lr_buf_free(&err);
}

static void compare(int with_token) {
  for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
    const rds_case *k = &CASES[i];
    lr_aws_credentials c = creds(with_token);
    lr_buf ours, theirs;
    lr_buf_init(&ours, 16384);
    lr_buf_init(&theirs, 16384);
    char err[LR_AWS_ERR_LEN] = "";
    ck_assert_msg(lr_aws_rds_auth_token(&c, k->region, k->host, k->port, k->user, k->now, &ours, err) == LR_AWS_OK,
                  "case %zu: %s", i, err);
    node_token(k, with_token, &theirs);
    ck_assert_msg(theirs.len > 100, "case %zu: node gave no token", i);
    ck_assert_msg(strcmp(lr_buf_str(&ours), lr_buf_str(&theirs)) == 0, "case %zu differs:\n ours   %s\n theirs %s", i,
                  lr_buf_str(&ours), lr_buf_str(&theirs));
    ck_assert_int_eq(strstr(lr_buf_str(&ours), "X-Amz-Security-Token=") != NULL, with_token);
    lr_buf_free(&ours);
    lr_buf_free(&theirs);
  }
}

START_TEST(equals_sdk_without_session_token) { compare(0); }
END_TEST

START_TEST(equals_sdk_with_session_token) { compare(1); }
END_TEST

/* The shape, independently of node: host:port/?Action=connect&DBUser=... and
 * the 900 s expiry, with the user name encoded. */
START_TEST(token_shape) {
  lr_aws_credentials c = creds(0);
  lr_buf t;
  lr_buf_init(&t, 16384);
  ck_assert_int_eq(lr_aws_rds_auth_token(&c, "us-east-1", "h.example", 5432, "a b/c", 1440938160, &t, NULL), LR_AWS_OK);
  const char *s = lr_buf_str(&t);
  ck_assert_msg(strncmp(s, "h.example:5432/?Action=connect&DBUser=a%20b%2Fc&X-Amz-Algorithm=AWS4-HMAC-SHA256&", 81) == 0, "%s", s);
  ck_assert_ptr_nonnull(strstr(s, "&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Frds-db%2Faws4_request&"));
  ck_assert_ptr_nonnull(strstr(s, "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=900&"));
  ck_assert_ptr_nonnull(strstr(s, "&X-Amz-SignedHeaders=host"));
  lr_buf_free(&t);
}
END_TEST

/* Appends: what the buffer held stays in front. */
START_TEST(token_appends) {
  lr_aws_credentials c = creds(1);
  lr_buf t;
  lr_buf_init(&t, 16384);
  ck_assert_int_eq(lr_buf_adds(&t, "prefix|"), LR_BUF_OK);
  ck_assert_int_eq(lr_aws_rds_auth_token(&c, "us-east-1", "h", 1, "u", 1440938160, &t, NULL), LR_AWS_OK);
  ck_assert(strncmp(lr_buf_str(&t), "prefix|h:1/?Action=connect&DBUser=u&", 36) == 0);
  lr_buf_free(&t);
}
END_TEST

START_TEST(bad_inputs_refused) {
  lr_aws_credentials c = creds(0);
  lr_buf t;
  lr_buf_init(&t, 16384);
  char err[LR_AWS_ERR_LEN];
  const time_t now = 1440938160;
  ck_assert_int_eq(lr_aws_rds_auth_token(&c, "us-east-1", "", 5432, "u", now, &t, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_aws_rds_auth_token(&c, "us-east-1", "h/x", 5432, "u", now, &t, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_aws_rds_auth_token(&c, "us-east-1", "h x", 5432, "u", now, &t, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_aws_rds_auth_token(&c, "us-east-1", "h", 0, "u", now, &t, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_aws_rds_auth_token(&c, "us-east-1", "h", 65536, "u", now, &t, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_aws_rds_auth_token(&c, "us-east-1", "h", 5432, "", now, &t, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_aws_rds_auth_token(&c, "us-east-1", "h", 5432, "a\nb", now, &t, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_aws_rds_auth_token(&c, "US_EAST", "h", 5432, "u", now, &t, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_aws_rds_auth_token(&c, NULL, "h", 5432, "u", now, &t, err), LR_AWS_BAD_ARGUMENT);
  char longuser[200];
  memset(longuser, 'u', sizeof longuser - 1);
  longuser[sizeof longuser - 1] = '\0';
  ck_assert_int_eq(lr_aws_rds_auth_token(&c, "us-east-1", "h", 5432, longuser, now, &t, err), LR_AWS_BAD_ARGUMENT);
  lr_aws_credentials none = {"", "", ""};
  ck_assert_int_eq(lr_aws_rds_auth_token(&none, "us-east-1", "h", 5432, "u", now, &t, err), LR_AWS_NO_CREDENTIALS);
  ck_assert_ptr_null(strstr(err, SECRET));
  ck_assert_uint_eq(t.len, 0);
  lr_buf_free(&t);
}
END_TEST

START_TEST(credentials_from_env) {
  lr_aws_credentials c;
  char err[LR_AWS_ERR_LEN] = "";
  unsetenv("AWS_ACCESS_KEY_ID");
  setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
  unsetenv("AWS_SESSION_TOKEN");
  ck_assert_int_eq(lr_aws_credentials_from_env(&c, err), LR_AWS_NO_CREDENTIALS);
  ck_assert_ptr_nonnull(strstr(err, "AWS_ACCESS_KEY_ID"));
  setenv("AWS_ACCESS_KEY_ID", AKID, 1);
  ck_assert_int_eq(lr_aws_credentials_from_env(&c, err), LR_AWS_OK);
  ck_assert_str_eq(c.access_key_id, AKID);
  ck_assert_str_eq(c.session_token, "");
  setenv("AWS_SESSION_TOKEN", TOKEN, 1);
  ck_assert_int_eq(lr_aws_credentials_from_env(&c, err), LR_AWS_OK);
  ck_assert_str_eq(c.session_token, TOKEN);
  setenv("AWS_SESSION_TOKEN", "two\nlines", 1);
  ck_assert_int_eq(lr_aws_credentials_from_env(&c, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_str_eq(c.secret_access_key, ""); /* wiped on failure */
  char big[5000];
  memset(big, 'A', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  setenv("AWS_SESSION_TOKEN", big, 1);
  ck_assert_int_eq(lr_aws_credentials_from_env(&c, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_str_eq(lr_aws_status_name(LR_AWS_THROTTLED), "LR_AWS_THROTTLED");
  ck_assert_str_eq(lr_aws_status_message(LR_AWS_NO_CREDENTIALS), "no AWS credentials in the environment");
}
END_TEST

int main(void) {
  Suite *s = suite_create("rds auth token");
  TCase *node = tcase_create("against @aws-sdk/rds-signer");
  tcase_set_timeout(node, 60);
  tcase_add_test(node, equals_sdk_without_session_token);
  tcase_add_test(node, equals_sdk_with_session_token);
  suite_add_tcase(s, node);
  TCase *own = tcase_create("shape and limits");
  tcase_add_test(own, token_shape);
  tcase_add_test(own, token_appends);
  tcase_add_test(own, bad_inputs_refused);
  tcase_add_test(own, credentials_from_env);
  suite_add_tcase(s, own);
  return aws_test_run_suite(s);
}
