/* The worker against a real PostgreSQL: confirm, reject for each reason,
 * idempotent redelivery, one message in two workers at once, two orders
 * racing for the last unit, stock totals after many random orders and
 * cancels, the SQL budget, a lock held past the deadline, and the database
 * going down. Orders are created through order_create (migration 0003), the
 * api's own create. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"
#include "lr/clock.h"
#include "order_sql.h"
#include "wk_test.h"

static void fresh(const char *db) {
  char err[TPG_ERR_LEN] = "";
  it_fresh_db(db);
  it_migrate(db);
  ck_assert_msg(tpg_apply_seed(it_server(), db, err) == 0, "%s", err);
}

static wk_app *app(const char *db) { return wt_app_db(it_server()->port, db); }

/* items: the api's validated JSON lines; out: the new order's id. */
static void create(db_session *s, const char *items, char *out) {
  const char *p[] = {"c-1", items};
  PGresult *res = NULL;
  char err[DB_ERR_LEN] = "";
  db_status st = db_exec(s, DB_NOT_IDEMPOTENT,
                         "SELECT r_outcome, r_order_id FROM order_create($1, NULL, NULL, $2::jsonb, 24, NULL)",
                         2, p, &res, err);
  ck_assert_msg(st == DB_OK, "%s", err);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), "created");
  snprintf(out, WK_ORDER_ID_LEN, "%s", PQgetvalue(res, 0, 1));
  PQclear(res);
}

static void cancel(db_session *s, const char *id) {
  const char *p[] = {id};
  PGresult *res = NULL;
  char err[DB_ERR_LEN] = "";
  ck_assert_msg(db_exec(s, DB_NOT_IDEMPOTENT, ORDER_SQL_CANCEL, 1, p, &res, err) == DB_OK, "%s", err);
  PQclear(res);
}

/* An event of n messages "<prefix>-<i>" for the orders. */
static char *event_for(const char *prefix, int n, char ids[][WK_ORDER_ID_LEN]) {
  char (*mids)[32] = calloc((size_t)n, sizeof *mids);
  char (*bodies)[200] = calloc((size_t)n, sizeof *bodies);
  const char **pi = calloc((size_t)n, sizeof *pi), **pb = calloc((size_t)n, sizeof *pb);
  for (int i = 0; i < n; i++) {
    snprintf(mids[i], sizeof mids[i], "%s-%d", prefix, i);
    wt_body(bodies[i], sizeof bodies[i], ids[i]);
    pi[i] = mids[i];
    pb[i] = bodies[i];
  }
  char *ev = wt_event(n, pi, pb);
  free(mids);
  free(bodies);
  free(pi);
  free(pb);
  return ev;
}

static char *decide(wk_app *a, const char *prefix, int n, char ids[][WK_ORDER_ID_LEN]) {
  char *ev = event_for(prefix, n, ids);
  char *ans = wt_invoke(a, ev, lr_clock_epoch_ms() + 60000);
  free(ev);
  return ans;
}

/* it_count of before || id || after */
static long q(const char *db, const char *before, const char *id, const char *after) {
  char sql[512];
  snprintf(sql, sizeof sql, "%s%s%s", before, id, after);
  return it_count(db, sql);
}

START_TEST(confirm_reserves_and_marks_the_outbox) {
  fresh("w_confirm");
  db_session *s = it_session("w_confirm", NULL);
  char id[1][WK_ORDER_ID_LEN];
  create(s, "[{\"sku\":\"SKU-1\",\"quantity\":2},{\"sku\":\"SKU-4\",\"quantity\":1}]", id[0]);
  wk_app *a = app("w_confirm");
  char *ans = decide(a, "m", 1, id);
  ck_assert_str_eq(ans, "{\"batchItemFailures\":[]}");
  ck_assert_int_eq(q("w_confirm", "SELECT count(*) FROM orders WHERE id = '", id[0], "' AND status = 'CONFIRMED'"), 1);
  ck_assert_int_eq(it_count("w_confirm", "SELECT available FROM inventory WHERE sku = 'SKU-1'"), 998);
  ck_assert_int_eq(it_count("w_confirm", "SELECT available FROM inventory WHERE sku = 'SKU-4'"), 999);
  ck_assert_int_eq(it_count("w_confirm", "SELECT count(*) FROM outbox WHERE published_at IS NULL"), 0);
  ck_assert_int_eq(it_count("w_confirm", "SELECT count(*) FROM outbox WHERE attempts = 0"), 1);
  free(ans);
  wk_app_free(a);
  db_session_free(s);
}
END_TEST

START_TEST(reject_for_each_reason) {
  fresh("w_reject");
  it_sql("w_reject", "INSERT INTO products VALUES ('SKU-NOSTOCK','No stock row',100,'EUR',true,now()),"
                     "('SKU-OLD','Soon gone',100,'EUR',true,now());"
                     "INSERT INTO inventory VALUES ('SKU-OLD', 5)");
  db_session *s = it_session("w_reject", NULL);
  char ids[4][WK_ORDER_ID_LEN];
  create(s, "[{\"sku\":\"SKU-1\",\"quantity\":1},{\"sku\":\"SKU-OUT\",\"quantity\":1}]", ids[0]);
  create(s, "[{\"sku\":\"SKU-NOSTOCK\",\"quantity\":1}]", ids[1]);
  create(s, "[{\"sku\":\"SKU-OLD\",\"quantity\":1}]", ids[2]);
  create(s, "[{\"sku\":\"SKU-2\",\"quantity\":1000},{\"sku\":\"SKU-3\",\"quantity\":1000}]", ids[3]);
  it_sql("w_reject", "UPDATE products SET active = false WHERE sku = 'SKU-OLD';"
                     "UPDATE inventory SET available = 999 WHERE sku = 'SKU-3'");
  wk_app *a = app("w_reject");
  char *ans = decide(a, "m", 4, ids);
  ck_assert_str_eq(ans, "{\"batchItemFailures\":[]}");
  const char *reasons[] = {"out_of_stock:SKU-OUT", "unknown_product:SKU-NOSTOCK",
                           "inactive_product:SKU-OLD", "out_of_stock:SKU-3"};
  for (int i = 0; i < 4; i++) {
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM orders WHERE id = '%s' AND status = 'REJECTED'"
                              " AND reject_reason = '%s'", ids[i], reasons[i]);
    ck_assert_msg(it_count("w_reject", sql) == 1, "order %d: %s", i, reasons[i]);
  }
  /* all or nothing: the lines that had stock reserved nothing */
  ck_assert_int_eq(it_count("w_reject", "SELECT available FROM inventory WHERE sku = 'SKU-1'"), 1000);
  ck_assert_int_eq(it_count("w_reject", "SELECT available FROM inventory WHERE sku = 'SKU-2'"), 1000);
  ck_assert_int_eq(it_count("w_reject", "SELECT count(*) FROM outbox WHERE published_at IS NULL"), 0);
  free(ans);
  wk_app_free(a);
  db_session_free(s);
}
END_TEST

START_TEST(redelivery_reserves_once) {
  fresh("w_redeliver");
  db_session *s = it_session("w_redeliver", NULL);
  char id[2][WK_ORDER_ID_LEN];
  create(s, "[{\"sku\":\"SKU-2\",\"quantity\":3}]", id[0]);
  snprintf(id[1], sizeof id[1], "%s", id[0]); /* the same message twice in one batch, too */
  wk_app *a = app("w_redeliver");
  for (int round = 0; round < 3; round++) {
    char *ans = decide(a, "m", 2, id);
    ck_assert_str_eq(ans, "{\"batchItemFailures\":[]}");
    free(ans);
  }
  ck_assert_int_eq(it_count("w_redeliver", "SELECT available FROM inventory WHERE sku = 'SKU-2'"), 997);
  wk_app_free(a);
  db_session_free(s);
}
END_TEST

typedef struct racer {
  const char *db;
  char *event;
  pthread_barrier_t *go;
  char *answer;
} racer;

static void *race(void *arg) {
  racer *r = arg;
  wk_app *a = app(r->db);
  char err[DB_ERR_LEN] = "";
  ck_assert_int_eq(db_session_connect(a->app->db, err), DB_OK); /* connected before the start */
  pthread_barrier_wait(r->go);
  r->answer = wt_invoke(a, r->event, lr_clock_epoch_ms() + 60000);
  wk_app_free(a);
  return NULL;
}

static void run_two(const char *db, char *ev1, char *ev2) {
  pthread_barrier_t go;
  pthread_barrier_init(&go, NULL, 2);
  racer r[2] = {{db, ev1, &go, NULL}, {db, ev2, &go, NULL}};
  pthread_t t[2];
  for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, race, &r[i]);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  for (int i = 0; i < 2; i++) {
    ck_assert_str_eq(r[i].answer, "{\"batchItemFailures\":[]}");
    free(r[i].answer);
  }
  pthread_barrier_destroy(&go);
}

START_TEST(one_message_two_workers) {
  fresh("w_twice");
  db_session *s = it_session("w_twice", NULL);
  char ids[20][WK_ORDER_ID_LEN];
  for (int i = 0; i < 20; i++) create(s, "[{\"sku\":\"SKU-3\",\"quantity\":2},{\"sku\":\"SKU-1\",\"quantity\":1}]", ids[i]);
  for (int i = 0; i < 20; i++) {
    char *ev = event_for("same", 1, ids + i);
    run_two("w_twice", ev, ev);
    free(ev);
  }
  ck_assert_int_eq(it_count("w_twice", "SELECT count(*) FROM orders WHERE status = 'CONFIRMED'"), 20);
  ck_assert_int_eq(it_count("w_twice", "SELECT available FROM inventory WHERE sku = 'SKU-3'"), 1000 - 40);
  ck_assert_int_eq(it_count("w_twice", "SELECT available FROM inventory WHERE sku = 'SKU-1'"), 1000 - 20);
  db_session_free(s);
}
END_TEST

START_TEST(last_unit_goes_to_one_order) {
  fresh("w_last");
  db_session *s = it_session("w_last", NULL);
  for (int round = 0; round < 10; round++) {
    char ids[2][WK_ORDER_ID_LEN];
    it_sql("w_last", "UPDATE inventory SET available = 1 WHERE sku = 'SKU-5'");
    create(s, "[{\"sku\":\"SKU-5\",\"quantity\":1},{\"sku\":\"SKU-4\",\"quantity\":1}]", ids[0]);
    create(s, "[{\"sku\":\"SKU-1\",\"quantity\":1},{\"sku\":\"SKU-5\",\"quantity\":1}]", ids[1]);
    char *e1 = event_for("a", 1, ids + 0), *e2 = event_for("b", 1, ids + 1);
    run_two("w_last", e1, e2);
    free(e1);
    free(e2);
    char sql[400];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM orders WHERE id IN ('%s','%s') AND status = 'CONFIRMED'",
             ids[0], ids[1]);
    ck_assert_int_eq(it_count("w_last", sql), 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM orders WHERE id IN ('%s','%s') AND status = 'REJECTED'"
                              " AND reject_reason = 'out_of_stock:SKU-5'", ids[0], ids[1]);
    ck_assert_int_eq(it_count("w_last", sql), 1);
    ck_assert_int_eq(it_count("w_last", "SELECT available FROM inventory WHERE sku = 'SKU-5'"), 0);
  }
  db_session_free(s);
}
END_TEST

/* Batch A takes SKU-2 for its first message and SKU-1 for its second, batch B
 * the reverse: locking per message would deadlock them (one would answer
 * retry); the batch-wide locks in SKU order never do. */
START_TEST(crossed_batches_do_not_deadlock) {
  fresh("w_crossed");
  db_session *s = it_session("w_crossed", NULL);
  for (int round = 0; round < 30; round++) {
    char a[2][WK_ORDER_ID_LEN], b[2][WK_ORDER_ID_LEN];
    create(s, "[{\"sku\":\"SKU-2\",\"quantity\":1}]", a[0]);
    create(s, "[{\"sku\":\"SKU-1\",\"quantity\":1}]", a[1]);
    create(s, "[{\"sku\":\"SKU-1\",\"quantity\":1}]", b[0]);
    create(s, "[{\"sku\":\"SKU-2\",\"quantity\":1}]", b[1]);
    char *e1 = event_for("a", 2, a), *e2 = event_for("b", 2, b);
    run_two("w_crossed", e1, e2); /* both answers empty: no retry */
    free(e1);
    free(e2);
  }
  ck_assert_int_eq(it_count("w_crossed", "SELECT count(*) FROM orders WHERE status = 'CONFIRMED'"), 120);
  ck_assert_int_eq(it_count("w_crossed", "SELECT available FROM inventory WHERE sku = 'SKU-1'"), 940);
  db_session_free(s);
}
END_TEST

/* ---- stock totals under random orders, cancels and duplicate deliveries ---- */

typedef struct mix {
  const char *db;
  char (*ids)[WK_ORDER_ID_LEN];
  int n, worker;
} mix;

/* Worker w decides batches of 10 in its own order, and re-sends some. */
static void *mix_worker(void *arg) {
  mix *m = arg;
  wk_app *a = app(m->db);
  unsigned seed = 7u + (unsigned)m->worker;
  for (int start = 0; start < m->n; start += 10) {
    int from = m->worker ? m->n - 10 - start : start;
    if (from < 0) break;
    char *ans = decide(a, "mix", 10, m->ids + from);
    free(ans);
    if (rand_r(&seed) % 4 == 0) free(decide(a, "dup", 10, m->ids + from));
  }
  wk_app_free(a);
  return NULL;
}

static void *mix_cancels(void *arg) {
  mix *m = arg;
  db_session *s = it_session(m->db, NULL);
  unsigned seed = 99;
  for (int i = 0; i < m->n / 4; i++) cancel(s, m->ids[rand_r(&seed) % (unsigned)m->n]);
  db_session_free(s);
  return NULL;
}

static int scale(void) {
  const char *v = getenv("WK_TEST_SCALE"); /* valgrind runs fewer */
  int n = v ? atoi(v) : 1000;
  return n >= 10 ? n - n % 10 : 1000;
}

START_TEST(stock_totals_exact_after_random_orders_and_cancels) {
  fresh("w_totals");
  int n = scale();
  /* about 2.5 units of each SKU wanted per 5 orders: stock for 40 % of them */
  char stock[120];
  snprintf(stock, sizeof stock, "UPDATE inventory SET available = %d WHERE sku <> 'SKU-OUT'", n * 2 / 5);
  it_sql("w_totals", stock);
  db_session *s = it_session("w_totals", NULL);
  char (*ids)[WK_ORDER_ID_LEN] = calloc((size_t)n, sizeof *ids);
  unsigned seed = 1;
  for (int i = 0; i < n; i++) {
    char items[200];
    int a = 1 + (int)(rand_r(&seed) % 5), b = 1 + (int)(rand_r(&seed) % 5);
    if (a == b) b = a % 5 + 1;
    snprintf(items, sizeof items, "[{\"sku\":\"SKU-%d\",\"quantity\":%u},{\"sku\":\"SKU-%d\",\"quantity\":%u}]",
             a, 1 + rand_r(&seed) % 4, b, 1 + rand_r(&seed) % 4);
    create(s, items, ids[i]);
  }
  mix m[3] = {{"w_totals", ids, n, 0}, {"w_totals", ids, n, 1}, {"w_totals", ids, n, 2}};
  pthread_t t[3];
  pthread_create(&t[0], NULL, mix_worker, &m[0]);
  pthread_create(&t[1], NULL, mix_worker, &m[1]);
  pthread_create(&t[2], NULL, mix_cancels, &m[2]);
  for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
  /* initial stock = available + reserved by CONFIRMED orders, per SKU */
  char check[600];
  snprintf(check, sizeof check,
           "SELECT count(*) FROM inventory inv WHERE inv.sku <> 'SKU-OUT' AND inv.available + coalesce("
           " (SELECT sum(i.quantity) FROM order_items i JOIN orders o ON o.id = i.order_id"
           "   WHERE o.status = 'CONFIRMED' AND i.sku = inv.sku), 0) <> %d", n * 2 / 5);
  ck_assert_int_eq(it_count("w_totals", check), 0);
  ck_assert_int_eq(it_count("w_totals", "SELECT count(*) FROM orders WHERE status = 'PENDING'"), 0);
  ck_assert_int_gt(it_count("w_totals", "SELECT count(*) FROM orders WHERE status = 'CONFIRMED'"), 0);
  ck_assert_int_gt(it_count("w_totals", "SELECT count(*) FROM orders WHERE status = 'REJECTED'"), 0);
  ck_assert_int_gt(it_count("w_totals", "SELECT count(*) FROM orders WHERE status = 'CANCELLED'"), 0);
  ck_assert_int_eq(it_count("w_totals", "SELECT count(*) FROM outbox WHERE published_at IS NULL"
                                        " AND order_id IN (SELECT id FROM orders WHERE status <> 'CANCELLED')"), 0);
  free(ids);
  db_session_free(s);
}
END_TEST

START_TEST(unknown_order_and_malformed_are_named) {
  fresh("w_unknown");
  db_session *s = it_session("w_unknown", NULL);
  char ids[3][WK_ORDER_ID_LEN];
  create(s, "[{\"sku\":\"SKU-1\",\"quantity\":1}]", ids[0]);
  create(s, "[{\"sku\":\"SKU-2\",\"quantity\":1}]", ids[2]);
  snprintf(ids[1], sizeof ids[1], "00000000-0000-4000-8000-00000000abcd");
  char b0[200], b1[200], b2[200];
  wt_body(b0, sizeof b0, ids[0]);
  wt_body(b1, sizeof b1, ids[1]);
  wt_body(b2, sizeof b2, ids[2]);
  /* the last record has no messageId: decided all the same, never named */
  const char *mids[] = {"ok", "unknown", "bad", NULL}, *bodies[] = {b0, b1, "{nope", b2};
  char *ev = wt_event(4, mids, bodies);
  wk_app *a = app("w_unknown");
  char *ans = wt_invoke(a, ev, lr_clock_epoch_ms() + 60000);
  ck_assert_int_eq(wt_failures(ans), 2);
  ck_assert(wt_names(ans, "unknown") && wt_names(ans, "bad"));
  ck_assert_int_eq(it_count("w_unknown", "SELECT count(*) FROM orders WHERE status = 'CONFIRMED'"), 2);
  free(ans);
  free(ev);
  wk_app_free(a);
  db_session_free(s);
}
END_TEST

START_TEST(budget_spent_leaves_the_rest_not_attempted) {
  fresh("w_budget");
  db_session *s = it_session("w_budget", NULL);
  char id[1][WK_ORDER_ID_LEN];
  create(s, "[{\"sku\":\"SKU-1\",\"quantity\":1}]", id[0]);
  ck_assert_int_eq(q("w_budget", "SELECT count(*) FROM order_decide_batch(ARRAY['", id[0],
                                 "'::uuid], 0) WHERE r_outcome = 'not_attempted'"), 1);
  ck_assert_int_eq(it_count("w_budget", "SELECT count(*) FROM orders WHERE status = 'PENDING'"), 1);
  ck_assert_int_eq(it_count("w_budget", "SELECT count(*) FROM outbox WHERE published_at IS NULL"), 1);
  db_session_free(s);
}
END_TEST

/* Another transaction holds the order past the invocation's deadline: the
 * statement is cancelled before the deadline and every message is named. */
START_TEST(lock_held_past_the_deadline) {
  fresh("w_locked");
  db_session *s = it_session("w_locked", NULL);
  char id[1][WK_ORDER_ID_LEN];
  create(s, "[{\"sku\":\"SKU-1\",\"quantity\":1}]", id[0]);
  char err[TPG_ERR_LEN] = "";
  PGconn *holder = tpg_connect(it_server(), "w_locked", err);
  ck_assert_msg(holder != NULL, "%s", err);
  char sql[200];
  snprintf(sql, sizeof sql, "BEGIN; SELECT 1 FROM orders WHERE id = '%s' FOR UPDATE", id[0]);
  PQclear(PQexec(holder, sql));
  wk_app *a = app("w_locked");
  char *ev = event_for("m", 1, id);
  int64_t deadline = lr_clock_epoch_ms() + 3000;
  char *ans = wt_invoke(a, ev, deadline);
  ck_assert_int_lt(lr_clock_epoch_ms(), deadline);
  ck_assert(wt_names(ans, "m-0"));
  PQclear(PQexec(holder, "ROLLBACK"));
  PQfinish(holder);
  ck_assert_int_eq(it_count("w_locked", "SELECT count(*) FROM orders WHERE status = 'PENDING'"), 1);
  free(ans);
  /* and the next delivery decides it */
  ans = wt_invoke(a, ev, lr_clock_epoch_ms() + 60000);
  ck_assert_int_eq(wt_failures(ans), 0);
  free(ans);
  free(ev);
  wk_app_free(a);
  db_session_free(s);
}
END_TEST

START_TEST(database_down_names_the_batch) {
  fresh("w_down");
  db_session *s = it_session("w_down", NULL);
  char ids[2][WK_ORDER_ID_LEN];
  create(s, "[{\"sku\":\"SKU-1\",\"quantity\":1}]", ids[0]);
  create(s, "[{\"sku\":\"SKU-2\",\"quantity\":1}]", ids[1]);
  wk_app *a = app("w_down");
  char err[TPG_ERR_LEN] = "";
  ck_assert_msg(tpg_server_down(it_server(), err) == 0, "%s", err);
  char *ans = decide(a, "m", 2, ids);
  ck_assert_msg(tpg_server_up(it_server(), err) == 0, "%s", err);
  ck_assert_int_eq(wt_failures(ans), 2);
  free(ans);
  ans = decide(a, "m", 2, ids);
  ck_assert_int_eq(wt_failures(ans), 0);
  free(ans);
  wk_app_free(a);
  db_session_free(s);
}
END_TEST

/* A "database" that accepts connections (the kernel completes them from the
 * listen backlog) and never answers: init's warm-up must give up on its own
 * bound, not DB_CONNECT_TIMEOUT's (here 10 s, 20 s with the one reconnect). */
START_TEST(warmup_bounded_on_a_hanging_database) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof sa;
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
  ck_assert_int_eq(listen(fd, 8), 0);
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
  wk_app_free(wt_app_db(ntohs(sa.sin_port), "hang")); /* sets the DB_* environment */
  setenv("DB_CONNECT_TIMEOUT", "10", 1);
  app_options opt = {.needs = CFG_NEED_DB, .warmup = APP_DB_WARM};
  wk_app *a = NULL;
  lr_fault fault = {{0}, {0}};
  int64_t t0 = lr_clock_mono_ms();
  ck_assert_int_eq(wk_app_create(&opt, NULL, &a, &fault), LR_HANDLER_OK);
  int64_t took = lr_clock_mono_ms() - t0;
  ck_assert_msg(took < 5000, "init took %lld ms", (long long)took); /* ~2 s: libpq's floor */
  wk_app_free(a);
  close(fd);
}
END_TEST

int main(void) {
  Suite *s = suite_create("worker_db");
  TCase *tc = tcase_create("db");
  tcase_set_timeout(tc, 240);
  tcase_add_test(tc, confirm_reserves_and_marks_the_outbox);
  tcase_add_test(tc, reject_for_each_reason);
  tcase_add_test(tc, redelivery_reserves_once);
  tcase_add_test(tc, one_message_two_workers);
  tcase_add_test(tc, last_unit_goes_to_one_order);
  tcase_add_test(tc, crossed_batches_do_not_deadlock);
  tcase_add_test(tc, stock_totals_exact_after_random_orders_and_cancels);
  tcase_add_test(tc, unknown_order_and_malformed_are_named);
  tcase_add_test(tc, budget_spent_leaves_the_rest_not_attempted);
  tcase_add_test(tc, lock_held_past_the_deadline);
  tcase_add_test(tc, database_down_names_the_batch);
  tcase_add_test(tc, warmup_bounded_on_a_hanging_database);
  suite_add_tcase(s, tc);
  return it_main(s, NULL);
}
