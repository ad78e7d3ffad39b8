/* SQS SendMessageBatch over the AWS JSON 1.0 protocol. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws_internal.h"
#include "lr/sqs.h"
#include "lr/utf8.h"
#include "sqs_internal.h"
#include "lr/json.h"

static bool entry_id_ok(const char *id) {
  size_t n = id ? strnlen(id, LR_SQS_BATCH_ID_LEN) : 0;
  if (n == 0 || n >= LR_SQS_BATCH_ID_LEN) return false;
  for (size_t i = 0; i < n; i++) {
    char ch = id[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
      return false;
  }
  return true;
}

static bool trace_ok(const char *t) {
  size_t tl = t ? strnlen(t, LR_SQS_MAX_TRACE_HEADER + 1) : 0;
  return tl <= LR_SQS_MAX_TRACE_HEADER && (tl == 0 || (lr_aws__is_clean_text(t, tl) && !memchr(t, '\t', tl)));
}

static lr_aws_status batch_check(const char *queue_url, const lr_sqs_batch_entry *e, size_t n, char *err) {
  size_t ql = queue_url ? strnlen(queue_url, LR_SQS_MAX_QUEUE_URL + 1) : 0;
  if (ql == 0 || ql > LR_SQS_MAX_QUEUE_URL || !lr_aws__is_clean_text(queue_url, ql) ||
      (strncmp(queue_url, "https://", 8) != 0 && strncmp(queue_url, "http://", 7) != 0))
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the queue URL is missing, too long or not http(s)");
  if (!e || n == 0 || n > LR_SQS_BATCH_MAX)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "a batch holds 1-%d messages", LR_SQS_BATCH_MAX);
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    if (!entry_id_ok(e[i].id)) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "entry %zu: the id must be 1-80 of [A-Za-z0-9_-]", i);
    for (size_t j = 0; j < i; j++)
      if (strcmp(e[i].id, e[j].id) == 0) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "entry %zu: the id is used twice", i);
    if (!e[i].body || e[i].body_len == 0 || !lr_utf8_valid(e[i].body, e[i].body_len) ||
        memchr(e[i].body, '\0', e[i].body_len))
      return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "entry %zu: the body must be non-empty UTF-8 text", i);
    if (!trace_ok(e[i].trace_header))
      return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "entry %zu: the trace header is too long or holds control characters", i);
    total += e[i].body_len;
  }
  if (total > LR_SQS_MAX_BODY) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the batch's bodies exceed %u bytes", LR_SQS_MAX_BODY);
  return LR_AWS_OK;
}

static int add_entry(cJSON *list, const lr_sqs_batch_entry *e) {
  cJSON *o = cJSON_CreateObject();
  if (!o) return 0;
  if (!cJSON_AddItemToArray(list, o)) {
    cJSON_Delete(o);
    return 0;
  }
  char *text = malloc(e->body_len + 1); /* cJSON takes C strings */
  if (!text) return 0;
  memcpy(text, e->body, e->body_len);
  text[e->body_len] = '\0';
  int ok = cJSON_AddStringToObject(o, "Id", e->id) && cJSON_AddStringToObject(o, "MessageBody", text);
  free(text);
  if (ok && e->trace_header && *e->trace_header) {
    cJSON *attrs = cJSON_AddObjectToObject(o, "MessageSystemAttributes");
    cJSON *th = attrs ? cJSON_AddObjectToObject(attrs, "AWSTraceHeader") : NULL;
    ok = th && cJSON_AddStringToObject(th, "DataType", "String") && cJSON_AddStringToObject(th, "StringValue", e->trace_header);
  }
  return ok;
}

/* {"QueueUrl":..., "Entries":[{"Id","MessageBody","MessageSystemAttributes"?}...]} */
static char *batch_payload(const char *queue_url, const lr_sqs_batch_entry *e, size_t n) {
  cJSON *root = cJSON_CreateObject();
  cJSON *list = root && cJSON_AddStringToObject(root, "QueueUrl", queue_url) ? cJSON_AddArrayToObject(root, "Entries") : NULL;
  int ok = list != NULL;
  for (size_t i = 0; ok && i < n; i++) ok = add_entry(list, &e[i]);
  char *json = ok ? cJSON_PrintUnformatted(root) : NULL;
  cJSON_Delete(root);
  return json;
}

/* Whether item's "Id" names one of the n entries; *at is its index. */
static bool find_entry(const lr_sqs_batch_entry *e, size_t n, const cJSON *item, size_t *at) {
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "Id");
  if (!cJSON_IsString(id) || !id->valuestring) return false;
  for (size_t i = 0; i < n; i++)
    if (strcmp(e[i].id, id->valuestring) == 0) {
      *at = i;
      return true;
    }
  return false;
}

/* Fills results from {"Successful":[{"Id",...}],"Failed":[{"Id","Code",...}]}. */
static lr_aws_status read_results(const lr_buf *body, const lr_sqs_batch_entry *e, size_t n,
                                  lr_sqs_batch_result *r, char *err) {
  cJSON *root = body->len ? lr_json_parse_or_null(body->data, body->len, LR_JSON_STRICT) : NULL;
  if (!cJSON_IsObject(root)) {
    cJSON_Delete(root);
    return lr_aws__fail(err, LR_AWS_BAD_RESPONSE, "SQS answered SendMessageBatch with no JSON object");
  }
  const cJSON *item;
  cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(root, "Successful")) {
    size_t i = 0;
    if (find_entry(e, n, item, &i)) r[i].sent = 1;
  }
  cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(root, "Failed")) {
    size_t i = 0;
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(item, "Code");
    if (!find_entry(e, n, item, &i)) continue;
    r[i].sent = 0; /* listed twice: believe the failure */
    snprintf(r[i].code, sizeof r[i].code, "%s", cJSON_IsString(code) && code->valuestring ? code->valuestring : "Unknown");
  }
  cJSON_Delete(root);
  return LR_AWS_OK;
}

lr_aws_status lr_sqs_send_message_batch(lr_sqs_client *c, const char *queue_url,
                                        const lr_sqs_batch_entry *entries, size_t n,
                                        int64_t deadline_ms, lr_sqs_batch_result *results,
                                        char err[LR_AWS_ERR_LEN]) {
  if (!c || !results) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "missing argument");
  for (size_t i = 0; i < n && i < LR_SQS_BATCH_MAX; i++) results[i] = (lr_sqs_batch_result){0, "NotSent"};
  lr_aws_status st = batch_check(queue_url, entries, n, err);
  if (st != LR_AWS_OK) return st;
  char *json = batch_payload(queue_url, entries, n);
  if (!json) return lr_aws__fail(err, LR_AWS_NOMEM, "out of memory building the SendMessageBatch request");
  char path[LR_AWS_MAX_BASE_PATH + 2];
  snprintf(path, sizeof path, "%s/", c->http.ep.base_path);
  const lr_sigv4_pair headers[] = {{"Content-Type", "application/x-amz-json-1.0", 0},
                                   {"X-Amz-Target", "AmazonSQS.SendMessageBatch", 0}};
  lr_aws_http_req req = {.method = "POST", .path = path, .headers = headers, .header_count = 2,
                         .body = json, .body_len = strlen(json)};
  st = lr_aws__http_send(&c->http, &req, deadline_ms, err);
  cJSON_free(json);
  if (st == LR_AWS_OK) st = read_results(&c->http.body, entries, n, results, err);
  return st;
}
