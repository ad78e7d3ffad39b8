#ifndef LL_SQS_EVENT_H
#define LL_SQS_EVENT_H
/* The SQS event Lambda's event source mapping sends (Records[] built from
 * ReceiveMessage answers) and the reading of the function's answer
 * (ReportBatchItemFailures). Pure functions of their input: unit-tested
 * with AWS's samples and hostile variants. */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "ll_status.h"

typedef struct ll_sqs_batch {
  cJSON *records; /* the Records array; records[i].messageId / receiptHandle are read back from it */
  size_t count;
  size_t bytes;   /* bodies and handles so far, against Lambda's 6 MB payload */
} ll_sqs_batch;

ll_status ll_sqs_batch_init(ll_sqs_batch *b);
void ll_sqs_batch_free(ll_sqs_batch *b);

/* Appends the messages of a ReceiveMessage answer (JSON text) as records of
 * queue arn in region. A message without a string MessageId, ReceiptHandle
 * or Body is skipped and counted in *skipped (it cannot be delivered as
 * Lambda would). LL_BAD_INPUT when the answer itself is not SQS's shape. */
ll_status ll_sqs_batch_add(ll_sqs_batch *b, const char *answer, size_t len, const char *arn, const char *region,
                           size_t *skipped, char *err, size_t errcap);
const char *ll_sqs_record_id(const ll_sqs_batch *b, size_t i);
const char *ll_sqs_record_receipt(const ll_sqs_batch *b, size_t i);
/* {"Records":[...]} as text (caller frees with cJSON_free). */
char *ll_sqs_batch_event(const ll_sqs_batch *b);

/* The queue's ARN from its URL (https://host/ACCOUNT/NAME) and region. */
bool ll_sqs_queue_arn(const char *url, const char *region, char *out, size_t cap);

typedef enum ll_batch_verdict { LL_BATCH_ALL_OK = 0, LL_BATCH_PARTIAL = 1, LL_BATCH_ALL_FAILED = 2 } ll_batch_verdict;

/* What Lambda makes of a successful invocation's answer. Without
 * report_failures every record succeeded. With it: an empty or null answer,
 * no or null or empty batchItemFailures mean all succeeded; invalid JSON, a
 * non-object, a non-array batchItemFailures, an entry whose itemIdentifier
 * is missing, null, empty or names no record of the batch fail the whole
 * batch; otherwise failed[i] marks the records named. why says the reason
 * of a whole-batch failure. */
ll_batch_verdict ll_sqs_batch_result(const ll_sqs_batch *b, const char *answer, size_t len, bool report_failures,
                                     bool *failed, char *why, size_t whycap);

#endif
