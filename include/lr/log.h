#ifndef LR_LOG_H
#define LR_LOG_H
/* Structured JSON logs: one object a line, e.g.
 * {"timestamp":"2026-11-23T09:00:00.123Z","level":"INFO","message":"...",
 *  "service":"orders","function":"api","request_id":"...","trace_id":"...", ...fields}
 * The level threshold comes from AWS_LAMBDA_LOG_LEVEL, else LOG_LEVEL, else INFO.
 * Never log a password, token, signature or whole request body.
 *
 * The two settings the logger takes from the environment are read here and
 * nowhere else (the functions' config validates through the same readers):
 *   LOG_LEVEL     TRACE DEBUG INFO WARN ERROR FATAL, any case; WARNING and
 *                 CRITICAL are accepted as WARN and FATAL; default INFO
 *   SERVICE_NAME  printable text; default the Lambda function's name */
#include <stdio.h>

typedef enum lr_log_level {
  LR_LOG_TRACE = 0,
  LR_LOG_DEBUG = 1,
  LR_LOG_INFO = 2,
  LR_LOG_WARN = 3,
  LR_LOG_ERROR = 4,
  LR_LOG_FATAL = 5
} lr_log_level;

struct cJSON;

typedef struct lr_logger {
  lr_log_level threshold;
  FILE *out;               /* stdout in Lambda; tests point it at a memstream */
  const char *service;     /* SERVICE_NAME or "" */
  const char *function;    /* AWS_LAMBDA_FUNCTION_NAME or "" */
  const char *request_id;  /* current invocation, "" outside one */
  const char *trace_id;
} lr_logger;

/* Reads the threshold from the environment; strings are borrowed, not copied. */
void lr_logger_init(lr_logger *lg, FILE *out, const char *service, const char *function);
lr_log_level lr_log_level_parse(const char *s, lr_log_level fallback);
/* 1 and *out set when s names a level (the list above), else 0. */
int lr_log_level_from_text(const char *s, lr_log_level *out);

/* How a setting is looked up: getenv by default; tests pass a table. Returns
 * NULL when unset. */
typedef const char *(*lr_getenv_fn)(void *arg, const char *name);
/* The LOG_LEVEL setting (AWS_LAMBDA_LOG_LEVEL first, as Lambda's advanced
 * logging controls set it). *valid (may be NULL) is 0 when a value is set but
 * names no level; the threshold is then INFO. get NULL: the environment. */
lr_log_level lr_setting_log_level(lr_getenv_fn get, void *arg, int *valid);
/* The SERVICE_NAME setting, else AWS_LAMBDA_FUNCTION_NAME, else "". Borrowed
 * from the environment (or get's table). */
const char *lr_setting_service_name(lr_getenv_fn get, void *arg);
int lr_log_enabled(const lr_logger *lg, lr_log_level lvl);
/* fields: a cJSON object whose members are copied into the line; may be NULL; not taken. */
void lr_log(const lr_logger *lg, lr_log_level lvl, const char *message, const struct cJSON *fields);
/* Convenience: string key/value pairs ending with NULL, e.g.
 * lr_log_kv(lg, LR_LOG_INFO, "order created", "order_id", id, NULL); */
void lr_log_kv(const lr_logger *lg, lr_log_level lvl, const char *message, ...)
    __attribute__((sentinel));

#endif
