#ifndef AWS_TEST_CLIENT_UTIL_H
#define AWS_TEST_CLIENT_UTIL_H
/* Shared by the SQS and S3 client tests. */
#include <time.h>

#include "lr/aws.h"
#include "lr/sigv4.h"
#include "mock_http.h"

#define TEST_AKID "AKIDEXAMPLE"
#define TEST_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TEST_TOKEN "IQoJb3JpZ2luX2VjEA8aCXVzLWVhc3QtMSJHMEUCIQD/tok+en=="

/* Credentials with or without the session token. */
lr_aws_credentials test_creds(int with_token);

/* A config pointing at http://127.0.0.1:port. */
lr_aws_client_config test_config(const lr_aws_credentials *c, int port, int max_attempts);

/* Recomputes the Authorization of recorded request i from what was received
 * (the X-Amz-Date it carried, its headers named in SignedHeaders, its body)
 * and checks it equals the one sent: what was signed is what went out. */
void expect_valid_signature(const mock_server *m, size_t i, const lr_aws_credentials *c,
                            const char *service, lr_sigv4_path_mode mode);

#endif
