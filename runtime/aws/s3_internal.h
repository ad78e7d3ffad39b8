#ifndef LR_S3_INTERNAL_H
#define LR_S3_INTERNAL_H
/* Where an object lives (s3.c), apart for the tests. */
#include <stddef.h>

#include "aws_endpoint.h"
#include "lr/buf.h"

/* Virtual-hosted (authority "BUCKET.ENDPOINT", path "/KEY") for the regional
 * AWS endpoint; path-style (authority ENDPOINT, path "BASE/BUCKET/KEY") with
 * an override or a bucket name with dots. The key is URI-encoded, '/' kept.
 * Appends the path to `path`. */
lr_aws_status lr_s3__location(const lr_aws_endpoint *ep, const char *bucket, const char *key,
                              char *authority, size_t cap, lr_buf *path);

#endif
