/* echo-bootstrap: the runtime with a handler that returns the event
 * unchanged. The runtime's benchmark target and the emulator's test function. */
#include "lr/runtime.h"

static int echo_invoke(void *app, const lr_context *ctx, const char *event, size_t event_len,
                       lr_buf *response, lr_fault *fault) {
  (void)app;
  (void)ctx;
  if (lr_buf_add(response, event, event_len) != LR_BUF_OK)
    return lr_fault_set(fault, "Function.ResponseSizeTooLarge", "the event does not fit a response");
  return LR_HANDLER_OK;
}

static const lr_handler echo_handler = {.name = "echo", .invoke = echo_invoke};

int main(void) { return lr_run(&echo_handler); }
