#ifndef CL_H
#define CL_H
/* The cleanup function: the daily archive of old terminal orders to S3 and
 * the outbox relay. The lr_handler is cleanup_handler (cl_handler.c); the
 * pieces below are its parts, public for the tests and the benchmark. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/app.h"
#include "lr/buf.h"
#include "lr/runtime.h"
#include "lr/s3.h"
#include "lr/sqs.h"

#define CL_ERR_LEN 256
#define CL_FAULT_EVENT "Cleanup.BadEvent"
#define CL_FAULT_ARCHIVE "Cleanup.ArchiveFailed"
#define CL_FAULT_OUTBOX "Cleanup.OutboxFailed"

typedef enum cl_task { CL_TASK_ARCHIVE = 1, CL_TASK_OUTBOX = 2 } cl_task;

/* {"task":"archive"}, {"task":"outbox"}, or a bare EventBridge Scheduled
 * Event (archive). Anything else: false with err naming the accepted tasks. */
bool cl_task_parse(const char *event, size_t len, cl_task *out, char err[CL_ERR_LEN]);

/* PREFIX/dt=YYYY-MM-DD/FIRST_LAST.jsonl.gz, dt the UTC date of the batch's
 * first updated_at (an RFC 3339 instant), FIRST/LAST its first and last
 * order ids: the same rows give the same key. A prefix without a trailing '/'
 * gets one. Appends to out; false on a malformed input or a full buffer. */
bool cl_archive_key(const char *prefix, const char *first_updated_at, const char *first_id,
                   const char *last_id, lr_buf *out);

/* gzip (RFC 1952) written as the input comes: deterministic output (no name,
 * mtime 0), so the same lines give the same bytes. */
typedef struct cl_gzip cl_gzip;
/* level 1..9. *out freed with cl_gzip_free; NULL on failure. out grows in dst. */
cl_gzip *cl_gzip_create(int level, lr_buf *dst);
/* false: z is finished, or deflate failed, or dst is full. */
bool cl_gzip_write(cl_gzip *z, const void *p, size_t n);
/* Ends the stream (trailer written into dst); false as for cl_gzip_write. */
bool cl_gzip_finish(cl_gzip *z);
void cl_gzip_free(cl_gzip *z);

/* A batch's object on its way to S3 (cl_upload.c): the gzip writer fills buf;
 * cl_upload_flush after each write sends a part when buf holds one (opening
 * a multipart upload the first time); cl_upload_finish writes the rest (one
 * PutObject when the whole object stayed at or under threshold, else the last
 * part and CompleteMultipartUpload). cl_upload_free aborts an upload still
 * open (a failure, the deadline) and frees. flush and finish return false with
 * err filled when S3 refused or could not be reached. */
typedef struct cl_upload {
  lr_s3_client *s3;
  lr_s3_put spec;   /* bucket, key, headers; body unused */
  lr_buf *buf;
  size_t threshold, part_bytes;
  int64_t deadline_ms;
  long long bytes;  /* written so far */
  lr_s3_upload mp;
} cl_upload;

void cl_upload_init(cl_upload *u, lr_s3_client *s3, const lr_s3_put *spec, lr_buf *buf,
                    size_t threshold, int64_t deadline_ms);
bool cl_upload_flush(cl_upload *u, char err[CL_ERR_LEN]);
bool cl_upload_finish(cl_upload *u, char err[CL_ERR_LEN]);
void cl_upload_free(cl_upload *u, const lr_context *ctx);

typedef struct cl_archive_summary {
  long long archived, objects, bytes, keys_purged;
  int complete;
} cl_archive_summary;

typedef struct cl_outbox_summary {
  long long sent, failed, given_up, oldest_age_seconds;
  int complete;
} cl_outbox_summary;

/* The answers: {"task":"archive","archived":…,"objects":…,"bytes":…,
 * "keys_purged":…,"complete":true|false} and {"task":"outbox","sent":…,
 * "failed":…,"given_up":…,"oldest_age_seconds":…,"complete":…}. */
lr_buf_status cl_archive_summary_json(const cl_archive_summary *s, lr_buf *out);
lr_buf_status cl_outbox_summary_json(const cl_outbox_summary *s, lr_buf *out);

/* Test seams: called between PutObject and the DELETE (after_put), between
 * the claim and SendMessageBatch (before_send), and between a successful
 * SendMessageBatch and the mark of its rows (after_send). NULL: nothing. */
typedef struct cl_hooks {
  void (*after_put)(void *arg, const char *key);
  void (*before_send)(void *arg, size_t n);
  void (*after_send)(void *arg, size_t n);
  void *arg;
} cl_hooks;

typedef struct cl_app {
  app_ctx *app;
  /* The archive's DELETEs run on a connection of their own, beside the next
   * batch's SELECT on app->db (cl_deleter.h); connected on first use. */
  db_session *delete_db;
  lr_s3_client *s3;
  lr_sqs_client *sqs;
  cl_hooks hooks;
} cl_app;

/* Builds the app (config with CFG_NEED_DB | QUEUE | ARCHIVE, session, S3 and
 * SQS clients). hooks may be NULL. Freed with cl_app_free; on failure *out is
 * NULL and fault is filled. */
int cl_app_create(const app_options *opt, const cl_hooks *hooks, const lr_logger *log,
                  cl_app **out, lr_fault *fault);
void cl_app_free(cl_app *a);

/* One invocation: the task from the event, run within ctx->deadline_ms. */
int cl_invoke(cl_app *a, const lr_context *ctx, const char *event, size_t len, lr_buf *response,
              lr_fault *fault);

/* How far one step of a task (a batch, a purge) got: more to do, nothing
 * left, or failed (err says why). */
typedef enum cl_step { CL_STEP_FAILED, CL_STEP_MORE, CL_STEP_DONE } cl_step;

/* The tasks (cl_archive.c, cl_relay.c): deadline_ms is when they must stop
 * (the invocation's deadline minus the time to answer). true when the run
 * went well (sum->complete says whether it finished or stopped at the
 * deadline); false with err filled on a failure (sum holds what was done). */
bool cl_archive_run(cl_app *a, const lr_context *ctx, int64_t deadline_ms, cl_archive_summary *sum,
                   char err[CL_ERR_LEN]);
bool cl_relay_run(cl_app *a, const lr_context *ctx, int64_t deadline_ms, cl_outbox_summary *sum,
                 char err[CL_ERR_LEN]);

#endif
