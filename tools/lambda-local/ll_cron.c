/* EventBridge cron and rate expressions. Every item is checked against its
 * field's range and wildcards; L, W and # stand alone in their field, as
 * EventBridge accepts them. The next fire time walks day by day (at most
 * the 230 years EventBridge allows), so a hostile expression costs a bounded
 * loop, never a hang. */
#include "ll_cron.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ll_status.h"

/* Howard Hinnant's days_from_civil / civil_from_days. */
static int64_t ll_days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void ll_civil_from_days(int64_t z, int *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t ll_floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

void ll_civil_from_epoch(int64_t s, int *y, int *mo, int *d, int *h, int *mi) {
  int64_t days = ll_floor_div(s, 86400);
  int64_t rem = s - days * 86400;
  ll_civil_from_days(days, y, mo, d);
  *h = (int)(rem / 3600);
  *mi = (int)(rem % 3600 / 60);
}

int64_t ll_epoch_from_civil(int y, int mo, int d, int h, int mi) {
  return ll_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

static int ll_days_in_month(int y, int m) {
  static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : dim[m - 1];
}

/* 1 = Sunday ... 7 = Saturday, as EventBridge numbers them. */
static int ll_weekday(int y, int m, int d) {
  int64_t days = ll_days_from_civil(y, m, d); /* 1970-01-01 was a Thursday (5) */
  return (int)((days % 7 + 7 + 4) % 7) + 1;
}

/* ---------------------------------------------------------------- parsing */

typedef struct ll_field_spec {
  const char *name;
  int lo, hi;
  const char *const *names; /* names[i] is value lo + i; NULL: numbers only */
} ll_field_spec;

static const char *const ll_month_names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                             "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", NULL};
static const char *const ll_dow_names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL};

enum { F_MIN, F_HOUR, F_DOM, F_MONTH, F_DOW, F_YEAR, F_COUNT };
static const ll_field_spec ll_fields[F_COUNT] = {
    {"minutes", 0, 59, NULL},           {"hours", 0, 23, NULL},
    {"day-of-month", 1, 31, NULL},      {"month", 1, 12, ll_month_names},
    {"day-of-week", 1, 7, ll_dow_names}, {"year", LL_CRON_YEAR_MIN, LL_CRON_YEAR_MAX, NULL}};

/* A value of the field at s[0..n): digits or a name. */
static bool ll_value(const ll_field_spec *f, const char *s, size_t n, int *out) {
  if (n == 0 || n > 4) return false;
  if (f->names && n == 3)
    for (int i = 0; f->names[i]; i++)
      if (strncasecmp(s, f->names[i], 3) == 0) {
        *out = f->lo + i;
        return true;
      }
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  if (v < f->lo || v > f->hi) return false;
  *out = v;
  return true;
}

typedef struct ll_bits {
  uint64_t w[4];
} ll_bits;

static void ll_bit_set(ll_bits *b, int i) { b->w[i / 64] |= (uint64_t)1 << (i % 64); }
static bool ll_bit_get(const uint64_t *w, int i) { return (w[i / 64] >> (i % 64)) & 1; }

/* item := '*' | v | v-v, each optionally followed by /step. */
static bool ll_item(const ll_field_spec *f, const char *s, size_t n, ll_bits *b) {
  const char *slash = memchr(s, '/', n);
  size_t head = slash ? (size_t)(slash - s) : n;
  int lo = f->lo, hi = f->hi, step = 1;
  if (slash) {
    size_t sn = n - head - 1;
    if (sn == 0 || sn > 4) return false;
    step = 0;
    for (size_t i = 0; i < sn; i++) {
      if (slash[1 + i] < '0' || slash[1 + i] > '9') return false;
      step = step * 10 + (slash[1 + i] - '0');
    }
    if (step < 1) return false;
  }
  if (head == 1 && s[0] == '*') {
  } else {
    const char *dash = memchr(s, '-', head);
    if (dash) {
      if (!ll_value(f, s, (size_t)(dash - s), &lo) || !ll_value(f, dash + 1, head - (size_t)(dash - s) - 1, &hi) ||
          lo > hi)
        return false;
    } else {
      if (!ll_value(f, s, head, &lo)) return false;
      if (!slash) hi = lo; /* "5/15": from 5 to the end, every 15 */
    }
  }
  for (int v = lo; v <= hi; v += step) ll_bit_set(b, v - f->lo);
  return true;
}

static bool ll_list(const ll_field_spec *f, const char *s, size_t n, ll_bits *b) {
  size_t start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i < n && s[i] != ',') continue;
    if (!ll_item(f, s + start, i - start, b)) return false;
    start = i + 1;
  }
  return true;
}

static bool ll_digit_value(const char *s, size_t n, int lo, int hi, int *out) {
  const ll_field_spec f = {"", lo, hi, NULL};
  return ll_value(&f, s, n, out);
}

/* A field is a special form (read into the expression), a plain list, or a
 * special form that is malformed. */
typedef enum ll_special { LL_SPECIAL_NONE, LL_SPECIAL_READ, LL_SPECIAL_BAD } ll_special;

static ll_special ll_special_if(bool ok) { return ok ? LL_SPECIAL_READ : LL_SPECIAL_BAD; }

/* The day-of-month specials: L, nW, LW (the last weekday). */
static ll_special ll_dom_special(ll_schedule_expr *e, const char *s, size_t n) {
  if (n == 1 && (s[0] == 'L' || s[0] == 'l')) return e->dom_last = true, LL_SPECIAL_READ;
  if (n == 2 && strncasecmp(s, "LW", 2) == 0) return e->dom_last = true, e->dom_weekday = -1, LL_SPECIAL_READ;
  if (n >= 2 && (s[n - 1] == 'W' || s[n - 1] == 'w'))
    return ll_special_if(ll_digit_value(s, n - 1, 1, 31, &e->dom_weekday));
  return LL_SPECIAL_NONE;
}

/* The day-of-week specials: L (Saturday), dL, d#n. */
static ll_special ll_dow_special(ll_schedule_expr *e, const char *s, size_t n) {
  const ll_field_spec *f = &ll_fields[F_DOW];
  if (n == 1 && (s[0] == 'L' || s[0] == 'l')) return e->dow = 1u << 7, LL_SPECIAL_READ;
  if (n >= 2 && (s[n - 1] == 'L' || s[n - 1] == 'l')) return ll_special_if(ll_value(f, s, n - 1, &e->dow_last));
  const char *hash = memchr(s, '#', n);
  if (!hash) return LL_SPECIAL_NONE;
  size_t dn = (size_t)(hash - s);
  return ll_special_if(ll_value(f, s, dn, &e->dow_nth_day) &&
                       ll_digit_value(hash + 1, n - dn - 1, 1, 5, &e->dow_nth));
}

static bool ll_field(ll_schedule_expr *e, int idx, const char *s, size_t n, char *err, size_t errcap) {
  const ll_field_spec *f = &ll_fields[idx];
  if (n == 1 && s[0] == '?') {
    if (idx == F_DOM) return e->dom_any = true;
    if (idx == F_DOW) return e->dow_any = true;
  }
  ll_special special = idx == F_DOM   ? ll_dom_special(e, s, n)
                       : idx == F_DOW ? ll_dow_special(e, s, n)
                                      : LL_SPECIAL_NONE;
  ll_bits b = {{0}};
  bool ok = special == LL_SPECIAL_READ || (special == LL_SPECIAL_NONE && ll_list(f, s, n, &b));
  if (!ok) {
    ll_err_set(err, errcap, "cron %s field \"%.*s\" is not valid (values %d-%d)", f->name, (int)(n > 32 ? 32 : n), s,
               f->lo, f->hi);
    return false;
  }
  switch (idx) {
    case F_MIN: e->minutes = b.w[0]; break;
    case F_HOUR: e->hours = (uint32_t)b.w[0]; break;
    case F_DOM: e->dom = (uint32_t)(b.w[0] << 1); break;
    case F_MONTH: e->months = (uint16_t)(b.w[0] << 1); break;
    case F_DOW: if (special == LL_SPECIAL_NONE) e->dow = (uint8_t)(b.w[0] << 1); break;
    default: memcpy(e->years, b.w, sizeof e->years); break;
  }
  return true;
}

static bool ll_parse_cron(const char *s, size_t n, ll_schedule_expr *e, char *err, size_t errcap) {
  size_t i = 0;
  int idx = 0;
  while (i < n) {
    while (i < n && s[i] == ' ') i++;
    if (i == n) break;
    size_t start = i;
    while (i < n && s[i] != ' ') i++;
    if (idx == F_COUNT) {
      ll_err_set(err, errcap, "cron needs exactly six fields (minutes hours day-of-month month day-of-week year)");
      return false;
    }
    if (!ll_field(e, idx++, s + start, i - start, err, errcap)) return false;
  }
  if (idx != F_COUNT) {
    ll_err_set(err, errcap, "cron needs exactly six fields (minutes hours day-of-month month day-of-week year)");
    return false;
  }
  if (e->dom_any == e->dow_any) {
    ll_err_set(err, errcap, "cron: one of day-of-month and day-of-week must be ?, and only one");
    return false;
  }
  return true;
}

static bool ll_parse_rate(const char *s, size_t n, ll_schedule_expr *e, char *err, size_t errcap) {
  static const struct { const char *one, *many; int64_t s; } units[] = {
      {"minute", "minutes", 60}, {"hour", "hours", 3600}, {"day", "days", 86400}};
  const char *sp = memchr(s, ' ', n);
  int v = 0;
  bool ok = sp && ll_digit_value(s, (size_t)(sp - s), 1, 9999, &v) && s[0] != '0';
  const char *unit = sp ? sp + 1 : "";
  size_t un = sp ? n - (size_t)(sp - s) - 1 : 0;
  for (size_t i = 0; ok && i < sizeof units / sizeof units[0]; i++) {
    const char *want = v == 1 ? units[i].one : units[i].many;
    if (un == strlen(want) && memcmp(unit, want, un) == 0) {
      e->is_rate = true;
      e->rate_s = (int64_t)v * units[i].s;
      return true;
    }
  }
  ll_err_set(err, errcap, "rate must be rate(N unit): N from 1 to 9999, unit minute|hour|day (plural when N > 1)");
  return false;
}

bool ll_schedule_parse(const char *text, ll_schedule_expr *out, char *err, size_t errcap) {
  memset(out, 0, sizeof *out);
  size_t n = text ? strnlen(text, LL_SCHEDULE_EXPR_MAX + 1) : 0;
  if (n == 0 || n > LL_SCHEDULE_EXPR_MAX || text[n - 1] != ')') {
    ll_err_set(err, errcap, "a schedule is cron(...) or rate(...), at most %d characters", LL_SCHEDULE_EXPR_MAX);
    return false;
  }
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e) {
      ll_err_set(err, errcap, "a schedule holds printable ASCII only");
      return false;
    }
  if (strncmp(text, "cron(", 5) == 0) return ll_parse_cron(text + 5, n - 6, out, err, errcap);
  if (strncmp(text, "rate(", 5) == 0) return ll_parse_rate(text + 5, n - 6, out, err, errcap);
  ll_err_set(err, errcap, "a schedule is cron(...) or rate(...)");
  return false;
}

/* ---------------------------------------------------------------- next fire */

static int ll_nearest_weekday(int y, int m, int day) {
  int dim = ll_days_in_month(y, m);
  if (day > dim) return -1;
  int wd = ll_weekday(y, m, day);
  if (wd == 7) return day == 1 ? 3 : day - 1;     /* Saturday: Friday, or Monday the 3rd */
  if (wd == 1) return day == dim ? day - 2 : day + 1; /* Sunday: Monday, or Friday before */
  return day;
}

static bool ll_day_matches(const ll_schedule_expr *e, int y, int m, int d) {
  if (!ll_bit_get(e->years, y - LL_CRON_YEAR_MIN) || !((e->months >> m) & 1)) return false;
  int dim = ll_days_in_month(y, m);
  if (!e->dom_any) {
    if (e->dom_last && e->dom_weekday < 0) { /* LW */
      int last = dim, wd = ll_weekday(y, m, dim);
      if (wd == 7) last = dim - 1;
      if (wd == 1) last = dim - 2;
      return d == last;
    }
    if (e->dom_last) return d == dim;
    if (e->dom_weekday > 0) return d == ll_nearest_weekday(y, m, e->dom_weekday);
    return (e->dom >> d) & 1;
  }
  int wd = ll_weekday(y, m, d);
  if (e->dow_last) return wd == e->dow_last && d + 7 > dim;
  if (e->dow_nth) return wd == e->dow_nth_day && (d - 1) / 7 + 1 == e->dow_nth;
  return (e->dow >> wd) & 1;
}

int64_t ll_schedule_next(const ll_schedule_expr *e, int64_t anchor_s, int64_t after_s) {
  if (e->is_rate) {
    if (after_s < anchor_s) return anchor_s + e->rate_s;
    return anchor_s + (ll_floor_div(after_s - anchor_s, e->rate_s) + 1) * e->rate_s;
  }
  int64_t start = ll_floor_div(after_s, 60) * 60 + 60;
  int y, m, d, h, mi;
  ll_civil_from_epoch(start, &y, &m, &d, &h, &mi);
  if (y < LL_CRON_YEAR_MIN) y = LL_CRON_YEAR_MIN, m = 1, d = 1, h = 0, mi = 0;
  int64_t day = ll_days_from_civil(y, m, d);
  for (bool first = true; y <= LL_CRON_YEAR_MAX; first = false) {
    if (ll_day_matches(e, y, m, d))
      for (int hh = first ? h : 0; hh < 24; hh++) {
        if (!((e->hours >> hh) & 1)) continue;
        for (int mm = first && hh == h ? mi : 0; mm < 60; mm++)
          if ((e->minutes >> mm) & 1) return day * 86400 + hh * 3600 + mm * 60;
      }
    ll_civil_from_days(++day, &y, &m, &d);
  }
  return -1;
}
