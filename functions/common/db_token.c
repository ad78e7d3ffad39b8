/* RDS IAM auth tokens, cached and renewed before they expire (see db_token.h). */
#include "db_token.h"

#include <stdio.h>
#include <string.h>

static lr_aws_status db_token_default(void *arg, const char *region, const char *host, int port,
                                      const char *user, time_t now, lr_buf *out,
                                      char err[LR_AWS_ERR_LEN]) {
  (void)arg;
  lr_aws_credentials creds;
  lr_aws_status st = lr_aws_credentials_from_env(&creds, err);
  if (st == LR_AWS_OK) st = lr_aws_rds_auth_token(&creds, region, host, port, user, now, out, err);
  explicit_bzero(&creds, sizeof creds);
  return st;
}

static void db_token_wipe(lr_buf *b) {
  if (b->data) explicit_bzero(b->data, b->cap);
  lr_buf_free(b);
}

void db__token_init(db_token_cache *t) {
  lr_buf_init(&t->token, DB_TOKEN_MAX_LEN);
  t->issued_at = 0;
  t->made = 0;
}

void db__token_free(db_token_cache *t) {
  if (!t) return;
  db_token_wipe(&t->token);
}

void db__token_invalidate(db_token_cache *t) { db_token_wipe(&t->token); }

/* Fresh enough to use without renewing. A clock that went backwards renews. */
static int db_token_fresh(const db_token_cache *t, time_t now) {
  return t->token.len > 0 && now >= t->issued_at && now - t->issued_at < DB_TOKEN_RENEW_AFTER;
}

static int db_token_usable(const db_token_cache *t, time_t now) {
  return t->token.len > 0 && now >= t->issued_at &&
         now - t->issued_at < LR_AWS_RDS_TOKEN_TTL - DB_TOKEN_MIN_LEFT;
}

db_status db__token_get(db_token_cache *t, const cfg_config *cfg, db_token_fn fn, void *fn_arg,
                        time_t now, const lr_logger *log, const char **token,
                        char err[DB_ERR_LEN]) {
  *token = NULL;
  if (db_token_fresh(t, now)) {
    *token = lr_buf_str(&t->token);
    return DB_OK;
  }
  lr_buf fresh;
  lr_buf_init(&fresh, DB_TOKEN_MAX_LEN);
  char aerr[LR_AWS_ERR_LEN] = "";
  lr_aws_status st = (fn ? fn : db_token_default)(fn_arg, cfg->aws_region, cfg->db_host,
                                                 cfg->db_port, cfg->db_user, now, &fresh, aerr);
  if (st == LR_AWS_OK && fresh.len > 0) {
    db_token_wipe(&t->token);
    t->token = fresh;
    t->issued_at = now;
    t->made++;
    *token = lr_buf_str(&t->token);
    return DB_OK;
  }
  db_token_wipe(&fresh);
  if (db_token_usable(t, now)) {
    if (log)
      lr_log_kv(log, LR_LOG_WARN, "auth token renewal failed; using the previous token", "error",
                aerr, NULL);
    *token = lr_buf_str(&t->token);
    return DB_OK;
  }
  snprintf(err, DB_ERR_LEN, "auth token: %s", st == LR_AWS_OK ? "the signer made an empty token" : aerr);
  return DB_TOKEN;
}
