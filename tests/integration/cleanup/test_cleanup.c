/* The cleanup function against PostgreSQL and fauxqs (S3 + SQS): the archive
 * and the outbox relay end to end through cl_invoke. Instants come from the
 * database clock (rows are made "N days ago" by now()). */
#include <check.h>
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cl_itest.h"
#include "lr/clock.h"
#include "lr/json.h"
#include "mock_http.h"

/* n orders of status, last updated days ago (spread by microseconds), two lines each. */
static void make_orders(const char *db, const char *cust, int n, const char *status, int days) {
  char sql[2048];
  const char *reason = strcmp(status, "REJECTED") == 0 ? "'out of \"stock\" \\ caf\xc3\xa9 \xf0\x9f\x93\xa6'" : "NULL";
  snprintf(sql, sizeof sql,
           "WITH o AS (INSERT INTO orders (customer_id, status, currency, total_cents, reject_reason, created_at, updated_at)"
           " SELECT '%s-' || g, '%s', 'EUR', 500, %s, now() - interval '%d days' - interval '1 hour',"
           " now() - interval '%d days' + g * interval '1 microsecond' FROM generate_series(1, %d) g RETURNING id),"
           " i1 AS (INSERT INTO order_items SELECT id, 1, 'SKU-1', 1, 100 FROM o)"
           " INSERT INTO order_items SELECT id, 2, 'SKU-2', 2, 200 FROM o",
           cust, status, reason, days, days, n);
  it_sql(db, sql);
}

static void fresh(const char *db) {
  char err[TPG_ERR_LEN] = "";
  it_fresh_db(db);
  it_migrate(db);
  ck_assert_msg(tpg_apply_seed(it_server(), db, err) == 0, "%s", err);
}

static long long answer_num(const lr_buf *answer, const char *field) {
  cJSON *root = cJSON_ParseWithLength(answer->data, answer->len);
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, field);
  ck_assert_msg(v != NULL, "no %s in %s", field, lr_buf_str(answer));
  long long n = cJSON_IsBool(v) ? cJSON_IsTrue(v) : (long long)v->valuedouble;
  cJSON_Delete(root);
  return n;
}

/* The line matches the copied row field by field, lines included. */
static void check_line(PGconn *c, const cJSON *o) {
  static const char *const fields[] = {"schema_version", "id", "customer_id", "status", "currency", "total_cents",
                                       "reject_reason", "created_at", "updated_at", "items"};
  ck_assert_int_eq(cJSON_GetArraySize(o), 10);
  for (size_t i = 0; i < 10; i++) ck_assert_msg(cJSON_GetObjectItemCaseSensitive(o, fields[i]) != NULL, "no %s", fields[i]);
  ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(o, "schema_version")->valueint, 1);
  ck_assert(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "total_cents")));
  const cJSON *reason = cJSON_GetObjectItemCaseSensitive(o, "reject_reason");
  ck_assert(cJSON_IsNull(reason) || cJSON_IsString(reason));
  char total[32];
  snprintf(total, sizeof total, "%.0f", cJSON_GetObjectItemCaseSensitive(o, "total_cents")->valuedouble);
  char *items = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o, "items"));
  const char *p[] = {cJSON_GetObjectItemCaseSensitive(o, "id")->valuestring,
                     cJSON_GetObjectItemCaseSensitive(o, "customer_id")->valuestring,
                     cJSON_GetObjectItemCaseSensitive(o, "status")->valuestring,
                     cJSON_GetObjectItemCaseSensitive(o, "currency")->valuestring, total,
                     cJSON_IsNull(reason) ? NULL : reason->valuestring,
                     cJSON_GetObjectItemCaseSensitive(o, "created_at")->valuestring,
                     cJSON_GetObjectItemCaseSensitive(o, "updated_at")->valuestring, items};
  PGresult *r = PQexecParams(c,
      "SELECT count(*) FROM oc o WHERE o.id = $1::uuid AND o.customer_id = $2 AND o.status = $3"
      " AND o.currency = $4 AND o.total_cents = $5::bigint AND o.reject_reason IS NOT DISTINCT FROM $6"
      " AND o.created_at = $7::timestamptz AND o.updated_at = $8::timestamptz"
      " AND (SELECT jsonb_agg(jsonb_build_object('line', line, 'sku', sku, 'quantity', quantity,"
      "  'unit_price_cents', unit_price_cents) ORDER BY line) FROM ic WHERE ic.order_id = o.id) = $9::jsonb"
      " AND NOT EXISTS (SELECT 1 FROM orders WHERE id = o.id)",
      9, NULL, p, NULL, NULL, 0);
  ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
  ck_assert_msg(strcmp(PQgetvalue(r, 0, 0), "1") == 0, "line does not match a deleted row: %s", p[0]);
  PQclear(r);
  cJSON_free(items);
}

/* Every object under prefix, checked line by line; the number of lines. */
static int check_objects(const char *db, const char *prefix) {
  char err[TPG_ERR_LEN] = "";
  PGconn *c = tpg_connect(it_server(), db, err);
  ck_assert_msg(c != NULL, "%s", err);
  lr_buf keys;
  lr_buf_init(&keys, 64u << 20);
  clt_list(prefix, &keys);
  int lines = 0;
  for (char *k = keys.data, *nl; k && (nl = strchr(k, '\n')); k = nl + 1) {
    *nl = '\0';
    ck_assert_msg(strstr(k, "/dt=") && strstr(k, ".jsonl.gz"), "key %s", k);
    lr_buf text;
    lr_buf_init(&text, 64u << 20);
    clt_get_gunzip(k, &text);
    for (char *l = text.data, *e; l && (e = strchr(l, '\n')); l = e + 1) {
      *e = '\0';
      cJSON *o = NULL;
      ck_assert_int_eq(lr_json_parse(l, strlen(l), LR_JSON_STRICT, &o), LR_JSON_OK);
      check_line(c, o);
      cJSON_Delete(o);
      lines++;
    }
    lr_buf_free(&text);
  }
  lr_buf_free(&keys);
  PQfinish(c);
  return lines;
}

START_TEST(archive_moves_only_old_terminal_orders) {
  const char *db = "cl_mix";
  fresh(db);
  make_orders(db, "old-conf", 3, "CONFIRMED", 100);
  make_orders(db, "old-rej", 2, "REJECTED", 100);
  make_orders(db, "old-canc", 2, "CANCELLED", 95);
  make_orders(db, "old-pend", 2, "PENDING", 100);
  make_orders(db, "new-conf", 2, "CONFIRMED", 10);
  make_orders(db, "new-canc", 1, "CANCELLED", 89);
  it_sql(db, "INSERT INTO idempotency_keys (customer_id, key, request_hash, order_id, response, created_at, expires_at)"
             " SELECT customer_id, 'k-' || customer_id, sha256('x'::bytea), id, '{}'::jsonb, now() - interval '2 days',"
             "  now() - interval '1 day' FROM orders WHERE customer_id IN ('new-conf-1', 'old-pend-1')"
             " UNION ALL SELECT customer_id, 'k2-' || customer_id, sha256('x'::bytea), id, '{}'::jsonb, now(), now() + interval '1 day'"
             " FROM orders WHERE customer_id = 'new-conf-2'");
  it_sql(db, "CREATE TABLE oc AS SELECT * FROM orders; CREATE TABLE ic AS SELECT * FROM order_items");
  const char *const extra[] = {"ARCHIVE_BATCH_ROWS", "3", "ARCHIVE_PREFIX", "mix", NULL};
  cl_app *a = clt_app(db, extra, NULL);
  lr_buf ans;
  lr_buf_init(&ans, 64u << 20);
  ck_assert_msg(clt_invoke(a, "{\"task\":\"archive\"}", 0, &ans) == LR_HANDLER_OK, "%s", lr_buf_str(&ans));
  ck_assert_int_eq(answer_num(&ans, "archived"), 7);
  ck_assert_int_eq(answer_num(&ans, "objects"), 3);
  ck_assert_int_eq(answer_num(&ans, "keys_purged"), 2);
  ck_assert_int_eq(answer_num(&ans, "complete"), 1);
  ck_assert_int_gt(answer_num(&ans, "bytes"), 0);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM orders WHERE customer_id LIKE 'old-pend%' OR customer_id LIKE 'new-%'"), 5);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM orders"), 5);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM idempotency_keys"), 1);
  ck_assert_int_eq(clt_list("mix/", NULL), 3);
  ck_assert_int_eq(check_objects(db, "mix/"), 7);
  /* A rerun finds nothing and writes nothing. */
  lr_buf_reset(&ans);
  ck_assert_int_eq(clt_invoke(a, "{\"task\":\"archive\"}", 0, &ans), LR_HANDLER_OK);
  ck_assert_str_eq(lr_buf_str(&ans), "{\"task\":\"archive\",\"archived\":0,\"objects\":0,\"bytes\":0,\"keys_purged\":0,\"complete\":true}");
  ck_assert_int_eq(clt_list("mix/", NULL), 3);
  lr_buf_free(&ans);
  cl_app_free(a);
}
END_TEST

/* An object above ARCHIVE_MULTIPART_THRESHOLD_BYTES goes as a multipart
 * upload (fauxqs checks the 5 MiB minimum of every part but the last, the
 * ETags and the checksums) and reads back row for row. The rows carry 500
 * random hex characters each, so that one batch gzips to more than one part. */
START_TEST(archive_multipart_reads_back) {
  const char *db = "cl_multipart";
  fresh(db);
  it_sql(db, "WITH o AS (INSERT INTO orders (customer_id, status, currency, total_cents, reject_reason, created_at, updated_at)"
             " SELECT 'mp-' || md5(random()::text), 'REJECTED', 'EUR', 500,"
             "  (SELECT string_agg(md5(random()::text || g || k), '') FROM generate_series(1, 16) k)::varchar(500),"
             "  now() - interval '100 days', now() - interval '100 days' + g * interval '1 microsecond'"
             " FROM generate_series(1, 20000) g RETURNING id),"
             " i1 AS (INSERT INTO order_items SELECT id, 1, 'SKU-1', 1, 100 FROM o)"
             " INSERT INTO order_items SELECT id, 2, 'SKU-2', 2, 200 FROM o");
  it_sql(db, "CREATE TABLE oc AS SELECT * FROM orders; CREATE TABLE ic AS SELECT * FROM order_items;"
             " CREATE INDEX ON oc (id); CREATE INDEX ON ic (order_id)");
  const char *const extra[] = {"ARCHIVE_BATCH_ROWS", "20000", "ARCHIVE_PREFIX", "multi",
                               "ARCHIVE_MULTIPART_THRESHOLD_BYTES", "1024", NULL};
  cl_app *a = clt_app(db, extra, NULL);
  lr_buf ans;
  lr_buf_init(&ans, 64u << 20);
  ck_assert_msg(clt_invoke(a, "{\"task\":\"archive\"}", 0, &ans) == LR_HANDLER_OK, "%s", lr_buf_str(&ans));
  ck_assert_int_eq(answer_num(&ans, "archived"), 20000);
  ck_assert_int_eq(answer_num(&ans, "objects"), 1);
  ck_assert_int_gt(answer_num(&ans, "bytes"), (long long)LR_S3_MIN_PART_BYTES); /* two parts at least */
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM orders"), 0);
  ck_assert_int_eq(clt_list("multi/", NULL), 1);
  ck_assert_int_eq(check_objects(db, "multi/"), 20000);
  lr_buf_free(&ans);
  cl_app_free(a);
}
END_TEST

/* S3 unreachable, failing or hanging: nothing is deleted, the answer comes in time. */
static void archive_against(const char *db, const char *endpoint, int64_t budget_ms) {
  const char *const extra[] = {"AWS_ENDPOINT_URL_S3", endpoint, "ARCHIVE_PREFIX", "fail", NULL};
  cl_app *a = clt_app(db, extra, NULL);
  lr_buf ans;
  lr_buf_init(&ans, 64u << 20);
  int64_t deadline = lr_clock_epoch_ms() + budget_ms;
  ck_assert_int_eq(clt_invoke(a, "{\"task\":\"archive\"}", deadline, &ans), LR_HANDLER_ERROR);
  ck_assert_int_lt(lr_clock_epoch_ms(), deadline);
  ck_assert_msg(strstr(lr_buf_str(&ans), "Cleanup.ArchiveFailed") && strstr(lr_buf_str(&ans), "\"archived\":0"), "%s", lr_buf_str(&ans));
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM orders"), 4);
  lr_buf_free(&ans);
  cl_app_free(a);
}

START_TEST(archive_s3_failure_deletes_nothing) {
  const char *db = "cl_s3fail";
  fresh(db);
  make_orders(db, "old", 4, "CONFIRMED", 100);
  archive_against(db, "http://127.0.0.1:1", 20000);
  mock_action err500[] = {{MOCK_REPLY, 500, NULL, "<Error><Code>InternalError</Code></Error>", 0},
                          {MOCK_REPLY, 500, NULL, "<Error><Code>InternalError</Code></Error>", 0},
                          {MOCK_REPLY, 500, NULL, "<Error><Code>InternalError</Code></Error>", 0}};
  mock_server m;
  mock_start(&m, err500, 3);
  char ep[64];
  snprintf(ep, sizeof ep, "http://127.0.0.1:%d", m.port);
  archive_against(db, ep, 20000);
  mock_stop(&m);
  mock_free(&m);
  mock_action hang[] = {{MOCK_HANG, 0, NULL, NULL, 0}, {MOCK_HANG, 0, NULL, NULL, 0}, {MOCK_HANG, 0, NULL, NULL, 0}};
  mock_start(&m, hang, 3);
  snprintf(ep, sizeof ep, "http://127.0.0.1:%d", m.port);
  archive_against(db, ep, 4000);
  mock_stop(&m);
  mock_free(&m);
  ck_assert_int_eq(clt_list("fail/", NULL), 0);
}
END_TEST

START_TEST(archive_tiny_deadline_stops_early) {
  const char *db = "cl_tiny";
  fresh(db);
  make_orders(db, "old", 5, "CANCELLED", 100);
  const char *const extra[] = {"ARCHIVE_PREFIX", "tiny", NULL};
  cl_app *a = clt_app(db, extra, NULL);
  lr_buf ans;
  lr_buf_init(&ans, 64u << 20);
  ck_assert_msg(clt_invoke(a, "{\"task\":\"archive\"}", lr_clock_epoch_ms() + 1700, &ans) == LR_HANDLER_OK, "%s", lr_buf_str(&ans));
  ck_assert_int_eq(answer_num(&ans, "complete"), 0);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM orders") + answer_num(&ans, "archived"), 5);
  ck_assert_int_eq(clt_list("tiny/", NULL), (int)answer_num(&ans, "objects"));
  lr_buf_free(&ans);
  cl_app_free(a);
}
END_TEST

static void crash_now(void *arg, const char *key) {
  (void)arg;
  (void)key;
  _exit(42);
}

/* Runs event in a child whose hook ends it with code: a crash mid-task. */
static void invoke_until_crash(const char *db, const char *const *extra, const cl_hooks *h, const char *event,
                               int code) {
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    cl_app *a = clt_app(db, extra, h);
    lr_buf ans;
    lr_buf_init(&ans, 64u << 20);
    clt_invoke(a, event, 0, &ans);
    _exit(0);
  }
  int status = 0;
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == code);
}

START_TEST(archive_crash_between_put_and_delete) {
  const char *db = "cl_crash";
  fresh(db);
  make_orders(db, "old", 6, "CONFIRMED", 120);
  it_sql(db, "CREATE TABLE oc AS SELECT * FROM orders; CREATE TABLE ic AS SELECT * FROM order_items");
  const char *const extra[] = {"ARCHIVE_PREFIX", "crash", NULL};
  cl_hooks h = {.after_put = crash_now};
  invoke_until_crash(db, extra, &h, "{\"task\":\"archive\"}", 42);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM orders"), 6);
  ck_assert_int_eq(clt_list("crash/", NULL), 1);
  cl_app *a = clt_app(db, extra, NULL);
  lr_buf ans;
  lr_buf_init(&ans, 64u << 20);
  ck_assert_int_eq(clt_invoke(a, "{\"task\":\"archive\"}", 0, &ans), LR_HANDLER_OK);
  ck_assert_int_eq(answer_num(&ans, "archived"), 6);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM orders"), 0);
  ck_assert_int_eq(clt_list("crash/", NULL), 1);
  ck_assert_int_eq(check_objects(db, "crash/"), 6);
  lr_buf_free(&ans);
  cl_app_free(a);
}
END_TEST

/* The DELETE of a batch runs beside the next batch's SELECT and PUT. When it
 * fails (here the second DELETE statement), the run fails with what was
 * deleted so far counted; the rows of the failed batch and of the one put
 * meanwhile stay, and the next run writes the same objects again. */
START_TEST(archive_delete_failure_loses_nothing) {
  const char *db = "cl_delfail";
  fresh(db);
  make_orders(db, "old", 9, "CONFIRMED", 100);
  it_sql(db, "CREATE TABLE oc AS SELECT * FROM orders; CREATE TABLE ic AS SELECT * FROM order_items;"
             " CREATE SEQUENCE deletes;"
             " CREATE FUNCTION fail_second_delete() RETURNS trigger LANGUAGE plpgsql AS $$"
             " BEGIN IF nextval('deletes') = 2 THEN RAISE EXCEPTION 'second delete refused'; END IF; RETURN NULL; END $$;"
             " CREATE TRIGGER fail_second_delete BEFORE DELETE ON orders"
             "  FOR EACH STATEMENT EXECUTE FUNCTION fail_second_delete()");
  const char *const extra[] = {"ARCHIVE_BATCH_ROWS", "3", "ARCHIVE_PREFIX", "delfail", NULL};
  cl_app *a = clt_app(db, extra, NULL);
  lr_buf ans;
  lr_buf_init(&ans, 64u << 20);
  ck_assert_int_eq(clt_invoke(a, "{\"task\":\"archive\"}", 0, &ans), LR_HANDLER_ERROR);
  ck_assert_msg(strstr(lr_buf_str(&ans), "Cleanup.ArchiveFailed") && strstr(lr_buf_str(&ans), "second delete refused") &&
                    strstr(lr_buf_str(&ans), "\"archived\":3"), "%s", lr_buf_str(&ans));
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM orders"), 6);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM order_items"), 12);
  ck_assert_int_eq(clt_list("delfail/", NULL), 3);
  it_sql(db, "DROP TRIGGER fail_second_delete ON orders");
  lr_buf_reset(&ans);
  ck_assert_msg(clt_invoke(a, "{\"task\":\"archive\"}", 0, &ans) == LR_HANDLER_OK, "%s", lr_buf_str(&ans));
  ck_assert_int_eq(answer_num(&ans, "archived"), 6);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM orders"), 0);
  ck_assert_int_eq(clt_list("delfail/", NULL), 3); /* the same keys, written again */
  ck_assert_int_eq(check_objects(db, "delfail/"), 9);
  lr_buf_free(&ans);
  cl_app_free(a);
}
END_TEST

static const char *late_cancel_db;

/* After the first PUT: the first order read is cancelled, as a client could. */
static void cancel_first(void *arg, const char *key) {
  (void)key;
  int *calls = arg;
  if ((*calls)++ > 0) return;
  it_sql(late_cancel_db, "UPDATE orders SET status = 'CANCELLED'"
                         " WHERE id = (SELECT id FROM orders ORDER BY updated_at, id LIMIT 1)");
}

/* A row changed between its SELECT and its DELETE is not deleted: the
 * archive holds the copy before the change, the database the row after it. */
START_TEST(archive_keeps_a_row_changed_after_it_was_read) {
  late_cancel_db = "cl_late";
  fresh(late_cancel_db);
  make_orders(late_cancel_db, "old", 4, "CONFIRMED", 100);
  const char *const extra[] = {"ARCHIVE_BATCH_ROWS", "2", "ARCHIVE_PREFIX", "late", NULL};
  int calls = 0;
  cl_hooks h = {.after_put = cancel_first, .arg = &calls};
  cl_app *a = clt_app(late_cancel_db, extra, &h);
  lr_buf ans;
  lr_buf_init(&ans, 64u << 20);
  ck_assert_msg(clt_invoke(a, "{\"task\":\"archive\"}", 0, &ans) == LR_HANDLER_OK, "%s", lr_buf_str(&ans));
  ck_assert_int_eq(answer_num(&ans, "archived"), 3);
  ck_assert_int_eq(answer_num(&ans, "objects"), 2);
  ck_assert_int_eq(it_count(late_cancel_db, "SELECT count(*) FROM orders WHERE status = 'CANCELLED'"
                                            " AND updated_at > now() - interval '1 day'"), 1);
  ck_assert_int_eq(it_count(late_cancel_db, "SELECT count(*) FROM orders"), 1);
  lr_buf_free(&ans);
  cl_app_free(a);
}
END_TEST

/* ---- the relay ---------------------------------------------------------- */

static void make_outbox(const char *db, int n, const char *age, int attempts, const char *published,
                        const char *trace) {
  char sql[1024];
  snprintf(sql, sizeof sql,
           "INSERT INTO outbox (order_id, type, payload, created_at, published_at, attempts, trace_header)"
           " SELECT id, 'order.created', jsonb_build_object('type', 'order.created', 'order_id', id),"
           " now() - interval '%s', %s, %d, %s FROM (SELECT id FROM orders ORDER BY id LIMIT %d OFFSET"
           " (SELECT count(*) FROM outbox)) x",
           age, published, attempts, trace, n);
  it_sql(db, sql);
}

/* A relay test's start: N PENDING orders and an empty queue (ignore owns what
 * an earlier test left there; the caller frees it). */
static void relay_fixture(const char *db, int n, lr_buf *ignore) {
  fresh(db);
  make_orders(db, "o", n, "PENDING", 0);
  lr_buf_init(ignore, 64u << 20);
  clt_drain(ignore);
}

static int clt_lock_free;
static const char *clt_lock_db;

/* While the relay sends, another session can lock every claimed row at once. */
static void try_lock(void *arg, size_t n) {
  (void)arg;
  char err[TPG_ERR_LEN] = "";
  PGconn *c = tpg_connect(it_server(), clt_lock_db, err);
  PGresult *r = PQexec(c, "BEGIN; SELECT id FROM outbox WHERE claimed_until IS NOT NULL FOR UPDATE NOWAIT");
  clt_lock_free = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == (int)n;
  PQclear(r);
  PQclear(PQexec(c, "ROLLBACK"));
  PQfinish(c);
}

START_TEST(relay_sends_exactly_the_stuck_rows) {
  const char *db = "cl_relay";
  lr_buf ignore;
  relay_fixture(db, 12, &ignore);
  make_outbox(db, 3, "10 minutes", 0, "NULL", "NULL");
  make_outbox(db, 1, "20 minutes", 2, "NULL", "'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1'");
  make_outbox(db, 2, "10 seconds", 0, "NULL", "NULL");
  make_outbox(db, 1, "30 minutes", 0, "now()", "NULL");
  make_outbox(db, 1, "40 minutes", 10, "NULL", "NULL");
  clt_lock_db = db;
  cl_hooks h = {.before_send = try_lock};
  cl_app *a = clt_app(db, NULL, &h);
  lr_buf ans;
  lr_buf_init(&ans, 64u << 20);
  ck_assert_msg(clt_invoke(a, "{\"task\":\"outbox\"}", 0, &ans) == LR_HANDLER_OK, "%s", lr_buf_str(&ans));
  ck_assert_int_eq(answer_num(&ans, "sent"), 4);
  ck_assert_int_eq(answer_num(&ans, "failed"), 0);
  ck_assert_int_eq(answer_num(&ans, "given_up"), 1);
  ck_assert_int_ge(answer_num(&ans, "oldest_age_seconds"), 40 * 60);
  ck_assert_int_eq(clt_lock_free, 1);
  lr_buf msgs;
  lr_buf_init(&msgs, 64u << 20);
  ck_assert_int_eq(clt_drain(&msgs), 4);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL"), 3);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM outbox WHERE created_at > now() - interval '1 minute' AND published_at IS NULL AND attempts = 0"), 2);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM outbox WHERE claimed_until IS NOT NULL"), 0);
  lr_buf_reset(&ans);
  ck_assert_int_eq(clt_invoke(a, "{\"task\":\"outbox\"}", 0, &ans), LR_HANDLER_OK);
  ck_assert_int_eq(answer_num(&ans, "sent"), 0);
  lr_buf_free(&msgs);
  lr_buf_free(&ans);
  lr_buf_free(&ignore);
  cl_app_free(a);
}
END_TEST

/* fauxqs drops system attributes, so the trace header and a partial failure
 * are checked against the mock server: what was sent, and what was marked. */
START_TEST(relay_keeps_trace_header_and_counts_refusals) {
  const char *db = "cl_relay_mock";
  fresh(db);
  make_orders(db, "o", 3, "PENDING", 0);
  make_outbox(db, 3, "10 minutes", 0, "NULL", "NULL");
  /* the fourth row as the api writes it (order_create with the request's
   * trace header, 0007), past the grace period */
  it_sql(db, "SELECT * FROM order_create('c-trace', NULL, NULL, '[{\"sku\":\"SKU-1\",\"quantity\":1}]', 24, NULL,"
             " 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1');"
             " UPDATE outbox SET created_at = now() - interval '20 minutes' WHERE trace_header IS NOT NULL");
  const char *reply = "{\"Successful\":[{\"Id\":\"m0\",\"MessageId\":\"a\"},{\"Id\":\"m1\",\"MessageId\":\"b\"},"
                      "{\"Id\":\"m2\",\"MessageId\":\"c\"}],\"Failed\":[{\"Id\":\"m3\",\"Code\":\"InvalidMessageContents\","
                      "\"SenderFault\":true}]}";
  mock_action act[] = {{MOCK_REPLY, 200, "Content-Type: application/x-amz-json-1.0\r\n", reply, 0}};
  mock_server m;
  mock_start(&m, act, 1);
  char ep[64];
  snprintf(ep, sizeof ep, "http://127.0.0.1:%d", m.port);
  const char *const extra[] = {"AWS_ENDPOINT_URL_SQS", ep, NULL};
  cl_app *a = clt_app(db, extra, NULL);
  lr_buf ans;
  lr_buf_init(&ans, 1 << 20);
  ck_assert_msg(clt_invoke(a, "{\"task\":\"outbox\"}", 0, &ans) == LR_HANDLER_OK, "%s", lr_buf_str(&ans));
  mock_stop(&m);
  ck_assert_int_eq(answer_num(&ans, "sent"), 3);
  ck_assert_int_eq(answer_num(&ans, "failed"), 1);
  ck_assert_uint_eq(m.n_reqs, 1);
  char target[128];
  ck_assert_str_eq(mock_header(&m, 0, "X-Amz-Target", target, sizeof target), "AmazonSQS.SendMessageBatch");
  cJSON *req = cJSON_ParseWithLength(m.reqs[0].body, m.reqs[0].body_len);
  const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(req, "Entries"), 0);
  const cJSON *th = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(first, "MessageSystemAttributes"), "AWSTraceHeader");
  ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(th, "StringValue")->valuestring, "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
  ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(req, "Entries"), 1), "MessageSystemAttributes"));
  cJSON_Delete(req);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM outbox WHERE published_at IS NOT NULL AND attempts = 1"), 3);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL AND attempts = 1 AND claimed_until IS NULL"), 1);
  mock_free(&m);
  lr_buf_free(&ans);
  cl_app_free(a);
}
END_TEST

/* SQS down: an error naming the cause, an attempt counted, nothing marked
 * sent, and the alarm's figure still in the summary. */
START_TEST(relay_sqs_down_counts_an_attempt) {
  const char *db = "cl_relay_down";
  fresh(db);
  make_orders(db, "o", 2, "PENDING", 0);
  make_outbox(db, 2, "10 minutes", 0, "NULL", "NULL");
  const char *const extra[] = {"AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:1", NULL};
  cl_app *a = clt_app(db, extra, NULL);
  lr_buf ans;
  lr_buf_init(&ans, 1 << 20);
  ck_assert_int_eq(clt_invoke(a, "{\"task\":\"outbox\"}", lr_clock_epoch_ms() + 10000, &ans), LR_HANDLER_ERROR);
  ck_assert_msg(strstr(lr_buf_str(&ans), "Cleanup.OutboxFailed") && strstr(lr_buf_str(&ans), "\"failed\":2"), "%s", lr_buf_str(&ans));
  ck_assert_ptr_null(strstr(lr_buf_str(&ans), "\"oldest_age_seconds\":0"));
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL AND attempts = 1 AND claimed_until IS NULL"), 2);
  lr_buf_free(&ans);
  cl_app_free(a);
}
END_TEST

/* The relay killed between SendMessageBatch and the mark: the rows stay
 * unpublished and leased; once the lease has run out (made to here) the next
 * run sends them again. Each order's message arrives twice, never zero times;
 * the worker answers the second already_handled (faults.worker.duplicates). */
static void crash_after_send(void *arg, size_t n) {
  (void)arg;
  (void)n;
  _exit(43);
}

START_TEST(relay_killed_between_send_and_mark_sends_again) {
  const char *db = "cl_relay_killed";
  lr_buf ignore;
  relay_fixture(db, 8, &ignore);
  make_outbox(db, 8, "10 minutes", 0, "NULL", "NULL");
  cl_hooks h = {.after_send = crash_after_send};
  invoke_until_crash(db, NULL, &h, "{\"task\":\"outbox\"}", 43);
  lr_buf first, second;
  lr_buf_init(&first, 64u << 20);
  lr_buf_init(&second, 64u << 20);
  ck_assert_int_eq(clt_drain(&first), 8); /* sent... */
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL AND attempts = 0"
                                " AND claimed_until > now()"), 8); /* ...not marked, leased */
  /* within the lease another run leaves them alone */
  cl_app *a = clt_app(db, NULL, NULL);
  lr_buf ans;
  lr_buf_init(&ans, 64u << 20);
  ck_assert_int_eq(clt_invoke(a, "{\"task\":\"outbox\"}", 0, &ans), LR_HANDLER_OK);
  ck_assert_int_eq(answer_num(&ans, "sent"), 0);
  /* the lease runs out */
  it_sql(db, "UPDATE outbox SET claimed_until = now() - interval '1 second'");
  lr_buf_reset(&ans);
  ck_assert_int_eq(clt_invoke(a, "{\"task\":\"outbox\"}", 0, &ans), LR_HANDLER_OK);
  ck_assert_int_eq(answer_num(&ans, "sent"), 8);
  ck_assert_int_eq(clt_drain(&second), 8);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL"), 0);
  /* the same eight orders both times */
  char err[TPG_ERR_LEN] = "";
  PGconn *c = tpg_connect(it_server(), db, err);
  PGresult *ids = PQexec(c, "SELECT order_id::text FROM outbox");
  for (int i = 0; i < PQntuples(ids); i++) {
    ck_assert_ptr_nonnull(strstr(lr_buf_str(&first), PQgetvalue(ids, i, 0)));
    ck_assert_ptr_nonnull(strstr(lr_buf_str(&second), PQgetvalue(ids, i, 0)));
  }
  PQclear(ids);
  PQfinish(c);
  lr_buf_free(&ans);
  lr_buf_free(&first);
  lr_buf_free(&second);
  lr_buf_free(&ignore);
  cl_app_free(a);
}
END_TEST

/* Eight stuck outbox rows, and a cleanup app that calls after_send(db, n)
 * between SendMessageBatch and the mark. */
static cl_app *eight_rows_then(char *db, void (*after_send)(void *arg, size_t n), lr_buf *ignore) {
  relay_fixture(db, 8, ignore);
  make_outbox(db, 8, "10 minutes", 0, "NULL", "NULL");
  cl_hooks h = {.after_send = after_send, .arg = db};
  return clt_app(db, NULL, &h);
}

/* The worker deciding an order while the relay marks its row: the worker's
 * batch transaction has updated the row (published_at, as order_decide_batch
 * does) and not committed. The relay's mark must not wait for it: before the
 * marks skipped locked rows, this mark waited until the statement deadline and
 * the run failed (on the stack it was a deadlock with the worker, 40P01). */
static PGconn *clt_worker_tx;

static void worker_holds_one_row(void *arg, size_t n) {
  (void)n;
  char err[TPG_ERR_LEN] = "";
  clt_worker_tx = tpg_connect(it_server(), arg, err);
  PGresult *r = PQexec(clt_worker_tx,
                       "BEGIN; UPDATE outbox SET published_at = coalesce(published_at, greatest(now(), created_at))"
                       " WHERE id = (SELECT id FROM outbox WHERE claimed_until IS NOT NULL ORDER BY id LIMIT 1)");
  ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
  ck_assert_str_eq(PQcmdTuples(r), "1");
  PQclear(r);
}

START_TEST(relay_mark_does_not_wait_for_the_worker) {
  static char db[] = "cl_relay_worker";
  lr_buf ignore;
  cl_app *a = eight_rows_then(db, worker_holds_one_row, &ignore);
  lr_buf ans;
  lr_buf_init(&ans, 64u << 20);
  int64_t t0 = lr_clock_mono_ms();
  int st = clt_invoke(a, "{\"task\":\"outbox\"}", lr_clock_epoch_ms() + 6000, &ans);
  int64_t took = lr_clock_mono_ms() - t0;
  ck_assert_msg(st == LR_HANDLER_OK, "%s", lr_buf_str(&ans));
  ck_assert_int_eq(answer_num(&ans, "sent"), 8);
  /* it did not wait for the lock: the statement deadline is 5 s away */
  ck_assert_msg(took < 3000, "the relay took %lld ms", (long long)took);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL"), 1);
  /* the worker commits: its row is published, none is left */
  PQclear(PQexec(clt_worker_tx, "COMMIT"));
  PQfinish(clt_worker_tx);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL"), 0);
  ck_assert_int_eq(clt_drain(&ignore), 8);
  lr_buf_free(&ans);
  lr_buf_free(&ignore);
  cl_app_free(a);
}
END_TEST

/* Another relay's claim passing over a row: FOR UPDATE keeps a row it
 * rechecked and skipped locked until its statement ends. A mark that ran in
 * that moment skipped the row and left it unpublished (two relays at once
 * left 7 of 60 so in a CI run). The child locks one row of the batch as such
 * a claim does and lets it go once the first mark has marked the others. */
static pid_t clt_claimer;

static void claim_holds_one_row_briefly(void *arg, size_t n) {
  (void)n;
  int fd[2];
  ck_assert_int_eq(pipe(fd), 0);
  clt_claimer = fork();
  ck_assert_int_ge(clt_claimer, 0);
  if (clt_claimer == 0) {
    close(fd[0]);
    char err[TPG_ERR_LEN] = "";
    PGconn *c = tpg_connect(it_server(), arg, err);
    PGresult *r = c ? PQexec(c, "BEGIN; SELECT id FROM outbox WHERE claimed_until IS NOT NULL"
                                " ORDER BY id LIMIT 1 FOR UPDATE")
                    : NULL;
    int locked = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    PQclear(r);
    if (!locked || write(fd[1], "L", 1) != 1) _exit(1);
    int64_t give_up = lr_clock_mono_ms() + 10000;
    for (;;) { /* READ COMMITTED: each statement sees the mark once it commits */
      r = PQexec(c, "SELECT count(*) FROM outbox WHERE published_at IS NOT NULL");
      long marked = PQresultStatus(r) == PGRES_TUPLES_OK ? strtol(PQgetvalue(r, 0, 0), NULL, 10) : -1;
      PQclear(r);
      if (marked != 0 || lr_clock_mono_ms() > give_up) break;
      lr_clock_sleep_ms(1);
    }
    PQclear(PQexec(c, "COMMIT"));
    PQfinish(c);
    _exit(0);
  }
  close(fd[1]);
  char got = 0;
  ck_assert_int_eq(read(fd[0], &got, 1), 1);
  close(fd[0]);
}

START_TEST(relay_marks_again_a_row_a_claim_held) {
  static char db[] = "cl_relay_claim";
  lr_buf ignore;
  cl_app *a = eight_rows_then(db, claim_holds_one_row_briefly, &ignore);
  lr_buf ans;
  lr_buf_init(&ans, 64u << 20);
  int st = clt_invoke(a, "{\"task\":\"outbox\"}", 0, &ans);
  int status = -1;
  ck_assert_int_eq(waitpid(clt_claimer, &status, 0), clt_claimer);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ck_assert_msg(st == LR_HANDLER_OK, "%s", lr_buf_str(&ans));
  ck_assert_int_eq(answer_num(&ans, "sent"), 8);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL"), 0);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM outbox WHERE attempts = 1 AND claimed_until IS NULL"), 8);
  ck_assert_int_eq(clt_drain(&ignore), 8);
  lr_buf_free(&ans);
  lr_buf_free(&ignore);
  cl_app_free(a);
}
END_TEST

START_TEST(two_relays_send_each_row_once_or_twice) {
  const char *db = "cl_relay2";
  lr_buf ignore;
  relay_fixture(db, 60, &ignore);
  make_outbox(db, 60, "10 minutes", 0, "NULL", "NULL");
  pid_t pids[2];
  for (int i = 0; i < 2; i++) {
    pids[i] = fork();
    ck_assert_int_ge(pids[i], 0);
    if (pids[i] == 0) {
      cl_app *a = clt_app(db, NULL, NULL);
      lr_buf ans;
      lr_buf_init(&ans, 64u << 20);
      _exit(clt_invoke(a, "{\"task\":\"outbox\"}", 0, &ans) == LR_HANDLER_OK ? 0 : 1);
    }
  }
  for (int i = 0; i < 2; i++) {
    int status = 0;
    ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  lr_buf msgs;
  lr_buf_init(&msgs, 64u << 20);
  int n = clt_drain(&msgs);
  ck_assert_int_ge(n, 60);
  ck_assert_int_le(n, 120);
  /* Every order's message at least once and at most twice. */
  cJSON *list = cJSON_ParseWithLength(msgs.data, msgs.len);
  char err[TPG_ERR_LEN] = "";
  PGconn *c = tpg_connect(it_server(), db, err);
  PGresult *ids = PQexec(c, "SELECT order_id::text FROM outbox");
  for (int i = 0; i < PQntuples(ids); i++) {
    int seen = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, list) if (strstr(cJSON_GetObjectItemCaseSensitive(m, "Body")->valuestring, PQgetvalue(ids, i, 0))) seen++;
    ck_assert_msg(seen >= 1 && seen <= 2, "order %s sent %d times", PQgetvalue(ids, i, 0), seen);
  }
  PQclear(ids);
  PQfinish(c);
  cJSON_Delete(list);
  ck_assert_int_eq(it_count(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL"), 0);
  lr_buf_free(&msgs);
  lr_buf_free(&ignore);
}
END_TEST

int main(void) {
  clt_env e = {0};
  char err[256] = "";
  setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
  signal(SIGPIPE, SIG_IGN);
  if (clt_fauxqs_start(&e, err, sizeof err) != 0) {
    fprintf(stderr, "%s\n", err);
    return EXIT_FAILURE;
  }
  Suite *s = suite_create("cleanup");
  TCase *tc = tcase_create("archive");
  tcase_set_timeout(tc, 90);
  tcase_add_test(tc, archive_moves_only_old_terminal_orders);
  tcase_add_test(tc, archive_s3_failure_deletes_nothing);
  tcase_add_test(tc, archive_tiny_deadline_stops_early);
  tcase_add_test(tc, archive_crash_between_put_and_delete);
  tcase_add_test(tc, archive_multipart_reads_back);
  tcase_add_test(tc, archive_delete_failure_loses_nothing);
  tcase_add_test(tc, archive_keeps_a_row_changed_after_it_was_read);
  suite_add_tcase(s, tc);
  TCase *tr = tcase_create("relay");
  tcase_set_timeout(tr, 90);
  tcase_add_test(tr, relay_sends_exactly_the_stuck_rows);
  tcase_add_test(tr, relay_keeps_trace_header_and_counts_refusals);
  tcase_add_test(tr, relay_sqs_down_counts_an_attempt);
  tcase_add_test(tr, two_relays_send_each_row_once_or_twice);
  tcase_add_test(tr, relay_killed_between_send_and_mark_sends_again);
  tcase_add_test(tr, relay_mark_does_not_wait_for_the_worker);
  tcase_add_test(tr, relay_marks_again_a_row_a_claim_held);
  suite_add_tcase(s, tr);
  return it_main(s, NULL);
}
