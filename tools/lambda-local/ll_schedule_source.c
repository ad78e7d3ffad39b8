/* Schedules: a thread per enabled rule sleeps until the rule's next fire
 * time and invokes its function with the rule's event. EventBridge invokes
 * asynchronously and does not wait; here a rule whose invocation outlasts
 * its next fire time skips the fire times it missed (logged), so that a
 * slow function never piles up invocations of one rule. */
#include "ll_schedule_source.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ll_cron.h"
#include "ll_log.h"
#include "ll_time.h"
#include "lr/clock.h"

#define LL_SCHED_MAX_RULES (LL_MAX_FUNCTIONS * LL_MAX_SCHEDULES)

typedef struct ll_sched ll_sched;

typedef struct ll_rule_run {
  ll_sched *owner;
  const ll_function_cfg *fn;
  const ll_schedule_cfg *rule;
  ll_schedule_expr expr;
  pthread_t thread;
  bool started;
} ll_rule_run;

struct ll_sched {
  ll_source base;
  const ll_config *cfg;
  ll_pool *pool;
  int scale;
  int64_t start_real_ms, start_mono_ms; /* the local clock's origin */
  ll_stop_flag stop;
  size_t count;
  ll_rule_run runs[LL_SCHED_MAX_RULES];
};

char *ll_schedule_event(const ll_schedule_cfg *rule, const char *region, int64_t at_s) {
  if (rule->input) return strdup(rule->input);
  int y, mo, d, h, mi;
  ll_civil_from_epoch(at_s, &y, &mo, &d, &h, &mi);
  unsigned char r[16];
  FILE *f = fopen("/dev/urandom", "rb");
  size_t got = f ? fread(r, 1, sizeof r, f) : 0;
  if (f) fclose(f);
  if (got != sizeof r) memset(r, 0, sizeof r);
  char *out = malloc(1024);
  if (!out) return NULL;
  int n = snprintf(out, 1024,
                   "{\"version\":\"0\",\"id\":\"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\","
                   "\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\",\"account\":\"000000000000\","
                   "\"time\":\"%04d-%02d-%02dT%02d:%02d:%02dZ\",\"region\":\"%s\","
                   "\"resources\":[\"arn:aws:events:%s:000000000000:rule/%s\"],\"detail\":{}}",
                   r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15],
                   y, mo, d, h, mi, (int)(at_s % 60 + 60) % 60, region, region, rule->name);
  if (n < 0 || n >= 1024) {
    free(out);
    return NULL;
  }
  return out;
}

/* The local clock, in epoch ms: the wall clock at start, then monotonic time scaled. */
static int64_t ll_sched_now_ms(const ll_sched *s) {
  return s->start_real_ms + (lr_clock_mono_ms() - s->start_mono_ms) * s->scale;
}

/* Waits until the local clock reaches at_ms; false when stopping. */
static bool ll_sched_wait_until(ll_sched *s, int64_t at_ms) {
  for (;;) {
    int64_t left = (at_ms - ll_sched_now_ms(s)) / s->scale;
    if (left <= 0) return !ll_stop_raised(&s->stop);
    /* re-read the clock at least every minute */
    if (ll_stop_wait(&s->stop, (long)(left > 60000 ? 60000 : left))) return false;
  }
}

static void ll_fire(ll_rule_run *r, int64_t at_s) {
  ll_sched *s = r->owner;
  char *ev = ll_schedule_event(r->rule, s->cfg->region, at_s);
  if (!ev) return;
  ll_invocation inv;
  ll_invocation_init(&inv, ev, strlen(ev), NULL);
  ll_logf("lambda-local: schedule %s (%s): invoking %s (request %s)", r->rule->name, r->rule->expression, r->fn->name,
          inv.request_id);
  ll_status st = ll_pool_invoke(s->pool, r->fn->name, &inv, 0, r->fn->timeout_s * 1000);
  if (st != LL_OK) ll_logf("lambda-local: schedule %s: %s", r->rule->name, ll_status_message(st));
  else if (inv.outcome != LL_OUT_OK && inv.outcome != LL_OUT_STOPPED)
    ll_logf("lambda-local: schedule %s: %s failed (%s)", r->rule->name, r->fn->name, ll_outcome_name(inv.outcome));
  ll_invocation_clear(&inv);
  free(ev);
}

static void *ll_rule_loop(void *arg) {
  ll_rule_run *r = arg;
  ll_sched *s = r->owner;
  int64_t anchor_s = s->start_real_ms / 1000;
  int64_t after_s = ll_sched_now_ms(s) / 1000;
  for (;;) {
    int64_t next = ll_schedule_next(&r->expr, anchor_s, after_s);
    if (next < 0) {
      ll_logf("lambda-local: schedule %s: no fire time left (year past %d)", r->rule->name, LL_CRON_YEAR_MAX);
      return NULL;
    }
    if (!ll_sched_wait_until(s, next * 1000)) return NULL;
    ll_fire(r, next);
    int64_t now_s = ll_sched_now_ms(s) / 1000;
    int64_t again = ll_schedule_next(&r->expr, anchor_s, next);
    if (again >= 0 && again <= now_s)
      ll_logf("lambda-local: schedule %s: the invocation outlasted the next fire time; skipping to the one after now",
              r->rule->name);
    after_s = now_s > next ? now_s : next;
  }
}

static ll_status ll_sched_start(ll_source *self, ll_pool *pool, char *err, size_t errcap) {
  ll_sched *s = self->state;
  s->pool = pool;
  s->start_real_ms = lr_clock_epoch_ms();
  s->start_mono_ms = lr_clock_mono_ms();
  for (size_t i = 0; i < s->count; i++) {
    ll_rule_run *r = &s->runs[i];
    if (pthread_create(&r->thread, NULL, ll_rule_loop, r) != 0) {
      ll_err_set(err, errcap, "cannot start the thread of schedule %s", r->rule->name);
      return LL_NOMEM;
    }
    r->started = true;
    ll_logf("lambda-local: schedule %s: %s -> %s%s", r->rule->name, r->rule->expression, r->fn->name,
            s->scale > 1 ? " (test clock, sped up)" : "");
  }
  return LL_OK;
}

static void ll_sched_stop(ll_source *self) {
  ll_sched *s = self->state;
  ll_stop_raise(&s->stop);
  for (size_t i = 0; i < s->count; i++)
    if (s->runs[i].started) {
      pthread_join(s->runs[i].thread, NULL);
      s->runs[i].started = false;
    }
}

static bool ll_skipped(const char *const *skip, const char *name) {
  for (size_t i = 0; skip && skip[i]; i++)
    if (strcmp(skip[i], name) == 0) return true;
  return false;
}

ll_status ll_schedule_source_new(const ll_config *cfg, const char *const *skip, int scale, ll_source **out) {
  *out = NULL;
  ll_sched *s = calloc(1, sizeof *s);
  if (!s) return LL_NOMEM;
  s->cfg = cfg;
  s->scale = scale > 0 ? scale : 1;
  for (size_t i = 0; i < cfg->function_count; i++) {
    const ll_function_cfg *fn = &cfg->functions[i];
    for (size_t j = 0; j < fn->schedule_count && !ll_skipped(skip, fn->name); j++) {
      if (!fn->schedules[j].enabled) continue;
      ll_rule_run *r = &s->runs[s->count];
      char why[LL_ERR_LEN];
      if (!ll_schedule_parse(fn->schedules[j].expression, &r->expr, why, sizeof why)) continue; /* checked at load */
      r->owner = s;
      r->fn = fn;
      r->rule = &fn->schedules[j];
      s->count++;
    }
  }
  ll_stop_init(&s->stop);
  s->base = (ll_source){.name = "schedules", .start = ll_sched_start, .stop = ll_sched_stop, .state = s};
  *out = &s->base;
  return LL_OK;
}

void ll_schedule_source_free(ll_source *src) {
  if (!src) return;
  ll_sched *s = src->state;
  ll_sched_stop(src);
  ll_stop_destroy(&s->stop);
  free(s);
}
