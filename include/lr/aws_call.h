#ifndef LR_AWS_CALL_H
#define LR_AWS_CALL_H
/* A generic signed call to any AWS service, for the APIs too small to earn a
 * client of their own (CodeDeploy's hook status, Lambda Invoke): the same
 * HTTP layer, SigV4 signing, retries and deadline as the SQS / S3 clients
 * (lr/aws.h). Implemented in runtime/aws/aws_call.c.
 *
 *   lr_aws_call_client *cd;
 *   lr_aws_call_client_create(&cd, &cfg, "codedeploy", "CODEDEPLOY", err);
 *   lr_aws_json_call(cd, "CodeDeploy_20141006.GetDeployment", body, len, deadline_ms, &ans, err);
 *
 * The endpoint is cfg->endpoint, else $AWS_ENDPOINT_URL_<ENV_SUFFIX>, else
 * $AWS_ENDPOINT_URL, else https://<service>.<region>.amazonaws.com. */
#include <stddef.h>
#include <stdint.h>

#include "lr/aws.h"
#include "lr/sigv4.h"

#define LR_AWS_CALL_HEADER_LEN 128

typedef struct lr_aws_call_client lr_aws_call_client;

/* An answer: valid until the next call on the same client or its free. */
typedef struct lr_aws_call_answer {
  const char *body; /* NUL-terminated; "" when empty */
  size_t body_len;
  /* The value of the request's capture_header, "" when absent. */
  char captured[LR_AWS_CALL_HEADER_LEN];
} lr_aws_call_answer;

/* service: the SigV4 signing name and endpoint prefix ("codedeploy",
 * "lambda"); env_suffix: "CODEDEPLOY", "LAMBDA". */
lr_aws_status lr_aws_call_client_create(lr_aws_call_client **out, const lr_aws_client_config *cfg,
                                        const char *service, const char *env_suffix,
                                        char err[LR_AWS_ERR_LEN]);
/* NULL-safe; scrubs the credentials. */
void lr_aws_call_client_free(lr_aws_call_client *c);

/* AWS JSON 1.1 protocol: POST / with X-Amz-Target: target and a JSON body. */
lr_aws_status lr_aws_json_call(lr_aws_call_client *c, const char *target, const char *body,
                               size_t body_len, int64_t deadline_ms, lr_aws_call_answer *ans,
                               char err[LR_AWS_ERR_LEN]);

/* A REST call. path is the wire path (percent-encoded); query names and
 * values are given decoded. A 2xx answer is LR_AWS_OK. */
typedef struct lr_aws_rest_request {
  const char *method;
  const char *path;
  const lr_sigv4_pair *query;
  size_t query_count;
  const char *content_type; /* NULL: none (and no body expected) */
  const void *body;
  size_t body_len;
  const char *capture_header; /* NULL: none */
} lr_aws_rest_request;

lr_aws_status lr_aws_rest_call(lr_aws_call_client *c, const lr_aws_rest_request *req,
                               int64_t deadline_ms, lr_aws_call_answer *ans,
                               char err[LR_AWS_ERR_LEN]);

#endif
