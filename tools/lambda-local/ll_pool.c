/* Instances per function and their hand-out: a caller takes a free instance,
 * runs one invocation, gives it back. Lambda would throttle above the
 * concurrency; locally, callers queue for a bounded time instead. */
#include "ll_pool.h"
#include "ll_time.h"
#include "lr/clock.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ll_instance_internal.h"

typedef struct ll_fn {
  const ll_function_cfg *cfg;
  int count;
  ll_instance *inst[LL_MAX_CONCURRENCY];
  bool busy[LL_MAX_CONCURRENCY];
} ll_fn;

struct ll_pool {
  const ll_config *cfg;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool stopping;
  size_t fn_count;
  ll_fn fns[LL_MAX_FUNCTIONS];
};

static ll_fn *ll_pool_find(ll_pool *p, const char *name) {
  for (size_t i = 0; i < p->fn_count; i++)
    if (strcmp(p->fns[i].cfg->name, name) == 0) return &p->fns[i];
  return NULL;
}

ll_status ll_pool_create(const ll_config *cfg, int concurrency_override, ll_pool **out, char *err, size_t errcap) {
  *out = NULL;
  ll_pool *p = calloc(1, sizeof *p);
  if (!p) return LL_NOMEM;
  p->cfg = cfg;
  pthread_mutex_init(&p->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&p->cv, &ca);
  pthread_condattr_destroy(&ca);
  ll_status st = LL_OK;
  for (size_t i = 0; st == LL_OK && i < cfg->function_count; i++) {
    ll_fn *f = &p->fns[p->fn_count++];
    f->cfg = &cfg->functions[i];
    int n = concurrency_override > 0 ? concurrency_override : f->cfg->concurrency;
    for (; st == LL_OK && f->count < n; f->count++)
      st = ll_instance_create(f->cfg, cfg->region, f->count, false, &f->inst[f->count], err, errcap);
  }
  if (st != LL_OK) {
    ll_pool_free(p);
    return st;
  }
  *out = p;
  return LL_OK;
}

ll_status ll_pool_warm(ll_pool *p, const char *function) {
  ll_fn *f = ll_pool_find(p, function);
  if (!f) return LL_NOT_FOUND;
  for (int i = 0; i < f->count; i++) {
    ll_instance *in = f->inst[i];
    pthread_mutex_lock(&in->mu);
    if (in->proc.pid == 0) in->want_process = true;
    pthread_cond_broadcast(&in->cv);
    pthread_mutex_unlock(&in->mu);
  }
  return LL_OK;
}

/* Waits up to wait_ms, and never past answer_by_ns (CLOCK_MONOTONIC; 0: none). */
static int ll_pool_take(ll_pool *p, ll_fn *f, int wait_ms, int64_t answer_by_ns) {
  int64_t until_ns = lr_clock_mono_ns() + (int64_t)wait_ms * 1000000;
  if (answer_by_ns > 0 && answer_by_ns < until_ns) until_ns = answer_by_ns;
  struct timespec until = {.tv_sec = (time_t)(until_ns / 1000000000), .tv_nsec = (long)(until_ns % 1000000000)};
  pthread_mutex_lock(&p->mu);
  int got = -1;
  for (;;) {
    /* a free instance whose process is back in /next first; one still
     * working after its last response would hold the event until then */
    for (int i = 0; got < 0 && i < f->count; i++)
      if (!f->busy[i] && ll_instance_settled(f->inst[i])) got = i;
    for (int i = 0; got < 0 && i < f->count; i++)
      if (!f->busy[i]) got = i;
    if (got >= 0 || p->stopping) break;
    if (pthread_cond_timedwait(&p->cv, &p->mu, &until) != 0) break;
  }
  if (got >= 0) f->busy[got] = true;
  pthread_mutex_unlock(&p->mu);
  return got;
}

ll_status ll_pool_invoke(ll_pool *p, const char *function, ll_invocation *inv, int limit_s, int wait_ms) {
  ll_fn *f = ll_pool_find(p, function);
  if (!f) return LL_NOT_FOUND;
  int i = ll_pool_take(p, f, wait_ms, inv->answer_by_ns);
  if (i < 0) return p->stopping ? LL_STOPPED : LL_BUSY;
  int limit = limit_s > 0 && limit_s < f->cfg->timeout_s ? limit_s : f->cfg->timeout_s;
  ll_instance_invoke(f->inst[i], inv, limit);
  pthread_mutex_lock(&p->mu);
  f->busy[i] = false;
  pthread_cond_signal(&p->cv);
  pthread_mutex_unlock(&p->mu);
  return LL_OK;
}

const ll_function_cfg *ll_pool_function(const ll_pool *p, const char *function) {
  return ll_config_function(p->cfg, function);
}

void ll_pool_stop(ll_pool *p) {
  if (!p) return;
  pthread_mutex_lock(&p->mu);
  p->stopping = true;
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
  for (size_t i = 0; i < p->fn_count; i++)
    for (int j = 0; j < p->fns[i].count; j++) ll_instance_stop(p->fns[i].inst[j]);
}

void ll_pool_free(ll_pool *p) {
  if (!p) return;
  ll_pool_stop(p);
  for (size_t i = 0; i < p->fn_count; i++)
    for (int j = 0; j < p->fns[i].count; j++) ll_instance_free(p->fns[i].inst[j]);
  pthread_cond_destroy(&p->cv);
  pthread_mutex_destroy(&p->mu);
  free(p);
}
