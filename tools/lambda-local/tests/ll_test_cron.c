/* EventBridge schedule expressions: next-fire tables from the examples in
 * AWS's "Schedule expressions using rate or cron" (EventBridge user guide and
 * the Lambda developer guide), the wildcards L, W, #, and hostile input.
 * Instants are fixed data (weekdays checked against GNU date), never today. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "ll_cron.h"
#include "ll_status.h"
#include "ll_tests.h"

#define AT(y, mo, d, h, mi) ll_epoch_from_civil(y, mo, d, h, mi)

START_TEST(civil_matches_date) {
  /* `date -u -d 2026-01-01 +%s` and friends */
  ck_assert_int_eq(AT(2026, 1, 1, 0, 0), 1767225600);
  ck_assert_int_eq(AT(2026, 3, 13, 0, 0), 1773360000);
  ck_assert_int_eq(AT(2028, 2, 1, 0, 0), 1832976000);
  ck_assert_int_eq(AT(2026, 10, 31, 0, 0), 1793404800);
  int y, mo, d, h, mi;
  ll_civil_from_epoch(1772409600 + 3 * 3600 + 7 * 60 + 59, &y, &mo, &d, &h, &mi);
  ck_assert(y == 2026 && mo == 3 && d == 2 && h == 3 && mi == 7);
  ll_civil_from_epoch(-1, &y, &mo, &d, &h, &mi);
  ck_assert(y == 1969 && mo == 12 && d == 31 && h == 23 && mi == 59);
}
END_TEST

typedef struct row {
  const char *expr;
  int64_t after, want; /* want -1: no fire time */
} row;

static void check_rows(const row *rows, size_t n) {
  for (size_t i = 0; i < n; i++) {
    ll_schedule_expr e;
    char err[LL_ERR_LEN] = "";
    ck_assert_msg(ll_schedule_parse(rows[i].expr, &e, err, sizeof err), "%s: %s", rows[i].expr, err);
    int64_t got = ll_schedule_next(&e, 0, rows[i].after);
    ck_assert_msg(got == rows[i].want, "%s after %lld: got %lld, want %lld", rows[i].expr, (long long)rows[i].after,
                  (long long)got, (long long)rows[i].want);
  }
}

START_TEST(documented_examples) {
  const row rows[] = {
      /* 10:15 AM (UTC) every day */
      {"cron(15 10 * * ? *)", AT(2026, 3, 10, 10, 14) + 59, AT(2026, 3, 10, 10, 15)},
      {"cron(15 10 * * ? *)", AT(2026, 3, 10, 10, 15), AT(2026, 3, 11, 10, 15)}, /* strictly after */
      {"cron(15 10 * * ? *)", AT(2026, 12, 31, 11, 0), AT(2027, 1, 1, 10, 15)},
      /* 6:00 PM Monday through Friday: Friday 2026-03-13 18:00 -> Monday 16th */
      {"cron(0 18 ? * MON-FRI *)", AT(2026, 3, 13, 18, 0), AT(2026, 3, 16, 18, 0)},
      {"cron(0 18 ? * MON-FRI *)", AT(2026, 3, 13, 17, 59), AT(2026, 3, 13, 18, 0)},
      /* 8:00 AM on the first day of the month */
      {"cron(0 8 1 * ? *)", AT(2026, 1, 31, 12, 0), AT(2026, 2, 1, 8, 0)},
      {"cron(0 8 1 * ? *)", AT(2026, 12, 1, 8, 0), AT(2027, 1, 1, 8, 0)},
      /* every 15 minutes */
      {"cron(0/15 * * * ? *)", AT(2026, 3, 10, 10, 14), AT(2026, 3, 10, 10, 15)},
      {"cron(0/15 * * * ? *)", AT(2026, 3, 10, 23, 45), AT(2026, 3, 11, 0, 0)},
      /* every 10 minutes on weekdays: Friday 23:55 -> Monday 00:00 */
      {"cron(0/10 * ? * MON-FRI *)", AT(2026, 3, 13, 23, 55), AT(2026, 3, 16, 0, 0)},
      /* every 5 minutes between 8:00 AM and 5:55 PM weekdays */
      {"cron(0/5 8-17 ? * MON-FRI *)", AT(2026, 3, 16, 8, 2), AT(2026, 3, 16, 8, 5)},
      {"cron(0/5 8-17 ? * MON-FRI *)", AT(2026, 3, 16, 17, 55), AT(2026, 3, 17, 8, 0)},
      {"cron(0/5 8-17 ? * MON-FRI *)", AT(2026, 3, 13, 17, 55), AT(2026, 3, 16, 8, 0)},
      /* 9:00 AM on the first Monday of each month (2026-03-02 is a Monday) */
      {"cron(0 9 ? * 2#1 *)", AT(2026, 3, 1, 0, 0), AT(2026, 3, 2, 9, 0)},
      {"cron(0 9 ? * 2#1 *)", AT(2026, 3, 2, 9, 0), AT(2026, 4, 6, 9, 0)},
      /* "1/10 ... the 11th, 21st, and 31st minute" (the wildcards section) */
      {"cron(1/10 * * * ? *)", AT(2026, 3, 10, 10, 1), AT(2026, 3, 10, 10, 11)},
      {"cron(1/10 * * * ? *)", AT(2026, 3, 10, 10, 51), AT(2026, 3, 10, 11, 1)},
      /* the cleanup rules of serverless.yml */
      {"cron(0 3 * * ? *)", AT(2026, 3, 10, 3, 0), AT(2026, 3, 11, 3, 0)},
      {"cron(0 3 * * ? *)", AT(2026, 3, 10, 2, 59), AT(2026, 3, 10, 3, 0)},
  };
  check_rows(rows, sizeof rows / sizeof rows[0]);
}
END_TEST

START_TEST(wildcards_l_w_hash) {
  const row rows[] = {
      /* L: the last day, 29 in a leap February */
      {"cron(0 0 L * ? *)", AT(2028, 2, 1, 0, 0), AT(2028, 2, 29, 0, 0)},
      {"cron(0 0 L * ? *)", AT(2026, 2, 1, 0, 0), AT(2026, 2, 28, 0, 0)},
      /* 15W: 2026-08-15 is a Saturday -> Friday 14th; 1W: Saturday the 1st -> Monday 3rd */
      {"cron(0 0 15W * ? *)", AT(2026, 8, 1, 0, 0), AT(2026, 8, 14, 0, 0)},
      {"cron(0 0 1W * ? *)", AT(2026, 7, 31, 0, 0), AT(2026, 8, 3, 0, 0)},
      /* 31W: 2026-05-31 is a Sunday and the last day -> Friday 29th */
      {"cron(0 0 31W * ? *)", AT(2026, 5, 1, 0, 0), AT(2026, 5, 29, 0, 0)},
      /* LW: the last weekday (2026-02-28 is a Saturday) */
      {"cron(0 0 LW * ? *)", AT(2026, 2, 1, 0, 0), AT(2026, 2, 27, 0, 0)},
      /* 6L: the last Friday (2026-01-30, 2026-05-29) */
      {"cron(0 12 ? * 6L *)", AT(2026, 1, 1, 0, 0), AT(2026, 1, 30, 12, 0)},
      {"cron(0 12 ? * FRIL *)", AT(2026, 5, 1, 0, 0), AT(2026, 5, 29, 12, 0)},
      /* 3#2: the second Tuesday (March 2026: the 10th) */
      {"cron(0 0 ? * 3#2 *)", AT(2026, 3, 1, 0, 0), AT(2026, 3, 10, 0, 0)},
      /* 2#5: a fifth Monday only in months that have one (March 2026: the 30th) */
      {"cron(0 0 ? * 2#5 *)", AT(2026, 2, 1, 0, 0), AT(2026, 3, 30, 0, 0)},
      /* names, any case, lists and ranges */
      {"cron(0 0 1 JAN,jul ? *)", AT(2026, 1, 1, 0, 0), AT(2026, 7, 1, 0, 0)},
      {"cron(30 6,18 ? * SUN,sat *)", AT(2026, 3, 13, 19, 0), AT(2026, 3, 14, 6, 30)},
      /* year: once, then never */
      {"cron(0 0 1 1 ? 2030)", AT(2026, 6, 1, 0, 0), AT(2030, 1, 1, 0, 0)},
      {"cron(0 0 1 1 ? 2030)", AT(2030, 1, 1, 0, 0), -1},
      {"cron(0 0 1 1 ? 2027-2199/100)", AT(2026, 6, 1, 0, 0), AT(2027, 1, 1, 0, 0)},
      /* 31st of February never exists: the next 31st is in March */
      {"cron(0 0 31 2,3 ? *)", AT(2026, 2, 1, 0, 0), AT(2026, 3, 31, 0, 0)},
      {"cron(0 0 30 2 ? *)", AT(2026, 1, 1, 0, 0), -1},
  };
  check_rows(rows, sizeof rows / sizeof rows[0]);
}
END_TEST

START_TEST(rate_from_anchor) {
  ll_schedule_expr e;
  char err[LL_ERR_LEN] = "";
  const int64_t a = AT(2026, 3, 10, 10, 7) + 13; /* the rule's creation, mid-minute */
  ck_assert(ll_schedule_parse("rate(5 minutes)", &e, err, sizeof err));
  ck_assert_int_eq(ll_schedule_next(&e, a, a), a + 300);
  ck_assert_int_eq(ll_schedule_next(&e, a, a + 299), a + 300);
  ck_assert_int_eq(ll_schedule_next(&e, a, a + 300), a + 600);
  ck_assert_int_eq(ll_schedule_next(&e, a, a - 1000), a + 300);
  ck_assert(ll_schedule_parse("rate(1 hour)", &e, err, sizeof err));
  ck_assert_int_eq(e.rate_s, 3600);
  ck_assert(ll_schedule_parse("rate(7 days)", &e, err, sizeof err));
  ck_assert_int_eq(e.rate_s, 7 * 86400);
  ck_assert(ll_schedule_parse("rate(1 minute)", &e, err, sizeof err));
  ck_assert_int_eq(e.rate_s, 60);
}
END_TEST

START_TEST(hostile_expressions) {
  static const char *const bad[] = {
      "", "cron()", "rate()", "cron(* * * * * *)", "cron(0 0 ? * ? *)", "cron(60 * * * ? *)", "cron(0 24 * * ? *)",
      "cron(0 0 32 * ? *)", "cron(0 0 0 * ? *)", "cron(0 0 * 13 ? *)", "cron(0 0 * 0 ? *)", "cron(0 0 ? * 8 *)",
      "cron(0 0 ? * 0 *)", "cron(0 0 * * ? 1969)", "cron(0 0 * * ? 2200)", "cron(5-1 * * * ? *)",
      "cron(*/0 * * * ? *)", "cron(0 0 * * ? * 7)", "cron(0 0 * * ?)", "cron(0\t0 * * ? *)", "cron(0 0 * * ? *",
      "CRON(0 0 * * ? *)", "cron(0 0 L,1 * ? *)", "cron(0 0 ? * 2#6 *)", "cron(0 0 ? * 9#1 *)", "cron(0 0 0W * ? *)",
      "cron(0 0 32W * ? *)", "cron(,, * * ? *)", "cron(1- * * * ? *)", "cron(-1 * * * ? *)", "cron(0 0 * * ? */)",
      "cron(0 0 ? * MONDAY *)", "cron(0 0 ? JANUARY * *)", "cron(0 0 L ? * *)" /* ? in month */,
      "cron(0 0 ? * L# *)", "cron(0 0 ? * 2#0 *)", "cron(00000 0 * * ? *)", "cron(0 0 1W,2 * ? *)",
      "rate(0 minutes)", "rate(1 minutes)", "rate(5 minute)", "rate(-1 days)", "rate(05 minutes)", "rate(5 weeks)",
      "rate(99999999999 days)", "rate(5  minutes)", "rate(5 Minutes)", "rate(1.5 hours)", "rate(5 minutes) ",
      "at(2026-01-01T00:00:00)", "cron(0 0 * * ? *)\n", " cron(0 0 * * ? *)", "cron(\xc3\xa9 0 * * ? *)",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ll_schedule_expr e;
    char err[LL_ERR_LEN] = "";
    ck_assert_msg(!ll_schedule_parse(bad[i], &e, err, sizeof err), "accepted: %s", bad[i]);
    ck_assert_msg(err[0], "no reason for %s", bad[i]);
  }
  char long_expr[400];
  memset(long_expr, ' ', sizeof long_expr);
  memcpy(long_expr, "cron(0", 6);
  memcpy(long_expr + sizeof long_expr - 14, "0 * * ? * *)", 13);
  long_expr[sizeof long_expr - 1] = '\0';
  ll_schedule_expr e;
  char err[LL_ERR_LEN] = "";
  ck_assert(!ll_schedule_parse(long_expr, &e, err, sizeof err));
  ck_assert(!ll_schedule_parse(NULL, &e, err, sizeof err));
}
END_TEST

START_TEST(never_loops_forever) {
  /* a Feb 30th every year: the walk ends at 2199 with no fire time */
  ll_schedule_expr e;
  char err[LL_ERR_LEN] = "";
  ck_assert(ll_schedule_parse("cron(59 23 30 FEB ? *)", &e, err, sizeof err));
  ck_assert_int_eq(ll_schedule_next(&e, 0, AT(1970, 1, 1, 0, 0)), -1);
  ck_assert(ll_schedule_parse("cron(0 0 * * ? *)", &e, err, sizeof err));
  ck_assert_int_eq(ll_schedule_next(&e, 0, AT(2199, 12, 31, 0, 0)), -1);
  ck_assert_int_eq(ll_schedule_next(&e, 0, AT(1900, 1, 1, 0, 0)), AT(1970, 1, 1, 0, 0));
}
END_TEST

Suite *ll_cron_suite(void) {
  Suite *s = suite_create("schedule expressions");
  TCase *tc = tcase_create("cron and rate");
  tcase_add_test(tc, civil_matches_date);
  tcase_add_test(tc, documented_examples);
  tcase_add_test(tc, wildcards_l_w_hash);
  tcase_add_test(tc, rate_from_anchor);
  tcase_add_test(tc, hostile_expressions);
  tcase_add_test(tc, never_loops_forever);
  suite_add_tcase(s, tc);
  return s;
}
