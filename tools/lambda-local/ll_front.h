#ifndef LL_FRONT_H
#define LL_FRONT_H
/* The API Gateway stand-in: HTTP on 127.0.0.1, each request an event for the
 * http function, each answer an HTTP response. */
#include "ll_config.h"
#include "ll_pool.h"
#include "ll_status.h"

/* API Gateway's payload limit for a request. */
#define LL_MAX_REQUEST_BODY (10u * 1024u * 1024u)

typedef struct ll_front ll_front;

typedef struct ll_front_opts {
  const char *function;
  const char *host;
  int port; /* 0: a free port (see ll_front_port) */
  ll_api_format format;
  const char *stage;
  int api_timeout_s;
} ll_front_opts;

/* *out owned by the caller: ll_front_free (stops serving, waits for requests in flight). */
ll_status ll_front_start(ll_pool *pool, const ll_front_opts *o, ll_front **out, char *err, size_t errcap);
int ll_front_port(const ll_front *f);
void ll_front_free(ll_front *f);

#endif
