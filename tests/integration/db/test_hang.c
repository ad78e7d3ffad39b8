/* Every wait on the database ends by the session's deadline, whatever the
 * server does (issue 15, defects 1 and 2): a frozen backend (SIGSTOP), a
 * frozen postmaster too (PQcancel waits for it without a limit), a connect
 * to a frozen postmaster, and the init warm-up against a listener that never
 * answers. The bound asserted is the deadline plus SLACK_MS of scheduling. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "it_freeze.h"
#include "itest.h"

#define SLACK_MS 250
#define THAW_AFTER_MS 20000 /* the watchdog's limit: longer than any wait here */

static db_session *sess;

static void setup(void) {
  it_fresh_db("hang");
  it_sql("hang", "CREATE TABLE t (id int PRIMARY KEY)");
  sess = it_session("hang", NULL);
}

static void teardown(void) {
  it_thaw_all();
  db_session_free(sess);
}

static int backend_pid(void) {
  char err[DB_ERR_LEN] = "";
  ck_assert_msg(db_ping(sess, err) == DB_OK, "%s", err);
  int pid = db_session_backend_pid(sess);
  ck_assert_int_gt(pid, 0);
  return pid;
}

/* Runs an INSERT with deadline_ms from now; returns how long it took. */
static int64_t insert_within(int deadline_ms, db_status *st, char err[DB_ERR_LEN]) {
  int64_t t0 = it_now_ms();
  db_session_set_deadline(sess, t0 + deadline_ms);
  *st = db_exec(sess, DB_NOT_IDEMPOTENT, "INSERT INTO t VALUES (1)", 0, NULL, NULL, err);
  db_session_set_deadline(sess, 0);
  return it_now_ms() - t0;
}

START_TEST(frozen_backend_ends_by_the_deadline) {
  it_freeze(backend_pid(), THAW_AFTER_MS);
  char err[DB_ERR_LEN] = "";
  db_status st;
  int64_t took = insert_within(1500, &st, err);
  ck_assert_msg(st == DB_OUTCOME_UNKNOWN, "%s: %s", db_status_name(st), err);
  ck_assert_msg(took <= 1500 + SLACK_MS, "took %lld ms", (long long)took);
  ck_assert_msg(strstr(err, "outcome unknown") != NULL, "%s", err);
  ck_assert_int_eq(db_session_backend_pid(sess), 0); /* the connection was dropped */
  it_thaw_all();
  ck_assert_int_eq(db_ping(sess, err), DB_OK); /* a new connection serves the next call */
}
END_TEST

START_TEST(frozen_postmaster_and_backend_end_by_the_deadline) {
  int pid = backend_pid();
  it_freeze(it_parent_pid(pid), THAW_AFTER_MS);
  it_freeze(pid, THAW_AFTER_MS);
  char err[DB_ERR_LEN] = "";
  db_status st;
  int64_t took = insert_within(1500, &st, err);
  ck_assert_msg(st == DB_OUTCOME_UNKNOWN, "%s: %s", db_status_name(st), err);
  ck_assert_msg(took <= 1500 + SLACK_MS, "took %lld ms", (long long)took);
}
END_TEST

START_TEST(connect_to_a_frozen_postmaster_ends_by_the_deadline) {
  /* the postmaster's pid is read while the backend lives: once the session
   * closes, its /proc entry may be gone */
  pid_t postmaster = it_parent_pid(backend_pid());
  db_session_close(sess);
  it_freeze(postmaster, THAW_AFTER_MS);
  char err[DB_ERR_LEN] = "";
  db_status st;
  /* DB_CONNECT_TIMEOUT is 3 s in these suites; the deadline is sooner */
  int64_t took = insert_within(1200, &st, err);
  ck_assert_msg(st == DB_CONNECT || st == DB_TIMEOUT, "%s: %s", db_status_name(st), err);
  ck_assert_msg(took <= 1200 + SLACK_MS, "took %lld ms", (long long)took);
}
END_TEST

START_TEST(warm_up_against_a_silent_listener_is_one_short_attempt) {
  int port = 0;
  int fd = it_silent_listener(&port);
  char ports[16];
  snprintf(ports, sizeof ports, "%d", port);
  const char *extra[] = {"DB_PORT", ports, "DB_CONNECT_TIMEOUT", "5", NULL};
  cfg_config cfg;
  char err[DB_ERR_LEN] = "";
  ck_assert_msg(it_config(&cfg, "hang", extra, err) == CFG_OK, "%s", err);
  db_session *s = NULL;
  ck_assert_int_eq(db_session_create(&cfg, NULL, NULL, &s, err), DB_OK);
  cfg_clear(&cfg);
  int64_t t0 = it_now_ms();
  db_status st = db_session_warm(s, 1000, err);
  int64_t took = it_now_ms() - t0;
  ck_assert_msg(st == DB_CONNECT, "%s: %s", db_status_name(st), err);
  ck_assert_msg(took <= 1000 + SLACK_MS, "took %lld ms", (long long)took);
  ck_assert_uint_eq(db_session_connects(s), 0);
  db_session_free(s);
  close(fd);
}
END_TEST

int main(void) {
  Suite *s = suite_create("integration.db.hang");
  TCase *tc = tcase_create("hang");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, frozen_backend_ends_by_the_deadline);
  tcase_add_test(tc, frozen_postmaster_and_backend_end_by_the_deadline);
  tcase_add_test(tc, connect_to_a_frozen_postmaster_ends_by_the_deadline);
  tcase_add_test(tc, warm_up_against_a_silent_listener_is_one_short_attempt);
  suite_add_tcase(s, tc);
  return it_main(s, NULL);
}
