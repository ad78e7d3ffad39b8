#ifndef LL_SOURCES_H
#define LL_SOURCES_H
/* The event sources serve starts besides HTTP: one SQS source per function
 * with events.sqs, and the schedules. */
#include <stdbool.h>

#include "ll_config.h"
#include "ll_pool.h"

typedef struct ll_sources ll_sources;

/* Starts them (none for the functions in skip, a NULL-terminated list). The
 * schedule clock runs $LAMBDA_LOCAL_CLOCK_SCALE times faster than real time
 * (a test aid; 1 when unset). *out is freed with ll_sources_free. */
ll_status ll_sources_start(const ll_config *cfg, ll_pool *pool, const char *const *skip, ll_sources **out,
                           char *err, size_t errcap);
size_t ll_sources_count(const ll_sources *s);
/* Stops every source (after ll_pool_stop, which ends invocations in flight) and frees. */
void ll_sources_free(ll_sources *s);

#endif
