/* RDS IAM auth tokens: the SigV4-presigned "connect" URL, made the way
 * @aws-sdk/rds-signer makes it (host:port as the signed Host header, path "/",
 * Action=connect&DBUser=..., X-Amz-Expires=900, the session token as a signed
 * query parameter, every parameter sorted by name, scheme stripped). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "aws_internal.h"
#include "lr/aws.h"
#include "lr/sigv4.h"

#define RDS_MAX_HOST 253 /* a DNS name */
#define RDS_MAX_USER 128 /* PostgreSQL stops at 63 bytes; MySQL at 32: room for both */

static bool host_ok(const char *h) {
  size_t n = h ? strnlen(h, RDS_MAX_HOST + 1) : 0;
  if (n == 0 || n > RDS_MAX_HOST) return false;
  for (size_t i = 0; i < n; i++) {
    char c = h[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
      return false;
  }
  return true;
}

static bool user_ok(const char *u) {
  size_t n = u ? strnlen(u, RDS_MAX_USER + 1) : 0;
  return n > 0 && n <= RDS_MAX_USER && lr_aws__is_clean_text(u, n) && !memchr(u, '\t', n);
}

static lr_aws_status rds_check(const char *region, const char *host, int port, const char *user, char *err) {
  if (!host_ok(host)) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the host name must be 1-253 of [A-Za-z0-9.-]");
  if (port < 1 || port > 65535) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the port must be 1-65535");
  if (!user_ok(user)) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the user name must be 1-%d printable bytes", RDS_MAX_USER);
  if (!region || !*region) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "no region");
  return LR_AWS_OK;
}

lr_aws_status lr_aws_rds_auth_token(const lr_aws_credentials *c, const char *region,
                                    const char *host, int port, const char *user, time_t now,
                                    lr_buf *out, char err[LR_AWS_ERR_LEN]) {
  if (!c || !out) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "missing argument");
  lr_aws_status st = rds_check(region, host, port, user, err);
  if (st != LR_AWS_OK) return st;
  char hostport[RDS_MAX_HOST + 8];
  snprintf(hostport, sizeof hostport, "%s:%d", host, port);
  lr_sigv4_signer signer;
  st = lr_sigv4_signer_init(&signer, c, region, "rds-db", LR_SIGV4_PATH_NORMALIZE_ENCODE, err);
  const lr_sigv4_pair query[] = {{"Action", "connect", 0}, {"DBUser", user, 0}};
  const lr_sigv4_pair headers[] = {{"host", hostport, 0}};
  const lr_sigv4_request req = {.method = "GET", .path = "/", .query = query, .query_count = 2,
                                .headers = headers, .header_count = 1};
  size_t start = out->len;
  if (st == LR_AWS_OK && lr_buf_addf(out, "%s/?", hostport) != LR_BUF_OK)
    st = lr_aws__fail(err, LR_AWS_NOMEM, "out of memory building the token");
  if (st == LR_AWS_OK) st = lr_sigv4_presign(&signer, &req, now, LR_AWS_RDS_TOKEN_TTL, out, NULL, err);
  lr_sigv4_signer_wipe(&signer);
  if (st != LR_AWS_OK && out->data && out->len >= start) {
    lr_aws__wipe(out->data + start, out->len - start);
    lr_buf_free(out);
  }
  return st;
}
