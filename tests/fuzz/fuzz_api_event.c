/* API Gateway event -> the api's whole request path (REST 1.0 and HTTP 2.0:
 * event parsing, routing, headers, base64 bodies, body checks, JSON, order
 * validation, cursors), up to the database call: the session's deadline has
 * passed, so a statement is never sent and the answer is a 503. */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "lr/buf.h"
#include "lr/runtime.h"

static const char *env[] = {"DB_HOST", "127.0.0.1", "DB_PORT", "1", "DB_NAME", "orders",
                            "DB_USER", "fuzz", "DB_SSLMODE", "disable", NULL};

static const char *fuzz_getenv(void *arg, const char *name) {
  (void)arg;
  for (int i = 0; env[i]; i += 2)
    if (strcmp(env[i], name) == 0) return env[i + 1];
  return NULL;
}

static api_app *app;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!app) {
    app_options opt = {.needs = CFG_NEED_DB, .getenv_fn = fuzz_getenv};
    lr_fault f;
    if (api_app_create(&opt, NULL, &app, &f) != LR_HANDLER_OK) abort();
  }
  /* deadline 2 s after the epoch: the api's database deadline (1 s before it)
   * has passed, so nothing connects */
  lr_context ctx = {.request_id = "fuzz", .trace_id = "", .invoked_function_arn = "",
                    .client_context = "", .cognito_identity = "", .function_name = "api",
                    .deadline_ms = 2000};
  lr_buf out;
  lr_buf_init(&out, 2u << 20);
  lr_fault fault;
  memset(&fault, 0, sizeof fault);
  api_invoke(app, &ctx, (const char *)data, size, &out, &fault);
  api_after_response(app, &ctx);
  lr_buf_free(&out);
  return 0;
}
