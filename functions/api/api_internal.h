#ifndef API_INTERNAL_H
#define API_INTERNAL_H
/* Private pieces of the api handler, one concern per file:
 *   api_event.c     API Gateway proxy events (both formats) -> api_request
 *   api_response.c  api_response -> the proxy response of the same format
 *   api_problem.c   RFC 9457 problem documents
 *   api_router.c    the route table and matching
 *   api_cursor.c    list cursors
 *   api_body.c      body checks before parsing (size, type, UTF-8, NUL)
 *   api_auth.c      the authoriser's identity in the event (optional)
 *   api_orders.c    the order routes; api_health.c the health routes
 *   api_publish.c   the new order's queue message, after the response
 *   api_handler.c   init, invoke, logs and metrics */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api.h"
#include "common/app.h"
#include "lr/buf.h"
#include "lr/metrics.h"
#include "lr/runtime.h"
#include "lr/sqs.h"
#include "orders/order.h"
#include "orders/order_store.h"

#define API_MAX_BODY (64u * 1024u)          /* larger request bodies: 413 */
#define API_MAX_BODY_TEXT "65536"           /* the same, in messages */
#define API_PATH_MAX 512
#define API_MAX_HEADERS 12
#define API_HEADER_NAME_LEN 48
#define API_HEADER_VALUE_LEN 512
#define API_RESPONSE_BODY_MAX (1024u * 1024u) /* 100 orders of 50 lines fit */
#define API_REQUEST_ID_LEN 128
#define API_LIST_DEFAULT_LIMIT 20
#define API_LIST_MAX_LIMIT 100
#define API_RETRY_AFTER_S 2
#define API_MESSAGE_MAX 1024u               /* an order.created message */

/* ---- problems ---------------------------------------------------------- */
/* X(name, value, http status, type slug, title). Values are never renumbered. */
#define API_PROBLEM_MAP(X)                                                                   \
  X(BAD_REQUEST, 1, 400, "bad-request", "Bad request")                                       \
  X(MALFORMED_JSON, 2, 400, "malformed-json", "The body is not valid JSON")                  \
  X(INVALID_CURSOR, 3, 400, "invalid-cursor", "The cursor is not valid")                     \
  X(INVALID_PARAMETER, 4, 400, "invalid-parameter", "A parameter is not valid")              \
  X(NOT_FOUND, 5, 404, "not-found", "Not found")                                             \
  X(METHOD_NOT_ALLOWED, 6, 405, "method-not-allowed", "Method not allowed")                  \
  X(NOT_CANCELLABLE, 7, 409, "not-cancellable", "The order can no longer be cancelled")      \
  X(PAYLOAD_TOO_LARGE, 8, 413, "payload-too-large", "The body is too large")                 \
  X(UNSUPPORTED_MEDIA_TYPE, 9, 415, "unsupported-media-type", "Unsupported media type")      \
  X(VALIDATION_FAILED, 10, 422, "validation-failed", "The request is not valid")             \
  X(IDEMPOTENCY_KEY_REUSED, 11, 422, "idempotency-key-reused",                               \
    "The idempotency key was used for another request")                                      \
  X(INTERNAL, 12, 500, "internal", "Internal error")                                         \
  X(UNAVAILABLE, 13, 503, "unavailable", "Service unavailable")                             \
  X(FORBIDDEN, 14, 403, "forbidden", "Forbidden")

typedef enum api_problem {
  API_PROBLEM_NONE = 0, /* ends a route's list */
#define API_PROBLEM_ENUM(name, value, http, slug, title) API_PROBLEM_##name = value,
  API_PROBLEM_MAP(API_PROBLEM_ENUM)
#undef API_PROBLEM_ENUM
} api_problem;

#define API_PROBLEM_TYPE_BASE "https://docs.orders.example/problems/"
/* What any route can answer: a request holding a NUL, an internal failure. */
#define API_ROUTE_COMMON_PROBLEMS {API_PROBLEM_BAD_REQUEST, API_PROBLEM_INTERNAL}

int api_problem_status(api_problem p);
const char *api_problem_slug(api_problem p);
const char *api_problem_title(api_problem p);

/* ---- requests ---------------------------------------------------------- */
typedef enum api_format { API_FORMAT_REST_V1 = 1, API_FORMAT_HTTP_V2 = 2 } api_format;

typedef enum api_body_state {
  API_BODY_OK = 0,
  API_BODY_TOO_LARGE = 1,
  API_BODY_BAD_BASE64 = 2
} api_body_state;

/* What an API Gateway authoriser said about the caller (api_auth.c). */
typedef enum api_identity_state {
  API_IDENTITY_NONE = 0,     /* no authoriser context: API keys only, any customer */
  API_IDENTITY_SUBJECT = 1,  /* subject holds a valid customer id */
  API_IDENTITY_INVALID = 2   /* a context without a usable subject: the order routes answer 403 */
} api_identity_state;

typedef struct api_identity {
  api_identity_state state;
  char subject[ORDER_CUSTOMER_ID_MAX + 1];
} api_identity;

typedef struct api_request {
  cJSON *root;               /* the event; owns what the pointers below borrow */
  api_format format;
  const char *method;
  char path[API_PATH_MAX];
  const cJSON *headers;      /* object or NULL */
  const cJSON *mv_headers;   /* REST 1.0 multiValueHeaders, object or NULL */
  const cJSON *query;        /* object or NULL */
  const cJSON *mv_query;     /* REST 1.0 multiValueQueryStringParameters */
  char request_id[API_REQUEST_ID_LEN]; /* API Gateway's, else Lambda's */
  lr_buf body;               /* decoded */
  int has_body;
  api_body_state body_state;
  int has_nul;               /* the event escapes a NUL somewhere: cJSON would cut that string */
  api_identity identity;     /* the authoriser's subject, if any */
} api_request;

/* Parses an API Gateway proxy event. Returns false with err filled when the
 * event is not one (the handler then faults). req is freed with
 * api_request_free in both cases. fallback_id: Lambda's request id. */
bool api_event_parse(const char *event, size_t len, const char *fallback_id, api_request *req,
                    char *err, size_t err_len);
void api_request_free(api_request *req);
/* A header's value, the name matched in any case; NULL when absent. */
const char *api_request_header(const api_request *req, const char *name);

typedef enum api_query_state { API_QUERY_ABSENT = 0, API_QUERY_ONE = 1, API_QUERY_REPEATED = 2 } api_query_state;
api_query_state api_request_query(const api_request *req, const char *name, const char **value);

/* ---- the authoriser's identity (api_auth.c) ------------------------------ */
/* Fills req->identity from requestContext.authorizer (api_event_parse calls it). */
void api_auth_read(api_request *req);
/* The authenticated customer id, or NULL when there is no authoriser context. */
const char *api_auth_subject(const api_request *req);
/* true when there is no subject, or the subject is customer_id. */
bool api_auth_owns(const api_request *req, const char *customer_id);

/* ---- responses --------------------------------------------------------- */
typedef struct api_response {
  int status;
  int nheaders;
  char names[API_MAX_HEADERS][API_HEADER_NAME_LEN];
  char values[API_MAX_HEADERS][API_HEADER_VALUE_LEN];
  lr_buf body;
} api_response;

void api_response_init(api_response *r);
void api_response_free(api_response *r);
/* Adds a header (silently truncated to fit; false when the table is full). */
bool api_response_header(api_response *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* status + application/json body; false when the body is over its limit. */
bool api_response_json(api_response *r, int status, const char *json);
/* Appends the proxy response of the given format to out, with the security
 * headers and X-Request-Id added. */
lr_buf_status api_response_write(const api_response *r, api_format format, const char *request_id,
                                 lr_buf *out);

/* A problem document (Content-Type application/problem+json). errs may be NULL. */
int api_response_problem(api_response *r, api_problem p, const char *detail, const char *instance,
                         const char *request_id, const order_errors *errs);

/* ---- routing ----------------------------------------------------------- */
struct api_call;

/* A route is one row: method, path template ("{x}" matches one segment), the
 * function that answers it, and the problem types it can answer besides the
 * ones every route can (400 and 500: API_ROUTE_COMMON_PROBLEMS),
 * ending with API_PROBLEM_NONE. A test holds the table, docs/openapi.yaml and
 * serverless.yml's http events equal. */
#define API_ROUTE_MAX_PROBLEMS 8
typedef struct api_route {
  const char *method;
  const char *path;
  void (*handle)(struct api_call *c);
  api_problem problems[API_ROUTE_MAX_PROBLEMS];
} api_route;

size_t api_route_count(void);
bool api_route_can_answer(const api_route *r, api_problem p);
const api_route *api_route_at(size_t i); /* NULL past the end */

typedef enum api_match {
  API_MATCH_OK = 0,
  API_MATCH_NO_PATH = 1,     /* 404 */
  API_MATCH_NO_METHOD = 2    /* 405; allow lists the methods */
} api_match;

#define API_PARAM_LEN 128
typedef struct api_route_match {
  const api_route *route;     /* NULL unless API_MATCH_OK */
  char param[API_PARAM_LEN];  /* the {id} segment, "" when none */
  char allow[64];             /* "GET, POST" on API_MATCH_NO_METHOD */
} api_route_match;

api_match api_route_find(const char *method, const char *path, api_route_match *m);

/* ---- cursors ----------------------------------------------------------- */
#define API_CURSOR_MAX 64
/* The cursor is bound to the list's filters: one made for another customer or
 * status is refused as invalid. */
bool api_cursor_encode(const order_list_key *key, const char *customer_id,
                      order_status_filter status, lr_buf *out);
bool api_cursor_decode(const char *cursor, const char *customer_id, order_status_filter status,
                      order_list_key *key);

/* ---- bodies ------------------------------------------------------------ */
/* true when Content-Type is application/json (optionally ;charset=utf-8). */
bool api_body_content_type_ok(const char *content_type);
/* Strict JSON (lr/json.h) decides whether a body or an event parses. */

/* ---- the app and the routes -------------------------------------------- */
/* A new order's message, sent after the response (api_after_response). */
typedef struct api_pending_send {
  int due;
  char order_id[ORDER_ID_LEN];
  char outbox_id[ORDER_ID_LEN];
  lr_buf message;
} api_pending_send;

/* The after-response send's circuit breaker: after a failed send, sends are
 * skipped (the row waits for the relay) until paused_until_ms; then one is
 * tried again, and each failure in a row doubles the pause (up to a cap). */
typedef struct api_send_breaker {
  int failures;              /* in a row */
  int64_t paused_until_ms;   /* monotonic ms (a wall clock step must not hold it open); 0: closed */
} api_send_breaker;
/* true while sends are skipped (now: lr_clock_mono_ms) */
bool api_breaker_open(const api_send_breaker *b, int64_t now);
/* a send's outcome: success closes the breaker, a failure pauses it */
void api_breaker_record(api_send_breaker *b, bool ok, int64_t now);

struct api_app {
  app_ctx *app;
  api_send_breaker breaker;
  lr_sqs_client *sqs;          /* NULL when ORDERS_QUEUE_URL is unset */
  int queue_unset_logged;      /* "no queue" is logged once per process */
  outbox_marks sent;           /* sent, to be marked published by the next create */
  api_pending_send send;       /* this invocation's message, if any */
};

typedef struct api_call {
  api_app *a;
  const lr_context *ctx;
  const api_request *req;
  api_route_match *route;
  api_response *resp;
  lr_metrics *metrics;
  char order_id[ORDER_ID_LEN]; /* for the log line, "" when none */
} api_call;

void api_orders_create(api_call *c);
void api_orders_get(api_call *c);
void api_orders_list(api_call *c);
void api_orders_cancel(api_call *c);
void api_health_live(api_call *c);
void api_health_ready(api_call *c);

/* A problem answer for a failed database call (503 + Retry-After when the
 * database is unreachable, 500 otherwise); logs err. */
void api_db_failure(api_call *c, db_status st, const char *err);
void api_problem_answer(api_call *c, api_problem p, const char *detail, const order_errors *errs);

#endif
