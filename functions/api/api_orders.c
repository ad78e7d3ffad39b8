/* The order routes: POST /orders, GET /orders/{id}, GET /orders,
 * POST /orders/{id}/cancel. Nothing reaches the database before the request
 * passed every check that can be made without it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "lr/json.h"
#include "orders/idempotency.h"

/* ---- POST /orders -------------------------------------------------------- */

/* Size, media type, encoding and JSON syntax, in that order: the cheapest
 * refusal first. *root is the parsed body on success. */
static bool create_body(api_call *c, cJSON **root) {
  const api_request *r = c->req;
  if (r->body_state == API_BODY_TOO_LARGE) {
    api_problem_answer(c, API_PROBLEM_PAYLOAD_TOO_LARGE, "the body is larger than " API_MAX_BODY_TEXT " bytes", NULL);
    return false;
  }
  if (!api_body_content_type_ok(api_request_header(r, "Content-Type"))) {
    api_problem_answer(c, API_PROBLEM_UNSUPPORTED_MEDIA_TYPE,
                       "send the order as Content-Type: application/json", NULL);
    return false;
  }
  lr_json_status st = r->body_state == API_BODY_BAD_BASE64 ? LR_JSON_UTF8
                                                            : lr_json_parse(r->body.data, r->body.len, LR_JSON_STRICT, root);
  if (st == LR_JSON_UTF8 || st == LR_JSON_NUL || st == LR_JSON_NUL_ESCAPE) {
    api_problem_answer(c, API_PROBLEM_MALFORMED_JSON,
                       "the body is not UTF-8 JSON text (or holds a NUL character)", NULL);
    return false;
  }
  if (st == LR_JSON_DUP_KEY) {
    api_problem_answer(c, API_PROBLEM_MALFORMED_JSON, "the body names a field twice in one object", NULL);
    return false;
  }
  if (st != LR_JSON_OK) {
    api_problem_answer(c, API_PROBLEM_MALFORMED_JSON, "the body is not well-formed JSON", NULL);
    return false;
  }
  return true;
}

static bool create_key(api_call *c, const char **key) {
  *key = api_request_header(c->req, "Idempotency-Key");
  if (*key && !idempotency_key_valid(*key, strlen(*key))) {
    api_problem_answer(c, API_PROBLEM_BAD_REQUEST,
                       "Idempotency-Key must be 1 to 255 printable ASCII characters", NULL);
    return false;
  }
  return true;
}

/* The queue message is sent after the response (api_after_response): the
 * client does not wait for SQS, and the committed outbox row covers a
 * process that dies first. */
static void create_defer_send(api_call *c, const order_create_result *res) {
  api_pending_send *p = &c->a->send;
  if (!c->a->sqs) {
    if (!c->a->queue_unset_logged && c->ctx->log)
      lr_log_kv(c->ctx->log, LR_LOG_WARN,
                "ORDERS_QUEUE_URL is not set: order messages stay in the outbox", NULL);
    c->a->queue_unset_logged = 1;
    return;
  }
  lr_buf_reset(&p->message);
  if (lr_buf_add(&p->message, res->message.data, res->message.len) != LR_BUF_OK) {
    if (c->ctx->log)
      lr_log_kv(c->ctx->log, LR_LOG_WARN, "order message not queued; the outbox relay will send it",
                "order_id", res->order_id, NULL);
    return;
  }
  snprintf(p->order_id, sizeof p->order_id, "%s", res->order_id);
  snprintf(p->outbox_id, sizeof p->outbox_id, "%s", res->outbox_id);
  p->due = 1;
}

static void create_answer(api_call *c, const order_create_result *res) {
  switch (res->outcome) {
  case ORDER_CREATED:
  case ORDER_REPLAYED:
    snprintf(c->order_id, sizeof c->order_id, "%s", res->order_id);
    api_response_json(c->resp, 201, lr_buf_str(&res->body));
    api_response_header(c->resp, "Location", "/orders/%s", res->order_id);
    if (res->outcome == ORDER_REPLAYED) api_response_header(c->resp, "Idempotent-Replayed", "true");
    else lr_metrics_put(c->metrics, "OrdersCreated", 1, LR_UNIT_COUNT);
    break;
  case ORDER_KEY_REUSED:
    api_problem_answer(c, API_PROBLEM_IDEMPOTENCY_KEY_REUSED,
                       "this Idempotency-Key was used with a different request body", NULL);
    break;
  case ORDER_CATALOG_INVALID:
    lr_metrics_put(c->metrics, "ValidationFailures", 1, LR_UNIT_COUNT);
    api_problem_answer(c, API_PROBLEM_VALIDATION_FAILED, "some items cannot be ordered", &res->errs);
    break;
  }
}

static void create_run(api_call *c, const order_request *req, const char *key) {
  order_create_args args = {.req = req, .idempotency_key = key,
                            .idempotency_ttl_hours = c->a->app->cfg.idempotency_ttl_hours,
                            .published = &c->a->sent, .trace_header = c->ctx ? c->ctx->trace_id : NULL};
  if (!idempotency_request_hash(req, args.request_hash)) {
    api_problem_answer(c, API_PROBLEM_INTERNAL, NULL, NULL);
    return;
  }
  order_create_result res;
  char err[DB_ERR_LEN] = "";
  order_create_result_init(&res);
  db_status st = order_create(c->a->app->db, &args, &res, err);
  if (st != DB_OK) {
    api_db_failure(c, st, err);
  } else {
    create_answer(c, &res);
    if (res.outcome == ORDER_CREATED) create_defer_send(c, &res);
  }
  order_create_result_free(&res);
}

/* With an authoriser, customer_id may be left out of the body: the subject
 * fills it in before validation, so the request (and its idempotency hash) is
 * the one the client would have sent with it. false: out of memory. */
static bool create_customer(api_call *c, cJSON *root) {
  const char *sub = api_auth_subject(c->req);
  if (!sub || !cJSON_IsObject(root) || cJSON_GetObjectItemCaseSensitive(root, "customer_id")) return true;
  return cJSON_AddStringToObject(root, "customer_id", sub) != NULL;
}

void api_orders_create(api_call *c) {
  cJSON *root = NULL;
  const char *key = NULL;
  if (!create_body(c, &root) || !create_key(c, &key)) {
    cJSON_Delete(root);
    return;
  }
  /* order_request and its errors are ~20 KiB: on the heap, not the stack. */
  order_request *req = malloc(sizeof *req);
  order_errors *errs = malloc(sizeof *errs);
  if (!req || !errs) {
    api_problem_answer(c, API_PROBLEM_INTERNAL, NULL, NULL);
  } else if (!create_customer(c, root)) {
    api_problem_answer(c, API_PROBLEM_INTERNAL, NULL, NULL);
  } else if (!order_request_from_json(root, req, errs)) {
    lr_metrics_put(c->metrics, "ValidationFailures", 1, LR_UNIT_COUNT);
    api_problem_answer(c, API_PROBLEM_VALIDATION_FAILED, "the order is not valid", errs);
  } else if (!api_auth_owns(c->req, req->customer_id)) {
    api_problem_answer(c, API_PROBLEM_FORBIDDEN,
                       "customer_id must be the authenticated customer (or be left out)", NULL);
  } else {
    create_run(c, req, key);
  }
  free(req);
  free(errs);
  cJSON_Delete(root);
}

/* ---- GET /orders/{id} ---------------------------------------------------- */

/* Whether the order JSON in body belongs to the authenticated customer (always
 * true without an authoriser). Another customer's order is answered as absent:
 * a 403 would tell that the id exists. */
static bool order_json_owned(const api_request *req, const lr_buf *body) {
  if (!api_auth_subject(req)) return true;
  cJSON *o = cJSON_ParseWithLength(body->data ? body->data : "", body->len);
  bool owned = api_auth_owns(req, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "customer_id")));
  cJSON_Delete(o);
  return owned;
}

static bool order_id_param(api_call *c) {
  const char *id = c->route->param;
  if (order_id_valid(id, strlen(id))) return true;
  api_problem_answer(c, API_PROBLEM_INVALID_PARAMETER, "the order id must be a UUID", NULL);
  return false;
}

void api_orders_get(api_call *c) {
  if (!order_id_param(c)) return;
  char err[DB_ERR_LEN] = "";
  int found = 0;
  lr_buf_reset(&c->resp->body);
  db_status st = order_get(c->a->app->db, c->route->param, &found, &c->resp->body, err);
  if (st != DB_OK) {
    api_db_failure(c, st, err);
  } else if (!found || !order_json_owned(c->req, &c->resp->body)) {
    lr_buf_reset(&c->resp->body);
    api_problem_answer(c, API_PROBLEM_NOT_FOUND, "there is no order with this id", NULL);
  } else {
    c->resp->status = 200;
    api_response_header(c->resp, "Content-Type", "application/json");
  }
}

/* ---- POST /orders/{id}/cancel -------------------------------------------- */

/* With an authoriser, the order is read first and another customer's is
 * absent (404). An order's customer never changes, so reading before the
 * cancel statement leaves no window. The cost is a second round trip on this
 * route only when an authoriser is on. false: answered. */
static bool cancel_owned(api_call *c) {
  if (!api_auth_subject(c->req)) return true;
  char err[DB_ERR_LEN] = "";
  int found = 0;
  lr_buf body;
  lr_buf_init(&body, API_RESPONSE_BODY_MAX);
  db_status st = order_get(c->a->app->db, c->route->param, &found, &body, err);
  bool owned = st == DB_OK && found && order_json_owned(c->req, &body);
  lr_buf_free(&body);
  if (st != DB_OK) api_db_failure(c, st, err);
  else if (!owned) api_problem_answer(c, API_PROBLEM_NOT_FOUND, "there is no order with this id", NULL);
  return owned;
}

void api_orders_cancel(api_call *c) {
  if (!order_id_param(c) || !cancel_owned(c)) return;
  char err[DB_ERR_LEN] = "";
  order_cancel_outcome outcome;
  int released = 0;
  lr_buf body;
  lr_buf_init(&body, API_RESPONSE_BODY_MAX);
  db_status st = order_cancel(c->a->app->db, c->route->param, &outcome, &released, &body, err);
  if (st != DB_OK) {
    api_db_failure(c, st, err);
  } else if (outcome == ORDER_CANCEL_NOT_FOUND) {
    api_problem_answer(c, API_PROBLEM_NOT_FOUND, "there is no order with this id", NULL);
  } else if (outcome == ORDER_CANCEL_NOT_CANCELLABLE) {
    api_problem_answer(c, API_PROBLEM_NOT_CANCELLABLE,
                       "only PENDING or CONFIRMED orders can be cancelled", NULL);
  } else {
    snprintf(c->order_id, sizeof c->order_id, "%.36s", c->route->param);
    api_response_json(c->resp, 200, lr_buf_str(&body));
  }
  lr_buf_free(&body);
}
