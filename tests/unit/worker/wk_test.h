#ifndef WK_TEST_H
#define WK_TEST_H
/* Helpers of the worker suites: an app from a table of settings, SQS events
 * built from (messageId, body) pairs, and the answer's failed ids. */
#include <check.h>
#include <cjson/cJSON.h>

#include "wk_internal.h"

/* An app on 127.0.0.1:port/dbname (user postgres, no TLS). */
wk_app *wt_app_db(int port, const char *dbname);
/* A port nothing listens on. */
int wt_closed_port(void);

/* {"Records":[…]}: one record per (id, body) pair, AWS's sample record's
 * other fields; an id of NULL leaves messageId out. Caller frees. */
char *wt_event(int n, const char *const *ids, const char *const *bodies);
/* An order.created body for order_id. */
void wt_body(char *out, size_t len, const char *order_id);

/* Invokes with deadline_ms (0: none); returns the answer (caller frees) and
 * asserts that the handler did not fault. */
char *wt_invoke(wk_app *a, const char *event, int64_t deadline_ms);
/* How many itemIdentifiers the answer names, and whether it names id. */
int wt_failures(const char *answer);
int wt_names(const char *answer, const char *id);

#endif
