/* The IAM auth token cache with a fake clock and a fake signer. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_token.h"

typedef struct fake_signer {
  int calls;
  int fail;          /* answer an error instead of a token */
  time_t last_now;
  char last_host[128];
  int last_port;
  char last_user[64];
  char last_region[32];
} fake_signer;

static lr_aws_status fake_sign(void *arg, const char *region, const char *host, int port,
                               const char *user, time_t now, lr_buf *out,
                               char err[LR_AWS_ERR_LEN]) {
  fake_signer *f = arg;
  f->calls++;
  f->last_now = now;
  snprintf(f->last_host, sizeof f->last_host, "%s", host);
  snprintf(f->last_region, sizeof f->last_region, "%s", region);
  snprintf(f->last_user, sizeof f->last_user, "%s", user);
  f->last_port = port;
  if (f->fail) {
    snprintf(err, LR_AWS_ERR_LEN, "no credentials (fake)");
    return LR_AWS_NO_CREDENTIALS;
  }
  lr_buf_addf(out, "%s:%d/?Action=connect&DBUser=%s&X-Amz-Date=%lld", host, port, user,
              (long long)now);
  return LR_AWS_OK;
}

static cfg_config cfg;
static db_token_cache cache;
static fake_signer signer;
static const time_t T0 = 1795000000;

static void setup(void) {
  memset(&cfg, 0, sizeof cfg);
  snprintf(cfg.db_host, sizeof cfg.db_host, "proxy.example");
  cfg.db_port = 5432;
  snprintf(cfg.db_user, sizeof cfg.db_user, "orders_app");
  snprintf(cfg.aws_region, sizeof cfg.aws_region, "eu-west-1");
  memset(&signer, 0, sizeof signer);
  db__token_init(&cache);
}

static void teardown(void) { db__token_free(&cache); }

static db_status get(time_t now, const char **tok) {
  char err[DB_ERR_LEN] = "";
  return db__token_get(&cache, &cfg, fake_sign, &signer, now, NULL, tok, err);
}

START_TEST(first_use_signs_with_the_config) {
  const char *tok;
  ck_assert_int_eq(get(T0, &tok), DB_OK);
  ck_assert_int_eq(signer.calls, 1);
  ck_assert_str_eq(signer.last_host, "proxy.example");
  ck_assert_str_eq(signer.last_region, "eu-west-1");
  ck_assert_str_eq(signer.last_user, "orders_app");
  ck_assert_int_eq(signer.last_port, 5432);
  ck_assert_int_eq(signer.last_now, T0);
  ck_assert_ptr_nonnull(strstr(tok, "X-Amz-Date=1795000000"));
}
END_TEST

START_TEST(reused_before_the_renewal_point) {
  const char *tok;
  ck_assert_int_eq(get(T0, &tok), DB_OK);
  ck_assert_int_eq(get(T0 + 1, &tok), DB_OK);
  ck_assert_int_eq(get(T0 + DB_TOKEN_RENEW_AFTER - 1, &tok), DB_OK);
  ck_assert_int_eq(signer.calls, 1);
  ck_assert_ptr_nonnull(strstr(tok, "X-Amz-Date=1795000000"));
}
END_TEST

START_TEST(renewed_at_the_renewal_point) {
  const char *tok;
  ck_assert_int_eq(get(T0, &tok), DB_OK);
  ck_assert_int_eq(get(T0 + DB_TOKEN_RENEW_AFTER, &tok), DB_OK);
  ck_assert_int_eq(signer.calls, 2);
  ck_assert_ptr_nonnull(strstr(tok, "X-Amz-Date=1795000600"));
  /* and the new one is reused in turn */
  ck_assert_int_eq(get(T0 + DB_TOKEN_RENEW_AFTER + 599, &tok), DB_OK);
  ck_assert_int_eq(signer.calls, 2);
}
END_TEST

START_TEST(failed_renewal_falls_back_until_near_expiry) {
  const char *tok;
  ck_assert_int_eq(get(T0, &tok), DB_OK);
  signer.fail = 1;
  /* past the renewal point: renewal fails, the old token has minutes left */
  ck_assert_int_eq(get(T0 + DB_TOKEN_RENEW_AFTER, &tok), DB_OK);
  ck_assert_ptr_nonnull(strstr(tok, "X-Amz-Date=1795000000"));
  /* last second with enough life left */
  time_t edge = T0 + LR_AWS_RDS_TOKEN_TTL - DB_TOKEN_MIN_LEFT;
  ck_assert_int_eq(get(edge - 1, &tok), DB_OK);
  /* at the boundary the old token is no longer offered */
  char err[DB_ERR_LEN] = "";
  ck_assert_int_eq(db__token_get(&cache, &cfg, fake_sign, &signer, edge, NULL, &tok, err),
                   DB_TOKEN);
  ck_assert_ptr_null(tok);
  ck_assert_ptr_nonnull(strstr(err, "no credentials (fake)"));
  /* nor after it has expired */
  ck_assert_int_eq(get(T0 + LR_AWS_RDS_TOKEN_TTL, &tok), DB_TOKEN);
  /* the signer recovers: a fresh token */
  signer.fail = 0;
  ck_assert_int_eq(get(T0 + LR_AWS_RDS_TOKEN_TTL + 1, &tok), DB_OK);
  ck_assert_ptr_nonnull(strstr(tok, "X-Amz-Date=1795000901"));
}
END_TEST

START_TEST(first_signing_failure_is_an_error) {
  const char *tok;
  signer.fail = 1;
  ck_assert_int_eq(get(T0, &tok), DB_TOKEN);
  ck_assert_int_eq(signer.calls, 1);
}
END_TEST

START_TEST(clock_going_backwards_renews) {
  const char *tok;
  ck_assert_int_eq(get(T0, &tok), DB_OK);
  ck_assert_int_eq(get(T0 - 5, &tok), DB_OK);
  ck_assert_int_eq(signer.calls, 2);
  ck_assert_ptr_nonnull(strstr(tok, "X-Amz-Date=1794999995"));
}
END_TEST

START_TEST(invalidate_forces_a_new_token) {
  const char *tok;
  ck_assert_int_eq(get(T0, &tok), DB_OK);
  db__token_invalidate(&cache);
  ck_assert_int_eq(get(T0 + 1, &tok), DB_OK);
  ck_assert_int_eq(signer.calls, 2);
  ck_assert_uint_eq(cache.made, 2);
}
END_TEST

/* The default signer: credentials from the environment, lr_aws_rds_auth_token. */
START_TEST(default_signer_uses_the_environment) {
  setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
  setenv("AWS_SESSION_TOKEN", "session-token-example", 1);
  const char *tok;
  char err[DB_ERR_LEN] = "";
  db_status st = db__token_get(&cache, &cfg, NULL, NULL, T0, NULL, &tok, err);
  ck_assert_msg(st == DB_OK, "%s", err);
  ck_assert_msg(strncmp(tok, "proxy.example:5432/?", 20) == 0, "%s", tok);
  ck_assert_ptr_nonnull(strstr(tok, "Action=connect"));
  ck_assert_ptr_nonnull(strstr(tok, "DBUser=orders_app"));
  ck_assert_ptr_nonnull(strstr(tok, "X-Amz-Security-Token=session-token-example"));
  ck_assert_ptr_nonnull(strstr(tok, "X-Amz-Expires=900"));
  ck_assert_ptr_nonnull(strstr(tok, "eu-west-1%2Frds-db%2Faws4_request"));
  /* without credentials: a clear error, no token */
  db__token_invalidate(&cache);
  unsetenv("AWS_ACCESS_KEY_ID");
  ck_assert_int_eq(db__token_get(&cache, &cfg, NULL, NULL, T0, NULL, &tok, err), DB_TOKEN);
  ck_assert_ptr_null(tok);
  ck_assert_int_gt((int)strlen(err), 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("unit.common.db_token");
  TCase *tc = tcase_create("token");
  tcase_set_timeout(tc, 60); /* a ceiling for loaded CI machines, not a timing assertion */
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, first_use_signs_with_the_config);
  tcase_add_test(tc, reused_before_the_renewal_point);
  tcase_add_test(tc, renewed_at_the_renewal_point);
  tcase_add_test(tc, failed_renewal_falls_back_until_near_expiry);
  tcase_add_test(tc, first_signing_failure_is_an_error);
  tcase_add_test(tc, clock_going_backwards_renews);
  tcase_add_test(tc, invalidate_forces_a_new_token);
  tcase_add_test(tc, default_signer_uses_the_environment);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
