/* Opening the connection: parameters (never a formatted conninfo string: a
 * password with spaces or quotes must work), IAM auth token, TLS, backoff. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db_internal.h"

#define DB_MAX_PARAMS 24
#define DB_BACKOFF_MIN_MS 100
#define DB_BACKOFF_JITTER_MS 200
#define DB_ALIVE_ROUNDS 4
#define DB_MIN_ATTEMPT_MS 200 /* a connect on a quick network: tens of ms */

void db__seterr(char err[DB_ERR_LEN], const char *fmt, ...) {
  if (!err) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, DB_ERR_LEN, fmt, ap);
  va_end(ap);
  /* libpq messages end with a newline; a log line must not */
  size_t n = strlen(err);
  while (n && (err[n - 1] == '\n' || err[n - 1] == '\r')) err[--n] = '\0';
}

void db__log(const db_session *s, lr_log_level lvl, const char *msg, const char *detail) {
  if (s->log) lr_log_kv(s->log, lvl, msg, "detail", detail ? detail : "", NULL);
}

typedef struct db_params {
  const char *keys[DB_MAX_PARAMS + 1];
  const char *vals[DB_MAX_PARAMS + 1];
  int n;
} db_params;

static void db_param(db_params *p, const char *key, const char *val) {
  if (!val || !*val || p->n >= DB_MAX_PARAMS) return;
  p->keys[p->n] = key;
  p->vals[p->n] = val;
  p->n++;
  p->keys[p->n] = NULL;
  p->vals[p->n] = NULL;
}

/* Strings referenced by db_params must outlive PQconnectdbParams. */
typedef struct db_param_text {
  char port[8];
  char timeout[8];
} db_param_text;

static void db_params_fill(db_params *p, db_param_text *t, const cfg_config *c,
                           const char *password, int timeout_s) {
  p->n = 0;
  snprintf(t->port, sizeof t->port, "%d", c->db_port);
  snprintf(t->timeout, sizeof t->timeout, "%d", timeout_s);
  db_param(p, "host", c->db_host);
  db_param(p, "port", t->port);
  db_param(p, "dbname", c->db_name);
  db_param(p, "user", c->db_user);
  db_param(p, "password", password);
  db_param(p, "sslmode", c->db_sslmode);
  db_param(p, "sslrootcert", c->db_sslrootcert);
  db_param(p, "connect_timeout", t->timeout);
  db_param(p, "application_name", c->service_name);
  db_param(p, "client_encoding", "UTF8");
  db_param(p, "gssencmode", "disable"); /* no Kerberos here: skip the probe */
  /* A dead peer (failover, proxy gone) is noticed in about a minute when idle
   * and within 15 s when data is unacknowledged, not after TCP's 15 minutes. */
  db_param(p, "keepalives", "1");
  db_param(p, "keepalives_idle", "30");
  db_param(p, "keepalives_interval", "10");
  db_param(p, "keepalives_count", "3");
  db_param(p, "tcp_user_timeout", "15000");
}

/* Notices would go to stderr as non-JSON lines: route them to the logger.
 * A FATAL one arriving while idle is the server's goodbye (shutdown, admin
 * terminate): the connection is done even if its EOF has not arrived yet. */
static void db_notice(void *arg, const PGresult *res) {
  db_session *s = arg;
  const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (sev && (strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0)) s->doomed = 1;
  db__log(s, LR_LOG_WARN, "database notice", PQresultErrorMessage(res));
}

static time_t db_now(const db_session *s) {
  return s->hooks.clock ? s->hooks.clock(s->hooks.clock_arg) : time(NULL);
}

static db_status db_connect_error(PGconn *c, char err[DB_ERR_LEN]) {
  const char *msg = c ? PQerrorMessage(c) : "out of memory";
  db__seterr(err, "connect: %s", msg);
  if (!c) return DB_NOMEM;
  if (strstr(msg, "authentication failed") || strstr(msg, "PAM authentication")) return DB_AUTH;
  if (strstr(msg, "too many") && strstr(msg, "connections")) return DB_OVERLOADED;
  return DB_CONNECT;
}

/* When the attempt must end: DB_CONNECT_TIMEOUT from now, or the session's
 * deadline if sooner. 0 when the deadline has passed. */
static int64_t db_connect_until(const db_session *s) {
  int64_t now = db__now_ms();
  int64_t until = now + (int64_t)s->cfg.db_connect_timeout_s * 1000;
  if (s->deadline_ms <= 0) return until;
  if (s->deadline_ms <= now) return 0;
  return s->deadline_ms < until ? s->deadline_ms : until;
}

/* libpq's own connect_timeout has a 2 s floor and whole-second steps, and a
 * blocking connect cannot be bounded by the deadline: the connection is made
 * with PQconnectPoll, each wait on the socket bounded by until_ms. */
static PGconn *db_connect_poll(const db_params *p, int64_t until_ms, int *timed_out) {
  *timed_out = 0;
  PGconn *c = PQconnectStartParams(p->keys, p->vals, 0);
  if (!c || PQstatus(c) == CONNECTION_BAD) return c;
  PostgresPollingStatusType ps = PGRES_POLLING_WRITING;
  while (ps != PGRES_POLLING_OK && ps != PGRES_POLLING_FAILED) {
    short ev = ps == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    int n = db__wait_fd(PQsocket(c), ev, until_ms);
    if (n == 0) {
      *timed_out = 1;
      return c;
    }
    ps = PQconnectPoll(c);
  }
  return c;
}

static db_status db_open_once(db_session *s, char err[DB_ERR_LEN]) {
  int64_t until = db_connect_until(s);
  if (until == 0) {
    db__seterr(err, "the invocation's deadline has passed: not connecting");
    return DB_TIMEOUT;
  }
  const char *password = s->cfg.db_password;
  if (s->cfg.db_auth == CFG_DB_AUTH_IAM) {
    db_status st = db__token_get(&s->token, &s->cfg, s->hooks.token, s->hooks.token_arg,
                                 db_now(s), s->log, &password, err);
    if (st != DB_OK) return st;
  }
  db_params p;
  db_param_text t;
  db_params_fill(&p, &t, &s->cfg, password, s->cfg.db_connect_timeout_s);
  int timed_out = 0;
  PGconn *c = db_connect_poll(&p, until, &timed_out);
  if (timed_out) {
    PQfinish(c);
    db__seterr(err, "connect: no answer from the server in time");
    return DB_CONNECT;
  }
  if (!c || PQstatus(c) != CONNECTION_OK) {
    db_status st = db_connect_error(c, err);
    PQfinish(c);
    /* a refused token is not reused: the retry signs a new one */
    if (st == DB_AUTH) db__token_invalidate(&s->token);
    return st;
  }
  PQsetNoticeReceiver(c, db_notice, s);
  s->doomed = 0;
  s->conn = c;
  s->connects++;
  return DB_OK;
}

static void db_backoff(db_session *s) {
  /* xorshift: jitter only, so that many sandboxes do not reconnect in step */
  s->rng ^= s->rng << 13;
  s->rng ^= s->rng >> 17;
  s->rng ^= s->rng << 5;
  unsigned ms = DB_BACKOFF_MIN_MS + s->rng % DB_BACKOFF_JITTER_MS;
  if (s->hooks.sleep) {
    s->hooks.sleep(s->hooks.sleep_arg, ms);
    return;
  }
  struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static int db_worth_retrying(db_status st) {
  return st == DB_CONNECT || st == DB_AUTH || st == DB_OVERLOADED || st == DB_TOKEN;
}

/* A retry is only worth its backoff when an attempt still fits before the deadline. */
static int db_time_for_retry(const db_session *s) {
  return s->deadline_ms <= 0 ||
         s->deadline_ms - db__now_ms() > DB_BACKOFF_MIN_MS + DB_BACKOFF_JITTER_MS + DB_MIN_ATTEMPT_MS;
}

db_status db__open_once(db_session *s, char err[DB_ERR_LEN]) {
  db__close(s);
  return db_open_once(s, err);
}

db_status db__open(db_session *s, char err[DB_ERR_LEN]) {
  db__close(s);
  db_status st = db_open_once(s, err);
  if (st == DB_OK || !db_worth_retrying(st) || !db_time_for_retry(s)) return st;
  db__log(s, LR_LOG_WARN, "database connect failed; retrying once", err);
  db_backoff(s);
  return db_open_once(s, err);
}

void db__close(db_session *s) {
  PQfinish(s->conn);
  s->conn = NULL;
}

/* Readable while idle means a notice, or the server's goodbye (an error
 * message, then EOF). libpq reads one batch per call, so the EOF usually shows
 * on the second round: read until the socket is quiet or the connection bad. */
int db__alive(db_session *s) {
  PGconn *conn = s->conn;
  if (!conn || s->doomed || PQstatus(conn) != CONNECTION_OK) return 0;
  int fd = PQsocket(conn);
  if (fd < 0) return 0;
  for (int round = 0; round < DB_ALIVE_ROUNDS; round++) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN, .revents = 0};
    int n = poll(&pfd, 1, 0);
    if (n == 0) return 1;
    if (n < 0) return errno == EINTR;
    if (pfd.revents & (POLLERR | POLLNVAL)) return 0;
    if (!PQconsumeInput(conn) || s->doomed || PQstatus(conn) != CONNECTION_OK) return 0;
  }
  return 1; /* still chattering after several rounds: let the statement find out */
}
