/* Command-line parsing: subcommands, options, usage errors. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ll_cli.h"
#include "ll_status.h"
#include "ll_tests.h"

static bool parse(ll_cli *c, char *err, int argc, char **argv) {
  return ll_cli_parse(argc, argv, c, err, LL_ERR_LEN);
}

START_TEST(cli_serve_and_invoke) {
  unsetenv("LAMBDA_LOCAL_CONFIG");
  ll_cli c;
  char err[LL_ERR_LEN] = "";
  char *a[] = {"ll"};
  ck_assert(parse(&c, err, 1, a));
  ck_assert_int_eq(c.command, LL_CMD_SERVE);
  ck_assert_str_eq(c.config, "local/stack.json");
  ck_assert_int_eq(c.port, -1);
  ck_assert_int_eq(c.format, -1);
  char *b[] = {"ll", "serve", "--port", "0", "--format", "http", "--concurrency", "3", "--function", "api"};
  ck_assert(parse(&c, err, 10, b));
  ck_assert_int_eq(c.port, 0);
  ck_assert_int_eq(c.format, LL_API_HTTP);
  ck_assert_int_eq(c.concurrency, 3);
  ck_assert_str_eq(c.function, "api");
  setenv("LAMBDA_LOCAL_CONFIG", "/x/stack.json", 1);
  char *i[] = {"ll", "invoke", "migrate", "-", "--config", "other.json"};
  ck_assert(parse(&c, err, 6, i));
  ck_assert_int_eq(c.command, LL_CMD_INVOKE);
  ck_assert_str_eq(c.function, "migrate");
  ck_assert_str_eq(c.event_file, "-");
  ck_assert_str_eq(c.config, "other.json");
  char *e[] = {"ll", "invoke", "api"};
  ck_assert(parse(&c, err, 3, e));
  ck_assert_str_eq(c.config, "/x/stack.json");
  ck_assert_ptr_null(c.event_file);
  unsetenv("LAMBDA_LOCAL_CONFIG");
}
END_TEST

START_TEST(cli_usage_errors) {
  char *bad[][6] = {
      {"ll", "invoke"},                     {"ll", "--port", "70000"}, {"ll", "--port", "12x"},
      {"ll", "--port"},                     {"ll", "--format", "soap"}, {"ll", "--concurrency", "0"},
      {"ll", "--concurrency", "65"},        {"ll", "--bogus", "1"},    {"ll", "invoke", "a", "b", "c"},
      {"ll", "serve", "extra"},
  };
  const int argc[] = {2, 3, 3, 2, 3, 3, 3, 3, 5, 3};
  for (size_t k = 0; k < sizeof argc / sizeof argc[0]; k++) {
    ll_cli c;
    char err[LL_ERR_LEN] = "";
    ck_assert_msg(!parse(&c, err, argc[k], bad[k]), "accepted case %zu", k);
    ck_assert(err[0] != '\0');
  }
  ll_cli c;
  char err[LL_ERR_LEN] = "";
  char *h[] = {"ll", "invoke", "--help"};
  ck_assert(parse(&c, err, 3, h));
  ck_assert_int_eq(c.command, LL_CMD_HELP);
}
END_TEST

Suite *ll_cli_suite(void) {
  Suite *s = suite_create("cli");
  TCase *core = tcase_create("core");
  tcase_add_test(core, cli_serve_and_invoke);
  suite_add_tcase(s, core);
  TCase *limits = tcase_create("limits");
  tcase_add_test(limits, cli_usage_errors);
  suite_add_tcase(s, limits);
  return s;
}
