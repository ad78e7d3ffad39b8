/* What the cleanup asks of AWS, on the wire (against the in-test mock server):
 * PutObject's checksum and SSE-KMS headers, SendMessageBatch's request and
 * its argument limits; cl_upload's choice of PutObject or a multipart upload,
 * and its abort on a failure or the deadline. */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl.h"
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

/* ---- cl_upload: PutObject or multipart, and the abort ------------------ */

#define MP_CREATED "<InitiateMultipartUploadResult><UploadId>u-9</UploadId></InitiateMultipartUploadResult>"
#define MP_DONE "<CompleteMultipartUploadResult><ETag>\"w\"</ETag></CompleteMultipartUploadResult>"

static const lr_s3_put up_spec = {.bucket = "orders-archive", .key = "k.gz", .content_type = "application/gzip",
                                  .checksum = LR_S3_CHECKSUM_SHA256, .sse = LR_S3_SSE_KMS};

/* Writes n bytes of 'z' through the upload, flushing after every 100, as the
 * archive does after every row; returns cl_upload_finish's result or false
 * at the first flush failure. */
static bool run_upload(lr_s3_client *s3, size_t threshold, size_t part, size_t n, int64_t deadline_ms,
                      long long *bytes, char *err) {
  lr_buf buf;
  lr_buf_init(&buf, LR_S3_MAX_PUT_BYTES);
  cl_upload u;
  cl_upload_init(&u, s3, &up_spec, &buf, threshold, deadline_ms);
  if (part) u.part_bytes = part; /* the mock takes at most 1 MiB a request */
  bool ok = true;
  for (size_t i = 0; ok && i < n; i += 100) {
    size_t k = n - i < 100 ? n - i : 100;
    char z[100];
    memset(z, 'z', sizeof z);
    ck_assert_int_eq(lr_buf_add(&buf, z, k), LR_BUF_OK);
    ok = cl_upload_flush(&u, err);
  }
  if (ok) ok = cl_upload_finish(&u, err);
  *bytes = u.bytes;
  cl_upload_free(&u, NULL);
  lr_buf_free(&buf);
  return ok;
}

static lr_s3_client *s3_for(mock_server *m, char *ep) {
  char err[LR_AWS_ERR_LEN] = "";
  lr_aws_client_config cfg = cfg_for(m, ep, 64);
  lr_s3_client *s3 = NULL;
  ck_assert_msg(lr_s3_client_create(&s3, &cfg, err) == LR_AWS_OK, "%s", err);
  return s3;
}

/* One scripted exchange: what the upload returns, how many requests it made,
 * the last request line, and a word its error must hold. */
typedef struct upload_case {
  mock_action act[6];
  size_t n_act;
  size_t threshold, part, size;
  int64_t budget_ms;
  bool want_ok;
  const char *last_line, *err_word;
} upload_case;

static mock_server *run_case(const upload_case *c, mock_server *m) {
  mock_start(m, c->act, c->n_act);
  char ep[64], err[CL_ERR_LEN] = "", v[256];
  lr_s3_client *s3 = s3_for(m, ep);
  long long bytes = 0;
  bool ok = run_upload(s3, c->threshold, c->part, c->size, lr_clock_epoch_ms() + c->budget_ms, &bytes, err);
  mock_stop(m);
  lr_s3_client_free(s3);
  ck_assert_msg(ok == c->want_ok, "ok %d: %s", (int)ok, err);
  if (ok) ck_assert_int_eq(bytes, (long long)c->size);
  if (c->err_word) ck_assert_msg(strstr(err, c->err_word) != NULL, "%s", err);
  ck_assert_uint_eq(m->n_reqs, c->n_act);
  ck_assert_str_eq(mock_request_line(m, m->n_reqs - 1, v, sizeof v), c->last_line);
  return m;
}

#define DELETE_U9 "DELETE /orders-archive/k.gz?uploadId=u-9"

START_TEST(upload_at_the_threshold_is_one_put) {
  upload_case c = {{{MOCK_REPLY, 200, "ETag: \"abc\"\r\n", "", 0}}, 1, 1024, 0, 1024, 5000, true,
                   "PUT /orders-archive/k.gz", NULL};
  mock_server m;
  mock_free(run_case(&c, &m));
}
END_TEST

START_TEST(upload_above_the_threshold_goes_in_parts) {
  /* parts of >= 1000 bytes: 1000, 1000, then the last 500 */
  upload_case c = {{{MOCK_REPLY, 200, NULL, MP_CREATED, 0},
                    {MOCK_REPLY, 200, "ETag: \"1\"\r\n", "", 0},
                    {MOCK_REPLY, 200, "ETag: \"2\"\r\n", "", 0},
                    {MOCK_REPLY, 200, "ETag: \"3\"\r\n", "", 0},
                    {MOCK_REPLY, 200, NULL, MP_DONE, 0}},
                   5, 1024, 1000, 2500, 5000, true, "POST /orders-archive/k.gz?uploadId=u-9", NULL};
  mock_server m;
  run_case(&c, &m);
  char v[256];
  ck_assert_str_eq(mock_request_line(&m, 0, v, sizeof v), "POST /orders-archive/k.gz?uploads=");
  ck_assert_uint_eq(m.reqs[1].body_len, 1000);
  ck_assert_uint_eq(m.reqs[2].body_len, 1000);
  ck_assert_uint_eq(m.reqs[3].body_len, 500);
  mock_free(&m);
}
END_TEST

/* Every failure once the upload is open ends in AbortMultipartUpload: a part
 * refused, a Complete answered 200 with an error, a part hanging past the
 * deadline (abort has its own second past it). */
START_TEST(upload_failures_abort) {
  upload_case cases[] = {
      {{{MOCK_REPLY, 200, NULL, MP_CREATED, 0},
        {MOCK_REPLY, 403, NULL, "<Error><Code>AccessDenied</Code></Error>", 0},
        {MOCK_REPLY, 204, NULL, "", 0}},
       3, 1024, 1000, 2500, 5000, false, DELETE_U9, "AccessDenied"},
      {{{MOCK_REPLY, 200, NULL, MP_CREATED, 0},
        {MOCK_REPLY, 200, "ETag: \"1\"\r\n", "", 0},
        {MOCK_REPLY, 200, NULL, "<Error><Code>InvalidPart</Code></Error>", 0},
        {MOCK_REPLY, 204, NULL, "", 0}},
       4, 1024, 0, 2000, 5000, false, DELETE_U9, "CompleteMultipartUpload"},
      {{{MOCK_REPLY, 200, NULL, MP_CREATED, 0}, {MOCK_HANG, 0, NULL, NULL, 0}, {MOCK_REPLY, 204, NULL, "", 0}},
       3, 1024, 1000, 2500, 700, false, DELETE_U9, "UploadPart"}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    mock_server m;
    mock_free(run_case(&cases[i], &m));
  }
}
END_TEST

int main(void) {
  Suite *s = suite_create("cleanup_aws");
  TCase *tc = tcase_create("wire");
  tcase_add_test(tc, put_sends_checksum_and_sse_kms);
  tcase_add_test(tc, put_without_key_id_uses_the_bucket_key);
  tcase_add_test(tc, batch_refuses_bad_arguments);
  tcase_add_test(tc, batch_reads_partial_failures);
  tcase_add_test(tc, upload_at_the_threshold_is_one_put);
  tcase_add_test(tc, upload_above_the_threshold_goes_in_parts);
  tcase_add_test(tc, upload_failures_abort);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
