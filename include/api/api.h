#ifndef API_API_H
#define API_API_H
/* The orders REST API handler ("api"): API Gateway proxy events (REST 1.0 and
 * HTTP API 2.0) in, the matching proxy response out. See docs/openapi.yaml.
 *
 * bootstrap runs it through `api_handler`; tests build an app with their own
 * configuration and call api_invoke directly. */
#include <stddef.h>

#include "common/app.h"
#include "lr/buf.h"
#include "lr/runtime.h"

extern const lr_handler api_handler;

typedef struct api_app api_app;

/* Creates the handler's app context: config (opt->needs gets CFG_NEED_DB
 * added), database session, and an SQS client when ORDERS_QUEUE_URL is set.
 * Returns LR_HANDLER_OK or LR_HANDLER_ERROR with fault filled; *out is freed
 * with api_app_free. log is borrowed and must outlive the app. */
int api_app_create(const app_options *opt, const lr_logger *log, api_app **out, lr_fault *fault);
void api_app_free(api_app *a);
/* The app's database session (tests). */
db_session *api_app_db(api_app *a);

/* One API Gateway event in, one proxy response appended to response. Any
 * event that parses as an API Gateway proxy event gets an HTTP answer (errors
 * as problem+json); anything else is a handler fault (Api.BadEvent). */
int api_invoke(api_app *a, const lr_context *ctx, const char *event, size_t event_len,
               lr_buf *response, lr_fault *fault);

/* What the last api_invoke left to do once its answer is on its way: the
 * order.created message of a new order is sent here (the runtime calls it
 * after posting the response; tests call it after api_invoke). The outbox
 * row already holds the message, so if this never runs the cleanup relay
 * sends it. Does nothing when nothing is left. */
void api_after_response(api_app *a, const lr_context *ctx);

#endif
