/* The schema keeps data valid whatever the code does: every invalid row below
 * is refused with the status the api and worker map to answers. Runs through
 * db_exec / db_transaction, so it also checks the SQLSTATE mapping end to end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define O1 "11111111-1111-4111-8111-111111111111"
#define O2 "22222222-2222-4222-8222-222222222222"
#define O3 "33333333-3333-4333-8333-333333333333"

/* One database for the suite, migrated and seeded once in the unchecked fixture. */
static void suite_setup(void) {
  char err[TPG_ERR_LEN] = "";
  it_fresh_db("constraints");
  it_migrate("constraints");
  char seed[512];
  snprintf(seed, sizeof seed, "%s/db/seed/local_seed.sql", tpg_source_dir());
  ck_assert_msg(tpg_exec_file(it_server(), "constraints", seed, err) == 0, "%s", err);
  /* the seed is safe to apply twice */
  ck_assert_msg(tpg_exec_file(it_server(), "constraints", seed, err) == 0, "%s", err);
  /* a valid order: two lines of SKU-1 at the catalog price */
  it_sql("constraints",
         "INSERT INTO orders (id, customer_id, currency, total_cents) VALUES "
         "('" O1 "', 'c-1', 'EUR', 4998);"
         "INSERT INTO order_items VALUES ('" O1 "', 1, 'SKU-1', 2, 2499);");
}

static db_session *sess;
static void setup(void) { sess = it_session("constraints", NULL); }
static void teardown(void) { db_session_free(sess); }

typedef struct bad_row {
  const char *what;
  const char *sql;
  db_status want;
  const char *constraint; /* expected constraint name, or NULL */
} bad_row;

static const bad_row bad_rows[] = {
    {"negative stock", "UPDATE inventory SET available = -1 WHERE sku = 'SKU-1'",
     DB_CHECK_VIOLATION, "inventory_available_check"},
    {"stock below zero by decrement", "UPDATE inventory SET available = available - 1 "
                                      "WHERE sku = 'SKU-OUT'",
     DB_CHECK_VIOLATION, "inventory_available_check"},
    {"inventory for unknown product", "INSERT INTO inventory VALUES ('SKU-NOPE', 1)",
     DB_FOREIGN_KEY_VIOLATION, "inventory_sku_fkey"},
    {"zero quantity", "INSERT INTO order_items VALUES ('" O1 "', 2, 'SKU-2', 0, 5900)",
     DB_CHECK_VIOLATION, "order_items_quantity_check"},
    {"quantity over limit", "INSERT INTO order_items VALUES ('" O1 "', 2, 'SKU-2', 1001, 5900)",
     DB_CHECK_VIOLATION, "order_items_quantity_check"},
    {"line zero", "INSERT INTO order_items VALUES ('" O1 "', 0, 'SKU-2', 1, 5900)",
     DB_CHECK_VIOLATION, "order_items_line_check"},
    {"unknown sku", "INSERT INTO order_items VALUES ('" O1 "', 2, 'SKU-NOPE', 1, 100)",
     DB_FOREIGN_KEY_VIOLATION, "order_items_sku_fkey"},
    {"item of unknown order", "INSERT INTO order_items VALUES ('" O2 "', 1, 'SKU-1', 1, 2499)",
     DB_FOREIGN_KEY_VIOLATION, "order_items_order_id_fkey"},
    {"same sku twice", "INSERT INTO order_items VALUES ('" O1 "', 2, 'SKU-1', 1, 2499)",
     DB_UNIQUE_VIOLATION, "order_items_one_line_per_sku"},
    {"same line twice", "INSERT INTO order_items VALUES ('" O1 "', 1, 'SKU-2', 1, 5900)",
     DB_UNIQUE_VIOLATION, "order_items_pkey"},
    {"free item", "INSERT INTO order_items VALUES ('" O1 "', 2, 'SKU-2', 1, 0)",
     DB_CHECK_VIOLATION, "order_items_unit_price_cents_check"},
    {"reject reason without REJECTED", "UPDATE orders SET reject_reason = 'no' WHERE id = '" O1 "'",
     DB_CHECK_VIOLATION, "orders_reject_reason_iff_rejected"},
    {"REJECTED without a reason", "UPDATE orders SET status = 'REJECTED' WHERE id = '" O1 "'",
     DB_CHECK_VIOLATION, "orders_reject_reason_iff_rejected"},
    {"unknown status", "UPDATE orders SET status = 'SHIPPED' WHERE id = '" O1 "'",
     DB_CHECK_VIOLATION, "orders_status_transition"},
    {"total changed", "UPDATE orders SET total_cents = 1 WHERE id = '" O1 "'", DB_CHECK_VIOLATION,
     "orders_immutable"},
    {"customer changed", "UPDATE orders SET customer_id = 'c-2' WHERE id = '" O1 "'",
     DB_CHECK_VIOLATION, "orders_immutable"},
    {"unknown status on insert", "INSERT INTO orders (customer_id, status, currency, total_cents) "
                                 "VALUES ('c-1', 'SHIPPED', 'EUR', 1)",
     DB_CHECK_VIOLATION, "orders_status_check"},
    {"lower-case currency", "INSERT INTO products VALUES ('SKU-X', 'x', 100, 'eur')",
     DB_CHECK_VIOLATION, "products_currency_check"},
    {"four-letter currency", "INSERT INTO products VALUES ('SKU-X', 'x', 100, 'EURO')",
     DB_DATA_EXCEPTION, NULL},
    {"order currency", "INSERT INTO orders (customer_id, currency, total_cents) "
                       "VALUES ('c-1', 'E1R', 100)",
     DB_CHECK_VIOLATION, "orders_currency_check"},
    {"zero price", "INSERT INTO products VALUES ('SKU-X', 'x', 0, 'EUR')", DB_CHECK_VIOLATION,
     "products_price_cents_check"},
    {"sku with space", "INSERT INTO products VALUES ('SKU X', 'x', 1, 'EUR')", DB_CHECK_VIOLATION,
     "products_sku_check"},
    {"product without name", "INSERT INTO products VALUES ('SKU-X', NULL, 1, 'EUR')",
     DB_NOT_NULL_VIOLATION, NULL},
    {"empty product name", "INSERT INTO products VALUES ('SKU-X', '', 1, 'EUR')",
     DB_CHECK_VIOLATION, "products_name_check"},
    {"zero total", "INSERT INTO orders (customer_id, currency, total_cents) VALUES ('c', 'EUR', 0)",
     DB_CHECK_VIOLATION, "orders_total_cents_check"},
    {"bad customer id", "INSERT INTO orders (customer_id, currency, total_cents) "
                        "VALUES ('c 1; --', 'EUR', 1)",
     DB_CHECK_VIOLATION, "orders_customer_id_check"},
    {"short request hash", "INSERT INTO idempotency_keys (customer_id, key, request_hash, order_id,"
                           " response, expires_at) VALUES ('c-1', 'k', '\\x00', '" O1 "', '{}',"
                           " now() + interval '1 day')",
     DB_CHECK_VIOLATION, "idempotency_keys_request_hash_check"},
    {"key expiring in the past", "INSERT INTO idempotency_keys (customer_id, key, request_hash,"
                                 " order_id, response, expires_at) VALUES ('c-1', 'k',"
                                 " sha256('x'), '" O1 "', '{}', now() - interval '1 s')",
     DB_CHECK_VIOLATION, "idempotency_keys_expire_later"},
    {"outbox type", "INSERT INTO outbox (order_id, type, payload) VALUES ('" O1 "', 'created', '{}')",
     DB_CHECK_VIOLATION, "outbox_type_check"},
    {"outbox payload not an object", "INSERT INTO outbox (order_id, type, payload) "
                                     "VALUES ('" O1 "', 'order.created', '[1]')",
     DB_CHECK_VIOLATION, "outbox_payload_check"},
    {"negative attempts", "INSERT INTO outbox (order_id, type, payload, attempts) "
                          "VALUES ('" O1 "', 'order.created', '{}', -1)",
     DB_CHECK_VIOLATION, "outbox_attempts_check"},
    {"malformed uuid", "SELECT * FROM orders WHERE id = 'not-a-uuid'", DB_DATA_EXCEPTION, NULL},
    {"delete product in use", "DELETE FROM products WHERE sku = 'SKU-1'",
     DB_FOREIGN_KEY_VIOLATION, NULL},
};

START_TEST(invalid_rows_refused) {
  const bad_row *b = &bad_rows[_i];
  char err[DB_ERR_LEN] = "";
  PGresult *res = (PGresult *)1;
  db_status st = db_exec(sess, DB_NOT_IDEMPOTENT, b->sql, 0, NULL, &res, err);
  ck_assert_msg(st == b->want, "%s: got %s (%s), want %s", b->what, db_status_name(st), err,
                db_status_name(b->want));
  ck_assert_ptr_null(res);
  if (b->constraint)
    ck_assert_msg(strcmp(db_session_last_error(sess)->constraint, b->constraint) == 0,
                  "%s: constraint '%s', want '%s'", b->what,
                  db_session_last_error(sess)->constraint, b->constraint);
  /* the valid order is untouched */
  ck_assert_int_eq(it_count("constraints", "SELECT total_cents FROM orders WHERE id = '" O1 "'"),
                   4998);
}
END_TEST

typedef struct tx_case {
  const char *what;
  const char *stmts[4];
  db_status want;
} tx_case;

static const tx_case tx_cases[] = {
    {"total not the sum of the lines",
     {"INSERT INTO orders (id, customer_id, currency, total_cents) VALUES "
      "('" O2 "', 'c-1', 'EUR', 100)",
      "INSERT INTO order_items VALUES ('" O2 "', 1, 'SKU-1', 2, 2499)", NULL},
     DB_CHECK_VIOLATION},
    {"order without lines",
     {"INSERT INTO orders (id, customer_id, currency, total_cents) VALUES "
      "('" O2 "', 'c-1', 'EUR', 100)", NULL},
     DB_CHECK_VIOLATION},
    {"line added to an existing order",
     {"INSERT INTO order_items VALUES ('" O1 "', 2, 'SKU-2', 1, 5900)", NULL},
     DB_CHECK_VIOLATION},
    {"line quantity changed", {"UPDATE order_items SET quantity = 3 WHERE order_id = '" O1 "'", NULL},
     DB_CHECK_VIOLATION},
    {"every line removed", {"DELETE FROM order_items WHERE order_id = '" O1 "'", NULL},
     DB_CHECK_VIOLATION},
    {"a valid order",
     {"INSERT INTO orders (id, customer_id, currency, total_cents) VALUES "
      "('" O2 "', 'c-2', 'EUR', 6549)",
      "INSERT INTO order_items VALUES ('" O2 "', 2, 'SKU-4', 1, 650)",
      "INSERT INTO order_items VALUES ('" O2 "', 1, 'SKU-2', 1, 5899)", NULL},
     DB_OK},
};

static db_status run_stmts(db_session *s, void *arg, char err[DB_ERR_LEN]) {
  const tx_case *c = arg;
  for (int i = 0; c->stmts[i]; i++) {
    db_status st = db_exec(s, DB_NOT_IDEMPOTENT, c->stmts[i], 0, NULL, NULL, err);
    if (st != DB_OK) return st;
  }
  return DB_OK;
}

START_TEST(checked_at_commit) {
  tx_case copy = tx_cases[_i]; /* the body takes a mutable pointer */
  const tx_case *c = &copy;
  char err[DB_ERR_LEN] = "";
  db_status st = db_transaction(sess, DB_NOT_IDEMPOTENT, run_stmts, &copy, err);
  ck_assert_msg(st == c->want, "%s: got %s (%s)", c->what, db_status_name(st), err);
  ck_assert_int_eq(it_count("constraints", "SELECT count(*) FROM order_items WHERE order_id = '"
                                           O1 "'"), 1);
  if (st == DB_OK) it_sql("constraints", "DELETE FROM orders WHERE id = '" O2 "'");
  ck_assert_int_eq(it_count("constraints", "SELECT count(*) FROM orders WHERE id = '" O2 "'"), 0);
}
END_TEST

/* Migration 0008: a line deleted by the foreign key's cascade (its order is
 * being deleted) queues no check of the order's total; a line deleted by a
 * statement of its own still does. Counted with the transaction's own
 * function statistics, the deferred checks fired by SET CONSTRAINTS. */
static long total_checks_after(const char *deletes) {
  char sql[1024];
  snprintf(sql, sizeof sql,
           "SET track_functions = 'pl'; BEGIN; %s; SET CONSTRAINTS ALL IMMEDIATE;"
           " SELECT coalesce(pg_stat_get_xact_function_calls('orders_assert_total'::regproc), 0)",
           deletes);
  return it_count("constraints", sql); /* the connection ends: rolled back */
}

START_TEST(cascade_of_a_deleted_order_is_not_rechecked) {
  it_sql("constraints", "BEGIN; INSERT INTO orders (id, customer_id, currency, total_cents) VALUES"
                        " ('" O3 "', 'c-3', 'EUR', 6549);"
                        " INSERT INTO order_items VALUES ('" O3 "', 1, 'SKU-2', 1, 5899), ('" O3 "', 2, 'SKU-4', 1, 650);"
                        " COMMIT");
  ck_assert_int_eq(total_checks_after("DELETE FROM orders WHERE id = '" O3 "'"), 0);
  ck_assert_int_eq(total_checks_after("DELETE FROM order_items WHERE order_id = '" O3 "';"
                                      " DELETE FROM orders WHERE id = '" O3 "'"), 2);
  /* one line of two deleted by hand: checked, and refused */
  char err[TPG_ERR_LEN] = "";
  ck_assert_int_ne(tpg_exec(it_server(), "constraints",
                            "DELETE FROM order_items WHERE order_id = '" O3 "' AND line = 1", err), 0);
  ck_assert_msg(strstr(err, "is not the sum of its items") != NULL, "%s", err);
  ck_assert_int_eq(it_count("constraints", "SELECT count(*) FROM order_items WHERE order_id = '" O3 "'"), 2);
  it_sql("constraints", "DELETE FROM orders WHERE id = '" O3 "'");
  ck_assert_int_eq(it_count("constraints", "SELECT count(*) FROM order_items WHERE order_id = '" O3 "'"), 0);
}
END_TEST

START_TEST(status_transitions) {
  static const struct {
    const char *from, *to;
    int allowed;
  } moves[] = {
      {"PENDING", "CONFIRMED", 1}, {"PENDING", "REJECTED", 1}, {"PENDING", "CANCELLED", 1},
      {"CONFIRMED", "CANCELLED", 1}, {"CONFIRMED", "PENDING", 0}, {"CONFIRMED", "REJECTED", 0},
      {"REJECTED", "CONFIRMED", 0}, {"REJECTED", "CANCELLED", 0}, {"CANCELLED", "CONFIRMED", 0},
      {"CANCELLED", "PENDING", 0},
  };
  for (size_t i = 0; i < sizeof moves / sizeof *moves; i++) {
    char sql[512];
    /* put O2 in the `from` state through allowed moves only */
    it_sql("constraints", "DELETE FROM orders WHERE id = '" O2 "';"
                          "INSERT INTO orders (id, customer_id, currency, total_cents) VALUES "
                          "('" O2 "', 'c-3', 'EUR', 2499);"
                          "INSERT INTO order_items VALUES ('" O2 "', 1, 'SKU-1', 1, 2499);");
    if (strcmp(moves[i].from, "PENDING") != 0) {
      snprintf(sql, sizeof sql, "UPDATE orders SET status = '%s', reject_reason = %s WHERE id = '"
               O2 "'", moves[i].from, strcmp(moves[i].from, "REJECTED") ? "NULL" : "'out of stock'");
      it_sql("constraints", sql);
    }
    snprintf(sql, sizeof sql, "UPDATE orders SET status = '%s', reject_reason = %s WHERE id = '"
             O2 "'", moves[i].to, strcmp(moves[i].to, "REJECTED") ? "NULL" : "'out of stock'");
    char err[DB_ERR_LEN] = "";
    db_status st = db_exec(sess, DB_NOT_IDEMPOTENT, sql, 0, NULL, NULL, err);
    ck_assert_msg(st == (moves[i].allowed ? DB_OK : DB_CHECK_VIOLATION), "%s -> %s: %s (%s)",
                  moves[i].from, moves[i].to, db_status_name(st), err);
    if (!moves[i].allowed)
      ck_assert_str_eq(db_session_last_error(sess)->constraint, "orders_status_transition");
  }
  it_sql("constraints", "DELETE FROM orders WHERE id = '" O2 "'");
}
END_TEST

START_TEST(updated_at_follows_changes) {
  it_sql("constraints", "INSERT INTO orders (id, customer_id, currency, total_cents, created_at, "
                        "updated_at) VALUES ('" O2 "', 'c-4', 'EUR', 2499, now() - interval '1 h',"
                        " now() - interval '1 h');"
                        "INSERT INTO order_items VALUES ('" O2 "', 1, 'SKU-1', 1, 2499);");
  it_sql("constraints", "UPDATE orders SET status = 'CONFIRMED' WHERE id = '" O2 "'");
  ck_assert_int_eq(it_count("constraints", "SELECT count(*) FROM orders WHERE id = '" O2 "' AND "
                                           "updated_at > now() - interval '1 minute'"), 1);
  /* archive: deleting an order takes its lines along and passes the total guard */
  it_sql("constraints", "DELETE FROM orders WHERE id = '" O2 "'");
  ck_assert_int_eq(it_count("constraints", "SELECT count(*) FROM order_items WHERE order_id = '"
                                           O2 "'"), 0);
}
END_TEST

START_TEST(seed_is_there) {
  ck_assert_int_eq(it_count("constraints", "SELECT count(*) FROM products"), 6);
  ck_assert_int_eq(it_count("constraints", "SELECT sum(available) FROM inventory"), 5000);
  ck_assert_int_eq(it_count("constraints", "SELECT available FROM inventory WHERE sku='SKU-OUT'"),
                   0);
}
END_TEST

START_TEST(parameters_are_data) {
  /* hostile text as a parameter is a value, never SQL */
  const char *params[] = {"SKU-1'; DROP TABLE orders; --"};
  PGresult *res = NULL;
  char err[DB_ERR_LEN] = "";
  ck_assert_int_eq(db_exec(sess, DB_IDEMPOTENT, "SELECT count(*) FROM products WHERE sku = $1", 1,
                           params, &res, err), DB_OK);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), "0");
  PQclear(res);
  ck_assert_int_eq(it_count("constraints", "SELECT count(*) FROM orders WHERE id = '" O1 "'"), 1);
  /* invalid UTF-8 and an oversized value are refused by the server, not crashes */
  const char *bad_utf8[] = {"SKU-\xff\xfe"};
  ck_assert_int_eq(db_exec(sess, DB_IDEMPOTENT, "SELECT count(*) FROM products WHERE sku = $1", 1,
                           bad_utf8, NULL, err), DB_DATA_EXCEPTION);
  size_t big = 1u << 20;
  char *huge = malloc(big + 1);
  ck_assert_ptr_nonnull(huge);
  memset(huge, 'A', big);
  huge[big] = '\0';
  const char *huge_param[] = {huge};
  ck_assert_int_eq(db_exec(sess, DB_NOT_IDEMPOTENT,
                           "INSERT INTO products VALUES ($1, 'x', 1, 'EUR')", 1, huge_param, NULL,
                           err), DB_CHECK_VIOLATION);
  free(huge);
  const char *not_a_number[] = {"12abc"};
  ck_assert_int_eq(db_exec(sess, DB_NOT_IDEMPOTENT,
                           "UPDATE inventory SET available = $1::int WHERE sku = 'SKU-5'", 1,
                           not_a_number, NULL, err), DB_DATA_EXCEPTION);
  const char *too_big[] = {"99999999999"};
  ck_assert_int_eq(db_exec(sess, DB_NOT_IDEMPOTENT,
                           "UPDATE inventory SET available = $1::int WHERE sku = 'SKU-5'", 1,
                           too_big, NULL, err), DB_DATA_EXCEPTION);
  ck_assert_int_eq(db_exec(sess, DB_IDEMPOTENT, "", 0, NULL, NULL, err), DB_BAD_ARGUMENT);
  ck_assert_int_eq(db_exec(sess, DB_IDEMPOTENT, "SELECT 1", 1, NULL, NULL, err), DB_BAD_ARGUMENT);
  ck_assert_int_eq(db_exec(sess, DB_IDEMPOTENT, "SELEC 1", 0, NULL, NULL, err), DB_QUERY);
  ck_assert_ptr_nonnull(strstr(err, "42601"));
}
END_TEST

static void add_cases(TCase *tc) {
  tcase_add_unchecked_fixture(tc, suite_setup, NULL);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, seed_is_there);
  tcase_add_loop_test(tc, invalid_rows_refused, 0, (int)(sizeof bad_rows / sizeof *bad_rows));
  tcase_add_loop_test(tc, checked_at_commit, 0, (int)(sizeof tx_cases / sizeof *tx_cases));
  tcase_add_test(tc, status_transitions);
  tcase_add_test(tc, cascade_of_a_deleted_order_is_not_rechecked);
  tcase_add_test(tc, updated_at_follows_changes);
  tcase_add_test(tc, parameters_are_data);
}

int main(void) {
  Suite *s = suite_create("integration.db.constraints");
  TCase *tc = tcase_create("constraints");
  tcase_set_timeout(tc, 60);
  add_cases(tc);
  suite_add_tcase(s, tc);
  return it_main(s, NULL);
}
