#ifndef CL_ITEST_H
#define CL_ITEST_H
/* Fixtures of the cleanup suite: fauxqs (SQS + S3) started once in main,
 * plain HTTP to read back what the function wrote, and the app on a test
 * database. */
#include "cl.h"
#include "itest.h"
#include "lr/buf.h"

#define CLT_BUCKET "orders-archive-test"
#define CLT_QUEUE "orders-cleanup-test"

typedef struct clt_env {
  int port;              /* fauxqs */
  char queue_url[512];
} clt_env;

/* Starts fauxqs (stopped when this process and its forked tests are gone). */
int clt_fauxqs_start(clt_env *e, char *err, size_t cap);
const clt_env *clt_env_get(void);

/* GET/POST to fauxqs; returns the HTTP status, the body into out. */
long clt_http(const char *method, const char *url, const char *target, const char *body, lr_buf *out);
/* The keys under prefix in the test bucket (newline-separated into out); their count. */
int clt_list(const char *prefix, lr_buf *out);
/* The object at key, gunzipped into out. */
void clt_get_gunzip(const char *key, lr_buf *out);
/* Receives every message now in the queue (deleting them); their bodies as a JSON array text. */
int clt_drain(lr_buf *bodies_json);

/* The app on dbname, with settings (NAME, VALUE, ..., NULL) over the defaults. */
cl_app *clt_app(const char *dbname, const char *const *extra, const cl_hooks *hooks);
/* One invocation with the deadline deadline_ms (0: none); the answer or the fault message. */
int clt_invoke(cl_app *a, const char *event, int64_t deadline_ms, lr_buf *answer);

#endif
