#ifndef API_TEST_H
#define API_TEST_H
/* Helpers of the api suites (unit and integration): fake environments, API
 * Gateway events of both formats, and invoking the handler. */
#include <check.h>
#include <cjson/cJSON.h>

#include "api/api.h"
#include "lr/buf.h"

typedef enum at_format { AT_V1 = 1, AT_V2 = 2 } at_format;

/* An app from NAME, VALUE, ... NULL pairs (no process environment). */
api_app *at_app(const char *const *env);
/* An app whose database is 127.0.0.1:port (nothing listens on a port from
 * at_closed_port: any database call fails with 503). */
api_app *at_app_db(int port, const char *dbname, const char *const *extra);
int at_closed_port(void);

/* An API Gateway event. headers: "Name: value" strings ending with NULL (may
 * be NULL); query: "k=v&k2=v2" (NULL: none); body: NULL for none. Caller frees. */
char *at_event(at_format f, const char *method, const char *path, const char *query,
               const char *const *headers, const char *body, int base64);

/* The same event with requestContext.authorizer set to the JSON text
 * authorizer, spliced in as text so that hostile shapes (repeated keys,
 * escaped NULs) reach the handler as written. Caller frees. */
char *at_event_auth(at_format f, const char *method, const char *path, const char *query,
                    const char *const *headers, const char *body, const char *authorizer);
/* The authoriser contexts API Gateway gives for a subject (JSON text, caller frees):
 * REST Cognito user pool {"claims":{"sub":…}}, HTTP API JWT
 * {"jwt":{"claims":{"sub":…},"scopes":null}}, REST Lambda {"principalId":…}. */
char *at_auth_cognito(const char *sub);
char *at_auth_jwt(const char *sub);
char *at_auth_lambda(const char *principal);

typedef struct at_response {
  int rc;           /* api_invoke's return */
  int status;
  cJSON *root;      /* the whole proxy response */
  cJSON *body;      /* the parsed body, NULL when not JSON */
  char *raw_body;
} at_response;

/* Invokes the handler with event; fails the test when the answer is not a
 * well-formed proxy response (unless the handler faulted). */
at_response at_invoke(api_app *a, const char *event);
/* The same with the invocation's logger (log lines and EMF go to its stream). */
at_response at_invoke_log(api_app *a, const char *event, const lr_logger *log);
at_response at_call(api_app *a, at_format f, const char *method, const char *path,
                    const char *query, const char *const *headers, const char *body);
void at_response_free(at_response *r);
const char *at_header(const at_response *r, const char *name);
const char *at_body_str(const at_response *r, const char *member);

/* Reads a file of the source tree (tests/unit/api/events/...). Caller frees. */
char *at_read_file(const char *path, size_t *len);

/* Runs the suite (Check prints its summary line); the exit code of main. */
int at_run_suite(Suite *s);

#endif
