/* The SQLSTATE -> status table and the status table's columns. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"

static const struct {
  const char *sqlstate;
  db_status want;
} map[] = {
    {"23505", DB_UNIQUE_VIOLATION}, {"23503", DB_FOREIGN_KEY_VIOLATION},
    {"23514", DB_CHECK_VIOLATION},  {"23502", DB_NOT_NULL_VIOLATION},
    {"23001", DB_CHECK_VIOLATION},  /* restrict_violation: rest of class 23 */
    {"40001", DB_SERIALIZATION_FAILURE}, {"40P01", DB_DEADLOCK},
    {"57P01", DB_CONNECTION_LOST},  {"08006", DB_CONNECTION_LOST},
    {"08001", DB_CONNECTION_LOST},  {"57014", DB_TIMEOUT},
    {"55P03", DB_LOCK_NOT_AVAILABLE}, {"22P02", DB_DATA_EXCEPTION},
    {"22003", DB_DATA_EXCEPTION},   {"25006", DB_READ_ONLY},
    {"53300", DB_OVERLOADED},       {"53200", DB_OVERLOADED},
    {"28P01", DB_AUTH},             {"42601", DB_QUERY},
    {"XX000", DB_QUERY},
    /* hostile or broken input */
    {NULL, DB_QUERY}, {"", DB_QUERY}, {"2350", DB_QUERY}, {"235050", DB_QUERY},
    {"23 05", DB_QUERY}, {"2350\n", DB_QUERY}, {"08", DB_QUERY}, {"ab505", DB_QUERY},
};

START_TEST(sqlstates) {
  db_status got = db_status_from_sqlstate(map[_i].sqlstate);
  ck_assert_msg(got == map[_i].want, "%s -> %s, want %s",
                map[_i].sqlstate ? map[_i].sqlstate : "(null)", db_status_name(got),
                db_status_name(map[_i].want));
}
END_TEST

START_TEST(columns) {
  ck_assert_str_eq(db_status_name(DB_OK), "OK");
  ck_assert_str_eq(db_status_name(DB_UNIQUE_VIOLATION), "UNIQUE_VIOLATION");
  ck_assert_int_eq(db_status_http(DB_UNIQUE_VIOLATION), 409);
  ck_assert_int_eq(db_status_http(DB_CONNECTION_LOST), 503);
  ck_assert_int_eq(db_status_retry(DB_SERIALIZATION_FAILURE), DB_RETRY_TX);
  ck_assert_int_eq(db_status_retry(DB_CHECK_VIOLATION), DB_RETRY_NO);
  ck_assert_int_eq(db_status_retry(DB_CONNECT), DB_RETRY_LATER);
  ck_assert_str_eq(db_status_error_type(DB_COMMIT_UNKNOWN), "Database.CommitUnknown");
  /* out of range: a safe answer, not a crash */
  ck_assert_str_eq(db_status_name((db_status)-1), "UNKNOWN");
  ck_assert_str_eq(db_status_name((db_status)1000), "UNKNOWN");
  ck_assert_int_eq(db_status_http((db_status)1000), 500);
}
END_TEST

START_TEST(every_status_is_complete) {
#define CHECK_ROW(name, value, msg, http, retry, type)                    \
  ck_assert_str_eq(db_status_name(DB_##name), #name);                      \
  ck_assert_int_ge(db_status_http(DB_##name), 200);                        \
  ck_assert_int_gt((int)strlen(db_status_message(DB_##name)), 0);
  DB_STATUS_MAP(CHECK_ROW)
#undef CHECK_ROW
}
END_TEST

int main(void) {
  Suite *s = suite_create("unit.common.db_status");
  TCase *tc = tcase_create("status");
  tcase_set_timeout(tc, 60); /* a ceiling for loaded CI machines, not a timing assertion */
  tcase_add_loop_test(tc, sqlstates, 0, (int)(sizeof map / sizeof *map));
  tcase_add_test(tc, columns);
  tcase_add_test(tc, every_status_is_complete);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
