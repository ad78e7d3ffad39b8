/* After the response: the order.created message of the order the invocation
 * created, then the outbox bookkeeping. A sent row is marked by the process's
 * next create statement (outbox_marks), so a create costs one round trip; a
 * failed send counts an attempt (a round trip of its own, only then) and
 * leaves the row to the cleanup relay. The order stands either way. */
#include <stdio.h>

#include "api_internal.h"
#include "lr/clock.h"

/* The send may take what is left of the invocation but this margin, which
 * the outbox update after it needs. */
#define API_SEND_MARGIN_MS 1500
/* The outbox update must end before Lambda's deadline, with nothing to answer after it. */
#define API_DB_AFTER_MARGIN_MS 500
/* Without a deadline (tests, tools) a send still gets a bound. */
#define API_SEND_DEFAULT_MS 5000

static void send_failed(api_app *a, const lr_context *ctx, const char *order_id, const char *err) {
  if (ctx->log)
    lr_log_kv(ctx->log, LR_LOG_WARN, "order message not sent; the outbox relay will retry",
              "order_id", order_id, "error", err, NULL);
  lr_metrics m;
  lr_metrics_init(&m, a->app->cfg.metrics_namespace);
  lr_metrics_dimension(&m, "Service", a->app->cfg.service_name);
  lr_metrics_put(&m, "OutboxSendFailures", 1, LR_UNIT_COUNT);
  lr_metrics_flush(&m, ctx->log && ctx->log->out ? ctx->log->out : stdout, lr_clock_epoch_ms());
}

void api_after_response(api_app *a, const lr_context *ctx) {
  api_pending_send *p = a ? &a->send : NULL;
  if (!p || !p->due) return;
  p->due = 0;
  char err[LR_AWS_ERR_LEN] = "";
  char dberr[DB_ERR_LEN] = "";
  char msg_id[LR_SQS_MESSAGE_ID_LEN] = "";
  int64_t deadline = ctx->deadline_ms > 0 ? ctx->deadline_ms - API_SEND_MARGIN_MS
                                          : lr_clock_epoch_ms() + API_SEND_DEFAULT_MS;
  lr_aws_status st = lr_sqs_send_message(a->sqs, a->app->cfg.orders_queue_url, p->message.data,
                                         p->message.len, ctx->trace_id, deadline, msg_id, err);
  if (st != LR_AWS_OK) send_failed(a, ctx, p->order_id, err);
  if (st == LR_AWS_OK && outbox_marks_add(&a->sent, p->outbox_id) == 0) return;
  if (ctx->deadline_ms > 0) db_session_set_deadline(a->app->db, ctx->deadline_ms - API_DB_AFTER_MARGIN_MS);
  db_status dst = st == LR_AWS_OK ? outbox_mark_published(a->app->db, p->outbox_id, dberr)
                                  : outbox_mark_failed(a->app->db, p->outbox_id, dberr);
  db_session_set_deadline(a->app->db, 0);
  if (dst != DB_OK && ctx->log)
    lr_log_kv(ctx->log, LR_LOG_WARN, "outbox row not updated", "order_id", p->order_id, "error",
              dberr, NULL);
}
