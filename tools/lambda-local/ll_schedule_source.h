#ifndef LL_SCHEDULE_SOURCE_H
#define LL_SCHEDULE_SOURCE_H
/* The EventBridge rules of the stack (functions.NAME.events.schedules):
 * each enabled rule fires its constant input on the clock (UTC), and any
 * rule can be fired on demand (lambda-local trigger RULE). See ll_source.h. */
#include <stdint.h>

#include "ll_config.h"
#include "ll_source.h"

/* The event a rule delivers: its constant input, or, without one, an
 * EventBridge Scheduled Event for the instant at_s. Caller frees. */
char *ll_schedule_event(const ll_schedule_cfg *rule, const char *region, int64_t at_s);

/* A source for every enabled rule of cfg (none skipped in skip, a
 * NULL-terminated list of function names). The clock runs scale times
 * faster than the wall clock (1: real time; more only for tests). */
ll_status ll_schedule_source_new(const ll_config *cfg, const char *const *skip, int scale, ll_source **out);
void ll_schedule_source_free(ll_source *s);

#endif
