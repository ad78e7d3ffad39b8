/* The database session against a real server: lazy connect, credentials that
 * need quoting, broken connections (terminated backend, server restart,
 * server down), what is and is not resent, and transactions. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

/* A password that breaks any hand-formatted conninfo string. */
#define WEIRD_PASSWORD "p a's\"s\\ x = y'"
#define WEIRD_PASSWORD_SQL "'p a''s\"s\\ x = y'''"

typedef struct fake_sleep {
  int calls;
  unsigned last_ms;
} fake_sleep;

static void fake_sleep_fn(void *arg, unsigned ms) {
  fake_sleep *f = arg;
  f->calls++;
  f->last_ms = ms;
}

static fake_sleep slept;
static db_hooks hooks;
static db_session *sess;

static void setup(void) {
  memset(&slept, 0, sizeof slept);
  hooks = (db_hooks){.sleep = fake_sleep_fn, .sleep_arg = &slept};
  it_fresh_db("sess");
  it_sql("sess", "CREATE TABLE t (id int PRIMARY KEY, note text)");
  sess = it_session("sess", &hooks);
}

static void teardown(void) { db_session_free(sess); }

static db_status exec0(db_idempotency idem, const char *sql) {
  char err[DB_ERR_LEN] = "";
  return db_exec(sess, idem, sql, 0, NULL, NULL, err);
}

START_TEST(lazy_then_reused) {
  ck_assert_uint_eq(db_session_connects(sess), 0);
  ck_assert_int_eq(db_session_backend_pid(sess), 0);
  char err[DB_ERR_LEN] = "";
  ck_assert_msg(db_ping(sess, err) == DB_OK, "%s", err);
  int pid = db_session_backend_pid(sess);
  ck_assert_int_gt(pid, 0);
  for (int i = 0; i < 5; i++) ck_assert_int_eq(db_ping(sess, err), DB_OK);
  ck_assert_uint_eq(db_session_connects(sess), 1);
  ck_assert_int_eq(db_session_backend_pid(sess), pid);
  /* no named statements left behind: the proxy can multiplex this session */
  PGresult *res = NULL;
  ck_assert_int_eq(db_exec(sess, DB_IDEMPOTENT, "SELECT count(*) FROM pg_prepared_statements", 0,
                           NULL, &res, err), DB_OK);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), "0");
  PQclear(res);
}
END_TEST

START_TEST(password_that_needs_quoting) {
  it_sql(NULL, "DROP ROLE IF EXISTS app_user; CREATE ROLE app_user LOGIN PASSWORD "
               WEIRD_PASSWORD_SQL);
  const char *const ok[] = {"DB_USER", "app_user", "DB_PASSWORD", WEIRD_PASSWORD, NULL};
  cfg_config cfg;
  char err[DB_ERR_LEN] = "";
  ck_assert_msg(it_config(&cfg, "sess", ok, err) == CFG_OK, "%s", err);
  db_session *s = NULL;
  ck_assert_int_eq(db_session_create(&cfg, &hooks, NULL, &s, err), DB_OK);
  ck_assert_msg(db_ping(s, err) == DB_OK, "%s", err);
  db_session_free(s);
  /* the wrong password: refused, retried once after a backoff, and not echoed */
  const char *const bad[] = {"DB_USER", "app_user", "DB_PASSWORD", "p a's\"s", NULL};
  ck_assert_int_eq(it_config(&cfg, "sess", bad, err), CFG_OK);
  ck_assert_int_eq(db_session_create(&cfg, &hooks, NULL, &s, err), DB_OK);
  ck_assert_int_eq(db_ping(s, err), DB_AUTH);
  ck_assert_ptr_null(strstr(err, "p a's"));
  ck_assert_int_eq(slept.calls, 1);
  ck_assert_uint_ge(slept.last_ms, 100);
  ck_assert_uint_lt(slept.last_ms, 300);
  db_session_free(s);
  cfg_clear(&cfg);
}
END_TEST

START_TEST(terminated_while_idle_reconnects) {
  char err[DB_ERR_LEN] = "";
  ck_assert_int_eq(db_ping(sess, err), DB_OK);
  int pid = db_session_backend_pid(sess);
  it_terminate(pid);
  /* even a non-idempotent statement goes through: the loss was seen before sending */
  ck_assert_int_eq(exec0(DB_NOT_IDEMPOTENT, "INSERT INTO t VALUES (1, 'after terminate')"), DB_OK);
  ck_assert_uint_eq(db_session_connects(sess), 2);
  ck_assert_int_ne(db_session_backend_pid(sess), pid);
  ck_assert_int_eq(it_count("sess", "SELECT count(*) FROM t WHERE id = 1"), 1);
  ck_assert_int_eq(slept.calls, 0); /* the first reconnect attempt succeeded */
}
END_TEST

START_TEST(server_restart_under_live_session) {
  char err[DB_ERR_LEN] = "";
  ck_assert_int_eq(db_ping(sess, err), DB_OK);
  char terr[TPG_ERR_LEN] = "";
  ck_assert_msg(tpg_restart(it_server(), terr) == 0, "%s", terr);
  ck_assert_msg(exec0(DB_NOT_IDEMPOTENT, "INSERT INTO t VALUES (2, 'after restart')") == DB_OK,
                "insert after restart failed");
  ck_assert_uint_eq(db_session_connects(sess), 2);
  ck_assert_int_eq(it_count("sess", "SELECT count(*) FROM t WHERE id = 2"), 1);
}
END_TEST

START_TEST(server_down_then_up) {
  char err[DB_ERR_LEN] = "";
  ck_assert_int_eq(db_ping(sess, err), DB_OK);
  char terr[TPG_ERR_LEN] = "";
  ck_assert_msg(tpg_server_down(it_server(), terr) == 0, "%s", terr);
  ck_assert_int_eq(db_ping(sess, err), DB_CONNECT);
  ck_assert_int_eq(slept.calls, 1); /* one backoff between the two attempts */
  ck_assert_msg(tpg_server_up(it_server(), terr) == 0, "%s", terr);
  ck_assert_msg(db_ping(sess, err) == DB_OK, "%s", err);
}
END_TEST

/* Terminates backend `pid` once it is running a statement containing `needle`. */
typedef struct killer {
  int pid;
  const char *needle;
  int killed;
} killer;

static void *kill_when_active(void *arg) {
  killer *k = arg;
  char err[TPG_ERR_LEN] = "";
  PGconn *c = tpg_connect(it_server(), NULL, err);
  if (!c) return NULL;
  char pid[16];
  snprintf(pid, sizeof pid, "%d", k->pid);
  const char *params[] = {pid, k->needle};
  for (int i = 0; i < 200 && !k->killed; i++) { /* at most ~10 s */
    PGresult *r = PQexecParams(c,
                               "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE pid = $1::int AND state = 'active' AND "
                               "strpos(query, $2) > 0",
                               2, NULL, params, NULL, NULL, 0);
    k->killed = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    PQclear(r);
    if (!k->killed) usleep(50000);
  }
  PQfinish(c);
  return NULL;
}

static db_status exec_killed(db_idempotency idem, const char *sql, const char *needle,
                             char err[DB_ERR_LEN]) {
  ck_assert_int_eq(db_ping(sess, err), DB_OK);
  killer k = {.pid = db_session_backend_pid(sess), .needle = needle};
  pthread_t t;
  ck_assert_int_eq(pthread_create(&t, NULL, kill_when_active, &k), 0);
  db_status st = db_exec(sess, idem, sql, 0, NULL, NULL, err);
  pthread_join(t, NULL);
  ck_assert(k.killed);
  return st;
}

START_TEST(in_flight_loss_not_resent_unless_idempotent) {
  char err[DB_ERR_LEN] = "";
  db_status st = exec_killed(DB_NOT_IDEMPOTENT,
                             "INSERT INTO t SELECT 3, 'once' FROM pg_sleep(1.5)", "'once'", err);
  ck_assert_msg(st == DB_CONNECTION_LOST, "%s: %s", db_status_name(st), err);
  ck_assert_uint_eq(db_session_connects(sess), 1); /* not resent */
  ck_assert_int_eq(it_count("sess", "SELECT count(*) FROM t"), 0);
  /* the next statement reopens */
  ck_assert_int_eq(exec0(DB_NOT_IDEMPOTENT, "INSERT INTO t VALUES (4, 'next')"), DB_OK);
  ck_assert_uint_eq(db_session_connects(sess), 2);
}
END_TEST

START_TEST(in_flight_loss_resent_when_idempotent) {
  char err[DB_ERR_LEN] = "";
  db_status st = exec_killed(DB_IDEMPOTENT,
                             "INSERT INTO t SELECT 5, 'twice' FROM pg_sleep(1.5) "
                             "ON CONFLICT (id) DO NOTHING", "'twice'", err);
  ck_assert_msg(st == DB_OK, "%s: %s", db_status_name(st), err);
  ck_assert_uint_eq(db_session_connects(sess), 2);
  ck_assert_int_eq(it_count("sess", "SELECT count(*) FROM t WHERE id = 5"), 1);
}
END_TEST

typedef struct body_state {
  int calls;
  int kill_calls;       /* terminate our own backend during calls 1..kill_calls */
  const char *fail_sql; /* a statement that fails, or NULL */
  int fail_on_calls;    /* run fail_sql on calls <= this */
  db_status give;       /* what the body returns after its statements */
  int id;
} body_state;

static db_status body(db_session *s, void *arg, char err[DB_ERR_LEN]) {
  body_state *b = arg;
  b->calls++;
  char sql[128];
  snprintf(sql, sizeof sql, "INSERT INTO t VALUES (%d, 'tx')", b->id);
  db_status st = db_exec(s, DB_NOT_IDEMPOTENT, sql, 0, NULL, NULL, err);
  if (st != DB_OK) return st;
  if (b->calls <= b->kill_calls) it_terminate(db_session_backend_pid(s));
  if (b->fail_sql && b->calls <= b->fail_on_calls) {
    st = db_exec(s, DB_NOT_IDEMPOTENT, b->fail_sql, 0, NULL, NULL, err);
    if (st != DB_OK && b->give == DB_OK) return DB_OK; /* a careless body */
  }
  st = db_exec(s, DB_NOT_IDEMPOTENT, "UPDATE t SET note = 'tx2' WHERE id = 10", 0, NULL, NULL, err);
  return st != DB_OK ? st : b->give;
}

static db_status tx(db_idempotency idem, body_state *b) {
  char err[DB_ERR_LEN] = "";
  return db_transaction(sess, idem, body, b, err);
}

START_TEST(tx_commits_and_rolls_back) {
  body_state ok = {.id = 10, .give = DB_OK};
  ck_assert_int_eq(tx(DB_NOT_IDEMPOTENT, &ok), DB_OK);
  ck_assert_int_eq(it_count("sess", "SELECT count(*) FROM t WHERE id = 10 AND note = 'tx2'"), 1);
  /* the body says no: nothing it wrote stays */
  body_state no = {.id = 11, .give = DB_CHECK_VIOLATION};
  ck_assert_int_eq(tx(DB_NOT_IDEMPOTENT, &no), DB_CHECK_VIOLATION);
  ck_assert_int_eq(no.calls, 1);
  ck_assert_int_eq(it_count("sess", "SELECT count(*) FROM t WHERE id = 11"), 0);
  /* a failed statement the body ignored still fails the transaction */
  body_state careless = {.id = 12, .fail_sql = "INSERT INTO t VALUES (10, 'dup')",
                         .fail_on_calls = 9, .give = DB_OK};
  ck_assert_int_eq(tx(DB_NOT_IDEMPOTENT, &careless), DB_UNIQUE_VIOLATION);
  ck_assert_int_eq(it_count("sess", "SELECT count(*) FROM t WHERE id = 12"), 0);
  /* the session is usable afterwards, outside any transaction */
  ck_assert_int_eq(exec0(DB_NOT_IDEMPOTENT, "INSERT INTO t VALUES (13, 'after')"), DB_OK);
  PGconn *c = db_session_conn(sess, NULL);
  ck_assert_int_eq(PQtransactionStatus(c), PQTRANS_IDLE);
}
END_TEST

START_TEST(tx_retries_serialization_failures) {
  body_state once = {.id = 20, .give = DB_OK, .fail_on_calls = 1,
                     .fail_sql = "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001';"
                                 " END $$"};
  ck_assert_int_eq(tx(DB_NOT_IDEMPOTENT, &once), DB_OK);
  ck_assert_int_eq(once.calls, 2);
  ck_assert_int_eq(it_count("sess", "SELECT count(*) FROM t WHERE id = 20"), 1);
  body_state always = once;
  always.calls = 0;
  always.id = 21;
  always.fail_on_calls = 99;
  always.fail_sql = "DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$";
  ck_assert_int_eq(tx(DB_NOT_IDEMPOTENT, &always), DB_DEADLOCK);
  ck_assert_int_eq(always.calls, 3);
  ck_assert_int_eq(it_count("sess", "SELECT count(*) FROM t WHERE id = 21"), 0);
}
END_TEST

START_TEST(tx_loss_before_commit_runs_again) {
  body_state b = {.id = 30, .give = DB_OK, .kill_calls = 1};
  ck_assert_int_eq(tx(DB_NOT_IDEMPOTENT, &b), DB_OK);
  ck_assert_int_eq(b.calls, 2);
  ck_assert_int_eq(it_count("sess", "SELECT count(*) FROM t WHERE id = 30"), 1);
  ck_assert_uint_eq(db_session_connects(sess), 2);
  /* lost again on the second run: reported, not looped */
  body_state twice = {.id = 31, .give = DB_OK, .kill_calls = 99};
  ck_assert_int_eq(tx(DB_IDEMPOTENT, &twice), DB_CONNECTION_LOST);
  ck_assert_int_eq(twice.calls, 2);
  ck_assert_int_eq(it_count("sess", "SELECT count(*) FROM t WHERE id = 31"), 0);
}
END_TEST

static void make_slow_commit_table(void) {
  it_sql("sess", "CREATE TABLE slow (id int PRIMARY KEY);"
                 "CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS "
                 "$$ BEGIN PERFORM pg_sleep(1.5); RETURN NULL; END $$;"
                 "CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON slow "
                 "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()");
}

typedef struct commit_body {
  int calls;
  int id;
} commit_body;

static db_status slow_body(db_session *s, void *arg, char err[DB_ERR_LEN]) {
  commit_body *b = arg;
  b->calls++;
  char sql[64];
  snprintf(sql, sizeof sql, "INSERT INTO slow VALUES (%d) ON CONFLICT DO NOTHING", b->id);
  return db_exec(s, DB_NOT_IDEMPOTENT, sql, 0, NULL, NULL, err);
}

static db_status commit_killed(db_idempotency idem, commit_body *b) {
  char err[DB_ERR_LEN] = "";
  ck_assert_int_eq(db_ping(sess, err), DB_OK);
  killer k = {.pid = db_session_backend_pid(sess), .needle = "COMMIT"};
  pthread_t t;
  ck_assert_int_eq(pthread_create(&t, NULL, kill_when_active, &k), 0);
  db_status st = db_transaction(sess, idem, slow_body, b, err);
  pthread_join(t, NULL);
  ck_assert(k.killed);
  return st;
}

START_TEST(tx_loss_during_commit) {
  make_slow_commit_table();
  commit_body b = {.id = 1};
  ck_assert_int_eq(commit_killed(DB_NOT_IDEMPOTENT, &b), DB_COMMIT_UNKNOWN);
  ck_assert_int_eq(b.calls, 1);
  /* idempotent: the whole transaction runs again on a new connection */
  commit_body again = {.id = 2};
  ck_assert_int_eq(commit_killed(DB_IDEMPOTENT, &again), DB_OK);
  ck_assert_int_eq(again.calls, 2);
  ck_assert_int_eq(it_count("sess", "SELECT count(*) FROM slow WHERE id = 2"), 1);
}
END_TEST

/* A serializable transaction that a concurrent writer invalidates on its
 * first run: the retry sees the committed value and succeeds. */
static db_status increment(db_session *s, void *arg, char err[DB_ERR_LEN]) {
  int *calls = arg;
  ++*calls;
  PGresult *r = NULL;
  db_status st = db_exec(s, DB_NOT_IDEMPOTENT, "SELECT note FROM t WHERE id = 50", 0, NULL, &r,
                         err);
  PQclear(r);
  if (st != DB_OK) return st;
  if (*calls == 1) it_sql("sess", "UPDATE t SET note = 'other writer' WHERE id = 50");
  return db_exec(s, DB_NOT_IDEMPOTENT, "UPDATE t SET note = note || '+1' WHERE id = 50", 0, NULL,
                 NULL, err);
}

START_TEST(tx_serializable_conflict_retried) {
  it_sql("sess", "INSERT INTO t VALUES (50, 'start')");
  int calls = 0;
  char err[DB_ERR_LEN] = "";
  db_status st = db_transaction_iso(sess, DB_NOT_IDEMPOTENT, DB_SERIALIZABLE, increment, &calls,
                                    err);
  ck_assert_msg(st == DB_OK, "%s: %s", db_status_name(st), err);
  ck_assert_int_eq(calls, 2);
  ck_assert_int_eq(it_count("sess", "SELECT count(*) FROM t WHERE id = 50 AND "
                                    "note = 'other writer+1'"), 1);
  ck_assert_int_eq(db_transaction_iso(sess, DB_IDEMPOTENT, (db_isolation)7, increment, &calls,
                                      err), DB_BAD_ARGUMENT);
}
END_TEST

static int64_t epoch_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

START_TEST(deadline_cancels_a_long_statement) {
  char err[DB_ERR_LEN] = "";
  ck_assert_int_eq(db_ping(sess, err), DB_OK);
  /* cancelled halfway (or 1 s before the deadline): time for the cancel, even under valgrind */
  db_session_set_deadline(sess, epoch_ms() + 2000);
  db_status st = exec0(DB_NOT_IDEMPOTENT, "INSERT INTO t SELECT 40, 'late' FROM pg_sleep(5)");
  ck_assert_msg(st == DB_TIMEOUT, "%s", db_status_name(st));
  ck_assert_str_eq(db_session_last_error(sess)->sqlstate, "57014"); /* the server stopped it */
  db_session_set_deadline(sess, 0);
  ck_assert_int_eq(db_ping(sess, err), DB_OK);
  ck_assert_uint_eq(db_session_connects(sess), 1); /* the connection survived the cancel */
  ck_assert_int_eq(it_count("sess", "SELECT count(*) FROM t"), 0);
}
END_TEST

/* Writes, then lets the deadline pass before COMMIT. */
static db_status expire_then_write(db_session *s, void *arg, char err[DB_ERR_LEN]) {
  body_state *b = arg;
  b->calls++;
  db_status st = db_exec(s, DB_NOT_IDEMPOTENT, "INSERT INTO t VALUES (43, 'tx')", 0, NULL, NULL,
                         err);
  db_session_set_deadline(s, epoch_ms() - 1);
  return st;
}

START_TEST(deadline_passed_nothing_sent) {
  char err[DB_ERR_LEN] = "";
  db_session_set_deadline(sess, epoch_ms() - 1);
  /* not even a connection is opened after the deadline */
  ck_assert_int_eq(db_ping(sess, err), DB_TIMEOUT);
  ck_assert_uint_eq(db_session_connects(sess), 0);
  ck_assert_int_eq(slept.calls, 0);
  db_session_set_deadline(sess, 0);
  ck_assert_int_eq(db_ping(sess, err), DB_OK);
  db_session_set_deadline(sess, epoch_ms() - 1);
  ck_assert_int_eq(db_exec(sess, DB_NOT_IDEMPOTENT, "INSERT INTO t VALUES (41, 'x')", 0, NULL,
                           NULL, err), DB_TIMEOUT);
  ck_assert_ptr_nonnull(strstr(err, "not sent"));
  /* in a transaction: reported as the transaction's status, nothing committed */
  body_state b = {.id = 42, .give = DB_OK};
  db_session_set_deadline(sess, 0);
  ck_assert_int_eq(db_ping(sess, err), DB_OK);
  db_session_set_deadline(sess, epoch_ms() + 300);
  b.fail_sql = "SELECT pg_sleep(5)";
  b.fail_on_calls = 9;
  ck_assert_int_eq(tx(DB_NOT_IDEMPOTENT, &b), DB_TIMEOUT);
  ck_assert_int_eq(b.calls, 1);
  /* the deadline passes between the body and COMMIT: rolled back, not left open */
  body_state quick = {.id = 43, .give = DB_OK};
  db_session_set_deadline(sess, 0);
  ck_assert_int_eq(db_transaction(sess, DB_NOT_IDEMPOTENT, expire_then_write, &quick, err),
                   DB_TIMEOUT);
  db_session_set_deadline(sess, 0);
  PGconn *c = db_session_conn(sess, err);
  ck_assert_ptr_nonnull(c);
  ck_assert_int_eq(PQtransactionStatus(c), PQTRANS_IDLE);
  ck_assert_int_eq(exec0(DB_NOT_IDEMPOTENT, "INSERT INTO t VALUES (44, 'autocommit')"), DB_OK);
  ck_assert_int_eq(it_count("sess", "SELECT count(*) FROM t WHERE id = 44"), 1);
  ck_assert_int_eq(it_count("sess", "SELECT count(*) FROM t WHERE id <> 44"), 0);
  ck_assert_int_eq(db_ping(sess, err), DB_OK);
}
END_TEST

static db_status nested_body(db_session *s, void *arg, char err[DB_ERR_LEN]) {
  (void)arg;
  return db_transaction(s, DB_IDEMPOTENT, nested_body, NULL, err);
}

START_TEST(tx_misuse) {
  char err[DB_ERR_LEN] = "";
  ck_assert_int_eq(db_transaction(sess, DB_IDEMPOTENT, nested_body, NULL, err), DB_BAD_ARGUMENT);
  ck_assert_int_eq(db_transaction(sess, DB_IDEMPOTENT, NULL, NULL, err), DB_BAD_ARGUMENT);
  ck_assert_int_eq(db_exec(NULL, DB_IDEMPOTENT, "SELECT 1", 0, NULL, NULL, err), DB_BAD_ARGUMENT);
  ck_assert_int_eq(db_ping(sess, err), DB_OK);
}
END_TEST

START_TEST(bad_session_arguments) {
  cfg_config cfg;
  memset(&cfg, 0, sizeof cfg);
  db_session *s = (db_session *)&cfg;
  char err[DB_ERR_LEN] = "";
  ck_assert_int_eq(db_session_create(&cfg, NULL, NULL, &s, err), DB_BAD_ARGUMENT);
  ck_assert_ptr_null(s);
  db_session_free(NULL);
}
END_TEST

/* trust for the superuser the fixtures use, passwords for everyone else */
static int write_hba(char path[128]) {
  snprintf(path, 128, "/tmp/sess-hba-XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0) return -1;
  static const char hba[] = "local all all trust\n"
                            "host all postgres 127.0.0.1/32 trust\n"
                            "host all all 127.0.0.1/32 scram-sha-256\n";
  int ok = write(fd, hba, sizeof hba - 1) == (ssize_t)(sizeof hba - 1);
  close(fd);
  chmod(path, 0644); /* the server runs as postgres */
  return ok ? 0 : -1;
}

int main(void) {
  char hba[128];
  if (write_hba(hba) != 0) return EXIT_FAILURE;
  char opts[256];
  snprintf(opts, sizeof opts, "-c hba_file=%s", hba);
  Suite *s = suite_create("integration.db.session");
  TCase *tc = tcase_create("session");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, lazy_then_reused);
  tcase_add_test(tc, password_that_needs_quoting);
  tcase_add_test(tc, terminated_while_idle_reconnects);
  tcase_add_test(tc, server_restart_under_live_session);
  tcase_add_test(tc, server_down_then_up);
  tcase_add_test(tc, in_flight_loss_not_resent_unless_idempotent);
  tcase_add_test(tc, in_flight_loss_resent_when_idempotent);
  tcase_add_test(tc, tx_commits_and_rolls_back);
  tcase_add_test(tc, tx_retries_serialization_failures);
  tcase_add_test(tc, tx_loss_before_commit_runs_again);
  tcase_add_test(tc, tx_loss_during_commit);
  tcase_add_test(tc, tx_misuse);
  tcase_add_test(tc, tx_serializable_conflict_retried);
  tcase_add_test(tc, deadline_cancels_a_long_statement);
  tcase_add_test(tc, deadline_passed_nothing_sent);
  tcase_add_test(tc, bad_session_arguments);
  suite_add_tcase(s, tc);
  int rc = it_main(s, opts);
  unlink(hba);
  return rc;
}
