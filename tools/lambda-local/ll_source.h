#ifndef LL_SOURCE_H
#define LL_SOURCE_H
/* Event sources other than HTTP and the invoke command: the boundary where
 * the SQS event source (poll the queue, build SQS events, delete what
 * succeeded, honour batchItemFailures, visibility timeout and max receive
 * count) and the schedules (fire on demand) plug in, in a later issue.
 *
 * A source runs its own thread(s), builds an event and calls
 * ll_pool_invoke(pool, function, &inv, 0, wait_ms); it reads the outcome from
 * inv (inv.outcome, inv.body). It must return from stop promptly: ll_pool_stop
 * ends invocations in flight with LL_OUT_STOPPED. Configuration goes under a
 * new top-level key of local/stack.json (e.g. "sqs": [...], "schedules": [...]),
 * parsed in its own ll_config_<source>.c. */
#include "ll_pool.h"
#include "ll_status.h"

typedef struct ll_source {
  const char *name;
  ll_status (*start)(struct ll_source *self, ll_pool *pool, char *err, size_t errcap);
  void (*stop)(struct ll_source *self);
  void *state;
} ll_source;

#endif
