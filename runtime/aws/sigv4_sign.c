/* SigV4: hashing, the derived-key cache, the canonical request, the string to
 * sign, the Authorization header and query presigning. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "aws_internal.h"
#include "sigv4_internal.h"

/* A canonical request: method, URI, query, headers, signed list, hash. Its
 * parts are bounded separately; this bounds the whole. */
#define SIGV4_MAX_CANONICAL_REQUEST (1024u * 1024u)
#define SIGV4_MAX_STRING_TO_SIGN 512u
#define SIGV4_MAX_AUTHORIZATION 2048u

static void to_hex(const unsigned char *in, size_t n, char *out) {
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = hex[in[i] >> 4];
    out[2 * i + 1] = hex[in[i] & 15];
  }
  out[2 * n] = '\0';
}

lr_aws_status lr_sigv4_sha256_hex(const void *data, size_t len, char hex[LR_SIGV4_HEX_LEN + 1]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  if (!EVP_Digest(data ? data : "", data ? len : 0, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
    return LR_AWS_CRYPTO;
  to_hex(md, 32, hex);
  return LR_AWS_OK;
}

static bool hmac256(const void *key, size_t klen, const void *msg, size_t mlen, unsigned char out[32]) {
  unsigned int outlen = 0;
  return HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &outlen) && outlen == 32;
}

lr_aws_status lr_sigv4_amz_date(time_t now, char out[LR_SIGV4_AMZ_DATE_LEN]) {
  struct tm tm;
  if (!gmtime_r(&now, &tm)) return LR_AWS_BAD_ARGUMENT;
  if (tm.tm_year < 70 || tm.tm_year > 8099) return LR_AWS_BAD_ARGUMENT; /* keeps %Y four digits */
  if (strftime(out, LR_SIGV4_AMZ_DATE_LEN, "%Y%m%dT%H%M%SZ", &tm) != LR_SIGV4_AMZ_DATE_LEN - 1)
    return LR_AWS_BAD_ARGUMENT;
  return LR_AWS_OK;
}

/* ---- signer ----------------------------------------------------------- */

static bool scope_part_ok(const char *s) {
  size_t n = s ? strnlen(s, LR_SIGV4_MAX_SCOPE_PART) : 0;
  if (n == 0 || n >= LR_SIGV4_MAX_SCOPE_PART) return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-')) return false;
  return true;
}

static bool field_ok(const char *s, size_t cap, int may_be_empty) {
  size_t n = strnlen(s, cap);
  if (n == cap || (n == 0 && !may_be_empty)) return false;
  return lr_aws__is_clean_text(s, n) && !memchr(s, ' ', n) && !memchr(s, '\t', n);
}

static bool access_key_ok(const char *s, size_t cap) {
  size_t n = strnlen(s, cap);
  if (n == 0 || n == cap) return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
      return false;
  return true;
}

lr_aws_status lr_sigv4_signer_init(lr_sigv4_signer *s, const lr_aws_credentials *c,
                                   const char *region, const char *service,
                                   lr_sigv4_path_mode mode, char err[LR_AWS_ERR_LEN]) {
  if (!s || !c) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "no signer or no credentials");
  memset(s, 0, sizeof *s);
  if (!access_key_ok(c->access_key_id, sizeof c->access_key_id))
    return lr_aws__fail(err, LR_AWS_NO_CREDENTIALS, "the access key id is missing or not alphanumeric");
  if (!field_ok(c->secret_access_key, sizeof c->secret_access_key, 0) ||
      !field_ok(c->session_token, sizeof c->session_token, 1))
    return lr_aws__fail(err, LR_AWS_NO_CREDENTIALS, "the secret key or session token is missing or malformed");
  if (!scope_part_ok(region) || !scope_part_ok(service))
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "region and service must be 1-63 of [a-z0-9-]");
  if (mode != LR_SIGV4_PATH_NORMALIZE_ENCODE && mode != LR_SIGV4_PATH_AS_IS)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "unknown path mode");
  s->creds = *c;
  memcpy(s->region, region, strlen(region) + 1);
  memcpy(s->service, service, strlen(service) + 1);
  s->path_mode = mode;
  return LR_AWS_OK;
}

void lr_sigv4_signer_wipe(lr_sigv4_signer *s) {
  if (s) lr_aws__wipe(s, sizeof *s);
}

/* The key for `date` (YYYYMMDD), derived once per UTC day and kept. */
static lr_aws_status signing_key(lr_sigv4_signer *s, const char *date, char *err) {
  if (strcmp(s->key_date, date) == 0) return LR_AWS_OK;
  char seed[4 + sizeof s->creds.secret_access_key];
  int n = snprintf(seed, sizeof seed, "AWS4%s", s->creds.secret_access_key);
  unsigned char k[32];
  bool bad = n < 0 || (size_t)n >= sizeof seed;
  bad = bad || !hmac256(seed, (size_t)n, date, strlen(date), k);
  bad = bad || !hmac256(k, 32, s->region, strlen(s->region), k);
  bad = bad || !hmac256(k, 32, s->service, strlen(s->service), k);
  bad = bad || !hmac256(k, 32, "aws4_request", 12, s->key);
  lr_aws__wipe(seed, sizeof seed);
  lr_aws__wipe(k, sizeof k);
  if (bad) {
    s->key_date[0] = '\0';
    return lr_aws__fail(err, LR_AWS_CRYPTO, "HMAC-SHA256 failed deriving the signing key");
  }
  memcpy(s->key_date, date, 9);
  return LR_AWS_OK;
}

/* ---- the canonical request ------------------------------------------ */

static bool method_ok(const char *m) {
  size_t n = m ? strnlen(m, 17) : 0;
  if (n == 0 || n > 16) return false;
  for (size_t i = 0; i < n; i++)
    if (m[i] < 'A' || m[i] > 'Z') return false;
  return true;
}

static bool payload_hash_ok(const char *h) {
  if (strcmp(h, LR_SIGV4_UNSIGNED_PAYLOAD) == 0) return true;
  if (strnlen(h, LR_SIGV4_HEX_LEN + 1) != LR_SIGV4_HEX_LEN) return false;
  for (size_t i = 0; i < LR_SIGV4_HEX_LEN; i++)
    if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f'))) return false;
  return true;
}

static lr_aws_status payload_hash(const lr_sigv4_request *req, char out[LR_SIGV4_HEX_LEN + 1], char *err) {
  if (req->payload_hash) {
    if (!payload_hash_ok(req->payload_hash))
      return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the payload hash is neither hex SHA-256 nor UNSIGNED-PAYLOAD");
    snprintf(out, LR_SIGV4_HEX_LEN + 1, "%s", req->payload_hash);
    return LR_AWS_OK;
  }
  if (!req->payload && req->payload_len) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "payload length without payload");
  if (lr_sigv4_sha256_hex(req->payload, req->payload_len, out) != LR_AWS_OK)
    return lr_aws__fail(err, LR_AWS_CRYPTO, "SHA-256 of the payload failed");
  return LR_AWS_OK;
}

/* The parts the signer adds are in extra_q / extra_h. */
typedef struct canon_in {
  const lr_sigv4_pair *extra_q;
  size_t n_extra_q;
  const lr_sigv4_pair *extra_h;
  size_t n_extra_h;
} canon_in;

static lr_aws_status canonical_request(const lr_sigv4_signer *s, const lr_sigv4_request *req,
                                       const canon_in *in, lr_buf *cr, char *signed_headers,
                                       char *err) {
  char hash[LR_SIGV4_HEX_LEN + 1];
  if (!method_ok(req->method)) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the method must be 1-16 uppercase letters");
  lr_aws_status st = payload_hash(req, hash, err);
  if (st == LR_AWS_OK && (lr_buf_adds(cr, req->method) != LR_BUF_OK || lr_buf_add(cr, "\n", 1) != LR_BUF_OK))
    st = lr_aws__fail(err, LR_AWS_NOMEM, "out of memory");
  if (st == LR_AWS_OK) st = lr_sigv4__canonical_uri(cr, req->path, s->path_mode, err);
  if (st == LR_AWS_OK && lr_buf_add(cr, "\n", 1) != LR_BUF_OK) st = lr_aws__fail(err, LR_AWS_NOMEM, "out of memory");
  if (st == LR_AWS_OK) st = lr_sigv4__query(cr, req->query, req->query_count, in->extra_q, in->n_extra_q, err);
  if (st == LR_AWS_OK && lr_buf_add(cr, "\n", 1) != LR_BUF_OK) st = lr_aws__fail(err, LR_AWS_NOMEM, "out of memory");
  if (st == LR_AWS_OK)
    st = lr_sigv4__headers(cr, signed_headers, req->headers, req->header_count, in->extra_h, in->n_extra_h, err);
  if (st == LR_AWS_OK && lr_buf_addf(cr, "\n%s\n%s", signed_headers, hash) != LR_BUF_OK)
    st = lr_aws__fail(err, LR_AWS_NOMEM, "out of memory");
  return st;
}

/* String to sign and signature for a finished canonical request. */
static lr_aws_status finish(lr_sigv4_signer *s, const lr_buf *cr, lr_sigv4_out *out, char *err) {
  char cr_hash[LR_SIGV4_HEX_LEN + 1];
  char date[9];
  memcpy(date, out->amz_date, 8);
  date[8] = '\0';
  if (lr_sigv4_sha256_hex(cr->data, cr->len, cr_hash) != LR_AWS_OK)
    return lr_aws__fail(err, LR_AWS_CRYPTO, "SHA-256 of the canonical request failed");
  lr_buf sts;
  lr_buf_init(&sts, SIGV4_MAX_STRING_TO_SIGN);
  if (lr_buf_addf(&sts, LR_SIGV4_ALGORITHM "\n%s\n%s/%s/%s/aws4_request\n%s", out->amz_date, date,
                  s->region, s->service, cr_hash) != LR_BUF_OK)
    return lr_aws__fail(err, LR_AWS_NOMEM, "cannot build the string to sign");
  unsigned char sig[32];
  lr_aws_status st = signing_key(s, date, err);
  if (st == LR_AWS_OK && !hmac256(s->key, 32, sts.data, sts.len, sig))
    st = lr_aws__fail(err, LR_AWS_CRYPTO, "HMAC-SHA256 of the string to sign failed");
  if (st == LR_AWS_OK) to_hex(sig, 32, out->signature);
  if (st == LR_AWS_OK && out->canonical_request && lr_buf_add(out->canonical_request, cr->data, cr->len) != LR_BUF_OK)
    st = lr_aws__fail(err, LR_AWS_NOMEM, "cannot hand out the canonical request");
  if (st == LR_AWS_OK && out->string_to_sign && lr_buf_add(out->string_to_sign, sts.data, sts.len) != LR_BUF_OK)
    st = lr_aws__fail(err, LR_AWS_NOMEM, "cannot hand out the string to sign");
  lr_buf_free(&sts);
  return st;
}

static bool is_reserved_header(const char *name) {
  return name && (strcasecmp(name, "x-amz-date") == 0 || strcasecmp(name, "x-amz-security-token") == 0 ||
                  strcasecmp(name, "authorization") == 0);
}

lr_aws_status lr_sigv4_sign_headers(lr_sigv4_signer *s, const lr_sigv4_request *req, time_t now,
                                    lr_buf *authorization, lr_sigv4_out *out,
                                    char err[LR_AWS_ERR_LEN]) {
  lr_sigv4_out local = {0};
  if (!out) out = &local;
  if (!s || !req || !authorization) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "missing argument");
  for (size_t i = 0; i < req->header_count && req->headers; i++)
    if (is_reserved_header(req->headers[i].name))
      return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the signer sets %s itself", req->headers[i].name);
  if (lr_sigv4_amz_date(now, out->amz_date) != LR_AWS_OK)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the clock is out of range");
  lr_sigv4_pair extra[2] = {{"X-Amz-Date", out->amz_date, 0}, {"X-Amz-Security-Token", s->creds.session_token, 0}};
  canon_in in = {NULL, 0, extra, s->creds.session_token[0] ? 2 : 1};
  lr_buf cr;
  lr_buf_init(&cr, SIGV4_MAX_CANONICAL_REQUEST);
  lr_aws_status st = canonical_request(s, req, &in, &cr, out->signed_headers, err);
  if (st == LR_AWS_OK) st = finish(s, &cr, out, err);
  lr_buf_free(&cr);
  if (st != LR_AWS_OK) return st;
  lr_buf_status bs = lr_buf_addf(authorization, LR_SIGV4_ALGORITHM " Credential=%s/%.8s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s",
                                 s->creds.access_key_id, out->amz_date, s->region, s->service,
                                 out->signed_headers, out->signature);
  if (bs != LR_BUF_OK) return lr_aws__buf_fail(err, bs, "the Authorization header");
  return LR_AWS_OK;
}

/* ---- presigning ------------------------------------------------------- */

typedef struct presign_params {
  char credential[sizeof(((lr_aws_credentials *)0)->access_key_id) + 160];
  char expires[16];
  lr_sigv4_pair q[7];
  size_t n;
} presign_params;

static lr_aws_status presign_params_fill(presign_params *p, const lr_sigv4_signer *s,
                                         const lr_sigv4_out *out, int expires) {
  int n1 = snprintf(p->credential, sizeof p->credential, "%s/%.8s/%s/%s/aws4_request",
                    s->creds.access_key_id, out->amz_date, s->region, s->service);
  int n2 = snprintf(p->expires, sizeof p->expires, "%d", expires);
  if (n1 < 0 || (size_t)n1 >= sizeof p->credential || n2 < 0 || (size_t)n2 >= sizeof p->expires)
    return LR_AWS_BAD_ARGUMENT;
  p->n = 0;
  p->q[p->n++] = (lr_sigv4_pair){"X-Amz-Algorithm", LR_SIGV4_ALGORITHM, 0};
  p->q[p->n++] = (lr_sigv4_pair){"X-Amz-Credential", p->credential, 0};
  p->q[p->n++] = (lr_sigv4_pair){"X-Amz-Date", out->amz_date, 0};
  p->q[p->n++] = (lr_sigv4_pair){"X-Amz-Expires", p->expires, 0};
  p->q[p->n++] = (lr_sigv4_pair){"X-Amz-SignedHeaders", out->signed_headers, 0};
  if (s->creds.session_token[0])
    p->q[p->n++] = (lr_sigv4_pair){"X-Amz-Security-Token", s->creds.session_token, 0};
  return LR_AWS_OK;
}

/* The signed-headers list is a query parameter of the canonical request, so
 * it is computed first from the headers alone. */
static lr_aws_status presign_signed_headers(const lr_sigv4_request *req, lr_sigv4_out *out, char *err) {
  lr_buf tmp;
  lr_buf_init(&tmp, 256u * 1024u);
  lr_aws_status st = lr_sigv4__headers(&tmp, out->signed_headers, req->headers, req->header_count, NULL, 0, err);
  lr_buf_free(&tmp);
  return st;
}

static lr_aws_status presign_check(const lr_sigv4_signer *s, const lr_sigv4_request *req, int expires,
                                   char *err) {
  if (!s || !req) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "missing argument");
  if (expires < 1 || expires > LR_SIGV4_MAX_EXPIRES)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "expires must be 1..%d seconds", LR_SIGV4_MAX_EXPIRES);
  for (size_t i = 0; i < req->query_count && req->query; i++)
    if (req->query[i].name && strncasecmp(req->query[i].name, "X-Amz-", 6) == 0)
      return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the signer sets the X-Amz-* parameters itself");
  for (size_t i = 0; i < req->header_count && req->headers; i++)
    if (is_reserved_header(req->headers[i].name))
      return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the signer sets %s itself", req->headers[i].name);
  return LR_AWS_OK;
}

lr_aws_status lr_sigv4_presign(lr_sigv4_signer *s, const lr_sigv4_request *req, time_t now,
                               int expires, lr_buf *query, lr_sigv4_out *out,
                               char err[LR_AWS_ERR_LEN]) {
  lr_sigv4_out local = {0};
  if (!out) out = &local;
  if (!query) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "missing argument");
  lr_aws_status st = presign_check(s, req, expires, err);
  if (st != LR_AWS_OK) return st;
  if (lr_sigv4_amz_date(now, out->amz_date) != LR_AWS_OK)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the clock is out of range");
  st = presign_signed_headers(req, out, err);
  presign_params p = {0};
  if (st == LR_AWS_OK && presign_params_fill(&p, s, out, expires) != LR_AWS_OK)
    st = lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the credential scope is too long");
  lr_buf cr;
  lr_buf_init(&cr, SIGV4_MAX_CANONICAL_REQUEST);
  canon_in in = {p.q, p.n, NULL, 0};
  if (st == LR_AWS_OK) st = canonical_request(s, req, &in, &cr, out->signed_headers, err);
  if (st == LR_AWS_OK) st = finish(s, &cr, out, err);
  lr_buf_free(&cr);
  if (st == LR_AWS_OK) {
    p.q[p.n++] = (lr_sigv4_pair){"X-Amz-Signature", out->signature, 0};
    st = lr_sigv4__query(query, req->query, req->query_count, p.q, p.n, err);
  }
  if (st == LR_AWS_OK) return LR_AWS_OK;
  lr_buf_free(query);
  return st;
}
