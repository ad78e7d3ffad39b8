/* The S3 client against a mock server: the exact PutObject request (path-style
 * URL, encoded key, body hash, Content-Encoding), retries on SlowDown / 5xx /
 * drops, XML errors made safe, hostile answers and refused input. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_test_util.h"
#include "lr/s3.h"
#include "test_common.h"
#include "lr/clock.h"

#define BUCKET "orders-archive-123456789012"
#define KEY "archive/2026/11/23/orders 0001+x.jsonl.gz"
#define WIRE_KEY "archive/2026/11/23/orders%200001%2Bx.jsonl.gz"

static const mock_action OK = {MOCK_REPLY, 200, "ETag: \"9b2cf535f27731c974343645a3985328\"\r\n", NULL, 0};
static const unsigned char GZ[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x0a, 0x0d};

static lr_aws_status put_with(mock_server *m, const mock_action *acts, size_t n, int attempts, int with_token,
                              const lr_s3_put *put, char *etag, char *err) {
  mock_start(m, acts, n);
  lr_aws_credentials c = test_creds(with_token);
  lr_aws_client_config cfg = test_config(&c, m->port, attempts);
  lr_s3_client *s3 = NULL;
  ck_assert_int_eq(lr_s3_client_create(&s3, &cfg, err), LR_AWS_OK);
  lr_aws_status st = lr_s3_put_object(s3, put, lr_clock_epoch_ms() + 20000, etag, err);
  lr_s3_client_free(s3);
  mock_stop(m);
  return st;
}

static lr_s3_put gz_put(void) {
  lr_s3_put p = {.bucket = BUCKET, .key = KEY, .body = GZ, .body_len = sizeof GZ,
                 .content_type = "application/x-ndjson", .content_encoding = "gzip"};
  return p;
}

START_TEST(sends_exact_request) {
  mock_server m;
  lr_s3_put p = gz_put();
  char etag[LR_S3_ETAG_LEN], err[LR_AWS_ERR_LEN] = "", v[4096], hash[LR_SIGV4_HEX_LEN + 1];
  ck_assert_msg(put_with(&m, &OK, 1, 1, 1, &p, etag, err) == LR_AWS_OK, "%s", err);
  ck_assert_str_eq(etag, "\"9b2cf535f27731c974343645a3985328\"");
  ck_assert_str_eq(mock_request_line(&m, 0, v, sizeof v), "PUT /" BUCKET "/" WIRE_KEY);
  ck_assert_str_eq(mock_header(&m, 0, "Content-Type", v, sizeof v), "application/x-ndjson");
  ck_assert_str_eq(mock_header(&m, 0, "Content-Encoding", v, sizeof v), "gzip");
  ck_assert_str_eq(mock_header(&m, 0, "Content-Length", v, sizeof v), "13");
  lr_sigv4_sha256_hex(GZ, sizeof GZ, hash);
  ck_assert_str_eq(mock_header(&m, 0, "x-amz-content-sha256", v, sizeof v), hash);
  ck_assert_str_eq(mock_header(&m, 0, "X-Amz-Security-Token", v, sizeof v), TEST_TOKEN);
  ck_assert_ptr_null(mock_header(&m, 0, "Expect", v, sizeof v));
  mock_header(&m, 0, "Authorization", v, sizeof v);
  ck_assert_ptr_nonnull(strstr(v, "/us-east-1/s3/aws4_request, SignedHeaders=content-encoding;content-type;host;"
                                  "x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature="));
  ck_assert_uint_eq(m.reqs[0].body_len, sizeof GZ);
  ck_assert_mem_eq(m.reqs[0].body, GZ, sizeof GZ);
  lr_aws_credentials c = test_creds(1);
  expect_valid_signature(&m, 0, &c, "s3", LR_SIGV4_PATH_AS_IS);
  mock_free(&m);
}
END_TEST

START_TEST(defaults_and_empty_body) {
  mock_server m;
  lr_s3_put p = {.bucket = BUCKET, .key = "a//b/./c", .body = NULL, .body_len = 0};
  char etag[LR_S3_ETAG_LEN], err[LR_AWS_ERR_LEN] = "", v[4096];
  ck_assert_msg(put_with(&m, &OK, 1, 1, 0, &p, etag, err) == LR_AWS_OK, "%s", err);
  /* S3 keys are not normalised: the slashes and the dot stay. */
  ck_assert_str_eq(mock_request_line(&m, 0, v, sizeof v), "PUT /" BUCKET "/a//b/./c");
  ck_assert_str_eq(mock_header(&m, 0, "Content-Type", v, sizeof v), "application/octet-stream");
  ck_assert_ptr_null(mock_header(&m, 0, "Content-Encoding", v, sizeof v));
  ck_assert_str_eq(mock_header(&m, 0, "x-amz-content-sha256", v, sizeof v), LR_SIGV4_EMPTY_SHA256);
  lr_aws_credentials c = test_creds(0);
  expect_valid_signature(&m, 0, &c, "s3", LR_SIGV4_PATH_AS_IS);
  mock_free(&m);
}
END_TEST

START_TEST(retries_slowdown_5xx_and_drops) {
  const mock_action acts[] = {
      {MOCK_REPLY, 503, NULL, "<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>", 0},
      {MOCK_DROP, 0, NULL, NULL, 0},
      {MOCK_REPLY, 500, NULL, "<Error><Code>InternalError</Code></Error>", 0},
      OK};
  mock_server m;
  lr_s3_put p = gz_put();
  char etag[LR_S3_ETAG_LEN], err[LR_AWS_ERR_LEN] = "";
  ck_assert_msg(put_with(&m, acts, 4, 4, 1, &p, etag, err) == LR_AWS_OK, "%s", err);
  ck_assert_uint_eq(m.n_reqs, 4);
  for (size_t i = 0; i < 4; i++) ck_assert_mem_eq(m.reqs[i].body, GZ, sizeof GZ);
  mock_free(&m);
}
END_TEST

START_TEST(throttled_to_the_end) {
  const mock_action t = {MOCK_REPLY, 503, NULL, "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>", 0};
  const mock_action acts[] = {t, t};
  mock_server m;
  lr_s3_put p = gz_put();
  char etag[LR_S3_ETAG_LEN], err[LR_AWS_ERR_LEN] = "";
  ck_assert_int_eq(put_with(&m, acts, 2, 2, 1, &p, etag, err), LR_AWS_THROTTLED);
  ck_assert_str_eq(err, "S3 answered 503 SlowDown: Please reduce your request rate. (2 attempts)");
  mock_free(&m);
}
END_TEST

START_TEST(access_denied_not_retried) {
  const mock_action acts[] = {
      {MOCK_REPLY, 403, NULL, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>X</RequestId></Error>", 0},
      OK};
  mock_server m;
  lr_s3_put p = gz_put();
  char etag[LR_S3_ETAG_LEN], err[LR_AWS_ERR_LEN] = "";
  ck_assert_int_eq(put_with(&m, acts, 2, 4, 1, &p, etag, err), LR_AWS_HTTP_STATUS);
  ck_assert_uint_eq(m.n_reqs, 1);
  ck_assert_str_eq(err, "S3 answered 403 AccessDenied: Access Denied");
  ck_assert_str_eq(etag, "");
  mock_free(&m);
}
END_TEST

START_TEST(hostile_answers) {
  static char longxml[200 * 1024];
  memset(longxml, '<', sizeof longxml);
  const mock_action acts[] = {
      {MOCK_REPLY, 200, NULL, NULL, 0},                                       /* no ETag */
      {MOCK_REPLY, 400, NULL, "<Error><Code>\x01\x02Evil\r\nX</Code><Message>unterminated", 0},
      {MOCK_REPLY, 400, NULL, "<Error><Code></Code></Error>", 0},
      {MOCK_REPLY, 400, NULL, longxml, sizeof longxml},
      {MOCK_REPLY, 200, "ETag: \"\x01\x7f\xff\"\r\n", NULL, 0},
  };
  const lr_aws_status want[] = {LR_AWS_BAD_RESPONSE, LR_AWS_HTTP_STATUS, LR_AWS_HTTP_STATUS, LR_AWS_BAD_RESPONSE,
                                LR_AWS_OK};
  for (size_t i = 0; i < 5; i++) {
    mock_server m;
    lr_s3_put p = gz_put();
    char etag[LR_S3_ETAG_LEN] = "", err[LR_AWS_ERR_LEN] = "";
    ck_assert_msg(put_with(&m, &acts[i], 1, 3, 0, &p, etag, err) == want[i], "case %zu: %s", i, err);
    ck_assert_uint_eq(m.n_reqs, 1);
    aws_test_expect_printable(err, "error message");
    aws_test_expect_printable(etag, "ETag");
    mock_free(&m);
  }
}
END_TEST

START_TEST(refuses_bad_input_without_sending) {
  mock_server m;
  mock_start(&m, &OK, 1);
  lr_aws_credentials c = test_creds(0);
  lr_aws_client_config cfg = test_config(&c, m.port, 1);
  lr_s3_client *s3 = NULL;
  char etag[LR_S3_ETAG_LEN], err[LR_AWS_ERR_LEN];
  ck_assert_int_eq(lr_s3_client_create(&s3, &cfg, err), LR_AWS_OK);
  int64_t dl = lr_clock_epoch_ms() + 10000;
  char longkey[LR_S3_MAX_KEY + 2];
  memset(longkey, 'k', sizeof longkey - 1);
  longkey[sizeof longkey - 1] = '\0';
  const lr_s3_put bad[] = {
      {.bucket = "ab", .key = "k"},
      {.bucket = "Upper-Case", .key = "k"},
      {.bucket = "-bucket", .key = "k"},
      {.bucket = "bucket_x", .key = "k"},
      {.bucket = NULL, .key = "k"},
      {.bucket = BUCKET, .key = ""},
      {.bucket = BUCKET, .key = NULL},
      {.bucket = BUCKET, .key = "a\nb"},
      {.bucket = BUCKET, .key = longkey},
      {.bucket = BUCKET, .key = "k", .body = NULL, .body_len = 3},
      {.bucket = BUCKET, .key = "k", .content_type = "text/plain\r\nX-Evil: 1"},
      {.bucket = BUCKET, .key = "k", .content_encoding = "gzip\n"},
      {.bucket = BUCKET, .key = "k", .body = GZ, .body_len = LR_S3_MAX_PUT_BYTES + 1},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(lr_s3_put_object(s3, &bad[i], dl, etag, err) == LR_AWS_BAD_ARGUMENT, "case %zu", i);
  ck_assert_int_eq(lr_s3_put_object(s3, NULL, dl, etag, err), LR_AWS_BAD_ARGUMENT);
  lr_s3_client_free(s3);
  mock_stop(&m);
  ck_assert_uint_eq(m.n_reqs, 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("s3 client");
  TCase *t = tcase_create("mock server");
  tcase_set_timeout(t, 60);
  tcase_add_test(t, sends_exact_request);
  tcase_add_test(t, defaults_and_empty_body);
  tcase_add_test(t, retries_slowdown_5xx_and_drops);
  tcase_add_test(t, throttled_to_the_end);
  tcase_add_test(t, access_denied_not_retried);
  tcase_add_test(t, hostile_answers);
  tcase_add_test(t, refuses_bad_input_without_sending);
  suite_add_tcase(s, t);
  return aws_test_run_suite(s);
}
