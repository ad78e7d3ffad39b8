/* The migrate function against a real PostgreSQL: from empty, re-run, dry run,
 * refusals (checksum, unknown version, out of order), a failing migration,
 * two concurrent runs, the lock timeout, and the handler end to end. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/app.h"
#include "itest.h"
#include "lr/runtime.h"
#include "migrate.h"

/* Room for the project's migrations plus a test's own in a copied list. */
#define MIGRATIONS_CAP 64

extern const lr_handler migrate_handler;

#define SUM_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SUM_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SUM_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static PGconn *conn_to(const char *db) {
  char err[TPG_ERR_LEN] = "";
  PGconn *c = tpg_connect(it_server(), db, err);
  ck_assert_msg(c != NULL, "%s", err);
  return c;
}

static migrate_status run(const char *db, const db_migration *list, size_t n, migrate_mode mode,
                          migrate_result *r, char err[MIGRATE_ERR_LEN]) {
  PGconn *c = conn_to(db);
  migrate_status st = migrate_run(c, list, n, mode, 2000, NULL, r, err);
  PQfinish(c);
  return st;
}

static const db_migration *all(size_t *n) { return db_migrations_all(n); }

START_TEST(from_empty_then_rerun) {
  it_fresh_db("m_empty");
  size_t n;
  const db_migration *list = all(&n);
  migrate_result r;
  char err[MIGRATE_ERR_LEN] = "";
  ck_assert_msg(run("m_empty", list, n, MIGRATE_APPLY, &r, err) == MIGRATE_OK, "%s", err);
  ck_assert_uint_eq(r.count, n);
  ck_assert_int_eq(r.current, list[n - 1].version);
  ck_assert_int_eq(r.items[0]->version, 1);
  migrate_result_free(&r);
  ck_assert_int_eq(it_count("m_empty", "SELECT count(*) FROM schema_migrations"), (long)n);
  char q[256];
  snprintf(q, sizeof q,
           "SELECT count(*) FROM schema_migrations WHERE version = 1 AND name = 'initial' "
           "AND checksum = '%s'", list[0].checksum);
  ck_assert_int_eq(it_count("m_empty", q), 1);
  ck_assert_int_eq(it_count("m_empty", "SELECT count(*) FROM information_schema.tables WHERE "
                                        "table_name IN ('products','inventory','orders',"
                                        "'order_items','idempotency_keys','outbox')"), 6);
  /* a second run applies nothing and reports the same current version */
  ck_assert_msg(run("m_empty", list, n, MIGRATE_APPLY, &r, err) == MIGRATE_OK, "%s", err);
  ck_assert_uint_eq(r.count, 0);
  ck_assert_int_eq(r.current, list[n - 1].version);
  migrate_result_free(&r);
  ck_assert_int_eq(it_count("m_empty", "SELECT count(*) FROM schema_migrations"), (long)n);
}
END_TEST

START_TEST(dry_run_changes_nothing) {
  it_fresh_db("m_dry");
  size_t n;
  const db_migration *list = all(&n);
  migrate_result r;
  char err[MIGRATE_ERR_LEN] = "";
  ck_assert_msg(run("m_dry", list, n, MIGRATE_DRY_RUN, &r, err) == MIGRATE_OK, "%s", err);
  ck_assert_uint_eq(r.count, n);
  ck_assert_int_eq(r.current, 0);
  migrate_result_free(&r);
  ck_assert_int_eq(it_count("m_dry", "SELECT count(*) FROM pg_tables WHERE schemaname='public'"),
                   0);
  it_migrate("m_dry");
  ck_assert_msg(run("m_dry", list, n, MIGRATE_DRY_RUN, &r, err) == MIGRATE_OK, "%s", err);
  ck_assert_uint_eq(r.count, 0);
  migrate_result_free(&r);
}
END_TEST

START_TEST(tampered_checksum_refused) {
  it_fresh_db("m_tamper");
  size_t n;
  const db_migration *list = all(&n);
  it_migrate("m_tamper");
  /* the file was edited after it was applied: the build's checksum differs */
  db_migration edited[MIGRATIONS_CAP + 1];
  ck_assert_uint_le(n, MIGRATIONS_CAP);
  memcpy(edited, list, n * sizeof *list);
  edited[0].checksum = SUM_A;
  edited[n] = (db_migration){900, "later", "CREATE TABLE later (x int);", 27, SUM_B};
  migrate_result r;
  char err[MIGRATE_ERR_LEN] = "";
  ck_assert_int_eq(run("m_tamper", edited, n + 1, MIGRATE_APPLY, &r, err),
                   MIGRATE_CHECKSUM_MISMATCH);
  ck_assert_ptr_nonnull(strstr(err, "0001_initial"));
  ck_assert_uint_eq(r.count, 0);
  migrate_result_free(&r);
  /* nothing applied: the later migration did not run */
  ck_assert_int_eq(it_count("m_tamper", "SELECT count(*) FROM pg_tables WHERE tablename='later'"),
                   0);
  /* the same when the row in the database was altered */
  it_sql("m_tamper", "UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE version = 1");
  ck_assert_int_eq(run("m_tamper", list, n, MIGRATE_APPLY, &r, err), MIGRATE_CHECKSUM_MISMATCH);
  migrate_result_free(&r);
}
END_TEST

START_TEST(unknown_version_refused) {
  it_fresh_db("m_unknown");
  size_t n;
  const db_migration *list = all(&n);
  it_migrate("m_unknown");
  char sql[256];
  snprintf(sql, sizeof sql, "INSERT INTO schema_migrations (version, name, checksum) "
                            "VALUES (4242, 'from_the_future', '%s')", SUM_C);
  it_sql("m_unknown", sql);
  migrate_result r;
  char err[MIGRATE_ERR_LEN] = "";
  ck_assert_int_eq(run("m_unknown", list, n, MIGRATE_APPLY, &r, err), MIGRATE_UNKNOWN_VERSION);
  ck_assert_ptr_nonnull(strstr(err, "4242"));
  migrate_result_free(&r);
}
END_TEST

START_TEST(out_of_order_refused) {
  it_fresh_db("m_order");
  const db_migration v1 = {1, "one", "CREATE TABLE one (x int);", 25, SUM_A};
  const db_migration v2 = {2, "two", "CREATE TABLE two (x int);", 25, SUM_B};
  const db_migration v3 = {3, "three", "CREATE TABLE three (x int);", 27, SUM_C};
  const db_migration first[] = {v1, v3};
  const db_migration merged[] = {v1, v2, v3};
  migrate_result r;
  char err[MIGRATE_ERR_LEN] = "";
  ck_assert_msg(run("m_order", first, 2, MIGRATE_APPLY, &r, err) == MIGRATE_OK, "%s", err);
  migrate_result_free(&r);
  ck_assert_int_eq(run("m_order", merged, 3, MIGRATE_APPLY, &r, err), MIGRATE_OUT_OF_ORDER);
  ck_assert_ptr_nonnull(strstr(err, "0002_two"));
  migrate_result_free(&r);
  ck_assert_int_eq(it_count("m_order", "SELECT count(*) FROM pg_tables WHERE tablename='two'"), 0);
  /* an unsorted list is the build's bug: refused before touching anything */
  const db_migration unsorted[] = {v2, v1};
  ck_assert_int_eq(run("m_order", unsorted, 2, MIGRATE_APPLY, &r, err), MIGRATE_BAD_REQUEST);
  migrate_result_free(&r);
}
END_TEST

START_TEST(failing_migration_rolled_back) {
  it_fresh_db("m_fail");
  const db_migration ok = {1, "ok", "CREATE TABLE ok (x int);", 24, SUM_A};
  const char bad_sql[] = "CREATE TABLE half (x int);\nINSERT INTO ok VALUES (1);\nSELECT 1/0;\n";
  const db_migration bad = {2, "bad", bad_sql, sizeof bad_sql - 1, SUM_B};
  const db_migration never = {3, "never", "CREATE TABLE never (x int);", 27, SUM_C};
  const db_migration list[] = {ok, bad, never};
  migrate_result r;
  char err[MIGRATE_ERR_LEN] = "";
  ck_assert_int_eq(run("m_fail", list, 3, MIGRATE_APPLY, &r, err), MIGRATE_MIGRATION_FAILED);
  ck_assert_ptr_nonnull(strstr(err, "0002_bad"));
  ck_assert_ptr_nonnull(strstr(err, "22012")); /* division_by_zero */
  ck_assert_uint_eq(r.count, 1);
  ck_assert_int_eq(r.current, 1);
  migrate_result_free(&r);
  ck_assert_int_eq(it_count("m_fail", "SELECT max(version) FROM schema_migrations"), 1);
  ck_assert_int_eq(it_count("m_fail", "SELECT count(*) FROM pg_tables WHERE tablename IN "
                                      "('half','never')"), 0);
  ck_assert_int_eq(it_count("m_fail", "SELECT count(*) FROM ok"), 0);
  /* the lock was released on the failure path: a fixed build goes through */
  const db_migration fixed = {2, "bad", "SELECT 1;", 9, SUM_B};
  const db_migration list2[] = {ok, fixed, never};
  ck_assert_msg(run("m_fail", list2, 3, MIGRATE_APPLY, &r, err) == MIGRATE_OK, "%s", err);
  ck_assert_uint_eq(r.count, 2);
  migrate_result_free(&r);
}
END_TEST

START_TEST(migration_that_commits_is_reported) {
  it_fresh_db("m_commit");
  const char sql[] = "CREATE TABLE c (x int);\nCOMMIT;\n";
  const db_migration list[] = {{1, "commits", sql, sizeof sql - 1, SUM_A}};
  migrate_result r;
  char err[MIGRATE_ERR_LEN] = "";
  ck_assert_int_eq(run("m_commit", list, 1, MIGRATE_APPLY, &r, err), MIGRATE_MIGRATION_FAILED);
  ck_assert_ptr_nonnull(strstr(err, "COMMIT"));
  migrate_result_free(&r);
  ck_assert_int_eq(it_count("m_commit", "SELECT count(*) FROM schema_migrations"), 0);
}
END_TEST

typedef struct racer {
  const db_migration *list;
  size_t n;
  migrate_status st;
  size_t applied;
  int current;
  char err[MIGRATE_ERR_LEN];
} racer;

static void *race(void *arg) {
  racer *rc = arg;
  char err[TPG_ERR_LEN] = "";
  PGconn *c = tpg_connect(it_server(), "m_race", err);
  if (!c) {
    rc->st = MIGRATE_DATABASE;
    return NULL;
  }
  migrate_result r;
  rc->st = migrate_run(c, rc->list, rc->n, MIGRATE_APPLY, 20000, NULL, &r, rc->err);
  rc->applied = r.count;
  rc->current = r.current;
  migrate_result_free(&r);
  PQfinish(c);
  return NULL;
}

START_TEST(concurrent_runs_apply_once) {
  it_fresh_db("m_race");
  size_t n;
  const db_migration *real = all(&n);
  /* a slow last migration keeps the first run inside the lock while the
   * second arrives; the second must wait, then find everything applied */
  db_migration list[MIGRATIONS_CAP + 1];
  ck_assert_uint_le(n, MIGRATIONS_CAP);
  memcpy(list, real, n * sizeof *real);
  list[n] = (db_migration){9000, "slow", "SELECT pg_sleep(1);", 18, SUM_A};
  racer a = {.list = list, .n = n + 1}, b = a;
  pthread_t ta, tb;
  ck_assert_int_eq(pthread_create(&ta, NULL, race, &a), 0);
  ck_assert_int_eq(pthread_create(&tb, NULL, race, &b), 0);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  ck_assert_msg(a.st == MIGRATE_OK && b.st == MIGRATE_OK, "a: %s, b: %s", a.err, b.err);
  ck_assert_uint_eq(a.applied + b.applied, n + 1);
  ck_assert(a.applied == 0 || b.applied == 0);
  ck_assert_int_eq(a.current, 9000);
  ck_assert_int_eq(b.current, 9000);
  ck_assert_int_eq(it_count("m_race", "SELECT count(*) FROM schema_migrations"), (long)n + 1);
}
END_TEST

typedef struct killer_arg {
  int pid;
} killer_arg;

/* Terminates the backend once it is inside the slow migration. */
static void *kill_in_migration(void *arg) {
  killer_arg *k = arg;
  char sql[160];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_stat_activity WHERE pid = %d AND "
                            "query LIKE '%%pg_sleep(3)%%'", k->pid);
  for (int i = 0; i < 100 && it_count(NULL, sql) == 0; i++) usleep(50000);
  it_terminate(k->pid);
  return NULL;
}

START_TEST(connection_lost_mid_migration) {
  it_fresh_db("m_lost");
  const db_migration one = {1, "one", "CREATE TABLE one (x int);", 25, SUM_A};
  const db_migration slow = {2, "slow", "CREATE TABLE slow (x int);\nSELECT pg_sleep(3);\n", 47,
                             SUM_B};
  const db_migration list[] = {one, slow};
  PGconn *c = conn_to("m_lost");
  killer_arg k = {PQbackendPID(c)};
  pthread_t t;
  ck_assert_int_eq(pthread_create(&t, NULL, kill_in_migration, &k), 0);
  migrate_result r;
  char err[MIGRATE_ERR_LEN] = "";
  migrate_status st = migrate_run(c, list, 2, MIGRATE_APPLY, 2000, NULL, &r, err);
  pthread_join(t, NULL);
  PQfinish(c);
  ck_assert_msg(st == MIGRATE_MIGRATION_FAILED, "%s: %s", migrate_status_name(st), err);
  ck_assert_uint_eq(r.count, 1); /* the first one committed before the loss */
  migrate_result_free(&r);
  ck_assert_int_eq(it_count("m_lost", "SELECT count(*) FROM pg_tables WHERE tablename = 'slow'"),
                   0);
  /* the lock died with the session: the next run finishes the job */
  ck_assert_msg(run("m_lost", list, 2, MIGRATE_APPLY, &r, err) == MIGRATE_OK, "%s", err);
  ck_assert_uint_eq(r.count, 1);
  ck_assert_int_eq(r.current, 2);
  migrate_result_free(&r);
}
END_TEST

START_TEST(lock_held_elsewhere_times_out) {
  it_fresh_db("m_lock");
  PGconn *holder = conn_to("m_lock");
  PGresult *res = PQexec(holder, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")");
  ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
  PQclear(res);
  size_t n;
  const db_migration *list = all(&n);
  PGconn *c = conn_to("m_lock");
  migrate_result r;
  char err[MIGRATE_ERR_LEN] = "";
  ck_assert_int_eq(migrate_run(c, list, n, MIGRATE_APPLY, 300, NULL, &r, err),
                   MIGRATE_LOCK_TIMEOUT);
  migrate_result_free(&r);
  ck_assert_int_eq(it_count("m_lock", "SELECT count(*) FROM pg_tables WHERE schemaname='public'"),
                   0);
  PQfinish(holder); /* the lock goes with its session */
  ck_assert_msg(migrate_run(c, list, n, MIGRATE_APPLY, 300, NULL, &r, err) == MIGRATE_OK, "%s",
                err);
  migrate_result_free(&r);
  PQfinish(c);
}
END_TEST

static void set_db_env(const char *db) {
  char port[16];
  snprintf(port, sizeof port, "%d", it_server()->port);
  setenv("DB_HOST", "127.0.0.1", 1);
  setenv("DB_PORT", port, 1);
  setenv("DB_NAME", db, 1);
  setenv("DB_USER", "postgres", 1);
  setenv("DB_SSLMODE", "disable", 1);
  unsetenv("DB_IAM_AUTH");
}

/* The invocation's logger: a memory stream the test reads back. */
static lr_logger inv_log;
static char *log_text;
static size_t log_len;

static int invoke(void *app, const char *event, lr_buf *out, lr_fault *fault) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  lr_context ctx = {.request_id = "req-1", .invoked_function_arn = "", .trace_id = "",
                    .client_context = "", .cognito_identity = "", .function_name = "migrate",
                    .deadline_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + 60000,
                    .log = &inv_log};
  lr_buf_reset(out);
  memset(fault, 0, sizeof *fault);
  return migrate_handler.invoke(app, &ctx, event, strlen(event), out, fault);
}

/* The list of every embedded migration as the answer writes it. */
static void expected_list(lr_buf *b) {
  size_t n;
  const db_migration *list = all(&n);
  for (size_t i = 0; i < n; i++)
    lr_buf_addf(b, "%s{\"version\":%d,\"name\":\"%s\"}", i ? "," : "", list[i].version,
                list[i].name);
}

START_TEST(handler_end_to_end) {
  it_fresh_db("m_handler");
  set_db_env("m_handler");
  setenv("DB_PASSWORD", "never-logged-secret", 1); /* trust auth ignores it */
  FILE *mem = open_memstream(&log_text, &log_len);
  ck_assert_ptr_nonnull(mem);
  lr_logger_init(&inv_log, mem, "orders", "migrate");
  ck_assert_str_eq(migrate_handler.name, "migrate");
  void *app = NULL;
  lr_fault fault;
  memset(&fault, 0, sizeof fault);
  ck_assert_msg(migrate_handler.init(&app, NULL, &fault) == LR_HANDLER_OK, "%s", fault.message);
  lr_buf out;
  lr_buf_init(&out, 1 << 16);
  size_t n;
  int last = all(&n)[n - 1].version;
  lr_buf want;
  lr_buf_init(&want, 1 << 16);
  lr_buf_adds(&want, "{\"dry_run\":true,\"pending\":[");
  expected_list(&want);
  lr_buf_adds(&want, "],\"current\":0}");
  ck_assert_int_eq(invoke(app, "{\"dry_run\":true}", &out, &fault), LR_HANDLER_OK);
  ck_assert_str_eq(lr_buf_str(&out), lr_buf_str(&want));
  lr_buf_reset(&want);
  lr_buf_adds(&want, "{\"applied\":[");
  expected_list(&want);
  lr_buf_addf(&want, "],\"current\":%d}", last);
  ck_assert_int_eq(invoke(app, "{}", &out, &fault), LR_HANDLER_OK);
  ck_assert_str_eq(lr_buf_str(&out), lr_buf_str(&want));
  lr_buf_reset(&want);
  lr_buf_addf(&want, "{\"applied\":[],\"current\":%d}", last);
  ck_assert_int_eq(invoke(app, "", &out, &fault), LR_HANDLER_OK);
  ck_assert_str_eq(lr_buf_str(&out), lr_buf_str(&want));
  lr_buf_free(&want);
  ck_assert_int_eq(invoke(app, "{\"dry_run\":\"yes\"}", &out, &fault), LR_HANDLER_ERROR);
  ck_assert_str_eq(fault.type, "Migrate.BadRequest");
  /* the database was changed behind its back: refused, and the answer says why */
  it_sql("m_handler", "UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE version = 1");
  ck_assert_int_eq(invoke(app, "{}", &out, &fault), LR_HANDLER_ERROR);
  ck_assert_str_eq(fault.type, "Migrate.ChecksumMismatch");
  ck_assert_ptr_nonnull(strstr(fault.message, "0001_initial"));
  lr_buf_free(&out);
  migrate_handler.shutdown(app);
  fclose(mem);
  ck_assert_ptr_nonnull(strstr(log_text, "\"migration applied\""));
  ck_assert_ptr_nonnull(strstr(log_text, "\"migrate failed\""));
  ck_assert_ptr_null(strstr(log_text, "never-logged-secret"));
  free(log_text);
  unsetenv("DB_PASSWORD");
}
END_TEST

START_TEST(handler_init_config_error) {
  set_db_env("m_handler");
  unsetenv("DB_HOST");
  void *app = NULL;
  lr_fault fault;
  memset(&fault, 0, sizeof fault);
  ck_assert_int_eq(migrate_handler.init(&app, NULL, &fault), LR_HANDLER_ERROR);
  ck_assert_str_eq(fault.type, "Runtime.ConfigError");
  ck_assert_ptr_nonnull(strstr(fault.message, "DB_HOST"));
  ck_assert_ptr_null(app);
}
END_TEST

START_TEST(handler_database_down) {
  set_db_env("m_nowhere");
  setenv("DB_PORT", "1", 1); /* nothing listens there */
  void *app = NULL;
  lr_fault fault;
  memset(&fault, 0, sizeof fault);
  /* lazy: init succeeds without the database */
  ck_assert_int_eq(migrate_handler.init(&app, NULL, &fault), LR_HANDLER_OK);
  lr_buf out;
  lr_buf_init(&out, 4096);
  ck_assert_int_eq(invoke(app, "{}", &out, &fault), LR_HANDLER_ERROR);
  ck_assert_str_eq(fault.type, "Migrate.DatabaseError");
  lr_buf_free(&out);
  migrate_handler.shutdown(app);
}
END_TEST

int main(void) {
  Suite *s = suite_create("integration.db.migrate");
  TCase *tc = tcase_create("migrate");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, from_empty_then_rerun);
  tcase_add_test(tc, dry_run_changes_nothing);
  tcase_add_test(tc, tampered_checksum_refused);
  tcase_add_test(tc, unknown_version_refused);
  tcase_add_test(tc, out_of_order_refused);
  tcase_add_test(tc, failing_migration_rolled_back);
  tcase_add_test(tc, migration_that_commits_is_reported);
  tcase_add_test(tc, concurrent_runs_apply_once);
  tcase_add_test(tc, lock_held_elsewhere_times_out);
  tcase_add_test(tc, connection_lost_mid_migration);
  tcase_add_test(tc, handler_end_to_end);
  tcase_add_test(tc, handler_init_config_error);
  tcase_add_test(tc, handler_database_down);
  suite_add_tcase(s, tc);
  return it_main(s, NULL);
}
