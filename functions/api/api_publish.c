/* After the response: the order.created message of the order the invocation
 * created, then the outbox bookkeeping. A sent row is marked by the process's
 * next create statement (outbox_marks), so a create costs one round trip; a
 * failed send counts an attempt (a round trip of its own, only then) and
 * leaves the row to the cleanup relay. The order stands either way.
 *
 * Work after the answer is billed and holds the process (the next request
 * waits for it), so it has a small budget whatever SQS or the database does:
 * one send attempt of API_SEND_BUDGET_MS, one outbox update of
 * API_AFTER_DB_BUDGET_MS, and a circuit breaker that stops trying for a while
 * after a failure. The relay sends what is left. */
#include <stdio.h>

#include "api_internal.h"
#include "lr/clock.h"

#define API_SEND_BUDGET_MS 300
#define API_AFTER_DB_BUDGET_MS 300
/* Nothing after the answer may reach this close to Lambda's deadline. */
#define API_AFTER_DEADLINE_MARGIN_MS 200
/* The pause after a failed send doubles from 2 s to 10 s. A probe is one
 * 300 ms attempt after one answer, so a short cap costs little in a long
 * outage, and once SQS is back the api sends again within 10 s instead of
 * leaving up to a minute of orders to the relay (which runs every 5 min). */
#define API_BREAKER_PAUSE_MS 2000
#define API_BREAKER_PAUSE_MAX_MS 10000

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* now + budget, but never past the invocation's deadline minus the margin. */
static int64_t after_deadline(const lr_context *ctx, int64_t now, int64_t budget) {
  int64_t until = now + budget;
  if (ctx->deadline_ms > 0) until = min64(until, ctx->deadline_ms - API_AFTER_DEADLINE_MARGIN_MS);
  return until;
}

bool api_breaker_open(const api_send_breaker *b, int64_t now) {
  return b->paused_until_ms > 0 && now < b->paused_until_ms;
}

void api_breaker_record(api_send_breaker *b, bool ok, int64_t now) {
  if (ok) {
    b->failures = 0;
    b->paused_until_ms = 0;
    return;
  }
  int64_t pause = API_BREAKER_PAUSE_MS;
  for (int i = 0; i < b->failures && pause < API_BREAKER_PAUSE_MAX_MS; i++) pause *= 2;
  if (b->failures < 30) b->failures++;
  b->paused_until_ms = now + min64(pause, API_BREAKER_PAUSE_MAX_MS);
}

static void send_failed(api_app *a, const lr_context *ctx, const char *order_id, const char *err,
                        const char *metric) {
  if (ctx->log)
    lr_log_kv(ctx->log, LR_LOG_WARN, "order message not sent; the outbox relay will retry",
              "order_id", order_id, "error", err, NULL);
  lr_metrics m;
  lr_metrics_init(&m, a->app->cfg.metrics_namespace);
  lr_metrics_dimension(&m, "Service", a->app->cfg.service_name);
  lr_metrics_put(&m, metric, 1, LR_UNIT_COUNT);
  lr_metrics_flush(&m, ctx->log && ctx->log->out ? ctx->log->out : stdout, lr_clock_epoch_ms());
}

static void mark_row(api_app *a, const lr_context *ctx, const api_pending_send *p, int sent) {
  char dberr[DB_ERR_LEN] = "";
  db_session_set_deadline(a->app->db, after_deadline(ctx, lr_clock_epoch_ms(), API_AFTER_DB_BUDGET_MS));
  db_status dst = sent ? outbox_mark_published(a->app->db, p->outbox_id, dberr)
                       : outbox_mark_failed(a->app->db, p->outbox_id, dberr);
  db_session_set_deadline(a->app->db, 0);
  if (dst != DB_OK && ctx->log)
    lr_log_kv(ctx->log, LR_LOG_WARN, "outbox row not updated", "order_id", p->order_id, "error",
              dberr, NULL);
}

void api_after_response(api_app *a, const lr_context *ctx) {
  api_pending_send *p = a ? &a->send : NULL;
  if (!p || !p->due) return;
  p->due = 0;
  int64_t now = lr_clock_epoch_ms();
  if (api_breaker_open(&a->breaker, lr_clock_mono_ms())) {
    /* no attempt, no round trip: the row stays unpublished for the relay */
    send_failed(a, ctx, p->order_id, "recent sends failed; not trying for a while",
                "OutboxSendSkipped");
    return;
  }
  char err[LR_AWS_ERR_LEN] = "";
  char msg_id[LR_SQS_MESSAGE_ID_LEN] = "";
  lr_aws_status st = lr_sqs_send_message(a->sqs, a->app->cfg.orders_queue_url, p->message.data,
                                         p->message.len, ctx->trace_id,
                                         after_deadline(ctx, now, API_SEND_BUDGET_MS), msg_id, err);
  api_breaker_record(&a->breaker, st == LR_AWS_OK, lr_clock_mono_ms());
  if (st != LR_AWS_OK) send_failed(a, ctx, p->order_id, err, "OutboxSendFailures");
  if (st == LR_AWS_OK && outbox_marks_add(&a->sent, p->outbox_id)) return;
  mark_row(a, ctx, p, st == LR_AWS_OK);
}
