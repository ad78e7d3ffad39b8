/* The outbox rows the api writes with each order (see orders/order_store.h).
 * Marking published is idempotent (only an unpublished row changes), so it may
 * be resent after a connection lost in flight; counting a failed attempt is
 * not (it would count twice). */
#include <stdio.h>
#include <string.h>

#include "order_sql.h"
#include "orders/order_store.h"

bool outbox_marks_add(outbox_marks *m, const char *id) {
  if (m->n < 0 || m->n >= OUTBOX_MARKS_MAX || !order_id_valid(id, strlen(id))) return false;
  snprintf(m->ids[m->n], sizeof m->ids[m->n], "%s", id);
  m->n++;
  return true;
}

static db_status outbox_mark(db_session *s, db_idempotency idem, const char *sql,
                             const char *outbox_id, char err[DB_ERR_LEN]) {
  const char *params[] = {outbox_id};
  PGresult *res = NULL;
  db_status st = db_exec(s, idem, sql, 1, params, &res, err);
  PQclear(res);
  return st;
}

db_status outbox_mark_published(db_session *s, const char *outbox_id, char err[DB_ERR_LEN]) {
  return outbox_mark(s, DB_IDEMPOTENT, OUTBOX_SQL_PUBLISHED, outbox_id, err);
}

db_status outbox_mark_failed(db_session *s, const char *outbox_id, char err[DB_ERR_LEN]) {
  return outbox_mark(s, DB_NOT_IDEMPOTENT, OUTBOX_SQL_FAILED, outbox_id, err);
}
