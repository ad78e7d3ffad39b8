/* The `migrate` function: run by the deploy pipeline before new code goes
 * live. Applies the migrations compiled into this binary. */
#include <stdio.h>
#include <stdlib.h>

#include "common/app.h"
#include "lr/runtime.h"
#include "migrate.h"

/* Leave this much of the invocation for the migrations themselves and the
 * answer; the rest may be spent waiting for a concurrent run's lock. */
#define MIGRATE_DEADLINE_MARGIN_MS 10000
#define MIGRATE_MIN_LOCK_WAIT_MS 1000

/* The per-process context: the common one and the users the migrations grant to. */
typedef struct migrate_app {
  app_ctx *app;
  migrate_roles roles;
} migrate_app;

static int migrate_init(void **app, const lr_logger *log, lr_fault *fault) {
  migrate_app *m = calloc(1, sizeof *m);
  if (!m) return lr_fault_set(fault, "Migrate.OutOfMemory", "out of memory");
  char err[MIGRATE_ERR_LEN] = "";
  if (migrate_roles_load(&m->roles, NULL, NULL, err) != MIGRATE_OK) {
    free(m);
    return lr_fault_set(fault, APP_FAULT_CONFIG, "%s", err);
  }
  app_options opt = {.needs = CFG_NEED_DB, .warmup = APP_DB_LAZY};
  if (app_create(&opt, log, &m->app, fault) != LR_HANDLER_OK) {
    free(m);
    return LR_HANDLER_ERROR;
  }
  *app = m;
  return LR_HANDLER_OK;
}

static void migrate_shutdown(void *app) {
  migrate_app *m = app;
  if (!m) return;
  app_free(m->app);
  free(m);
}

static migrate_status migrate_pin(PGconn *conn, char err[MIGRATE_ERR_LEN]) {
  PGresult *r = PQexec(conn, "SET application_name TO 'orders-migrate'");
  migrate_status st = PQresultStatus(r) == PGRES_COMMAND_OK ? MIGRATE_OK : MIGRATE_DATABASE;
  if (st != MIGRATE_OK) migrate__seterr(err, "pin: %s", PQerrorMessage(conn));
  PQclear(r);
  return st;
}

static int migrate_fail(lr_fault *fault, migrate_status st, const char *err) {
  return lr_fault_set(fault, migrate_status_error_type(st), "%s: %s",
                      migrate_status_message(st), err);
}

static long migrate_lock_wait(const lr_context *ctx) {
  long wait = (long)(lr_context_remaining_ms(ctx) - MIGRATE_DEADLINE_MARGIN_MS);
  return wait < MIGRATE_MIN_LOCK_WAIT_MS ? MIGRATE_MIN_LOCK_WAIT_MS : wait;
}

static int migrate_invoke(void *app, const lr_context *ctx, const char *event, size_t event_len,
                          lr_buf *response, lr_fault *fault) {
  migrate_app *m = app;
  app_ctx *a = m->app;
  char err[MIGRATE_ERR_LEN] = "";
  migrate_mode mode;
  migrate_status st = migrate_parse_event(event, event_len, &mode, err);
  if (st != MIGRATE_OK) return migrate_fail(fault, st, err);
  char derr[DB_ERR_LEN] = "";
  PGconn *conn = db_session_conn(a->db, derr);
  if (!conn) return lr_fault_set(fault, "Migrate.DatabaseError", "%s", derr);
  /* The advisory lock is held by a backend session across several
   * transactions: through RDS Proxy that is only true on a pinned connection,
   * and a SET pins it for sure. The connection is closed after the run, so
   * the pinned backend goes back to the proxy's pool. */
  if (migrate_pin(conn, err) != MIGRATE_OK) {
    db_session_close(a->db);
    return migrate_fail(fault, MIGRATE_DATABASE, err);
  }
  size_t n;
  const db_migration *list = db_migrations_all(&n);
  migrate_result r;
  st = migrate_run_roles(conn, list, n, mode, &m->roles, migrate_lock_wait(ctx), ctx->log, &r,
                         err);
  if (st == MIGRATE_OK) st = migrate_answer(&r, mode, response);
  else if (ctx->log)
    lr_log_kv(ctx->log, LR_LOG_ERROR, "migrate failed", "status", migrate_status_name(st),
              "error", err, NULL);
  migrate_result_free(&r);
  db_session_close(a->db);
  return st == MIGRATE_OK ? LR_HANDLER_OK : migrate_fail(fault, st, err);
}

const lr_handler migrate_handler = {
    .name = "migrate",
    .init = migrate_init,
    .invoke = migrate_invoke,
    .shutdown = migrate_shutdown,
};
