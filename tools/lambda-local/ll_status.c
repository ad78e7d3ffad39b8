/* Status messages and the one error setter of lambda-local. */
#include "ll_status.h"

#include "lr/status.h"

#include <stdarg.h>
#include <stdio.h>

static const lr_status_row ll_status_rows[] = {
#define LL_ROW(name, value, msg) [value] = {#name, msg},
    LL_STATUS_MAP(LL_ROW)
#undef LL_ROW
};
static const lr_status_row ll_status_unknown = {"LL_UNKNOWN", "unknown status"};

const char *ll_status_message(ll_status s) { return LR_STATUS_ROW(ll_status_rows, s, &ll_status_unknown)->message; }

void ll_err_set(char *err, size_t cap, const char *fmt, ...) {
  if (!err || cap == 0) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(err, cap, fmt, ap);
  va_end(ap);
  if (n < 0) err[0] = '\0'; /* truncation is fine: the message is for humans */
}
