/* Parsing AWS error answers into a short, printable, bounded message. */
#include <stdbool.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws_error_body.h"
#include "lr/json.h"

/* An error body longer than this is not parsed (AWS's are a few hundred bytes). */
#define ERROR_BODY_PARSE_MAX (16u * 1024u)

void lr_aws__safe_copy(char *dst, size_t cap, const char *src, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len && n + 1 < cap; i++) {
    unsigned char c = (unsigned char)src[i];
    dst[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
  }
  if (cap) dst[n] = '\0';
}

static const cJSON *json_string(const cJSON *root, const char *a, const char *b) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, a);
  if (!cJSON_IsString(v)) v = cJSON_GetObjectItemCaseSensitive(root, b);
  return cJSON_IsString(v) && v->valuestring ? v : NULL;
}

void lr_aws__error_from_json(const char *body, size_t len, lr_aws_error_body *out) {
  out->code[0] = out->message[0] = '\0';
  if (!body || len == 0 || len > ERROR_BODY_PARSE_MAX) return;
  cJSON *root = lr_json_parse_or_null(body, len, LR_JSON_STRICT);
  if (!cJSON_IsObject(root)) {
    cJSON_Delete(root);
    return;
  }
  const cJSON *type = json_string(root, "__type", "code");
  if (!type) type = json_string(root, "Code", "Code");
  const cJSON *msg = json_string(root, "message", "Message");
  if (type) {
    const char *t = type->valuestring;
    const char *hash = strrchr(t, '#');
    if (hash) t = hash + 1;
    lr_aws__safe_copy(out->code, sizeof out->code, t, strcspn(t, ":"));
  }
  if (msg) lr_aws__safe_copy(out->message, sizeof out->message, msg->valuestring, strlen(msg->valuestring));
  cJSON_Delete(root);
}

bool lr_aws__xml_text(const char *body, size_t len, const char *tag, char *dst, size_t cap) {
  char open[40], close[40];
  size_t tl = strlen(tag);
  if (!body || cap == 0 || tl + 4 > sizeof open) return false;
  open[0] = '<';
  memcpy(open + 1, tag, tl);
  memcpy(open + 1 + tl, ">", 2);
  close[0] = '<';
  close[1] = '/';
  memcpy(close + 2, tag, tl);
  memcpy(close + 2 + tl, ">", 2);
  const char *s = memmem(body, len, open, tl + 2);
  if (!s) return false;
  s += tl + 2;
  const char *e = memmem(s, len - (size_t)(s - body), close, tl + 3);
  if (!e) return false;
  lr_aws__safe_copy(dst, cap, s, (size_t)(e - s));
  return (size_t)(e - s) < cap;
}

void lr_aws__error_from_xml(const char *body, size_t len, lr_aws_error_body *out) {
  out->code[0] = out->message[0] = '\0';
  if (!body || len == 0 || len > ERROR_BODY_PARSE_MAX) return;
  (void)lr_aws__xml_text(body, len, "Code", out->code, sizeof out->code);
  (void)lr_aws__xml_text(body, len, "Message", out->message, sizeof out->message);
}

static bool in_list(const char *code, const char *const *list) {
  for (size_t i = 0; list[i]; i++)
    if (strcmp(code, list[i]) == 0) return true;
  return false;
}

bool lr_aws__is_throttle_code(const char *code) {
  /* The throttling codes the AWS SDKs retry (aws-sdk-js-v3 service-error-classification). */
  static const char *const codes[] = {
      "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
      "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
      "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
      "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", "KmsThrottled",
      "RequestThrottledException", NULL};
  return code && *code && in_list(code, codes);
}

bool lr_aws__is_transient_code(const char *code) {
  static const char *const codes[] = {"RequestTimeout", "RequestTimeoutException", "InternalError",
                                      "InternalFailure", "ServiceUnavailable", "KmsUnavailable", NULL};
  return code && *code && in_list(code, codes);
}
