#ifndef LR_SQS_INTERNAL_H
#define LR_SQS_INTERNAL_H
/* The SQS client's insides, shared by its files (sqs.c SendMessage,
 * sqs_batch.c SendMessageBatch). */
#include "aws_http.h"

struct lr_sqs_client {
  lr_aws_http http;
};

#endif
