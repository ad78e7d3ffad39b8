/* S3 PutObject (multipart uploads: s3_multipart.c). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "aws_http.h"
#include "aws_internal.h"
#include "lr/s3.h"
#include "s3_internal.h"

#define S3_MAX_HEADER_VALUE 256 /* Content-Type, Content-Encoding */

struct lr_s3_client {
  lr_aws_http http;
};

lr_aws_status lr_s3_client_create(lr_s3_client **out, const lr_aws_client_config *cfg,
                                  char err[LR_AWS_ERR_LEN]) {
  if (!out) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "no place for the client");
  *out = NULL;
  lr_s3_client *c = calloc(1, sizeof *c);
  if (!c) return lr_aws__fail(err, LR_AWS_NOMEM, "out of memory creating the S3 client");
  /* S3 signs the path as sent: no normalisation, no second encoding. */
  lr_aws_status st = lr_aws__http_init(&c->http, cfg, "s3", "S3", LR_SIGV4_PATH_AS_IS, err);
  if (st != LR_AWS_OK) {
    free(c);
    return st;
  }
  c->http.label = "S3";
  c->http.errors = LR_AWS_ERRORS_XML;
  *out = c;
  return LR_AWS_OK;
}

void lr_s3_client_free(lr_s3_client *c) {
  if (!c) return;
  lr_aws__http_cleanup(&c->http);
  free(c);
}

static bool bucket_ok(const char *b) {
  size_t n = b ? strnlen(b, 64) : 0;
  if (n < 3 || n > 63) return false;
  for (size_t i = 0; i < n; i++) {
    char ch = b[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-')) return false;
  }
  return b[0] != '.' && b[0] != '-' && b[n - 1] != '.' && b[n - 1] != '-';
}

static bool header_value_ok(const char *v) {
  size_t n = strnlen(v, S3_MAX_HEADER_VALUE + 1);
  return n <= S3_MAX_HEADER_VALUE && lr_aws__is_clean_text(v, n);
}

lr_aws_status lr_s3__put_check(const lr_s3_put *p, char *err) {
  if (!p) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "missing argument");
  if (!bucket_ok(p->bucket)) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the bucket name must be 3-63 of [a-z0-9.-]");
  size_t kl = p->key ? strnlen(p->key, LR_S3_MAX_KEY + 1) : 0;
  if (kl == 0 || kl > LR_S3_MAX_KEY || !lr_aws__is_clean_text(p->key, kl) || memchr(p->key, '\t', kl))
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the object key must be 1-%d bytes without control characters", LR_S3_MAX_KEY);
  if ((!p->body && p->body_len) || p->body_len > LR_S3_MAX_PUT_BYTES)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the body must be at most %u bytes", LR_S3_MAX_PUT_BYTES);
  if ((p->content_type && !header_value_ok(p->content_type)) ||
      (p->content_encoding && !header_value_ok(p->content_encoding)) ||
      (p->kms_key_id && !header_value_ok(p->kms_key_id)))
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "Content-Type, Content-Encoding or the KMS key id is too long or holds control characters");
  return LR_AWS_OK;
}

/* The SHA-256 as S3's checksum header wants it: base64 of the 32 bytes (the
 * signing hash is their hex). */
void lr_s3__checksum_b64(const char hex[LR_SIGV4_HEX_LEN + 1], char out[64]) {
  unsigned char raw[32];
  for (size_t i = 0; i < sizeof raw; i++) {
    unsigned hi = (unsigned)(hex[2 * i] <= '9' ? hex[2 * i] - '0' : hex[2 * i] - 'a' + 10);
    unsigned lo = (unsigned)(hex[2 * i + 1] <= '9' ? hex[2 * i + 1] - '0' : hex[2 * i + 1] - 'a' + 10);
    raw[i] = (unsigned char)(hi << 4 | lo);
  }
  EVP_EncodeBlock((unsigned char *)out, raw, (int)sizeof raw);
}

/* The headers of one PutObject besides Host; returns how many. */
static size_t put_headers(const lr_s3_put *put, const char *hash, char checksum[64], lr_sigv4_pair h[6]) {
  size_t n = 0;
  h[n++] = (lr_sigv4_pair){"Content-Type", put->content_type ? put->content_type : "application/octet-stream", 0};
  h[n++] = (lr_sigv4_pair){"x-amz-content-sha256", hash, 0};
  if (put->content_encoding && *put->content_encoding)
    h[n++] = (lr_sigv4_pair){"Content-Encoding", put->content_encoding, 0};
  if (put->checksum == LR_S3_CHECKSUM_SHA256) {
    lr_s3__checksum_b64(hash, checksum);
    h[n++] = (lr_sigv4_pair){"x-amz-checksum-sha256", checksum, 0};
  }
  if (put->sse == LR_S3_SSE_KMS) {
    h[n++] = (lr_sigv4_pair){"x-amz-server-side-encryption", "aws:kms", 0};
    if (put->kms_key_id && *put->kms_key_id)
      h[n++] = (lr_sigv4_pair){"x-amz-server-side-encryption-aws-kms-key-id", put->kms_key_id, 0};
  }
  return n;
}

lr_aws_status lr_s3__location(const lr_aws_endpoint *ep, const char *bucket, const char *key,
                              char *authority, size_t cap, lr_buf *path) {
  char host[LR_AWS_MAX_HOST + 8];
  lr_aws__endpoint_authority(ep, host, sizeof host);
  int path_style = ep->overridden || strchr(bucket, '.') != NULL;
  int n = path_style ? snprintf(authority, cap, "%s", host) : snprintf(authority, cap, "%s.%s", bucket, host);
  if (n < 0 || (size_t)n >= cap) return LR_AWS_BAD_ARGUMENT;
  lr_buf_status bs = lr_buf_adds(path, ep->base_path);
  if (bs == LR_BUF_OK && path_style) bs = lr_buf_addf(path, "/%s", bucket);
  if (bs == LR_BUF_OK) bs = lr_buf_add(path, "/", 1);
  if (bs != LR_BUF_OK) return LR_AWS_NOMEM;
  return lr_sigv4_uri_encode(path, key, strlen(key), 1);
}

lr_aws_status lr_s3_put_object(lr_s3_client *c, const lr_s3_put *put, int64_t deadline_ms,
                               char etag[LR_S3_ETAG_LEN], char err[LR_AWS_ERR_LEN]) {
  if (!c || !etag) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "missing argument");
  etag[0] = '\0';
  lr_aws_status st = lr_s3__put_check(put, err);
  if (st != LR_AWS_OK) return st;
  char hash[LR_SIGV4_HEX_LEN + 1];
  if (lr_sigv4_sha256_hex(put->body, put->body_len, hash) != LR_AWS_OK)
    return lr_aws__fail(err, LR_AWS_CRYPTO, "SHA-256 of the object failed");
  char authority[LR_AWS_MAX_HOST + 80];
  lr_buf path;
  lr_buf_init(&path, LR_SIGV4_MAX_PATH);
  if (lr_s3__location(&c->http.ep, put->bucket, put->key, authority, sizeof authority, &path) != LR_AWS_OK) {
    lr_buf_free(&path);
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the object URL is too long");
  }
  char checksum[64];
  lr_sigv4_pair headers[6];
  size_t nh = put_headers(put, hash, checksum, headers);
  lr_aws_http_req req = {.method = "PUT", .authority = authority, .path = lr_buf_str(&path),
                         .headers = headers, .header_count = nh, .body = put->body,
                         .body_len = put->body_len, .payload_hash = hash};
  st = lr_aws__http_send(&c->http, &req, deadline_ms, err);
  lr_buf_free(&path);
  if (st != LR_AWS_OK) return st;
  if (!c->http.etag[0]) return lr_aws__fail(err, LR_AWS_BAD_RESPONSE, "S3 answered without an ETag");
  snprintf(etag, LR_S3_ETAG_LEN, "%s", c->http.etag);
  return LR_AWS_OK;
}

struct lr_aws_http *lr_s3__http(lr_s3_client *c) { return &c->http; }
