#ifndef COMMON_DB_H
#define COMMON_DB_H
/* The database session of a function: one PostgreSQL connection per process,
 * reused across invocations, reopened when it breaks.
 *
 * RDS Proxy multiplexes a client connection only while the session holds no
 * state, so everything here runs as unnamed PQexecParams statements: no SET, no
 * named prepared statements, no temporary tables, no advisory locks (migrate
 * uses db_session_conn() for those, and pins its connection knowingly).
 *
 *   PGresult *res;
 *   const char *params[] = {order_id};
 *   db_status st = db_exec(s, DB_IDEMPOTENT, SQL_ORDER_GET, 1, params, &res, err);
 *   if (st == DB_OK) { ...; PQclear(res); }
 *
 * Errors: every function returns a db_status (0 = DB_OK) and fills a caller-owned
 * char err[DB_ERR_LEN] with a message safe to log: never a password or token;
 * for a failed statement, the SQLSTATE, the server's primary message (which may
 * quote the one value it rejected, e.g. a malformed uuid) and the constraint,
 * never the DETAIL line with the row's values. */
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libpq-fe.h>

#include "common/config.h"
#include "lr/aws.h"
#include "lr/buf.h"
#include "lr/log.h"

#define DB_ERR_LEN 512

/* What the caller may do about a failure. */
typedef enum db_retry_hint {
  DB_RETRY_NO = 0,    /* retrying the same thing gives the same answer */
  DB_RETRY_TX = 1,    /* the transaction was rolled back: running it again may succeed */
  DB_RETRY_LATER = 2  /* the database is unreachable or overloaded right now */
} db_retry_hint;

/* X(name, value, message, http status, retry hint, Lambda errorType).
 * Values are never renumbered. */
#define DB_STATUS_MAP(X)                                                                          \
  X(OK, 0, "ok", 200, DB_RETRY_NO, "")                                                            \
  X(BAD_ARGUMENT, 1, "invalid argument", 500, DB_RETRY_NO, "Database.BadArgument")                \
  X(NOMEM, 2, "out of memory", 500, DB_RETRY_NO, "Database.OutOfMemory")                          \
  X(CONNECT, 3, "cannot connect to the database", 503, DB_RETRY_LATER, "Database.Connect")       \
  X(AUTH, 4, "the database refused the credentials", 503, DB_RETRY_LATER, "Database.Auth")        \
  X(TOKEN, 5, "cannot make the IAM auth token", 503, DB_RETRY_LATER, "Database.Token")            \
  X(CONNECTION_LOST, 6, "the connection to the database was lost", 503, DB_RETRY_LATER,           \
    "Database.ConnectionLost")                                                                    \
  X(COMMIT_UNKNOWN, 7, "the connection was lost during COMMIT: the outcome is unknown", 503,      \
    DB_RETRY_LATER, "Database.CommitUnknown")                                                     \
  X(TIMEOUT, 8, "the statement was cancelled or timed out", 503, DB_RETRY_LATER,                  \
    "Database.Timeout")                                                                           \
  X(UNIQUE_VIOLATION, 9, "unique constraint violated", 409, DB_RETRY_NO,                          \
    "Database.UniqueViolation")                                                                   \
  X(FOREIGN_KEY_VIOLATION, 10, "foreign key constraint violated", 422, DB_RETRY_NO,               \
    "Database.ForeignKeyViolation")                                                               \
  X(CHECK_VIOLATION, 11, "check constraint violated", 422, DB_RETRY_NO,                           \
    "Database.CheckViolation")                                                                    \
  X(NOT_NULL_VIOLATION, 12, "not-null constraint violated", 422, DB_RETRY_NO,                     \
    "Database.NotNullViolation")                                                                  \
  X(SERIALIZATION_FAILURE, 13, "serialization failure", 503, DB_RETRY_TX,                         \
    "Database.SerializationFailure")                                                              \
  X(DEADLOCK, 14, "deadlock detected", 503, DB_RETRY_TX, "Database.Deadlock")                     \
  X(LOCK_NOT_AVAILABLE, 15, "lock not available", 503, DB_RETRY_LATER,                            \
    "Database.LockNotAvailable")                                                                  \
  X(DATA_EXCEPTION, 16, "invalid data for the statement", 400, DB_RETRY_NO,                       \
    "Database.DataException")                                                                     \
  X(READ_ONLY, 17, "the database is read-only (failover in progress?)", 503, DB_RETRY_LATER,      \
    "Database.ReadOnly")                                                                          \
  X(OVERLOADED, 18, "the database is out of connections or resources", 503, DB_RETRY_LATER,       \
    "Database.Overloaded")                                                                        \
  X(QUERY, 19, "the statement failed", 500, DB_RETRY_NO, "Database.QueryFailed")                  \
  X(UNEXPECTED_RESULT, 20, "the result does not have the expected shape", 500, DB_RETRY_NO,       \
    "Database.UnexpectedResult")                                                                  \
  X(EXCLUSION_VIOLATION, 21, "exclusion constraint violated", 409, DB_RETRY_NO,                   \
    "Database.ExclusionViolation")                                                                \
  X(OUTCOME_UNKNOWN, 22, "the server did not answer by the deadline: the outcome is unknown",     \
    503, DB_RETRY_LATER, "Database.OutcomeUnknown")

typedef enum db_status {
#define DB_ENUM(name, value, msg, http, retry, type) DB_##name = value,
  DB_STATUS_MAP(DB_ENUM)
#undef DB_ENUM
} db_status;

const char *db_status_name(db_status st);
const char *db_status_message(db_status st);
int db_status_http(db_status st);
db_retry_hint db_status_retry(db_status st);
const char *db_status_error_type(db_status st);

/* A SQLSTATE (5 characters; NULL or malformed: DB_QUERY) to a status. */
db_status db_status_from_sqlstate(const char *sqlstate);

/* Whether a statement may be sent again after the connection broke while it
 * was in flight (it may have run). Outside a transaction only. */
typedef enum db_idempotency {
  DB_NOT_IDEMPOTENT = 0, /* never resent: the caller gets DB_CONNECTION_LOST */
  DB_IDEMPOTENT = 1      /* reads, and writes that are safe to repeat */
} db_idempotency;

/* Injectable dependencies (tests); any member may be NULL for the default. */
typedef time_t (*db_clock_fn)(void *arg);
/* Makes an RDS IAM auth token for the given clock; appends it to out. Default:
 * credentials from the environment + lr_aws_rds_auth_token. */
typedef lr_aws_status (*db_token_fn)(void *arg, const char *region, const char *host, int port,
                                     const char *user, time_t now, lr_buf *out,
                                     char err[LR_AWS_ERR_LEN]);
typedef void (*db_sleep_fn)(void *arg, unsigned ms);

typedef struct db_hooks {
  db_clock_fn clock;     /* default: time() */
  void *clock_arg;
  db_token_fn token;
  void *token_arg;
  db_sleep_fn sleep;     /* the reconnect backoff; default: nanosleep */
  void *sleep_arg;
} db_hooks;

/* Not thread-safe: one invocation at a time uses it, as Lambda runs them. */
typedef struct db_session db_session;

/* What the last failed statement said (for callers that need the constraint). */
typedef struct db_error_info {
  char sqlstate[6];      /* "" when the error did not come from the server */
  char constraint[64];   /* "" when none */
} db_error_info;

/* Creates a session; does NOT connect (see db_session.c for why it is lazy).
 * cfg is copied (secrets included) and wiped by db_session_free. hooks may be
 * NULL; log is borrowed, may be NULL, and must outlive the session.
 * *out is freed with db_session_free; on failure *out is NULL. */
db_status db_session_create(const cfg_config *cfg, const db_hooks *hooks, const lr_logger *log,
                            db_session **out, char err[DB_ERR_LEN]);
void db_session_free(db_session *s);

/* Opens the connection now if it is not open (readiness). */
db_status db_session_connect(db_session *s, char err[DB_ERR_LEN]);
/* The warm-up at init: one attempt, over by budget_ms whatever the server
 * does (Lambda's init phase has 10 s, and a database that does not answer
 * must cost one request a 503, not the init). */
db_status db_session_warm(db_session *s, unsigned budget_ms, char err[DB_ERR_LEN]);
/* Statements are cancelled when deadline_ms (Unix epoch ms) passes and not
 * sent after it (DB_TIMEOUT); 0 removes the limit. Handlers set it at the start
 * of each invocation from lr_context.deadline_ms minus the time they need to
 * answer. Connecting is bounded by DB_CONNECT_TIMEOUT instead. */
void db_session_set_deadline(db_session *s, int64_t deadline_ms);
/* Closes the connection (the next statement reopens it). */
void db_session_close(db_session *s);

/* Runs one statement with text parameters (NULL entries are SQL NULL) as an
 * unnamed PQexecParams. Outside db_transaction every statement commits on its
 * own: never send BEGIN/COMMIT through db_exec (the connection outlives the
 * invocation, and a transaction left open would swallow the next one's work).
 * On DB_OK, *res (if res is not NULL) receives the result, which the caller
 * PQclear()s; on failure *res is NULL.
 * Outside a transaction, a connection found broken before sending is reopened
 * (once, with a short backoff); a connection lost while the statement was in
 * flight is reopened and the statement resent only when DB_IDEMPOTENT. Inside
 * db_transaction nothing is resent: the transaction reports the loss. */
db_status db_exec(db_session *s, db_idempotency idem, const char *sql, int nparams,
                  const char *const *params, PGresult **res, char err[DB_ERR_LEN]);

/* `SELECT 1` (readiness probe). */
db_status db_ping(db_session *s, char err[DB_ERR_LEN]);

/* A transaction: BEGIN, body, COMMIT (ROLLBACK when body fails). The body runs
 * its statements with db_exec on s and returns DB_OK or the status to report.
 *
 * The body may run more than once, so it must do nothing outside the database:
 *  - on a serialization failure or deadlock (up to 3 attempts), and
 *  - when the connection broke before COMMIT was sent (nothing was committed),
 *    once, on a new connection.
 * When the connection breaks during COMMIT the outcome is unknown: the
 * transaction is run again only when idem is DB_IDEMPOTENT, otherwise
 * DB_COMMIT_UNKNOWN is returned. */
typedef db_status (*db_tx_body)(db_session *s, void *arg, char err[DB_ERR_LEN]);
db_status db_transaction(db_session *s, db_idempotency idem, db_tx_body body, void *arg,
                         char err[DB_ERR_LEN]);

typedef enum db_isolation {
  DB_READ_COMMITTED = 0, /* PostgreSQL's default; what db_transaction uses */
  DB_REPEATABLE_READ = 1,
  DB_SERIALIZABLE = 2    /* conflicts surface as DB_SERIALIZATION_FAILURE, retried as above */
} db_isolation;

/* db_transaction at another isolation level (BEGIN ISOLATION LEVEL ...: a
 * per-transaction setting, so the proxy can still multiplex). */
db_status db_transaction_iso(db_session *s, db_idempotency idem, db_isolation iso,
                             db_tx_body body, void *arg, char err[DB_ERR_LEN]);

/* The SQLSTATE and constraint of the last failed statement. */
const db_error_info *db_session_last_error(const db_session *s);
/* For the migrate function (and tests): the raw connection, opened if needed;
 * NULL on failure (err filled). Statements run on it bypass the reconnect logic. */
PGconn *db_session_conn(db_session *s, char err[DB_ERR_LEN]);
/* The server process id of the open connection, 0 when closed (logs, tests). */
int db_session_backend_pid(const db_session *s);
/* How many times the connection was opened (1 after the first connect). */
unsigned db_session_connects(const db_session *s);

#endif
