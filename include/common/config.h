#ifndef COMMON_CONFIG_H
#define COMMON_CONFIG_H
/* The functions' settings, read once from the environment at init and
 * validated there: a missing or bad value fails init with a message that names
 * the variable (never its value when it is a secret).
 *
 *   cfg_config cfg;
 *   char err[CFG_ERR_LEN];
 *   if (cfg_load(&cfg, CFG_NEED_DB | CFG_NEED_QUEUE, NULL, NULL, err) != CFG_OK) -> init error
 *
 * Which settings are required depends on the function: the `needs` mask. */
#include <stddef.h>

#include "lr/log.h"

#define CFG_ERR_LEN 256

#define CFG_HOST_LEN 254   /* a DNS name is at most 253 bytes */
#define CFG_IDENT_LEN 64   /* PostgreSQL identifiers: NAMEDATALEN - 1 = 63 */
#define CFG_SECRET_LEN 1024
#define CFG_PATH_LEN 1024
#define CFG_URL_LEN 1024
#define CFG_NAME_LEN 256
#define CFG_SSLMODE_LEN 16
#define CFG_REGION_LEN 32
#define CFG_BUCKET_LEN 64  /* S3 bucket names: 3..63 */

/* The default trust store on provided.al2023 (RDS Proxy presents Amazon Trust
 * Services certificates, which the system bundle holds). */
#define CFG_DEFAULT_SSLROOTCERT "/etc/pki/tls/certs/ca-bundle.crt"

#define CFG_STATUS_MAP(X)                                                      \
  X(OK, 0, "ok")                                                               \
  X(MISSING, 1, "a required setting is missing or empty")                     \
  X(INVALID, 2, "a setting has an invalid value")                             \
  X(CONFLICT, 3, "settings contradict each other")

typedef enum cfg_status {
#define CFG_ENUM(name, value, msg) CFG_##name = value,
  CFG_STATUS_MAP(CFG_ENUM)
#undef CFG_ENUM
} cfg_status;

const char *cfg_status_name(cfg_status st);
const char *cfg_status_message(cfg_status st);

/* What a function needs besides the common settings. */
typedef enum cfg_need {
  CFG_NEED_DB = 1u << 0,      /* DB_HOST, DB_NAME, DB_USER (+ auth and TLS) */
  CFG_NEED_QUEUE = 1u << 1,   /* ORDERS_QUEUE_URL */
  CFG_NEED_ARCHIVE = 1u << 2, /* ARCHIVE_BUCKET */
  CFG_WANT_QUEUE = 1u << 3    /* ORDERS_QUEUE_URL optional: read, and required with all
                                 CFG_NEED_QUEUE asks, only when it is set */
} cfg_need;

typedef enum cfg_db_auth {
  CFG_DB_AUTH_PASSWORD = 0, /* DB_PASSWORD (or none: trust / .pgpass), local only */
  CFG_DB_AUTH_IAM = 1       /* RDS IAM auth token, DB_IAM_AUTH=true */
} cfg_db_auth;

typedef struct cfg_config {
  unsigned needs;
  /* database */
  char db_host[CFG_HOST_LEN];
  int db_port;                       /* DB_PORT, default 5432 */
  char db_name[CFG_IDENT_LEN];
  char db_user[CFG_IDENT_LEN];
  cfg_db_auth db_auth;               /* DB_IAM_AUTH, default false */
  char db_password[CFG_SECRET_LEN];  /* "" when unset; always "" with IAM auth */
  char db_sslmode[CFG_SSLMODE_LEN];  /* default verify-full; required with IAM auth */
  char db_sslrootcert[CFG_PATH_LEN]; /* "" = libpq's default */
  int db_connect_timeout_s;          /* DB_CONNECT_TIMEOUT, default 5, 2..30 */
  /* messaging and archive */
  char orders_queue_url[CFG_URL_LEN];
  char archive_bucket[CFG_BUCKET_LEN];
  char archive_prefix[CFG_NAME_LEN]; /* default "orders/" */
  int order_retention_days;          /* default 90, 1..3650 */
  int idempotency_ttl_hours;         /* default 24, 1..720 */
  int archive_batch_rows;            /* ARCHIVE_BATCH_ROWS: orders per object, default 5000, 1..50000 */
  int archive_multipart_threshold;   /* ARCHIVE_MULTIPART_THRESHOLD_BYTES: above, multipart; default 8 MiB */
  char archive_kms_key_id[CFG_NAME_LEN]; /* ARCHIVE_KMS_KEY_ID, "": the bucket's aws:kms key */
  int outbox_grace_seconds;          /* OUTBOX_GRACE_SECONDS, default 300, 0..86400 */
  int outbox_max_attempts;           /* OUTBOX_MAX_ATTEMPTS, default 10, 1..1000 */
  /* observability */
  /* LOG_LEVEL is validated here and applied by the runtime's logger (lr/log.h) */
  char service_name[CFG_NAME_LEN];   /* SERVICE_NAME, default the function's name (lr/log.h) */
  char metrics_namespace[CFG_NAME_LEN]; /* default "Orders" */
  /* AWS */
  char aws_region[CFG_REGION_LEN];   /* required with IAM auth, a queue or an archive */
  char endpoint_url[CFG_URL_LEN];    /* AWS_ENDPOINT_URL, "" = the real AWS */
  char endpoint_url_sqs[CFG_URL_LEN];/* AWS_ENDPOINT_URL_SQS, else endpoint_url */
  char endpoint_url_s3[CFG_URL_LEN]; /* AWS_ENDPOINT_URL_S3, else endpoint_url */
} cfg_config;

/* How a variable is looked up: getenv by default; tests pass a table (the
 * runtime's own lookup type, so the logging settings read the same way). */
typedef lr_getenv_fn cfg_getenv_fn;

/* Fills *c from the environment (getenv_fn NULL: the process environment).
 * On failure *c is zeroed (no half-read secret left behind) and err names the
 * variable and the reason. */
cfg_status cfg_load(cfg_config *c, unsigned needs, cfg_getenv_fn getenv_fn, void *arg,
                    char err[CFG_ERR_LEN]);

/* Wipes the whole config, secrets included (call when it is no longer needed). NULL-safe. */
void cfg_clear(cfg_config *c);

#endif
