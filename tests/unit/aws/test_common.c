#include "test_common.h"

#include <stdlib.h>

int aws_test_run_suite(Suite *s) {
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void aws_test_expect_printable(const char *s, const char *what) {
  for (const char *p = s; *p; p++)
    ck_assert_msg(*p >= 0x20 && *p < 0x7f, "%s: unprintable byte 0x%02x in '%s'", what, (unsigned char)*p, s);
}
