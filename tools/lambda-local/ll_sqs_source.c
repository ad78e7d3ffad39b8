/* Lambda's SQS event source mapping, locally: min(maximumConcurrency,
 * instances) pollers, each one batch and one invocation at a time, so the
 * number of invocations in flight never exceeds maximumConcurrency.
 *
 * A poller long-polls ReceiveMessage (pollWait seconds, bounded by the HTTP
 * attempt timeout, so a hung SQS costs at most pollWait + 3 s, also at
 * shutdown), fills its batch up to batchSize or until the batching window
 * closes, invokes the function, and deletes the messages that succeeded.
 * Failed ones are left alone: they come back after the queue's visibility
 * timeout, and SQS (fauxqs does it as AWS does) moves a message past the
 * redrive policy's maxReceiveCount to the dead-letter queue on receive. */
#include "ll_sqs_source.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ll_log.h"
#include "ll_time.h"
#include "ll_sqs_event.h"
#include "lr/aws.h"
#include "lr/buf.h"
#include "lr/clock.h"
#include "lr/sqs.h"

#define LL_SQS_MAX_POLLERS LL_MAX_CONCURRENCY
#define LL_SQS_MARGIN_MS 3000
/* Lambda's 6 MB invocation payload, less room for the envelope. */
#define LL_SQS_MAX_EVENT_BYTES (LL_MAX_PAYLOAD_BYTES - 65536)
/* Another receive only while ten more of the largest messages would still fit. */
#define LL_SQS_ROOM_FOR_ONE_MORE (LL_SQS_MAX_EVENT_BYTES - 10 * ((size_t)LR_SQS_MAX_BODY + 4096))
#define LL_SQS_RETRY_MS 1000
#define LL_SQS_INIT_BACKOFF_MS 5000

typedef struct ll_sqs_src ll_sqs_src;

typedef struct ll_poller {
  ll_sqs_src *src;
  int index;
  pthread_t thread;
  bool started;
  lr_sqs_client *sqs;
} ll_poller;

struct ll_sqs_src {
  ll_source base;
  const ll_function_cfg *fn;
  ll_pool *pool;
  char arn[512];
  char region[64];
  ll_stop_flag stop;
  int count;
  ll_poller pollers[LL_SQS_MAX_POLLERS];
};

static bool ll_src_stopping(ll_sqs_src *s) { return ll_stop_raised(&s->stop); }

/* Sleeps ms, or less when the source stops. */
static void ll_src_pause(ll_sqs_src *s, int ms) { ll_stop_wait(&s->stop, ms); }

/* Receives until the batch is full, the window closes or the source stops.
 * False on an SQS error (logged). */
static bool ll_fill_batch(ll_poller *p, ll_sqs_batch *b) {
  ll_sqs_src *s = p->src;
  const ll_sqs_cfg *q = s->fn->sqs;
  int64_t window_end = 0;
  lr_buf ans;
  lr_buf_init(&ans, 16u * 1024 * 1024);
  bool ok = true;
  while (ok && !ll_src_stopping(s) && (int)b->count < q->batch_size && b->bytes <= LL_SQS_ROOM_FOR_ONE_MORE) {
    int64_t now = lr_clock_mono_ms();
    if (b->count > 0 && now >= window_end) break;
    int wait_s = q->poll_wait_s;
    int64_t left_s = (window_end - now + 999) / 1000; /* rounded up: a 0 s wait would spin */
    if (b->count > 0 && left_s < wait_s) wait_s = (int)left_s;
    int want = q->batch_size - (int)b->count;
    char err[LR_AWS_ERR_LEN] = "";
    lr_buf_reset(&ans);
    lr_aws_status st = lr_sqs_receive(p->sqs, q->queue_url, want > 10 ? 10 : want, wait_s,
                                      lr_clock_epoch_ms() + wait_s * 1000 + LL_SQS_MARGIN_MS, &ans, err);
    size_t before = b->count, skipped = 0;
    char why[LL_ERR_LEN] = "";
    if (st != LR_AWS_OK) {
      ll_logf("lambda-local: sqs %s: ReceiveMessage failed: %s", s->fn->name, err);
      ok = false;
    } else if (ll_sqs_batch_add(b, lr_buf_str(&ans), ans.len, s->arn, s->region, &skipped, why, sizeof why) != LL_OK) {
      ll_logf("lambda-local: sqs %s: %s", s->fn->name, why[0] ? why : "out of memory");
      ok = false;
    }
    if (skipped) ll_logf("lambda-local: sqs %s: %zu message(s) without id, receipt handle or body skipped", s->fn->name, skipped);
    if (before == 0 && b->count > 0) window_end = lr_clock_mono_ms() + (int64_t)q->window_s * 1000;
    if (b->count > 0 && q->window_s == 0) break; /* no window: what one receive brought */
  }
  lr_buf_free(&ans);
  return ok;
}

static void ll_delete_succeeded(ll_poller *p, const ll_sqs_batch *b, const bool *failed, size_t *deleted) {
  ll_sqs_src *s = p->src;
  const char *handles[10];
  size_t n = 0;
  *deleted = 0;
  for (size_t i = 0; i <= b->count; i++) {
    if (i < b->count && !failed[i]) handles[n++] = ll_sqs_record_receipt(b, i);
    if (n == 10 || (i == b->count && n > 0)) {
      char err[LR_AWS_ERR_LEN] = "";
      size_t refused = n;
      lr_aws_status st = lr_sqs_delete_batch(p->sqs, s->fn->sqs->queue_url, handles, n,
                                             lr_clock_epoch_ms() + LL_SQS_MARGIN_MS * 2, &refused, err);
      if (st != LR_AWS_OK) ll_logf("lambda-local: sqs %s: DeleteMessageBatch failed: %s", s->fn->name, err);
      else if (refused) ll_logf("lambda-local: sqs %s: SQS refused %zu deletion(s) (stale receipt handles)", s->fn->name, refused);
      *deleted += n - refused;
      n = 0;
    }
  }
}

/* One invocation with the batch, and what follows from its outcome. */
static void ll_deliver(ll_poller *p, ll_sqs_batch *b) {
  ll_sqs_src *s = p->src;
  char *event = ll_sqs_batch_event(b);
  bool *failed = calloc(b->count, sizeof *failed);
  if (!event || !failed) {
    ll_logf("lambda-local: sqs %s: out of memory building the event; the batch comes back later", s->fn->name);
    cJSON_free(event);
    free(failed);
    return;
  }
  ll_invocation inv;
  ll_invocation_init(&inv, event, strlen(event), NULL);
  ll_status st = ll_pool_invoke(s->pool, s->fn->name, &inv, 0, s->fn->timeout_s * 1000);
  char why[LL_ERR_LEN] = "the function failed";
  ll_batch_verdict v = LL_BATCH_ALL_FAILED;
  if (st != LL_OK) snprintf(why, sizeof why, "%s", ll_status_message(st));
  else if (inv.outcome != LL_OUT_OK)
    snprintf(why, sizeof why, "%s (%s)", ll_outcome_name(inv.outcome), inv.error_type[0] ? inv.error_type : "-");
  else v = ll_sqs_batch_result(b, inv.body, inv.body_len, s->fn->sqs->report_failures, failed, why, sizeof why);
  bool stopped = st == LL_STOPPED || (st == LL_OK && inv.outcome == LL_OUT_STOPPED);
  if (v == LL_BATCH_ALL_FAILED)
    for (size_t i = 0; i < b->count; i++) failed[i] = true;
  size_t deleted = 0, nfailed = 0;
  for (size_t i = 0; i < b->count; i++) nfailed += failed[i];
  if (!stopped && nfailed < b->count) ll_delete_succeeded(p, b, failed, &deleted);
  if (!stopped)
    ll_logf("lambda-local: sqs %s: batch of %zu (request %s): %zu deleted, %zu left for redelivery%s%s", s->fn->name,
            b->count, inv.request_id, deleted, nfailed, v == LL_BATCH_ALL_FAILED ? ": whole batch failed: " : "",
            v == LL_BATCH_ALL_FAILED ? why : "");
  bool init_failed = st == LL_OK && inv.outcome == LL_OUT_INIT_ERROR;
  ll_invocation_clear(&inv);
  cJSON_free(event);
  free(failed);
  if (init_failed) ll_src_pause(s, LL_SQS_INIT_BACKOFF_MS); /* as Lambda backs off a broken function */
}

static void *ll_poll(void *arg) {
  ll_poller *p = arg;
  ll_sqs_src *s = p->src;
  while (!ll_src_stopping(s)) {
    ll_sqs_batch b;
    if (ll_sqs_batch_init(&b) != LL_OK) {
      ll_src_pause(s, LL_SQS_RETRY_MS);
      continue;
    }
    bool ok = ll_fill_batch(p, &b);
    if (b.count > 0 && !ll_src_stopping(s)) ll_deliver(p, &b);
    ll_sqs_batch_free(&b);
    if (!ok) ll_src_pause(s, LL_SQS_RETRY_MS);
  }
  return NULL;
}

static ll_status ll_sqs_start(ll_source *self, ll_pool *pool, char *err, size_t errcap) {
  ll_sqs_src *s = self->state;
  s->pool = pool;
  lr_aws_credentials cred;
  char aerr[LR_AWS_ERR_LEN] = "";
  if (lr_aws_credentials_from_env(&cred, aerr) != LR_AWS_OK) {
    /* fauxqs takes any signature; real SQS would refuse these */
    memset(&cred, 0, sizeof cred);
    strcpy(cred.access_key_id, "AKIALAMBDALOCAL00000");
    strcpy(cred.secret_access_key, "lambda-local");
  }
  const ll_sqs_cfg *q = s->fn->sqs;
  lr_aws_client_config cc = {.region = s->region, .credentials = &cred, .endpoint = q->endpoint,
                             .attempt_timeout_ms = (long)q->poll_wait_s * 1000 + LL_SQS_MARGIN_MS, .max_attempts = 1,
                             .max_response_bytes = 16u * 1024 * 1024};
  ll_status st = LL_OK;
  /* consumers made here, one thread: libcurl's first handle initialises it */
  for (int i = 0; st == LL_OK && i < s->count; i++) {
    s->pollers[i] = (ll_poller){.src = s, .index = i};
    if (lr_sqs_client_create(&s->pollers[i].sqs, &cc, aerr) != LR_AWS_OK) {
      ll_err_set(err, errcap, "sqs source of %s: %s", s->fn->name, aerr);
      st = LL_CONFIG;
    }
  }
  memset(&cred, 0, sizeof cred);
  for (int i = 0; st == LL_OK && i < s->count; i++) {
    s->pollers[i].started = pthread_create(&s->pollers[i].thread, NULL, ll_poll, &s->pollers[i]) == 0;
    if (!s->pollers[i].started) st = LL_NOMEM;
  }
  if (st == LL_OK)
    ll_logf("lambda-local: sqs %s: polling %s (batch %d, window %d s, %d poller(s), %s)", s->fn->name, q->queue_url,
            q->batch_size, q->window_s, s->count, q->report_failures ? "ReportBatchItemFailures" : "whole batches");
  return st;
}

static void ll_sqs_stop(ll_source *self) {
  ll_sqs_src *s = self->state;
  ll_stop_raise(&s->stop);
  for (int i = 0; i < s->count; i++)
    if (s->pollers[i].started) {
      pthread_join(s->pollers[i].thread, NULL);
      s->pollers[i].started = false;
    }
}

ll_status ll_sqs_source_new(const ll_function_cfg *fn, const char *region, ll_source **out) {
  *out = NULL;
  ll_sqs_src *s = calloc(1, sizeof *s);
  if (!s) return LL_NOMEM;
  s->fn = fn;
  snprintf(s->region, sizeof s->region, "%s", region);
  if (!ll_sqs_queue_arn(fn->sqs->queue_url, region, s->arn, sizeof s->arn))
    snprintf(s->arn, sizeof s->arn, "arn:aws:sqs:%s:000000000000:unknown", region);
  s->count = fn->sqs->max_concurrency < fn->concurrency ? fn->sqs->max_concurrency : fn->concurrency;
  ll_stop_init(&s->stop);
  s->base = (ll_source){.name = "sqs", .start = ll_sqs_start, .stop = ll_sqs_stop, .state = s};
  *out = &s->base;
  return LL_OK;
}

void ll_sqs_source_free(ll_source *src) {
  if (!src) return;
  ll_sqs_src *s = src->state;
  ll_sqs_stop(src);
  for (int i = 0; i < s->count; i++) lr_sqs_client_free(s->pollers[i].sqs);
  ll_stop_destroy(&s->stop);
  free(s);
}
