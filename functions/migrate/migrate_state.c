/* What the database already holds: the lock, the bookkeeping table, and the
 * check of applied migrations against the ones compiled in. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migrate.h"
#include "migrate_internal.h"

#define MIGRATE_LOCK_POLL_MS 250

static const char SQL_TRY_LOCK[] = "SELECT pg_try_advisory_lock($1::bigint)";
static const char SQL_UNLOCK[] = "SELECT pg_advisory_unlock($1::bigint)";
static const char SQL_CREATE_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version    integer     PRIMARY KEY CHECK (version > 0),"
    " name       text        NOT NULL,"
    " checksum   text        NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),"
    " applied_at timestamptz NOT NULL DEFAULT now())";
static const char SQL_IS_APPLIED[] = "SELECT 1 FROM schema_migrations WHERE version = $1::integer";
static const char SQL_TABLE_EXISTS[] = "SELECT to_regclass('schema_migrations') IS NOT NULL";
static const char SQL_APPLIED[] =
    "SELECT version, name, checksum FROM schema_migrations ORDER BY version";

void migrate__seterr(char err[MIGRATE_ERR_LEN], const char *fmt, ...) {
  if (!err) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, MIGRATE_ERR_LEN, fmt, ap);
  va_end(ap);
  size_t n = strlen(err);
  while (n && err[n - 1] == '\n') err[--n] = '\0';
}

migrate_status migrate__exec(PGconn *conn, const char *sql, int n, const char *const *params,
                             PGresult **res, char err[MIGRATE_ERR_LEN]) {
  PGresult *r = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
  ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
    if (res) *res = r;
    else PQclear(r);
    return MIGRATE_OK;
  }
  const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  migrate__seterr(err, "%s: %s", state ? state : "-----", PQerrorMessage(conn));
  PQclear(r);
  return MIGRATE_DATABASE;
}

static void migrate_sleep_ms(long ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* pg_try_advisory_lock in a loop rather than pg_advisory_lock: a blocked wait
 * could outlive the invocation, and the caller bounds it by its deadline. */
migrate_status migrate__lock(PGconn *conn, long wait_ms, char err[MIGRATE_ERR_LEN]) {
  const char *params[] = {MIGRATE_LOCK_KEY};
  for (long waited = 0;; waited += MIGRATE_LOCK_POLL_MS) {
    PGresult *r = NULL;
    migrate_status st = migrate__exec(conn, SQL_TRY_LOCK, 1, params, &r, err);
    if (st != MIGRATE_OK) return st;
    int got = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (got) return MIGRATE_OK;
    if (waited >= wait_ms) break;
    migrate_sleep_ms(MIGRATE_LOCK_POLL_MS);
  }
  migrate__seterr(err, "another migrate run held the lock for more than %ld ms", wait_ms);
  return MIGRATE_LOCK_TIMEOUT;
}

void migrate__unlock(PGconn *conn) {
  const char *params[] = {MIGRATE_LOCK_KEY};
  PGresult *r = PQexecParams(conn, SQL_UNLOCK, 1, NULL, params, NULL, NULL, 0);
  PQclear(r);
}

migrate_status migrate__ensure_table(PGconn *conn, char err[MIGRATE_ERR_LEN]) {
  return migrate__exec(conn, SQL_CREATE_TABLE, 0, NULL, NULL, err);
}

migrate_status migrate__table_exists(PGconn *conn, int *exists, char err[MIGRATE_ERR_LEN]) {
  PGresult *r = NULL;
  migrate_status st = migrate__exec(conn, SQL_TABLE_EXISTS, 0, NULL, &r, err);
  if (st == MIGRATE_OK) *exists = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
  PQclear(r);
  return st;
}

migrate_status migrate__is_applied(PGconn *conn, int version, bool *applied, char err[MIGRATE_ERR_LEN]) {
  char v[16];
  snprintf(v, sizeof v, "%d", version);
  const char *params[] = {v};
  PGresult *r = NULL;
  migrate_status st = migrate__exec(conn, SQL_IS_APPLIED, 1, params, &r, err);
  if (st == MIGRATE_OK) *applied = PQntuples(r) > 0;
  PQclear(r);
  return st;
}

static const db_migration *migrate_find(const db_migration *list, size_t n, int version) {
  for (size_t i = 0; i < n; i++)
    if (list[i].version == version) return &list[i];
  return NULL;
}

static migrate_status migrate_check_row(const PGresult *r, int row, const db_migration *list,
                                        size_t n, int *version, char err[MIGRATE_ERR_LEN]) {
  char *end;
  errno = 0;
  long v = strtol(PQgetvalue(r, row, 0), &end, 10);
  if (errno || *end || v <= 0 || v > 9999) {
    migrate__seterr(err, "schema_migrations holds a bad version '%.16s'", PQgetvalue(r, row, 0));
    return MIGRATE_UNKNOWN_VERSION;
  }
  *version = (int)v;
  const db_migration *m = migrate_find(list, n, (int)v);
  if (!m) {
    migrate__seterr(err, "version %04ld (%.64s) is applied but unknown to this build: "
                    "deploy a build that has it", v, PQgetvalue(r, row, 1));
    return MIGRATE_UNKNOWN_VERSION;
  }
  if (strcmp(m->checksum, PQgetvalue(r, row, 2)) != 0) {
    migrate__seterr(err, "migration %04d_%s was changed after it was applied (checksum %.12s... "
                    "applied, %.12s... built): add a new migration instead", m->version, m->name,
                    PQgetvalue(r, row, 2), m->checksum);
    return MIGRATE_CHECKSUM_MISMATCH;
  }
  return MIGRATE_OK;
}

/* Every applied row must be a migration of this build with the same bytes,
 * and every migration up to the current version must be applied: a pending
 * one below it (a merge from an old branch) is refused, not slipped in. */
migrate_status migrate__check_applied(PGconn *conn, const db_migration *list, size_t n,
                                      int *current, char err[MIGRATE_ERR_LEN]) {
  PGresult *r = NULL;
  migrate_status st = migrate__exec(conn, SQL_APPLIED, 0, NULL, &r, err);
  if (st != MIGRATE_OK) return st;
  *current = 0;
  int applied = PQntuples(r);
  for (int i = 0; i < applied && st == MIGRATE_OK; i++)
    st = migrate_check_row(r, i, list, n, current, err);
  PQclear(r);
  if (st != MIGRATE_OK) return st;
  size_t upto = 0;
  while (upto < n && list[upto].version <= *current) upto++;
  if (upto != (size_t)applied) {
    for (size_t i = 0; i < upto; i++) {
      /* the first one of the build's list at or below current that is missing
       * (a failed lookup only leaves the message plainer) */
      bool is_applied = true;
      char lookup_err[MIGRATE_ERR_LEN];
      if (migrate__is_applied(conn, list[i].version, &is_applied, lookup_err) == MIGRATE_OK && !is_applied) {
        migrate__seterr(err, "migration %04d_%s is pending but %04d is already applied",
                        list[i].version, list[i].name, *current);
        break;
      }
    }
    return MIGRATE_OUT_OF_ORDER;
  }
  return MIGRATE_OK;
}
