/* Settings from the environment, validated once at init (see common/config.h).
 * One table says, per variable, where it goes, when it is required, its default
 * and its check; a few cross-checks follow (IAM auth vs password and TLS). */
#include "common/config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_check.h"
#include "lr/log.h"
#include "lr/status.h"

static const lr_status_row cfg_status_rows[] = {
#define CFG_ROW(name, value, msg) [value] = {#name, msg},
    CFG_STATUS_MAP(CFG_ROW)
#undef CFG_ROW
};
static const lr_status_row cfg_status_unknown = {"UNKNOWN", "unknown status"};

const char *cfg_status_name(cfg_status st) { return LR_STATUS_ROW(cfg_status_rows, st, &cfg_status_unknown)->name; }
const char *cfg_status_message(cfg_status st) {
  return LR_STATUS_ROW(cfg_status_rows, st, &cfg_status_unknown)->message;
}

typedef enum cfg_kind { CFG_TEXT, CFG_INT } cfg_kind;

typedef struct cfg_rule {
  const char *name;
  unsigned group;    /* 0: every function; else the cfg_need bit that enables it */
  int required;      /* within its group */
  cfg_kind kind;
  size_t offset;     /* of a char[size] (CFG_TEXT) or an int (CFG_INT) in cfg_config */
  size_t size;
  const char *def;   /* used when unset or empty; NULL: "" */
  int (*check)(const char *);
  long min, max;     /* CFG_INT */
  const char *what;  /* "must be ..." in the error */
  int secret;        /* never echo the value */
} cfg_rule;

#define TEXT(field) CFG_TEXT, offsetof(cfg_config, field), sizeof(((cfg_config *)0)->field)
#define INT(field) CFG_INT, offsetof(cfg_config, field), sizeof(int)

/* DB_IAM_AUTH and DB_SSLMODE are read by cfg_load_db_auth: their defaults depend on each other. */
static const cfg_rule cfg_rules[] = {
    {"DB_HOST", CFG_NEED_DB, 1, TEXT(db_host), NULL, cfg__check_host, 0, 0,
     "a host name or IP address", 0},
    {"DB_PORT", CFG_NEED_DB, 0, INT(db_port), "5432", NULL, 1, 65535, "an integer 1..65535", 0},
    {"DB_NAME", CFG_NEED_DB, 1, TEXT(db_name), NULL, cfg__check_ident, 0, 0,
     "1..63 of [A-Za-z0-9_$.@-]", 0},
    {"DB_USER", CFG_NEED_DB, 1, TEXT(db_user), NULL, cfg__check_ident, 0, 0,
     "1..63 of [A-Za-z0-9_$.@-]", 0},
    {"DB_PASSWORD", CFG_NEED_DB, 0, TEXT(db_password), NULL, NULL, 0, 0, "", 1},
    {"DB_SSLROOTCERT", CFG_NEED_DB, 0, TEXT(db_sslrootcert), NULL, cfg__check_printable, 0, 0,
     "a file path", 0},
    /* libpq waits at least 2 s; over 30 s would eat most of a function's timeout */
    {"DB_CONNECT_TIMEOUT", CFG_NEED_DB, 0, INT(db_connect_timeout_s), "5", NULL, 2, 30,
     "an integer number of seconds 2..30", 0},
    {"ORDERS_QUEUE_URL", CFG_NEED_QUEUE, 1, TEXT(orders_queue_url), NULL, cfg__check_url, 0, 0,
     "an http(s) URL", 0},
    {"ARCHIVE_BUCKET", CFG_NEED_ARCHIVE, 1, TEXT(archive_bucket), NULL, cfg__check_bucket, 0, 0,
     "an S3 bucket name", 0},
    {"ARCHIVE_PREFIX", CFG_NEED_ARCHIVE, 0, TEXT(archive_prefix), "orders/", cfg__check_prefix,
     0, 0, "a printable key prefix without a leading '/' or '..'", 0},
    {"ORDER_RETENTION_DAYS", CFG_NEED_ARCHIVE, 0, INT(order_retention_days), "90", NULL, 1, 3650,
     "an integer number of days 1..3650", 0},
    /* one object per batch: bounds the memory a batch takes (rows + gzip) */
    {"ARCHIVE_BATCH_ROWS", CFG_NEED_ARCHIVE, 0, INT(archive_batch_rows), "5000", NULL, 1, 50000,
     "an integer number of orders 1..50000", 0},
    /* an object above this is written in parts of max(this, 5 MiB): memory
     * holds one part, not the object */
    {"ARCHIVE_MULTIPART_THRESHOLD_BYTES", CFG_NEED_ARCHIVE, 0, INT(archive_multipart_threshold), "8388608",
     NULL, 1024, 67108864, "an integer number of bytes 1024..67108864", 0},
    {"ARCHIVE_KMS_KEY_ID", CFG_NEED_ARCHIVE, 0, TEXT(archive_kms_key_id), NULL,
     cfg__check_printable, 0, 0, "a KMS key id, alias or ARN", 0},
    /* the api marks a sent row on its next create: younger rows are usually sent */
    {"OUTBOX_GRACE_SECONDS", CFG_NEED_QUEUE, 0, INT(outbox_grace_seconds), "300", NULL, 0, 86400,
     "an integer number of seconds 0..86400", 0},
    {"OUTBOX_MAX_ATTEMPTS", CFG_NEED_QUEUE, 0, INT(outbox_max_attempts), "10", NULL, 1, 1000,
     "an integer 1..1000", 0},
    {"IDEMPOTENCY_TTL_HOURS", 0, 0, INT(idempotency_ttl_hours), "24", NULL, 1, 720,
     "an integer number of hours 1..720", 0},
    {"METRICS_NAMESPACE", 0, 0, TEXT(metrics_namespace), "Orders", cfg__check_printable, 0, 0,
     "printable ASCII", 0},
    {"AWS_REGION", 0, 0, TEXT(aws_region), NULL, cfg__check_region, 0, 0,
     "an AWS region such as eu-west-1", 0},
    {"AWS_ENDPOINT_URL", 0, 0, TEXT(endpoint_url), NULL, cfg__check_url, 0, 0, "an http(s) URL", 0},
    {"AWS_ENDPOINT_URL_SQS", 0, 0, TEXT(endpoint_url_sqs), NULL, cfg__check_url, 0, 0,
     "an http(s) URL", 0},
    {"AWS_ENDPOINT_URL_S3", 0, 0, TEXT(endpoint_url_s3), NULL, cfg__check_url, 0, 0,
     "an http(s) URL", 0},
};

static void cfg_seterr(char err[CFG_ERR_LEN], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void cfg_seterr(char err[CFG_ERR_LEN], const char *fmt, ...) {
  if (!err) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, CFG_ERR_LEN, fmt, ap);
  va_end(ap);
}

static const char *cfg_process_env(void *arg, const char *name) {
  (void)arg;
  return getenv(name);
}

/* Unset and empty are the same: deployment templates often render "" for "none". */
static const char *cfg_get(cfg_getenv_fn get, void *arg, const char *name) {
  const char *v = get(arg, name);
  return v && *v ? v : NULL;
}

static cfg_status cfg_apply_rule(cfg_config *c, const cfg_rule *r, const char *v,
                                 char err[CFG_ERR_LEN]) {
  char *field = (char *)c + r->offset;
  if (r->kind == CFG_INT) {
    long n;
    if (!cfg__check_int(v, r->min, r->max, &n)) {
      cfg_seterr(err, "%s must be %s", r->name, r->what);
      return CFG_INVALID;
    }
    int as_int = (int)n;
    memcpy(field, &as_int, sizeof as_int);
    return CFG_OK;
  }
  size_t len = strlen(v);
  if (len >= r->size) {
    cfg_seterr(err, "%s is too long (at most %zu bytes)", r->name, r->size - 1);
    return CFG_INVALID;
  }
  if (r->check && !r->check(v)) {
    cfg_seterr(err, "%s must be %s", r->name, r->what);
    return CFG_INVALID;
  }
  memcpy(field, v, len + 1);
  return CFG_OK;
}

static cfg_status cfg_load_rules(cfg_config *c, unsigned needs, cfg_getenv_fn get, void *arg,
                                 char err[CFG_ERR_LEN]) {
  for (size_t i = 0; i < sizeof cfg_rules / sizeof *cfg_rules; i++) {
    const cfg_rule *r = &cfg_rules[i];
    if (r->group && !(needs & r->group)) continue;
    const char *v = cfg_get(get, arg, r->name);
    if (!v && r->required) {
      cfg_seterr(err, "%s is required but missing or empty", r->name);
      return CFG_MISSING;
    }
    if (!v) v = r->def;
    if (!v) continue;
    cfg_status st = cfg_apply_rule(c, r, v, err);
    if (st != CFG_OK) return st;
  }
  return CFG_OK;
}

static cfg_status cfg_load_sslmode(cfg_config *c, cfg_getenv_fn get, void *arg,
                                   char err[CFG_ERR_LEN]) {
  int iam = c->db_auth == CFG_DB_AUTH_IAM;
  const char *v = cfg_get(get, arg, "DB_SSLMODE");
  /* verify-full unless the deployment says otherwise: anything weaker is an
   * explicit choice, logged at init (app.c) */
  if (!v) v = "verify-full";
  int rank;
  if (!cfg__check_sslmode(v, &rank)) {
    cfg_seterr(err, "DB_SSLMODE must be one of disable allow prefer require verify-ca verify-full");
    return CFG_INVALID;
  }
  /* A token is a bearer credential: only hand it to a server whose name we verified. */
  if (iam && rank < CFG_SSLMODE_VERIFY_FULL_RANK) {
    cfg_seterr(err, "DB_SSLMODE must be verify-full when DB_IAM_AUTH is true (got %s)", v);
    return CFG_CONFLICT;
  }
  snprintf(c->db_sslmode, sizeof c->db_sslmode, "%s", v);
  if (iam && !c->db_sslrootcert[0])
    snprintf(c->db_sslrootcert, sizeof c->db_sslrootcert, "%s", CFG_DEFAULT_SSLROOTCERT);
  /* Fail at init, naming the variable, rather than on every connection attempt. */
  if (rank >= 4 && c->db_sslrootcert[0] && access(c->db_sslrootcert, R_OK) != 0) {
    cfg_seterr(err, "DB_SSLROOTCERT: cannot read %s", c->db_sslrootcert);
    return CFG_INVALID;
  }
  return CFG_OK;
}

static cfg_status cfg_load_db_auth(cfg_config *c, cfg_getenv_fn get, void *arg,
                                   char err[CFG_ERR_LEN]) {
  const char *v = cfg_get(get, arg, "DB_IAM_AUTH");
  int iam = 0;
  if (v && !cfg__check_bool(v, &iam)) {
    cfg_seterr(err, "DB_IAM_AUTH must be true or false");
    return CFG_INVALID;
  }
  c->db_auth = iam ? CFG_DB_AUTH_IAM : CFG_DB_AUTH_PASSWORD;
  if (iam && c->db_password[0]) {
    /* Two sources of truth for one credential is a deployment mistake: refuse it. */
    cfg_seterr(err, "DB_PASSWORD must not be set when DB_IAM_AUTH is true");
    return CFG_CONFLICT;
  }
  if (iam && !c->aws_region[0]) {
    cfg_seterr(err, "AWS_REGION is required when DB_IAM_AUTH is true");
    return CFG_MISSING;
  }
  return cfg_load_sslmode(c, get, arg, err);
}

static cfg_status cfg_check_aws(cfg_config *c, unsigned needs, char err[CFG_ERR_LEN]) {
  if ((needs & (CFG_NEED_QUEUE | CFG_NEED_ARCHIVE)) && !c->aws_region[0]) {
    cfg_seterr(err, "AWS_REGION is required (the function talks to SQS or S3)");
    return CFG_MISSING;
  }
  if (!c->endpoint_url_sqs[0]) memcpy(c->endpoint_url_sqs, c->endpoint_url, sizeof c->endpoint_url);
  if (!c->endpoint_url_s3[0]) memcpy(c->endpoint_url_s3, c->endpoint_url, sizeof c->endpoint_url);
  return CFG_OK;
}

/* LOG_LEVEL and SERVICE_NAME belong to the runtime's logger, which reads them
 * before any handler runs: the config takes them through the same readers, so
 * both accept the same values and fall back to the same defaults. */
static cfg_status cfg_load_logging(cfg_config *c, cfg_getenv_fn get, void *arg, char err[CFG_ERR_LEN]) {
  int valid;
  (void)lr_setting_log_level(get, arg, &valid);
  if (!valid) {
    cfg_seterr(err, "LOG_LEVEL must be one of TRACE DEBUG INFO WARN ERROR FATAL (or WARNING, CRITICAL)");
    return CFG_INVALID;
  }
  const char *service = lr_setting_service_name(get, arg);
  if (strlen(service) >= sizeof c->service_name || (*service && !cfg__check_printable(service))) {
    cfg_seterr(err, "SERVICE_NAME must be printable ASCII of at most %zu bytes", sizeof c->service_name - 1);
    return CFG_INVALID;
  }
  snprintf(c->service_name, sizeof c->service_name, "%s", service);
  return CFG_OK;
}

cfg_status cfg_load(cfg_config *c, unsigned needs, cfg_getenv_fn getenv_fn, void *arg,
                    char err[CFG_ERR_LEN]) {
  cfg_getenv_fn get = getenv_fn ? getenv_fn : cfg_process_env;
  memset(c, 0, sizeof *c);
  c->needs = needs;
  /* an optional queue that is set is needed from here on (URL checked, region required) */
  if ((needs & CFG_WANT_QUEUE) && cfg_get(get, arg, "ORDERS_QUEUE_URL")) needs |= CFG_NEED_QUEUE;
  c->needs = needs;
  cfg_status st = cfg_load_rules(c, needs, get, arg, err);
  if (st == CFG_OK) st = cfg_load_logging(c, get, arg, err);
  if (st == CFG_OK && (needs & CFG_NEED_DB)) st = cfg_load_db_auth(c, get, arg, err);
  if (st == CFG_OK) st = cfg_check_aws(c, needs, err);
  if (st != CFG_OK) cfg_clear(c);
  return st;
}

void cfg_clear(cfg_config *c) {
  if (!c) return;
  /* explicit_bzero: a plain memset before the memory dies may be optimised away. */
  explicit_bzero(c, sizeof *c);
}
