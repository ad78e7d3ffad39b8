/* Fixtures of the data layer's integration suites (see itest.h). */
#include "itest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"

/* One server per test process; Check's forked tests inherit it. */
static tpg_server it_pg;

tpg_server *it_server(void) { return &it_pg; }

int it_main(Suite *s, const char *server_opts) {
  char err[TPG_ERR_LEN] = "";
  SRunner *sr = srunner_create(s); /* owns s from here on */
  if (tpg_start(&it_pg, server_opts, err) != 0) {
    fprintf(stderr, "%s\n", err);
    srunner_free(sr);
    return EXIT_FAILURE;
  }
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  tpg_stop(&it_pg);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void it_fresh_db(const char *name) {
  char err[TPG_ERR_LEN] = "";
  ck_assert_msg(tpg_create_database(&it_pg, name, err) == 0, "%s", err);
}

void it_migrate(const char *dbname) {
  char err[TPG_ERR_LEN] = "";
  PGconn *c = tpg_connect(&it_pg, dbname, err);
  ck_assert_msg(c != NULL, "%s", err);
  size_t n;
  const db_migration *list = db_migrations_all(&n);
  migrate_result r;
  char merr[MIGRATE_ERR_LEN] = "";
  migrate_status st = migrate_run(c, list, n, MIGRATE_APPLY, 5000, NULL, &r, merr);
  migrate_result_free(&r);
  PQfinish(c);
  ck_assert_msg(st == MIGRATE_OK, "migrate: %s", merr);
}

void it_fresh_seeded(const char *name) {
  char err[TPG_ERR_LEN] = "";
  char seed[1024];
  it_fresh_db(name);
  it_migrate(name);
  snprintf(seed, sizeof seed, "%s/db/seed/local_seed.sql", tpg_source_dir());
  ck_assert_msg(tpg_exec_file(&it_pg, name, seed, err) == 0, "%s", err);
}

typedef struct it_env {
  const char *const *pairs; /* NAME, VALUE, NAME, VALUE, ..., NULL */
  const char *const *extra;
} it_env;

static const char *it_getenv(void *arg, const char *name) {
  const it_env *e = arg;
  const char *v = NULL;
  for (int i = 0; e->pairs[i]; i += 2)
    if (strcmp(e->pairs[i], name) == 0) v = e->pairs[i + 1];
  for (int i = 0; e->extra && e->extra[i]; i += 2) /* extra wins */
    if (strcmp(e->extra[i], name) == 0) v = e->extra[i + 1];
  return v;
}

cfg_status it_config(cfg_config *cfg, const char *dbname, const char *const *extra,
                     char err[CFG_ERR_LEN]) {
  char port[16];
  snprintf(port, sizeof port, "%d", it_pg.port);
  const char *const pairs[] = {"DB_HOST", "127.0.0.1", "DB_PORT", port, "DB_NAME", dbname,
                               "DB_USER", "postgres", "DB_SSLMODE", "disable",
                               "DB_CONNECT_TIMEOUT", "3", NULL};
  it_env e = {pairs, extra};
  return cfg_load(cfg, CFG_NEED_DB, it_getenv, &e, err);
}

db_session *it_session(const char *dbname, const db_hooks *hooks) {
  cfg_config cfg;
  char err[DB_ERR_LEN] = "";
  ck_assert_msg(it_config(&cfg, dbname, NULL, err) == CFG_OK, "%s", err);
  db_session *s = NULL;
  ck_assert_msg(db_session_create(&cfg, hooks, NULL, &s, err) == DB_OK, "%s", err);
  cfg_clear(&cfg);
  return s;
}

void it_terminate(int pid) {
  char sql[96];
  snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d, 5000)", pid);
  it_sql(NULL, sql);
}

long it_count(const char *dbname, const char *sql) {
  char err[TPG_ERR_LEN] = "";
  long v = tpg_query_long(&it_pg, dbname, sql, err);
  ck_assert_msg(v >= 0, "%s: %s", sql, err);
  return v;
}

void it_sql(const char *dbname, const char *sql) {
  char err[TPG_ERR_LEN] = "";
  ck_assert_msg(tpg_exec(&it_pg, dbname, sql, err) == 0, "%s: %s", sql, err);
}
