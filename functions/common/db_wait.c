/* Running one statement within the session's deadline.
 *
 * Lambda stops an invocation at its deadline without warning; a statement
 * still running then leaves no answer and a connection in an unknown state.
 * So the session's deadline is a hard limit for every wait on the server:
 *  - the statement runs until a grace period before it, then is cancelled
 *    (the server answers 57014, and the statement is known not to have taken
 *    effect);
 *  - the cancel request itself is bounded: PQcancel waits for the postmaster
 *    without a time limit, so it runs in a short-lived child process that is
 *    killed when its budget ends;
 *  - if the server has not answered by the deadline, the connection is closed
 *    and the outcome is unknown (the caller answers 503).
 * Whatever the server does (frozen backend, frozen postmaster), db__execute
 * returns by the deadline plus a few milliseconds. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db_internal.h"
#include "lr/clock.h"

/* The end of the wait reserved for the cancel and the server's answer to it. */
#define DB_CANCEL_GRACE_MS 1000
/* The cancel request (connect to the postmaster, send, wait for its close). */
#define DB_CANCEL_SEND_MS 300

/* Deadlines are Lambda's, on the wall clock (lr_context.deadline_ms). */
int64_t db__now_ms(void) { return lr_clock_epoch_ms(); }

int db__wait_fd(int fd, short events, int64_t until_ms) {
  for (;;) {
    int wait = -1;
    int64_t left = 0;
    if (until_ms > 0) {
      left = until_ms - db__now_ms();
      /* past the limit, one look without waiting: what has already arrived
       * (after a slow step, e.g. SCRAM's key derivation) is still taken */
      wait = left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
    }
    struct pollfd pfd = {.fd = fd, .events = events, .revents = 0};
    int n = poll(&pfd, 1, wait);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 && until_ms > 0 && left <= 0) return 0;
    if (n == 0) continue; /* woke early: the loop head looks at the clock again */
    return n < 0 ? -1 : 1;
  }
}

typedef enum db_pump_result { DB_PUMP_DONE = 0, DB_PUMP_LATE = 1 } db_pump_result;

/* Reads until the statement's results are complete or until_ms (epoch ms; 0:
 * no limit) passes. A read error also ends it: PQgetResult then reports it. */
static db_pump_result db_pump(PGconn *conn, int64_t until_ms) {
  while (PQisBusy(conn)) {
    int n = db__wait_fd(PQsocket(conn), POLLIN, until_ms);
    if (n == 0) return DB_PUMP_LATE;
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

/* PQcancel in a child process (it only uses socket calls, as it is meant to
 * run in a signal handler), killed if it has not finished by until_ms. The
 * child holds the write end of a pipe: its end closes it. */
static void db_cancel_bounded(PGconn *conn, int64_t until_ms) {
  PGcancel *c = PQgetCancel(conn);
  int p[2];
  if (!c || pipe2(p, O_CLOEXEC) != 0) {
    PQfreeCancel(c);
    return;
  }
  pid_t pid = fork();
  if (pid == 0) {
    char buf[256];
    close(p[0]);
    _exit(PQcancel(c, buf, sizeof buf) ? 0 : 1);
  }
  PQfreeCancel(c);
  close(p[1]);
  if (pid > 0) {
    char b;
    if (db__wait_fd(p[0], POLLIN, until_ms) == 0) kill(pid, SIGKILL);
    else while (read(p[0], &b, 1) < 0 && errno == EINTR) {}
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
  }
  close(p[0]);
}

static int64_t db_min(int64_t a, int64_t b) { return a < b ? a : b; }

PGresult *db__execute(db_session *s, const char *sql, int nparams, const char *const *params,
                      db_late *late) {
  *late = DB_NOT_LATE;
  int64_t hard = s->deadline_ms, now = db__now_ms();
  if (hard > 0 && now >= hard) {
    *late = DB_LATE_NOT_SENT;
    return NULL;
  }
  PGconn *conn = s->conn;
  if (!PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0)) return NULL;
  /* a short deadline keeps half of what is left for the cancel */
  int64_t cancel_at = hard > 0 ? hard - db_min(DB_CANCEL_GRACE_MS, (hard - now) / 2) : 0;
  if (db_pump(conn, cancel_at) == DB_PUMP_LATE) {
    db__log(s, LR_LOG_WARN, "statement still running near the deadline; cancelling", NULL);
    db_cancel_bounded(conn, db_min(db__now_ms() + DB_CANCEL_SEND_MS, hard));
    if (db_pump(conn, hard) == DB_PUMP_LATE) {
      db__log(s, LR_LOG_ERROR, "the server did not answer the cancel by the deadline; "
                               "closing the connection, outcome unknown", NULL);
      *late = DB_LATE_ABANDONED;
      return NULL;
    }
    *late = DB_LATE_CANCELLED;
  }
  return db_collect(conn);
}
