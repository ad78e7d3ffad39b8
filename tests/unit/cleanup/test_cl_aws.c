/* What the cleanup asks of AWS, on the wire (against the in-test mock server):
 * PutObject's checksum and SSE-KMS headers, SendMessageBatch's request and
 * its argument limits. */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lr/clock.h"
#include "lr/s3.h"
#include "lr/sqs.h"
#include "mock_http.h"

static const lr_aws_credentials creds = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};

static lr_aws_client_config cfg_for(const mock_server *m, char *ep, size_t cap) {
  snprintf(ep, cap, "http://127.0.0.1:%d", m->port);
  return (lr_aws_client_config){.region = "eu-west-1", .credentials = &creds, .endpoint = ep, .max_attempts = 1};
}

START_TEST(put_sends_checksum_and_sse_kms) {
  mock_action act[] = {{MOCK_REPLY, 200, "ETag: \"abc\"\r\n", "", 0}};
  mock_server m;
  mock_start(&m, act, 1);
  char ep[64], etag[LR_S3_ETAG_LEN], err[LR_AWS_ERR_LEN] = "", v[256];
  lr_aws_client_config cfg = cfg_for(&m, ep, sizeof ep);
  lr_s3_client *s3 = NULL;
  ck_assert_int_eq(lr_s3_client_create(&s3, &cfg, err), LR_AWS_OK);
  const char body[] = "hello archive\n";
  lr_s3_put p = {.bucket = "orders-archive", .key = "orders/dt=2026-01-01/a_b.jsonl.gz", .body = body,
                 .body_len = sizeof body - 1, .content_type = "application/gzip",
                 .checksum = LR_S3_CHECKSUM_SHA256, .sse = LR_S3_SSE_KMS, .kms_key_id = "alias/orders-archive"};
  ck_assert_msg(lr_s3_put_object(s3, &p, lr_clock_epoch_ms() + 5000, etag, err) == LR_AWS_OK, "%s", err);
  mock_stop(&m);
  unsigned char sha[SHA256_DIGEST_LENGTH];
  SHA256((const unsigned char *)body, sizeof body - 1, sha);
  char b64[64];
  EVP_EncodeBlock((unsigned char *)b64, sha, sizeof sha);
  ck_assert_str_eq(mock_header(&m, 0, "x-amz-checksum-sha256", v, sizeof v), b64);
  ck_assert_str_eq(mock_header(&m, 0, "x-amz-server-side-encryption", v, sizeof v), "aws:kms");
  ck_assert_str_eq(mock_header(&m, 0, "x-amz-server-side-encryption-aws-kms-key-id", v, sizeof v), "alias/orders-archive");
  /* the new headers are signed too */
  const char *auth = mock_header(&m, 0, "Authorization", v, sizeof v);
  ck_assert_ptr_nonnull(strstr(auth, "x-amz-checksum-sha256;x-amz-content-sha256;x-amz-date;x-amz-server-side-encryption;"));
  mock_free(&m);
  lr_s3_client_free(s3);
}
END_TEST

START_TEST(put_without_key_id_uses_the_bucket_key) {
  mock_action act[] = {{MOCK_REPLY, 200, "ETag: \"abc\"\r\n", "", 0}};
  mock_server m;
  mock_start(&m, act, 1);
  char ep[64], etag[LR_S3_ETAG_LEN], err[LR_AWS_ERR_LEN] = "", v[256];
  lr_aws_client_config cfg = cfg_for(&m, ep, sizeof ep);
  lr_s3_client *s3 = NULL;
  ck_assert_int_eq(lr_s3_client_create(&s3, &cfg, err), LR_AWS_OK);
  lr_s3_put p = {.bucket = "orders-archive", .key = "k", .body = "x", .body_len = 1, .sse = LR_S3_SSE_KMS, .kms_key_id = ""};
  ck_assert_int_eq(lr_s3_put_object(s3, &p, lr_clock_epoch_ms() + 5000, etag, err), LR_AWS_OK);
  mock_stop(&m);
  ck_assert_str_eq(mock_header(&m, 0, "x-amz-server-side-encryption", v, sizeof v), "aws:kms");
  ck_assert_ptr_null(mock_header(&m, 0, "x-amz-server-side-encryption-aws-kms-key-id", v, sizeof v));
  ck_assert_ptr_null(mock_header(&m, 0, "x-amz-checksum-sha256", v, sizeof v));
  mock_free(&m);
  /* a key id with a line break never reaches the wire */
  p.kms_key_id = "alias/x\r\nX-Evil: 1";
  ck_assert_int_eq(lr_s3_put_object(s3, &p, lr_clock_epoch_ms() + 5000, etag, err), LR_AWS_BAD_ARGUMENT);
  lr_s3_client_free(s3);
}
END_TEST

START_TEST(batch_refuses_bad_arguments) {
  mock_server m;
  mock_action act[] = {{MOCK_REPLY, 500, NULL, "", 0}};
  mock_start(&m, act, 1);
  char ep[64], err[LR_AWS_ERR_LEN] = "";
  lr_aws_client_config cfg = cfg_for(&m, ep, sizeof ep);
  lr_sqs_client *sqs = NULL;
  ck_assert_int_eq(lr_sqs_client_create(&sqs, &cfg, err), LR_AWS_OK);
  const char *q = "http://127.0.0.1:1/000000000000/q";
  lr_sqs_batch_result r[LR_SQS_BATCH_MAX + 1];
  lr_sqs_batch_entry e[LR_SQS_BATCH_MAX + 1];
  for (int i = 0; i <= LR_SQS_BATCH_MAX; i++) e[i] = (lr_sqs_batch_entry){"a", "{}", 2, NULL};
  int64_t dl = lr_clock_epoch_ms() + 5000;
  ck_assert_int_eq(lr_sqs_send_message_batch(sqs, q, e, 0, dl, r, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sqs_send_message_batch(sqs, q, e, 2, dl, r, err), LR_AWS_BAD_ARGUMENT); /* same id twice */
  ck_assert_ptr_nonnull(strstr(err, "twice"));
  ck_assert_int_eq(lr_sqs_send_message_batch(sqs, q, e, LR_SQS_BATCH_MAX + 1, dl, r, err), LR_AWS_BAD_ARGUMENT);
  e[0].id = "has space";
  ck_assert_int_eq(lr_sqs_send_message_batch(sqs, q, e, 1, dl, r, err), LR_AWS_BAD_ARGUMENT);
  e[0] = (lr_sqs_batch_entry){"a", "\xff", 1, NULL};
  ck_assert_int_eq(lr_sqs_send_message_batch(sqs, q, e, 1, dl, r, err), LR_AWS_BAD_ARGUMENT);
  e[0] = (lr_sqs_batch_entry){"a", "{}", 2, "Root=1\nX: y"};
  ck_assert_int_eq(lr_sqs_send_message_batch(sqs, q, e, 1, dl, r, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_sqs_send_message_batch(sqs, "ftp://x", e, 1, dl, r, err), LR_AWS_BAD_ARGUMENT);
  mock_stop(&m);
  ck_assert_uint_eq(m.n_reqs, 0);
  mock_free(&m);
  lr_sqs_client_free(sqs);
}
END_TEST

START_TEST(batch_reads_partial_failures) {
  const char *reply = "{\"Successful\":[{\"Id\":\"m1\",\"MessageId\":\"x\"},{\"Id\":\"zz\"}],"
                      "\"Failed\":[{\"Id\":\"m0\",\"Code\":\"InvalidParameterValue\",\"SenderFault\":true}]}";
  mock_action act[] = {{MOCK_REPLY, 200, NULL, reply, 0}};
  mock_server m;
  mock_start(&m, act, 1);
  char ep[64], err[LR_AWS_ERR_LEN] = "";
  lr_aws_client_config cfg = cfg_for(&m, ep, sizeof ep);
  lr_sqs_client *sqs = NULL;
  ck_assert_int_eq(lr_sqs_client_create(&sqs, &cfg, err), LR_AWS_OK);
  char q[128];
  snprintf(q, sizeof q, "%s/000000000000/orders", ep);
  lr_sqs_batch_entry e[3] = {{"m0", "{\"a\":1}", 7, "Root=1-abc"}, {"m1", "caf\xc3\xa9", 5, NULL}, {"m2", "x", 1, ""}};
  lr_sqs_batch_result r[3];
  ck_assert_msg(lr_sqs_send_message_batch(sqs, q, e, 3, lr_clock_epoch_ms() + 5000, r, err) == LR_AWS_OK, "%s", err);
  mock_stop(&m);
  ck_assert_int_eq(r[0].sent, 0);
  ck_assert_str_eq(r[0].code, "InvalidParameterValue");
  ck_assert_int_eq(r[1].sent, 1);
  ck_assert_int_eq(r[2].sent, 0); /* not mentioned: not sent */
  char v[128];
  ck_assert_str_eq(mock_header(&m, 0, "X-Amz-Target", v, sizeof v), "AmazonSQS.SendMessageBatch");
  ck_assert_ptr_nonnull(strstr(m.reqs[0].body, "\"AWSTraceHeader\":{\"DataType\":\"String\",\"StringValue\":\"Root=1-abc\"}"));
  ck_assert_ptr_nonnull(strstr(m.reqs[0].body, "\"MessageBody\":\"caf\xc3\xa9\""));
  mock_free(&m);
  lr_sqs_client_free(sqs);
}
END_TEST

int main(void) {
  Suite *s = suite_create("cleanup_aws");
  TCase *tc = tcase_create("wire");
  tcase_add_test(tc, put_sends_checksum_and_sse_kms);
  tcase_add_test(tc, put_without_key_id_uses_the_bucket_key);
  tcase_add_test(tc, batch_refuses_bad_arguments);
  tcase_add_test(tc, batch_reads_partial_failures);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
