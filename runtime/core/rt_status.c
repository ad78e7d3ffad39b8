#include <stdarg.h>
#include <stdio.h>

#include "lr/runtime.h"
#include "lr/status.h"

static const lr_status_row lr_rt_rows[] = {
#define LR_RT_ROW(name, value, msg) [value] = {"LR_RT_" #name, msg},
    LR_RT_STATUS_MAP(LR_RT_ROW)
#undef LR_RT_ROW
};
static const lr_status_row lr_rt_unknown = {"LR_RT_UNKNOWN", "unknown runtime status"};

const char *lr_rt_status_name(int st) {
  return st < 0 ? lr_rt_unknown.name : LR_STATUS_ROW(lr_rt_rows, st, &lr_rt_unknown)->name;
}

const char *lr_rt_status_message(int st) {
  return st < 0 ? lr_rt_unknown.message : LR_STATUS_ROW(lr_rt_rows, st, &lr_rt_unknown)->message;
}

int lr_fault_set(lr_fault *f, const char *type, const char *fmt, ...) {
  /* snprintf truncates safely; a truncated UTF-8 tail is repaired by the
   * JSON escaper when the fault is sent. */
  snprintf(f->type, sizeof f->type, "%s", type && *type ? type : "Function.Error");
  f->message[0] = '\0';
  if (!fmt) return LR_HANDLER_ERROR;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(f->message, sizeof f->message, fmt, ap);
  va_end(ap);
  if (n < 0) f->message[0] = '\0';
  return LR_HANDLER_ERROR;
}
