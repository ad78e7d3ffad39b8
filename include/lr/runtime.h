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
#include <stdio.h>

#include "lr/buf.h"
#include "lr/limits.h"
#include "lr/log.h"

/* Lambda's limit on a synchronous response payload (lr/limits.h). */
#define LR_MAX_RESPONSE_BYTES LR_MAX_PAYLOAD_BYTES
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
  /* Work the caller need not wait for. Called after each invoke once its
   * answer (response or error) has been posted, whatever Lambda said to it,
   * and before the runtime asks for the next event: Lambda has already
   * handed the answer to the invoker (API Gateway answers the client), while
   * this time still counts towards the invocation's Duration and timeout.
   * ctx is the invocation's, still valid. May be NULL. */
  void (*after_response)(void *app, const lr_context *ctx);
} lr_handler;

/* Runs the init phase and then the invocation loop against
 * $AWS_LAMBDA_RUNTIME_API. Returns only on a fatal error (the caller exits
 * non-zero with the returned code); in normal operation it never returns. */
int lr_run(const lr_handler *handler);

/* For bootstrap when _HANDLER names no handler: reports Runtime.HandlerNotFound
 * to /runtime/init/error and returns a non-zero exit code. */
int lr_run_unknown_handler(const char *name);

/* ---- Additions (runtime/core): status codes, options, testing hooks ---- */

/* The runtime's status codes: lr_run's return value. 0 is OK; values are
 * never renumbered. X(NAME, value, message). */
#define LR_RT_STATUS_MAP(X)                                                   \
  X(OK, 0, "ok")                                                              \
  X(NOMEM, 1, "out of memory")                                                \
  X(CONFIG, 2, "missing or invalid runtime configuration")                    \
  X(TRANSPORT, 3, "the Runtime API could not be reached")                     \
  X(HTTP, 4, "the Runtime API answered with an unexpected status")            \
  X(PROTOCOL, 5, "the Runtime API sent a malformed answer")                   \
  X(TOO_BIG, 6, "a payload is over its limit")                                \
  X(INIT, 7, "the handler's init hook failed")                                \
  X(NO_HANDLER, 8, "no handler by that name")

typedef enum lr_rt_status {
#define LR_RT_ENUM(name, value, msg) LR_RT_##name = value,
  LR_RT_STATUS_MAP(LR_RT_ENUM)
#undef LR_RT_ENUM
} lr_rt_status;

/* "LR_RT_TRANSPORT" etc.; "LR_RT_UNKNOWN" for values outside the table. */
const char *lr_rt_status_name(int st);
const char *lr_rt_status_message(int st);

typedef enum lr_crash_mode {
  LR_CRASH_REPORT = 0, /* install the SIGSEGV/SIGABRT/SIGBUS/SIGFPE reporter */
  LR_CRASH_IGNORE = 1  /* leave signal dispositions alone */
} lr_crash_mode;

/* How lr_run_ex runs the loop. lr_run uses the defaults below. */
typedef struct lr_run_options {
  const char *runtime_api;   /* host:port; NULL: $AWS_LAMBDA_RUNTIME_API */
  FILE *log_out;             /* NULL: stdout */
  int max_retries;           /* per Runtime API call on transient failure; default 5 */
  int retry_backoff_ms;      /* first backoff, doubled each retry (capped 1 s); default 20 */
  uint64_t max_invocations;  /* 0: forever; otherwise lr_run_ex returns LR_RT_OK after that many */
  lr_crash_mode crash;       /* default LR_CRASH_REPORT */
} lr_run_options;

void lr_run_options_init(lr_run_options *o);
/* lr_run with explicit options (tests, benchmarks, the fixtures). */
int lr_run_ex(const lr_handler *handler, const lr_run_options *opt);
/* lr_run_unknown_handler with explicit options. */
int lr_run_unknown_handler_ex(const char *name, const lr_run_options *opt);

#endif
