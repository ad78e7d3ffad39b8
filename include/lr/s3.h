#ifndef LR_S3_H
#define LR_S3_H
/* A tiny S3 client: PutObject and multipart uploads, SigV4-signed with the body's SHA-256, with
 * bounded retries. Implemented in runtime/aws/s3.c.
 *
 * Virtual-hosted URLs (https://BUCKET.s3.REGION.amazonaws.com/KEY) in AWS;
 * path-style (ENDPOINT/BUCKET/KEY) when an endpoint override is set, and for
 * bucket names with dots (they would not match the TLS wildcard). One client
 * per process, kept in the app context; not safe to share between threads. */
#include <stddef.h>
#include <stdint.h>

#include "lr/aws.h"
#include "lr/buf.h"

#define LR_S3_ETAG_LEN 128
#define LR_S3_MAX_KEY 1024
/* One PutObject body held in memory: bounded well under a Lambda's memory. */
#define LR_S3_MAX_PUT_BYTES (100u * 1024u * 1024u)

typedef struct lr_s3_client lr_s3_client;

typedef enum lr_s3_checksum {
  LR_S3_CHECKSUM_NONE = 0,
  LR_S3_CHECKSUM_SHA256 = 1 /* x-amz-checksum-sha256: S3 refuses a body that does not match */
} lr_s3_checksum;

typedef enum lr_s3_sse {
  LR_S3_SSE_DEFAULT = 0, /* no header: the bucket's default encryption */
  LR_S3_SSE_KMS = 1      /* x-amz-server-side-encryption: aws:kms (+ the key id when set) */
} lr_s3_sse;

typedef struct lr_s3_put {
  const char *bucket;            /* 3-63 of [a-z0-9.-] */
  const char *key;               /* 1..LR_S3_MAX_KEY bytes, no control characters */
  const void *body;
  size_t body_len;               /* 0..LR_S3_MAX_PUT_BYTES */
  const char *content_type;      /* NULL: application/octet-stream */
  const char *content_encoding;  /* NULL or "": none; e.g. "gzip" */
  lr_s3_checksum checksum;
  lr_s3_sse sse;
  const char *kms_key_id;        /* with LR_S3_SSE_KMS: NULL or "": the account's aws/s3 key */
} lr_s3_put;

/* Creates a client; *out is freed with lr_s3_client_free. Nothing to free on
 * failure (*out is NULL). */
lr_aws_status lr_s3_client_create(lr_s3_client **out, const lr_aws_client_config *cfg,
                                  char err[LR_AWS_ERR_LEN]);
/* NULL-safe; scrubs the credentials. */
void lr_s3_client_free(lr_s3_client *c);

/* Writes one object (a whole replacement: a retry or a rerun with the same key
 * is safe). Retries throttling (SlowDown, 503), 5xx and transport failures
 * while attempts remain and deadline_ms allows. On success etag holds the
 * ETag as S3 sent it (with its quotes). */
lr_aws_status lr_s3_put_object(lr_s3_client *c, const lr_s3_put *put, int64_t deadline_ms,
                               char etag[LR_S3_ETAG_LEN], char err[LR_AWS_ERR_LEN]);

/* ---- multipart upload (runtime/aws/s3_multipart.c) --------------------
 * For an object written as it is produced, in parts, so that memory holds one
 * part and not the object: begin (CreateMultipartUpload, with the put's
 * Content-Type, Content-Encoding, SSE-KMS headers and, with
 * LR_S3_CHECKSUM_SHA256, x-amz-checksum-algorithm), then parts 1, 2, ... in
 * order (UploadPart, each with its x-amz-checksum-sha256 when asked), then
 * complete (CompleteMultipartUpload). Nothing is visible under the key before
 * complete succeeded. On any failure the caller calls lr_s3_upload_abort
 * (AbortMultipartUpload), so that no parts are left billed; a bucket lifecycle
 * rule (AbortIncompleteMultipartUpload) catches a process that died. Every
 * call is bounded by its deadline_ms. */
#define LR_S3_MIN_PART_BYTES (5u * 1024u * 1024u) /* every part but the last: S3's minimum */
#define LR_S3_MAX_PARTS 10000
#define LR_S3_UPLOAD_ID_LEN 512

typedef struct lr_s3_upload {
  lr_s3_put spec;                      /* bucket, key, headers (body unused); the caller's strings */
  char upload_id[LR_S3_UPLOAD_ID_LEN]; /* "" when no upload is open */
  int parts;                           /* parts uploaded */
  long long bytes;                     /* bytes uploaded */
  lr_buf manifest;                     /* the <Part> elements of CompleteMultipartUpload */
} lr_s3_upload;

void lr_s3_upload_init(lr_s3_upload *u);
/* Frees the manifest; does not abort (call lr_s3_upload_abort first). */
void lr_s3_upload_free(lr_s3_upload *u);

/* CreateMultipartUpload for spec (kept by pointer: its strings must outlive
 * the upload). An answer without a usable UploadId is LR_AWS_BAD_RESPONSE. */
lr_aws_status lr_s3_upload_begin(lr_s3_client *c, lr_s3_upload *u, const lr_s3_put *spec,
                                 int64_t deadline_ms, char err[LR_AWS_ERR_LEN]);
/* UploadPart number u->parts + 1 (1..LR_S3_MAX_PARTS), len 1..LR_S3_MAX_PUT_BYTES
 * (S3 wants at least LR_S3_MIN_PART_BYTES in every part but the last). */
lr_aws_status lr_s3_upload_part(lr_s3_client *c, lr_s3_upload *u, const void *body, size_t len,
                                int64_t deadline_ms, char err[LR_AWS_ERR_LEN]);
/* CompleteMultipartUpload of the parts so far (at least one). S3 may answer
 * 200 with an <Error> body: that is a failure (retried while transient and
 * the deadline allows), and so is a 200 without a CompleteMultipartUploadResult.
 * On success etag holds the object's ETag and the upload is closed. */
lr_aws_status lr_s3_upload_complete(lr_s3_client *c, lr_s3_upload *u, int64_t deadline_ms,
                                    char etag[LR_S3_ETAG_LEN], char err[LR_AWS_ERR_LEN]);
/* AbortMultipartUpload when an upload is open (NoSuchUpload counts as done);
 * the upload is closed either way (a failed abort is left to the lifecycle
 * rule). LR_AWS_OK when nothing was open. */
lr_aws_status lr_s3_upload_abort(lr_s3_client *c, lr_s3_upload *u, int64_t deadline_ms,
                                 char err[LR_AWS_ERR_LEN]);

#endif
