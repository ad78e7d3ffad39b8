#ifndef LR_AWS_ENDPOINT_H
#define LR_AWS_ENDPOINT_H
/* Where a client sends its requests (aws_endpoint.c). */
#include "lr/aws.h"

#define LR_AWS_MAX_HOST 255
#define LR_AWS_MAX_BASE_PATH 256
#define LR_AWS_MAX_ENDPOINT 512

typedef struct lr_aws_endpoint {
  int https;
  char host[LR_AWS_MAX_HOST + 1];           /* a DNS name, IPv4 or [IPv6] */
  int port;                                 /* 0: the scheme's default */
  char base_path[LR_AWS_MAX_BASE_PATH + 1]; /* "" or "/prefix", never ending in '/' */
  int overridden;                           /* 1 when not the regional AWS endpoint */
} lr_aws_endpoint;

/* Parses "http(s)://host[:port][/path]" (no user info, query or fragment). */
lr_aws_status lr_aws__endpoint_parse(lr_aws_endpoint *ep, const char *url, char *err);

/* override, else $AWS_ENDPOINT_URL_<env_suffix>, else $AWS_ENDPOINT_URL, else
 * https://<prefix>.<region>.amazonaws.com. */
lr_aws_status lr_aws__endpoint_resolve(lr_aws_endpoint *ep, const char *env_suffix,
                                       const char *prefix, const char *region,
                                       const char *override, char *err);

/* "host" or "host:port", the Host header and the URL's authority. */
const char *lr_aws__endpoint_authority(const lr_aws_endpoint *ep, char *buf, size_t cap);

#endif
