/* Starting and stopping the event sources of a served stack. */
#include "ll_sources.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ll_log.h"
#include "ll_schedule_source.h"
#include "ll_sqs_source.h"

#define LL_MAX_CLOCK_SCALE 3600

struct ll_sources {
  size_t sqs_count;
  ll_source *sqs[LL_MAX_FUNCTIONS];
  ll_source *schedules;
  size_t rules;
};

static bool ll_in(const char *const *list, const char *name) {
  for (size_t i = 0; list && list[i]; i++)
    if (strcmp(list[i], name) == 0) return true;
  return false;
}

static int ll_clock_scale(void) {
  const char *v = getenv("LAMBDA_LOCAL_CLOCK_SCALE");
  if (!v || !*v) return 1;
  char *end = NULL;
  errno = 0;
  long n = strtol(v, &end, 10);
  if (errno || *end || n < 1 || n > LL_MAX_CLOCK_SCALE) {
    ll_logf("lambda-local: LAMBDA_LOCAL_CLOCK_SCALE=%.32s ignored (1-%d)", v, LL_MAX_CLOCK_SCALE);
    return 1;
  }
  return (int)n;
}

ll_status ll_sources_start(const ll_config *cfg, ll_pool *pool, const char *const *skip, ll_sources **out,
                           char *err, size_t errcap) {
  *out = NULL;
  ll_sources *s = calloc(1, sizeof *s);
  if (!s) return LL_NOMEM;
  ll_status st = LL_OK;
  for (size_t i = 0; st == LL_OK && i < cfg->function_count; i++) {
    const ll_function_cfg *fn = &cfg->functions[i];
    if (ll_in(skip, fn->name)) {
      if (fn->sqs || fn->schedule_count)
        ll_logf("lambda-local: events of %s not started (--skip-events)", fn->name);
      continue;
    }
    s->rules += fn->schedule_count;
    if (!fn->sqs) continue;
    st = ll_sqs_source_new(fn, cfg->region, &s->sqs[s->sqs_count]);
    if (st == LL_OK) {
      ll_source *src = s->sqs[s->sqs_count++];
      st = src->start(src, pool, err, errcap);
    }
  }
  if (st == LL_OK && s->rules) st = ll_schedule_source_new(cfg, skip, ll_clock_scale(), &s->schedules);
  if (st == LL_OK && s->schedules) st = s->schedules->start(s->schedules, pool, err, errcap);
  if (st != LL_OK) {
    ll_sources_free(s);
    return st;
  }
  *out = s;
  return LL_OK;
}

size_t ll_sources_count(const ll_sources *s) { return s ? s->sqs_count + (s->schedules ? 1 : 0) : 0; }

void ll_sources_free(ll_sources *s) {
  if (!s) return;
  for (size_t i = 0; i < s->sqs_count; i++) ll_sqs_source_free(s->sqs[i]);
  ll_schedule_source_free(s->schedules);
  free(s);
}
