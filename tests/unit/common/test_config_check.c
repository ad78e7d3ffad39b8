/* The configuration validators on hostile input: limits at their edges, and
 * many random byte strings (fixed seed) that must never crash a validator nor
 * get a control or non-ASCII byte accepted. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_check.h"
#include "lr/log.h"

static char *repeat(char c, size_t n) {
  char *s = malloc(n + 1);
  memset(s, c, n);
  s[n] = '\0';
  return s;
}

START_TEST(host_limits) {
  char *label63 = repeat('a', 63), *label64 = repeat('a', 64);
  ck_assert(cfg__check_host(label63));
  ck_assert(!cfg__check_host(label64));
  char long_name[300];
  /* 4 labels of 63 + 3 dots = 255 > 253 */
  snprintf(long_name, sizeof long_name, "%s.%s.%s.%s", label63, label63, label63, label63);
  ck_assert(!cfg__check_host(long_name));
  ck_assert(cfg__check_host("a"));
  ck_assert(cfg__check_host("db-1.example.com"));
  ck_assert(cfg__check_host("10.0.0.1"));
  ck_assert(!cfg__check_host("a..b"));
  ck_assert(!cfg__check_host("a-.b"));
  ck_assert(!cfg__check_host(".a"));
  ck_assert(!cfg__check_host("a."));
  ck_assert(!cfg__check_host(""));
  ck_assert(!cfg__check_host("host=evil"));
  ck_assert(!cfg__check_host("::1 x"));
  ck_assert(cfg__check_host("fe80::1"));
  ck_assert(!cfg__check_host(":::::::::1"));
  free(label63);
  free(label64);
}
END_TEST

START_TEST(other_limits) {
  long v;
  ck_assert(cfg__check_int("65535", 1, 65535, &v) && v == 65535);
  ck_assert(!cfg__check_int("65536", 1, 65535, &v));
  ck_assert(!cfg__check_int("", 1, 65535, &v));
  ck_assert(!cfg__check_int("+1", 1, 65535, &v));
  ck_assert(!cfg__check_int("0x10", 1, 65535, &v));
  ck_assert(!cfg__check_int("12345678901", 0, 2147483647, &v));
  char *b3 = repeat('a', 3), *b63 = repeat('a', 63), *b64 = repeat('a', 64);
  ck_assert(cfg__check_bucket(b3));
  ck_assert(cfg__check_bucket(b63));
  ck_assert(!cfg__check_bucket(b64));
  ck_assert(!cfg__check_bucket("ab"));
  ck_assert(!cfg__check_bucket("-ab"));
  ck_assert(!cfg__check_bucket("ab-"));
  free(b3);
  free(b63);
  free(b64);
  char *id63 = repeat('u', 63), *id64 = repeat('u', 64);
  ck_assert(cfg__check_ident(id63));
  ck_assert(!cfg__check_ident(id64));
  free(id63);
  free(id64);
  ck_assert(cfg__check_url("https://sqs.eu-west-1.amazonaws.com/123/orders"));
  ck_assert(!cfg__check_url("https://"));
  ck_assert(!cfg__check_url("https:///x"));
  ck_assert(!cfg__check_url("ftp://x"));
  ck_assert(!cfg__check_url("http://a b"));
  ck_assert(cfg__check_region("ap-southeast-2"));
  ck_assert(!cfg__check_region("ap-southeast"));
  ck_assert(!cfg__check_region("a-b-1"));
  ck_assert(!cfg__check_region("eu-west-1x"));
  int b;
  ck_assert(cfg__check_bool("ON", &b) && b == 1);
  ck_assert(cfg__check_bool("no", &b) && b == 0);
  ck_assert(!cfg__check_bool("", &b));
  ck_assert(!cfg__check_bool("truee", &b));
  int rank;
  ck_assert(cfg__check_sslmode("verify-full", &rank) && rank == CFG_SSLMODE_VERIFY_FULL_RANK);
  ck_assert(!cfg__check_sslmode("VERIFY-FULL", &rank));
}
END_TEST

static uint32_t rng_next(uint32_t *x) {
  *x ^= *x << 13;
  *x ^= *x >> 17;
  *x ^= *x << 5;
  return *x;
}

static int has_bad_byte(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p > 0x7e) return 1;
  return 0;
}

START_TEST(random_bytes) {
  uint32_t seed = 0x2545F491u;
  char buf[300];
  for (int i = 0; i < 200000; i++) {
    size_t n = rng_next(&seed) % (sizeof buf - 1);
    /* mostly printable, sometimes anything: both halves of the input space */
    int wild = rng_next(&seed) % 4 == 0;
    for (size_t j = 0; j < n; j++) {
      uint32_t r = rng_next(&seed);
      buf[j] = (char)(wild ? (r % 255) + 1 : 0x20 + r % 95);
    }
    buf[n] = '\0';
    int bad = has_bad_byte(buf);
    long v;
    int flag, rank;
    int ok_host = cfg__check_host(buf), ok_ident = cfg__check_ident(buf);
    int ok_url = cfg__check_url(buf), ok_bucket = cfg__check_bucket(buf);
    int ok_region = cfg__check_region(buf), ok_prefix = cfg__check_prefix(buf);
    int ok_print = cfg__check_printable(buf);
    if (cfg__check_int(buf, 1, 65535, &v)) ck_assert(v >= 1 && v <= 65535);
    (void)cfg__check_bool(buf, &flag);
    (void)cfg__check_sslmode(buf, &rank);
    lr_log_level lvl;
    (void)lr_log_level_from_text(buf, &lvl);
    if (bad) ck_assert(!ok_host && !ok_ident && !ok_url && !ok_bucket && !ok_region &&
                       !ok_prefix && !ok_print);
    if (ok_host) ck_assert(n <= 253 && !strchr(buf, ',') && !strchr(buf, ' '));
    if (ok_bucket) ck_assert(n >= 3 && n <= 63);
  }
}
END_TEST

int main(void) {
  Suite *s = suite_create("unit.common.config_check");
  TCase *tc = tcase_create("checks");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, host_limits);
  tcase_add_test(tc, other_limits);
  tcase_add_test(tc, random_bytes);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
