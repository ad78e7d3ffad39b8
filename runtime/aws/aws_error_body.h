#ifndef LR_AWS_ERROR_BODY_H
#define LR_AWS_ERROR_BODY_H
/* Error answers of AWS services made into a short message safe to log
 * (aws_error_body.c). The parsers are written for hostile bodies: any
 * length, any bytes, truncated or not JSON/XML at all. */
#include <stdbool.h>
#include <stddef.h>

#define LR_AWS_ERROR_CODE_LEN 64
#define LR_AWS_ERROR_MSG_LEN 160

typedef struct lr_aws_error_body {
  char code[LR_AWS_ERROR_CODE_LEN];   /* "" when none was found */
  char message[LR_AWS_ERROR_MSG_LEN]; /* "" when none was found */
} lr_aws_error_body;

/* AWS JSON protocols: {"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"..."}
 * (also "code"/"Code" and "Message"); the code keeps what follows the last '#'. */
void lr_aws__error_from_json(const char *body, size_t len, lr_aws_error_body *out);

/* REST-XML (S3): <Error><Code>SlowDown</Code><Message>...</Message></Error>. */
void lr_aws__error_from_xml(const char *body, size_t len, lr_aws_error_body *out);

/* The text between the first <tag> and the next </tag> of body (no
 * entities decoded), copied with lr_aws__safe_copy. true when found and it
 * fit in cap, false otherwise (dst then may hold a truncated copy or be
 * untouched). */
bool lr_aws__xml_text(const char *body, size_t len, const char *tag, char *dst, size_t cap);

/* Copies at most cap-1 bytes of printable ASCII, each other byte as '?'. */
void lr_aws__safe_copy(char *dst, size_t cap, const char *src, size_t len);

/* 1 for the error codes AWS SDKs treat as throttling. */
bool lr_aws__is_throttle_code(const char *code);
/* 1 for codes that are transient without being throttling (RequestTimeout...). */
bool lr_aws__is_transient_code(const char *code);

#endif
