/* Lambda's platform log lines, so that local logs read like CloudWatch's. */
#include <math.h>

#include "ll_instance_internal.h"
#include "ll_log.h"

void ll__report_start(const ll_instance *in, const ll_invocation *inv) {
  (void)in;
  ll_logf("START RequestId: %s Version: $LATEST", inv->request_id);
}

static const char *ll_report_status(const ll_invocation *inv) {
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

void ll__report_end(const ll_instance *in, const ll_invocation *inv, double duration_ms, double init_ms) {
  /* Custom runtimes are billed for their init phase too, by the millisecond. */
  long billed = (long)ceil(duration_ms + init_ms);
  ll_logf("END RequestId: %s", inv->request_id);
  if (init_ms > 0)
    ll_logf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %ld ms\tMemory Size: %d MB\t"
            "Max Memory Used: %ld MB\tInit Duration: %.2f ms%s",
            inv->request_id, duration_ms, billed, in->fn->memory_mb, in->peak_mb, init_ms, ll_report_status(inv));
  else
    ll_logf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %ld ms\tMemory Size: %d MB\t"
            "Max Memory Used: %ld MB%s",
            inv->request_id, duration_ms, billed, in->fn->memory_mb, in->peak_mb, ll_report_status(inv));
}
