/* lambda-local's own log (issue 15, defect 8): function-controlled text
 * cannot end a line and forge the next one. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ll_log.h"
#include "ll_tests.h"

/* What fn wrote on stderr. Caller frees. */
static char *stderr_of(void (*fn)(void)) {
  fflush(stderr);
  FILE *tmp = tmpfile();
  ck_assert_ptr_nonnull(tmp);
  int saved = dup(2);
  ck_assert_int_ge(saved, 0);
  ck_assert_int_eq(dup2(fileno(tmp), 2), 2);
  fn();
  fflush(stderr);
  ck_assert_int_eq(dup2(saved, 2), 2);
  close(saved);
  long n = ftell(tmp);
  if (n < 0) n = 0;
  char *text = calloc(1, (size_t)n + 1);
  rewind(tmp);
  ck_assert_uint_eq(fread(text, 1, (size_t)n, tmp), (size_t)n);
  fclose(tmp);
  return text;
}

static void log_forged_error_type(void) {
  ll_logf("lambda-local: fn failed (%s): %s", "error",
          "X\nREPORT RequestId: forged\tDuration: 1.00 ms\r\x1b[2K");
}

static void log_function_output(void) {
  static const char out[] = "a line\rSTART RequestId: forged\n";
  ll_log_line(out, sizeof out - 1);
}

static size_t lines(const char *s) {
  size_t n = 0;
  for (; *s; s++) n += *s == '\n';
  return n;
}

START_TEST(control_bytes_cannot_forge_lines) {
  char *t = stderr_of(log_forged_error_type);
  ck_assert_uint_eq(lines(t), 1);
  ck_assert_msg(strstr(t, "X\\x0aREPORT RequestId: forged\tDuration: 1.00 ms\\x0d\\x1b[2K\n") != NULL,
                "%s", t);
  free(t);
  t = stderr_of(log_function_output);
  ck_assert_str_eq(t, "a line\\x0dSTART RequestId: forged\n");
  free(t);
}
END_TEST

Suite *ll_log_suite(void) {
  Suite *s = suite_create("log");
  TCase *tc = tcase_create("escape");
  tcase_add_test(tc, control_bytes_cannot_forge_lines);
  suite_add_tcase(s, tc);
  return s;
}
