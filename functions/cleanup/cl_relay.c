/* The outbox relay: rows still unpublished past the grace period go to the
 * queue in SendMessageBatch calls. Claim (a lease, set in one short
 * statement), send with no lock held, then mark. Each row is tried at most
 * once per run; a row whose attempts are used up is left to the alarm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl.h"
#include "cl_sql.h"
#include "lr/clock.h"

/* A claim is made only with this long left before the deadline. */
#define CL_SEND_MIN_MS 1000
/* The lease outlives the run by this much, so no other relay takes a row
 * this one may still be sending (a dead relay's rows come back after it). */
#define CL_LEASE_EXTRA_S 30
#define CL_TS_TEXT 40
#define CL_ID_TEXT 40

typedef struct cl_claim {
  char created_at[CL_TS_TEXT];
  char id[CL_ID_TEXT];
} cl_claim;

static bool fail(char *err, const char *what, const char *cause) {
  snprintf(err, CL_ERR_LEN, "outbox: %s: %s", what, cause);
  return false;
}

static bool claim(cl_app *a, int64_t deadline_ms, const cl_claim *cur, PGresult **rows, char *err) {
  const cfg_config *cfg = &a->app->cfg;
  char grace[16], max[16], lease[24], n[8], dberr[DB_ERR_LEN] = "";
  snprintf(grace, sizeof grace, "%d", cfg->outbox_grace_seconds);
  snprintf(max, sizeof max, "%d", cfg->outbox_max_attempts);
  snprintf(lease, sizeof lease, "%lld", (long long)((deadline_ms - lr_clock_epoch_ms()) / 1000 + CL_LEASE_EXTRA_S));
  snprintf(n, sizeof n, "%d", LR_SQS_BATCH_MAX);
  const char *params[] = {grace, max, lease, cur->created_at[0] ? cur->created_at : NULL,
                          cur->id[0] ? cur->id : NULL, n};
  /* Not resent after a lost connection: a claim that ran would be repeated
   * on other rows while these stay leased; they come back when it expires. */
  if (db_exec(a->app->db, DB_NOT_IDEMPOTENT, CL_SQL_OUTBOX_CLAIM, 6, params, rows, dberr) != DB_OK)
    return fail(err, "claiming rows", dberr);
  if (PQnfields(*rows) != 4 || PQntuples(*rows) > LR_SQS_BATCH_MAX) return fail(err, "claiming rows", "unexpected result shape");
  return true;
}

/* Pauses before marking again the rows a mark passed over (held by another
 * transaction). Another relay's claim holds a row for milliseconds; the
 * worker publishes the rows it holds itself, so the last pause is short too. */
static const int cl_mark_pause_ms[] = {10, 40, 160};
#define CL_MARK_PASSES ((int)(sizeof cl_mark_pause_ms / sizeof cl_mark_pause_ms[0]) + 1)

/* Builds "{id,id}" of rows[i] where want[i]; the count in *n. */
static bool id_array(PGresult *rows, const bool *want, lr_buf *ids, int *n) {
  *n = 0;
  lr_buf_reset(ids);
  bool ok = lr_buf_add(ids, "{", 1) == LR_BUF_OK;
  for (int i = 0; ok && i < PQntuples(rows); i++)
    if (want[i]) ok = lr_buf_addf(ids, "%s%s", (*n)++ ? "," : "", PQgetvalue(rows, i, 0)) == LR_BUF_OK;
  return ok && lr_buf_add(ids, "}", 1) == LR_BUF_OK;
}

/* Clears want[i] for the rows the mark returned. */
static void drop_marked(PGresult *rows, const PGresult *marked, bool *want) {
  for (int j = 0; j < PQntuples(marked); j++)
    for (int i = 0; i < PQntuples(rows); i++)
      if (want[i] && strcmp(PQgetvalue(rows, i, 0), PQgetvalue(marked, j, 0)) == 0) want[i] = false;
}

/* Marks rows[i] where results[i].sent == sent with sql, and again the rows
 * another transaction held, a few times while the deadline allows; a row
 * still held keeps its lease (the worker publishes it, or it is sent again). */
static bool mark(cl_app *a, const char *sql, PGresult *rows, const lr_sqs_batch_result *r, bool sent,
                 int64_t deadline_ms, long long *count, char *err) {
  bool want[LR_SQS_BATCH_MAX] = {false};
  for (int i = 0; i < PQntuples(rows) && i < LR_SQS_BATCH_MAX; i++) want[i] = (r[i].sent != 0) == sent;
  lr_buf ids;
  lr_buf_init(&ids, 1024); /* ten uuids */
  char dberr[DB_ERR_LEN] = "out of memory";
  int n = 0;
  bool ok = id_array(rows, want, &ids, &n);
  *count += n;
  for (int pass = 0; ok && n > 0; pass++) {
    const char *params[] = {lr_buf_str(&ids)};
    PGresult *res = NULL;
    /* Counting an attempt is not idempotent; marking sent is, but one
     * statement shape keeps it simple: a lost connection leaves the lease. */
    ok = db_exec(a->app->db, DB_NOT_IDEMPOTENT, sql, 1, params, &res, dberr) == DB_OK;
    if (ok) drop_marked(rows, res, want);
    PQclear(res);
    if (!ok || pass + 1 == CL_MARK_PASSES) break;
    ok = id_array(rows, want, &ids, &n);
    if (n == 0 || lr_clock_epoch_ms() + cl_mark_pause_ms[pass] + CL_SEND_MIN_MS > deadline_ms) break;
    lr_clock_sleep_ms(cl_mark_pause_ms[pass]);
  }
  lr_buf_free(&ids);
  return ok ? true : fail(err, "marking rows", dberr);
}

/* Sends the claimed rows; false when the request failed as a whole. */
static bool send_rows(cl_app *a, int64_t deadline_ms, PGresult *rows, lr_sqs_batch_result *r, char *err) {
  lr_sqs_batch_entry e[LR_SQS_BATCH_MAX];
  char ids[LR_SQS_BATCH_MAX][4];
  int n = PQntuples(rows) < LR_SQS_BATCH_MAX ? PQntuples(rows) : LR_SQS_BATCH_MAX; /* checked by claim() */
  for (int i = 0; i < n; i++) {
    snprintf(ids[i], sizeof ids[i], "m%c", '0' + i); /* m0..m9 */
    e[i] = (lr_sqs_batch_entry){ids[i], PQgetvalue(rows, i, 1), (size_t)PQgetlength(rows, i, 1),
                                PQgetisnull(rows, i, 2) ? NULL : PQgetvalue(rows, i, 2)};
  }
  if (a->hooks.before_send) a->hooks.before_send(a->hooks.arg, (size_t)n);
  char aerr[LR_AWS_ERR_LEN] = "";
  if (lr_sqs_send_message_batch(a->sqs, a->app->cfg.orders_queue_url, e, (size_t)n, deadline_ms, r, aerr) != LR_AWS_OK)
    return fail(err, "SendMessageBatch", aerr);
  if (a->hooks.after_send) a->hooks.after_send(a->hooks.arg, (size_t)n);
  return true;
}

/* One claim. CL_STEP_FAILED: SQS or the database failed (err says which). */
static cl_step relay_batch(cl_app *a, const lr_context *ctx, int64_t deadline_ms, cl_claim *cur,
                       cl_outbox_summary *sum, char *err) {
  PGresult *rows = NULL;
  if (!claim(a, deadline_ms, cur, &rows, err)) {
    PQclear(rows);
    return CL_STEP_FAILED;
  }
  int n = PQntuples(rows);
  if (n == 0) {
    PQclear(rows);
    return CL_STEP_DONE;
  }
  lr_sqs_batch_result r[LR_SQS_BATCH_MAX];
  bool ok = send_rows(a, deadline_ms, rows, r, err);
  char merr[CL_ERR_LEN] = "";
  if (!mark(a, CL_SQL_OUTBOX_SENT, rows, r, true, deadline_ms, &sum->sent, merr) ||
      !mark(a, CL_SQL_OUTBOX_FAILED, rows, r, false, deadline_ms, &sum->failed, merr)) {
    if (ok) snprintf(err, CL_ERR_LEN, "%s", merr);
    ok = false;
  }
  for (int i = 0; i < n && ctx->log; i++)
    if (!r[i].sent && r[i].code[0] && strcmp(r[i].code, "NotSent") != 0)
      lr_log_kv(ctx->log, LR_LOG_WARN, "outbox: SQS refused a message", "outbox_id", PQgetvalue(rows, i, 0),
                "code", r[i].code, NULL);
  snprintf(cur->created_at, sizeof cur->created_at, "%s", PQgetvalue(rows, n - 1, 3));
  snprintf(cur->id, sizeof cur->id, "%s", PQgetvalue(rows, n - 1, 0));
  PQclear(rows);
  if (!ok) return CL_STEP_FAILED;
  return n < LR_SQS_BATCH_MAX ? CL_STEP_DONE : CL_STEP_MORE;
}

/* The alarm's figures, also after a failed run (that is when they matter). */
static bool relay_state(cl_app *a, cl_outbox_summary *sum, char *err) {
  char grace[16], max[16], dberr[DB_ERR_LEN] = "";
  snprintf(grace, sizeof grace, "%d", a->app->cfg.outbox_grace_seconds);
  snprintf(max, sizeof max, "%d", a->app->cfg.outbox_max_attempts);
  const char *params[] = {grace, max};
  PGresult *res = NULL;
  if (db_exec(a->app->db, DB_IDEMPOTENT, CL_SQL_OUTBOX_STATE, 2, params, &res, dberr) != DB_OK)
    return fail(err, "reading the outbox state", dberr);
  if (PQntuples(res) == 1 && PQnfields(res) == 2) {
    sum->oldest_age_seconds = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    sum->given_up = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
  }
  PQclear(res);
  return true;
}

bool cl_relay_run(cl_app *a, const lr_context *ctx, int64_t deadline_ms, cl_outbox_summary *sum,
                 char err[CL_ERR_LEN]) {
  memset(sum, 0, sizeof *sum);
  cl_claim cur = {"", ""};
  cl_step step = CL_STEP_MORE;
  while (step == CL_STEP_MORE && lr_clock_epoch_ms() + CL_SEND_MIN_MS <= deadline_ms)
    step = relay_batch(a, ctx, deadline_ms, &cur, sum, err);
  sum->complete = step == CL_STEP_DONE;
  char serr[CL_ERR_LEN] = "";
  /* Past the deadline the figures are skipped: the answer comes first. */
  if (lr_clock_epoch_ms() < deadline_ms && !relay_state(a, sum, serr) && step != CL_STEP_FAILED) {
    snprintf(err, CL_ERR_LEN, "%s", serr);
    return false;
  }
  return step != CL_STEP_FAILED;
}
