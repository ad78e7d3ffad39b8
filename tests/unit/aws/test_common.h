#ifndef AWS_TEST_COMMON_H
#define AWS_TEST_COMMON_H
/* Small helpers every suite of tests/unit/aws uses. */
#include <check.h>

/* Runs the suite, prints Check's summary, returns the process exit status. */
int aws_test_run_suite(Suite *s);

/* Fails the test when s holds a byte outside printable ASCII. */
void aws_test_expect_printable(const char *s, const char *what);

#endif
