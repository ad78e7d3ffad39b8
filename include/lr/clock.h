#ifndef LR_CLOCK_H
#define LR_CLOCK_H
/* The two clocks every part of the project reads, defined once.
 *
 * Wall clock (CLOCK_REALTIME): instants that leave the process or are compared
 * with another process's (Lambda's deadline, log timestamps, SigV4 dates,
 * the database's now()). Monotonic clock: intervals measured inside one
 * process (latency, timeouts), which must not jump when the wall clock is
 * stepped. Tests that shift the wall clock (scripts/lib/clock-skew) leave the
 * monotonic one alone. */
#include <stdint.h>

int64_t lr_clock_epoch_ms(void); /* Unix epoch, milliseconds */
int64_t lr_clock_epoch_us(void); /* Unix epoch, microseconds */
int64_t lr_clock_mono_ms(void);  /* monotonic, milliseconds from an arbitrary origin */
int64_t lr_clock_mono_us(void);  /* monotonic, microseconds from an arbitrary origin */
int64_t lr_clock_mono_ns(void);  /* monotonic, nanoseconds from an arbitrary origin */
void lr_clock_sleep_ms(int64_t ms); /* sleeps ms (signals do not cut it short) */

#endif
