/* The SQS client against a mock server that asserts the exact request and
 * scripts failures (5xx, throttling, dropped connections, hostile answers). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_test_util.h"
#include "lr/sqs.h"
#include "test_common.h"
#include "lr/clock.h"

#define QUEUE "https://sqs.us-east-1.amazonaws.com/123456789012/orders"
#define BODY "{\"type\":\"order.created\",\"order_id\":\"0b9f\",\"occurred_at\":\"2026-11-23T10:00:00Z\"}"
#define TRACE "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
#define OK_ANSWER "{\"MD5OfMessageBody\":\"x\",\"MessageId\":\"219f8380-5770-4cc2-8c3e-5c715e145f5e\"}"

static const mock_action OK = {MOCK_REPLY, 200, NULL, OK_ANSWER, 0};

static lr_aws_status send_with(mock_server *m, const mock_action *acts, size_t n, int attempts, int with_token,
                               const char *trace, char *id, char *err) {
  mock_start(m, acts, n);
  lr_aws_credentials c = test_creds(with_token);
  lr_aws_client_config cfg = test_config(&c, m->port, attempts);
  lr_sqs_client *sqs = NULL;
  ck_assert_int_eq(lr_sqs_client_create(&sqs, &cfg, err), LR_AWS_OK);
  lr_aws_status st = lr_sqs_send_message(sqs, QUEUE, BODY, strlen(BODY), trace, lr_clock_epoch_ms() + 20000, id, err);
  lr_sqs_client_free(sqs);
  mock_stop(m);
  return st;
}

START_TEST(sends_exact_request) {
  mock_server m;
  char id[LR_SQS_MESSAGE_ID_LEN], err[LR_AWS_ERR_LEN] = "", v[4096];
  ck_assert_msg(send_with(&m, &OK, 1, 1, 1, TRACE, id, err) == LR_AWS_OK, "%s", err);
  ck_assert_str_eq(id, "219f8380-5770-4cc2-8c3e-5c715e145f5e");
  ck_assert_uint_eq(m.n_reqs, 1);
  ck_assert_str_eq(mock_request_line(&m, 0, v, sizeof v), "POST /");
  char host[64];
  snprintf(host, sizeof host, "127.0.0.1:%d", m.port);
  ck_assert_str_eq(mock_header(&m, 0, "Host", v, sizeof v), host);
  ck_assert_str_eq(mock_header(&m, 0, "Content-Type", v, sizeof v), "application/x-amz-json-1.0");
  ck_assert_str_eq(mock_header(&m, 0, "X-Amz-Target", v, sizeof v), "AmazonSQS.SendMessage");
  ck_assert_str_eq(mock_header(&m, 0, "X-Amz-Security-Token", v, sizeof v), TEST_TOKEN);
  ck_assert_ptr_null(mock_header(&m, 0, "Expect", v, sizeof v));
  mock_header(&m, 0, "Authorization", v, sizeof v);
  ck_assert_msg(strncmp(v, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 40) == 0, "%s", v);
  ck_assert_ptr_nonnull(strstr(v, "/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature="));
  ck_assert_uint_eq(strlen(strstr(v, "Signature=") + 10), 64);
  ck_assert_str_eq(m.reqs[0].body,
                   "{\"QueueUrl\":\"" QUEUE "\",\"MessageBody\":\"{\\\"type\\\":\\\"order.created\\\",\\\"order_id\\\":\\\"0b9f\\\","
                   "\\\"occurred_at\\\":\\\"2026-11-23T10:00:00Z\\\"}\",\"MessageSystemAttributes\":{\"AWSTraceHeader\":"
                   "{\"DataType\":\"String\",\"StringValue\":\"" TRACE "\"}}}");
  lr_aws_credentials c = test_creds(1);
  expect_valid_signature(&m, 0, &c, "sqs", LR_SIGV4_PATH_NORMALIZE_ENCODE);
  mock_free(&m);
}
END_TEST

START_TEST(no_token_no_trace) {
  mock_server m;
  char id[LR_SQS_MESSAGE_ID_LEN], err[LR_AWS_ERR_LEN] = "", v[4096];
  ck_assert_msg(send_with(&m, &OK, 1, 1, 0, "", id, err) == LR_AWS_OK, "%s", err);
  ck_assert_ptr_null(mock_header(&m, 0, "X-Amz-Security-Token", v, sizeof v));
  ck_assert_ptr_null(strstr(m.reqs[0].body, "MessageSystemAttributes"));
  mock_header(&m, 0, "Authorization", v, sizeof v);
  ck_assert_ptr_nonnull(strstr(v, "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "));
  lr_aws_credentials c = test_creds(0);
  expect_valid_signature(&m, 0, &c, "sqs", LR_SIGV4_PATH_NORMALIZE_ENCODE);
  mock_free(&m);
}
END_TEST

START_TEST(retries_5xx_throttling_and_drops) {
  const mock_action acts[] = {
      {MOCK_REPLY, 500, NULL, "{\"__type\":\"com.amazonaws.sqs#InternalError\"}", 0},
      {MOCK_REPLY, 400, NULL, "{\"__type\":\"com.amazonaws.sqs#ThrottlingException\",\"message\":\"Rate exceeded\"}", 0},
      {MOCK_DROP, 0, NULL, NULL, 0},
      OK,
  };
  mock_server m;
  char id[LR_SQS_MESSAGE_ID_LEN], err[LR_AWS_ERR_LEN] = "";
  ck_assert_msg(send_with(&m, acts, 4, 4, 1, TRACE, id, err) == LR_AWS_OK, "%s", err);
  ck_assert_uint_eq(m.n_reqs, 4);
  for (size_t i = 1; i < 4; i++) ck_assert_str_eq(m.reqs[i].body, m.reqs[0].body);
  lr_aws_credentials c = test_creds(1);
  expect_valid_signature(&m, 3, &c, "sqs", LR_SIGV4_PATH_NORMALIZE_ENCODE);
  mock_free(&m);
}
END_TEST

START_TEST(gives_up_when_throttled) {
  const mock_action t = {MOCK_REPLY, 400, NULL, "{\"__type\":\"com.amazonaws.sqs#RequestThrottled\",\"message\":\"slow down\"}", 0};
  const mock_action acts[] = {t, t, t, OK};
  mock_server m;
  char id[LR_SQS_MESSAGE_ID_LEN], err[LR_AWS_ERR_LEN] = "";
  ck_assert_int_eq(send_with(&m, acts, 4, 3, 1, NULL, id, err), LR_AWS_THROTTLED);
  ck_assert_uint_eq(m.n_reqs, 3);
  ck_assert_str_eq(err, "SQS answered 400 RequestThrottled: slow down (3 attempts)");
  ck_assert_str_eq(id, "");
  mock_free(&m);
}
END_TEST

START_TEST(client_error_not_retried) {
  const mock_action acts[] = {
      {MOCK_REPLY, 400, NULL, "{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"The specified queue does not exist.\"}", 0},
      OK};
  mock_server m;
  char id[LR_SQS_MESSAGE_ID_LEN], err[LR_AWS_ERR_LEN] = "";
  ck_assert_int_eq(send_with(&m, acts, 2, 4, 1, NULL, id, err), LR_AWS_HTTP_STATUS);
  ck_assert_uint_eq(m.n_reqs, 1);
  ck_assert_str_eq(err, "SQS answered 400 QueueDoesNotExist: The specified queue does not exist.");
  mock_free(&m);
}
END_TEST

START_TEST(dropped_every_time) {
  const mock_action d = {MOCK_DROP, 0, NULL, NULL, 0};
  const mock_action acts[] = {d, d};
  mock_server m;
  char id[LR_SQS_MESSAGE_ID_LEN], err[LR_AWS_ERR_LEN] = "";
  ck_assert_int_eq(send_with(&m, acts, 2, 2, 1, NULL, id, err), LR_AWS_TRANSPORT);
  ck_assert_uint_eq(m.n_reqs, 2);
  ck_assert_msg(strncmp(err, "SQS request failed: ", 20) == 0, "%s", err);
  mock_free(&m);
}
END_TEST

START_TEST(hostile_answers) {
  static char big[100 * 1024];
  memset(big, 'x', sizeof big);
  const mock_action acts[] = {
      {MOCK_REPLY, 200, NULL, big, sizeof big},
      {MOCK_REPLY, 200, NULL, "not json", 0},
      {MOCK_REPLY, 200, NULL, "{\"MessageId\":5}", 0},
      {MOCK_REPLY, 200, NULL, "{\"MessageId\":\"a\\nb\"}", 0},
      {MOCK_REPLY, 403, NULL, "{\"__type\":\"\x01\xff\x7f" "AccessDenied\",\"message\":\"\x1b[31mred\\u0000\"}", 0},
      {MOCK_REPLY, 400, NULL, "\x00\x01\x02garbage", 10},
  };
  const lr_aws_status want[] = {LR_AWS_BAD_RESPONSE, LR_AWS_BAD_RESPONSE, LR_AWS_BAD_RESPONSE,
                                LR_AWS_BAD_RESPONSE, LR_AWS_HTTP_STATUS, LR_AWS_HTTP_STATUS};
  for (size_t i = 0; i < 6; i++) {
    mock_server m;
    char id[LR_SQS_MESSAGE_ID_LEN], err[LR_AWS_ERR_LEN] = "";
    ck_assert_msg(send_with(&m, &acts[i], 1, 3, 1, NULL, id, err) == want[i], "case %zu: %s", i, err);
    ck_assert_uint_eq(m.n_reqs, 1); /* none of these is worth a retry */
    aws_test_expect_printable(err, "error message");
    mock_free(&m);
  }
}
END_TEST

START_TEST(refuses_bad_input_without_sending) {
  mock_server m;
  mock_start(&m, &OK, 1);
  lr_aws_credentials c = test_creds(1);
  lr_aws_client_config cfg = test_config(&c, m.port, 1);
  lr_sqs_client *sqs = NULL;
  char id[LR_SQS_MESSAGE_ID_LEN], err[LR_AWS_ERR_LEN];
  ck_assert_int_eq(lr_sqs_client_create(&sqs, &cfg, err), LR_AWS_OK);
  int64_t dl = lr_clock_epoch_ms() + 10000;
  static char huge[LR_SQS_MAX_BODY + 1];
  memset(huge, 'a', sizeof huge);
  ck_assert_int_eq(lr_sqs_send_message(sqs, QUEUE, "", 0, NULL, dl, id, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sqs_send_message(sqs, QUEUE, huge, sizeof huge, NULL, dl, id, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sqs_send_message(sqs, QUEUE, "a\0b", 3, NULL, dl, id, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sqs_send_message(sqs, QUEUE, "\xc3\x28", 2, NULL, dl, id, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sqs_send_message(sqs, QUEUE, "\xe0\x80\xaf", 3, NULL, dl, id, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sqs_send_message(sqs, QUEUE, "\xed\xa0\x80", 3, NULL, dl, id, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sqs_send_message(sqs, QUEUE, "\x01", 1, NULL, dl, id, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sqs_send_message(sqs, "ftp://x/q", "a", 1, NULL, dl, id, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sqs_send_message(sqs, QUEUE "\r\nX: y", "a", 1, NULL, dl, id, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sqs_send_message(sqs, NULL, "a", 1, NULL, dl, id, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sqs_send_message(sqs, QUEUE, "a", 1, "Root=1\r\nX-Evil: 1", dl, id, err), LR_AWS_BAD_ARGUMENT);
  /* The deadline has passed: nothing is sent. */
  ck_assert_int_eq(lr_sqs_send_message(sqs, QUEUE, "a", 1, NULL, lr_clock_epoch_ms() - 1, id, err), LR_AWS_TRANSPORT);
  ck_assert_ptr_nonnull(strstr(err, "deadline"));
  lr_sqs_client_free(sqs);
  mock_stop(&m);
  ck_assert_uint_eq(m.n_reqs, 0);
  mock_free(&m);
}
END_TEST

START_TEST(accepts_unicode_text) {
  const char *body = "caf\xc3\xa9 \xe1\x88\xb4 \xf0\x9f\x93\xa6 \t\r\n";
  mock_server m;
  mock_start(&m, &OK, 1);
  lr_aws_credentials c = test_creds(0);
  lr_aws_client_config cfg = test_config(&c, m.port, 1);
  lr_sqs_client *sqs = NULL;
  char id[LR_SQS_MESSAGE_ID_LEN], err[LR_AWS_ERR_LEN] = "";
  ck_assert_int_eq(lr_sqs_client_create(&sqs, &cfg, err), LR_AWS_OK);
  ck_assert_msg(lr_sqs_send_message(sqs, QUEUE, body, strlen(body), NULL, lr_clock_epoch_ms() + 10000, id, err) == LR_AWS_OK, "%s", err);
  lr_sqs_client_free(sqs);
  mock_stop(&m);
  ck_assert_ptr_nonnull(strstr(m.reqs[0].body, "\"MessageBody\":\"caf\xc3\xa9 \xe1\x88\xb4 \xf0\x9f\x93\xa6 \\t\\r\\n\""));
  mock_free(&m);
}
END_TEST

START_TEST(refused_connection) {
  /* A port nobody listens on: bind, note, close. */
  mock_server m;
  mock_start(&m, &OK, 1);
  int port = m.port;
  mock_stop(&m);
  lr_aws_credentials c = test_creds(0);
  lr_aws_client_config cfg = test_config(&c, port, 2);
  lr_sqs_client *sqs = NULL;
  char id[LR_SQS_MESSAGE_ID_LEN], err[LR_AWS_ERR_LEN] = "";
  ck_assert_int_eq(lr_sqs_client_create(&sqs, &cfg, err), LR_AWS_OK);
  ck_assert_int_eq(lr_sqs_send_message(sqs, QUEUE, "a", 1, NULL, lr_clock_epoch_ms() + 10000, id, err), LR_AWS_TRANSPORT);
  lr_sqs_client_free(sqs);
  mock_free(&m);
}
END_TEST

START_TEST(create_refuses_bad_config) {
  lr_aws_credentials c = test_creds(0);
  lr_aws_client_config cfg = {.region = "us-east-1", .credentials = &c, .endpoint = "ftp://127.0.0.1:1"};
  lr_sqs_client *sqs = (lr_sqs_client *)&cfg; /* must be reset to NULL */
  char err[LR_AWS_ERR_LEN];
  ck_assert_int_eq(lr_sqs_client_create(&sqs, &cfg, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_ptr_null(sqs);
  cfg.endpoint = NULL;
  cfg.region = NULL;
  ck_assert_int_eq(lr_sqs_client_create(&sqs, &cfg, err), LR_AWS_BAD_ARGUMENT);
  lr_aws_credentials none = {"", "", ""};
  cfg.region = "us-east-1";
  cfg.credentials = &none;
  ck_assert_int_eq(lr_sqs_client_create(&sqs, &cfg, err), LR_AWS_NO_CREDENTIALS);
  lr_sqs_client_free(NULL);
}
END_TEST


/* A server that never answers costs one attempt's timeout, then is retried;
 * an answer cut short (fewer bytes than its Content-Length) is retried too. */
START_TEST(slow_and_truncated_answers_retried) {
  const mock_action acts[] = {{MOCK_HANG, 0, NULL, NULL, 0}, {MOCK_SHORT, 200, NULL, OK_ANSWER, 0}, OK};
  mock_server m;
  mock_start(&m, acts, 3);
  lr_aws_credentials c = test_creds(0);
  lr_aws_client_config cfg = test_config(&c, m.port, 3);
  cfg.attempt_timeout_ms = 300;
  lr_sqs_client *sqs = NULL;
  char id[LR_SQS_MESSAGE_ID_LEN], err[LR_AWS_ERR_LEN] = "";
  ck_assert_int_eq(lr_sqs_client_create(&sqs, &cfg, err), LR_AWS_OK);
  ck_assert_msg(lr_sqs_send_message(sqs, QUEUE, "a", 1, NULL, lr_clock_epoch_ms() + 20000, id, err) == LR_AWS_OK, "%s", err);
  lr_sqs_client_free(sqs);
  mock_stop(&m);
  ck_assert_uint_eq(m.n_reqs, 3);
  mock_free(&m);
}
END_TEST

int main(void) {
  Suite *s = suite_create("sqs client");
  TCase *t = tcase_create("mock server");
  tcase_set_timeout(t, 60);
  tcase_add_test(t, sends_exact_request);
  tcase_add_test(t, no_token_no_trace);
  tcase_add_test(t, retries_5xx_throttling_and_drops);
  tcase_add_test(t, gives_up_when_throttled);
  tcase_add_test(t, client_error_not_retried);
  tcase_add_test(t, dropped_every_time);
  tcase_add_test(t, hostile_answers);
  tcase_add_test(t, refuses_bad_input_without_sending);
  tcase_add_test(t, accepts_unicode_text);
  tcase_add_test(t, refused_connection);
  tcase_add_test(t, slow_and_truncated_answers_retried);
  tcase_add_test(t, create_refuses_bad_config);
  suite_add_tcase(s, t);
  return aws_test_run_suite(s);
}
