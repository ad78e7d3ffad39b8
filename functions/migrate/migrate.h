#ifndef MIGRATE_H
#define MIGRATE_H
/* The migrate function's core (private to functions/migrate; unit- and
 * integration-tested). Runs on one dedicated connection: it takes a
 * session-level advisory lock, so it pins an RDS Proxy connection on purpose;
 * no other function does this. */
#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "common/config.h"
#include "db/migrations.h"
#include "lr/buf.h"
#include "lr/log.h"

#define MIGRATE_ERR_LEN 512
#define MIGRATE_EVENT_MAX (64u * 1024u)
/* pg_advisory_lock key: "ordrmigr" in ASCII, so it is recognisable in pg_locks. */
#define MIGRATE_LOCK_KEY "8030591528179689330"
/* How long one migration may wait for a table lock before failing (and the
 * deploy retrying) instead of queueing every request behind its DDL. */
#define MIGRATE_DDL_LOCK_TIMEOUT "5s"

/* X(name, value, message, Lambda errorType) */
#define MIGRATE_STATUS_MAP(X)                                                                    \
  X(OK, 0, "ok", "")                                                                             \
  X(BAD_REQUEST, 1, "the event is not a valid migrate request", "Migrate.BadRequest")           \
  X(NOMEM, 2, "out of memory", "Migrate.OutOfMemory")                                            \
  X(DATABASE, 3, "the database failed", "Migrate.DatabaseError")                                 \
  X(LOCK_TIMEOUT, 4, "another migrate run holds the lock", "Migrate.LockTimeout")                \
  X(CHECKSUM_MISMATCH, 5, "an applied migration was changed", "Migrate.ChecksumMismatch")        \
  X(UNKNOWN_VERSION, 6, "the database has a migration this build does not know",                 \
    "Migrate.UnknownVersion")                                                                    \
  X(OUT_OF_ORDER, 7, "a pending migration is older than an applied one", "Migrate.OutOfOrder")   \
  X(MIGRATION_FAILED, 8, "a migration failed and was rolled back", "Migrate.MigrationFailed")

typedef enum migrate_status {
#define MIGRATE_ENUM(name, value, msg, type) MIGRATE_##name = value,
  MIGRATE_STATUS_MAP(MIGRATE_ENUM)
#undef MIGRATE_ENUM
} migrate_status;

const char *migrate_status_name(migrate_status st);
const char *migrate_status_message(migrate_status st);
const char *migrate_status_error_type(migrate_status st);

typedef enum migrate_mode {
  MIGRATE_APPLY = 0,
  MIGRATE_DRY_RUN = 1 /* list what would be applied; change nothing */
} migrate_mode;

typedef struct migrate_result {
  const db_migration **items; /* applied (or pending, in a dry run), in order */
  size_t count;
  int current;                /* highest applied version afterwards; 0 when none */
} migrate_result;

/* The database users the migrations create and grant to. migrate passes them
 * to every migration as transaction-local settings orders.migrator_user,
 * orders.api_user, orders.worker_user, orders.cleanup_user (db/README.md). */
#define MIGRATE_ROLE_LEN 64
typedef struct migrate_roles {
  char migrator[MIGRATE_ROLE_LEN]; /* DB_MIGRATOR_USER, default orders_migrator */
  char api[MIGRATE_ROLE_LEN];      /* DB_API_USER, default orders_api */
  char worker[MIGRATE_ROLE_LEN];   /* DB_WORKER_USER, default orders_worker */
  char cleanup[MIGRATE_ROLE_LEN];  /* DB_CLEANUP_USER, default orders_cleanup */
} migrate_roles;

void migrate_roles_default(migrate_roles *r);
/* The defaults, overridden by the variables that are set and not empty
 * (getenv_fn NULL: the process environment). Refuses a name that is not a
 * plain lower-case identifier, a reserved one, or one user for two roles. */
migrate_status migrate_roles_load(migrate_roles *r, cfg_getenv_fn getenv_fn, void *arg,
                                  char err[MIGRATE_ERR_LEN]);
bool migrate_role_name_ok(const char *s);

void migrate_result_init(migrate_result *r);
void migrate_result_free(migrate_result *r); /* NULL-safe */

/* Applies the pending migrations of list[0..n) (sorted by version) in order,
 * each in its own transaction, after checking what is already applied. Waits
 * up to lock_wait_ms for a concurrent run. On failure, migrations applied
 * before the failing one stay applied and are listed in *out. */
migrate_status migrate_run(PGconn *conn, const db_migration *list, size_t n, migrate_mode mode,
                           long lock_wait_ms, const lr_logger *log, migrate_result *out,
                           char err[MIGRATE_ERR_LEN]);
/* migrate_run with the given users (migrate_run: migrate_roles_default). */
migrate_status migrate_run_roles(PGconn *conn, const db_migration *list, size_t n,
                                 migrate_mode mode, const migrate_roles *roles, long lock_wait_ms,
                                 const lr_logger *log, migrate_result *out,
                                 char err[MIGRATE_ERR_LEN]);

/* Parses the invocation event: "", {} or {"dry_run":true|false}; anything else
 * (unknown key, wrong type, malformed, over MIGRATE_EVENT_MAX) is refused so
 * that a typo cannot turn a dry run into a real one. */
migrate_status migrate_parse_event(const char *event, size_t len, migrate_mode *mode,
                                   char err[MIGRATE_ERR_LEN]);

/* {"applied":[{"version":1,"name":"initial"}],"current":1}, or in a dry run
 * {"dry_run":true,"pending":[...],"current":0}. Appends to out. */
migrate_status migrate_answer(const migrate_result *r, migrate_mode mode, lr_buf *out);

void migrate__seterr(char err[MIGRATE_ERR_LEN], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
