/* TLS with sslmode=verify-full against a server whose certificate comes from a
 * CA made in the test: the right CA and host name connect; a wrong CA or a
 * host name not in the certificate are refused. Then the IAM auth path, with a
 * fake token signer and a fake clock: the token is the password, over
 * verified TLS, reused until the renewal point. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "itest.h"

#ifndef MAKE_CERTS
#error "MAKE_CERTS must be defined"
#endif

static char dir[64]; /* the certificates and hba file of this run */

static void path_of(char out[128], const char *name) { snprintf(out, 128, "%s/%s", dir, name); }

typedef struct fake_signer {
  int calls;
  time_t now;      /* the fake clock */
  char host[64];
  int port;
  char token[1600];
} fake_signer;

static fake_signer signer;

static lr_aws_status fake_sign(void *arg, const char *region, const char *host, int port,
                               const char *user, time_t now, lr_buf *out,
                               char err[LR_AWS_ERR_LEN]) {
  (void)region, (void)user, (void)now, (void)err;
  fake_signer *f = arg;
  f->calls++;
  snprintf(f->host, sizeof f->host, "%s", host);
  f->port = port;
  return lr_buf_adds(out, f->token) == LR_BUF_OK ? LR_AWS_OK : LR_AWS_NOMEM;
}

static time_t fake_clock(void *arg) { return ((fake_signer *)arg)->now; }

static db_status tls_ping(const char *host, const char *ca, const char *const *more,
                          const db_hooks *hooks, db_session **keep, char err[DB_ERR_LEN]) {
  char ca_path[128];
  path_of(ca_path, ca);
  const char *base[] = {"DB_HOST", host, "DB_SSLMODE", "verify-full", "DB_SSLROOTCERT", ca_path,
                        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
  for (int i = 0; more && more[i] && i < 10; i++) base[6 + i] = more[i];
  cfg_config cfg;
  cfg_status cs = it_config(&cfg, "tls", base, err);
  ck_assert_msg(cs == CFG_OK, "%s", err);
  db_session *s = NULL;
  ck_assert_int_eq(db_session_create(&cfg, hooks, NULL, &s, err), DB_OK);
  cfg_clear(&cfg);
  db_status st = db_ping(s, err);
  if (keep) *keep = s;
  else db_session_free(s);
  return st;
}

static void setup(void) { it_fresh_db("tls"); }

START_TEST(verify_full_with_the_right_ca_and_name) {
  char err[DB_ERR_LEN] = "";
  db_session *s = NULL;
  ck_assert_msg(tls_ping("localhost", "ca.crt", NULL, NULL, &s, err) == DB_OK, "%s", err);
  PGresult *res = NULL;
  ck_assert_int_eq(db_exec(s, DB_IDEMPOTENT,
                           "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()", 0,
                           NULL, &res, err), DB_OK);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), "true");
  PQclear(res);
  db_session_free(s);
}
END_TEST

START_TEST(wrong_ca_refused) {
  char err[DB_ERR_LEN] = "";
  ck_assert_int_eq(tls_ping("localhost", "other-ca.crt", NULL, NULL, NULL, err), DB_CONNECT);
  ck_assert_msg(strstr(err, "certificate verify failed") != NULL, "%s", err);
}
END_TEST

START_TEST(wrong_host_name_refused) {
  char err[DB_ERR_LEN] = "";
  ck_assert_int_eq(tls_ping("127.0.0.1", "ca.crt", NULL, NULL, NULL, err), DB_CONNECT);
  ck_assert_msg(strstr(err, "does not match host name") != NULL, "%s", err);
}
END_TEST

START_TEST(iam_token_over_verified_tls) {
  memset(&signer, 0, sizeof signer);
  signer.now = 1795000000;
  /* RDS tokens are long; the password path must carry one whole */
  memset(signer.token, 'T', sizeof signer.token - 1);
  memcpy(signer.token, "localhost:5432/?Action=connect&", 31);
  char sql[2048];
  snprintf(sql, sizeof sql, "DROP ROLE IF EXISTS iam_user; CREATE ROLE iam_user LOGIN PASSWORD '%s'",
           signer.token);
  it_sql(NULL, sql);
  db_hooks hooks = {.clock = fake_clock, .clock_arg = &signer, .token = fake_sign,
                    .token_arg = &signer};
  const char *const iam[] = {"DB_IAM_AUTH", "true", "AWS_REGION", "eu-west-1", "DB_USER",
                             "iam_user", NULL};
  char err[DB_ERR_LEN] = "";
  db_session *s = NULL;
  ck_assert_msg(tls_ping("localhost", "ca.crt", iam, &hooks, &s, err) == DB_OK, "%s", err);
  ck_assert_int_eq(signer.calls, 1);
  ck_assert_str_eq(signer.host, "localhost");
  ck_assert_int_eq(signer.port, it_server()->port);
  /* a reconnect within 10 minutes reuses the token */
  signer.now += 599;
  it_terminate(db_session_backend_pid(s));
  ck_assert_msg(db_ping(s, err) == DB_OK, "%s", err);
  ck_assert_uint_eq(db_session_connects(s), 2);
  ck_assert_int_eq(signer.calls, 1);
  /* past the renewal point a reconnect signs a new one */
  signer.now += 1;
  it_terminate(db_session_backend_pid(s));
  ck_assert_msg(db_ping(s, err) == DB_OK, "%s", err);
  ck_assert_int_eq(signer.calls, 2);
  /* a token the server refuses is not reused: the retry signs a new one */
  it_sql(NULL, "ALTER ROLE iam_user PASSWORD 'something else'");
  it_terminate(db_session_backend_pid(s));
  ck_assert_int_eq(db_ping(s, err), DB_AUTH);
  ck_assert_int_eq(signer.calls, 3);
  ck_assert_ptr_null(strstr(err, "TTTT")); /* the token is never in a message */
  db_session_free(s);
}
END_TEST

/* Issue 15, "the IAM token expiring between invocations" (simulated): the
 * server stops accepting the token the session holds while the session's
 * clock still calls it fresh (RDS expires tokens after 15 minutes on its own
 * clock), and the connection is gone (the proxy closed it between two
 * invocations). The next statement's connect is refused once, signs a new
 * token and succeeds, within the same call: the invocation does not fail. */
START_TEST(iam_token_expired_between_invocations_is_renewed) {
  memset(&signer, 0, sizeof signer);
  signer.now = 1795000000;
  snprintf(signer.token, sizeof signer.token, "localhost:5432/?Action=connect&X-Amz-Signature=one");
  char sql[2048];
  snprintf(sql, sizeof sql, "DROP ROLE IF EXISTS iam_user; CREATE ROLE iam_user LOGIN PASSWORD '%s'",
           signer.token);
  it_sql(NULL, sql);
  db_hooks hooks = {.clock = fake_clock, .clock_arg = &signer, .token = fake_sign,
                    .token_arg = &signer};
  const char *const iam[] = {"DB_IAM_AUTH", "true", "AWS_REGION", "eu-west-1", "DB_USER",
                             "iam_user", NULL};
  char err[DB_ERR_LEN] = "";
  db_session *s = NULL;
  ck_assert_msg(tls_ping("localhost", "ca.crt", iam, &hooks, &s, err) == DB_OK, "%s", err);
  ck_assert_int_eq(signer.calls, 1);
  /* between invocations: the token expires on the server's side, the
   * connection closes, and the signer would now make another one */
  signer.now += 300; /* well before the session's own renewal point */
  snprintf(signer.token, sizeof signer.token, "localhost:5432/?Action=connect&X-Amz-Signature=two");
  snprintf(sql, sizeof sql, "ALTER ROLE iam_user PASSWORD '%s'", signer.token);
  it_sql(NULL, sql);
  it_terminate(db_session_backend_pid(s));
  PGresult *res = NULL;
  ck_assert_msg(db_exec(s, DB_IDEMPOTENT, "SELECT current_user", 0, NULL, &res, err) == DB_OK, "%s", err);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), "iam_user");
  PQclear(res);
  ck_assert_int_eq(signer.calls, 2); /* one refused connect, one new token */
  ck_assert_uint_eq(db_session_connects(s), 2);
  db_session_free(s);
}
END_TEST

START_TEST(iam_refuses_weaker_tls) {
  char ca_path[128];
  path_of(ca_path, "ca.crt");
  const char *const weak[] = {"DB_HOST", "localhost", "DB_IAM_AUTH", "true", "AWS_REGION",
                              "eu-west-1", "DB_SSLMODE", "require", "DB_SSLROOTCERT", ca_path,
                              NULL};
  cfg_config cfg;
  char err[CFG_ERR_LEN] = "";
  ck_assert_int_eq(it_config(&cfg, "tls", weak, err), CFG_CONFLICT);
}
END_TEST

static int run_make_certs(void) {
  pid_t pid = fork();
  if (pid == 0) {
    char script[] = MAKE_CERTS, bash[] = "bash";
    char *argv[] = {bash, script, dir, NULL};
    execvp("bash", argv);
    _exit(127);
  }
  int status;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int write_hba(void) {
  char path[128];
  path_of(path, "hba.conf");
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  /* fixtures: postgres without TLS; everyone else: TLS and a password */
  fputs("host all postgres 127.0.0.1/32 trust\n"
        "hostssl all all 127.0.0.1/32 scram-sha-256\n"
        "hostssl all all ::1/128 scram-sha-256\n", f);
  int bad = fclose(f) != 0;
  chmod(path, 0644);
  return bad ? -1 : 0;
}

static void remove_dir(void) {
  static const char *const files[] = {"ca.crt", "ca.key", "ca.srl", "other-ca.crt",
                                      "other-ca.key", "server.crt", "server.key", "server.csr",
                                      "server.ext", "hba.conf"};
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    char p[128];
    path_of(p, files[i]);
    unlink(p);
  }
  rmdir(dir);
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/tls-test-XXXXXX");
  if (!mkdtemp(dir)) return EXIT_FAILURE;
  chmod(dir, 0755);
  if (run_make_certs() != 0 || write_hba() != 0) {
    fprintf(stderr, "cannot make the test certificates in %s\n", dir);
    remove_dir();
    return EXIT_FAILURE;
  }
  char opts[512];
  snprintf(opts, sizeof opts,
           "-c ssl=on -c ssl_cert_file=%s/server.crt -c ssl_key_file=%s/server.key "
           "-c hba_file=%s/hba.conf", dir, dir, dir);
  Suite *s = suite_create("integration.db.tls");
  TCase *tc = tcase_create("tls");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, NULL);
  tcase_add_test(tc, verify_full_with_the_right_ca_and_name);
  tcase_add_test(tc, wrong_ca_refused);
  tcase_add_test(tc, wrong_host_name_refused);
  tcase_add_test(tc, iam_token_over_verified_tls);
  tcase_add_test(tc, iam_token_expired_between_invocations_is_renewed);
  tcase_add_test(tc, iam_refuses_weaker_tls);
  suite_add_tcase(s, tc);
  int rc = it_main(s, opts);
  remove_dir();
  return rc;
}
