#ifndef COMMON_DB_TOKEN_H
#define COMMON_DB_TOKEN_H
/* The RDS IAM auth token cache (private to functions/common; unit-tested).
 *
 * A token is valid for 15 minutes and is only checked when a connection is
 * opened, so one token serves every reconnect until it is renewed at 10
 * minutes. If renewal fails while the old token still has more than a minute
 * left, the old one is used (and the failure logged): a passing glitch in the
 * credentials must not take the database away. */
#include <time.h>

#include "common/config.h"
#include "common/db.h"
#include "lr/buf.h"
#include "lr/log.h"

#define DB_TOKEN_RENEW_AFTER 600 /* seconds: 10 of the token's 15 minutes */
#define DB_TOKEN_MIN_LEFT 60     /* a fallback token needs at least this much life left */
#define DB_TOKEN_MAX_LEN 8192    /* a token with a session token is ~1.5 KiB */

typedef struct db_token_cache {
  lr_buf token;     /* empty when none */
  time_t issued_at; /* the clock value the token was signed for */
  unsigned made;    /* tokens made so far (tests, logs) */
} db_token_cache;

void db__token_init(db_token_cache *t);
/* Wipes and frees the token. NULL-safe. */
void db__token_free(db_token_cache *t);
/* Forget the token (e.g. the server refused it): the next get makes a new one. */
void db__token_invalidate(db_token_cache *t);

/* *token points into the cache (valid until the next call). fn NULL: the
 * default (credentials from the environment + lr_aws_rds_auth_token). */
db_status db__token_get(db_token_cache *t, const cfg_config *cfg, db_token_fn fn, void *fn_arg,
                        time_t now, const lr_logger *log, const char **token,
                        char err[DB_ERR_LEN]);

#endif
