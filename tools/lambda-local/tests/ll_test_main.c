/* lambda-local's unit suites: prints Check's summary line, exits non-zero on a failure. */
#include <check.h>
#include <stdlib.h>

#include "ll_tests.h"

int main(void) {
  SRunner *sr = srunner_create(ll_apigw_suite());
  srunner_add_suite(sr, ll_config_suite());
  srunner_add_suite(sr, ll_cli_suite());
  srunner_add_suite(sr, ll_cron_suite());
  srunner_add_suite(sr, ll_sqs_suite());
  srunner_add_suite(sr, ll_log_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
