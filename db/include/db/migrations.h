#ifndef DB_MIGRATIONS_H
#define DB_MIGRATIONS_H
/* The SQL migrations of db/migrations/NNNN_name.sql, compiled into the binary
 * at build time by db/codegen/migrations_gen.c: nothing is read at run time.
 * Sorted by version, versions unique (the generator fails the build otherwise). */
#include <stddef.h>

#define DB_MIGRATION_CHECKSUM_LEN 64 /* SHA-256, lower-case hex */

typedef struct db_migration {
  int version;          /* NNNN of the file name */
  const char *name;     /* the file name's "name" part: [a-z0-9_]+ */
  const char *sql;      /* the file's bytes, NUL-terminated */
  size_t sql_len;       /* bytes of sql, without the NUL */
  const char *checksum; /* SHA-256 of the file's bytes, lower-case hex */
} db_migration;

/* The embedded migrations; *count receives how many. Static storage, never freed. */
const db_migration *db_migrations_all(size_t *count);

#endif
