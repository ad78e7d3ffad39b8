/* local/stack.json parsing (types, ranges, unknown keys, ${} expansion) and
 * base64 round trips. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lr/base64.h"
#include "ll_config.h"
#include "ll_tests.h"

static ll_status parse(const char *json, ll_config *c, char *err) {
  return ll_config_parse(json, strlen(json), "/base", c, err, LL_ERR_LEN);
}

START_TEST(config_full) {
  setenv("LL_TEST_PORT", "6543", 1);
  unsetenv("LL_TEST_UNSET");
  ll_config c;
  char err[LL_ERR_LEN] = "";
  ck_assert_msg(parse("{\"region\":\"eu-west-1\",\"bootstrap\":\"bin/bootstrap\",\"env\":{\"SHARED\":\"s\",\"X\":\"top\"},"
                      "\"functions\":{\"api\":{\"timeout\":28,\"memory\":512,\"concurrency\":4,"
                      "\"env\":{\"DB_PORT\":\"${LL_TEST_PORT}\",\"D\":\"${LL_TEST_UNSET:-dflt}\",\"X\":\"own\"}},"
                      "\"migrate\":{\"handler\":\"m\",\"bootstrap\":\"/abs/boot\"}},"
                      "\"http\":{\"function\":\"api\",\"port\":0,\"format\":\"http\"}}",
                      &c, err) == LL_OK, "%s", err);
  const ll_function_cfg *api = ll_config_function(&c, "api");
  ck_assert_ptr_nonnull(api);
  ck_assert_str_eq(api->handler, "api");
  ck_assert_str_eq(api->bootstrap, "/base/bin/bootstrap");
  ck_assert_int_eq(api->timeout_s, 28);
  ck_assert_int_eq(api->memory_mb, 512);
  ck_assert_int_eq(api->concurrency, 4);
  ck_assert_uint_eq(api->env_count, 4);
  ck_assert_str_eq(api->env[1].value, "own"); /* the function's value wins over the shared one */
  ck_assert_str_eq(api->env[2].value, "6543");
  ck_assert_str_eq(api->env[3].value, "dflt");
  const ll_function_cfg *m = ll_config_function(&c, "migrate");
  ck_assert_str_eq(m->handler, "m");
  ck_assert_str_eq(m->bootstrap, "/abs/boot");
  ck_assert_int_eq(m->timeout_s, 3);
  ck_assert_int_eq(c.http_format, LL_API_HTTP);
  ck_assert_int_eq(c.http_port, 0);
  ck_assert_str_eq(c.http_host, "127.0.0.1");
  ck_assert_int_eq(c.api_timeout_s, 29);
  ll_config_free(&c);
}
END_TEST

START_TEST(config_refused) {
  unsetenv("LL_TEST_UNSET");
  const char *bad[] = {
      "", "[]", "{\"functions\":{}}", "{\"functions\":[]}", "{\"functions\":{\"a\":{}}}", /* no bootstrap */
      "{\"bootstrap\":\"b\",\"functions\":{\"a\":{\"timeout\":0}}}",
      "{\"bootstrap\":\"b\",\"functions\":{\"a\":{\"timeout\":901}}}",
      "{\"bootstrap\":\"b\",\"functions\":{\"a\":{\"timeout\":1.5}}}",
      "{\"bootstrap\":\"b\",\"functions\":{\"a\":{\"timeout\":\"3\"}}}",
      "{\"bootstrap\":\"b\",\"functions\":{\"a\":{\"memory\":64}}}",
      "{\"bootstrap\":\"b\",\"functions\":{\"a\":{\"concurrency\":65}}}",
      "{\"bootstrap\":\"b\",\"functions\":{\"a\":{\"timout\":3}}}", /* typo */
      "{\"bootstrap\":\"b\",\"functions\":{\"a\":{\"env\":{\"1X\":\"v\"}}}}",
      "{\"bootstrap\":\"b\",\"functions\":{\"a\":{\"env\":{\"X\":1}}}}",
      "{\"bootstrap\":\"b\",\"functions\":{\"a\":{\"env\":{\"X\":\"${LL_TEST_UNSET}\"}}}}",
      "{\"bootstrap\":\"b\",\"functions\":{\"a\":{\"env\":{\"X\":\"${UNCLOSED\"}}}}",
      "{\"bootstrap\":\"b\",\"functions\":{\"a-b\":{}}}",
      "{\"bootstrap\":\"b\",\"functions\":{\"a\":{}},\"http\":{\"function\":\"nope\"}}",
      "{\"bootstrap\":\"b\",\"functions\":{\"a\":{}},\"http\":{\"format\":\"soap\"}}",
      "{\"bootstrap\":\"b\",\"functions\":{\"a\":{}},\"http\":{\"port\":70000}}",
      "{\"bootstrap\":\"b\",\"functions\":{\"a\":{}},\"extra\":1}",
      "{\"bootstrap\":\"b\",\"functions\":{\"a\":{}}} trailing",
      "{\"bootstrap\":7,\"functions\":{\"a\":{}}}",
      "{\"functions\":{\"a\":{\"bootstrap\":\"\"}}}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ll_config c;
    char err[LL_ERR_LEN] = "";
    ck_assert_msg(parse(bad[i], &c, err) != LL_OK, "accepted: %s", bad[i]);
    ck_assert_msg(err[0] != '\0', "no reason given for: %s", bad[i]);
    ck_assert_uint_eq(c.function_count, 0);
  }
}
END_TEST

START_TEST(config_missing_file) {
  ll_config c;
  char err[LL_ERR_LEN] = "";
  ck_assert_int_eq(ll_config_load("/nonexistent/stack.json", &c, err, sizeof err), LL_IO);
  ck_assert_ptr_nonnull(strstr(err, "/nonexistent/stack.json"));
}
END_TEST

Suite *ll_config_suite(void) {
  Suite *s = suite_create("config");
  TCase *core = tcase_create("core");
  tcase_add_test(core, config_full);
  suite_add_tcase(s, core);
  TCase *limits = tcase_create("limits");
  tcase_add_test(limits, config_refused);
  tcase_add_test(limits, config_missing_file);
  suite_add_tcase(s, limits);
  return s;
}
