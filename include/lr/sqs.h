#ifndef LR_SQS_H
#define LR_SQS_H
/* A tiny SQS client: SendMessage over the AWS JSON 1.0 protocol, SigV4-signed,
 * with bounded retries. Implemented in runtime/aws/sqs.c.
 *
 * One client per process (created at init, kept in the app context): it owns
 * one libcurl handle, so connections are reused across invocations. Not safe
 * to share between threads. */
#include <stddef.h>
#include <stdint.h>

#include "lr/aws.h"

#define LR_SQS_MESSAGE_ID_LEN 128
/* SQS's classic limit; queues raised to 1 MiB accept it too. */
#define LR_SQS_MAX_BODY (256u * 1024u)
#define LR_SQS_MAX_QUEUE_URL 1024
#define LR_SQS_MAX_TRACE_HEADER 1024

typedef struct lr_sqs_client lr_sqs_client;

/* Creates a client; *out is freed with lr_sqs_client_free. Nothing to free on
 * failure (*out is NULL). */
lr_aws_status lr_sqs_client_create(lr_sqs_client **out, const lr_aws_client_config *cfg,
                                   char err[LR_AWS_ERR_LEN]);
/* NULL-safe; scrubs the credentials. */
void lr_sqs_client_free(lr_sqs_client *c);

/* Sends body (valid UTF-8, 1..LR_SQS_MAX_BODY bytes) to queue_url. With a
 * non-empty trace_header (an X-Ray "Root=...;Parent=...;Sampled=..." header)
 * it travels as the AWSTraceHeader system attribute. Throttling, 5xx and
 * transport failures are retried with jittered backoff while attempts remain
 * and deadline_ms (epoch ms, e.g. the invocation's deadline minus a margin)
 * allows. A retried send may deliver the message twice (SQS is at-least-once
 * anyway; consumers must be idempotent). On success message_id holds the
 * MessageId. */
lr_aws_status lr_sqs_send_message(lr_sqs_client *c, const char *queue_url, const char *body,
                                  size_t body_len, const char *trace_header, int64_t deadline_ms,
                                  char message_id[LR_SQS_MESSAGE_ID_LEN], char err[LR_AWS_ERR_LEN]);

/* ---- Consuming a queue (runtime/aws/sqs_receive.c): what an event source
 * mapping does, with the same client (one per thread). Give the client an
 * attempt_timeout_ms longer than the long-poll waits it will make. */
#define LR_SQS_MAX_RECEIPT_HANDLE 2048

/* ReceiveMessage of up to max_messages (1-10), long-polling wait_s (0-20)
 * seconds, with every system attribute and message attribute. On LR_AWS_OK
 * out holds SQS's answer (JSON, {"Messages":[...]} or {}), appended; the
 * caller parses it as the hostile input it is. */
lr_aws_status lr_sqs_receive(lr_sqs_client *c, const char *queue_url, int max_messages, int wait_s,
                             int64_t deadline_ms, lr_buf *out, char err[LR_AWS_ERR_LEN]);

/* DeleteMessageBatch of n (1-10) receipt handles. *failed counts the entries
 * SQS refused (a handle gone stale after its visibility timeout). */
lr_aws_status lr_sqs_delete_batch(lr_sqs_client *c, const char *queue_url, const char *const *receipt_handles,
                                  size_t n, int64_t deadline_ms, size_t *failed, char err[LR_AWS_ERR_LEN]);

/* ---- SendMessageBatch (runtime/aws/sqs_batch.c) ---- */

#define LR_SQS_BATCH_MAX 10           /* SQS's limit of entries per batch */
#define LR_SQS_BATCH_ID_LEN 81        /* 1..80 of [A-Za-z0-9_-] */
#define LR_SQS_BATCH_CODE_LEN 64

typedef struct lr_sqs_batch_entry {
  const char *id;           /* unique in the batch, 1..80 of [A-Za-z0-9_-] */
  const char *body;         /* valid UTF-8, 1..LR_SQS_MAX_BODY bytes */
  size_t body_len;
  const char *trace_header; /* NULL or "": none; else sent as AWSTraceHeader */
} lr_sqs_batch_entry;

typedef struct lr_sqs_batch_result {
  int sent;                           /* 1: listed as Successful */
  char code[LR_SQS_BATCH_CODE_LEN];   /* the failure's Code ("" when sent) */
} lr_sqs_batch_result;

/* Sends 1..LR_SQS_BATCH_MAX messages in one SendMessageBatch (their bodies
 * together at most LR_SQS_MAX_BODY bytes). The whole request is retried like
 * SendMessage (throttling, 5xx, transport) within deadline_ms; an entry SQS
 * refuses is reported in results[i] (sent 0 + its code) with LR_AWS_OK, and
 * an entry the answer does not mention counts as not sent. results has n
 * elements. A retried request may deliver a message twice. */
lr_aws_status lr_sqs_send_message_batch(lr_sqs_client *c, const char *queue_url,
                                        const lr_sqs_batch_entry *entries, size_t n,
                                        int64_t deadline_ms, lr_sqs_batch_result *results,
                                        char err[LR_AWS_ERR_LEN]);

#endif
