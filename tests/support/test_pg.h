#ifndef TEST_PG_H
#define TEST_PG_H
/* A throw-away PostgreSQL server for integration tests, on 127.0.0.1 and a free
 * port, built on scripts/lib/pgtmp.
 *
 *   tpg_server pg;
 *   char err[TPG_ERR_LEN];
 *   if (tpg_start(&pg, NULL, err) != 0) { fprintf(stderr, "%s\n", err); return 1; }
 *   ... tpg_create_database(&pg, "t1", err); PGconn *c = tpg_connect(&pg, "t1", err); ...
 *   tpg_stop(&pg);
 *
 * The server is stopped and its directory removed even when the test process
 * dies without calling tpg_stop (crash, abort, ctest timeout): tpg_start forks a
 * small guardian process, in its own session, that waits for its pipe to close
 * (which the kernel does when every holder of the write end is gone) and then
 * runs `pgtmp stop`. Check's forked test children inherit the pipe; they exit at
 * the end of each test, so start the server once in main() (or an unchecked
 * fixture) and stop it after srunner_run_all.
 *
 * Authentication is `trust` for the superuser `postgres`. Functions return 0 on
 * success and -1 on failure with a message in the caller's err buffer. */
#include <sys/types.h>

#include <libpq-fe.h>

#define TPG_ERR_LEN 512
#define TPG_PATH_LEN 256
#define TPG_OPTS_LEN 2048

typedef struct tpg_server {
  char base[TPG_PATH_LEN]; /* mkdtemp directory, mode 0755 so postgres can reach it */
  char dir[TPG_PATH_LEN];  /* base/pg: the cluster directory handed to pgtmp */
  char opts[TPG_OPTS_LEN]; /* extra server settings (PGTMP_OPTS) */
  char host[16];           /* "127.0.0.1" */
  int port;
  pid_t guard;  /* guardian process; 0 when none */
  int guard_fd; /* write end of the guardian's pipe; -1 when none */
  int running;  /* the postmaster is up (tpg_server_down clears it) */
} tpg_server;

/* Starts a fresh cluster. server_opts (may be NULL) are extra postgres options,
 * e.g. "-c ssl=on -c ssl_cert_file=/x/server.crt". On failure nothing is left
 * running and the directory is removed. */
int tpg_start(tpg_server *s, const char *server_opts, char err[TPG_ERR_LEN]);

/* Stops the server and removes its directory. Safe to call twice, and on a
 * zeroed or failed-to-start server. */
void tpg_stop(tpg_server *s);

/* `pg_ctl restart -m fast`: every client connection is dropped (clients see
 * SQLSTATE 57P01), data and port stay. Returns once the server accepts again. */
int tpg_restart(tpg_server *s, char err[TPG_ERR_LEN]);

/* Stops the postmaster but keeps the data (to test "server unreachable"), and
 * starts it again on the same port with the same options. */
int tpg_server_down(tpg_server *s, char err[TPG_ERR_LEN]);
int tpg_server_up(tpg_server *s, char err[TPG_ERR_LEN]);

/* A superuser connection to dbname (NULL: "postgres"). The caller PQfinish()es
 * it. NULL on failure. */
PGconn *tpg_connect(const tpg_server *s, const char *dbname, char err[TPG_ERR_LEN]);

/* Runs sql (several statements allowed: simple query protocol) in dbname. */
int tpg_exec(const tpg_server *s, const char *dbname, const char *sql, char err[TPG_ERR_LEN]);

/* Runs the SQL file at path (e.g. db/seed/local_seed.sql) in dbname. */
int tpg_exec_file(const tpg_server *s, const char *dbname, const char *path,
                  char err[TPG_ERR_LEN]);

/* CREATE DATABASE name (dropped first if it exists): one per test keeps tests
 * independent while sharing one server. name: [a-z0-9_], at most 63 bytes. */
int tpg_create_database(const tpg_server *s, const char *name, char err[TPG_ERR_LEN]);

/* The schema: every migration compiled into the build (db/migrations, via
 * db_migrations_all) applied to dbname in order, each in its own transaction,
 * without the migrate function's bookkeeping. For suites that need the tables,
 * not the migrate function itself. */
int tpg_apply_migrations(const tpg_server *s, const char *dbname, char err[TPG_ERR_LEN]);

/* db/seed/local_seed.sql applied to dbname (SKU-1..SKU-5 with 1,000 units, SKU-OUT with 0). */
int tpg_apply_seed(const tpg_server *s, const char *dbname, char err[TPG_ERR_LEN]);

/* Number of rows of a one-column count query, or -1 on error (message in err). */
long tpg_query_long(const tpg_server *s, const char *dbname, const char *sql,
                    char err[TPG_ERR_LEN]);

/* The source tree's root (for db/migrations, db/seed, scripts). */
const char *tpg_source_dir(void);

#endif
