/* SigV4 on hostile and edge input: everything outside the bounds is refused
 * (never signed), the key cache follows the date, encoding is exact. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lr/sigv4.h"
#include "test_common.h"

#define NOW ((time_t)1440938160)
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define GET_VANILLA_SIG "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"

static lr_sigv4_signer signer(void) {
  lr_aws_credentials c = {"AKIDEXAMPLE", SECRET, ""};
  lr_sigv4_signer s;
  ck_assert_int_eq(lr_sigv4_signer_init(&s, &c, "us-east-1", "service", LR_SIGV4_PATH_NORMALIZE_ENCODE, NULL), LR_AWS_OK);
  return s;
}

/* Signs with headers h (Host first) and returns the status; the error must
 * never carry the secret. */
static lr_aws_status sign(const char *method, const char *path, const lr_sigv4_pair *h, size_t nh,
                          const lr_sigv4_pair *q, size_t nq, const char *payload_hash) {
  lr_sigv4_signer s = signer();
  lr_sigv4_request r = {.method = method, .path = path, .headers = h, .header_count = nh, .query = q,
                        .query_count = nq, .payload_hash = payload_hash};
  lr_buf auth;
  lr_buf_init(&auth, 4096);
  char err[LR_AWS_ERR_LEN] = "";
  lr_aws_status st = lr_sigv4_sign_headers(&s, &r, NOW, &auth, NULL, err);
  ck_assert_ptr_null(strstr(err, SECRET));
  if (st != LR_AWS_OK) ck_assert_msg(err[0] != '\0', "a failure without a message");
  lr_buf_free(&auth);
  return st;
}

#define HOST {"Host", "example.amazonaws.com", 0}

START_TEST(header_values_with_cr_lf_nul_refused) {
  lr_sigv4_pair a[] = {HOST, {"X-A", "one\r\nX-Injected: 1", 0}};
  ck_assert_int_eq(sign("GET", "/", a, 2, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  lr_sigv4_pair b[] = {HOST, {"X-A", "multi\n line", 0}};
  ck_assert_int_eq(sign("GET", "/", b, 2, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  lr_sigv4_pair c[] = {HOST, {"X-A", "nul\0inside", 10}};
  ck_assert_int_eq(sign("GET", "/", c, 2, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  lr_sigv4_pair d[] = {HOST, {"X-A", "del\x7f", 0}};
  ck_assert_int_eq(sign("GET", "/", d, 2, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  lr_sigv4_pair e[] = {HOST, {"X-A", NULL, 0}};
  ck_assert_int_eq(sign("GET", "/", e, 2, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  /* A tab is a blank: allowed, collapsed. */
  lr_sigv4_pair f[] = {HOST, {"X-A", "\ta\t\tb ", 0}};
  ck_assert_int_eq(sign("GET", "/", f, 2, NULL, 0, NULL), LR_AWS_OK);
}
END_TEST

START_TEST(header_names_must_be_tokens) {
  const char *bad[] = {"", "X A", "X:A", "X\nA", "X(A)", "\xc3\xa9", "X/A"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    lr_sigv4_pair h[] = {HOST, {bad[i], "v", 0}};
    ck_assert_msg(sign("GET", "/", h, 2, NULL, 0, NULL) == LR_AWS_BAD_ARGUMENT, "name %zu", i);
  }
  char longname[LR_SIGV4_MAX_NAME + 2];
  memset(longname, 'x', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  lr_sigv4_pair h[] = {HOST, {longname, "v", 0}};
  ck_assert_int_eq(sign("GET", "/", h, 2, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  longname[LR_SIGV4_MAX_NAME] = '\0';
  ck_assert_int_eq(sign("GET", "/", h, 2, NULL, 0, NULL), LR_AWS_OK);
}
END_TEST

START_TEST(bounds_on_counts_and_lengths) {
  static char big[LR_SIGV4_MAX_VALUE + 2];
  memset(big, 'v', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  lr_sigv4_pair h[] = {HOST, {"X-Big", big, 0}};
  ck_assert_int_eq(sign("GET", "/", h, 2, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  big[LR_SIGV4_MAX_VALUE] = '\0';
  ck_assert_int_eq(sign("GET", "/", h, 2, NULL, 0, NULL), LR_AWS_OK);
  lr_sigv4_pair many[LR_SIGV4_MAX_HEADERS + 1];
  char names[LR_SIGV4_MAX_HEADERS + 1][16];
  many[0] = (lr_sigv4_pair)HOST;
  for (size_t i = 1; i <= LR_SIGV4_MAX_HEADERS; i++) {
    snprintf(names[i], sizeof names[i], "X-H%zu", i);
    many[i] = (lr_sigv4_pair){names[i], "v", 0};
  }
  ck_assert_int_eq(sign("GET", "/", many, LR_SIGV4_MAX_HEADERS + 1, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(sign("GET", "/", many, LR_SIGV4_MAX_HEADERS, NULL, 0, NULL), LR_AWS_OK);
  static lr_sigv4_pair q[LR_SIGV4_MAX_PARAMS + 1];
  for (size_t i = 0; i <= LR_SIGV4_MAX_PARAMS; i++) q[i] = (lr_sigv4_pair){"p", "v", 0};
  lr_sigv4_pair host[] = {HOST};
  ck_assert_int_eq(sign("GET", "/", host, 1, q, LR_SIGV4_MAX_PARAMS + 1, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(sign("GET", "/", host, 1, q, LR_SIGV4_MAX_PARAMS, NULL), LR_AWS_OK);
  lr_sigv4_pair qb[] = {{"p", big, 0}};
  big[LR_SIGV4_MAX_VALUE] = 'v';
  ck_assert_int_eq(sign("GET", "/", host, 1, qb, 1, NULL), LR_AWS_BAD_ARGUMENT);
  lr_sigv4_pair qn[] = {{"", "v", 0}};
  ck_assert_int_eq(sign("GET", "/", host, 1, qn, 1, NULL), LR_AWS_BAD_ARGUMENT);
  lr_sigv4_pair qz[] = {{"p", "a\0b", 3}};
  ck_assert_int_eq(sign("GET", "/", host, 1, qz, 1, NULL), LR_AWS_BAD_ARGUMENT);
  static char longpath[LR_SIGV4_MAX_PATH + 2];
  memset(longpath, 'a', sizeof longpath - 1);
  longpath[0] = '/';
  ck_assert_int_eq(sign("GET", longpath, host, 1, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
}
END_TEST

START_TEST(request_shape_checked) {
  lr_sigv4_pair host[] = {HOST};
  lr_sigv4_pair nohost[] = {{"X-A", "v", 0}};
  ck_assert_int_eq(sign("GET", "/", nohost, 1, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(sign("GET", "/", NULL, 0, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  lr_sigv4_pair emptyhost[] = {{"Host", "  ", 0}};
  ck_assert_int_eq(sign("GET", "/", emptyhost, 1, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(sign("get", "/", host, 1, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(sign("", "/", host, 1, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(sign(NULL, "/", host, 1, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(sign("GET", "", host, 1, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(sign("GET", "x", host, 1, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(sign("GET", "/a?b=c", host, 1, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(sign("GET", "/a#f", host, 1, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(sign("GET", "/a\r\nb", host, 1, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(sign("GET", NULL, host, 1, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(sign("GET", "/", host, 1, NULL, 0, "abc"), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(sign("GET", "/", host, 1, NULL, 0, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(sign("GET", "/", host, 1, NULL, 0, LR_SIGV4_UNSIGNED_PAYLOAD), LR_AWS_OK);
  /* The signer owns these: a caller's copy would be signed twice or stale. */
  const char *owned[] = {"X-Amz-Date", "x-amz-security-token", "Authorization"};
  for (size_t i = 0; i < 3; i++) {
    lr_sigv4_pair h[] = {HOST, {owned[i], "v", 0}};
    ck_assert_int_eq(sign("GET", "/", h, 2, NULL, 0, NULL), LR_AWS_BAD_ARGUMENT);
  }
}
END_TEST

START_TEST(signer_init_checks) {
  lr_sigv4_signer s;
  char err[LR_AWS_ERR_LEN];
  lr_aws_credentials ok = {"AKIDEXAMPLE", SECRET, ""};
  ck_assert_int_eq(lr_sigv4_signer_init(&s, &ok, "US-EAST-1", "s3", 0, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sigv4_signer_init(&s, &ok, "us_east_1", "s3", 0, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sigv4_signer_init(&s, &ok, "", "s3", 0, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sigv4_signer_init(&s, &ok, "us-east-1", "s3/x", 0, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sigv4_signer_init(&s, &ok, "us-east-1", NULL, 0, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sigv4_signer_init(&s, &ok, "us-east-1", "s3", (lr_sigv4_path_mode)7, err), LR_AWS_BAD_ARGUMENT);
  lr_aws_credentials bad_key = {"AKID/EXAMPLE", SECRET, ""};
  ck_assert_int_eq(lr_sigv4_signer_init(&s, &bad_key, "us-east-1", "s3", 0, err), LR_AWS_NO_CREDENTIALS);
  lr_aws_credentials no_secret = {"AKIDEXAMPLE", "", ""};
  ck_assert_int_eq(lr_sigv4_signer_init(&s, &no_secret, "us-east-1", "s3", 0, err), LR_AWS_NO_CREDENTIALS);
  lr_aws_credentials bad_token = {"AKIDEXAMPLE", SECRET, "a\nb"};
  ck_assert_int_eq(lr_sigv4_signer_init(&s, &bad_token, "us-east-1", "s3", 0, err), LR_AWS_NO_CREDENTIALS);
  ck_assert_ptr_null(strstr(err, SECRET));
  lr_aws_credentials unterminated;
  memset(&unterminated, 'A', sizeof unterminated);
  ck_assert_int_eq(lr_sigv4_signer_init(&s, &unterminated, "us-east-1", "s3", 0, err), LR_AWS_NO_CREDENTIALS);
  ck_assert_int_eq(lr_sigv4_signer_init(&s, NULL, "us-east-1", "s3", 0, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sigv4_signer_init(&s, &ok, "us-east-1", "s3", 0, err), LR_AWS_OK);
  lr_sigv4_signer_wipe(&s);
  ck_assert_str_eq(s.creds.secret_access_key, "");
  lr_sigv4_signer_wipe(NULL);
}
END_TEST

static const char *vanilla_sig(lr_sigv4_signer *s, time_t now, lr_sigv4_out *out) {
  lr_sigv4_pair h[] = {HOST};
  lr_sigv4_request r = {.method = "GET", .path = "/", .headers = h, .header_count = 1};
  lr_buf auth;
  lr_buf_init(&auth, 4096);
  ck_assert_int_eq(lr_sigv4_sign_headers(s, &r, now, &auth, out, NULL), LR_AWS_OK);
  lr_buf_free(&auth);
  return out->signature;
}

START_TEST(key_cache_follows_the_date) {
  lr_sigv4_signer s = signer();
  lr_sigv4_out out = {0};
  ck_assert_str_eq(vanilla_sig(&s, NOW, &out), GET_VANILLA_SIG);
  ck_assert_str_eq(s.key_date, "20150830");
  char other[LR_SIGV4_HEX_LEN + 1];
  snprintf(other, sizeof other, "%s", vanilla_sig(&s, NOW + 86400, &out));
  ck_assert_str_eq(s.key_date, "20150831");
  ck_assert_str_ne(other, GET_VANILLA_SIG);
  /* A fresh signer agrees with the cached one on the next day... */
  lr_sigv4_signer fresh = signer();
  ck_assert_str_eq(vanilla_sig(&fresh, NOW + 86400, &out), other);
  /* ...and going back re-derives the first day's key. */
  ck_assert_str_eq(vanilla_sig(&s, NOW, &out), GET_VANILLA_SIG);
  ck_assert_str_eq(s.key_date, "20150830");
  /* Same day, other second: the cached key is used and still right. */
  lr_sigv4_signer fresh2 = signer();
  char later[LR_SIGV4_HEX_LEN + 1];
  snprintf(later, sizeof later, "%s", vanilla_sig(&fresh2, NOW + 3600, &out));
  ck_assert_str_eq(vanilla_sig(&s, NOW + 3600, &out), later);
}
END_TEST

START_TEST(uri_encode_exact) {
  char all[256];
  for (int i = 0; i < 256; i++) all[i] = (char)i;
  lr_buf b;
  lr_buf_init(&b, 4096);
  ck_assert_int_eq(lr_sigv4_uri_encode(&b, all, 256, 0), LR_AWS_OK);
  size_t literal = 0;
  for (size_t i = 0; i < b.len; i++) {
    if (b.data[i] == '%') {
      ck_assert(i + 2 < b.len);
      ck_assert(strchr("0123456789ABCDEF", b.data[i + 1]) && strchr("0123456789ABCDEF", b.data[i + 2]));
      i += 2;
    } else {
      ck_assert(strchr("-_.~", b.data[i]) || (b.data[i] >= 'a' && b.data[i] <= 'z') ||
                (b.data[i] >= 'A' && b.data[i] <= 'Z') || (b.data[i] >= '0' && b.data[i] <= '9'));
      literal++;
    }
  }
  ck_assert_uint_eq(literal, 26 + 26 + 10 + 4);
  ck_assert_uint_eq(b.len, literal + 3 * (256 - literal));
  lr_buf_reset(&b);
  ck_assert_int_eq(lr_sigv4_uri_encode(&b, "a/b c/!*'()", 11, 1), LR_AWS_OK);
  ck_assert_str_eq(lr_buf_str(&b), "a/b%20c/%21%2A%27%28%29");
  lr_buf_free(&b);
  lr_buf tiny;
  lr_buf_init(&tiny, 4);
  ck_assert_int_eq(lr_sigv4_uri_encode(&tiny, "  ", 2, 0), LR_AWS_BAD_ARGUMENT);
  lr_buf_free(&tiny);
}
END_TEST

START_TEST(presign_bounds) {
  lr_sigv4_signer s = signer();
  lr_sigv4_pair h[] = {HOST};
  lr_sigv4_request r = {.method = "GET", .path = "/", .headers = h, .header_count = 1};
  lr_buf q;
  lr_buf_init(&q, 8192);
  ck_assert_int_eq(lr_sigv4_presign(&s, &r, NOW, 0, &q, NULL, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sigv4_presign(&s, &r, NOW, LR_SIGV4_MAX_EXPIRES + 1, &q, NULL, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sigv4_presign(&s, &r, NOW, LR_SIGV4_MAX_EXPIRES, &q, NULL, NULL), LR_AWS_OK);
  lr_buf_reset(&q);
  lr_sigv4_pair amz[] = {{"x-amz-signature", "forged", 0}};
  r.query = amz;
  r.query_count = 1;
  ck_assert_int_eq(lr_sigv4_presign(&s, &r, NOW, 60, &q, NULL, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_uint_eq(q.len, 0);
  /* A query buffer too small for the result: refused, left empty. */
  lr_buf small;
  lr_buf_init(&small, 64);
  r.query = NULL;
  r.query_count = 0;
  ck_assert_int_ne(lr_sigv4_presign(&s, &r, NOW, 60, &small, NULL, NULL), LR_AWS_OK);
  ck_assert_uint_eq(small.len, 0);
  lr_buf_free(&q);
  lr_buf_free(&small);
}
END_TEST

START_TEST(clock_out_of_range) {
  lr_sigv4_signer s = signer();
  lr_sigv4_pair h[] = {HOST};
  lr_sigv4_request r = {.method = "GET", .path = "/", .headers = h, .header_count = 1};
  lr_buf auth;
  lr_buf_init(&auth, 4096);
  ck_assert_int_eq(lr_sigv4_sign_headers(&s, &r, (time_t)-1, &auth, NULL, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sigv4_sign_headers(&s, &r, (time_t)400000000000LL, &auth, NULL, NULL), LR_AWS_BAD_ARGUMENT);
  char d[LR_SIGV4_AMZ_DATE_LEN];
  ck_assert_int_eq(lr_sigv4_amz_date(0, d), LR_AWS_OK);
  ck_assert_str_eq(d, "19700101T000000Z");
  lr_buf_free(&auth);
}
END_TEST


/* Deterministic random input (fixed seed, bounded count): signing never
 * crashes or overruns (the sanitizer and valgrind runs watch), and whatever it
 * accepts gives a well-formed Authorization. */
static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;
static unsigned rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (unsigned)(rng_state >> 16);
}

/* Hostile rounds draw any byte; tame rounds stay within what is legal, so
 * that the signing code past the checks is reached too. */
static void random_bytes(char *dst, size_t n, int hostile, int token) {
  static const char tame[] = "aZ09-_.~ /%:;=&!*'()\t\xc3\xa9";
  static const char tchar[] = "aZ09-_.~!#$%&'*+^`|";
  for (size_t i = 0; i < n; i++) {
    if (hostile && rnd() % 4 == 0) dst[i] = (char)(rnd() & 0xff);
    else if (token) dst[i] = tchar[rnd() % (sizeof tchar - 1)];
    else dst[i] = tame[rnd() % (sizeof tame - 1)];
  }
  dst[n] = '\0';
}

START_TEST(random_input_is_safe) {
  lr_sigv4_signer s = signer();
  size_t accepted = 0;
  for (int round = 0; round < 1500; round++) {
    char path[64], name[16], value[64], qn[16], qv[64];
    int hostile = round % 2;
    random_bytes(path + 1, rnd() % 60, hostile, 0);
    path[0] = rnd() % 8 ? '/' : 'x';
    random_bytes(name, 1 + rnd() % 14, hostile, 1);
    random_bytes(value, rnd() % 60, hostile, 0);
    random_bytes(qn, 1 + rnd() % 13, hostile, 0);
    random_bytes(qv, rnd() % 60, hostile, 0);
    lr_sigv4_pair h[] = {HOST, {name, value, 0}};
    lr_sigv4_pair q[] = {{qn, qv, 0}};
    s.path_mode = rnd() % 2 ? LR_SIGV4_PATH_AS_IS : LR_SIGV4_PATH_NORMALIZE_ENCODE;
    lr_sigv4_request r = {.method = "PUT", .path = path, .headers = h, .header_count = 2, .query = q, .query_count = 1};
    lr_buf auth, query;
    lr_buf_init(&auth, 4096);
    lr_buf_init(&query, 8192);
    if (lr_sigv4_sign_headers(&s, &r, NOW, &auth, NULL, NULL) == LR_AWS_OK) {
      accepted++;
      ck_assert(strncmp(lr_buf_str(&auth), "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=", 95) == 0);
      ck_assert_uint_eq(strlen(strstr(lr_buf_str(&auth), ", Signature=") + 12), 64);
      ck_assert_ptr_null(strpbrk(lr_buf_str(&auth), "\r\n"));
    }
    if (lr_sigv4_presign(&s, &r, NOW, 60, &query, NULL, NULL) == LR_AWS_OK) {
      /* The presigned query is all unreserved characters, '%', '=' and '&'. */
      for (const char *p = lr_buf_str(&query); *p; p++)
        ck_assert_msg(strchr("-_.~%=&", *p) || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'),
                      "byte %02x in a presigned query", (unsigned char)*p);
    }
    lr_buf_free(&auth);
    lr_buf_free(&query);
  }
  ck_assert_uint_gt(accepted, 200); /* the generator does reach the signing code */
}
END_TEST

int main(void) {
  Suite *s = suite_create("sigv4 limits");
  TCase *t = tcase_create("hostile input");
  tcase_set_timeout(t, 60); /* the random-input case signs thousands of requests, under valgrind too */
  tcase_add_test(t, header_values_with_cr_lf_nul_refused);
  tcase_add_test(t, header_names_must_be_tokens);
  tcase_add_test(t, bounds_on_counts_and_lengths);
  tcase_add_test(t, request_shape_checked);
  tcase_add_test(t, signer_init_checks);
  tcase_add_test(t, presign_bounds);
  tcase_add_test(t, clock_out_of_range);
  tcase_add_test(t, random_input_is_safe);
  suite_add_tcase(s, t);
  TCase *c = tcase_create("core");
  tcase_add_test(c, key_cache_follows_the_date);
  tcase_add_test(c, uri_encode_exact);
  suite_add_tcase(s, c);
  return aws_test_run_suite(s);
}
