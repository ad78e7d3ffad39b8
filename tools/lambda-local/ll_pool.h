#ifndef LL_POOL_H
#define LL_POOL_H
/* All functions of the stack, each with its instances: the one entry point
 * for whatever produces events (HTTP front, invoke CLI, and later the SQS
 * event source and the schedules: see ll_source.h). */
#include <stdbool.h>

#include "ll_config.h"
#include "ll_instance.h"
#include "ll_status.h"

typedef struct ll_pool ll_pool;

/* Creates the instances of every function, without processes. *out is owned
 * by the caller (ll_pool_free). */
ll_status ll_pool_create(const ll_config *cfg, int concurrency_override, ll_pool **out, char *err, size_t errcap);
/* Starts the processes of one function now (init errors show at start-up). */
ll_status ll_pool_warm(ll_pool *p, const char *function);
/* Runs one invocation on a free instance of the function, waiting up to
 * wait_ms for one to become free (LL_BUSY otherwise). limit_s bounds the run
 * (0: the function's timeout). The outcome is in inv. */
ll_status ll_pool_invoke(ll_pool *p, const char *function, ll_invocation *inv, int limit_s, int wait_ms);
const ll_function_cfg *ll_pool_function(const ll_pool *p, const char *function);
/* Kills every process and wakes every waiter; safe from any thread, once or more. */
void ll_pool_stop(ll_pool *p);
void ll_pool_free(ll_pool *p);

#endif
