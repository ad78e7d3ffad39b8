/* The cleanup function's event: {"task":"archive"|"outbox"} or an
 * EventBridge Scheduled Event; anything else refused with a reason. */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>

#include "cl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cl_task task = 0;
  char err[CL_ERR_LEN] = "";
  bool ok = cl_task_parse((const char *)data, size, &task, err);
  if (ok && task != CL_TASK_ARCHIVE && task != CL_TASK_OUTBOX) abort();
  if (!ok && err[0] == '\0') abort(); /* a refusal always says why */
  return 0;
}
