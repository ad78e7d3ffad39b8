/* SQL of the outbox relay. A claim is one short statement (its row locks end
 * with it): it sets a lease, so that no other relay takes the rows while this
 * one sends them, and nothing is locked during the call to SQS. */
#include "cl_sql.h"

#define CL_OB_TS(x) "to_char((" x ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* $1 grace seconds, $2 max attempts, $3 lease seconds, $4 cursor created_at
 * (NULL: from the oldest), $5 cursor id, $6 how many. The cursor keeps one
 * invocation from taking a row twice (no retry loop); SKIP LOCKED passes over
 * rows a create is marking right now. Columns: id, payload, trace header,
 * created_at as rendered. */
const char CL_SQL_OUTBOX_CLAIM[] =
    "UPDATE outbox o SET claimed_until = now() + $3::int * interval '1 second'"
    " FROM (SELECT id FROM outbox"
    "  WHERE published_at IS NULL AND created_at < now() - $1::int * interval '1 second'"
    "    AND attempts < $2::int AND (claimed_until IS NULL OR claimed_until < now())"
    "    AND ($4::timestamptz IS NULL OR (created_at, id) > ($4::timestamptz, $5::uuid))"
    "  ORDER BY created_at, id LIMIT $6::int FOR UPDATE SKIP LOCKED) c"
    " WHERE o.id = c.id"
    " RETURNING o.id::text, o.payload::text, o.trace_header, " CL_OB_TS("o.created_at");

/* The marks skip rows another transaction holds. The worker's decision marks
 * the same rows in its batch transaction, one message at a time: a mark that
 * waited for it could deadlock with it (seen on the local stack: 40P01, and the
 * run stopped) and would hold the relay for a whole batch. A skipped row is being
 * published by the worker; if that rolls back, the row keeps its lease and is
 * sent again once it ends (at least once, as always). Another relay's claim
 * holds rows for a moment too (FOR UPDATE keeps a row it rechecked and passed
 * over locked until its statement ends), so the caller marks again the rows a
 * mark did not return. */
#define CL_OB_UNLOCKED(ids) \
  " WHERE id IN (SELECT id FROM outbox WHERE id = ANY(" ids ") AND published_at IS NULL" \
  " FOR UPDATE SKIP LOCKED) AND published_at IS NULL RETURNING id::text"

/* $1 ids (uuid[]). A row the api or the worker marked meanwhile keeps its mark.
 * Returns the ids it marked. */
const char CL_SQL_OUTBOX_SENT[] =
    "UPDATE outbox SET published_at = greatest(now(), created_at), attempts = attempts + 1,"
    " claimed_until = NULL" CL_OB_UNLOCKED("$1::uuid[]");

/* $1 ids (uuid[]): one more failed attempt; the lease ends. Returns the ids it
 * marked. */
const char CL_SQL_OUTBOX_FAILED[] =
    "UPDATE outbox SET attempts = attempts + 1, claimed_until = NULL" CL_OB_UNLOCKED("$1::uuid[]");

/* $1 grace seconds, $2 max attempts: the age in whole seconds of the oldest
 * unpublished row past the grace period (0 when none), and how many rows the
 * relay gave up on (attempts exhausted), for the alarms. */
const char CL_SQL_OUTBOX_STATE[] =
    "SELECT coalesce(floor(extract(epoch FROM now() - min(created_at))), 0)::bigint,"
    " count(*) FILTER (WHERE attempts >= $2::int)"
    " FROM outbox WHERE published_at IS NULL AND created_at < now() - $1::int * interval '1 second'";
