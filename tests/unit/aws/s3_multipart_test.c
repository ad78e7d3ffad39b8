/* S3 multipart uploads (runtime/aws/s3_multipart.c) against the mock
 * server: the exact requests, signatures, and hostile answers (no UploadId,
 * bad XML, a 200 whose body is an error, NoSuchUpload on abort). */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "client_test_util.h"
#include "lr/clock.h"
#include "lr/s3.h"
#include "mock_http.h"

#define CREATED "<?xml version=\"1.0\"?><InitiateMultipartUploadResult><Bucket>orders-archive</Bucket>" \
                "<Key>k.gz</Key><UploadId>up-1.x_Y</UploadId></InitiateMultipartUploadResult>"
#define COMPLETED "<?xml version=\"1.0\"?>\n\n<CompleteMultipartUploadResult><Location>l</Location>" \
                  "<ETag>\"whole-2\"</ETag></CompleteMultipartUploadResult>"

static lr_aws_credentials creds;

static lr_s3_client *client(const mock_server *m) {
  creds = test_creds(0);
  lr_aws_client_config cfg = test_config(&creds, m->port, 1);
  lr_s3_client *c = NULL;
  char err[LR_AWS_ERR_LEN] = "";
  ck_assert_msg(lr_s3_client_create(&c, &cfg, err) == LR_AWS_OK, "%s", err);
  return c;
}

static const lr_s3_put spec = {.bucket = "orders-archive", .key = "k.gz", .content_type = "application/gzip",
                               .checksum = LR_S3_CHECKSUM_SHA256, .sse = LR_S3_SSE_KMS,
                               .kms_key_id = "alias/orders-archive"};

static void b64_sha256(const char *s, size_t n, char out[64]) {
  unsigned char sha[SHA256_DIGEST_LENGTH];
  SHA256((const unsigned char *)s, n, sha);
  EVP_EncodeBlock((unsigned char *)out, sha, sizeof sha);
}

START_TEST(upload_sends_the_exact_requests) {
  mock_action act[] = {{MOCK_REPLY, 200, NULL, CREATED, 0},
                       {MOCK_REPLY, 200, "ETag: \"p1\"\r\n", "", 0},
                       {MOCK_REPLY, 200, "ETag: \"p2\"\r\n", "", 0},
                       {MOCK_REPLY, 200, NULL, COMPLETED, 0}};
  mock_server m;
  mock_start(&m, act, 4);
  lr_s3_client *c = client(&m);
  lr_s3_upload u;
  lr_s3_upload_init(&u);
  char err[LR_AWS_ERR_LEN] = "", etag[LR_S3_ETAG_LEN], v[512], c1[64], c2[64];
  int64_t dl = lr_clock_epoch_ms() + 5000;
  ck_assert_msg(lr_s3_upload_begin(c, &u, &spec, dl, err) == LR_AWS_OK, "%s", err);
  ck_assert_str_eq(u.upload_id, "up-1.x_Y");
  ck_assert_msg(lr_s3_upload_part(c, &u, "first part", 10, dl, err) == LR_AWS_OK, "%s", err);
  ck_assert_msg(lr_s3_upload_part(c, &u, "second", 6, dl, err) == LR_AWS_OK, "%s", err);
  ck_assert_msg(lr_s3_upload_complete(c, &u, dl, etag, err) == LR_AWS_OK, "%s", err);
  mock_stop(&m);
  ck_assert_str_eq(etag, "\"whole-2\"");
  ck_assert_str_eq(u.upload_id, "");
  ck_assert_int_eq(u.parts, 2);
  ck_assert_int_eq(u.bytes, 16);
  ck_assert_uint_eq(m.n_reqs, 4);
  ck_assert_str_eq(mock_request_line(&m, 0, v, sizeof v), "POST /orders-archive/k.gz?uploads=");
  ck_assert_str_eq(mock_request_line(&m, 1, v, sizeof v), "PUT /orders-archive/k.gz?partNumber=1&uploadId=up-1.x_Y");
  ck_assert_str_eq(mock_request_line(&m, 2, v, sizeof v), "PUT /orders-archive/k.gz?partNumber=2&uploadId=up-1.x_Y");
  ck_assert_str_eq(mock_request_line(&m, 3, v, sizeof v), "POST /orders-archive/k.gz?uploadId=up-1.x_Y");
  /* Create: the object's headers, SSE-KMS, the checksum algorithm */
  ck_assert_str_eq(mock_header(&m, 0, "x-amz-server-side-encryption", v, sizeof v), "aws:kms");
  ck_assert_str_eq(mock_header(&m, 0, "x-amz-server-side-encryption-aws-kms-key-id", v, sizeof v), "alias/orders-archive");
  ck_assert_str_eq(mock_header(&m, 0, "x-amz-checksum-algorithm", v, sizeof v), "SHA256");
  ck_assert_str_eq(mock_header(&m, 0, "Content-Type", v, sizeof v), "application/gzip");
  /* each part: its own checksum; the bodies as given */
  b64_sha256("first part", 10, c1);
  b64_sha256("second", 6, c2);
  ck_assert_str_eq(mock_header(&m, 1, "x-amz-checksum-sha256", v, sizeof v), c1);
  ck_assert_str_eq(mock_header(&m, 2, "x-amz-checksum-sha256", v, sizeof v), c2);
  ck_assert_uint_eq(m.reqs[1].body_len, 10);
  ck_assert_int_eq(memcmp(m.reqs[1].body, "first part", 10), 0);
  ck_assert_ptr_null(mock_header(&m, 1, "x-amz-server-side-encryption", v, sizeof v));
  /* Complete: the manifest, in order, with ETags and checksums */
  char want[1024];
  snprintf(want, sizeof want,
           "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
           "<Part><PartNumber>1</PartNumber><ETag>&quot;p1&quot;</ETag><ChecksumSHA256>%s</ChecksumSHA256></Part>"
           "<Part><PartNumber>2</PartNumber><ETag>&quot;p2&quot;</ETag><ChecksumSHA256>%s</ChecksumSHA256></Part>"
           "</CompleteMultipartUpload>", c1, c2);
  ck_assert_str_eq(m.reqs[3].body, want);
  ck_assert_str_eq(mock_header(&m, 3, "Content-Type", v, sizeof v), "application/xml");
  for (size_t i = 0; i < 4; i++) expect_valid_signature(&m, i, &creds, "s3", LR_SIGV4_PATH_AS_IS);
  mock_free(&m);
  lr_s3_upload_free(&u);
  lr_s3_client_free(c);
}
END_TEST

/* CreateMultipartUpload answers that leave no usable id: BAD_RESPONSE. */
START_TEST(begin_refuses_answers_without_a_usable_upload_id) {
  const char *const bodies[] = {
      "<InitiateMultipartUploadResult><Bucket>b</Bucket></InitiateMultipartUploadResult>", /* no UploadId */
      "<InitiateMultipartUploadResult><UploadId>abc",                                       /* cut off */
      "not xml at all",
      "<UploadId></UploadId>",
      "<UploadId>a&amp;b</UploadId>",                                                       /* would need decoding */
      "<UploadId>a\x01" "b</UploadId>",
      NULL}; /* and an overlong one */
  char big[LR_S3_UPLOAD_ID_LEN + 64];
  memset(big, 'a', sizeof big);
  memcpy(big, "<UploadId>", 10);
  memcpy(big + sizeof big - 12, "</UploadId>", 12);
  size_t nb = sizeof bodies / sizeof *bodies;
  for (size_t i = 0; i < nb; i++) {
    mock_action act[] = {{MOCK_REPLY, 200, NULL, bodies[i] ? bodies[i] : big, 0}};
    mock_server m;
    mock_start(&m, act, 1);
    lr_s3_client *c = client(&m);
    lr_s3_upload u;
    lr_s3_upload_init(&u);
    char err[LR_AWS_ERR_LEN] = "";
    ck_assert_int_eq(lr_s3_upload_begin(c, &u, &spec, lr_clock_epoch_ms() + 5000, err), LR_AWS_BAD_RESPONSE);
    ck_assert_str_eq(u.upload_id, "");
    ck_assert_ptr_nonnull(strstr(err, "UploadId"));
    mock_stop(&m);
    mock_free(&m);
    lr_s3_upload_free(&u);
    lr_s3_client_free(c);
  }
}
END_TEST

static void open_with_one_part(lr_s3_client *c, lr_s3_upload *u) {
  char err[LR_AWS_ERR_LEN] = "";
  int64_t dl = lr_clock_epoch_ms() + 5000;
  ck_assert_msg(lr_s3_upload_begin(c, u, &spec, dl, err) == LR_AWS_OK, "%s", err);
  ck_assert_msg(lr_s3_upload_part(c, u, "x", 1, dl, err) == LR_AWS_OK, "%s", err);
}

/* S3 can answer Complete 200 and then an <Error> body; a non-transient one
 * fails at once, a transient one is resent; a 200 without a result fails. */
START_TEST(complete_reads_errors_in_a_200) {
  struct {
    const char *body;
    size_t requests;   /* Complete requests made */
    lr_aws_status want;
  } cases[] = {
      {"<?xml version=\"1.0\"?>\n<Error><Code>InvalidPart</Code><Message>nope</Message></Error>", 1, LR_AWS_HTTP_STATUS},
      {"<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code><Message>retry</Message></Error>", 3, LR_AWS_HTTP_STATUS},
      {"<?xml version=\"1.0\"?>\n", 1, LR_AWS_BAD_RESPONSE},
      {"<CompleteMultipartUploadResult><Location>l</Location></CompleteMultipartUploadResult>", 1, LR_AWS_BAD_RESPONSE},
      {"<CompleteMultipartUploadResult><ETag>\"e\"", 1, LR_AWS_BAD_RESPONSE}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    mock_action act[] = {{MOCK_REPLY, 200, NULL, CREATED, 0},
                         {MOCK_REPLY, 200, "ETag: \"p1\"\r\n", "", 0},
                         {MOCK_REPLY, 200, NULL, cases[i].body, 0},
                         {MOCK_REPLY, 200, NULL, cases[i].body, 0},
                         {MOCK_REPLY, 200, NULL, cases[i].body, 0}};
    mock_server m;
    mock_start(&m, act, 2 + cases[i].requests);
    lr_s3_client *c = client(&m);
    lr_s3_upload u;
    lr_s3_upload_init(&u);
    open_with_one_part(c, &u);
    char err[LR_AWS_ERR_LEN] = "", etag[LR_S3_ETAG_LEN];
    ck_assert_int_eq(lr_s3_upload_complete(c, &u, lr_clock_epoch_ms() + 5000, etag, err), cases[i].want);
    ck_assert_str_eq(etag, "");
    ck_assert_str_eq(u.upload_id, "up-1.x_Y"); /* still open: the caller aborts */
    mock_stop(&m);
    ck_assert_uint_eq(m.n_reqs, 2 + cases[i].requests);
    mock_free(&m);
    lr_s3_upload_free(&u);
    lr_s3_client_free(c);
  }
}
END_TEST

START_TEST(part_without_etag_fails_and_abort_closes) {
  mock_action act[] = {{MOCK_REPLY, 200, NULL, CREATED, 0},
                       {MOCK_REPLY, 200, NULL, "", 0},
                       {MOCK_REPLY, 404, NULL, "<Error><Code>NoSuchUpload</Code></Error>", 0}};
  mock_server m;
  mock_start(&m, act, 3);
  lr_s3_client *c = client(&m);
  lr_s3_upload u;
  lr_s3_upload_init(&u);
  char err[LR_AWS_ERR_LEN] = "", v[256];
  int64_t dl = lr_clock_epoch_ms() + 5000;
  ck_assert_int_eq(lr_s3_upload_begin(c, &u, &spec, dl, err), LR_AWS_OK);
  ck_assert_int_eq(lr_s3_upload_part(c, &u, "x", 1, dl, err), LR_AWS_BAD_RESPONSE);
  ck_assert_int_eq(u.parts, 0);
  /* NoSuchUpload: already gone, which is what abort wants */
  ck_assert_msg(lr_s3_upload_abort(c, &u, dl, err) == LR_AWS_OK, "%s", err);
  ck_assert_str_eq(u.upload_id, "");
  ck_assert_int_eq(lr_s3_upload_abort(c, &u, dl, err), LR_AWS_OK); /* nothing open: no request */
  mock_stop(&m);
  ck_assert_uint_eq(m.n_reqs, 3);
  ck_assert_str_eq(mock_request_line(&m, 2, v, sizeof v), "DELETE /orders-archive/k.gz?uploadId=up-1.x_Y");
  expect_valid_signature(&m, 2, &creds, "s3", LR_SIGV4_PATH_AS_IS);
  mock_free(&m);
  lr_s3_upload_free(&u);
  lr_s3_client_free(c);
}
END_TEST

START_TEST(refuses_misuse_without_a_request) {
  mock_action act[] = {{MOCK_REPLY, 200, NULL, CREATED, 0}};
  mock_server m;
  mock_start(&m, act, 1);
  lr_s3_client *c = client(&m);
  lr_s3_upload u;
  lr_s3_upload_init(&u);
  char err[LR_AWS_ERR_LEN] = "", etag[LR_S3_ETAG_LEN];
  int64_t dl = lr_clock_epoch_ms() + 5000;
  ck_assert_int_eq(lr_s3_upload_part(c, &u, "x", 1, dl, err), LR_AWS_BAD_ARGUMENT);     /* not begun */
  ck_assert_int_eq(lr_s3_upload_complete(c, &u, dl, etag, err), LR_AWS_BAD_ARGUMENT);   /* not begun */
  lr_s3_put bad = spec;
  bad.bucket = "NO";
  ck_assert_int_eq(lr_s3_upload_begin(c, &u, &bad, dl, err), LR_AWS_BAD_ARGUMENT);
  ck_assert_int_eq(lr_s3_upload_begin(c, &u, &spec, dl, err), LR_AWS_OK);
  ck_assert_int_eq(lr_s3_upload_begin(c, &u, &spec, dl, err), LR_AWS_BAD_ARGUMENT);     /* already open */
  ck_assert_int_eq(lr_s3_upload_part(c, &u, "x", 0, dl, err), LR_AWS_BAD_ARGUMENT);     /* empty part */
  ck_assert_int_eq(lr_s3_upload_complete(c, &u, dl, etag, err), LR_AWS_BAD_ARGUMENT);   /* no parts */
  mock_stop(&m);
  ck_assert_uint_eq(m.n_reqs, 1);
  mock_free(&m);
  lr_s3_upload_free(&u);
  lr_s3_client_free(c);
}
END_TEST

int main(void) {
  Suite *s = suite_create("s3_multipart");
  TCase *tc = tcase_create("wire");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, upload_sends_the_exact_requests);
  tcase_add_test(tc, begin_refuses_answers_without_a_usable_upload_id);
  tcase_add_test(tc, complete_reads_errors_in_a_200);
  tcase_add_test(tc, part_without_etag_fails_and_abort_closes);
  tcase_add_test(tc, refuses_misuse_without_a_request);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
