/* The app context (see common/app.h). */
#include "common/app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* lr_fault_set lives in the runtime; a local setter keeps functions/common
 * free of a link-time dependency on the runtime loop for this one struct. */
static int app_fault(lr_fault *f, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int app_fault(lr_fault *f, const char *type, const char *fmt, ...) {
  if (!f) return LR_HANDLER_ERROR;
  snprintf(f->type, sizeof f->type, "%s", type);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(f->message, sizeof f->message, fmt, ap);
  va_end(ap);
  return LR_HANDLER_ERROR;
}

static void app_warm(app_ctx *a) {
  char err[DB_ERR_LEN] = "";
  db_status st = db_session_connect(a->db, err);
  if (st != DB_OK && a->log)
    lr_log_kv(a->log, LR_LOG_WARN, "database not reachable at init; will retry on first use",
              "status", db_status_name(st), "error", err, NULL);
}

int app_create(const app_options *opt, const lr_logger *log, app_ctx **out, lr_fault *fault) {
  *out = NULL;
  if (!opt) return app_fault(fault, "Runtime.BadArgument", "app_create: no options");
  app_ctx *a = calloc(1, sizeof *a);
  if (!a) return app_fault(fault, "Runtime.OutOfMemory", "app context: out of memory");
  a->log = log;
  char err[DB_ERR_LEN] = "";
  cfg_status cst = cfg_load(&a->cfg, opt->needs, opt->getenv_fn, opt->getenv_arg, err);
  if (cst != CFG_OK) {
    app_free(a);
    return app_fault(fault, APP_FAULT_CONFIG, "%s", err);
  }
  if (opt->needs & CFG_NEED_DB) {
    db_status st = db_session_create(&a->cfg, opt->db_hooks, log, &a->db, err);
    if (st != DB_OK) {
      app_free(a);
      return app_fault(fault, db_status_error_type(st), "%s", err);
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
