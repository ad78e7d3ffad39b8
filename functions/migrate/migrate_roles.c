/* The database users the migrations create and grant to (0006 onwards), from
 * the environment. They reach the SQL as transaction-local settings
 * (orders.migrator_user, orders.api_user, ...): a migration is text compiled
 * into the binary and checksummed, so the names are its inputs, not its text. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "migrate_internal.h"

static const struct {
  const char *env, *def;
  size_t offset;
} migrate_role_vars[] = {
    {"DB_MIGRATOR_USER", "orders_migrator", offsetof(migrate_roles, migrator)},
    {"DB_API_USER", "orders_api", offsetof(migrate_roles, api)},
    {"DB_WORKER_USER", "orders_worker", offsetof(migrate_roles, worker)},
    {"DB_CLEANUP_USER", "orders_cleanup", offsetof(migrate_roles, cleanup)},
};
#define MIGRATE_ROLE_VARS (sizeof migrate_role_vars / sizeof *migrate_role_vars)

static char *migrate_role_slot(migrate_roles *r, size_t i) {
  return (char *)r + migrate_role_vars[i].offset;
}
static const char *migrate_role_at(const migrate_roles *r, size_t i) {
  return (const char *)r + migrate_role_vars[i].offset;
}

/* Lower-case identifiers only: they need no quoting anywhere (IAM policies,
 * psql, logs), and the reserved prefixes of PostgreSQL and RDS are refused. */
bool migrate_role_name_ok(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n >= MIGRATE_ROLE_LEN) return false;
  if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_')) return false;
  for (size_t i = 1; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')) return false;
  return strncmp(s, "pg_", 3) != 0 && strncmp(s, "rds", 3) != 0 && strcmp(s, "postgres") != 0 &&
         strcmp(s, "public") != 0;
}

void migrate_roles_default(migrate_roles *r) {
  memset(r, 0, sizeof *r);
  for (size_t i = 0; i < MIGRATE_ROLE_VARS; i++)
    snprintf(migrate_role_slot(r, i), MIGRATE_ROLE_LEN, "%s", migrate_role_vars[i].def);
}

migrate_status migrate_roles_load(migrate_roles *r, cfg_getenv_fn getenv_fn, void *arg,
                                  char err[MIGRATE_ERR_LEN]) {
  migrate_roles_default(r);
  for (size_t i = 0; i < MIGRATE_ROLE_VARS; i++) {
    const char *v = getenv_fn ? getenv_fn(arg, migrate_role_vars[i].env)
                              : getenv(migrate_role_vars[i].env);
    if (!v || !*v) continue;
    if (!migrate_role_name_ok(v)) {
      migrate__seterr(err, "%s must be 1..63 of [a-z0-9_] starting with a letter or '_', and "
                      "not pg_*, rds*, postgres or public", migrate_role_vars[i].env);
      return MIGRATE_BAD_REQUEST;
    }
    snprintf(migrate_role_slot(r, i), MIGRATE_ROLE_LEN, "%s", v);
  }
  for (size_t i = 0; i < MIGRATE_ROLE_VARS; i++)
    for (size_t j = i + 1; j < MIGRATE_ROLE_VARS; j++)
      if (strcmp(migrate_role_at(r, i), migrate_role_at(r, j)) == 0) {
        /* one user for two functions would let each connect as the other */
        migrate__seterr(err, "%s and %s name the same user '%s'", migrate_role_vars[i].env,
                        migrate_role_vars[j].env, migrate_role_at(r, i));
        return MIGRATE_BAD_REQUEST;
      }
  return MIGRATE_OK;
}

/* set_config(name, value, is_local => true): gone at COMMIT or ROLLBACK, so
 * nothing outlives the migration's transaction on the (pinned) connection. */
static const char SQL_SET_ROLES[] =
    "SELECT set_config('orders.migrator_user', $1, true), set_config('orders.api_user', $2, true),"
    " set_config('orders.worker_user', $3, true), set_config('orders.cleanup_user', $4, true)";

migrate_status migrate__set_roles(PGconn *conn, const migrate_roles *r,
                                  char err[MIGRATE_ERR_LEN]) {
  const char *params[] = {r->migrator, r->api, r->worker, r->cleanup};
  return migrate__exec(conn, SQL_SET_ROLES, 4, params, NULL, err);
}
