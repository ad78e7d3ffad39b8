#ifndef LR_RUNTIME_H
#define LR_RUNTIME_H
/* The public handler contract of the Lambda runtime.
 *
 * A function is an lr_handler: an optional init hook that builds the
 * per-process app context (config, database session, HTTP clients), an
 * invoke hook called once per event, and an optional shutdown hook.
 * The runtime knows nothing of what the handler does; the handler knows
 * nothing of the Runtime API's HTTP. */
#include <stddef.h>
#include <stdint.h>

#include "lr/buf.h"
#include "lr/log.h"

/* Lambda's limit on a synchronous response payload. */
#define LR_MAX_RESPONSE_BYTES (6u * 1024u * 1024u)
#define LR_ERROR_TYPE_LEN 128
#define LR_ERROR_MESSAGE_LEN 1024

/* What Lambda tells us about one invocation. Strings are owned by the
 * runtime and valid only during the invoke call. Absent values are "". */
typedef struct lr_context {
  const char *request_id;
  const char *invoked_function_arn;
  const char *trace_id;        /* Lambda-Runtime-Trace-Id */
  const char *client_context;  /* raw JSON or "" */
  const char *cognito_identity;/* raw JSON or "" */
  int64_t deadline_ms;         /* Unix epoch milliseconds */
  const char *function_name;   /* AWS_LAMBDA_FUNCTION_NAME */
  const lr_logger *log;        /* logger bound to this invocation's ids */
} lr_context;

/* Milliseconds left before Lambda stops this invocation (may be negative). */
int64_t lr_context_remaining_ms(const lr_context *ctx);

/* A handler's failure, sent to /invocation/{id}/error (or /init/error).
 * type is the errorType (e.g. "Runtime.ConfigError"), message is free text. */
typedef struct lr_fault {
  char type[LR_ERROR_TYPE_LEN];
  char message[LR_ERROR_MESSAGE_LEN];
} lr_fault;

/* Fill a fault; the message is truncated to fit. Always returns LR_HANDLER_ERROR
 * so a handler can `return lr_fault_set(...)`. */
int lr_fault_set(lr_fault *f, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

enum { LR_HANDLER_OK = 0, LR_HANDLER_ERROR = 1 };

typedef struct lr_handler {
  const char *name;
  /* Called once before the first /next. On failure return LR_HANDLER_ERROR with
   * the fault filled: the runtime posts it to /runtime/init/error and exits
   * non-zero. *app is handed to every invoke and to shutdown. */
  int (*init)(void **app, const lr_logger *log, lr_fault *fault);
  /* One event in, one response out. `response` is owned by the runtime, empty
   * on entry, and reused across invocations: append the JSON answer to it.
   * Return LR_HANDLER_OK, or LR_HANDLER_ERROR with `fault` filled. */
  int (*invoke)(void *app, const lr_context *ctx, const char *event, size_t event_len,
                lr_buf *response, lr_fault *fault);
  /* Frees the app context (process exit, tests). May be NULL. */
  void (*shutdown)(void *app);
} lr_handler;

/* Runs the init phase and then the invocation loop against
 * $AWS_LAMBDA_RUNTIME_API. Returns only on a fatal error (the caller exits
 * non-zero with the returned code); in normal operation it never returns. */
int lr_run(const lr_handler *handler);

/* For bootstrap when _HANDLER names no handler: reports Runtime.HandlerNotFound
 * to /runtime/init/error and returns a non-zero exit code. */
int lr_run_unknown_handler(const char *name);

#endif
