#include "lr/clock.h"

#include <errno.h>
#include <time.h>

static int64_t lr_clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t lr_clock_us(clockid_t id) { return lr_clock_ns(id) / 1000; }

int64_t lr_clock_epoch_ms(void) { return lr_clock_us(CLOCK_REALTIME) / 1000; }
int64_t lr_clock_epoch_us(void) { return lr_clock_us(CLOCK_REALTIME); }
int64_t lr_clock_mono_ms(void) { return lr_clock_us(CLOCK_MONOTONIC) / 1000; }
int64_t lr_clock_mono_us(void) { return lr_clock_us(CLOCK_MONOTONIC); }
int64_t lr_clock_mono_ns(void) { return lr_clock_ns(CLOCK_MONOTONIC); }

void lr_clock_sleep_ms(int64_t ms) {
  if (ms <= 0) return;
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}
