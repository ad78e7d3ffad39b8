/* The test helper's own test: it must really start, restart and remove a server,
 * or every integration suite built on it proves nothing. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_pg.h"

START_TEST(starts_restarts_and_removes) {
  tpg_server pg;
  char err[TPG_ERR_LEN] = "";
  ck_assert_msg(tpg_start(&pg, "-c max_connections=20", err) == 0, "%s", err);
  ck_assert_int_gt(pg.port, 0);
  ck_assert_int_eq(tpg_query_long(&pg, NULL, "SHOW max_connections", err), 20);

  ck_assert_msg(tpg_create_database(&pg, "selftest", err) == 0, "%s", err);
  ck_assert_msg(tpg_exec(&pg, "selftest", "CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2)",
                         err) == 0, "%s", err);
  PGconn *live = tpg_connect(&pg, "selftest", err);
  ck_assert_msg(live != NULL, "%s", err);

  ck_assert_msg(tpg_restart(&pg, err) == 0, "%s", err);
  /* the old connection was dropped by the restart; the data survived */
  PGresult *r = PQexec(live, "SELECT 1");
  ck_assert_int_ne(PQresultStatus(r), PGRES_TUPLES_OK);
  PQclear(r);
  PQfinish(live);
  ck_assert_int_eq(tpg_query_long(&pg, "selftest", "SELECT count(*) FROM t", err), 2);
  ck_assert_int_eq(tpg_query_long(&pg, NULL, "SHOW max_connections", err), 20);

  ck_assert_msg(tpg_server_down(&pg, err) == 0, "%s", err);
  ck_assert_ptr_null(tpg_connect(&pg, NULL, err));
  ck_assert_msg(tpg_server_up(&pg, err) == 0, "%s", err);
  ck_assert_int_eq(tpg_query_long(&pg, "selftest", "SELECT count(*) FROM t", err), 2);

  char base[TPG_PATH_LEN];
  snprintf(base, sizeof base, "%s", pg.base);
  tpg_stop(&pg);
  tpg_stop(&pg); /* twice is harmless */
  struct stat st;
  ck_assert_int_ne(stat(base, &st), 0);
}
END_TEST

START_TEST(schema_and_seed) {
  tpg_server pg;
  char err[TPG_ERR_LEN] = "";
  ck_assert_msg(tpg_start(&pg, NULL, err) == 0, "%s", err);
  ck_assert_msg(tpg_create_database(&pg, "schema", err) == 0, "%s", err);
  ck_assert_msg(tpg_apply_migrations(&pg, "schema", err) == 0, "%s", err);
  ck_assert_msg(tpg_apply_seed(&pg, "schema", err) == 0, "%s", err);
  ck_assert_int_eq(tpg_query_long(&pg, "schema", "SELECT count(*) FROM products", err), 6);
  ck_assert_int_eq(tpg_query_long(&pg, "schema", "SELECT available FROM inventory "
                                                 "WHERE sku = 'SKU-1'", err), 1000);
  /* applying again fails (the tables exist) and leaves the schema as it was */
  ck_assert_int_eq(tpg_apply_migrations(&pg, "schema", err), -1);
  ck_assert_ptr_nonnull(strstr(err, "0001_initial"));
  ck_assert_int_eq(tpg_query_long(&pg, "schema", "SELECT count(*) FROM products", err), 6);
  tpg_stop(&pg);
}
END_TEST

START_TEST(bad_input_is_refused) {
  tpg_server pg = {.guard_fd = -1};
  char err[TPG_ERR_LEN] = "";
  tpg_stop(&pg); /* never started: nothing to do */
  ck_assert_msg(tpg_start(&pg, NULL, err) == 0, "%s", err);
  ck_assert_int_eq(tpg_create_database(&pg, "Robert'); DROP", err), -1);
  ck_assert_int_eq(tpg_exec(&pg, NULL, "SELEC 1", err), -1);
  ck_assert_ptr_nonnull(strstr(err, "syntax"));
  ck_assert_int_eq(tpg_exec_file(&pg, NULL, "/nonexistent/x.sql", err), -1);
  ck_assert_int_eq(tpg_query_long(&pg, NULL, "SELECT 'x'", err), -1);
  tpg_stop(&pg);
}
END_TEST

int main(void) {
  Suite *s = suite_create("support.pg");
  TCase *tc = tcase_create("server");
  tcase_set_timeout(tc, 90);
  tcase_add_test(tc, starts_restarts_and_removes);
  tcase_add_test(tc, bad_input_is_refused);
  tcase_add_test(tc, schema_and_seed);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
