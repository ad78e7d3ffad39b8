#ifndef LL_CRON_H
#define LL_CRON_H
/* EventBridge schedule expressions: cron(min hour dom month dow year), UTC,
 * with ? L W # ranges, lists, steps and names (JAN, MON); and
 * rate(N minute|minutes|hour|hours|day|days). Parsed once, then asked for
 * the next fire time after an instant. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LL_SCHEDULE_EXPR_MAX 256
#define LL_CRON_YEAR_MIN 1970
#define LL_CRON_YEAR_MAX 2199

typedef struct ll_schedule_expr {
  bool is_rate;
  int64_t rate_s; /* rate: the period */
  /* cron: one bit per allowed value */
  uint64_t minutes;              /* 0-59 */
  uint32_t hours;                /* 0-23 */
  uint32_t dom;                  /* 1-31 */
  uint16_t months;               /* 1-12 */
  uint8_t dow;                   /* 1-7, 1 = SUN */
  uint64_t years[4];             /* 1970-2199, bit (year - 1970) */
  bool dom_any, dow_any;         /* '?' */
  bool dom_last;                 /* L */
  int dom_weekday;               /* nW: the weekday nearest day n (0: none) */
  int dow_last;                  /* dL: the last weekday d of the month (0: none) */
  int dow_nth_day, dow_nth;      /* d#n: the n-th weekday d (0: none) */
} ll_schedule_expr;

/* Parses text; false with a reason in err (naming the field) otherwise. */
bool ll_schedule_parse(const char *text, ll_schedule_expr *out, char *err, size_t errcap);
/* The first fire time strictly after after_s (epoch seconds). For rate, fire
 * times are anchor_s + k * period (k >= 1), as EventBridge counts from the
 * rule's creation. -1 when there is none (a cron past 2199). */
int64_t ll_schedule_next(const ll_schedule_expr *e, int64_t anchor_s, int64_t after_s);

/* Civil date of epoch seconds (UTC), and back; exposed for the tests. */
void ll_civil_from_epoch(int64_t s, int *y, int *mo, int *d, int *h, int *mi);
int64_t ll_epoch_from_civil(int y, int mo, int d, int h, int mi);

#endif
