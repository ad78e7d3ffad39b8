#ifndef MIGRATE_INTERNAL_H
#define MIGRATE_INTERNAL_H
/* Shared between the files of functions/migrate only. */
#include <libpq-fe.h>
#include <stdbool.h>

#include "migrate.h"

/* An unnamed PQexecParams; *res (if res) gets the result on success. */
migrate_status migrate__exec(PGconn *conn, const char *sql, int n, const char *const *params,
                             PGresult **res, char err[MIGRATE_ERR_LEN]);
migrate_status migrate__lock(PGconn *conn, long wait_ms, char err[MIGRATE_ERR_LEN]);
void migrate__unlock(PGconn *conn);
migrate_status migrate__ensure_table(PGconn *conn, char err[MIGRATE_ERR_LEN]);
/* *current: the highest applied version (0: none). */
migrate_status migrate__check_applied(PGconn *conn, const db_migration *list, size_t n,
                                      int *current, char err[MIGRATE_ERR_LEN]);
migrate_status migrate__table_exists(PGconn *conn, int *exists, char err[MIGRATE_ERR_LEN]);
/* *applied: whether version is in schema_migrations. */
migrate_status migrate__is_applied(PGconn *conn, int version, bool *applied, char err[MIGRATE_ERR_LEN]);
/* The users as transaction-local settings (inside the migration's BEGIN). */
migrate_status migrate__set_roles(PGconn *conn, const migrate_roles *r,
                                  char err[MIGRATE_ERR_LEN]);

#endif
