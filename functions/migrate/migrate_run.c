/* Applying migrations: under the advisory lock, each in its own transaction,
 * recorded with its checksum. Multi-statement SQL needs the simple query
 * protocol (PQexec): this is the one place in the project that uses it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate_internal.h"
#include "lr/status.h"

static const char SQL_LOCK_TIMEOUT[] = "SET LOCAL lock_timeout = '" MIGRATE_DDL_LOCK_TIMEOUT "'";
static const char SQL_RECORD[] =
    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1::integer, $2, $3)";

static const struct {
  const char *name, *message, *type;
} migrate_rows[] = {
#define MIGRATE_ROW(name, value, msg, type) [value] = {#name, msg, type},
    MIGRATE_STATUS_MAP(MIGRATE_ROW)
#undef MIGRATE_ROW
};

/* A value outside the table (a bug) reads as the database failure row. */
#define MIGRATE_ROW_OF(st) LR_STATUS_ROW(migrate_rows, st, &migrate_rows[MIGRATE_DATABASE])
const char *migrate_status_name(migrate_status st) { return MIGRATE_ROW_OF(st)->name; }
const char *migrate_status_message(migrate_status st) { return MIGRATE_ROW_OF(st)->message; }
const char *migrate_status_error_type(migrate_status st) { return MIGRATE_ROW_OF(st)->type; }

void migrate_result_init(migrate_result *r) {
  r->items = NULL;
  r->count = 0;
  r->current = 0;
}

void migrate_result_free(migrate_result *r) {
  if (!r) return;
  free(r->items);
  migrate_result_init(r);
}

static void migrate_rollback(PGconn *conn) {
  PGresult *r = PQexec(conn, "ROLLBACK");
  PQclear(r);
}

static migrate_status migrate_exec_sql(PGconn *conn, const db_migration *m,
                                       char err[MIGRATE_ERR_LEN]) {
  PGresult *r = PQexec(conn, m->sql);
  ExecStatusType rs = PQresultStatus(r);
  const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK && rs != PGRES_EMPTY_QUERY) {
    migrate__seterr(err, "migration %04d_%s failed: %s: %s", m->version, m->name,
                    state ? state : "-----", PQerrorMessage(conn));
    PQclear(r);
    return MIGRATE_MIGRATION_FAILED;
  }
  PQclear(r);
  /* A file with its own COMMIT would have escaped our transaction. */
  if (PQtransactionStatus(conn) != PQTRANS_INTRANS) {
    migrate__seterr(err, "migration %04d_%s ended the transaction itself (COMMIT/ROLLBACK in "
                    "the file?)", m->version, m->name);
    return MIGRATE_MIGRATION_FAILED;
  }
  return MIGRATE_OK;
}

static migrate_status migrate_apply_one(PGconn *conn, const db_migration *m,
                                        const migrate_roles *roles, char err[MIGRATE_ERR_LEN]) {
  char version[16];
  snprintf(version, sizeof version, "%d", m->version);
  const char *params[] = {version, m->name, m->checksum};
  migrate_status st = migrate__exec(conn, "BEGIN", 0, NULL, NULL, err);
  if (st != MIGRATE_OK) return st;
  st = migrate__exec(conn, SQL_LOCK_TIMEOUT, 0, NULL, NULL, err);
  if (st == MIGRATE_OK) st = migrate__set_roles(conn, roles, err);
  if (st == MIGRATE_OK) st = migrate_exec_sql(conn, m, err);
  if (st == MIGRATE_OK) st = migrate__exec(conn, SQL_RECORD, 3, params, NULL, err);
  if (st == MIGRATE_OK) st = migrate__exec(conn, "COMMIT", 0, NULL, NULL, err);
  if (st != MIGRATE_OK) {
    migrate_rollback(conn);
    return st == MIGRATE_DATABASE ? MIGRATE_MIGRATION_FAILED : st;
  }
  return MIGRATE_OK;
}

static migrate_status migrate_pending(PGconn *conn, const db_migration *list, size_t n,
                                      migrate_mode mode, const migrate_roles *roles,
                                      const lr_logger *log, migrate_result *out,
                                      char err[MIGRATE_ERR_LEN]) {
  for (size_t i = 0; i < n; i++) {
    if (list[i].version <= out->current) continue;
    if (mode == MIGRATE_APPLY) {
      migrate_status st = migrate_apply_one(conn, &list[i], roles, err);
      if (st != MIGRATE_OK) return st;
      out->current = list[i].version;
      if (log) {
        char version[16];
        snprintf(version, sizeof version, "%d", list[i].version);
        lr_log_kv(log, LR_LOG_INFO, "migration applied", "version", version, "name",
                  list[i].name, "checksum", list[i].checksum, NULL);
      }
    }
    out->items[out->count++] = &list[i];
  }
  return MIGRATE_OK;
}

static migrate_status migrate_locked(PGconn *conn, const db_migration *list, size_t n,
                                     migrate_mode mode, const migrate_roles *roles,
                                     const lr_logger *log, migrate_result *out,
                                     char err[MIGRATE_ERR_LEN]) {
  /* A dry run changes nothing, not even the bookkeeping table. */
  int exists = 0;
  migrate_status st = migrate__table_exists(conn, &exists, err);
  if (st == MIGRATE_OK && !exists && mode == MIGRATE_APPLY) {
    st = migrate__ensure_table(conn, err);
    exists = 1;
  }
  if (st == MIGRATE_OK && exists) st = migrate__check_applied(conn, list, n, &out->current, err);
  if (st == MIGRATE_OK) st = migrate_pending(conn, list, n, mode, roles, log, out, err);
  return st;
}

migrate_status migrate_run(PGconn *conn, const db_migration *list, size_t n, migrate_mode mode,
                           long lock_wait_ms, const lr_logger *log, migrate_result *out,
                           char err[MIGRATE_ERR_LEN]) {
  migrate_roles roles;
  migrate_roles_default(&roles);
  return migrate_run_roles(conn, list, n, mode, &roles, lock_wait_ms, log, out, err);
}

migrate_status migrate_run_roles(PGconn *conn, const db_migration *list, size_t n,
                                 migrate_mode mode, const migrate_roles *roles, long lock_wait_ms,
                                 const lr_logger *log, migrate_result *out,
                                 char err[MIGRATE_ERR_LEN]) {
  migrate_result_init(out);
  for (size_t i = 1; i < n; i++)
    if (list[i].version <= list[i - 1].version) {
      migrate__seterr(err, "the build's migrations are not sorted by version");
      return MIGRATE_BAD_REQUEST;
    }
  out->items = calloc(n ? n : 1, sizeof *out->items);
  if (!out->items) return MIGRATE_NOMEM;
  migrate_status st = migrate__lock(conn, lock_wait_ms, err);
  if (st != MIGRATE_OK) return st;
  st = migrate_locked(conn, list, n, mode, roles, log, out, err);
  migrate__unlock(conn);
  return st;
}
