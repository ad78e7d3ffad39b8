/* The consuming side of the SQS client (ReceiveMessage, DeleteMessageBatch) over the
 * AWS JSON 1.0 protocol, for lambda-local's event source mapping. The answer
 * of ReceiveMessage is handed back as text: its reader owns the parsing. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws_http.h"
#include "aws_internal.h"
#include "lr/sqs.h"
#include "sqs_internal.h"
#include "lr/json.h"

static lr_aws_status url_check(const char *queue_url, char *err) {
  size_t ql = queue_url ? strnlen(queue_url, LR_SQS_MAX_QUEUE_URL + 1) : 0;
  if (ql == 0 || ql > LR_SQS_MAX_QUEUE_URL || !lr_aws__is_clean_text(queue_url, ql) ||
      (strncmp(queue_url, "https://", 8) != 0 && strncmp(queue_url, "http://", 7) != 0))
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the queue URL is missing, too long or not http(s)");
  return LR_AWS_OK;
}

static lr_aws_status call(lr_sqs_client *c, const char *target, cJSON *payload, int64_t deadline_ms, char *err) {
  char *json = cJSON_PrintUnformatted(payload);
  if (!json) return lr_aws__fail(err, LR_AWS_NOMEM, "out of memory building the %s request", target);
  char path[LR_AWS_MAX_BASE_PATH + 2];
  snprintf(path, sizeof path, "%s/", c->http.ep.base_path);
  char target_hdr[64];
  snprintf(target_hdr, sizeof target_hdr, "AmazonSQS.%s", target);
  const lr_sigv4_pair headers[] = {{"Content-Type", "application/x-amz-json-1.0", 0},
                                   {"X-Amz-Target", target_hdr, 0}};
  lr_aws_http_req req = {.method = "POST", .path = path, .headers = headers, .header_count = 2,
                         .body = json, .body_len = strlen(json)};
  lr_aws_status st = lr_aws__http_send(&c->http, &req, deadline_ms, err);
  cJSON_free(json);
  return st;
}

lr_aws_status lr_sqs_receive(lr_sqs_client *c, const char *queue_url, int max_messages, int wait_s,
                             int64_t deadline_ms, lr_buf *out, char err[LR_AWS_ERR_LEN]) {
  if (!c || !out || max_messages < 1 || max_messages > 10 || wait_s < 0 || wait_s > 20)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "ReceiveMessage takes 1-10 messages and a 0-20 s wait");
  lr_aws_status st = url_check(queue_url, err);
  if (st != LR_AWS_OK) return st;
  cJSON *p = cJSON_CreateObject();
  cJSON *names = cJSON_CreateStringArray((const char *const[]){"All"}, 1);
  cJSON *attrs = cJSON_CreateStringArray((const char *const[]){"All"}, 1);
  cJSON *sys = cJSON_CreateStringArray((const char *const[]){"All"}, 1);
  bool ok = p && names && attrs && sys && cJSON_AddStringToObject(p, "QueueUrl", queue_url) &&
            cJSON_AddNumberToObject(p, "MaxNumberOfMessages", max_messages) &&
            cJSON_AddNumberToObject(p, "WaitTimeSeconds", wait_s);
  if (ok) {
    cJSON_AddItemToObject(p, "AttributeNames", names);
    cJSON_AddItemToObject(p, "MessageSystemAttributeNames", sys);
    cJSON_AddItemToObject(p, "MessageAttributeNames", attrs);
    names = attrs = sys = NULL;
  }
  cJSON_Delete(names);
  cJSON_Delete(attrs);
  cJSON_Delete(sys);
  st = ok ? call(c, "ReceiveMessage", p, deadline_ms, err)
          : lr_aws__fail(err, LR_AWS_NOMEM, "out of memory building the ReceiveMessage request");
  cJSON_Delete(p);
  if (st == LR_AWS_OK && lr_buf_add(out, c->http.body.len ? c->http.body.data : "{}",
                                    c->http.body.len ? c->http.body.len : 2) != LR_BUF_OK)
    st = lr_aws__fail(err, LR_AWS_BAD_RESPONSE, "the ReceiveMessage answer does not fit the caller's buffer");
  return st;
}

static cJSON *delete_payload(const char *queue_url, const char *const *handles, size_t n) {
  cJSON *p = cJSON_CreateObject();
  cJSON *entries = p ? cJSON_AddArrayToObject(p, "Entries") : NULL;
  bool ok = entries && cJSON_AddStringToObject(p, "QueueUrl", queue_url);
  for (size_t i = 0; ok && i < n; i++) {
    cJSON *e = cJSON_CreateObject();
    char id[24];
    snprintf(id, sizeof id, "m%zu", i);
    ok = e && cJSON_AddItemToArray(entries, e) && cJSON_AddStringToObject(e, "Id", id) &&
         cJSON_AddStringToObject(e, "ReceiptHandle", handles[i]);
    if (!ok && e && !e->prev) cJSON_Delete(e);
  }
  if (!ok) cJSON_Delete(p);
  return ok ? p : NULL;
}

lr_aws_status lr_sqs_delete_batch(lr_sqs_client *c, const char *queue_url, const char *const *receipt_handles,
                                  size_t n, int64_t deadline_ms, size_t *failed, char err[LR_AWS_ERR_LEN]) {
  if (failed) *failed = n;
  if (!c || !receipt_handles || n < 1 || n > 10) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "1-10 receipt handles");
  lr_aws_status st = url_check(queue_url, err);
  for (size_t i = 0; st == LR_AWS_OK && i < n; i++) {
    size_t len = receipt_handles[i] ? strnlen(receipt_handles[i], LR_SQS_MAX_RECEIPT_HANDLE + 1) : 0;
    if (len == 0 || len > LR_SQS_MAX_RECEIPT_HANDLE || !lr_aws__is_clean_text(receipt_handles[i], len))
      st = lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "a receipt handle is empty, too long or not text");
  }
  if (st != LR_AWS_OK) return st;
  cJSON *p = delete_payload(queue_url, receipt_handles, n);
  if (!p) return lr_aws__fail(err, LR_AWS_NOMEM, "out of memory building the DeleteMessageBatch request");
  st = call(c, "DeleteMessageBatch", p, deadline_ms, err);
  cJSON_Delete(p);
  if (st != LR_AWS_OK) return st;
  cJSON *ans = c->http.body.len ? lr_json_parse_or_null(c->http.body.data, c->http.body.len, LR_JSON_STRICT) : NULL;
  const cJSON *bad = cJSON_GetObjectItemCaseSensitive(ans, "Failed");
  if (!cJSON_IsObject(ans)) st = lr_aws__fail(err, LR_AWS_BAD_RESPONSE, "DeleteMessageBatch answered no JSON object");
  else if (failed) *failed = cJSON_IsArray(bad) ? (size_t)cJSON_GetArraySize(bad) : 0;
  cJSON_Delete(ans);
  return st;
}
