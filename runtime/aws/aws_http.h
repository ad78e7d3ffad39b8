#ifndef LR_AWS_HTTP_H
#define LR_AWS_HTTP_H
/* The HTTP layer under the SQS and S3 clients and the generic calls (aws_http.c,
 * aws_call.c): one libcurl
 * handle, SigV4 signing of every attempt, bounded answers, retries with
 * jittered backoff inside the caller's deadline. */
#include <stdint.h>

#include <curl/curl.h>

#include "aws_endpoint.h"
#include "aws_error_body.h"
#include "lr/sigv4.h"

#define LR_AWS_HTTP_ETAG_LEN 128
#define LR_AWS_HTTP_CAPTURE_LEN 128

typedef enum lr_aws_error_format { LR_AWS_ERRORS_JSON = 0, LR_AWS_ERRORS_XML = 1 } lr_aws_error_format;

typedef struct lr_aws_http {
  CURL *curl;
  lr_sigv4_signer signer;
  lr_aws_endpoint ep;
  const char *label; /* "SQS", "S3": names the service in messages */
  lr_aws_error_format errors;
  long connect_timeout_ms;
  long attempt_timeout_ms;
  int max_attempts;
  char ca_file[256]; /* "" for libcurl's default */
  lr_buf body;       /* the last answer's body, reused */
  char etag[LR_AWS_HTTP_ETAG_LEN];
  const char *capture_name; /* the request's capture_header during a send */
  char captured[LR_AWS_HTTP_CAPTURE_LEN];
  int body_too_big;
  char curl_err[CURL_ERROR_SIZE];
} lr_aws_http;

typedef struct lr_aws_http_req {
  const char *method;
  const char *authority;       /* Host header and URL authority; NULL: the endpoint's */
  const char *path;            /* wire path (percent-encoded), starting with '/' */
  const lr_sigv4_pair *query;  /* decoded; signed, encoded and appended as "?..." in canonical order; may be NULL */
  size_t query_count;
  const lr_sigv4_pair *headers;/* sent and signed besides Host (Content-Type among them) */
  size_t header_count;
  const void *body;
  size_t body_len;
  const char *payload_hash;    /* NULL: SHA-256 of body */
  /* A response header whose value lands in h->captured ("" when absent),
   * e.g. Lambda's X-Amz-Function-Error. NULL: none. */
  const char *capture_header;
} lr_aws_http_req;

/* Sets up h (service: the signing name, "sqs"/"s3"; env_suffix: "SQS"/"S3").
 * On failure nothing is left to free. */
lr_aws_status lr_aws__http_init(lr_aws_http *h, const lr_aws_client_config *cfg,
                                const char *service, const char *env_suffix,
                                lr_sigv4_path_mode mode, char *err);
/* Frees the handle and the body, scrubs the signer. NULL-safe. */
void lr_aws__http_cleanup(lr_aws_http *h);

/* Sends req until a 2xx answer, a final error, the attempts or the deadline
 * run out. On LR_AWS_OK h->body, h->etag and h->captured hold the answer. */
lr_aws_status lr_aws__http_send(lr_aws_http *h, const lr_aws_http_req *req, int64_t deadline_ms,
                                char *err);

#endif
