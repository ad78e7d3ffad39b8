#ifndef LL_APIGW_REPLY_H
#define LL_APIGW_REPLY_H
/* A Lambda proxy integration's answer as the HTTP response API Gateway
 * makes of it. */
#include "ll_config.h"
#include "ll_http_types.h"
#include "ll_status.h"

/* On LL_OK *out holds the reply (ll_http_reply_free). LL_BAD_INPUT: the
 * answer is malformed, and API Gateway would answer 502 (err says why, for
 * the log). Payload 2.0 also accepts an answer without statusCode: it becomes
 * a 200 with the answer as a JSON body, as HTTP APIs do. */
ll_status ll_apigw_reply(const char *payload, size_t len, ll_api_format f, ll_http_reply *out, char *err,
                         size_t errcap);
/* The fixed replies API Gateway gives when the integration fails. */
ll_status ll_apigw_fixed(unsigned status, const char *message, ll_http_reply *out);

#endif
