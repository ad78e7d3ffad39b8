#ifndef LR_AWS_H
#define LR_AWS_H
/* AWS request signing (Signature Version 4) and the tiny SQS / S3 clients the
 * functions need. Implemented in runtime/aws/. Knows nothing of orders.
 *
 * Errors: functions return an lr_aws_status (0 = LR_AWS_OK) and, where the cause
 * matters, fill a caller-owned char err[LR_AWS_ERR_LEN] with a message that is
 * safe to log (never a secret, a signature or a token). */
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lr/buf.h"

#define LR_AWS_ERR_LEN 256

/* One table of statuses, names and messages (see runtime/aws/aws_status.c). */
#define LR_AWS_STATUS_MAP(X)                                                   \
  X(OK, 0, "ok")                                                               \
  X(BAD_ARGUMENT, 1, "invalid argument")                                       \
  X(NO_CREDENTIALS, 2, "no AWS credentials in the environment")                \
  X(NOMEM, 3, "out of memory")                                                 \
  X(CRYPTO, 4, "OpenSSL failure")                                              \
  X(TRANSPORT, 5, "the request could not be sent or its answer read")           \
  X(HTTP_STATUS, 6, "the service answered with an error status")               \
  X(BAD_RESPONSE, 7, "the service's answer could not be understood")           \
  X(THROTTLED, 8, "the service throttled the request")

typedef enum lr_aws_status {
#define LR_AWS_ENUM(name, value, msg) LR_AWS_##name = value,
  LR_AWS_STATUS_MAP(LR_AWS_ENUM)
#undef LR_AWS_ENUM
} lr_aws_status;

const char *lr_aws_status_name(lr_aws_status st);
const char *lr_aws_status_message(lr_aws_status st);

typedef struct lr_aws_credentials {
  char access_key_id[128];
  char secret_access_key[128];
  char session_token[4096]; /* "" when not temporary credentials */
} lr_aws_credentials;

/* AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (optional). */
lr_aws_status lr_aws_credentials_from_env(lr_aws_credentials *c, char err[LR_AWS_ERR_LEN]);

/* An RDS IAM auth token: the SigV4-presigned URL (without scheme) for
 *   https://HOST:PORT/?Action=connect&DBUser=USER  service rds-db, 900 s expiry,
 * with X-Amz-Security-Token when the credentials carry a session token.
 * Byte for byte what @aws-sdk/rds-signer and `aws rds generate-db-auth-token`
 * produce for the same inputs and clock. Appends to `out`. */
lr_aws_status lr_aws_rds_auth_token(const lr_aws_credentials *c, const char *region,
                                    const char *host, int port, const char *user, time_t now,
                                    lr_buf *out, char err[LR_AWS_ERR_LEN]);

/* Validity of an auth token, in seconds (the presigned URL's X-Amz-Expires). */
#define LR_AWS_RDS_TOKEN_TTL 900

/* Settings shared by the SQS and S3 clients (include/lr/sqs.h, lr/s3.h).
 * Zero values take the defaults named beside them. The strings are copied. */
typedef struct lr_aws_client_config {
  const char *region;                     /* required, e.g. "eu-west-1" */
  const lr_aws_credentials *credentials;  /* required; copied into the client */
  /* NULL: AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, else the
   * regional AWS endpoint. An override also switches S3 to path-style URLs. */
  const char *endpoint;
  long connect_timeout_ms;    /* 0: 1000 */
  long attempt_timeout_ms;    /* one attempt, all included; 0: 5000 */
  int max_attempts;           /* throttling, 5xx and transport errors; 0: 4 (at most 10) */
  size_t max_response_bytes;  /* 0: 64 KiB; a longer answer is LR_AWS_BAD_RESPONSE */
  const char *ca_file;        /* NULL: libcurl's bundle, or AL2023's when that one is missing */
} lr_aws_client_config;

/* The clients' deadline_ms arguments are on lr_context.deadline_ms's clock:
 * lr_clock_epoch_ms() (lr/clock.h). */

#endif
