/* The database session: one connection per process, reused across invocations.
 *
 * Opened lazily, on the first statement, not at init: a database that is
 * briefly unreachable (failover, proxy scaling) must cost one request a 503,
 * not fail the init phase (which Lambda then repeats on every invocation), and
 * functions answer things without the database (GET /health). A handler that
 * wants the connection warm calls db_session_connect at init and ignores a
 * failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db_internal.h"

/* The protocol carries the parameter count in 16 bits. */
#define DB_MAX_STATEMENT_PARAMS 65535

db_status db_session_create(const cfg_config *cfg, const db_hooks *hooks, const lr_logger *log,
                            db_session **out, char err[DB_ERR_LEN]) {
  *out = NULL;
  if (!cfg || !(cfg->needs & CFG_NEED_DB) || !cfg->db_host[0]) {
    db__seterr(err, "db_session_create: the config was not loaded with CFG_NEED_DB");
    return DB_BAD_ARGUMENT;
  }
  db_session *s = calloc(1, sizeof *s);
  if (!s) {
    db__seterr(err, "db_session_create: out of memory");
    return DB_NOMEM;
  }
  s->cfg = *cfg;
  if (hooks) s->hooks = *hooks;
  s->log = log;
  s->rng = (unsigned)getpid() ^ (unsigned)time(NULL) ^ 0x9e3779b9u;
  if (!s->rng) s->rng = 1;
  db__token_init(&s->token);
  *out = s;
  return DB_OK;
}

void db_session_free(db_session *s) {
  if (!s) return;
  db__close(s);
  db__token_free(&s->token);
  cfg_clear(&s->cfg);
  free(s);
}

db_status db_session_connect(db_session *s, char err[DB_ERR_LEN]) {
  if (db__alive(s)) return DB_OK;
  return db__open(s, err);
}

db_status db_session_warm(db_session *s, unsigned budget_ms, char err[DB_ERR_LEN]) {
  if (db__alive(s)) return DB_OK;
  int64_t saved = s->deadline_ms;
  s->deadline_ms = db__now_ms() + budget_ms;
  db_status st = db__open_once(s, err);
  s->deadline_ms = saved;
  return st;
}

void db_session_close(db_session *s) { db__close(s); }

const db_error_info *db_session_last_error(const db_session *s) { return &s->last; }

PGconn *db_session_conn(db_session *s, char err[DB_ERR_LEN]) {
  return db_session_connect(s, err) == DB_OK ? s->conn : NULL;
}

int db_session_backend_pid(const db_session *s) { return s->conn ? PQbackendPID(s->conn) : 0; }

unsigned db_session_connects(const db_session *s) { return s->connects; }

void db_session_set_deadline(db_session *s, int64_t deadline_ms) { s->deadline_ms = deadline_ms; }

static void db_remember(db_session *s, const PGresult *res) {
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *cons = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
  snprintf(s->last.sqlstate, sizeof s->last.sqlstate, "%s", state ? state : "");
  snprintf(s->last.constraint, sizeof s->last.constraint, "%s", cons ? cons : "");
}

/* The status of a finished statement. The message is the server's primary
 * message and the constraint, not DETAIL (which quotes row values). */
static db_status db_classify(db_session *s, const PGresult *res, char err[DB_ERR_LEN]) {
  ExecStatusType rs = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK) return DB_OK;
  db_remember(s, res);
  if (PQstatus(s->conn) != CONNECTION_OK) {
    db__seterr(err, "connection lost: %s", PQerrorMessage(s->conn));
    return DB_CONNECTION_LOST;
  }
  if (!res) {
    db__seterr(err, "no result: %s", PQerrorMessage(s->conn));
    return DB_NOMEM;
  }
  if (rs == PGRES_EMPTY_QUERY) {
    db__seterr(err, "empty statement");
    return DB_BAD_ARGUMENT;
  }
  const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  db__seterr(err, "%s: %s%s%s%s", s->last.sqlstate[0] ? s->last.sqlstate : "-----",
             primary ? primary : PQresStatus(rs), s->last.constraint[0] ? " (constraint " : "",
             s->last.constraint, s->last.constraint[0] ? ")" : "");
  return db_status_from_sqlstate(s->last.sqlstate);
}

static db_status db_run(db_session *s, const char *sql, int nparams, const char *const *params,
                        PGresult **res, char err[DB_ERR_LEN]) {
  db_late late;
  PGresult *r = db__execute(s, sql, nparams, params, &late);
  if (late == DB_LATE_NOT_SENT || late == DB_LATE_ABANDONED) {
    db__seterr(err, late == DB_LATE_NOT_SENT
                        ? "the invocation's deadline has passed: statement not sent"
                        : "statement did not stop when cancelled at the deadline: "
                          "connection closed, outcome unknown");
    if (late == DB_LATE_ABANDONED) db__close(s);
    if (s->in_tx && s->tx_error == DB_OK) s->tx_error = DB_TIMEOUT;
    /* in a transaction the closed connection rolls it back (db_tx.c sorts out
     * COMMIT); a lone statement abandoned in flight may have run */
    return late == DB_LATE_ABANDONED && !s->in_tx ? DB_OUTCOME_UNKNOWN : DB_TIMEOUT;
  }
  db_status st = db_classify(s, r, err);
  if (st == DB_OK && res) *res = r;
  else PQclear(r);
  if (st == DB_CONNECTION_LOST) db__close(s);
  return st;
}

static db_status db_exec_in_tx(db_session *s, const char *sql, int nparams,
                               const char *const *params, PGresult **res, char err[DB_ERR_LEN]) {
  if (!s->conn) {
    db__seterr(err, "the connection was lost earlier in this transaction");
    return DB_CONNECTION_LOST;
  }
  db_status st = db_run(s, sql, nparams, params, res, err);
  if (st != DB_OK && s->tx_error == DB_OK) s->tx_error = st;
  return st;
}

db_status db_exec(db_session *s, db_idempotency idem, const char *sql, int nparams,
                  const char *const *params, PGresult **res, char err[DB_ERR_LEN]) {
  if (res) *res = NULL;
  if (!s || !sql || nparams < 0 || nparams > DB_MAX_STATEMENT_PARAMS ||
      (nparams > 0 && !params)) {
    db__seterr(err, "db_exec: invalid argument");
    return DB_BAD_ARGUMENT;
  }
  if (s->in_tx) return db_exec_in_tx(s, sql, nparams, params, res, err);
  /* Broken before sending: nothing ran, so reopening is always safe. */
  if (!db__alive(s)) {
    if (s->conn) db__log(s, LR_LOG_WARN, "database connection found broken; reopening", NULL);
    db_status st = db__open(s, err);
    if (st != DB_OK) return st;
  }
  db_status st = db_run(s, sql, nparams, params, res, err);
  if (st != DB_CONNECTION_LOST) return st;
  if (idem != DB_IDEMPOTENT) {
    db__log(s, LR_LOG_WARN, "connection lost during a statement that may have run; not resent",
            err);
    return st;
  }
  db__log(s, LR_LOG_WARN, "connection lost during an idempotent statement; resending", err);
  st = db__open(s, err);
  return st == DB_OK ? db_run(s, sql, nparams, params, res, err) : st;
}

db_status db_ping(db_session *s, char err[DB_ERR_LEN]) {
  PGresult *r = NULL;
  db_status st = db_exec(s, DB_IDEMPOTENT, "SELECT 1", 0, NULL, &r, err);
  if (st == DB_OK && (PQntuples(r) != 1 || strcmp(PQgetvalue(r, 0, 0), "1") != 0)) {
    db__seterr(err, "ping: unexpected answer");
    st = DB_UNEXPECTED_RESULT;
  }
  PQclear(r);
  return st;
}
