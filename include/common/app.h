#ifndef COMMON_APP_H
#define COMMON_APP_H
/* The app context of a function: what lives for the whole process and is handed
 * to every invocation (config, logger, database session; later the AWS
 * clients). Created by each handler's init hook:
 *
 *   static int api_init(void **app, const lr_logger *log, lr_fault *fault) {
 *     app_ctx *a;
 *     if (app_create(&(app_options){.needs = CFG_NEED_DB | CFG_NEED_QUEUE}, log, &a, fault))
 *       return LR_HANDLER_ERROR;      -- fault says Runtime.ConfigError and names the variable
 *     *app = a;
 *     return LR_HANDLER_OK;
 *   }
 *   static void api_shutdown(void *app) { app_free(app); }
 */
#include "common/config.h"
#include "common/db.h"
#include "lr/log.h"
#include "lr/runtime.h"

#define APP_FAULT_CONFIG "Runtime.ConfigError"

typedef enum app_db_warmup {
  APP_DB_LAZY = 0,   /* connect on the first statement (default) */
  APP_DB_WARM = 1    /* also try to connect during init; a failure is only logged */
} app_db_warmup;

typedef struct app_options {
  unsigned needs;          /* cfg_need bits */
  app_db_warmup warmup;
  cfg_getenv_fn getenv_fn; /* NULL: the process environment (tests pass a table) */
  void *getenv_arg;
  const db_hooks *db_hooks;/* NULL: real clock, real token signer, real sleep */
} app_options;

typedef struct app_ctx {
  cfg_config cfg;
  const lr_logger *log;    /* the runtime's process logger; borrowed */
  db_session *db;          /* NULL unless needs has CFG_NEED_DB */
} app_ctx;

/* Loads and validates the config and creates the session. Returns
 * LR_HANDLER_OK, or LR_HANDLER_ERROR with fault filled (errorType
 * Runtime.ConfigError for a bad setting) and *out NULL. *out is freed with
 * app_free. log is borrowed and must outlive the context; may be NULL. */
int app_create(const app_options *opt, const lr_logger *log, app_ctx **out, lr_fault *fault);
/* NULL-safe; closes the connection and wipes the secrets. */
void app_free(app_ctx *app);

#endif
