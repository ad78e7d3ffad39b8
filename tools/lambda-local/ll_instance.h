#ifndef LL_INSTANCE_H
#define LL_INSTANCE_H
/* One function instance: a Runtime API endpoint of its own, the bootstrap
 * process behind it (restarted with a fresh init after a crash or timeout),
 * one invocation at a time. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ll_config.h"
#include "ll_status.h"
#include "lr/limits.h"

#define LL_REQUEST_ID_LEN 37
#define LL_TRACE_ID_MAX 256
#define LL_ERROR_TYPE_MAX 128
/* Lambda's limits (lr/limits.h): synchronous payloads, the init phase. */
#define LL_MAX_PAYLOAD_BYTES LR_MAX_PAYLOAD_BYTES
#define LL_INIT_LIMIT_MS LR_INIT_LIMIT_MS

typedef enum ll_outcome {
  LL_OUT_OK = 0,
  LL_OUT_FUNCTION_ERROR = 1, /* the runtime posted /error (or a too large response) */
  LL_OUT_TIMEOUT = 2,        /* killed at its timeout */
  LL_OUT_CRASH = 3,          /* the process died during the invocation */
  LL_OUT_INIT_ERROR = 4,     /* the process could not initialise */
  LL_OUT_STOPPED = 5         /* lambda-local is shutting down */
} ll_outcome;

typedef struct ll_invocation {
  /* in: payload owned by the caller, alive until ll_instance_invoke returns */
  const char *payload;
  size_t payload_len;
  char request_id[LL_REQUEST_ID_LEN];
  char trace_id[LL_TRACE_ID_MAX];
  /* in: CLOCK_MONOTONIC ns by which the caller stops waiting, from the
   * request's arrival (API Gateway's integration timeout), whatever happens
   * inside: the wait for an instance, init, the run. 0: none. */
  int64_t answer_by_ns;
  /* out: owned by the invocation, freed by ll_invocation_clear */
  ll_outcome outcome;
  char *body; /* the response, or the error as {"errorType","errorMessage"} JSON */
  size_t body_len;
  char error_type[LL_ERROR_TYPE_MAX];
} ll_invocation;

/* New request id and trace id (trace_header, e.g. X-Amzn-Trace-Id, is kept when sane). */
void ll_invocation_init(ll_invocation *inv, const char *payload, size_t len, const char *trace_header);
void ll_invocation_clear(ll_invocation *inv);
const char *ll_outcome_name(ll_outcome o);

typedef struct ll_instance ll_instance;

/* Starts the instance's Runtime API on 127.0.0.1 (a free port) and, when
 * eager, its process (otherwise at the first invocation). *out is owned by the
 * caller: ll_instance_free. */
ll_status ll_instance_create(const ll_function_cfg *fn, const char *region, int index, bool eager,
                             ll_instance **out, char *err, size_t errcap);
/* Runs one invocation to its end; limit_s bounds it (the function's timeout or
 * less). Thread-safe, but the pool hands an instance to one caller at a time. */
void ll_instance_invoke(ll_instance *in, ll_invocation *inv, int limit_s);
/* Whether the process has finished its last invocation, work after the
 * response included (it is back in /next, or gone): Lambda hands events only
 * to such environments, so the pool prefers them. */
bool ll_instance_settled(ll_instance *in);
/* Kills the process and wakes everyone waiting; invocations end as STOPPED. */
void ll_instance_stop(ll_instance *in);
void ll_instance_free(ll_instance *in);

#endif
