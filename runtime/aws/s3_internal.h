#ifndef LR_S3_INTERNAL_H
#define LR_S3_INTERNAL_H
/* Where an object lives (s3.c), apart for the tests; what s3.c shares with
 * s3_multipart.c. */
#include <stddef.h>

#include "aws_endpoint.h"
#include "lr/buf.h"
#include "lr/s3.h"
#include "lr/sigv4.h"

/* Virtual-hosted (authority "BUCKET.ENDPOINT", path "/KEY") for the regional
 * AWS endpoint; path-style (authority ENDPOINT, path "BASE/BUCKET/KEY") with
 * an override or a bucket name with dots. The key is URI-encoded, '/' kept.
 * Appends the path to `path`. */
lr_aws_status lr_s3__location(const lr_aws_endpoint *ep, const char *bucket, const char *key,
                              char *authority, size_t cap, lr_buf *path);

/* The checks of a PutObject's fields (a multipart upload's too; body unused
 * there). */
lr_aws_status lr_s3__put_check(const lr_s3_put *p, char *err);

/* x-amz-checksum-sha256's value: base64 of the 32 bytes whose hex is given. */
void lr_s3__checksum_b64(const char hex[LR_SIGV4_HEX_LEN + 1], char out[64]);

/* The client's HTTP layer, for s3_multipart.c. */
struct lr_aws_http *lr_s3__http(lr_s3_client *c);

#endif
