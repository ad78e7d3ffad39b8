#include <stdarg.h>
#include <stdio.h>

#include "lr/runtime.h"

const char *lr_rt_status_name(int st) {
  switch (st) {
#define LR_RT_NAME(name, value, msg) \
  case value: return "LR_RT_" #name;
    LR_RT_STATUS_MAP(LR_RT_NAME)
#undef LR_RT_NAME
  default: return "LR_RT_UNKNOWN";
  }
}

const char *lr_rt_status_message(int st) {
  switch (st) {
#define LR_RT_MSG(name, value, msg) \
  case value: return msg;
    LR_RT_STATUS_MAP(LR_RT_MSG)
#undef LR_RT_MSG
  default: return "unknown runtime status";
  }
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
