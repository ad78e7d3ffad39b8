/* Lambda's platform log lines, so that local logs read like CloudWatch's. */
#include <math.h>

#include "ll_instance_internal.h"
#include "ll_log.h"
#include "lr/clock.h"

void ll__report_start(const ll_instance *in, const ll_invocation *inv) {
  (void)in;
  ll_logf("START RequestId: %s Version: $LATEST", inv->request_id);
}

const char *ll__report_status(const ll_invocation *inv) {
  switch (inv->outcome) {
    case LL_OUT_TIMEOUT:
      return "\tStatus: timeout";
    case LL_OUT_CRASH:
    case LL_OUT_INIT_ERROR:
      return "\tStatus: error\tError Type: Runtime.ExitError";
    default:
      return "";
  }
}

void ll__report_end(const ll_instance *in, const char *request_id, const char *status, double duration_ms,
                    double init_ms) {
  /* Custom runtimes are billed for their init phase too, by the millisecond. */
  long billed = (long)ceil(duration_ms + init_ms);
  ll_logf("END RequestId: %s", request_id);
  if (init_ms > 0)
    ll_logf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %ld ms\tMemory Size: %d MB\t"
            "Max Memory Used: %ld MB\tInit Duration: %.2f ms%s",
            request_id, duration_ms, billed, in->fn->memory_mb, in->peak_mb, init_ms, status);
  else
    ll_logf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %ld ms\tMemory Size: %d MB\t"
            "Max Memory Used: %ld MB%s",
            request_id, duration_ms, billed, in->fn->memory_mb, in->peak_mb, status);
}

void ll__report_flush(ll_instance *in) {
  if (!in->report_due) return;
  in->report_due = false;
  double ms = (double)(lr_clock_mono_ns() - in->report_from_ns) / 1e6;
  ll__report_end(in, in->report_id, in->report_status, ms, in->report_init_ms);
}
