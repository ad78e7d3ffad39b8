/* GET /orders?customer_id=&status=&limit=&cursor= : newest first, keyset
 * pagination on (created_at, id) with an opaque cursor (api_cursor.c). With an
 * authoriser the subject is the customer_id filter, whether given or not. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"

typedef struct list_params {
  const char *customer_id;
  order_status_filter status;
  int limit;
  order_list_key after;
  int has_after;
} list_params;

static bool param_one(api_call *c, const char *name, const char **v) {
  api_query_state st = api_request_query(c->req, name, v);
  if (st == API_QUERY_REPEATED) {
    char detail[96];
    snprintf(detail, sizeof detail, "%s is given more than once", name);
    api_problem_answer(c, API_PROBLEM_INVALID_PARAMETER, detail, NULL);
    return false;
  }
  return true;
}

static bool parse_limit(const char *s, int *out) {
  char *end = NULL;
  errno = 0;
  if (!s || *s < '0' || *s > '9') return false;
  long v = strtol(s, &end, 10);
  if (errno || !end || *end || v < 1 || v > API_LIST_MAX_LIMIT) return false;
  *out = (int)v;
  return true;
}

static bool list_parse(api_call *c, list_params *p) {
  const char *customer = NULL, *status = NULL, *limit = NULL, *cursor = NULL;
  memset(p, 0, sizeof *p);
  p->limit = API_LIST_DEFAULT_LIMIT;
  if (!param_one(c, "customer_id", &customer) || !param_one(c, "status", &status) ||
      !param_one(c, "limit", &limit) || !param_one(c, "cursor", &cursor))
    return false;
  const char *sub = api_auth_subject(c->req);
  if (sub && customer && strcmp(customer, sub) != 0) {
    api_problem_answer(c, API_PROBLEM_FORBIDDEN, "customer_id must be the authenticated customer", NULL);
    return false;
  }
  if (sub) customer = sub; /* a customer lists only their own orders */
  api_problem bad = API_PROBLEM_NONE;
  const char *detail = NULL;
  if (customer && !order_customer_id_valid(customer, strlen(customer)))
    bad = API_PROBLEM_INVALID_PARAMETER, detail = "customer_id is not a valid customer id";
  else if (status && !order_status_parse(status, &p->status))
    bad = API_PROBLEM_INVALID_PARAMETER,
    detail = "status must be PENDING, CONFIRMED, REJECTED or CANCELLED";
  else if (limit && !parse_limit(limit, &p->limit))
    bad = API_PROBLEM_INVALID_PARAMETER, detail = "limit must be an integer from 1 to 100";
  else if (cursor && !api_cursor_decode(cursor, customer, p->status, &p->after))
    bad = API_PROBLEM_INVALID_CURSOR,
    detail = "the cursor is malformed or was made for other filters";
  if (bad) {
    api_problem_answer(c, bad, detail, NULL);
    return false;
  }
  p->customer_id = customer;
  p->has_after = cursor != NULL;
  return true;
}

/* {"items":[…],"next_cursor":"…"|null} */
static bool list_answer(api_call *c, const list_params *p, const lr_buf *items, int has_more,
                       const order_list_key *last) {
  lr_buf *b = &c->resp->body;
  lr_buf_reset(b);
  lr_buf_status st = lr_buf_adds(b, "{\"items\":");
  if (st == LR_BUF_OK) st = lr_buf_add(b, items->data ? items->data : "[]", items->data ? items->len : 2);
  if (st == LR_BUF_OK) st = lr_buf_adds(b, ",\"next_cursor\":");
  if (st == LR_BUF_OK && has_more) {
    /* base64url needs no JSON escaping */
    st = lr_buf_adds(b, "\"");
    if (st == LR_BUF_OK && !api_cursor_encode(last, p->customer_id, p->status, b)) return false;
    if (st == LR_BUF_OK) st = lr_buf_adds(b, "\"");
  } else if (st == LR_BUF_OK) {
    st = lr_buf_adds(b, "null");
  }
  if (st == LR_BUF_OK) st = lr_buf_adds(b, "}");
  if (st != LR_BUF_OK) return false;
  c->resp->status = 200;
  api_response_header(c->resp, "Content-Type", "application/json");
  return true;
}

void api_orders_list(api_call *c) {
  list_params p;
  if (!list_parse(c, &p)) return;
  order_list_query q = {.customer_id = p.customer_id, .status = p.status, .limit = p.limit,
                        .after = p.has_after ? &p.after : NULL};
  lr_buf items;
  lr_buf_init(&items, API_RESPONSE_BODY_MAX - 256);
  int has_more = 0;
  order_list_key last = {0};
  char err[DB_ERR_LEN] = "";
  db_status st = order_list(c->a->app->db, &q, &items, &has_more, &last, err);
  if (st != DB_OK) api_db_failure(c, st, err);
  else if (!list_answer(c, &p, &items, has_more, &last))
    api_problem_answer(c, API_PROBLEM_INTERNAL, "the page is too large", NULL);
  lr_buf_free(&items);
}
