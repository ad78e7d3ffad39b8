#ifndef ITEST_DB_H
#define ITEST_DB_H
/* Shared by the data layer's integration suites: one throw-away server per
 * suite (started in main, before Check forks the tests), a fresh database per
 * test, and sessions/configs pointing at it. */
#include <check.h>

#include "common/config.h"
#include "common/db.h"
#include "db/migrations.h"
#include "test_pg.h"

/* The suite's server; set by it_main before the tests run. */
tpg_server *it_server(void);

/* Runs the suite against a server started with server_opts (may be NULL).
 * Returns the process exit code. Stops the server whatever happens. */
int it_main(Suite *s, const char *server_opts);

/* CREATE DATABASE name, failing the test on error. */
void it_fresh_db(const char *name);
/* A fresh database with every migration and the local seed. */
void it_fresh_seeded(const char *name);
/* All embedded migrations applied to dbname (via migrate_run). */
void it_migrate(const char *dbname);

/* A config for dbname on the suite's server, from a fake environment made of
 * the base settings plus extra NAME=VALUE pairs (NULL-terminated list). */
cfg_status it_config(cfg_config *cfg, const char *dbname, const char *const *extra,
                     char err[CFG_ERR_LEN]);
/* A session on dbname with the default settings (fails the test on error). */
db_session *it_session(const char *dbname, const db_hooks *hooks);

/* Kills the backend pid from another connection (pg_terminate_backend). */
void it_terminate(int pid);
long it_count(const char *dbname, const char *sql);
void it_sql(const char *dbname, const char *sql);

#endif
