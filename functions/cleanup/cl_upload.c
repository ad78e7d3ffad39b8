/* Where a batch's gzip bytes go: held in memory up to the multipart
 * threshold and written with one PutObject; past it, a multipart upload whose
 * parts are sent as the buffer fills, so that memory holds one part whatever
 * the batch. The bytes (and so the object) are the same either way. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cl.h"

/* Abort gets this long past the run's deadline: it is inside the answer's
 * margin (cl_handler.c), and a failed abort is left to the bucket's
 * AbortIncompleteMultipartUpload lifecycle rule. */
#define CL_ABORT_MS 1000

static bool fail(char *err, const char *what, const char *cause) {
  snprintf(err, CL_ERR_LEN, "archive: %s: %s", what, cause);
  return false;
}

void cl_upload_init(cl_upload *u, lr_s3_client *s3, const lr_s3_put *spec, lr_buf *buf,
                    size_t threshold, int64_t deadline_ms) {
  memset(u, 0, sizeof *u);
  u->s3 = s3;
  u->spec = *spec;
  u->buf = buf;
  u->threshold = threshold;
  u->part_bytes = threshold > LR_S3_MIN_PART_BYTES ? threshold : LR_S3_MIN_PART_BYTES;
  u->deadline_ms = deadline_ms;
  lr_s3_upload_init(&u->mp);
}

static bool send_part(cl_upload *u, char *err) {
  char aerr[LR_AWS_ERR_LEN] = "";
  if (!u->mp.upload_id[0] && lr_s3_upload_begin(u->s3, &u->mp, &u->spec, u->deadline_ms, aerr) != LR_AWS_OK)
    return fail(err, "CreateMultipartUpload", aerr);
  if (lr_s3_upload_part(u->s3, &u->mp, u->buf->data, u->buf->len, u->deadline_ms, aerr) != LR_AWS_OK)
    return fail(err, "UploadPart", aerr);
  u->bytes += (long long)u->buf->len;
  lr_buf_reset(u->buf);
  return true;
}

bool cl_upload_flush(cl_upload *u, char err[CL_ERR_LEN]) {
  if (u->buf->len < u->part_bytes) return true;
  return send_part(u, err);
}

bool cl_upload_finish(cl_upload *u, char err[CL_ERR_LEN]) {
  char aerr[LR_AWS_ERR_LEN] = "", etag[LR_S3_ETAG_LEN];
  if (!u->mp.upload_id[0] && u->buf->len <= u->threshold) {
    lr_s3_put put = u->spec;
    put.body = u->buf->data;
    put.body_len = u->buf->len;
    if (lr_s3_put_object(u->s3, &put, u->deadline_ms, etag, aerr) != LR_AWS_OK) return fail(err, "PutObject", aerr);
    u->bytes += (long long)u->buf->len;
    return true;
  }
  if (u->buf->len > 0 && !send_part(u, err)) return false;
  if (lr_s3_upload_complete(u->s3, &u->mp, u->deadline_ms, etag, aerr) != LR_AWS_OK)
    return fail(err, "CompleteMultipartUpload", aerr);
  return true;
}

void cl_upload_free(cl_upload *u, const lr_context *ctx) {
  if (u->mp.upload_id[0]) {
    char aerr[LR_AWS_ERR_LEN] = "";
    if (lr_s3_upload_abort(u->s3, &u->mp, u->deadline_ms + CL_ABORT_MS, aerr) != LR_AWS_OK && ctx && ctx->log)
      lr_log_kv(ctx->log, LR_LOG_WARN, "archive: AbortMultipartUpload failed; the lifecycle rule will",
                "error", aerr, NULL);
  }
  lr_s3_upload_free(&u->mp);
}
