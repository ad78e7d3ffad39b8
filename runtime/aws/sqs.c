/* SQS SendMessage over the AWS JSON 1.0 protocol. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws_http.h"
#include "aws_internal.h"
#include "lr/sqs.h"
#include "sqs_internal.h"
#include "lr/json.h"
#include "lr/utf8.h"

lr_aws_status lr_sqs_client_create(lr_sqs_client **out, const lr_aws_client_config *cfg,
                                   char err[LR_AWS_ERR_LEN]) {
  if (!out) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "no place for the client");
  *out = NULL;
  lr_sqs_client *c = calloc(1, sizeof *c);
  if (!c) return lr_aws__fail(err, LR_AWS_NOMEM, "out of memory creating the SQS client");
  lr_aws_status st = lr_aws__http_init(&c->http, cfg, "sqs", "SQS", LR_SIGV4_PATH_NORMALIZE_ENCODE, err);
  if (st != LR_AWS_OK) {
    free(c);
    return st;
  }
  c->http.label = "SQS";
  c->http.errors = LR_AWS_ERRORS_JSON;
  *out = c;
  return LR_AWS_OK;
}

void lr_sqs_client_free(lr_sqs_client *c) {
  if (!c) return;
  lr_aws__http_cleanup(&c->http);
  free(c);
}

/* The code point of a well-formed sequence of len bytes (lr_utf8_seq_len). */
static unsigned long utf8_code_point(const unsigned char *s, size_t len) {
  unsigned long v = len == 1 ? s[0] : (unsigned long)(s[0] & (0x7F >> len));
  for (size_t i = 1; i < len; i++) v = (v << 6) | (s[i] & 0x3F);
  return v;
}

/* The characters SQS accepts in a message: #x9 #xA #xD #x20-#xD7FF
 * #xE000-#xFFFD #x10000-#x10FFFF, as valid UTF-8. */
static bool sqs_text_ok(const char *p, size_t n) {
  const unsigned char *s = (const unsigned char *)p;
  for (size_t i = 0; i < n;) {
    size_t len = lr_utf8_seq_len(s + i, n - i);
    if (len == 0) return false;
    unsigned long cp = utf8_code_point(s + i, len);
    bool ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
              (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    if (!ok) return false;
    i += len;
  }
  return true;
}

static lr_aws_status send_check(const char *queue_url, const char *body, size_t body_len,
                                const char *trace, char *err) {
  size_t ql = queue_url ? strnlen(queue_url, LR_SQS_MAX_QUEUE_URL + 1) : 0;
  if (ql == 0 || ql > LR_SQS_MAX_QUEUE_URL || !lr_aws__is_clean_text(queue_url, ql) ||
      (strncmp(queue_url, "https://", 8) != 0 && strncmp(queue_url, "http://", 7) != 0))
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the queue URL is missing, too long or not http(s)");
  if (!body || body_len == 0 || body_len > LR_SQS_MAX_BODY)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the message body must be 1-%u bytes", LR_SQS_MAX_BODY);
  if (!sqs_text_ok(body, body_len))
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the message body is not UTF-8 text SQS accepts");
  size_t tl = trace ? strnlen(trace, LR_SQS_MAX_TRACE_HEADER + 1) : 0;
  if (tl > LR_SQS_MAX_TRACE_HEADER || (tl && (!lr_aws__is_clean_text(trace, tl) || memchr(trace, '\t', tl))))
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the trace header is too long or holds control characters");
  return LR_AWS_OK;
}

/* {"QueueUrl":..., "MessageBody":..., "MessageSystemAttributes":{"AWSTraceHeader":{...}}} */
static char *send_payload(const char *queue_url, const char *body, size_t body_len, const char *trace) {
  char *text = malloc(body_len + 1);
  cJSON *root = cJSON_CreateObject();
  char *json = NULL;
  if (text && root) {
    memcpy(text, body, body_len);
    text[body_len] = '\0';
    int ok = cJSON_AddStringToObject(root, "QueueUrl", queue_url) && cJSON_AddStringToObject(root, "MessageBody", text);
    if (ok && trace && *trace) {
      cJSON *attrs = cJSON_AddObjectToObject(root, "MessageSystemAttributes");
      cJSON *th = attrs ? cJSON_AddObjectToObject(attrs, "AWSTraceHeader") : NULL;
      ok = th && cJSON_AddStringToObject(th, "DataType", "String") && cJSON_AddStringToObject(th, "StringValue", trace);
    }
    if (ok) json = cJSON_PrintUnformatted(root);
  }
  cJSON_Delete(root);
  free(text);
  return json;
}

static lr_aws_status read_message_id(const lr_buf *body, char id[LR_SQS_MESSAGE_ID_LEN], char *err) {
  cJSON *root = body->len ? lr_json_parse_or_null(body->data, body->len, LR_JSON_STRICT) : NULL;
  const cJSON *mid = cJSON_GetObjectItemCaseSensitive(root, "MessageId");
  lr_aws_status st = LR_AWS_OK;
  size_t n = cJSON_IsString(mid) && mid->valuestring ? strlen(mid->valuestring) : 0;
  if (n == 0 || n >= LR_SQS_MESSAGE_ID_LEN || !lr_aws__is_clean_text(mid->valuestring, n))
    st = lr_aws__fail(err, LR_AWS_BAD_RESPONSE, "SQS answered without a usable MessageId");
  else memcpy(id, mid->valuestring, n + 1);
  cJSON_Delete(root);
  return st;
}

lr_aws_status lr_sqs_send_message(lr_sqs_client *c, const char *queue_url, const char *body,
                                  size_t body_len, const char *trace_header, int64_t deadline_ms,
                                  char message_id[LR_SQS_MESSAGE_ID_LEN], char err[LR_AWS_ERR_LEN]) {
  if (!c || !message_id) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "missing argument");
  message_id[0] = '\0';
  lr_aws_status st = send_check(queue_url, body, body_len, trace_header, err);
  if (st != LR_AWS_OK) return st;
  char *json = send_payload(queue_url, body, body_len, trace_header);
  if (!json) return lr_aws__fail(err, LR_AWS_NOMEM, "out of memory building the SendMessage request");
  char path[LR_AWS_MAX_BASE_PATH + 2];
  snprintf(path, sizeof path, "%s/", c->http.ep.base_path);
  const lr_sigv4_pair headers[] = {{"Content-Type", "application/x-amz-json-1.0", 0},
                                   {"X-Amz-Target", "AmazonSQS.SendMessage", 0}};
  lr_aws_http_req req = {.method = "POST", .path = path, .headers = headers, .header_count = 2,
                         .body = json, .body_len = strlen(json)};
  st = lr_aws__http_send(&c->http, &req, deadline_ms, err);
  cJSON_free(json);
  if (st == LR_AWS_OK) st = read_message_id(&c->http.body, message_id, err);
  return st;
}
