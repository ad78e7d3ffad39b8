/* See cl_deleter.h. */
#include "cl_deleter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl_sql.h"

void cl_deleter_init(cl_deleter *d, db_session *db) {
  memset(d, 0, sizeof *d);
  d->db = db;
}

static void swap_buf(lr_buf *a, lr_buf *b) {
  lr_buf t = *a;
  *a = *b;
  *b = t;
}

/* Idempotent: a resent DELETE finds nothing more to delete. */
static void *delete_job(void *arg) {
  cl_deleter *d = arg;
  const char *params[] = {lr_buf_str(&d->ids), d->first_ts, d->last_ts};
  PGresult *res = NULL;
  db_session_set_deadline(d->db, d->deadline_ms);
  d->status = db_exec(d->db, DB_IDEMPOTENT, CL_SQL_ARCHIVE_DELETE, 3, params, &res, d->err);
  d->deleted = d->status == DB_OK && PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
  PQclear(res);
  db_session_set_deadline(d->db, 0);
  return NULL;
}

void cl_deleter_start(cl_deleter *d, lr_buf *ids, const char *first_ts, const char *last_ts, lr_buf *key,
                      int rows, int64_t deadline_ms) {
  swap_buf(&d->ids, ids);
  swap_buf(&d->key, key);
  snprintf(d->first_ts, sizeof d->first_ts, "%s", first_ts);
  snprintf(d->last_ts, sizeof d->last_ts, "%s", last_ts);
  d->rows = rows;
  d->deadline_ms = deadline_ms;
  d->status = DB_OK;
  d->deleted = 0;
  d->err[0] = '\0';
  d->started = true;
  d->threaded = pthread_create(&d->thread, NULL, delete_job, d) == 0;
  if (!d->threaded) delete_job(d);
}

db_status cl_deleter_collect(cl_deleter *d, long long *deleted, int *rows, char err[DB_ERR_LEN]) {
  *deleted = 0;
  *rows = 0;
  if (!d->started) return DB_OK;
  if (d->threaded) pthread_join(d->thread, NULL);
  d->started = d->threaded = false;
  *deleted = d->deleted;
  *rows = d->rows;
  if (d->status != DB_OK) snprintf(err, DB_ERR_LEN, "%s", d->err);
  return d->status;
}

void cl_deleter_free(cl_deleter *d) {
  long long deleted;
  int rows;
  char err[DB_ERR_LEN];
  cl_deleter_collect(d, &deleted, &rows, err);
  lr_buf_free(&d->ids);
  lr_buf_free(&d->key);
}
