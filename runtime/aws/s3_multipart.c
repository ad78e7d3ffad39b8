/* S3 multipart uploads: CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload, AbortMultipartUpload (lr/s3.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "aws_http.h"
#include "aws_internal.h"
#include "lr/clock.h"
#include "lr/s3.h"
#include "s3_internal.h"

/* <Part><PartNumber>10000</PartNumber><ETag>...</ETag><ChecksumSHA256>...</ChecksumSHA256></Part> */
#define MP_PART_XML_MAX 512
#define MP_MANIFEST_MAX ((size_t)LR_S3_MAX_PARTS * MP_PART_XML_MAX + 256)
#define MP_COMPLETE_TRIES 3
#define MP_XMLNS "http://s3.amazonaws.com/doc/2006-03-01/"

void lr_s3_upload_init(lr_s3_upload *u) {
  memset(u, 0, sizeof *u);
  lr_buf_init(&u->manifest, MP_MANIFEST_MAX);
}

void lr_s3_upload_free(lr_s3_upload *u) {
  if (!u) return;
  lr_buf_free(&u->manifest);
  u->upload_id[0] = '\0';
}

/* The request path of the upload's object, and its authority. */
static lr_aws_status object_path(lr_s3_client *c, const lr_s3_upload *u, char *authority, size_t cap,
                                 lr_buf *path, char *err) {
  if (lr_s3__location(&lr_s3__http(c)->ep, u->spec.bucket, u->spec.key, authority, cap, path) != LR_AWS_OK)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the object URL is too long");
  return LR_AWS_OK;
}

/* One request on the object's path; the answer is in the client's body/etag. */
static lr_aws_status send_on_object(lr_s3_client *c, const lr_s3_upload *u, lr_aws_http_req *req,
                                    int64_t deadline_ms, char *err) {
  char authority[LR_AWS_MAX_HOST + 80];
  lr_buf path;
  lr_buf_init(&path, LR_SIGV4_MAX_PATH);
  lr_aws_status st = object_path(c, u, authority, sizeof authority, &path, err);
  if (st == LR_AWS_OK) {
    req->authority = authority;
    req->path = lr_buf_str(&path);
    st = lr_aws__http_send(lr_s3__http(c), req, deadline_ms, err);
  }
  lr_buf_free(&path);
  return st;
}

/* An upload id goes back in a query: printable, no XML markup or entities
 * (S3's are URL-safe base64-like text). */
static bool upload_id_ok(const char *id) {
  size_t n = strlen(id);
  if (n == 0 || !lr_aws__is_clean_text(id, n)) return false;
  return strpbrk(id, "<>&\"' ?") == NULL;
}

lr_aws_status lr_s3_upload_begin(lr_s3_client *c, lr_s3_upload *u, const lr_s3_put *spec,
                                 int64_t deadline_ms, char err[LR_AWS_ERR_LEN]) {
  if (!c || !u || !spec) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "missing argument");
  if (u->upload_id[0]) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "an upload is already open");
  lr_aws_status st = lr_s3__put_check(spec, err);
  if (st != LR_AWS_OK) return st;
  u->spec = *spec;
  u->spec.body = NULL;
  u->spec.body_len = 0;
  u->parts = 0;
  u->bytes = 0;
  lr_buf_reset(&u->manifest);
  lr_sigv4_pair h[6];
  size_t n = 0;
  h[n++] = (lr_sigv4_pair){"Content-Type", spec->content_type ? spec->content_type : "application/octet-stream", 0};
  h[n++] = (lr_sigv4_pair){"x-amz-content-sha256", LR_SIGV4_EMPTY_SHA256, 0};
  if (spec->content_encoding && *spec->content_encoding)
    h[n++] = (lr_sigv4_pair){"Content-Encoding", spec->content_encoding, 0};
  if (spec->checksum == LR_S3_CHECKSUM_SHA256) h[n++] = (lr_sigv4_pair){"x-amz-checksum-algorithm", "SHA256", 0};
  if (spec->sse == LR_S3_SSE_KMS) {
    h[n++] = (lr_sigv4_pair){"x-amz-server-side-encryption", "aws:kms", 0};
    if (spec->kms_key_id && *spec->kms_key_id)
      h[n++] = (lr_sigv4_pair){"x-amz-server-side-encryption-aws-kms-key-id", spec->kms_key_id, 0};
  }
  lr_sigv4_pair q[] = {{"uploads", "", 0}};
  lr_aws_http_req req = {.method = "POST", .query = q, .query_count = 1, .headers = h, .header_count = n,
                         .payload_hash = LR_SIGV4_EMPTY_SHA256};
  st = send_on_object(c, u, &req, deadline_ms, err);
  if (st != LR_AWS_OK) return st;
  const lr_buf *body = &lr_s3__http(c)->body;
  char id[LR_S3_UPLOAD_ID_LEN] = "";
  if (!lr_aws__xml_text(body->data, body->len, "UploadId", id, sizeof id) || !upload_id_ok(id))
    return lr_aws__fail(err, LR_AWS_BAD_RESPONSE, "S3 answered CreateMultipartUpload without a usable UploadId");
  memcpy(u->upload_id, id, sizeof id);
  return LR_AWS_OK;
}

/* Appends text with XML's five special characters escaped. */
static lr_buf_status add_escaped(lr_buf *b, const char *s) {
  lr_buf_status bs = LR_BUF_OK;
  for (; bs == LR_BUF_OK && *s; s++) {
    switch (*s) {
    case '&': bs = lr_buf_adds(b, "&amp;"); break;
    case '<': bs = lr_buf_adds(b, "&lt;"); break;
    case '>': bs = lr_buf_adds(b, "&gt;"); break;
    case '"': bs = lr_buf_adds(b, "&quot;"); break;
    case '\'': bs = lr_buf_adds(b, "&apos;"); break;
    default: bs = lr_buf_add(b, s, 1);
    }
  }
  return bs;
}

static lr_aws_status manifest_add(lr_s3_upload *u, int number, const char *etag, const char *checksum,
                                  char *err) {
  lr_buf *m = &u->manifest;
  lr_buf_status bs = lr_buf_addf(m, "<Part><PartNumber>%d</PartNumber><ETag>", number);
  if (bs == LR_BUF_OK) bs = add_escaped(m, etag);
  if (bs == LR_BUF_OK) bs = lr_buf_adds(m, "</ETag>");
  if (bs == LR_BUF_OK && checksum) bs = lr_buf_addf(m, "<ChecksumSHA256>%s</ChecksumSHA256>", checksum);
  if (bs == LR_BUF_OK) bs = lr_buf_adds(m, "</Part>");
  if (bs != LR_BUF_OK) return lr_aws__fail(err, LR_AWS_NOMEM, "cannot record part %d", number);
  return LR_AWS_OK;
}

lr_aws_status lr_s3_upload_part(lr_s3_client *c, lr_s3_upload *u, const void *body, size_t len,
                                int64_t deadline_ms, char err[LR_AWS_ERR_LEN]) {
  if (!c || !u || !body) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "missing argument");
  if (!u->upload_id[0]) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "no upload is open");
  if (len == 0 || len > LR_S3_MAX_PUT_BYTES)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "a part must be 1..%u bytes", LR_S3_MAX_PUT_BYTES);
  if (u->parts >= LR_S3_MAX_PARTS) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "more than %d parts", LR_S3_MAX_PARTS);
  int number = u->parts + 1;
  char hash[LR_SIGV4_HEX_LEN + 1], checksum[64], num[16];
  if (lr_sigv4_sha256_hex(body, len, hash) != LR_AWS_OK)
    return lr_aws__fail(err, LR_AWS_CRYPTO, "SHA-256 of a part failed");
  snprintf(num, sizeof num, "%d", number);
  lr_sigv4_pair h[3];
  size_t n = 0;
  /* Explicit: libcurl would send a form Content-Type with the body. */
  h[n++] = (lr_sigv4_pair){"Content-Type", "application/octet-stream", 0};
  h[n++] = (lr_sigv4_pair){"x-amz-content-sha256", hash, 0};
  int with_checksum = u->spec.checksum == LR_S3_CHECKSUM_SHA256;
  if (with_checksum) {
    lr_s3__checksum_b64(hash, checksum);
    h[n++] = (lr_sigv4_pair){"x-amz-checksum-sha256", checksum, 0};
  }
  lr_sigv4_pair q[] = {{"partNumber", num, 0}, {"uploadId", u->upload_id, 0}};
  lr_aws_http_req req = {.method = "PUT", .query = q, .query_count = 2, .headers = h, .header_count = n,
                         .body = body, .body_len = len, .payload_hash = hash};
  lr_aws_status st = send_on_object(c, u, &req, deadline_ms, err);
  if (st != LR_AWS_OK) return st;
  const char *etag = lr_s3__http(c)->etag;
  if (!etag[0]) return lr_aws__fail(err, LR_AWS_BAD_RESPONSE, "S3 answered UploadPart %d without an ETag", number);
  st = manifest_add(u, number, etag, with_checksum ? checksum : NULL, err);
  if (st != LR_AWS_OK) return st;
  u->parts = number;
  u->bytes += (long long)len;
  return LR_AWS_OK;
}

/* The answer of a Complete that came back 200: S3 sends an <Error> body with
 * 200 when it fails after it started answering. */
static lr_aws_status complete_verdict(lr_s3_client *c, char etag[LR_S3_ETAG_LEN], int *retry, char *err) {
  const lr_buf *b = &lr_s3__http(c)->body;
  *retry = 0;
  if (b->data && memmem(b->data, b->len, "<Error>", 7)) {
    lr_aws_error_body eb;
    lr_aws__error_from_xml(b->data, b->len, &eb);
    *retry = lr_aws__is_transient_code(eb.code) || lr_aws__is_throttle_code(eb.code);
    return lr_aws__fail(err, LR_AWS_HTTP_STATUS, "S3 answered CompleteMultipartUpload 200 with an error: %s%s%s",
                        eb.code[0] ? eb.code : "(no code)", eb.message[0] ? ": " : "", eb.message);
  }
  if (!b->data || !memmem(b->data, b->len, "<CompleteMultipartUploadResult", 30) ||
      !lr_aws__xml_text(b->data, b->len, "ETag", etag, LR_S3_ETAG_LEN) || !etag[0])
    return lr_aws__fail(err, LR_AWS_BAD_RESPONSE, "S3 answered CompleteMultipartUpload without a result and its ETag");
  return LR_AWS_OK;
}

lr_aws_status lr_s3_upload_complete(lr_s3_client *c, lr_s3_upload *u, int64_t deadline_ms,
                                    char etag[LR_S3_ETAG_LEN], char err[LR_AWS_ERR_LEN]) {
  if (!c || !u || !etag) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "missing argument");
  etag[0] = '\0';
  if (!u->upload_id[0] || u->parts == 0)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "no upload with parts is open");
  lr_buf body;
  lr_buf_init(&body, MP_MANIFEST_MAX + 128);
  lr_buf_status bs = lr_buf_adds(&body, "<CompleteMultipartUpload xmlns=\"" MP_XMLNS "\">");
  if (bs == LR_BUF_OK) bs = lr_buf_add(&body, u->manifest.data, u->manifest.len);
  if (bs == LR_BUF_OK) bs = lr_buf_adds(&body, "</CompleteMultipartUpload>");
  if (bs != LR_BUF_OK) {
    lr_buf_free(&body);
    return lr_aws__fail(err, LR_AWS_NOMEM, "cannot build CompleteMultipartUpload");
  }
  lr_sigv4_pair h[] = {{"Content-Type", "application/xml", 0}, {"x-amz-content-sha256", NULL, 0}};
  char hash[LR_SIGV4_HEX_LEN + 1];
  lr_aws_status st = lr_sigv4_sha256_hex(body.data, body.len, hash);
  h[1].value = hash;
  lr_sigv4_pair q[] = {{"uploadId", u->upload_id, 0}};
  lr_aws_http_req req = {.method = "POST", .query = q, .query_count = 1, .headers = h, .header_count = 2,
                         .body = body.data, .body_len = body.len, .payload_hash = hash};
  int retry = st == LR_AWS_OK;
  if (st != LR_AWS_OK) lr_aws__fail(err, st, "SHA-256 of CompleteMultipartUpload failed");
  /* Complete is safe to resend with the same parts (S3's own advice for a
   * 200 with an error body). */
  for (int tries = 0; retry && tries < MP_COMPLETE_TRIES && lr_clock_epoch_ms() < deadline_ms; tries++) {
    st = send_on_object(c, u, &req, deadline_ms, err);
    retry = 0;
    if (st == LR_AWS_OK) st = complete_verdict(c, etag, &retry, err);
  }
  lr_buf_free(&body);
  if (st == LR_AWS_OK) u->upload_id[0] = '\0';
  return st;
}

lr_aws_status lr_s3_upload_abort(lr_s3_client *c, lr_s3_upload *u, int64_t deadline_ms,
                                 char err[LR_AWS_ERR_LEN]) {
  if (!c || !u) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "missing argument");
  if (!u->upload_id[0]) return LR_AWS_OK;
  lr_sigv4_pair h[] = {{"x-amz-content-sha256", LR_SIGV4_EMPTY_SHA256, 0}};
  lr_sigv4_pair q[] = {{"uploadId", u->upload_id, 0}};
  lr_aws_http_req req = {.method = "DELETE", .query = q, .query_count = 1, .headers = h, .header_count = 1,
                         .payload_hash = LR_SIGV4_EMPTY_SHA256};
  lr_aws_status st = send_on_object(c, u, &req, deadline_ms, err);
  if (st == LR_AWS_HTTP_STATUS) {
    const lr_buf *b = &lr_s3__http(c)->body;
    lr_aws_error_body eb;
    lr_aws__error_from_xml(b->data, b->len, &eb);
    if (strcmp(eb.code, "NoSuchUpload") == 0) st = LR_AWS_OK; /* already gone */
  }
  u->upload_id[0] = '\0';
  return st;
}
