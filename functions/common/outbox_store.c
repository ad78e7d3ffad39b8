/* The outbox rows the api writes with each order (see orders/order_store.h).
 * Marking is idempotent (only an unpublished row changes), so a statement lost
 * in flight may be resent. */
#include "order_sql.h"
#include "orders/order_store.h"

static db_status outbox_mark(db_session *s, const char *sql, const char *outbox_id,
                             char err[DB_ERR_LEN]) {
  const char *params[] = {outbox_id};
  PGresult *res = NULL;
  db_status st = db_exec(s, DB_IDEMPOTENT, sql, 1, params, &res, err);
  PQclear(res);
  return st;
}

db_status outbox_mark_published(db_session *s, const char *outbox_id, char err[DB_ERR_LEN]) {
  return outbox_mark(s, OUTBOX_SQL_PUBLISHED, outbox_id, err);
}

db_status outbox_mark_failed(db_session *s, const char *outbox_id, char err[DB_ERR_LEN]) {
  return outbox_mark(s, OUTBOX_SQL_FAILED, outbox_id, err);
}
