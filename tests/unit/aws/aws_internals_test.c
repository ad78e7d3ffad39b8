/* runtime/aws internals: endpoint resolution (override, AWS_ENDPOINT_URL_*,
 * regional) and parsing, and the error-body parsers on hostile input. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_endpoint.h"
#include "aws_error_body.h"
#include "s3_internal.h"
#include "test_common.h"

START_TEST(endpoint_precedence) {
  lr_aws_endpoint ep;
  char a[300];
  unsetenv("AWS_ENDPOINT_URL_SQS");
  unsetenv("AWS_ENDPOINT_URL");
  ck_assert_int_eq(lr_aws__endpoint_resolve(&ep, "SQS", "sqs", "eu-west-1", NULL, NULL), LR_AWS_OK);
  ck_assert(ep.https && !ep.overridden && ep.port == 0 && ep.base_path[0] == '\0');
  ck_assert_str_eq(lr_aws__endpoint_authority(&ep, a, sizeof a), "sqs.eu-west-1.amazonaws.com");
  setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566", 1);
  ck_assert_int_eq(lr_aws__endpoint_resolve(&ep, "SQS", "sqs", "eu-west-1", NULL, NULL), LR_AWS_OK);
  ck_assert(!ep.https && ep.overridden);
  ck_assert_str_eq(lr_aws__endpoint_authority(&ep, a, sizeof a), "127.0.0.1:4566");
  setenv("AWS_ENDPOINT_URL_SQS", "https://sqs.local:9443/base/", 1);
  ck_assert_int_eq(lr_aws__endpoint_resolve(&ep, "SQS", "sqs", "eu-west-1", NULL, NULL), LR_AWS_OK);
  ck_assert_str_eq(lr_aws__endpoint_authority(&ep, a, sizeof a), "sqs.local:9443");
  ck_assert_str_eq(ep.base_path, "/base");
  ck_assert_int_eq(lr_aws__endpoint_resolve(&ep, "SQS", "sqs", "eu-west-1", "http://[::1]:8080", NULL), LR_AWS_OK);
  ck_assert_str_eq(lr_aws__endpoint_authority(&ep, a, sizeof a), "[::1]:8080");
  /* The S3 variable does not apply to SQS and the other way round. */
  unsetenv("AWS_ENDPOINT_URL_SQS");
  setenv("AWS_ENDPOINT_URL_S3", "http://s3.local:1", 1);
  ck_assert_int_eq(lr_aws__endpoint_resolve(&ep, "SQS", "sqs", "eu-west-1", NULL, NULL), LR_AWS_OK);
  ck_assert_str_eq(lr_aws__endpoint_authority(&ep, a, sizeof a), "127.0.0.1:4566");
  unsetenv("AWS_ENDPOINT_URL");
  unsetenv("AWS_ENDPOINT_URL_S3");
  ck_assert_int_eq(lr_aws__endpoint_resolve(&ep, "S3", "s3", "", NULL, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_aws__endpoint_resolve(&ep, "S3", "s3", NULL, NULL, NULL), LR_AWS_BAD_ARGUMENT);
}
END_TEST

START_TEST(endpoint_parse_refuses) {
  const char *bad[] = {"", "127.0.0.1:4566", "ftp://h", "http://", "http://:80", "http://h:0", "http://h:65536",
                       "http://h:8x", "http://user:pw@h", "http://h/?q", "http://h/#f", "http://h h",
                       "http://h/a b", "http://[::1", "http://[zz]:1", "http://h:80:80", "http://h\r\n:80"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    lr_aws_endpoint ep;
    char err[LR_AWS_ERR_LEN] = "";
    ck_assert_msg(lr_aws__endpoint_parse(&ep, bad[i], err) == LR_AWS_BAD_ARGUMENT, "'%s' accepted", bad[i]);
    ck_assert(err[0] != '\0');
  }
  char longurl[LR_AWS_MAX_ENDPOINT + 20] = "http://h/";
  memset(longurl + 9, 'a', sizeof longurl - 10);
  longurl[sizeof longurl - 1] = '\0';
  lr_aws_endpoint ep;
  ck_assert_int_eq(lr_aws__endpoint_parse(&ep, longurl, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_aws__endpoint_parse(&ep, NULL, NULL), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_aws__endpoint_parse(&ep, "HTTPS://Example.COM", NULL), LR_AWS_OK);
  ck_assert(ep.https);
}
END_TEST

START_TEST(json_errors) {
  lr_aws_error_body e;
  const char *ok = "{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"The specified queue does not exist.\"}";
  lr_aws__error_from_json(ok, strlen(ok), &e);
  ck_assert_str_eq(e.code, "QueueDoesNotExist");
  ck_assert_str_eq(e.message, "The specified queue does not exist.");
  const char *rest = "{\"code\":\"ThrottlingException:http://internal.amazon.com/\",\"Message\":\"Rate\"}";
  lr_aws__error_from_json(rest, strlen(rest), &e);
  ck_assert_str_eq(e.code, "ThrottlingException");
  ck_assert_str_eq(e.message, "Rate");
  const char *hostile[] = {"", "{", "[]", "null", "{\"__type\":5,\"message\":[]}", "{\"__type\":\"a\"",
                           "\xff\xfe\x00", "{\"message\":\"\\u0007bell\\u001b[2J\"}"};
  for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
    lr_aws__error_from_json(hostile[i], strlen(hostile[i]) + (i == 6 ? 1 : 0), &e);
    aws_test_expect_printable(e.code, "code");
    aws_test_expect_printable(e.message, "message");
  }
  ck_assert_str_eq(e.message, "?bell?[2J");
  static char huge[64 * 1024];
  memset(huge, ' ', sizeof huge);
  memcpy(huge, "{\"__type\":\"X\"}", 14);
  lr_aws__error_from_json(huge, sizeof huge, &e);
  ck_assert_str_eq(e.code, ""); /* too long to be an AWS error: not parsed */
  char longmsg[1000];
  int n = snprintf(longmsg, sizeof longmsg, "{\"message\":\"%0900d\"}", 7);
  lr_aws__error_from_json(longmsg, (size_t)n, &e);
  ck_assert_uint_eq(strlen(e.message), LR_AWS_ERROR_MSG_LEN - 1);
  lr_aws__error_from_json(NULL, 5, &e);
  ck_assert_str_eq(e.code, "");
}
END_TEST

START_TEST(xml_errors) {
  lr_aws_error_body e;
  const char *ok = "<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>";
  lr_aws__error_from_xml(ok, strlen(ok), &e);
  ck_assert_str_eq(e.code, "NoSuchBucket");
  ck_assert_str_eq(e.message, "The specified bucket does not exist");
  const char *hostile[] = {"", "<Code>", "<Code>unterminated", "</Code><Code>", "<Code>\x01\n</Code>", "<<<<>>>>"};
  for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
    lr_aws__error_from_xml(hostile[i], strlen(hostile[i]), &e);
    aws_test_expect_printable(e.code, "code");
  }
  ck_assert_str_eq(e.code, "");
  lr_aws__error_from_xml("<Code>\x01\n</Code>", 15, &e);
  ck_assert_str_eq(e.code, "??");
  /* Not NUL-terminated: the parser stays within the length. */
  char cut[] = {'<', 'C', 'o', 'd', 'e', '>', 'A', 'B'};
  lr_aws__error_from_xml(cut, sizeof cut, &e);
  ck_assert_str_eq(e.code, "");
}
END_TEST

START_TEST(classification) {
  ck_assert(lr_aws__is_throttle_code("SlowDown"));
  ck_assert(lr_aws__is_throttle_code("ThrottlingException"));
  ck_assert(lr_aws__is_throttle_code("RequestThrottled"));
  ck_assert(!lr_aws__is_throttle_code("AccessDenied"));
  ck_assert(!lr_aws__is_throttle_code(""));
  ck_assert(!lr_aws__is_throttle_code(NULL));
  ck_assert(lr_aws__is_transient_code("RequestTimeout"));
  ck_assert(!lr_aws__is_transient_code("NoSuchBucket"));
}
END_TEST


static void expect_location(const lr_aws_endpoint *ep, const char *bucket, const char *key, const char *authority,
                            const char *path) {
  char a[400];
  lr_buf p;
  lr_buf_init(&p, 8192);
  ck_assert_int_eq(lr_s3__location(ep, bucket, key, a, sizeof a, &p), LR_AWS_OK);
  ck_assert_str_eq(a, authority);
  ck_assert_str_eq(lr_buf_str(&p), path);
  lr_buf_free(&p);
}

START_TEST(s3_locations) {
  lr_aws_endpoint ep;
  unsetenv("AWS_ENDPOINT_URL_S3");
  unsetenv("AWS_ENDPOINT_URL");
  ck_assert_int_eq(lr_aws__endpoint_resolve(&ep, "S3", "s3", "eu-west-1", NULL, NULL), LR_AWS_OK);
  expect_location(&ep, "orders-archive", "archive/2026/a b+c.gz", "orders-archive.s3.eu-west-1.amazonaws.com",
                  "/archive/2026/a%20b%2Bc.gz");
  expect_location(&ep, "my.dotted.bucket", "k", "s3.eu-west-1.amazonaws.com", "/my.dotted.bucket/k");
  ck_assert_int_eq(lr_aws__endpoint_parse(&ep, "http://127.0.0.1:4566/prefix/", NULL), LR_AWS_OK);
  expect_location(&ep, "orders-archive", "a/b", "127.0.0.1:4566", "/prefix/orders-archive/a/b");
  char tiny[8];
  lr_buf p;
  lr_buf_init(&p, 64);
  ck_assert_int_eq(lr_s3__location(&ep, "orders-archive", "k", tiny, sizeof tiny, &p), LR_AWS_BAD_ARGUMENT);
  lr_buf_free(&p);
}
END_TEST

int main(void) {
  Suite *s = suite_create("aws internals");
  TCase *t = tcase_create("endpoints and errors");
  tcase_add_test(t, endpoint_precedence);
  tcase_add_test(t, endpoint_parse_refuses);
  tcase_add_test(t, json_errors);
  tcase_add_test(t, xml_errors);
  tcase_add_test(t, classification);
  tcase_add_test(t, s3_locations);
  suite_add_tcase(s, t);
  return aws_test_run_suite(s);
}
