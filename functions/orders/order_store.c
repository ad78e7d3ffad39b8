/* The orders aggregate in PostgreSQL (see orders/order_store.h). */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "order_sql.h"
#include "orders/order_store.h"

/* An order's JSON: 50 lines of at most ~150 bytes and the header. */
#define ORDER_BODY_MAX (64u * 1024u)
#define ORDER_MESSAGE_MAX 1024u
#define ORDER_ITEMS_PARAM_MAX (16u * 1024u)

void order_create_result_init(order_create_result *r) {
  memset(r, 0, sizeof *r);
  lr_buf_init(&r->body, ORDER_BODY_MAX);
  lr_buf_init(&r->message, ORDER_MESSAGE_MAX);
  order_errors_init(&r->errs);
}

void order_create_result_free(order_create_result *r) {
  if (!r) return;
  lr_buf_free(&r->body);
  lr_buf_free(&r->message);
}

static db_status unexpected(char err[DB_ERR_LEN], const char *what) {
  snprintf(err, DB_ERR_LEN, "orders: %s", what);
  return DB_UNEXPECTED_RESULT;
}

/* The items as the JSON array parameter $4. Built with cJSON from validated
 * values, so nothing from the client is spliced into SQL or JSON by hand. */
static db_status items_param(const order_request *req, char **out, char err[DB_ERR_LEN]) {
  cJSON *arr = cJSON_CreateArray();
  for (int i = 0; arr && i < req->nitems; i++) {
    cJSON *it = cJSON_CreateObject();
    if (!it || !cJSON_AddItemToArray(arr, it) || !cJSON_AddStringToObject(it, "sku", req->items[i].sku) ||
        !cJSON_AddNumberToObject(it, "quantity", req->items[i].quantity)) {
      cJSON_Delete(arr);
      arr = NULL;
    }
  }
  *out = arr ? cJSON_PrintUnformatted(arr) : NULL;
  cJSON_Delete(arr);
  if (!*out || strlen(*out) > ORDER_ITEMS_PARAM_MAX) {
    free(*out);
    *out = NULL;
    snprintf(err, DB_ERR_LEN, "orders: cannot build the items parameter");
    return DB_NOMEM;
  }
  return DB_OK;
}

static bool outcome_parse(const char *s, order_create_outcome *out) {
  static const char *const names[] = {"created", "replayed", "key_reused", "catalog_invalid"};
  for (int i = 0; i < 4; i++) {
    if (strcmp(s, names[i]) == 0) {
      *out = (order_create_outcome)i;
      return true;
    }
  }
  return false;
}

/* One catalog row per line: {"line":1,"known":true,"active":true,"currency":"EUR"}. */
static void catalog_problems(const char *catalog, const order_request *req, order_errors *errs) {
  cJSON *arr = cJSON_Parse(catalog);
  const char *first_cur = NULL;
  const cJSON *row;
  char field[ORDER_FIELD_LEN];
  cJSON_ArrayForEach(row, arr) {
    int line = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(row, "line"));
    const char *cur = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "currency"));
    if (line < 1 || line > req->nitems) continue;
    snprintf(field, sizeof field, "items[%d].sku", line - 1);
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(row, "known")))
      order_errors_add(errs, field, "is not in the catalog");
    else if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(row, "active")))
      order_errors_add(errs, field, "is no longer sold");
    else if (cur && first_cur && strcmp(cur, first_cur) != 0)
      order_errors_add(errs, field, "is priced in %.3s; the order's other items are in %.3s", cur,
                       first_cur);
    else if (cur && !first_cur)
      first_cur = cur;
  }
  if (errs->n == 0) order_errors_add(errs, "items", "cannot be priced from the catalog");
  cJSON_Delete(arr);
}

static db_status create_read(PGresult *res, const order_create_args *a, order_create_result *r,
                             char err[DB_ERR_LEN]) {
  if (PQntuples(res) != 1 || PQnfields(res) != 8 || !outcome_parse(PQgetvalue(res, 0, 0), &r->outcome))
    return unexpected(err, "create: unexpected result shape");
  long marked = strtol(PQgetvalue(res, 0, 7), NULL, 10);
  r->marked = marked > 0 && marked <= OUTBOX_MARKS_MAX ? (int)marked : 0;
  if (r->outcome == ORDER_CATALOG_INVALID) {
    catalog_problems(PQgetvalue(res, 0, 6), a->req, &r->errs);
    return DB_OK;
  }
  snprintf(r->order_id, sizeof r->order_id, "%s", PQgetvalue(res, 0, 1));
  if (lr_buf_adds(&r->body, PQgetvalue(res, 0, 2)) != LR_BUF_OK)
    return unexpected(err, "create: answer too large");
  if (r->outcome != ORDER_CREATED) return DB_OK;
  snprintf(r->outbox_id, sizeof r->outbox_id, "%s", PQgetvalue(res, 0, 3));
  if (lr_buf_adds(&r->message, PQgetvalue(res, 0, 4)) != LR_BUF_OK)
    return unexpected(err, "create: message too large");
  return DB_OK;
}

/* The ids as a uuid[] literal, "{a,b}"; NULL when there are none. Every id
 * was checked to be a UUID when it was added, so nothing needs quoting. */
static const char *marks_param(const outbox_marks *m, char *buf, size_t cap) {
  if (!m || m->n <= 0) return NULL;
  size_t len = 0;
  buf[len++] = '{';
  for (int i = 0; i < m->n && i < OUTBOX_MARKS_MAX; i++) {
    int w = snprintf(buf + len, cap - len, "%s%s", i ? "," : "", m->ids[i]);
    if (w < 0 || (size_t)w >= cap - len) return NULL;
    len += (size_t)w;
  }
  if (len + 2 > cap) return NULL;
  buf[len++] = '}';
  buf[len] = '\0';
  return buf;
}

/* The trace header if the outbox column (0005) takes it, else NULL. */
static const char *trace_param(const char *t) {
  size_t n = t ? strnlen(t, ORDER_TRACE_HEADER_MAX + 1) : 0;
  if (n == 0 || n > ORDER_TRACE_HEADER_MAX) return NULL;
  for (size_t i = 0; i < n; i++)
    if (t[i] < 0x20 || t[i] > 0x7e) return NULL;
  return t;
}

db_status order_create(db_session *s, const order_create_args *a, order_create_result *r,
                       char err[DB_ERR_LEN]) {
  char *items = NULL;
  db_status st = items_param(a->req, &items, err);
  if (st != DB_OK) return st;
  char hash[IDEMPOTENCY_HASH_HEX_LEN];
  char ttl[16];
  char marks[OUTBOX_MARKS_MAX * ORDER_ID_LEN + 4];
  idempotency_hash_hex(a->request_hash, hash);
  snprintf(ttl, sizeof ttl, "%d", a->idempotency_ttl_hours);
  const char *params[] = {a->req->customer_id, a->idempotency_key, a->idempotency_key ? hash : NULL,
                          items, ttl, marks_param(a->published, marks, sizeof marks),
                          trace_param(a->trace_header)};
  /* With a key, running the statement twice replays the first answer, so a
   * statement lost in flight may be resent; without one it may not. The marks
   * are idempotent either way. */
  db_idempotency idem = a->idempotency_key ? DB_IDEMPOTENT : DB_NOT_IDEMPOTENT;
  PGresult *res = NULL;
  st = db_exec(s, idem, ORDER_SQL_CREATE, 7, params, &res, err);
  free(items);
  /* The statement committed, marks included, even when its answer is odd. */
  if (st == DB_OK && a->published) a->published->n = 0;
  if (st == DB_OK) st = create_read(res, a, r, err);
  PQclear(res);
  return st;
}

db_status order_get(db_session *s, const char *order_id, int *found, lr_buf *out,
                    char err[DB_ERR_LEN]) {
  const char *params[] = {order_id};
  PGresult *res = NULL;
  *found = 0;
  db_status st = db_exec(s, DB_IDEMPOTENT, ORDER_SQL_GET, 1, params, &res, err);
  if (st != DB_OK) return st;
  if (PQntuples(res) == 1 && PQnfields(res) == 1) {
    *found = 1;
    if (lr_buf_adds(out, PQgetvalue(res, 0, 0)) != LR_BUF_OK) st = unexpected(err, "get: too large");
  } else if (PQntuples(res) != 0) {
    st = unexpected(err, "get: unexpected result shape");
  }
  PQclear(res);
  return st;
}

static db_status list_read(PGresult *res, int limit, lr_buf *out, int *has_more,
                           order_list_key *last, char err[DB_ERR_LEN]) {
  int n = PQntuples(res);
  if (PQnfields(res) != 3 || n > limit + 1) return unexpected(err, "list: unexpected result shape");
  *has_more = n > limit;
  if (n > limit) n = limit;
  lr_buf_status bs = lr_buf_adds(out, "[");
  for (int i = 0; i < n && bs == LR_BUF_OK; i++) {
    if (i) bs = lr_buf_adds(out, ",");
    if (bs == LR_BUF_OK) bs = lr_buf_adds(out, PQgetvalue(res, i, 0));
  }
  if (bs == LR_BUF_OK) bs = lr_buf_adds(out, "]");
  if (bs != LR_BUF_OK) return unexpected(err, "list: answer too large");
  if (n > 0) {
    char *end = NULL;
    snprintf(last->id, sizeof last->id, "%s", PQgetvalue(res, n - 1, 1));
    last->created_us = strtoll(PQgetvalue(res, n - 1, 2), &end, 10);
    if (!end || *end) return unexpected(err, "list: bad created_at");
  }
  return DB_OK;
}

db_status order_list(db_session *s, const order_list_query *q, lr_buf *out, int *has_more,
                     order_list_key *last, char err[DB_ERR_LEN]) {
  char after_us[24] = "";
  char rows[16];
  if (q->limit < 1 || q->limit > 100) return unexpected(err, "list: limit out of range");
  if (q->after) snprintf(after_us, sizeof after_us, "%" PRId64, q->after->created_us);
  snprintf(rows, sizeof rows, "%d", q->limit + 1);
  const char *params[] = {q->customer_id, order_status_name(q->status), q->after ? after_us : NULL,
                          q->after ? q->after->id : NULL, rows};
  PGresult *res = NULL;
  *has_more = 0;
  db_status st = db_exec(s, DB_IDEMPOTENT, ORDER_SQL_LIST, 5, params, &res, err);
  if (st == DB_OK) st = list_read(res, q->limit, out, has_more, last, err);
  PQclear(res);
  return st;
}

static db_status cancel_read(PGresult *res, order_cancel_outcome *outcome, int *released,
                             lr_buf *body, char err[DB_ERR_LEN]) {
  if (PQntuples(res) != 1 || PQnfields(res) != 4) return unexpected(err, "cancel: unexpected shape");
  if (PQgetisnull(res, 0, 0)) {
    *outcome = ORDER_CANCEL_NOT_FOUND;
    return DB_OK;
  }
  *outcome = strcmp(PQgetvalue(res, 0, 3), "t") == 0 ? ORDER_CANCEL_DONE
                                                     : ORDER_CANCEL_NOT_CANCELLABLE;
  long n = strtol(PQgetvalue(res, 0, 2), NULL, 10);
  *released = n > 0 && n <= ORDER_MAX_ITEMS ? (int)n : 0;
  if (lr_buf_adds(body, PQgetvalue(res, 0, 1)) != LR_BUF_OK)
    return unexpected(err, "cancel: answer too large");
  return DB_OK;
}

db_status order_cancel(db_session *s, const char *order_id, order_cancel_outcome *outcome,
                       int *released, lr_buf *body, char err[DB_ERR_LEN]) {
  const char *params[] = {order_id};
  PGresult *res = NULL;
  *released = 0;
  *outcome = ORDER_CANCEL_NOT_FOUND;
  /* Not idempotent for the session's resend: a resent cancel would answer 409
   * for an order this very call cancelled. */
  db_status st = db_exec(s, DB_NOT_IDEMPOTENT, ORDER_SQL_CANCEL, 1, params, &res, err);
  if (st == DB_OK) st = cancel_read(res, outcome, released, body, err);
  PQclear(res);
  return st;
}
