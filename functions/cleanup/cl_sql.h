#ifndef CL_SQL_H
#define CL_SQL_H
/* The cleanup's statements: the archive's (cl_archive_sql.c: orders, their
 * lines, idempotency keys) and the relay's (cl_outbox_sql.c). Parameters are
 * text, run as unnamed PQexecParams. */
extern const char CL_SQL_ARCHIVE_BATCH[];
extern const char CL_SQL_ARCHIVE_DELETE[];
extern const char CL_SQL_KEYS_PURGE[];
extern const char CL_SQL_OUTBOX_CLAIM[];
extern const char CL_SQL_OUTBOX_SENT[];
extern const char CL_SQL_OUTBOX_FAILED[];
extern const char CL_SQL_OUTBOX_STATE[];
#endif
