#ifndef COMMON_DB_INTERNAL_H
#define COMMON_DB_INTERNAL_H
/* The session's innards, shared by db_session.c, db_conn.c and db_tx.c only. */
#include <stdint.h>

#include <libpq-fe.h>

#include "common/config.h"
#include "common/db.h"
#include "db_token.h"

struct db_session {
  cfg_config cfg;           /* a private copy; wiped by db_session_free */
  db_hooks hooks;
  const lr_logger *log;     /* borrowed; may be NULL */
  PGconn *conn;             /* NULL while closed */
  int doomed;               /* the server said FATAL: do not send on conn again */
  unsigned connects;
  unsigned rng;             /* backoff jitter */
  db_token_cache token;
  db_error_info last;
  /* inside db_transaction */
  int64_t deadline_ms;      /* epoch ms; 0: none */
  int in_tx;
  db_status tx_error;       /* first failure of a statement in the transaction */
};

/* Opens s->conn (closing any old one): one attempt, then one more after a short
 * backoff when the failure may be passing and time is left. Each attempt ends
 * by DB_CONNECT_TIMEOUT and by the session's deadline, whatever the server does. */
db_status db__open(db_session *s, char err[DB_ERR_LEN]);
/* One attempt only (warm-up). */
db_status db__open_once(db_session *s, char err[DB_ERR_LEN]);
void db__close(db_session *s);
/* 1 when the connection still looks usable: no EOF or error waiting on its
 * socket. Costs a poll(), no round trip, so it runs before every statement:
 * it catches what a proxy idle timeout or a server restart left behind while
 * the sandbox was frozen. */
int db__alive(db_session *s);
typedef enum db_late {
  DB_NOT_LATE = 0,
  DB_LATE_NOT_SENT = 1,  /* the deadline had passed before sending: nothing ran */
  DB_LATE_CANCELLED = 2, /* cancelled at the deadline: the result says how it ended */
  DB_LATE_ABANDONED = 3  /* did not stop after the cancel: outcome unknown */
} db_late;

/* Sends one statement and waits for its result until the session's deadline.
 * NULL when it could not be sent, or with *late DB_LATE_NOT_SENT/ABANDONED. */
PGresult *db__execute(db_session *s, const char *sql, int nparams, const char *const *params,
                      db_late *late);
int64_t db__now_ms(void);
/* poll() on fd until until_ms (epoch ms; 0: no limit): 1 ready, 0 time is up,
 * -1 error. */
int db__wait_fd(int fd, short events, int64_t until_ms);
void db__seterr(char err[DB_ERR_LEN], const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void db__log(const db_session *s, lr_log_level lvl, const char *msg, const char *detail);

#endif
