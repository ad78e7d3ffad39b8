#ifndef CL_DELETER_H
#define CL_DELETER_H
/* The DELETE of an archived batch on a database connection of its own, in a
 * thread: it runs while the next batch is read, gzipped and sent to S3, so a
 * batch costs about the longer of the two rather than their sum. The
 * connection is a second db_session (cl_app.delete_db): a session belongs to
 * one thread at a time, and the DELETE and the next SELECT touch disjoint
 * rows. Without a thread (pthread_create failed) the DELETE runs inline. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/db.h"
#include "lr/buf.h"

#define CL_DELETER_TS_LEN 40 /* an RFC 3339 instant with microseconds */

typedef struct cl_deleter {
  db_session *db; /* borrowed */
  pthread_t thread;
  bool started;   /* a job was handed over and not collected yet */
  bool threaded;  /* that job runs in thread */
  /* the job: the batch's {id,...}, its first and last updated_at, and its
   * object's key (for the log) */
  lr_buf ids, key;
  char first_ts[CL_DELETER_TS_LEN], last_ts[CL_DELETER_TS_LEN];
  int rows;
  int64_t deadline_ms;
  /* its outcome */
  db_status status;
  long long deleted;
  char err[DB_ERR_LEN];
} cl_deleter;

void cl_deleter_init(cl_deleter *d, db_session *db);
/* Takes over ids and key (swapped with the deleter's spent buffers, which
 * the caller frees) and starts the DELETE of those rows whose updated_at is
 * still within [first_ts, last_ts], bounded by deadline_ms. A job still
 * running must have been collected first. */
void cl_deleter_start(cl_deleter *d, lr_buf *ids, const char *first_ts, const char *last_ts, lr_buf *key,
                      int rows, int64_t deadline_ms);
/* Waits for the job (its DELETE ends by its deadline) and gives its outcome;
 * DB_OK with *deleted 0 when there was none. */
db_status cl_deleter_collect(cl_deleter *d, long long *deleted, int *rows, char err[DB_ERR_LEN]);
/* Collects a job still running, then frees the buffers. */
void cl_deleter_free(cl_deleter *d);

#endif
