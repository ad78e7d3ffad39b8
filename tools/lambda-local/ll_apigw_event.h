#ifndef LL_APIGW_EVENT_H
#define LL_APIGW_EVENT_H
/* An HTTP request as the event API Gateway gives a Lambda proxy integration:
 * REST API (payload format 1.0) with a {proxy+} resource, or HTTP API (2.0)
 * with the $default route. */
#include <stdbool.h>

#include "ll_config.h"
#include "ll_http_types.h"
#include "ll_status.h"

#define LL_MAX_QUERY_PARAMS 512

typedef struct ll_apigw_opts {
  ll_api_format format;
  const char *stage;
} ll_apigw_opts;

/* *json (NUL-terminated, *len bytes) is allocated for the caller, who frees
 * it; nothing on failure. LL_BAD_INPUT: the request cannot become an event
 * (the caller answers 400), err says why. */
ll_status ll_apigw_event(const ll_http_request *rq, const ll_apigw_opts *o, char **json, size_t *len, char *err,
                         size_t errcap);
/* Text bodies go to the function as they are; anything else base64-encoded. */
bool ll_apigw_is_text(const char *content_type, const char *body, size_t len);

#endif
