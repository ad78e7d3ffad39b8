#ifndef LR_SIGV4_H
#define LR_SIGV4_H
/* AWS Signature Version 4 (AWS4-HMAC-SHA256): header signing and query
 * presigning, written against OpenSSL. Implemented in runtime/aws/sigv4_*.c.
 *
 * A signer is bound to one set of credentials, one region and one service.
 * It caches the derived signing key for the current UTC date, so a signer is
 * not safe to share between threads (the runtime runs one invocation at a
 * time per process, and each client owns its signer).
 *
 * Every input is bounded and checked: values with CR, LF or NUL, header names
 * that are not HTTP tokens, overlong values and too many headers or parameters
 * are refused with LR_AWS_BAD_ARGUMENT rather than signed. */
#include <stddef.h>
#include <time.h>

#include "lr/aws.h"
#include "lr/buf.h"

#define LR_SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define LR_SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
/* SHA-256 of the empty string, the payload hash of a request without a body. */
#define LR_SIGV4_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

#define LR_SIGV4_HEX_LEN 64            /* a hex SHA-256 or signature, without NUL */
#define LR_SIGV4_AMZ_DATE_LEN 17       /* "YYYYMMDDTHHMMSSZ" + NUL */
#define LR_SIGV4_MAX_HEADERS 32        /* headers given by the caller */
#define LR_SIGV4_MAX_PARAMS 64         /* query parameters given by the caller */
#define LR_SIGV4_MAX_NAME 128          /* a header or parameter name */
#define LR_SIGV4_MAX_VALUE 16384       /* a header or parameter value (session tokens are ~1-4 KiB) */
#define LR_SIGV4_MAX_PATH 4096         /* the request path */
#define LR_SIGV4_MAX_SCOPE_PART 64     /* a region or a service name */
#define LR_SIGV4_SIGNED_HEADERS_LEN 1024
#define LR_SIGV4_MAX_EXPIRES 604800    /* a presigned URL lives at most 7 days */

/* How the canonical URI is made from the path sent on the wire. */
typedef enum lr_sigv4_path_mode {
  /* Every service but S3: remove empty, "." and ".." segments, then
   * URI-encode the (already encoded) path once more. */
  LR_SIGV4_PATH_NORMALIZE_ENCODE = 0,
  /* S3: the wire path is the canonical URI, byte for byte. */
  LR_SIGV4_PATH_AS_IS = 1
} lr_sigv4_path_mode;

/* A header or a query parameter. Query names and values are given decoded
 * (the signer encodes them). value_len 0 means "value is NUL-terminated";
 * a value_len > 0 lets a caller pass bytes that are then checked for NUL. */
typedef struct lr_sigv4_pair {
  const char *name;
  const char *value;
  size_t value_len;
} lr_sigv4_pair;

typedef struct lr_sigv4_request {
  const char *method;                 /* "GET", "POST", "PUT" ... */
  const char *path;                   /* as sent on the wire (percent-encoded), starts with '/' */
  const lr_sigv4_pair *query;         /* may be NULL when query_count is 0 */
  size_t query_count;
  const lr_sigv4_pair *headers;       /* must hold Host; never X-Amz-Date / X-Amz-Security-Token */
  size_t header_count;
  /* 64 lowercase hex digits or LR_SIGV4_UNSIGNED_PAYLOAD; NULL: SHA-256 of
   * payload (of the empty string when payload is NULL). */
  const char *payload_hash;
  const void *payload;
  size_t payload_len;
} lr_sigv4_request;

typedef struct lr_sigv4_signer {
  lr_aws_credentials creds;
  char region[LR_SIGV4_MAX_SCOPE_PART];
  char service[LR_SIGV4_MAX_SCOPE_PART];
  lr_sigv4_path_mode path_mode;
  /* Derived key cache: HMAC chain of (date, region, service, "aws4_request"). */
  char key_date[9];
  unsigned char key[32];
} lr_sigv4_signer;

/* What a signature was made of, for the caller's headers and for tests.
 * canonical_request / string_to_sign are optional caller-owned buffers (NULL
 * to skip) that receive those texts. */
typedef struct lr_sigv4_out {
  char amz_date[LR_SIGV4_AMZ_DATE_LEN];
  char signature[LR_SIGV4_HEX_LEN + 1];
  char signed_headers[LR_SIGV4_SIGNED_HEADERS_LEN];
  lr_buf *canonical_request;
  lr_buf *string_to_sign;
} lr_sigv4_out;

/* Checks and copies the credentials, region and service. Nothing to free
 * (call lr_sigv4_signer_wipe to scrub the secret from memory). */
lr_aws_status lr_sigv4_signer_init(lr_sigv4_signer *s, const lr_aws_credentials *c,
                                   const char *region, const char *service,
                                   lr_sigv4_path_mode mode, char err[LR_AWS_ERR_LEN]);
/* Overwrites the secret, the token and the cached key. NULL-safe. */
void lr_sigv4_signer_wipe(lr_sigv4_signer *s);

/* Signs a request for the Authorization header. The signer adds X-Amz-Date
 * (from now) and, with a session token, X-Amz-Security-Token to the signed
 * headers: the caller sends both (values in out->amz_date and
 * s->creds.session_token) with the request. Appends the Authorization value
 * to `authorization`; on failure nothing is appended (a buffer that overflows
 * is emptied, as every lr_buf is). */
lr_aws_status lr_sigv4_sign_headers(lr_sigv4_signer *s, const lr_sigv4_request *req, time_t now,
                                    lr_buf *authorization, lr_sigv4_out *out,
                                    char err[LR_AWS_ERR_LEN]);

/* Presigns a request: appends to `query` the whole query string to send (the
 * request's own parameters, X-Amz-Algorithm, -Credential, -Date, -Expires,
 * -SignedHeaders, -Security-Token when there is a session token, and
 * -Signature), encoded and sorted by name. expires: 1..LR_SIGV4_MAX_EXPIRES.
 * out may be NULL. On failure `query` is left empty. */
lr_aws_status lr_sigv4_presign(lr_sigv4_signer *s, const lr_sigv4_request *req, time_t now,
                               int expires, lr_buf *query, lr_sigv4_out *out,
                               char err[LR_AWS_ERR_LEN]);

/* URI-encodes bytes the SigV4 way (unreserved A-Z a-z 0-9 - _ . ~ kept,
 * everything else %XX uppercase); '/' is kept when keep_slash is non-zero
 * (object keys in S3 paths). Appends to dst. */
lr_aws_status lr_sigv4_uri_encode(lr_buf *dst, const char *s, size_t len, int keep_slash);

/* Hex SHA-256 of data into hex[LR_SIGV4_HEX_LEN + 1]. */
lr_aws_status lr_sigv4_sha256_hex(const void *data, size_t len, char hex[LR_SIGV4_HEX_LEN + 1]);

/* "YYYYMMDDTHHMMSSZ" for now (UTC). */
lr_aws_status lr_sigv4_amz_date(time_t now, char out[LR_SIGV4_AMZ_DATE_LEN]);

#endif
