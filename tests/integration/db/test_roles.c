/* The database users of migration 0006 on a throw-away PostgreSQL: the
 * migrator made by db/bootstrap/migrator.sql runs migrate (twice: the second
 * run is a no-op); the api, worker and cleanup users can run what their
 * functions run and nothing more: no DDL, no schema_migrations, no DML outside
 * their tables; functions added later are covered. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_test.h"
#include "itest.h"
#include "migrate.h"

#define MIGRATOR "orders_migrator"
#define API "orders_api"
#define WORKER "orders_worker"
#define CLEANUP "orders_cleanup"
#define ORDER_BODY "{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":2}]}"

static PGconn *connect_as(const char *db, const char *user) {
  char info[256];
  snprintf(info, sizeof info, "host=127.0.0.1 port=%d dbname=%s user=%s connect_timeout=5",
           it_server()->port, db, user);
  PGconn *c = PQconnectdb(info);
  ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s as %s: %s", db, user, PQerrorMessage(c));
  return c;
}

/* The statement's SQLSTATE, "00000" when it succeeded (one statement, no params). */
static void run_expect(PGconn *c, const char *sql, const char *want) {
  PGresult *r = PQexec(c, sql);
  ExecStatusType st = PQresultStatus(r);
  const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  char got[6];
  snprintf(got, sizeof got, "%s",
           (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? "00000" : (state ? state : "?????"));
  ck_assert_msg(strcmp(got, want) == 0, "%s as %s: got %s, want %s: %s", sql, PQuser(c), got,
                want, PQresultErrorMessage(r));
  PQclear(r);
}
static void ok(PGconn *c, const char *sql) { run_expect(c, sql, "00000"); }
static void denied(PGconn *c, const char *sql) { run_expect(c, sql, "42501"); }

static long count_as(PGconn *c, const char *sql) {
  PGresult *r = PQexec(c, sql);
  ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(c));
  long v = atol(PQgetvalue(r, 0, 0));
  PQclear(r);
  return v;
}

static void bootstrap(const char *db) {
  char path[1024], err[TPG_ERR_LEN] = "";
  snprintf(path, sizeof path, "%s/db/bootstrap/migrator.sql", tpg_source_dir());
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "%s", path);
  static char sql[16384];
  size_t n = fread(sql, 1, sizeof sql - 1, f);
  fclose(f);
  sql[n] = '\0';
  PGconn *c = tpg_connect(it_server(), db, err);
  ck_assert_msg(c != NULL, "%s", err);
  ok(c, "SET orders.migrator_user = '" MIGRATOR "'");
  ok(c, sql);
  PQfinish(c);
}

/* migrate as the migrator with these users; returns the number applied. */
static size_t migrate_as_migrator(const char *db, const migrate_roles *roles, migrate_status want,
                                  char err[MIGRATE_ERR_LEN]) {
  PGconn *c = connect_as(db, roles->migrator);
  size_t n;
  const db_migration *list = db_migrations_all(&n);
  migrate_result r;
  migrate_status st = migrate_run_roles(c, list, n, MIGRATE_APPLY, roles, 5000, NULL, &r, err);
  ck_assert_msg(st == want, "%s: %s", migrate_status_name(st), err);
  size_t applied = r.count;
  migrate_result_free(&r);
  PQfinish(c);
  return applied;
}

/* A fresh database, bootstrapped, migrated by the migrator, seeded. */
static void fresh(const char *db) {
  char err[MIGRATE_ERR_LEN] = "", terr[TPG_ERR_LEN] = "", seed[1024];
  it_fresh_db(db);
  bootstrap(db);
  migrate_roles roles;
  migrate_roles_default(&roles);
  size_t n;
  db_migrations_all(&n);
  ck_assert_uint_eq(migrate_as_migrator(db, &roles, MIGRATE_OK, err), n);
  snprintf(seed, sizeof seed, "%s/db/seed/local_seed.sql", tpg_source_dir());
  ck_assert_msg(tpg_exec_file(it_server(), db, seed, terr) == 0, "%s", terr);
}

static void ok_id(PGconn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ok_id(PGconn *c, const char *fmt, ...) {
  char sql[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  ok(c, sql);
}

/* One PENDING order made the way POST /orders makes it, as the api user; its id. */
static void make_order(const char *db, char id[40]) {
  PGconn *api = connect_as(db, API);
  PGresult *r = PQexec(api, "SELECT r_order_id FROM order_create('c-1', NULL, NULL,"
                            " '[{\"sku\":\"SKU-1\",\"quantity\":2}]'::jsonb, 24, NULL)");
  ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s",
                PQerrorMessage(api));
  snprintf(id, 40, "%s", PQgetvalue(r, 0, 0));
  PQclear(r);
  PQfinish(api);
}

START_TEST(migrate_as_owner_twice_is_a_noop) {
  char err[MIGRATE_ERR_LEN] = "";
  fresh("r_owner");
  migrate_roles roles;
  migrate_roles_default(&roles);
  ck_assert_uint_eq(migrate_as_migrator("r_owner", &roles, MIGRATE_OK, err), 0);
  bootstrap("r_owner"); /* the bootstrap is safe to run again, too */
  PGconn *m = connect_as("r_owner", MIGRATOR);
  ck_assert_int_eq(count_as(m, "SELECT count(*) FROM pg_class WHERE relnamespace = "
                               "'public'::regnamespace AND relkind = 'r' AND "
                               "relowner <> '" MIGRATOR "'::regrole"), 0);
  size_t n;
  db_migrations_all(&n);
  ck_assert_int_eq(count_as(m, "SELECT count(*) FROM schema_migrations"), (long)n);
  /* least privilege for the users, not for the migrator: it can still change the schema */
  ok(m, "BEGIN");
  ok(m, "ALTER TABLE orders ADD COLUMN later_column int");
  ok(m, "ROLLBACK");
  PQfinish(m);
}
END_TEST

/* fn(connection) as each application user. */
static void as_each_app_user(const char *db, void (*fn)(PGconn *)) {
  const char *users[] = {API, WORKER, CLEANUP};
  for (size_t i = 0; i < 3; i++) {
    PGconn *c = connect_as(db, users[i]);
    fn(c);
    PQfinish(c);
  }
}

static void no_ddl(PGconn *c) {
    denied(c, "CREATE TABLE evil (x int)");
    denied(c, "CREATE TABLE public.evil (x int)");
    denied(c, "CREATE SCHEMA evil");
    denied(c, "CREATE TEMP TABLE evil (x int)"); /* PUBLIC lost TEMPORARY (bootstrap) */
    denied(c, "CREATE INDEX evil ON orders (customer_id)");
    denied(c, "ALTER TABLE orders ADD COLUMN evil int");
    denied(c, "ALTER TABLE inventory DROP CONSTRAINT inventory_available_check");
    denied(c, "DROP TABLE products");
    denied(c, "TRUNCATE orders");
    denied(c, "CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS 'SELECT 1'");
    denied(c, "CREATE OR REPLACE FUNCTION order_create() RETURNS int LANGUAGE sql AS 'SELECT 1'");
    denied(c, "ALTER FUNCTION orders_guard_update() OWNER TO CURRENT_USER");
    denied(c, "DROP TRIGGER orders_guard_update ON orders");
    denied(c, "CREATE ROLE evil");
    denied(c, "SET ROLE " MIGRATOR);
}

START_TEST(app_users_run_no_ddl) {
  fresh("r_ddl");
  as_each_app_user("r_ddl", no_ddl);
}
END_TEST

static void no_schema_migrations(PGconn *c) {
    denied(c, "SELECT * FROM schema_migrations");
    denied(c, "INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'x', "
              "repeat('0', 64))");
    denied(c, "UPDATE schema_migrations SET checksum = repeat('0', 64)");
    denied(c, "DELETE FROM schema_migrations");
}

START_TEST(app_users_cannot_touch_schema_migrations) {
  fresh("r_sm");
  as_each_app_user("r_sm", no_schema_migrations);
}
END_TEST

static const char *const *api_env(char port[16]) {
  static const char *env[16];
  snprintf(port, 16, "%d", it_server()->port);
  const char *e[] = {"DB_HOST", "127.0.0.1", "DB_PORT", port, "DB_NAME", "r_api", "DB_USER", API,
                     "DB_SSLMODE", "disable", "DB_CONNECT_TIMEOUT", "2", NULL};
  memcpy(env, e, sizeof e);
  return env;
}

/* The api handler itself, logged in as the api user: every database route. */
START_TEST(api_routes_as_api_user) {
  fresh("r_api");
  char port[16];
  api_app *a = at_app(api_env(port));
  const char *h[] = {"Content-Type: application/json", "Idempotency-Key: k-1", NULL};
  at_response r = at_call(a, AT_V2, "POST", "/orders", NULL, h, ORDER_BODY);
  ck_assert_msg(r.status == 201, "%d %s", r.status, r.raw_body);
  char path[160];
  snprintf(path, sizeof path, "/orders/%s", at_body_str(&r, "id"));
  at_response_free(&r);
  r = at_call(a, AT_V2, "POST", "/orders", NULL, h, ORDER_BODY); /* replay */
  ck_assert_msg(r.status == 201, "%d %s", r.status, r.raw_body);
  at_response_free(&r);
  r = at_call(a, AT_V2, "GET", path, NULL, NULL, NULL);
  ck_assert_msg(r.status == 200, "%d %s", r.status, r.raw_body);
  at_response_free(&r);
  r = at_call(a, AT_V1, "GET", "/orders", "customer_id=c-1&status=PENDING", NULL, NULL);
  ck_assert_msg(r.status == 200, "%d %s", r.status, r.raw_body);
  at_response_free(&r);
  strcat(path, "/cancel");
  r = at_call(a, AT_V2, "POST", path, NULL, NULL, NULL);
  ck_assert_msg(r.status == 200, "%d %s", r.status, r.raw_body);
  ck_assert_str_eq(at_body_str(&r, "status"), "CANCELLED");
  at_response_free(&r);
  r = at_call(a, AT_V2, "GET", "/health/ready", NULL, NULL, NULL);
  ck_assert_msg(r.status == 200, "%d %s", r.status, r.raw_body);
  at_response_free(&r);
  api_app_free(a);
  ck_assert_int_eq(it_count("r_api", "SELECT available FROM inventory WHERE sku = 'SKU-1'"), 1000);
  /* ... and it cannot do what only the other functions do */
  PGconn *c = connect_as("r_api", API);
  denied(c, "DELETE FROM orders");
  denied(c, "DELETE FROM idempotency_keys");
  denied(c, "UPDATE products SET price_cents = 1");
  denied(c, "INSERT INTO inventory (sku, available) VALUES ('SKU-OUT', 1)");
  PQfinish(c);
}
END_TEST

/* What the worker does to decide an order, as plain SQL (its function, 0004,
 * runs as the caller: the same privileges). */
START_TEST(worker_statements) {
  fresh("r_worker");
  char id[40];
  make_order("r_worker", id);
  PGconn *c = connect_as("r_worker", WORKER);
  ok(c, "BEGIN");
  ok_id(c, "SELECT status FROM orders WHERE id = '%s' FOR UPDATE", id);
  ok_id(c, "SELECT i.sku, i.quantity, p.active FROM order_items i JOIN products p USING (sku)"
        " WHERE i.order_id = '%s' ORDER BY i.sku", id);
  ok(c, "SELECT available FROM inventory WHERE sku IN ('SKU-1') ORDER BY sku FOR UPDATE");
  ok(c, "UPDATE inventory SET available = available - 2, updated_at = now() WHERE sku = 'SKU-1'");
  ok_id(c, "UPDATE orders SET status = 'CONFIRMED' WHERE id = '%s'", id);
  ok_id(c, "UPDATE outbox SET published_at = coalesce(published_at, now())"
        " WHERE order_id = '%s' AND type = 'order.created'", id);
  ok(c, "COMMIT");
  ck_assert_int_eq(count_as(c, "SELECT available FROM inventory WHERE sku = 'SKU-1'"), 998);
  denied(c, "INSERT INTO orders (customer_id, currency, total_cents) VALUES ('c', 'EUR', 1)");
  denied(c, "DELETE FROM orders");
  denied(c, "DELETE FROM outbox");
  denied(c, "UPDATE products SET active = false");
  denied(c, "UPDATE order_items SET quantity = 1");
  denied(c, "SELECT * FROM idempotency_keys");
  PQfinish(c);
}
END_TEST

/* The archive and the outbox relay, as plain SQL. */
START_TEST(cleanup_statements) {
  fresh("r_cleanup");
  char id[40], sql[512];
  make_order("r_cleanup", id);
  snprintf(sql, sizeof sql, "UPDATE orders SET status = 'CONFIRMED' WHERE id = '%s'", id);
  it_sql("r_cleanup", sql);
  PGconn *c = connect_as("r_cleanup", CLEANUP);
  /* the relay: claim, (send), mark */
  ok(c, "BEGIN");
  ok(c, "SELECT id, order_id, type, payload FROM outbox WHERE published_at IS NULL"
        " ORDER BY created_at LIMIT 10 FOR UPDATE SKIP LOCKED");
  ok(c, "UPDATE outbox SET attempts = attempts + 1 WHERE published_at IS NULL");
  ok(c, "COMMIT");
  ok(c, "UPDATE outbox SET published_at = greatest(now(), created_at) WHERE published_at IS NULL");
  /* the archive: read terminal orders with their lines, delete them, purge keys */
  ok(c, "BEGIN");
  ok(c, "SELECT o.*, i.* FROM orders o JOIN order_items i ON i.order_id = o.id"
        " WHERE o.status IN ('CONFIRMED', 'REJECTED', 'CANCELLED') AND o.updated_at < now() + interval '1 day'"
        " ORDER BY o.updated_at, o.id LIMIT 100");
  /* the archive reads without locks and deletes only rows unchanged since (cleanup does) */
  ok_id(c, "DELETE FROM orders o USING (SELECT id, updated_at FROM orders WHERE id = '%s') b"
        " WHERE o.id = b.id AND o.updated_at = b.updated_at"
        " AND o.status IN ('CONFIRMED', 'REJECTED', 'CANCELLED')", id);
  ok(c, "DELETE FROM order_items WHERE false");
  ok(c, "DELETE FROM idempotency_keys WHERE expires_at < now()");
  ok(c, "COMMIT");
  ck_assert_int_eq(it_count("r_cleanup", "SELECT count(*) FROM orders"), 0);
  /* lines, keys and outbox rows went by ON DELETE CASCADE */
  ck_assert_int_eq(it_count("r_cleanup", "SELECT count(*) FROM order_items"), 0);
  ck_assert_int_eq(it_count("r_cleanup", "SELECT count(*) FROM outbox"), 0);
  denied(c, "SELECT * FROM orders FOR UPDATE"); /* no UPDATE on orders: no row locks either */
  denied(c, "UPDATE orders SET status = 'CANCELLED'");
  denied(c, "INSERT INTO order_items (order_id, line, sku, quantity, unit_price_cents) VALUES"
            " (gen_random_uuid(), 1, 'SKU-1', 1, 1)");
  denied(c, "UPDATE inventory SET available = 0");
  denied(c, "SELECT * FROM products");
  denied(c, "INSERT INTO outbox (order_id, type, payload) VALUES (gen_random_uuid(), 'order.x', '{}')");
  PQfinish(c);
}
END_TEST

/* Every function runs as its caller; every one the migrations made (0004's
 * and 0005's included) and every one a later migration makes is executable by
 * the three users and by nobody else. */
START_TEST(functions_invoker_and_later_ones_covered) {
  fresh("r_fn");
  PGconn *m = connect_as("r_fn", MIGRATOR);
  ck_assert_int_eq(count_as(m, "SELECT count(*) FROM pg_proc WHERE pronamespace = "
                               "'public'::regnamespace AND prosecdef"), 0);
  ok(m, "CREATE FUNCTION later_fn() RETURNS int LANGUAGE sql AS 'SELECT 1'");
  ok(m, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'orders_nobody') THEN "
        "CREATE ROLE orders_nobody LOGIN; END IF; END $$");
  const char *users[] = {API, WORKER, CLEANUP};
  for (size_t i = 0; i < 3; i++) {
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_proc WHERE pronamespace = "
             "'public'::regnamespace AND NOT has_function_privilege('%s', oid, 'EXECUTE')",
             users[i]);
    ck_assert_int_eq(count_as(m, sql), 0);
  }
  ck_assert_int_eq(count_as(m, "SELECT count(*) FROM pg_proc WHERE pronamespace = "
                               "'public'::regnamespace AND has_function_privilege("
                               "'orders_nobody', oid, 'EXECUTE')"), 0);
  PQfinish(m);
  PGconn *api = connect_as("r_fn", API);
  ok(api, "SELECT later_fn()");
  PQfinish(api);
  PGconn *nobody = connect_as("r_fn", "orders_nobody");
  denied(nobody, "SELECT later_fn()");
  denied(nobody, "SELECT * FROM order_create('c-1', NULL, NULL, '[]'::jsonb, 24, NULL)");
  PQfinish(nobody);
}
END_TEST

/* On RDS the users log in with IAM tokens: members of rds_iam when it exists. */
START_TEST(rds_iam_granted_when_present) {
  it_sql(NULL, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam') THEN "
               "CREATE ROLE rds_iam NOLOGIN; END IF; END $$");
  fresh("r_iam");
  ck_assert_int_eq(it_count("r_iam", "SELECT count(*) FROM pg_auth_members WHERE roleid = "
                                     "'rds_iam'::regrole AND member IN ('" API "'::regrole, '"
                                     WORKER "'::regrole, '" CLEANUP "'::regrole)"), 3);
  ck_assert_int_eq(it_count("r_iam", "SELECT count(*) FROM pg_auth_members WHERE roleid = "
                                     "'rds_iam'::regrole AND member = '" MIGRATOR
                                     "'::regrole AND admin_option"), 1);
}
END_TEST

/* The names are settings: other names get the grants; a privileged existing
 * role is refused rather than used. */
START_TEST(user_names_are_settings) {
  char err[MIGRATE_ERR_LEN] = "";
  it_fresh_db("r_names");
  bootstrap("r_names");
  migrate_roles roles;
  migrate_roles_default(&roles);
  snprintf(roles.api, sizeof roles.api, "%s", "o2_api");
  snprintf(roles.worker, sizeof roles.worker, "%s", "o2_worker");
  snprintf(roles.cleanup, sizeof roles.cleanup, "%s", "o2_cleanup");
  migrate_as_migrator("r_names", &roles, MIGRATE_OK, err);
  ck_assert_int_eq(it_count("r_names", "SELECT count(*) FROM (VALUES"
                   " (has_table_privilege('o2_api', 'orders', 'INSERT')),"
                   " (has_table_privilege('o2_worker', 'inventory', 'UPDATE')),"
                   " (has_table_privilege('o2_cleanup', 'orders', 'DELETE'))) v(b) WHERE b"), 3);

  it_fresh_db("r_evil");
  bootstrap("r_evil");
  it_sql(NULL, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'o3_api') THEN "
               "CREATE ROLE o3_api LOGIN CREATEDB; END IF; END $$");
  snprintf(roles.api, sizeof roles.api, "%s", "o3_api");
  migrate_as_migrator("r_evil", &roles, MIGRATE_MIGRATION_FAILED, err);
  ck_assert_msg(strstr(err, "0006_") && strstr(err, "more than LOGIN"), "%s", err);
}
END_TEST

typedef struct { const char *const *kv; } fake_env;
static const char *fake_getenv(void *arg, const char *name) {
  const fake_env *e = arg;
  for (size_t i = 0; e->kv[i]; i += 2)
    if (strcmp(e->kv[i], name) == 0) return e->kv[i + 1];
  return NULL;
}

static migrate_status load(migrate_roles *r, const char *const *kv, char err[MIGRATE_ERR_LEN]) {
  fake_env e = {kv};
  return migrate_roles_load(r, fake_getenv, &e, err);
}

START_TEST(roles_from_environment) {
  char err[MIGRATE_ERR_LEN] = "";
  migrate_roles r;
  const char *none[] = {"DB_API_USER", "", NULL};
  ck_assert_int_eq(load(&r, none, err), MIGRATE_OK);
  ck_assert_str_eq(r.migrator, MIGRATOR);
  ck_assert_str_eq(r.api, API);
  ck_assert_str_eq(r.worker, WORKER);
  ck_assert_str_eq(r.cleanup, CLEANUP);
  const char *set[] = {"DB_MIGRATOR_USER", "m", "DB_CLEANUP_USER", "_c9", NULL};
  ck_assert_int_eq(load(&r, set, err), MIGRATE_OK);
  ck_assert_str_eq(r.migrator, "m");
  ck_assert_str_eq(r.cleanup, "_c9");
  const char *bad[] = {"Orders", "9a", "pg_x", "rds_x", "rdsadmin", "postgres", "a-b", "a b",
                       "a;drop", "x'y", "\"q\"", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    const char *kv[] = {"DB_WORKER_USER", bad[i], NULL};
    ck_assert_msg(load(&r, kv, err) == MIGRATE_BAD_REQUEST, "%s accepted", bad[i]);
    ck_assert_ptr_nonnull(strstr(err, "DB_WORKER_USER"));
  }
  const char *dup[] = {"DB_WORKER_USER", API, NULL};
  ck_assert_int_eq(load(&r, dup, err), MIGRATE_BAD_REQUEST);
  ck_assert_ptr_nonnull(strstr(err, "same user"));
}
END_TEST

int main(void) {
  Suite *s = suite_create("db roles");
  TCase *tc = tcase_create("roles");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, roles_from_environment);
  tcase_add_test(tc, migrate_as_owner_twice_is_a_noop);
  tcase_add_test(tc, app_users_run_no_ddl);
  tcase_add_test(tc, app_users_cannot_touch_schema_migrations);
  tcase_add_test(tc, api_routes_as_api_user);
  tcase_add_test(tc, worker_statements);
  tcase_add_test(tc, cleanup_statements);
  tcase_add_test(tc, functions_invoker_and_later_ones_covered);
  tcase_add_test(tc, rds_iam_granted_when_present);
  tcase_add_test(tc, user_names_are_settings);
  suite_add_tcase(s, tc);
  return it_main(s, NULL);
}
