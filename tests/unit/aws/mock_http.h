#ifndef AWS_TEST_MOCK_HTTP_H
#define AWS_TEST_MOCK_HTTP_H
/* An HTTP server on 127.0.0.1 (a free port) in a thread, for the client
 * tests: each connection gets the next scripted action, and every request it
 * read is recorded for the test to assert on. One request per connection
 * (it answers with Connection: close). */
#include <pthread.h>
#include <stddef.h>

#define MOCK_MAX 12
#define MOCK_HEAD_MAX 32768
#define MOCK_BODY_MAX (1u << 20)

typedef enum mock_kind {
  MOCK_REPLY = 0, /* answer status / headers / body */
  MOCK_DROP = 1,  /* read the request, close without answering */
  MOCK_HANG = 2,  /* read the request, answer nothing until the client gives up (at most 5 s) */
  MOCK_SHORT = 3  /* answer status/body but promise 100 bytes more than sent, then close */
} mock_kind;

typedef struct mock_action {
  mock_kind kind;
  int status;
  const char *headers; /* extra header lines, each ending in \r\n; may be NULL */
  const char *body;    /* may be NULL */
  size_t body_len;     /* 0: strlen(body) */
} mock_action;

typedef struct mock_request {
  char head[MOCK_HEAD_MAX]; /* request line and headers, NUL-terminated */
  char *body;               /* malloc'ed, body_len bytes (+ NUL) */
  size_t body_len;
} mock_request;

typedef struct mock_server {
  int fd;
  int port;
  pthread_t thread;
  mock_action actions[MOCK_MAX];
  size_t n_actions;
  mock_request reqs[MOCK_MAX];
  size_t n_reqs;
} mock_server;

/* Listens and serves the actions in order, one per connection. */
void mock_start(mock_server *m, const mock_action *actions, size_t n);
/* Stops listening and waits for the thread; the requests stay readable. */
void mock_stop(mock_server *m);
/* Frees the recorded request bodies. */
void mock_free(mock_server *m);

/* The value of header `name` (case-insensitive) of request i, copied into
 * out; NULL when absent. */
const char *mock_header(const mock_server *m, size_t i, const char *name, char *out, size_t cap);
/* "METHOD TARGET" of request i into out. */
const char *mock_request_line(const mock_server *m, size_t i, char *out, size_t cap);

#endif
