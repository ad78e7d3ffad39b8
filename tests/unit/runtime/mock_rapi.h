#ifndef RT_TEST_MOCK_RAPI_H
#define RT_TEST_MOCK_RAPI_H
/* A mock Lambda Runtime API on 127.0.0.1 (a free port), served by threads
 * (one per connection, HTTP/1.1 keep-alive like Lambda's). /next answers come
 * from a script; every request is recorded exactly (method, path, raw header
 * block, body) for the tests to assert on. */
#include <pthread.h>
#include <stddef.h>

#define MOCK_MAX_CONNS 64

typedef enum mock_next_kind {
  MOCK_EVENT = 0,   /* 200 with the request id, extra headers and body */
  MOCK_NO_ID = 1,   /* 200 with a body but no Lambda-Runtime-Aws-Request-Id */
  MOCK_DROP_MID = 2,/* headers promise the body, half of it is sent, then close */
  MOCK_STATUS = 3   /* answer `status` with an empty body (e.g. 500) */
} mock_next_kind;

typedef struct mock_next {
  mock_next_kind kind;
  const char *request_id;
  const char *headers;  /* extra header lines, each ending in \r\n; may be NULL */
  const char *body;     /* may be NULL ("{}") */
  size_t body_len;      /* 0: strlen(body) */
  int status;
} mock_next;

typedef struct mock_req {
  char method[16];
  char path[1024];
  char *head;      /* raw header lines (after the request line), NUL-terminated */
  char *body;      /* body_len bytes + NUL */
  size_t body_len;
} mock_req;

typedef struct mock_rapi {
  int lfd;
  int port;
  char api[64];              /* "127.0.0.1:port" */
  pthread_t acceptor;
  pthread_mutex_t mu;
  const mock_next *script;
  size_t n_script, next_i;
  int repeat_last;           /* keep answering the last script entry forever */
  int post_failures;         /* answer this many posts with 500 before 202 */
  int response_refusals;     /* answer this many .../response posts with refusal_status */
  int refusal_status;        /* e.g. 413, 400 */
  int record;                /* 0: count requests only (long runs) */
  int vary_ids;              /* append "-<n>" to request ids and send trace id "Root=1-<n>" */
  size_t n_gets, n_posts;
  mock_req *reqs;
  size_t n_reqs, cap_reqs;
  int conn_fds[MOCK_MAX_CONNS];
  pthread_t conn_threads[MOCK_MAX_CONNS];
  size_t n_conns;
  int stopping;
} mock_rapi;

/* Starts listening; the script must outlive the server. When the script is
 * used up, /next answers 500 (so a runtime gives up after its retries). */
void mock_rapi_start(mock_rapi *m, const mock_next *script, size_t n);
/* Stops and joins every thread; requests stay readable until mock_rapi_free. */
void mock_rapi_stop(mock_rapi *m);
void mock_rapi_free(mock_rapi *m);

/* Header `name` (case-insensitive) of request i into out; NULL when absent. */
const char *mock_req_header(const mock_req *r, const char *name, char *out, size_t cap);
/* Index of the n-th (0-based) request with this method and path, or -1. */
long mock_find(mock_rapi *m, const char *method, const char *path, int nth);
/* A port on 127.0.0.1 that nothing listens on (for refused connections). */
int mock_dead_port(void);

#endif
