#ifndef LR_LOG_H
#define LR_LOG_H
/* Structured JSON logs: one object a line, e.g.
 * {"timestamp":"2026-11-23T09:00:00.123Z","level":"INFO","message":"...",
 *  "service":"orders","function":"api","request_id":"...","trace_id":"...", ...fields}
 * The level threshold comes from AWS_LAMBDA_LOG_LEVEL, else LOG_LEVEL, else INFO.
 * Never log a password, token, signature or whole request body. */
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
int lr_log_enabled(const lr_logger *lg, lr_log_level lvl);
/* fields: a cJSON object whose members are copied into the line; may be NULL; not taken. */
void lr_log(const lr_logger *lg, lr_log_level lvl, const char *message, const struct cJSON *fields);
/* Convenience: string key/value pairs ending with NULL, e.g.
 * lr_log_kv(lg, LR_LOG_INFO, "order created", "order_id", id, NULL); */
void lr_log_kv(const lr_logger *lg, lr_log_level lvl, const char *message, ...)
    __attribute__((sentinel));

#endif
