/* The runtime's unit suites in one binary (so valgrind runs them all). */
#include <check.h>
#include <stdlib.h>

Suite *loop_suite(void);
Suite *limits_suite(void);
Suite *log_suite(void);
Suite *metrics_suite(void);
Suite *http_suite(void);
Suite *helpers_suite(void);

int main(void) {
  SRunner *sr = srunner_create(loop_suite());
  srunner_add_suite(sr, limits_suite());
  srunner_add_suite(sr, log_suite());
  srunner_add_suite(sr, metrics_suite());
  srunner_add_suite(sr, http_suite());
  srunner_add_suite(sr, helpers_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
