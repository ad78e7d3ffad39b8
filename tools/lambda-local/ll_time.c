#include "ll_time.h"

void ll_cond_init_mono(pthread_cond_t *cv) {
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(cv, &ca);
  pthread_condattr_destroy(&ca);
}

struct timespec ll_mono_in(long ms) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  t.tv_sec += ms / 1000;
  t.tv_nsec += (ms % 1000) * 1000000L;
  if (t.tv_nsec >= 1000000000L) {
    t.tv_sec++;
    t.tv_nsec -= 1000000000L;
  }
  return t;
}

void ll_stop_init(ll_stop_flag *f) {
  pthread_mutex_init(&f->mu, NULL);
  ll_cond_init_mono(&f->cv);
  f->stopping = false;
}

void ll_stop_destroy(ll_stop_flag *f) {
  pthread_cond_destroy(&f->cv);
  pthread_mutex_destroy(&f->mu);
}

void ll_stop_raise(ll_stop_flag *f) {
  pthread_mutex_lock(&f->mu);
  f->stopping = true;
  pthread_cond_broadcast(&f->cv);
  pthread_mutex_unlock(&f->mu);
}

bool ll_stop_raised(ll_stop_flag *f) {
  pthread_mutex_lock(&f->mu);
  bool v = f->stopping;
  pthread_mutex_unlock(&f->mu);
  return v;
}

bool ll_stop_wait(ll_stop_flag *f, long ms) {
  struct timespec until = ll_mono_in(ms);
  pthread_mutex_lock(&f->mu);
  while (!f->stopping && pthread_cond_timedwait(&f->cv, &f->mu, &until) == 0) {
  }
  bool v = f->stopping;
  pthread_mutex_unlock(&f->mu);
  return v;
}
