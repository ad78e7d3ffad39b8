/* The app context (see common/app.h). */
#include "common/app.h"

#include <stdio.h>
#include <stdlib.h>

#include "config_check.h"

/* The whole warm-up, well inside Lambda's 10 s init phase. */
#define APP_WARM_BUDGET_MS 1500

static void app_warm(app_ctx *a) {
  char err[DB_ERR_LEN] = "";
  db_status st = db_session_warm(a->db, APP_WARM_BUDGET_MS, err);
  if (st != DB_OK && a->log)
    lr_log_kv(a->log, LR_LOG_WARN, "database not reachable at init; will retry on first use",
              "status", db_status_name(st), "error", err, NULL);
}

/* A mode that does not verify the server's name was set on purpose (the
 * default is verify-full); say so once per process. */
static void app_note_sslmode(const app_ctx *a) {
  int rank = CFG_SSLMODE_VERIFY_FULL_RANK;
  if (!cfg__check_sslmode(a->cfg.db_sslmode, &rank) || rank >= CFG_SSLMODE_VERIFY_FULL_RANK) return;
  if (a->log)
    lr_log_kv(a->log, LR_LOG_WARN, "DB_SSLMODE is weaker than verify-full: the database server's "
              "identity is not verified", "db_sslmode", a->cfg.db_sslmode, NULL);
}

int app_create(const app_options *opt, const lr_logger *log, app_ctx **out, lr_fault *fault) {
  *out = NULL;
  if (!opt) return lr_fault_set(fault, "Runtime.BadArgument", "app_create: no options");
  app_ctx *a = calloc(1, sizeof *a);
  if (!a) return lr_fault_set(fault, "Runtime.OutOfMemory", "app context: out of memory");
  a->log = log;
  char err[DB_ERR_LEN] = "";
  cfg_status cst = cfg_load(&a->cfg, opt->needs, opt->getenv_fn, opt->getenv_arg, err);
  if (cst != CFG_OK) {
    app_free(a);
    return lr_fault_set(fault, APP_FAULT_CONFIG, "%s", err);
  }
  if (opt->needs & CFG_NEED_DB) {
    app_note_sslmode(a);
    db_status st = db_session_create(&a->cfg, opt->db_hooks, log, &a->db, err);
    if (st != DB_OK) {
      app_free(a);
      return lr_fault_set(fault, db_status_error_type(st), "%s", err);
    }
    if (opt->warmup == APP_DB_WARM) app_warm(a);
  }
  *out = a;
  return LR_HANDLER_OK;
}

void app_free(app_ctx *app) {
  if (!app) return;
  db_session_free(app->db);
  cfg_clear(&app->cfg);
  free(app);
}
