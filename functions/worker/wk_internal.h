#ifndef WK_INTERNAL_H
#define WK_INTERNAL_H
/* The worker handler, one concern per file:
 *   wk_event.c    the SQS event -> wk_batch (every field checked; a bad record
 *                 is a per-message failure, never the batch's)
 *   wk_decide.c   one call of order_decide_batch (migration 0004) for the batch
 *   wk_sql.c      its SQL text
 *   wk_answer.c   the batchItemFailures answer
 *   wk_handler.c  init, invoke, the per-message log lines and the metrics */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/app.h"
#include "common/db.h"
#include "lr/buf.h"
#include "lr/log.h"
#include "lr/runtime.h"

#define WK_MAX_RECORDS 10000      /* Lambda's largest SQS batch (with a batching window) */
#define WK_MESSAGE_ID_MAX 128     /* SQS's are 36-character UUIDs */
#define WK_BODY_MAX 4096u         /* an order.created body is ~130 bytes; SQS allows 256 KiB */
#define WK_TRACE_MAX 256          /* lr_sqs's limit on the header it sends */
#define WK_ORDER_ID_LEN 37
#define WK_DETAIL_LEN 160         /* a reject reason ("out_of_stock:" + a 64-char SKU), a SQLSTATE */
#define WK_SQL_MARGIN_MS 500      /* the SQL stops deciding this long before the client cancels */
#define WK_DB_MARGIN_MS 1000      /* the client cancels this long before Lambda's deadline */
#define WK_BUDGET_MAX_MS 900000   /* Lambda's longest timeout */

extern const char WK_SQL_DECIDE[];

/* X(name, value, label, named in batchItemFailures). Values are never renumbered. */
#define WK_OUTCOME_MAP(X)                                                  \
  X(PENDING, 0, "pending", 1)            /* well formed, not decided yet */ \
  X(CONFIRMED, 1, "confirmed", 0)                                           \
  X(REJECTED, 2, "rejected", 0)                                             \
  X(ALREADY_HANDLED, 3, "already_handled", 0)                               \
  X(UNKNOWN_ORDER, 4, "unknown_order", 1)                                   \
  X(MALFORMED, 5, "malformed", 1)                                           \
  X(UNKNOWN_TYPE, 6, "unknown_type", 1)                                     \
  X(RETRY, 7, "retry", 1)                                                   \
  X(ERROR, 8, "error", 1)                                                   \
  X(NOT_ATTEMPTED, 9, "not_attempted", 1)                                   \
  X(DB_UNAVAILABLE, 10, "db_unavailable", 1)                                \
  X(NOT_A_RECORD, 11, "not_a_record", 1)  /* not an object: no id to name it by */

typedef enum wk_outcome {
#define WK_OUTCOME_ENUM(name, value, label, failed) WK_##name = value,
  WK_OUTCOME_MAP(WK_OUTCOME_ENUM)
#undef WK_OUTCOME_ENUM
} wk_outcome;

const char *wk_outcome_label(wk_outcome o);
/* Whether the message is named in batchItemFailures (SQS delivers it again). */
bool wk_outcome_failed(wk_outcome o);
/* A database outcome label (order_decide_batch's r_outcome) to *out; false
 * if unknown (*out untouched). */
bool wk_outcome_parse(const char *label, wk_outcome *out);

typedef struct wk_message {
  char message_id[WK_MESSAGE_ID_MAX + 1]; /* "" when the record has no usable one:
                                            decided all the same, never named */
  char order_id[WK_ORDER_ID_LEN];         /* "" unless the body is a usable order.created */
  char trace[WK_TRACE_MAX + 1];           /* attributes.AWSTraceHeader, "" when absent or unusable */
  long receive_count;                     /* attributes.ApproximateReceiveCount, -1 when unknown */
  wk_outcome outcome;
  char detail[WK_DETAIL_LEN];             /* why malformed, the reject reason, a SQLSTATE… */
  double latency_ms;                      /* created -> decided; < 0 when not decided now */
} wk_message;

typedef struct wk_batch {
  wk_message *msgs;  /* n entries, owned */
  size_t n;
} wk_batch;

/* Parses an SQS event into b (freed with wk_batch_free, also on failure).
 * Returns true; false with err filled only when the event as a whole is not
 * an SQS event (not JSON, no Records array, more than WK_MAX_RECORDS): then
 * no message can be named and the handler faults, so that Lambda retries the
 * batch. A bad record never makes it false: it gets WK_MALFORMED (or
 * WK_NOT_A_RECORD, WK_UNKNOWN_TYPE) with the reason in detail. */
bool wk_event_parse(const char *event, size_t len, wk_batch *b, char *err, size_t err_len);
void wk_batch_free(wk_batch *b);

/* Whether s is a canonical UUID (8-4-4-4-12 hex digits). */
bool wk_is_uuid(const char *s);

/* How long the SQL may decide, from now until deadline_ms (epoch ms; 0: no
 * deadline), minus the margins above; <= 0: do not call the database. */
int64_t wk_budget_ms(int64_t deadline_ms, int64_t now_ms);

/* Decides every WK_PENDING message in one statement. On DB_OK each of them has
 * its outcome (rows the server did not return: WK_NOT_ATTEMPTED); otherwise
 * each is WK_DB_UNAVAILABLE (detail: the status name) and err says why.
 * budget_ms <= 0 marks them WK_NOT_ATTEMPTED without a call. */
db_status wk_decide(db_session *s, wk_batch *b, int64_t budget_ms, char err[DB_ERR_LEN]);

/* {"batchItemFailures":[{"itemIdentifier":"…"}, …]} appended to out: each
 * failed message with a message id, once. */
lr_buf_status wk_answer_write(const wk_batch *b, lr_buf *out);

/* ---- the handler ---------------------------------------------------------- */
typedef struct wk_app {
  app_ctx *app;
} wk_app;

/* The app (config with CFG_NEED_DB, the session); a warm-up, if asked, is
 * best effort and bounded by WK_WARMUP_MS. */
int wk_app_create(const app_options *opt, const lr_logger *log, wk_app **out, lr_fault *fault);
void wk_app_free(wk_app *a);
/* One invocation (the lr_handler's invoke; tests call it directly). */
int wk_invoke(wk_app *a, const lr_context *ctx, const char *event, size_t event_len,
              lr_buf *response, lr_fault *fault);

#endif
