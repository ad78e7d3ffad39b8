/* Running one statement within the session's deadline.
 *
 * Lambda stops an invocation at its deadline without warning; a statement
 * still running then leaves no answer and a connection in an unknown state.
 * So statements run asynchronously: when the deadline passes, the statement is
 * cancelled (the server answers 57014, and the statement is known not to have
 * taken effect); if the server does not stop within a short grace period the
 * connection is closed and the outcome is unknown. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <time.h>

#include "db_internal.h"

#define DB_CANCEL_GRACE_MS 2000

int64_t db__now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef enum db_pump_result { DB_PUMP_DONE = 0, DB_PUMP_LATE = 1 } db_pump_result;

/* Reads until the statement's results are complete or until_ms (epoch ms; 0:
 * no limit) passes. A read error also ends it: PQgetResult then reports it. */
static db_pump_result db_pump(PGconn *conn, int64_t until_ms) {
  while (PQisBusy(conn)) {
    int wait = -1;
    if (until_ms > 0) {
      int64_t left = until_ms - db__now_ms();
      if (left <= 0) return DB_PUMP_LATE;
      wait = left > INT_MAX ? INT_MAX : (int)left;
    }
    struct pollfd pfd = {.fd = PQsocket(conn), .events = POLLIN, .revents = 0};
    int n = poll(&pfd, 1, wait);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) continue;
    if (n < 0 || !PQconsumeInput(conn)) return DB_PUMP_DONE;
  }
  return DB_PUMP_DONE;
}

/* The statement's result: the first error if there is one, else the last. */
static PGresult *db_collect(PGconn *conn) {
  PGresult *keep = NULL, *r;
  while ((r = PQgetResult(conn)) != NULL) {
    ExecStatusType ks = keep ? PQresultStatus(keep) : PGRES_COMMAND_OK;
    if (keep && (ks == PGRES_FATAL_ERROR || ks == PGRES_NONFATAL_ERROR)) {
      PQclear(r);
      continue;
    }
    PQclear(keep);
    keep = r;
  }
  return keep;
}

static void db_cancel(PGconn *conn) {
  PGcancel *c = PQgetCancel(conn);
  char buf[256];
  if (c) PQcancel(c, buf, sizeof buf);
  PQfreeCancel(c);
}

PGresult *db__execute(db_session *s, const char *sql, int nparams, const char *const *params,
                      db_late *late) {
  *late = DB_NOT_LATE;
  if (s->deadline_ms > 0 && db__now_ms() >= s->deadline_ms) {
    *late = DB_LATE_NOT_SENT;
    return NULL;
  }
  PGconn *conn = s->conn;
  if (!PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0)) return NULL;
  if (db_pump(conn, s->deadline_ms) == DB_PUMP_LATE) {
    db__log(s, LR_LOG_WARN, "statement still running at the deadline; cancelling", NULL);
    db_cancel(conn);
    if (db_pump(conn, db__now_ms() + DB_CANCEL_GRACE_MS) == DB_PUMP_LATE) {
      *late = DB_LATE_ABANDONED;
      return NULL;
    }
    *late = DB_LATE_CANCELLED;
  }
  return db_collect(conn);
}
