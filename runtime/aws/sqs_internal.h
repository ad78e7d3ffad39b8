#ifndef LR_SQS_INTERNAL_H
#define LR_SQS_INTERNAL_H
/* The SQS client's inside, shared by the files that implement its calls
 * (sqs.c: SendMessage; sqs_batch.c: SendMessageBatch; sqs_receive.c:
 * ReceiveMessage, DeleteMessageBatch). */
#include "aws_http.h"
#include "lr/sqs.h"

struct lr_sqs_client {
  lr_aws_http http;
};

#endif
