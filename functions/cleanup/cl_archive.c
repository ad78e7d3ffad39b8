/* The archive: batches of old terminal orders to S3 as gzip JSON Lines, each
 * deleted only once S3 has confirmed its object, that DELETE running beside
 * the next batch (cl_deleter.h); then expired idempotency keys. Stops when
 * the next batch might not finish before the deadline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl.h"
#include "cl_deleter.h"
#include "cl_sql.h"
#include "lr/clock.h"

/* A batch is started only with at least this long left, and twice the last
 * batch's duration: the DELETE must not be cut off after the PUT. */
#define CL_BATCH_MIN_MS 1000
/* gzip -6 costs ~3x -1 for ~20 % smaller objects; the archive is written
 * once and read rarely, and -1 keeps the job near the floor's throughput. */
#define CL_GZIP_LEVEL 1
#define CL_PURGE_ROWS 10000
#define CL_ID_TEXT 40
#define CL_TS_TEXT 40
/* {id,...} of a batch: 50,000 ids of 37 bytes */
#define CL_ARRAY_MAX (4u * 1024u * 1024u)

typedef struct cl_batch {
  PGresult *rows;
  int n;
  lr_buf object;   /* the gzip bytes not yet sent */
  long long bytes; /* the object's size */
  lr_buf key;
  lr_buf ids;      /* {id,...} for the DELETE */
} cl_batch;

typedef struct cl_cursor {
  char updated_at[CL_TS_TEXT];
  char id[CL_ID_TEXT];
} cl_cursor;

static void batch_init(cl_batch *b) {
  memset(b, 0, sizeof *b);
  lr_buf_init(&b->object, LR_S3_MAX_PUT_BYTES);
  lr_buf_init(&b->key, LR_S3_MAX_KEY);
  lr_buf_init(&b->ids, CL_ARRAY_MAX);
}

static void batch_free(cl_batch *b) {
  PQclear(b->rows);
  b->rows = NULL;
  lr_buf_free(&b->object);
  lr_buf_free(&b->key);
  lr_buf_free(&b->ids);
}

static bool fail(char *err, const char *what, const char *cause) {
  snprintf(err, CL_ERR_LEN, "archive: %s: %s", what, cause);
  return false;
}

static bool batch_select(cl_app *a, const cl_cursor *cur, cl_batch *b, char *err) {
  char days[16], limit[16], dberr[DB_ERR_LEN] = "";
  snprintf(days, sizeof days, "%d", a->app->cfg.order_retention_days);
  snprintf(limit, sizeof limit, "%d", a->app->cfg.archive_batch_rows);
  const char *params[] = {days, cur->updated_at[0] ? cur->updated_at : NULL,
                          cur->id[0] ? cur->id : NULL, limit};
  db_status st = db_exec(a->app->db, DB_IDEMPOTENT, CL_SQL_ARCHIVE_BATCH, 4, params, &b->rows, dberr);
  if (st != DB_OK) return fail(err, "selecting a batch", dberr);
  if (PQnfields(b->rows) != 3) return fail(err, "selecting a batch", "unexpected columns");
  b->n = PQntuples(b->rows);
  return true;
}

static lr_buf_status add_row_id(cl_batch *b, int i) {
  lr_buf_status bs = i > 0 ? lr_buf_add(&b->ids, ",", 1) : LR_BUF_OK;
  return bs == LR_BUF_OK ? lr_buf_add(&b->ids, PQgetvalue(b->rows, i, 1), (size_t)PQgetlength(b->rows, i, 1)) : bs;
}

/* The rows gzipped into the object as they are encoded (cl_upload sends the
 * parts of a large one), the DELETE's arrays beside. */
static bool batch_write(cl_app *a, cl_batch *b, int64_t deadline_ms, const lr_context *ctx, char *err) {
  const cfg_config *cfg = &a->app->cfg;
  if (!cl_archive_key(cfg->archive_prefix, PQgetvalue(b->rows, 0, 2), PQgetvalue(b->rows, 0, 1),
                     PQgetvalue(b->rows, b->n - 1, 1), &b->key))
    return fail(err, "naming the object", "the prefix is too long or a row is malformed");
  lr_s3_put spec = {.bucket = cfg->archive_bucket, .key = lr_buf_str(&b->key), .content_type = "application/gzip",
                    .checksum = LR_S3_CHECKSUM_SHA256, .sse = LR_S3_SSE_KMS, .kms_key_id = cfg->archive_kms_key_id};
  cl_upload up;
  cl_upload_init(&up, a->s3, &spec, &b->object, (size_t)cfg->archive_multipart_threshold, deadline_ms);
  cl_gzip *z = cl_gzip_create(CL_GZIP_LEVEL, &b->object);
  bool ok = z != NULL && lr_buf_add(&b->ids, "{", 1) == LR_BUF_OK;
  bool sent = true; /* false once S3 failed: err then says why */
  for (int i = 0; ok && sent && i < b->n; i++) {
    ok = cl_gzip_write(z, PQgetvalue(b->rows, i, 0), (size_t)PQgetlength(b->rows, i, 0)) &&
         cl_gzip_write(z, "\n", 1) && add_row_id(b, i) == LR_BUF_OK;
    if (ok) sent = cl_upload_flush(&up, err);
  }
  ok = ok && sent && cl_gzip_finish(z) && lr_buf_add(&b->ids, "}", 1) == LR_BUF_OK;
  cl_gzip_free(z);
  if (sent && !ok) sent = fail(err, "encoding a batch", "out of memory or over the object limit");
  if (sent) sent = cl_upload_finish(&up, err);
  b->bytes = up.bytes;
  cl_upload_free(&up, ctx); /* aborts an upload that did not complete */
  return sent;
}

/* The previous batch's DELETE, which ran while this one was read and sent:
 * counted, or the run fails (its rows stay, and its object is rewritten
 * under the same key by the next run). */
static bool collect_delete(cl_deleter *del, const lr_context *ctx, cl_archive_summary *sum, char *err) {
  long long deleted = 0;
  int rows = 0;
  char dberr[DB_ERR_LEN] = "";
  if (cl_deleter_collect(del, &deleted, &rows, dberr) != DB_OK)
    return fail(err, "deleting an archived batch", dberr);
  sum->archived += deleted;
  if (deleted != rows && ctx->log)
    lr_log_kv(ctx->log, LR_LOG_WARN, "archive: rows changed since they were read stay for the next run",
              "key", lr_buf_str(&del->key), NULL);
  return true;
}

/* One batch. Its DELETE is started, not awaited: the next batch, or the end
 * of the run, collects it. */
static cl_step archive_batch(cl_app *a, const lr_context *ctx, int64_t deadline_ms, cl_cursor *cur,
                             cl_deleter *del, cl_archive_summary *sum, char *err) {
  cl_batch b;
  batch_init(&b);
  cl_step step = batch_select(a, cur, &b, err) ? CL_STEP_MORE : CL_STEP_FAILED;
  if (step == CL_STEP_MORE && b.n == 0) step = CL_STEP_DONE;
  if (step == CL_STEP_MORE && !batch_write(a, &b, deadline_ms, ctx, err)) step = CL_STEP_FAILED;
  if (step == CL_STEP_MORE && a->hooks.after_put) a->hooks.after_put(a->hooks.arg, lr_buf_str(&b.key));
  if (step == CL_STEP_MORE && !collect_delete(del, ctx, sum, err)) step = CL_STEP_FAILED;
  if (step == CL_STEP_MORE) {
    sum->objects++;
    sum->bytes += b.bytes;
    snprintf(cur->updated_at, sizeof cur->updated_at, "%s", PQgetvalue(b.rows, b.n - 1, 2));
    snprintf(cur->id, sizeof cur->id, "%s", PQgetvalue(b.rows, b.n - 1, 1));
    if (b.n < a->app->cfg.archive_batch_rows) step = CL_STEP_DONE;
    cl_deleter_start(del, &b.ids, PQgetvalue(b.rows, 0, 2), PQgetvalue(b.rows, b.n - 1, 2), &b.key, b.n,
                     deadline_ms);
  }
  batch_free(&b);
  return step;
}

/* CL_STEP_MORE: stopped at the deadline with keys left. */
static cl_step purge_keys(cl_app *a, int64_t deadline_ms, cl_archive_summary *sum, char *err) {
  char limit[16], dberr[DB_ERR_LEN] = "";
  snprintf(limit, sizeof limit, "%d", CL_PURGE_ROWS);
  const char *params[] = {limit};
  for (;;) {
    if (lr_clock_epoch_ms() + CL_BATCH_MIN_MS > deadline_ms) return CL_STEP_MORE;
    PGresult *res = NULL;
    db_status st = db_exec(a->app->db, DB_IDEMPOTENT, CL_SQL_KEYS_PURGE, 1, params, &res, dberr);
    if (st != DB_OK) {
      fail(err, "purging idempotency keys", dberr);
      return CL_STEP_FAILED;
    }
    long long n = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    sum->keys_purged += n;
    if (n < CL_PURGE_ROWS) return CL_STEP_DONE;
  }
}

/* The batches, each DELETE overlapping the next batch. CL_STEP_MORE:
 * stopped for the deadline (incomplete). */
static cl_step archive_batches(cl_app *a, const lr_context *ctx, int64_t deadline_ms, cl_archive_summary *sum,
                               char *err) {
  cl_deleter del;
  cl_deleter_init(&del, a->delete_db);
  cl_cursor cur = {"", ""};
  int64_t last_ms = 0;
  cl_step step = CL_STEP_MORE;
  for (;;) {
    int64_t start = lr_clock_epoch_ms();
    int64_t reserve = 2 * last_ms > CL_BATCH_MIN_MS ? 2 * last_ms : CL_BATCH_MIN_MS;
    if (start + reserve > deadline_ms) break; /* incomplete: the next run goes on */
    step = archive_batch(a, ctx, deadline_ms, &cur, &del, sum, err);
    last_ms = lr_clock_epoch_ms() - start;
    if (step != CL_STEP_MORE) break;
  }
  char late[CL_ERR_LEN] = "";
  /* the first failure is the one told */
  bool deleted = collect_delete(&del, ctx, sum, step == CL_STEP_FAILED ? late : err);
  cl_deleter_free(&del);
  return deleted ? step : CL_STEP_FAILED;
}

bool cl_archive_run(cl_app *a, const lr_context *ctx, int64_t deadline_ms, cl_archive_summary *sum,
                    char err[CL_ERR_LEN]) {
  memset(sum, 0, sizeof *sum);
  cl_step step = archive_batches(a, ctx, deadline_ms, sum, err);
  if (step == CL_STEP_FAILED) return false;
  if (step == CL_STEP_MORE) return true; /* stopped for the deadline: incomplete */
  step = purge_keys(a, deadline_ms, sum, err);
  if (step == CL_STEP_FAILED) return false;
  sum->complete = step == CL_STEP_DONE;
  return true;
}
