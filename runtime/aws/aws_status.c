/* The status table of runtime/aws, the error setter and the credentials. */
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "aws_internal.h"
#include "lr/aws.h"
#include "lr/status.h"

static const lr_status_row lr_aws_rows[] = {
#define LR_AWS_ROW(name, value, msg) [value] = {"LR_AWS_" #name, msg},
    LR_AWS_STATUS_MAP(LR_AWS_ROW)
#undef LR_AWS_ROW
};
static const lr_status_row lr_aws_unknown = {"LR_AWS_UNKNOWN", "unknown status"};

const char *lr_aws_status_name(lr_aws_status st) { return LR_STATUS_ROW(lr_aws_rows, st, &lr_aws_unknown)->name; }

const char *lr_aws_status_message(lr_aws_status st) {
  return LR_STATUS_ROW(lr_aws_rows, st, &lr_aws_unknown)->message;
}

lr_aws_status lr_aws__fail(char *err, lr_aws_status st, const char *fmt, ...) {
  if (!err) return st;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(err, LR_AWS_ERR_LEN, fmt, ap);
  va_end(ap);
  if (n < 0) snprintf(err, LR_AWS_ERR_LEN, "%s", lr_aws_status_message(st));
  return st;
}

lr_aws_status lr_aws__buf_fail(char *err, int buf_status, const char *what) {
  if (buf_status == LR_BUF_NOMEM) return lr_aws__fail(err, LR_AWS_NOMEM, "out of memory building %s", what);
  return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "%s is too long", what);
}

bool lr_aws__is_clean_text(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

void lr_aws__wipe(void *p, size_t n) {
  if (p && n) OPENSSL_cleanse(p, n);
}

/* Copies one variable into dst; absent or empty is LR_AWS_NO_CREDENTIALS when
 * required, "" otherwise. */
static lr_aws_status env_copy(char *dst, size_t cap, const char *name, int required, char *err) {
  const char *v = getenv(name);
  dst[0] = '\0';
  if (!v || !*v) {
    if (!required) return LR_AWS_OK;
    return lr_aws__fail(err, LR_AWS_NO_CREDENTIALS, "%s is not set", name);
  }
  size_t len = strlen(v);
  if (len >= cap) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "%s is too long (%zu bytes, max %zu)", name, len, cap - 1);
  if (!lr_aws__is_clean_text(v, len) || memchr(v, '\t', len) || memchr(v, ' ', len))
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "%s holds spaces or control characters", name);
  memcpy(dst, v, len + 1);
  return LR_AWS_OK;
}

lr_aws_status lr_aws_credentials_from_env(lr_aws_credentials *c, char err[LR_AWS_ERR_LEN]) {
  if (!c) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "no credentials to fill");
  lr_aws_status st = env_copy(c->access_key_id, sizeof c->access_key_id, "AWS_ACCESS_KEY_ID", 1, err);
  if (st == LR_AWS_OK)
    st = env_copy(c->secret_access_key, sizeof c->secret_access_key, "AWS_SECRET_ACCESS_KEY", 1, err);
  if (st == LR_AWS_OK)
    st = env_copy(c->session_token, sizeof c->session_token, "AWS_SESSION_TOKEN", 0, err);
  if (st != LR_AWS_OK) lr_aws__wipe(c, sizeof *c);
  return st;
}
