/* The database status table (common/db.h) and the SQLSTATE mapping. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "common/db.h"
#include "lr/status.h"

typedef struct db_status_row {
  const char *name;
  const char *message;
  int http;
  db_retry_hint retry;
  const char *error_type;
} db_status_row;

static const db_status_row db_status_rows[] = {
#define DB_ROW(name, value, msg, http, retry, type) [value] = {#name, msg, http, retry, type},
    DB_STATUS_MAP(DB_ROW)
#undef DB_ROW
};

static const db_status_row *db_status_row_of(db_status st) {
  static const db_status_row unknown = {"UNKNOWN", "unknown status", 500, DB_RETRY_NO,
                                        "Database.Unknown"};
  return LR_STATUS_ROW(db_status_rows, st, &unknown);
}

const char *db_status_name(db_status st) { return db_status_row_of(st)->name; }
const char *db_status_message(db_status st) { return db_status_row_of(st)->message; }
int db_status_http(db_status st) { return db_status_row_of(st)->http; }
db_retry_hint db_status_retry(db_status st) { return db_status_row_of(st)->retry; }
const char *db_status_error_type(db_status st) { return db_status_row_of(st)->error_type; }

/* Exact codes first, then whole classes (two characters). */
static const struct {
  const char *code;
  db_status st;
} db_sqlstates[] = {
    {"23505", DB_UNIQUE_VIOLATION},
    {"23503", DB_FOREIGN_KEY_VIOLATION},
    {"23514", DB_CHECK_VIOLATION},
    {"23502", DB_NOT_NULL_VIOLATION},
    {"23P01", DB_EXCLUSION_VIOLATION},
    {"40001", DB_SERIALIZATION_FAILURE},
    {"40P01", DB_DEADLOCK},
    {"55P03", DB_LOCK_NOT_AVAILABLE},
    {"57014", DB_TIMEOUT},          /* query_canceled: statement_timeout or a cancel */
    {"25P03", DB_TIMEOUT},          /* idle_in_transaction_session_timeout */
    {"57P01", DB_CONNECTION_LOST},  /* admin_shutdown: restart, failover */
    {"57P02", DB_CONNECTION_LOST},  /* crash_shutdown */
    {"57P03", DB_CONNECT},          /* cannot_connect_now: starting up */
    {"25006", DB_READ_ONLY},        /* read_only_sql_transaction: we reached a reader */
    {"53300", DB_OVERLOADED},       /* too_many_connections */
    {"28000", DB_AUTH},
    {"28P01", DB_AUTH},
    {"08", DB_CONNECTION_LOST},
    {"22", DB_DATA_EXCEPTION},
    {"53", DB_OVERLOADED},
    {"23", DB_CHECK_VIOLATION},     /* other integrity errors (e.g. restrict_violation) */
    {"28", DB_AUTH},
};

static bool db_sqlstate_valid(const char *s) {
  for (int i = 0; i < 5; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z'))) return false;
  return s[5] == '\0';
}

db_status db_status_from_sqlstate(const char *sqlstate) {
  if (!sqlstate || !db_sqlstate_valid(sqlstate)) return DB_QUERY;
  for (size_t i = 0; i < sizeof db_sqlstates / sizeof *db_sqlstates; i++) {
    size_t n = strlen(db_sqlstates[i].code);
    if (strncmp(sqlstate, db_sqlstates[i].code, n) == 0) return db_sqlstates[i].st;
  }
  return DB_QUERY;
}
