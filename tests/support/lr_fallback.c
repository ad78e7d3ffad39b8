/* Weak stand-ins for the few runtime symbols the data layer's tests reach
 * (logger, fault setter, remaining time) while runtime/ does not provide them
 * yet. Weak, in their own opt-in library linked after orders::runtime: when the
 * runtime defines them, its definitions are used. Only the data layer's tests
 * link this; remove it once runtime/core has log.c and the loop. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "lr/log.h"
#include "lr/runtime.h"

__attribute__((weak)) void lr_log_kv(const lr_logger *lg, lr_log_level lvl, const char *message,
                                     ...) {
  (void)lg;
  (void)lvl;
  (void)message;
}

__attribute__((weak)) int lr_fault_set(lr_fault *f, const char *type, const char *fmt, ...) {
  snprintf(f->type, sizeof f->type, "%s", type);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(f->message, sizeof f->message, fmt, ap);
  va_end(ap);
  return LR_HANDLER_ERROR;
}

__attribute__((weak)) int64_t lr_context_remaining_ms(const lr_context *ctx) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ctx->deadline_ms - ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}
