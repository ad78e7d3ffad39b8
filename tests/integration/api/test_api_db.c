/* The api handler against a real PostgreSQL (throw-away server, schema from
 * the embedded migrations, the local seed): every route, idempotency under
 * concurrency, cancel transitions and stock release, the database going
 * down, and a queue that cannot be reached. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_test.h"
#include "itest.h"
#include "lr/clock.h"
#include "order_sql.h"
#include "orders/order_store.h"

#define JSON_CT "Content-Type: application/json"
#define ORDER_1 "{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":2},{\"sku\":\"SKU-4\",\"quantity\":1}]}"

static api_app *db_app(const char *db, const char *const *extra) {
  return at_app_db(it_server()->port, db, extra);
}

static void fresh(const char *db) { it_fresh_seeded(db); }

static at_response post_order(api_app *a, const char *key, const char *body) {
  char kh[300];
  snprintf(kh, sizeof kh, "Idempotency-Key: %s", key ? key : "");
  const char *h[] = {JSON_CT, key ? kh : NULL, NULL};
  return at_call(a, AT_V2, "POST", "/orders", NULL, h, body);
}

START_TEST(create_then_get) {
  fresh("t_create");
  api_app *a = db_app("t_create", NULL);
  at_response r = post_order(a, NULL, ORDER_1);
  ck_assert_msg(r.status == 201, "%d %s", r.status, r.raw_body);
  const char *id = at_body_str(&r, "id");
  ck_assert_ptr_nonnull(id);
  char loc[128];
  snprintf(loc, sizeof loc, "/orders/%s", id);
  ck_assert_str_eq(at_header(&r, "Location"), loc);
  ck_assert_str_eq(at_body_str(&r, "status"), "PENDING");
  ck_assert_str_eq(at_body_str(&r, "currency"), "EUR");
  ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(r.body, "total_cents")), 2 * 2499 + 650);
  at_response g = at_call(a, AT_V1, "GET", loc, NULL, NULL, NULL);
  ck_assert_int_eq(g.status, 200);
  ck_assert_str_eq(g.raw_body, r.raw_body); /* same JSON, same bytes, either format */
  ck_assert_int_eq(it_count("t_create", "SELECT count(*) FROM outbox WHERE published_at IS NULL AND attempts = 0"), 1);
  ck_assert_int_eq(it_count("t_create", "SELECT count(*) FROM order_items"), 2);
  at_response_free(&g);
  g = at_call(a, AT_V2, "GET", "/orders/00000000-0000-4000-8000-000000000000", NULL, NULL, NULL);
  ck_assert_int_eq(g.status, 404);
  at_response_free(&g);
  g = at_call(a, AT_V2, "GET", "/orders/not-a-uuid", NULL, NULL, NULL);
  ck_assert_int_eq(g.status, 400);
  at_response_free(&g);
  at_response_free(&r);
  api_app_free(a);
}
END_TEST

START_TEST(catalog_refusals_write_nothing) {
  fresh("t_catalog");
  it_sql("t_catalog", "INSERT INTO products VALUES ('SKU-USD','Dollar thing',100,'USD',true,now()),"
                      "('SKU-OLD','Gone',100,'EUR',false,now())");
  api_app *a = db_app("t_catalog", NULL);
  at_response r = post_order(a, NULL,
      "{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":1},{\"sku\":\"NOPE\",\"quantity\":1},"
      "{\"sku\":\"SKU-OLD\",\"quantity\":1},{\"sku\":\"SKU-USD\",\"quantity\":1}]}");
  ck_assert_msg(r.status == 422, "%d %s", r.status, r.raw_body);
  const cJSON *errs = cJSON_GetObjectItem(r.body, "errors");
  ck_assert_int_eq(cJSON_GetArraySize(errs), 3);
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(errs, 0), "field")), "items[1].sku");
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(errs, 1), "field")), "items[2].sku");
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(errs, 2), "field")), "items[3].sku");
  ck_assert_int_eq(it_count("t_catalog", "SELECT count(*) FROM orders"), 0);
  ck_assert_int_eq(it_count("t_catalog", "SELECT count(*) FROM outbox"), 0);
  at_response_free(&r);
  api_app_free(a);
}
END_TEST

START_TEST(idempotent_replay_and_reuse) {
  fresh("t_idem");
  api_app *a = db_app("t_idem", NULL);
  at_response r1 = post_order(a, "key-1", ORDER_1);
  ck_assert_int_eq(r1.status, 201);
  ck_assert_ptr_null(at_header(&r1, "Idempotent-Replayed"));
  /* same request, other member order and spacing: the same canonical request */
  at_response r2 = post_order(a, "key-1",
      "{ \"items\" : [{\"quantity\":2,\"sku\":\"SKU-1\"},{\"sku\":\"SKU-4\",\"quantity\":1.0}], \"customer_id\":\"c-1\"}");
  ck_assert_int_eq(r2.status, 201);
  ck_assert_str_eq(at_header(&r2, "Idempotent-Replayed"), "true");
  ck_assert_str_eq(r2.raw_body, r1.raw_body);
  ck_assert_str_eq(at_header(&r2, "Location"), at_header(&r1, "Location"));
  at_response r3 = post_order(a, "key-1",
      "{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":3}]}");
  ck_assert_int_eq(r3.status, 422);
  ck_assert_str_eq(at_body_str(&r3, "type"), "https://docs.orders.example/problems/idempotency-key-reused");
  /* a key belongs to its customer: another customer may use the same one */
  at_response r4 = post_order(a, "key-1",
      "{\"customer_id\":\"c-2\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":3}]}");
  ck_assert_int_eq(r4.status, 201);
  ck_assert_int_eq(it_count("t_idem", "SELECT count(*) FROM orders"), 2);
  ck_assert_int_eq(it_count("t_idem", "SELECT count(*) FROM outbox"), 2);
  /* the catalog changed since: a live key still replays its first answer */
  it_sql("t_idem", "UPDATE products SET active = false WHERE sku = 'SKU-4'");
  at_response r5 = post_order(a, "key-1", ORDER_1);
  ck_assert_int_eq(r5.status, 201);
  ck_assert_str_eq(r5.raw_body, r1.raw_body);
  at_response_free(&r5);
  r5 = post_order(a, "key-1", "{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-4\",\"quantity\":9}]}");
  ck_assert_int_eq(r5.status, 422);
  at_response_free(&r5);
  /* an expired key (not yet purged) is taken over by a new request */
  it_sql("t_idem", "UPDATE idempotency_keys SET created_at = now() - interval '2 days',"
                   " expires_at = now() - interval '1 day' WHERE key = 'key-1' AND customer_id = 'c-1'");
  r5 = post_order(a, "key-1", "{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-2\",\"quantity\":1}]}");
  ck_assert_msg(r5.status == 201, "%d %s", r5.status, r5.raw_body);
  ck_assert_ptr_null(at_header(&r5, "Idempotent-Replayed"));
  ck_assert_str_ne(r5.raw_body, r1.raw_body);
  at_response_free(&r5);
  ck_assert_int_eq(it_count("t_idem", "SELECT count(*) FROM orders"), 3);
  ck_assert_int_eq(it_count("t_idem", "SELECT count(*) FROM idempotency_keys WHERE expires_at > now()"), 2);
  at_response_free(&r1), at_response_free(&r2), at_response_free(&r3), at_response_free(&r4);
  api_app_free(a);
}
END_TEST

#define RACERS 8
typedef struct racer {
  pthread_barrier_t *go;
  int status;
  char location[128];
  int replayed;
} racer;

static void *race(void *arg) {
  racer *r = arg;
  api_app *a = db_app("t_race", NULL); /* its own session, as separate Lambda instances */
  char *ev = NULL;
  const char *h[] = {JSON_CT, "Idempotency-Key: same-key", NULL};
  ev = at_event(AT_V2, "POST", "/orders", NULL, h, ORDER_1, 0);
  pthread_barrier_wait(r->go);
  at_response resp = at_invoke(a, ev);
  r->status = resp.status;
  const char *loc = at_header(&resp, "Location");
  snprintf(r->location, sizeof r->location, "%s", loc ? loc : "");
  r->replayed = at_header(&resp, "Idempotent-Replayed") != NULL;
  at_response_free(&resp);
  free(ev);
  api_app_free(a);
  return NULL;
}

START_TEST(concurrent_same_key_one_order) {
  fresh("t_race");
  pthread_t t[RACERS];
  racer r[RACERS];
  pthread_barrier_t go;
  pthread_barrier_init(&go, NULL, RACERS);
  for (int i = 0; i < RACERS; i++) {
    r[i] = (racer){.go = &go};
    ck_assert_int_eq(pthread_create(&t[i], NULL, race, &r[i]), 0);
  }
  int fresh_answers = 0;
  for (int i = 0; i < RACERS; i++) {
    pthread_join(t[i], NULL);
    ck_assert_int_eq(r[i].status, 201);
    ck_assert_str_eq(r[i].location, r[0].location);
    fresh_answers += !r[i].replayed;
  }
  pthread_barrier_destroy(&go);
  ck_assert_int_eq(fresh_answers, 1);
  ck_assert_int_eq(it_count("t_race", "SELECT count(*) FROM orders"), 1);
  ck_assert_int_eq(it_count("t_race", "SELECT count(*) FROM outbox"), 1);
  ck_assert_int_eq(it_count("t_race", "SELECT count(*) FROM idempotency_keys"), 1);
}
END_TEST

static char *list_page(api_app *a, const char *query, int *n, int expect_status) {
  at_response r = at_call(a, AT_V1, "GET", "/orders", query, NULL, NULL);
  ck_assert_msg(r.status == expect_status, "%s: %d %s", query, r.status, r.raw_body);
  char *next = NULL;
  *n = cJSON_GetArraySize(cJSON_GetObjectItem(r.body, "items"));
  const char *c = at_body_str(&r, "next_cursor");
  if (c) next = strdup(c);
  at_response_free(&r);
  return next;
}

START_TEST(list_pages_newest_first) {
  fresh("t_list");
  api_app *a = db_app("t_list", NULL);
  for (int i = 0; i < 5; i++) {
    at_response r = post_order(a, NULL, "{\"customer_id\":\"c-list\",\"items\":[{\"sku\":\"SKU-2\",\"quantity\":1}]}");
    ck_assert_int_eq(r.status, 201);
    at_response_free(&r);
  }
  at_response other = post_order(a, NULL, ORDER_1);
  at_response_free(&other);
  /* equal created_at for two orders: the id breaks the tie */
  it_sql("t_list", "ALTER TABLE orders DISABLE TRIGGER orders_guard_update;"
                   "UPDATE orders SET created_at = now() - interval '1 day', updated_at = now() - interval '1 day' "
                   "WHERE id IN (SELECT id FROM orders WHERE customer_id = 'c-list' LIMIT 2);"
                   "ALTER TABLE orders ENABLE TRIGGER orders_guard_update");
  int total = 0, n = 0, pages = 0;
  char q[256];
  char *cur = list_page(a, "customer_id=c-list&limit=2", &n, 200);
  for (total = n, pages = 1; cur && pages < 10; pages++) {
    snprintf(q, sizeof q, "customer_id=c-list&limit=2&cursor=%s", cur);
    free(cur);
    cur = list_page(a, q, &n, 200);
    total += n;
  }
  ck_assert_int_eq(total, 5);
  ck_assert_int_eq(pages, 3);
  free(cur);
  cur = list_page(a, "limit=100", &n, 200);
  ck_assert_int_eq(n, 6);
  ck_assert_ptr_null(cur);
  /* a cursor made for one customer is refused for another */
  cur = list_page(a, "customer_id=c-list&limit=1", &n, 200);
  snprintf(q, sizeof q, "customer_id=c-1&limit=1&cursor=%s", cur);
  free(cur);
  free(list_page(a, q, &n, 400));
  free(list_page(a, "cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &n, 400));
  free(list_page(a, "status=CANCELLED", &n, 200));
  ck_assert_int_eq(n, 0);
  free(list_page(a, "status=PENDING&customer_id=c-1", &n, 200));
  ck_assert_int_eq(n, 1);
  api_app_free(a);
}
END_TEST

static at_response cancel(api_app *a, const char *id) {
  char path[128];
  snprintf(path, sizeof path, "/orders/%s/cancel", id);
  return at_call(a, AT_V2, "POST", path, NULL, NULL, NULL);
}

START_TEST(cancel_transitions_and_stock) {
  fresh("t_cancel");
  api_app *a = db_app("t_cancel", NULL);
  at_response r = post_order(a, NULL, ORDER_1);
  char id[64];
  snprintf(id, sizeof id, "%s", at_body_str(&r, "id"));
  at_response_free(&r);
  r = cancel(a, id);
  ck_assert_msg(r.status == 200, "%d %s", r.status, r.raw_body);
  ck_assert_str_eq(at_body_str(&r, "status"), "CANCELLED");
  at_response_free(&r);
  r = cancel(a, id);
  ck_assert_int_eq(r.status, 409);
  at_response_free(&r);
  ck_assert_int_eq(it_count("t_cancel", "SELECT available FROM inventory WHERE sku = 'SKU-1'"), 1000);
  /* a CONFIRMED order: the worker reserved its stock; cancelling gives it back */
  r = post_order(a, NULL, ORDER_1);
  snprintf(id, sizeof id, "%s", at_body_str(&r, "id"));
  at_response_free(&r);
  char sql[256];
  snprintf(sql, sizeof sql, "UPDATE orders SET status = 'CONFIRMED' WHERE id = '%s';"
                            "UPDATE inventory SET available = available - 2 WHERE sku = 'SKU-1';"
                            "UPDATE inventory SET available = available - 1 WHERE sku = 'SKU-4'", id);
  it_sql("t_cancel", sql);
  r = cancel(a, id);
  ck_assert_int_eq(r.status, 200);
  at_response_free(&r);
  ck_assert_int_eq(it_count("t_cancel", "SELECT available FROM inventory WHERE sku = 'SKU-1'"), 1000);
  ck_assert_int_eq(it_count("t_cancel", "SELECT available FROM inventory WHERE sku = 'SKU-4'"), 1000);
  /* REJECTED is final */
  r = post_order(a, NULL, ORDER_1);
  snprintf(id, sizeof id, "%s", at_body_str(&r, "id"));
  at_response_free(&r);
  snprintf(sql, sizeof sql, "UPDATE orders SET status = 'REJECTED', reject_reason = 'no stock' WHERE id = '%s'", id);
  it_sql("t_cancel", sql);
  r = cancel(a, id);
  ck_assert_int_eq(r.status, 409);
  at_response_free(&r);
  r = cancel(a, "00000000-0000-4000-8000-000000000000");
  ck_assert_int_eq(r.status, 404);
  at_response_free(&r);
  api_app_free(a);
}
END_TEST

typedef struct cancel_job {
  api_app *a;
  const char *id;
  int status;
} cancel_job;

static void *cancel_thread(void *arg) {
  cancel_job *j = arg;
  at_response r = cancel(j->a, j->id);
  j->status = r.status;
  at_response_free(&r);
  return NULL;
}

/* The worker confirms (and reserves stock) while a cancel waits on the row:
 * the cancel must see CONFIRMED once the worker commits, and give the stock back. */
START_TEST(cancel_racing_confirmation) {
  fresh("t_race_cancel");
  api_app *a = db_app("t_race_cancel", NULL);
  at_response r = post_order(a, NULL, ORDER_1);
  char id[64], sql[512], err[TPG_ERR_LEN] = "";
  snprintf(id, sizeof id, "%s", at_body_str(&r, "id"));
  at_response_free(&r);
  PGconn *worker = tpg_connect(it_server(), "t_race_cancel", err);
  ck_assert_msg(worker != NULL, "%s", err);
  snprintf(sql, sizeof sql, "BEGIN; UPDATE orders SET status = 'CONFIRMED' WHERE id = '%s';"
                            "UPDATE inventory SET available = available - 2 WHERE sku = 'SKU-1';"
                            "UPDATE inventory SET available = available - 1 WHERE sku = 'SKU-4'", id);
  PGresult *res = PQexec(worker, sql);
  ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
  PQclear(res);
  cancel_job job = {.a = a, .id = id};
  pthread_t t;
  ck_assert_int_eq(pthread_create(&t, NULL, cancel_thread, &job), 0);
  /* the cancel is now blocked on the order's row lock */
  for (int i = 0; i < 100 && it_count("t_race_cancel",
       "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") == 0; i++)
    usleep(20000);
  ck_assert_int_eq(it_count("t_race_cancel",
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"), 1);
  res = PQexec(worker, "COMMIT");
  ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
  PQclear(res);
  PQfinish(worker);
  pthread_join(t, NULL);
  ck_assert_int_eq(job.status, 200);
  ck_assert_int_eq(it_count("t_race_cancel", "SELECT available FROM inventory WHERE sku = 'SKU-1'"), 1000);
  ck_assert_int_eq(it_count("t_race_cancel", "SELECT available FROM inventory WHERE sku = 'SKU-4'"), 1000);
  ck_assert_int_eq(it_count("t_race_cancel", "SELECT count(*) FROM orders WHERE status = 'CANCELLED'"), 1);
  api_app_free(a);
}
END_TEST

/* The plan of a list page: EXPLAIN of the very statement, with its parameters. */
static char *list_plan(PGconn *c, const char *customer, const char *after_us, const char *after_id) {
  char sql[8192];
  snprintf(sql, sizeof sql, "EXPLAIN %s", ORDER_SQL_LIST);
  const char *params[] = {customer, NULL, after_us, after_id, "21"};
  PGresult *res = PQexecParams(c, sql, 5, NULL, params, NULL, NULL, 0);
  ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
  lr_buf b;
  lr_buf_init(&b, 1 << 20);
  for (int i = 0; i < PQntuples(res); i++) lr_buf_addf(&b, "%s\n", PQgetvalue(res, i, 0));
  PQclear(res);
  return lr_buf_take(&b, NULL);
}

/* The keyset cursor (created_at in epoch microseconds, id) of the n-th newest
 * order of customer (NULL: of everyone). */
typedef struct page_cursor {
  char us[32];
  char id[40];
} page_cursor;

static page_cursor cursor_at(PGconn *c, const char *customer, int n) {
  char offset[16];
  snprintf(offset, sizeof offset, "%d", n);
  const char *params[] = {customer, offset};
  PGresult *res = PQexecParams(c,
      "SELECT (extract(epoch FROM created_at) * 1000000)::bigint, id FROM orders"
      " WHERE $1::text IS NULL OR customer_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2::int LIMIT 1",
      2, NULL, params, NULL, NULL, 0);
  ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1, "%s", PQerrorMessage(c));
  page_cursor cur;
  snprintf(cur.us, sizeof cur.us, "%s", PQgetvalue(res, 0, 0));
  snprintf(cur.id, sizeof cur.id, "%s", PQgetvalue(res, 0, 1));
  PQclear(res);
  return cur;
}

/* How many rows the list statement itself returns after a cursor, at most 20. */
static int list_rows(PGconn *c, const char *customer, const char *after_us, const char *after_id) {
  const char *params[] = {customer, NULL, after_us, after_id, "20"};
  PGresult *res = PQexecParams(c, ORDER_SQL_LIST, 5, NULL, params, NULL, NULL, 0);
  ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
  int n = PQntuples(res);
  PQclear(res);
  return n;
}

/* Keyset pages must come from the indexes, in order, without sorting the
 * customer's (or everyone's) orders: a regression here is invisible in small
 * tests and slow in production. */
START_TEST(list_pages_use_the_indexes) {
  char err[TPG_ERR_LEN] = "";
  fresh("t_plan");
  it_sql("t_plan", "BEGIN;"
                   "WITH o AS (INSERT INTO orders (customer_id, currency, total_cents, created_at, updated_at)"
                   " SELECT 'c-' || (g % 200), 'EUR', 2499, now() - g * interval '1 second',"
                   " now() - g * interval '1 second' FROM generate_series(1, 20000) g RETURNING id)"
                   " INSERT INTO order_items SELECT id, 1, 'SKU-1', 1, 2499 FROM o;"
                   "COMMIT; ANALYZE orders; ANALYZE order_items");
  PGconn *c = tpg_connect(it_server(), "t_plan", err);
  ck_assert_msg(c != NULL, "%s", err);
  /* Cursors come from the rows just made (half-way down each listing), never
   * from a fixed instant: the rows are stamped with today's clock. */
  page_cursor cust = cursor_at(c, "c-7", 50), all = cursor_at(c, NULL, 10000);
  char *plans[] = {list_plan(c, "c-7", NULL, NULL), list_plan(c, "c-7", cust.us, cust.id),
                   list_plan(c, NULL, NULL, NULL), list_plan(c, NULL, all.us, all.id)};
  const char *index[] = {"orders_customer_created_idx", "orders_customer_created_idx",
                         "orders_created_idx", "orders_created_idx"};
  for (int i = 0; i < 4; i++) {
    ck_assert_msg(strstr(plans[i], index[i]) != NULL, "plan %d does not use %s:\n%s", i, index[i], plans[i]);
    ck_assert_msg(strstr(plans[i], "Sort") == NULL, "plan %d sorts:\n%s", i, plans[i]);
    free(plans[i]);
  }
  /* and each page after a cursor is a full page of the rows that follow it */
  ck_assert_int_eq(list_rows(c, "c-7", cust.us, cust.id), 20);
  ck_assert_int_eq(list_rows(c, NULL, all.us, all.id), 20);
  PQfinish(c);
}
END_TEST

START_TEST(database_down_is_503) {
  char err[TPG_ERR_LEN] = "";
  fresh("t_down");
  api_app *a = db_app("t_down", NULL);
  at_response r = at_call(a, AT_V2, "GET", "/health/ready", NULL, NULL, NULL);
  ck_assert_int_eq(r.status, 200);
  at_response_free(&r);
  ck_assert_msg(tpg_server_down(it_server(), err) == 0, "%s", err);
  r = at_call(a, AT_V2, "GET", "/health/ready", NULL, NULL, NULL);
  ck_assert_int_eq(r.status, 503);
  ck_assert_ptr_nonnull(at_header(&r, "Retry-After"));
  at_response_free(&r);
  r = post_order(a, "k-down", ORDER_1);
  ck_assert_int_eq(r.status, 503);
  ck_assert_str_eq(at_header(&r, "Content-Type"), "application/problem+json");
  at_response_free(&r);
  r = at_call(a, AT_V1, "GET", "/orders", "customer_id=c-1", NULL, NULL);
  ck_assert_int_eq(r.status, 503);
  at_response_free(&r);
  r = at_call(a, AT_V1, "POST", "/orders/00000000-0000-4000-8000-000000000000/cancel", NULL, NULL, NULL);
  ck_assert_int_eq(r.status, 503);
  ck_assert_ptr_nonnull(at_header(&r, "Retry-After"));
  at_response_free(&r);
  r = at_call(a, AT_V2, "GET", "/health", NULL, NULL, NULL);
  ck_assert_int_eq(r.status, 200);
  at_response_free(&r);
  ck_assert_msg(tpg_server_up(it_server(), err) == 0, "%s", err);
  r = post_order(a, "k-down", ORDER_1);
  ck_assert_int_eq(r.status, 201);
  at_response_free(&r);
  api_app_free(a);
}
END_TEST

/* A fresh database and the app on it, its queue at a closed port: every
 * SendMessage fails at once. */
static api_app *app_queue_down(const char *db) {
  fresh(db);
  char url[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/000000000000/orders", at_closed_port());
  setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
  const char *extra[] = {"ORDERS_QUEUE_URL", url, "AWS_REGION", "eu-west-1", "AWS_ENDPOINT_URL_SQS", url, NULL};
  return db_app(db, extra);
}

START_TEST(queue_unreachable_keeps_outbox) {
  api_app *a = app_queue_down("t_queue");
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  lr_logger lg;
  lr_logger_init(&lg, out, "orders", "api");
  const char *h[] = {JSON_CT, NULL};
  char *ev = at_event(AT_V2, "POST", "/orders", NULL, h, ORDER_1, 0);
  at_response r = at_invoke_log(a, ev, &lg);
  free(ev);
  fclose(out);
  ck_assert_int_eq(r.status, 201);
  at_response_free(&r);
  ck_assert_msg(strstr(text, "\"OutboxSendFailures\":1") != NULL, "%s", text);
  ck_assert_msg(strstr(text, "\"OrdersCreated\":1") != NULL, "%s", text);
  ck_assert_ptr_nonnull(strstr(text, "order message not sent"));
  free(text);
  ck_assert_int_eq(it_count("t_queue", "SELECT count(*) FROM outbox WHERE published_at IS NULL"), 1);
  ck_assert_int_eq(it_count("t_queue", "SELECT attempts FROM outbox"), 1);
  api_app_free(a);
}
END_TEST

/* The message goes out only after the answer: api_invoke leaves it for
 * api_after_response, which the runtime calls once the response is posted;
 * a second call has nothing left to do. */
START_TEST(message_waits_for_the_response) {
  api_app *a = app_queue_down("t_after");
  const char *h[] = {JSON_CT, NULL};
  char *ev = at_event(AT_V2, "POST", "/orders", NULL, h, ORDER_1, 0);
  lr_buf out;
  lr_buf_init(&out, 1u << 20);
  lr_fault fault = {{0}, {0}};
  lr_context ctx = {.request_id = "r-after", .trace_id = "", .invoked_function_arn = "",
                    .client_context = "", .cognito_identity = "", .function_name = "api"};
  ck_assert_int_eq(api_invoke(a, &ctx, ev, strlen(ev), &out, &fault), LR_HANDLER_OK);
  ck_assert_ptr_nonnull(strstr(lr_buf_str(&out), "\"statusCode\":201"));
  ck_assert_int_eq(it_count("t_after", "SELECT attempts FROM outbox"), 0); /* not tried yet */
  api_after_response(a, &ctx);
  ck_assert_int_eq(it_count("t_after", "SELECT attempts FROM outbox"), 1); /* tried, failed */
  api_after_response(a, &ctx);
  ck_assert_int_eq(it_count("t_after", "SELECT attempts FROM outbox WHERE published_at IS NULL"), 1);
  lr_buf_free(&out);
  free(ev);
  api_app_free(a);
}
END_TEST

/* The request's trace header rides in the outbox row the create writes
 * (0007), for the relay's AWSTraceHeader; one the column would refuse is left
 * out rather than failing the create. The previous release's six-parameter
 * order_create still works and stores none. */
START_TEST(create_keeps_the_trace_header) {
  api_app *a = app_queue_down("t_trace");
  const char *h[] = {JSON_CT, NULL};
  char long_trace[1100];
  memset(long_trace, 'a', sizeof long_trace - 1);
  long_trace[sizeof long_trace - 1] = '\0';
  const char *traces[] = {"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
                          "Root=1-\x01", long_trace, ""};
  for (size_t i = 0; i < 4; i++) {
    char *ev = at_event(AT_V2, "POST", "/orders", NULL, h, ORDER_1, 0);
    lr_buf out;
    lr_buf_init(&out, 1u << 20);
    lr_fault fault = {{0}, {0}};
    lr_context ctx = {.request_id = "r-trace", .trace_id = traces[i], .invoked_function_arn = "",
                      .client_context = "", .cognito_identity = "", .function_name = "api"};
    ck_assert_int_eq(api_invoke(a, &ctx, ev, strlen(ev), &out, &fault), LR_HANDLER_OK);
    ck_assert_ptr_nonnull(strstr(lr_buf_str(&out), "\"statusCode\":201"));
    lr_buf_free(&out);
    free(ev);
  }
  ck_assert_int_eq(it_count("t_trace", "SELECT count(*) FROM outbox WHERE trace_header ="
                                       " 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'"), 1);
  ck_assert_int_eq(it_count("t_trace", "SELECT count(*) FROM outbox WHERE trace_header IS NULL"), 3);
  it_sql("t_trace", "SELECT * FROM order_create('c-old', NULL, NULL, '[{\"sku\":\"SKU-1\",\"quantity\":1}]', 24, NULL)");
  ck_assert_int_eq(it_count("t_trace", "SELECT count(*) FROM outbox x JOIN orders o ON o.id = x.order_id"
                                       " WHERE o.customer_id = 'c-old' AND x.trace_header IS NULL"), 1);
  api_app_free(a);
}
END_TEST

/* A one-request SQS stand-in: keeps what it was sent, answers with a MessageId. */
typedef struct mock_sqs {
  int fd;
  int port;
  char request[16384];
  size_t len;
} mock_sqs;

static void *mock_sqs_serve(void *arg) {
  mock_sqs *m = arg;
  struct pollfd pfd = {.fd = m->fd, .events = POLLIN};
  if (poll(&pfd, 1, 20000) != 1) return NULL; /* never reached: the test fails on what was not sent */
  int c = accept(m->fd, NULL, NULL);
  if (c < 0) return NULL;
  size_t want = 0;
  for (ssize_t n; m->len < sizeof m->request - 1 &&
                  (n = read(c, m->request + m->len, sizeof m->request - 1 - m->len)) > 0;) {
    m->len += (size_t)n;
    m->request[m->len] = '\0';
    char *end = strstr(m->request, "\r\n\r\n");
    char *cl = strcasestr(m->request, "content-length:");
    if (end && cl && !want) want = (size_t)(end + 4 - m->request) + strtoul(cl + 15, NULL, 10);
    if (want && m->len >= want) break;
  }
  static const char answer[] = "{\"MessageId\":\"5fea7756-0ea4-451a-a703-a558b933e274\"}";
  char head[256];
  int hl = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n"
                    "Content-Length: %zu\r\nConnection: close\r\n\r\n", sizeof answer - 1);
  ck_assert_int_eq(write(c, head, (size_t)hl), hl);
  ck_assert_int_eq(write(c, answer, sizeof answer - 1), (ssize_t)(sizeof answer - 1));
  close(c);
  return NULL;
}

START_TEST(queue_message_sent_after_commit) {
  fresh("t_sent");
  mock_sqs m = {.fd = socket(AF_INET, SOCK_STREAM, 0)};
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t sl = sizeof sa;
  ck_assert_int_eq(bind(m.fd, (struct sockaddr *)&sa, sizeof sa), 0);
  ck_assert_int_eq(listen(m.fd, 4), 0);
  ck_assert_int_eq(getsockname(m.fd, (struct sockaddr *)&sa, &sl), 0);
  char url[128], endpoint[64];
  snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", ntohs(sa.sin_port));
  snprintf(url, sizeof url, "%s/000000000000/orders", endpoint);
  setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
  const char *extra[] = {"ORDERS_QUEUE_URL", url, "AWS_REGION", "eu-west-1",
                         "AWS_ENDPOINT_URL_SQS", endpoint, NULL};
  api_app *a = db_app("t_sent", extra);
  pthread_t t;
  ck_assert_int_eq(pthread_create(&t, NULL, mock_sqs_serve, &m), 0);
  lr_logger lg;
  lr_logger_init(&lg, stderr, "orders", "api");
  const char *h[] = {JSON_CT, NULL};
  char *ev = at_event(AT_V2, "POST", "/orders", NULL, h, ORDER_1, 0);
  at_response r = at_invoke_log(a, ev, &lg);
  free(ev);
  pthread_join(t, NULL);
  close(m.fd);
  ck_assert_int_eq(r.status, 201);
  const char *id = at_body_str(&r, "id");
  ck_assert_ptr_nonnull(strstr(m.request, "X-Amz-Target: AmazonSQS.SendMessage"));
  char *body = strstr(m.request, "\r\n\r\n");
  ck_assert_ptr_nonnull(body);
  cJSON *sent = cJSON_Parse(body + 4);
  ck_assert_ptr_nonnull(sent);
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(sent, "QueueUrl")), url);
  cJSON *msg = cJSON_Parse(cJSON_GetStringValue(cJSON_GetObjectItem(sent, "MessageBody")));
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(msg, "type")), "order.created");
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(msg, "order_id")), id);
  ck_assert_int_eq(strlen(cJSON_GetStringValue(cJSON_GetObjectItem(msg, "occurred_at"))), 27);
  const cJSON *th = cJSON_GetObjectItem(cJSON_GetObjectItem(sent, "MessageSystemAttributes"), "AWSTraceHeader");
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(th, "StringValue")),
                   "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
  cJSON_Delete(msg);
  cJSON_Delete(sent);
  /* sent, but marked only by the next create: one round trip per create */
  ck_assert_int_eq(it_count("t_sent", "SELECT count(*) FROM outbox WHERE published_at IS NULL AND attempts = 0"), 1);
  at_response_free(&r);
  /* the next create (its own send fails: the stand-in is gone) marks the first row */
  r = post_order(a, NULL, ORDER_1);
  ck_assert_int_eq(r.status, 201);
  ck_assert_int_eq(it_count("t_sent", "SELECT count(*) FROM outbox o JOIN orders d ON d.id = o.order_id"
                                      " WHERE o.published_at >= d.created_at AND o.attempts = 1"), 1);
  ck_assert_int_eq(it_count("t_sent", "SELECT count(*) FROM outbox WHERE published_at IS NULL AND attempts = 1"), 1);
  at_response_free(&r);
  api_app_free(a);
}
END_TEST

#define ROW_A "a0000000-0000-4000-8000-00000000000a"
#define ROW_B "b0000000-0000-4000-8000-00000000000b"

static db_status create_with_marks(api_app *a, int ttl_hours, outbox_marks *m, order_create_result *res) {
  order_request req = {.customer_id = "c-marks", .items = {{.sku = "SKU-2", .quantity = 1}}, .nitems = 1};
  order_create_args args = {.req = &req, .idempotency_key = "k-marks", .idempotency_ttl_hours = ttl_hours,
                            .published = m};
  char err[DB_ERR_LEN] = "";
  order_create_result_init(res);
  db_status st = order_create(api_app_db(a), &args, res, err);
  order_create_result_free(res);
  return st;
}

/* The marks ride on the next create statement, whatever its outcome, touch
 * only unpublished rows, and stay for the next statement when it fails. */
START_TEST(outbox_marks_ride_on_the_next_create) {
  fresh("t_marks");
  api_app *a = db_app("t_marks", NULL);
  at_response r = post_order(a, NULL, ORDER_1);
  ck_assert_int_eq(r.status, 201);
  at_response_free(&r);
  it_sql("t_marks", "UPDATE outbox SET id = '" ROW_A "'");
  outbox_marks m = {0};
  ck_assert(!outbox_marks_add(&m, "not-a-uuid"));
  ck_assert(outbox_marks_add(&m, ROW_A));
  ck_assert(outbox_marks_add(&m, "00000000-0000-4000-8000-000000000000")); /* no such row */
  order_create_result res;
  /* a statement that fails (the key's expiry is out of range) marks nothing and keeps the list */
  ck_assert_int_ne(create_with_marks(a, -2147483647, &m, &res), DB_OK);
  ck_assert_int_eq(m.n, 2);
  ck_assert_int_eq(it_count("t_marks", "SELECT count(*) FROM outbox WHERE published_at IS NULL"), 1);
  ck_assert_int_eq(create_with_marks(a, 24, &m, &res), DB_OK);
  ck_assert_int_eq(res.outcome, ORDER_CREATED);
  ck_assert_int_eq(res.marked, 1);
  ck_assert_int_eq(m.n, 0);
  ck_assert_int_eq(it_count("t_marks", "SELECT count(*) FROM outbox WHERE id = '" ROW_A "'"
                                       " AND published_at IS NOT NULL AND attempts = 1"), 1);
  /* a replay marks too; an already published row is left as it is */
  it_sql("t_marks", "UPDATE outbox SET id = '" ROW_B "' WHERE id <> '" ROW_A "'");
  ck_assert(outbox_marks_add(&m, ROW_A));
  ck_assert(outbox_marks_add(&m, ROW_B));
  ck_assert_int_eq(create_with_marks(a, 24, &m, &res), DB_OK);
  ck_assert_int_eq(res.outcome, ORDER_REPLAYED);
  ck_assert_int_eq(res.marked, 1);
  ck_assert_int_eq(it_count("t_marks", "SELECT sum(attempts) FROM outbox"), 2);
  ck_assert_int_eq(it_count("t_marks", "SELECT count(*) FROM outbox WHERE published_at IS NULL"), 0);
  /* the list is bounded: the caller marks a row itself when it is full */
  for (int i = 0; i < OUTBOX_MARKS_MAX; i++) ck_assert(outbox_marks_add(&m, ROW_A));
  ck_assert(!outbox_marks_add(&m, ROW_B));
  api_app_free(a);
}
END_TEST

/* A row to mark that the worker holds (its decision marks the row published
 * in its batch transaction) is skipped, not waited for (migration 0009): before,
 * the create waited for the worker's batch, here until its deadline. */
START_TEST(outbox_marks_skip_a_row_the_worker_holds) {
  fresh("t_marks_held");
  api_app *a = db_app("t_marks_held", NULL);
  for (int i = 0; i < 2; i++) {
    at_response r = post_order(a, NULL, ORDER_1);
    ck_assert_int_eq(r.status, 201);
    at_response_free(&r);
    it_sql("t_marks_held", i == 0 ? "UPDATE outbox SET id = '" ROW_A "'"
                                  : "UPDATE outbox SET id = '" ROW_B "' WHERE id <> '" ROW_A "'");
  }
  char err[TPG_ERR_LEN] = "";
  PGconn *worker = tpg_connect(it_server(), "t_marks_held", err);
  ck_assert_msg(worker, "%s", err);
  PGresult *held = PQexec(worker, "BEGIN; UPDATE outbox SET published_at = coalesce(published_at,"
                                  " greatest(now(), created_at)) WHERE id = '" ROW_A "'");
  ck_assert_int_eq(PQresultStatus(held), PGRES_COMMAND_OK);
  PQclear(held);
  outbox_marks m = {0};
  ck_assert(outbox_marks_add(&m, ROW_A));
  ck_assert(outbox_marks_add(&m, ROW_B));
  order_create_result res;
  db_session_set_deadline(api_app_db(a), lr_clock_epoch_ms() + 4000);
  int64_t t0 = lr_clock_mono_ms();
  db_status st = create_with_marks(a, 24, &m, &res);
  int64_t took = lr_clock_mono_ms() - t0;
  db_session_set_deadline(api_app_db(a), 0);
  ck_assert_int_eq(st, DB_OK);
  ck_assert_msg(took < 2000, "the create waited %lld ms for the worker", (long long)took);
  ck_assert_int_eq(res.marked, 1);
  ck_assert_int_eq(it_count("t_marks_held", "SELECT count(*) FROM outbox WHERE id = '" ROW_B "'"
                                            " AND published_at IS NOT NULL"), 1);
  PQclear(PQexec(worker, "COMMIT"));
  PQfinish(worker);
  ck_assert_int_eq(it_count("t_marks_held", "SELECT count(*) FROM outbox WHERE id IN ('" ROW_A "', '" ROW_B "')"
                                            " AND published_at IS NULL"), 0);
  api_app_free(a);
}
END_TEST

int main(void) {
  Suite *s = suite_create("integration.api");
  TCase *tc = tcase_create("db");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, create_then_get);
  tcase_add_test(tc, catalog_refusals_write_nothing);
  tcase_add_test(tc, idempotent_replay_and_reuse);
  tcase_add_test(tc, concurrent_same_key_one_order);
  tcase_add_test(tc, list_pages_newest_first);
  tcase_add_test(tc, list_pages_use_the_indexes);
  tcase_add_test(tc, cancel_transitions_and_stock);
  tcase_add_test(tc, cancel_racing_confirmation);
  tcase_add_test(tc, queue_unreachable_keeps_outbox);
  tcase_add_test(tc, message_waits_for_the_response);
  tcase_add_test(tc, create_keeps_the_trace_header);
  tcase_add_test(tc, queue_message_sent_after_commit);
  tcase_add_test(tc, outbox_marks_skip_a_row_the_worker_holds);
  tcase_add_test(tc, outbox_marks_ride_on_the_next_create);
  tcase_add_test(tc, database_down_is_503);
  suite_add_tcase(s, tc);
  return it_main(s, NULL);
}
