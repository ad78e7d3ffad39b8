/* The worker's one statement: $1 the batch's order ids (a uuid[] literal, one
 * per message, in message order), $2 the budget in milliseconds. The function
 * (db/migrations/0004_order_decide_function.sql) does the locking, the
 * reservation, the decision and the outbox mark; it is the worker's SQL. */
#include "wk_internal.h"

const char WK_SQL_DECIDE[] =
    "SELECT r_idx, r_outcome, r_detail, r_latency_ms"
    " FROM order_decide_batch($1::uuid[], $2::int)";
