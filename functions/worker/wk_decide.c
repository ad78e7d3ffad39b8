/* One round trip per batch: every well-formed message's order id goes into
 * one array parameter; the rows that come back carry the position in that
 * array, which maps back to the message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wk_internal.h"

int64_t wk_budget_ms(int64_t deadline_ms, int64_t now_ms) {
  if (deadline_ms <= 0) return WK_BUDGET_MAX_MS;
  int64_t left = deadline_ms - now_ms - WK_DB_MARGIN_MS - WK_SQL_MARGIN_MS;
  return left > WK_BUDGET_MAX_MS ? WK_BUDGET_MAX_MS : left;
}

static void mark_pending(wk_batch *b, wk_outcome o, const char *detail) {
  for (size_t i = 0; i < b->n; i++) {
    if (b->msgs[i].outcome != WK_PENDING) continue;
    b->msgs[i].outcome = o;
    snprintf(b->msgs[i].detail, sizeof b->msgs[i].detail, "%s", detail);
  }
}

/* "{id,id,…}" of the pending messages; map[k] is the message of element k+1. */
static bool build_ids(const wk_batch *b, lr_buf *ids, size_t *map, size_t *count) {
  *count = 0;
  if (lr_buf_adds(ids, "{") != LR_BUF_OK) return false;
  for (size_t i = 0; i < b->n; i++) {
    if (b->msgs[i].outcome != WK_PENDING) continue;
    if (lr_buf_addf(ids, "%s%s", *count ? "," : "", b->msgs[i].order_id) != LR_BUF_OK) return false;
    map[(*count)++] = i;
  }
  return lr_buf_adds(ids, "}") == LR_BUF_OK;
}

static db_status read_rows(PGresult *res, wk_batch *b, const size_t *map, size_t count,
                           char err[DB_ERR_LEN]) {
  if (PQnfields(res) != 4) {
    snprintf(err, DB_ERR_LEN, "order_decide_batch answered %d columns, not 4", PQnfields(res));
    return DB_UNEXPECTED_RESULT;
  }
  for (int r = 0; r < PQntuples(res); r++) {
    long idx = strtol(PQgetvalue(res, r, 0), NULL, 10);
    wk_outcome o = WK_NOT_ATTEMPTED;
    if (idx < 1 || (size_t)idx > count || !wk_outcome_parse(PQgetvalue(res, r, 1), &o))
      continue; /* not ours: stays not attempted */
    wk_message *m = &b->msgs[map[idx - 1]];
    m->outcome = o;
    snprintf(m->detail, sizeof m->detail, "%s", PQgetvalue(res, r, 2));
    if (!PQgetisnull(res, r, 3)) m->latency_ms = strtod(PQgetvalue(res, r, 3), NULL);
  }
  mark_pending(b, WK_NOT_ATTEMPTED, "the database returned no outcome");
  return DB_OK;
}

db_status wk_decide(db_session *s, wk_batch *b, int64_t budget_ms, char err[DB_ERR_LEN]) {
  if (budget_ms <= 0) {
    mark_pending(b, WK_NOT_ATTEMPTED, "too close to the deadline to call the database");
    return DB_OK;
  }
  size_t *map = b->n ? malloc(b->n * sizeof *map) : NULL;
  lr_buf ids;
  lr_buf_init(&ids, (size_t)WK_MAX_RECORDS * (WK_ORDER_ID_LEN + 1) + 2);
  size_t count = 0;
  db_status st = DB_OK;
  if (b->n && (!map || !build_ids(b, &ids, map, &count))) {
    snprintf(err, DB_ERR_LEN, "out of memory building the batch");
    st = DB_NOMEM;
  } else if (count > 0) {
    char budget[24];
    snprintf(budget, sizeof budget, "%lld", (long long)budget_ms);
    const char *params[] = {lr_buf_str(&ids), budget};
    PGresult *res = NULL;
    /* idempotent: a decision already made reads as already_handled when resent */
    st = db_exec(s, DB_IDEMPOTENT, WK_SQL_DECIDE, 2, params, &res, err);
    if (st == DB_OK) st = read_rows(res, b, map, count, err);
    PQclear(res);
  }
  if (st != DB_OK) mark_pending(b, WK_DB_UNAVAILABLE, db_status_name(st));
  lr_buf_free(&ids);
  free(map);
  return st;
}
