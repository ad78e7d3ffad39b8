/* The shared helpers of the runtime library: strict JSON, UTF-8, clocks. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lr/base64.h"
#include "lr/clock.h"
#include "lr/hex.h"
#include "lr/json.h"
#include "lr/utf8.h"

static lr_json_status parse(const char *s, size_t len, unsigned mode) {
  cJSON *root = NULL;
  lr_json_status st = lr_json_parse(s, len, mode, &root);
  ck_assert_int_eq(st == LR_JSON_OK, root != NULL);
  cJSON_Delete(root);
  return st;
}

#define P(s, mode) parse(s, sizeof(s) - 1, mode)

START_TEST(json_accepts_one_value) {
  ck_assert_int_eq(P("{\"a\":1}", LR_JSON_STRICT), LR_JSON_OK);
  ck_assert_int_eq(P(" \r\n\t[1,2]\n ", LR_JSON_STRICT), LR_JSON_OK);
  ck_assert_int_eq(P("\"caf\xc3\xa9\"", LR_JSON_STRICT), LR_JSON_OK);
  ck_assert_int_eq(P("{\"a\":{\"b\":1},\"b\":{\"b\":2}}", LR_JSON_STRICT), LR_JSON_OK);
  ck_assert_int_eq(P("\"\\\\u0000\"", LR_JSON_STRICT), LR_JSON_OK); /* a backslash, then text */
}
END_TEST

START_TEST(json_refuses_what_cjson_lets_through) {
  ck_assert_int_eq(P("{} x", LR_JSON_STRICT), LR_JSON_TRAILING);
  ck_assert_int_eq(P("{}{}", LR_JSON_STRICT), LR_JSON_TRAILING);
  ck_assert_int_eq(P("{\"dry_run\":true,\"dry_run\":false}", LR_JSON_STRICT), LR_JSON_DUP_KEY);
  ck_assert_int_eq(P("[{\"x\":{\"k\":1,\"j\":2,\"k\":3}}]", LR_JSON_STRICT), LR_JSON_DUP_KEY);
  ck_assert_int_eq(P("\"a\\u0000b\"", LR_JSON_STRICT), LR_JSON_NUL_ESCAPE);
  ck_assert_int_eq(P("\"a\\U0000b\"", LR_JSON_STRICT), LR_JSON_SYNTAX);
  ck_assert_int_eq(P("{\"a\":\"\xff\"}", LR_JSON_STRICT), LR_JSON_UTF8);
  ck_assert_int_eq(P("\"\xed\xa0\x80\"", LR_JSON_STRICT), LR_JSON_UTF8); /* a surrogate */
  ck_assert_int_eq(parse("{}\0", 3, LR_JSON_STRICT), LR_JSON_NUL);
  ck_assert_int_eq(P("", LR_JSON_STRICT), LR_JSON_SYNTAX);
  ck_assert_int_eq(P("{\"a\":", LR_JSON_STRICT), LR_JSON_SYNTAX);
  ck_assert_int_eq(lr_json_parse(NULL, 0, LR_JSON_STRICT, &(cJSON *){NULL}), LR_JSON_SYNTAX);
}
END_TEST

START_TEST(json_modes_relax_one_rule_each) {
  ck_assert_int_eq(P("{\"a\":1,\"a\":2}", LR_JSON_ALLOW_DUP_KEYS), LR_JSON_OK);
  ck_assert_int_eq(P("\"a\\u0000b\"", LR_JSON_ALLOW_NUL_ESCAPE), LR_JSON_OK);
  ck_assert_int_eq(P("\"a\\u0000b\" x", LR_JSON_ALLOW_NUL_ESCAPE), LR_JSON_TRAILING);
  ck_assert_int_eq(P("{\"a\":\"\xff\"}", LR_JSON_ALLOW_BAD_UTF8), LR_JSON_OK);
  ck_assert_int_eq(parse("{}\0", 3, LR_JSON_ALLOW_BAD_UTF8), LR_JSON_NUL);
}
END_TEST

/* One object of many keys: the duplicate check must stay n log n. */
START_TEST(json_many_keys) {
  enum { N = 50000 };
  size_t cap = (size_t)N * 16 + 16, n = 0;
  char *s = malloc(cap);
  ck_assert_ptr_nonnull(s);
  s[n++] = '{';
  for (int i = 0; i < N; i++) n += (size_t)snprintf(s + n, cap - n, "%s\"k%d\":1", i ? "," : "", i);
  s[n++] = '}';
  ck_assert_int_eq(parse(s, n, LR_JSON_STRICT), LR_JSON_OK);
  memcpy(s + n - 1, ",\"k7\":2}", 8); /* the same key again at the end */
  ck_assert_int_eq(parse(s, n + 7, LR_JSON_STRICT), LR_JSON_DUP_KEY);
  free(s);
}
END_TEST

START_TEST(json_status_table) {
  ck_assert_str_eq(lr_json_status_name(LR_JSON_DUP_KEY), "LR_JSON_DUP_KEY");
  ck_assert_str_eq(lr_json_status_message(LR_JSON_TRAILING), "text after the JSON value");
  ck_assert_str_eq(lr_json_status_name((lr_json_status)99), "LR_JSON_UNKNOWN");
}
END_TEST

START_TEST(utf8_rules) {
  ck_assert(lr_utf8_valid("", 0));
  ck_assert(lr_utf8_valid("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10));
  ck_assert(!lr_utf8_valid("\xc0\xaf", 2));         /* overlong */
  ck_assert(!lr_utf8_valid("\xe0\x80\xaf", 3));     /* overlong */
  ck_assert(!lr_utf8_valid("\xed\xbf\xbf", 3));     /* surrogate */
  ck_assert(!lr_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
  ck_assert(!lr_utf8_valid("\xe2\x82", 2));         /* cut short */
  ck_assert_uint_eq(lr_utf8_seq_len((const unsigned char *)"\xe2\x82\xac", 3), 3);
  ck_assert_uint_eq(lr_utf8_seq_len((const unsigned char *)"x", 0), 0);
}
END_TEST

static lr_b64_status dec(const char *in, lr_b64_variant v, lr_buf *out) {
  lr_buf_reset(out);
  return lr_b64_decode(out, in, strlen(in), v);
}

START_TEST(base64_round_trips) {
  for (int v = LR_B64_STRICT; v <= LR_B64_LENIENT; v++) {
    for (size_t n = 0; n < 64; n++) {
      unsigned char in[64];
      for (size_t i = 0; i < n; i++) in[i] = (unsigned char)(i * 37 + n);
      lr_buf enc, back;
      lr_buf_init(&enc, 1024);
      lr_buf_init(&back, 1024);
      ck_assert_int_eq(lr_b64_encode(&enc, in, n, (lr_b64_variant)v), LR_B64_OK);
      ck_assert_uint_eq(enc.len, v == LR_B64_URL_RAW ? (n * 4 + 2) / 3 : (n + 2) / 3 * 4);
      ck_assert_int_eq(lr_b64_decode(&back, enc.data ? enc.data : "", enc.len, (lr_b64_variant)v), LR_B64_OK);
      ck_assert_uint_eq(back.len, n);
      ck_assert(n == 0 || memcmp(back.data, in, n) == 0);
      lr_buf_free(&enc);
      lr_buf_free(&back);
    }
  }
}
END_TEST

START_TEST(base64_variants_refuse) {
  lr_buf b;
  lr_buf_init(&b, 16);
  ck_assert_int_eq(dec("aGVsbG8=", LR_B64_STRICT, &b), LR_B64_OK);
  ck_assert_str_eq(lr_buf_str(&b), "hello");
  const char *strict_bad[] = {"aGVsbG8", "aGVs bG8=", "aG=sbG8=", "aGVsbG9=", "aGVs_G8=", "A===", "QUJD\n"};
  for (size_t i = 0; i < sizeof strict_bad / sizeof *strict_bad; i++)
    ck_assert_msg(dec(strict_bad[i], LR_B64_STRICT, &b) == LR_B64_INVALID, "accepted %s", strict_bad[i]);
  /* the emulator takes what API Gateway takes: no padding, any tail bits */
  ck_assert_int_eq(dec("aGVsbG8", LR_B64_LENIENT, &b), LR_B64_OK);
  ck_assert_int_eq(dec("aGVsbG9=", LR_B64_LENIENT, &b), LR_B64_OK);
  const char *lenient_bad[] = {"A", "AB$=", "QUJD\n", "QU JD", "QQ==QQ==", "QQ="};
  for (size_t i = 0; i < sizeof lenient_bad / sizeof *lenient_bad; i++)
    ck_assert_msg(dec(lenient_bad[i], LR_B64_LENIENT, &b) == LR_B64_INVALID, "accepted %s", lenient_bad[i]);
  ck_assert_int_eq(dec("aGVsbG8", LR_B64_URL_RAW, &b), LR_B64_OK);
  ck_assert_int_eq(dec("aGVsbG8=", LR_B64_URL_RAW, &b), LR_B64_INVALID);
  ck_assert_int_eq(dec("a-_8", LR_B64_URL_RAW, &b), LR_B64_OK);
  ck_assert_int_eq(dec("a+/8", LR_B64_URL_RAW, &b), LR_B64_INVALID);
  ck_assert_int_eq(dec("aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=", LR_B64_STRICT, &b), LR_B64_TOO_BIG);
  lr_buf_free(&b);
  lr_buf small;
  lr_buf_init(&small, 3);
  ck_assert_int_eq(lr_b64_encode(&small, (const unsigned char *)"abcd", 4, LR_B64_STRICT), LR_B64_TOO_BIG);
  lr_buf_free(&small);
  ck_assert_str_eq(lr_b64_status_message(LR_B64_INVALID), "not base64 of the expected kind");
}
END_TEST

START_TEST(hex_digits_either_case_and_nothing_else) {
  unsigned v = 99;
  for (int c = 0; c < 256; c++) {
    bool want = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    ck_assert_int_eq(lr_hex_digit(c, &v), want);
  }
  ck_assert(lr_hex_digit('7', &v) && v == 7);
  ck_assert(lr_hex_digit('a', &v) && v == 10);
  ck_assert(lr_hex_digit('F', &v) && v == 15);
  v = 42;
  ck_assert(!lr_hex_digit('g', &v) && v == 42); /* left untouched */
  ck_assert(!lr_hex_digit(-1, &v));
}
END_TEST

START_TEST(clocks_agree) {
  int64_t ms = lr_clock_epoch_ms(), us = lr_clock_epoch_us();
  ck_assert(us / 1000 - ms >= 0 && us / 1000 - ms < 1000);
  int64_t m1 = lr_clock_mono_us(), m2 = lr_clock_mono_us();
  ck_assert(m2 >= m1);
  ck_assert(lr_clock_mono_ms() >= m1 / 1000);
}
END_TEST

Suite *helpers_suite(void);
Suite *helpers_suite(void) {
  Suite *s = suite_create("helpers");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, json_accepts_one_value);
  tcase_add_test(tc, json_refuses_what_cjson_lets_through);
  tcase_add_test(tc, json_modes_relax_one_rule_each);
  tcase_add_test(tc, json_status_table);
  tcase_add_test(tc, utf8_rules);
  tcase_add_test(tc, clocks_agree);
  tcase_add_test(tc, hex_digits_either_case_and_nothing_else);
  tcase_add_test(tc, base64_round_trips);
  tcase_add_test(tc, base64_variants_refuse);
  suite_add_tcase(s, tc);
  TCase *lim = tcase_create("limits");
  tcase_add_test(lim, json_many_keys);
  suite_add_tcase(s, lim);
  return s;
}
