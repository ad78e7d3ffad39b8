/* Status messages and the one error setter of lambda-local. */
#include "ll_status.h"

#include <stdarg.h>
#include <stdio.h>

const char *ll_status_message(ll_status s) {
  switch (s) {
#define LL_X(name, value, msg) \
  case name:                   \
    return msg;
    LL_STATUS_MAP(LL_X)
#undef LL_X
  }
  return "unknown status";
}

void ll_err_set(char *err, size_t cap, const char *fmt, ...) {
  if (!err || cap == 0) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(err, cap, fmt, ap);
  va_end(ap);
  if (n < 0) err[0] = '\0'; /* truncation is fine: the message is for humans */
}
