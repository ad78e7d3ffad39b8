/* The after-response send's circuit breaker (api_publish.c): the pause after a
 * failed send doubles from 2 s and stops at 10 s, so that once SQS is back the
 * api sends again within 10 s; a success closes it; it reads the monotonic
 * clock the caller passes, so any instant works as a start. */
#include <stdint.h>

#include "api_internal.h"
#include "api_test.h"

/* An arbitrary instant: the breaker only compares instants it was given. */
static const int64_t t0 = 123456789;

START_TEST(a_new_breaker_is_closed) {
  api_send_breaker b = {0};
  ck_assert(!api_breaker_open(&b, t0));
}
END_TEST

START_TEST(pauses_double_from_2_s_up_to_10_s) {
  api_send_breaker b = {0};
  const int64_t want[] = {2000, 4000, 8000, 10000, 10000, 10000};
  int64_t now = t0;
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    api_breaker_record(&b, false, now);
    ck_assert_msg(api_breaker_open(&b, now + want[i] - 1), "failure %zu: closed before %lld ms", i + 1,
                  (long long)want[i]);
    ck_assert_msg(!api_breaker_open(&b, now + want[i]), "failure %zu: still open at %lld ms", i + 1,
                  (long long)want[i]);
    now += want[i]; /* the probe, when the pause ends, fails again */
  }
}
END_TEST

START_TEST(many_failures_keep_the_cap) {
  api_send_breaker b = {0};
  for (int i = 0; i < 1000; i++) api_breaker_record(&b, false, t0);
  ck_assert(api_breaker_open(&b, t0 + 9999));
  ck_assert(!api_breaker_open(&b, t0 + 10000));
}
END_TEST

START_TEST(a_success_closes_it_and_starts_over) {
  api_send_breaker b = {0};
  for (int i = 0; i < 5; i++) api_breaker_record(&b, false, t0);
  api_breaker_record(&b, true, t0 + 10000);
  ck_assert(!api_breaker_open(&b, t0 + 10000));
  api_breaker_record(&b, false, t0 + 20000);
  ck_assert(api_breaker_open(&b, t0 + 21999));
  ck_assert(!api_breaker_open(&b, t0 + 22000));
}
END_TEST

int main(void) {
  Suite *s = suite_create("unit.api.breaker");
  TCase *tc = tcase_create("breaker");
  tcase_add_test(tc, a_new_breaker_is_closed);
  tcase_add_test(tc, pauses_double_from_2_s_up_to_10_s);
  tcase_add_test(tc, many_failures_keep_the_cap);
  tcase_add_test(tc, a_success_closes_it_and_starts_over);
  suite_add_tcase(s, tc);
  return at_run_suite(s);
}
