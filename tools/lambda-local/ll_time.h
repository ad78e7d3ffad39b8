#ifndef LL_TIME_H
#define LL_TIME_H
/* Waits on the monotonic clock: condition variables that time out on it,
 * and deadlines for them. */
#include <pthread.h>
#include <time.h>

/* pthread_cond_init with CLOCK_MONOTONIC. */
void ll_cond_init_mono(pthread_cond_t *cv);
/* The CLOCK_MONOTONIC instant ms milliseconds from now. */
struct timespec ll_mono_in(long ms);



#include <stdbool.h>
#include <stdint.h>

/* A stop request the threads of a source wait on: set once, seen by all. */
typedef struct ll_stop_flag {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool stopping;
} ll_stop_flag;

void ll_stop_init(ll_stop_flag *f);
void ll_stop_destroy(ll_stop_flag *f);
void ll_stop_raise(ll_stop_flag *f);
bool ll_stop_raised(ll_stop_flag *f);
/* Sleeps ms, or less when the flag is raised; true when it is. */
bool ll_stop_wait(ll_stop_flag *f, long ms);
#endif
