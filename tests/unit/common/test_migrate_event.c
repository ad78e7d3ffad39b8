/* The migrate function's request parsing (hostile input) and answer. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"

static const struct {
  const char *event;
  migrate_status want;
  migrate_mode mode;
} events[] = {
    {"", MIGRATE_OK, MIGRATE_APPLY},
    {"  \n", MIGRATE_OK, MIGRATE_APPLY},
    {"{}", MIGRATE_OK, MIGRATE_APPLY},
    {"{\"dry_run\":true}", MIGRATE_OK, MIGRATE_DRY_RUN},
    {"{\"dry_run\":false}", MIGRATE_OK, MIGRATE_APPLY},
    {" { \"dry_run\" : true } ", MIGRATE_OK, MIGRATE_DRY_RUN},
    {"{\"dry_run\":\"true\"}", MIGRATE_BAD_REQUEST, MIGRATE_APPLY},
    {"{\"dry_run\":1}", MIGRATE_BAD_REQUEST, MIGRATE_APPLY},
    {"{\"dryrun\":true}", MIGRATE_BAD_REQUEST, MIGRATE_APPLY},
    {"{\"dry_run\":true,\"x\":1}", MIGRATE_BAD_REQUEST, MIGRATE_APPLY},
    {"[]", MIGRATE_BAD_REQUEST, MIGRATE_APPLY},
    {"null", MIGRATE_BAD_REQUEST, MIGRATE_APPLY},
    {"true", MIGRATE_BAD_REQUEST, MIGRATE_APPLY},
    {"{\"dry_run\":true", MIGRATE_BAD_REQUEST, MIGRATE_APPLY},
    {"{\"dry_run\":tru}", MIGRATE_BAD_REQUEST, MIGRATE_APPLY},
    {"\"{}\"", MIGRATE_BAD_REQUEST, MIGRATE_APPLY},
    {"{} {}", MIGRATE_BAD_REQUEST, MIGRATE_APPLY},
    {"{}x", MIGRATE_BAD_REQUEST, MIGRATE_APPLY},
    {"{}  ", MIGRATE_OK, MIGRATE_APPLY},
    /* a repeated key must not let the last one win (it applied migrations) */
    {"{\"dry_run\":true,\"dry_run\":false}", MIGRATE_BAD_REQUEST, MIGRATE_APPLY},
    {"{\"dry_run\":false,\"dry_run\":true}", MIGRATE_BAD_REQUEST, MIGRATE_APPLY},
    {"{\"dry_run\":\"\\u0000\"}", MIGRATE_BAD_REQUEST, MIGRATE_APPLY},
};

START_TEST(parse) {
  migrate_mode mode = (migrate_mode)42;
  char err[MIGRATE_ERR_LEN] = "";
  const char *ev = events[_i].event;
  migrate_status st = migrate_parse_event(ev, strlen(ev), &mode, err);
  ck_assert_msg(st == events[_i].want, "'%s': got %s (%s)", ev, migrate_status_name(st), err);
  ck_assert_int_eq(mode, events[_i].mode);
  if (st != MIGRATE_OK) ck_assert_int_gt((int)strlen(err), 0);
}
END_TEST

START_TEST(limits) {
  migrate_mode mode;
  char err[MIGRATE_ERR_LEN] = "";
  /* a length shorter than the string: only the first bytes count */
  ck_assert_int_eq(migrate_parse_event("{}garbage", 2, &mode, err), MIGRATE_OK);
  /* an embedded NUL inside the length */
  ck_assert_int_eq(migrate_parse_event("{}\0{", 4, &mode, err), MIGRATE_BAD_REQUEST);
  ck_assert_int_eq(migrate_parse_event(NULL, 0, &mode, err), MIGRATE_OK);
  size_t big = MIGRATE_EVENT_MAX + 1;
  char *s = malloc(big + 1);
  ck_assert_ptr_nonnull(s);
  memset(s, ' ', big);
  s[0] = '{';
  s[big - 1] = '}';
  s[big] = '\0';
  ck_assert_int_eq(migrate_parse_event(s, big, &mode, err), MIGRATE_BAD_REQUEST);
  ck_assert_ptr_nonnull(strstr(err, "larger"));
  /* deep nesting must not crash the parser */
  size_t depth = 20000;
  char *deep = malloc(2 * depth + 1);
  ck_assert_ptr_nonnull(deep);
  memset(deep, '[', depth);
  memset(deep + depth, ']', depth);
  deep[2 * depth] = '\0';
  ck_assert_int_eq(migrate_parse_event(deep, 2 * depth, &mode, err), MIGRATE_BAD_REQUEST);
  free(deep);
  free(s);
}
END_TEST

START_TEST(answers) {
  static const db_migration ms[] = {
      {1, "initial", "SELECT 1;", 9, "00"},
      {2, "add \"quoted\" name", "SELECT 2;", 9, "00"},
  };
  const db_migration *items[] = {&ms[0], &ms[1]};
  migrate_result r = {.items = items, .count = 2, .current = 2};
  lr_buf out;
  lr_buf_init(&out, 4096);
  ck_assert_int_eq(migrate_answer(&r, MIGRATE_APPLY, &out), MIGRATE_OK);
  ck_assert_str_eq(lr_buf_str(&out),
                   "{\"applied\":[{\"version\":1,\"name\":\"initial\"},"
                   "{\"version\":2,\"name\":\"add \\\"quoted\\\" name\"}],\"current\":2}");
  lr_buf_reset(&out);
  migrate_result none = {.items = NULL, .count = 0, .current = 0};
  ck_assert_int_eq(migrate_answer(&none, MIGRATE_DRY_RUN, &out), MIGRATE_OK);
  ck_assert_str_eq(lr_buf_str(&out), "{\"dry_run\":true,\"pending\":[],\"current\":0}");
  lr_buf_free(&out);
  /* an answer that does not fit the buffer is an error, not a truncation */
  lr_buf tiny;
  lr_buf_init(&tiny, 10);
  ck_assert_int_eq(migrate_answer(&r, MIGRATE_APPLY, &tiny), MIGRATE_NOMEM);
  lr_buf_free(&tiny);
}
END_TEST

START_TEST(status_table) {
  ck_assert_str_eq(migrate_status_error_type(MIGRATE_CHECKSUM_MISMATCH), "Migrate.ChecksumMismatch");
  ck_assert_str_eq(migrate_status_name(MIGRATE_OUT_OF_ORDER), "OUT_OF_ORDER");
  ck_assert_str_eq(migrate_status_name((migrate_status)77), "DATABASE");
}
END_TEST

int main(void) {
  Suite *s = suite_create("unit.common.migrate_event");
  TCase *tc = tcase_create("event");
  tcase_set_timeout(tc, 60); /* a ceiling for loaded CI machines, not a timing assertion */
  tcase_add_loop_test(tc, parse, 0, (int)(sizeof events / sizeof *events));
  tcase_add_test(tc, limits);
  tcase_add_test(tc, answers);
  tcase_add_test(tc, status_table);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
