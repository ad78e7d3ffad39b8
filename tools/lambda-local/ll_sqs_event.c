/* SQS events as Lambda builds them, from ReceiveMessage answers, and
 * batchItemFailures as Lambda reads them. */
#include "ll_sqs_event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ll_json.h"

ll_status ll_sqs_batch_init(ll_sqs_batch *b) {
  memset(b, 0, sizeof *b);
  b->records = cJSON_CreateArray();
  return b->records ? LL_OK : LL_NOMEM;
}

void ll_sqs_batch_free(ll_sqs_batch *b) {
  cJSON_Delete(b->records);
  memset(b, 0, sizeof *b);
}

static const char *ll_str(const cJSON *o, const char *key) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* Attributes: string values only, under their SQS names (Lambda's too). */
static bool ll_add_attributes(cJSON *rec, const cJSON *attrs) {
  cJSON *out = cJSON_AddObjectToObject(rec, "attributes");
  if (!out) return false;
  for (const cJSON *a = cJSON_IsObject(attrs) ? attrs->child : NULL; a; a = a->next)
    if (cJSON_IsString(a) && !cJSON_AddStringToObject(out, a->string, a->valuestring)) return false;
  return true;
}

static bool ll_add_list(cJSON *o, const char *key, const cJSON *src) {
  cJSON *arr = cJSON_AddArrayToObject(o, key);
  if (!arr) return false;
  for (const cJSON *s = cJSON_IsArray(src) ? src->child : NULL; s; s = s->next)
    if (cJSON_IsString(s) && !cJSON_AddItemToArray(arr, cJSON_CreateString(s->valuestring))) return false;
  return true;
}

/* MessageAttributes {"n":{"DataType","StringValue"|"BinaryValue"}} become
 * {"n":{"stringValue"|"binaryValue","stringListValues":[],"binaryListValues":[],"dataType"}}. */
static bool ll_add_message_attributes(cJSON *rec, const cJSON *attrs) {
  cJSON *out = cJSON_AddObjectToObject(rec, "messageAttributes");
  if (!out) return false;
  for (const cJSON *a = cJSON_IsObject(attrs) ? attrs->child : NULL; a; a = a->next) {
    const char *type = ll_str(a, "DataType");
    if (!type) continue;
    cJSON *m = cJSON_AddObjectToObject(out, a->string);
    const char *sv = ll_str(a, "StringValue"), *bv = ll_str(a, "BinaryValue");
    bool ok = m && (!sv || cJSON_AddStringToObject(m, "stringValue", sv)) &&
              (!bv || cJSON_AddStringToObject(m, "binaryValue", bv)) &&
              ll_add_list(m, "stringListValues", cJSON_GetObjectItemCaseSensitive(a, "StringListValues")) &&
              ll_add_list(m, "binaryListValues", cJSON_GetObjectItemCaseSensitive(a, "BinaryListValues")) &&
              cJSON_AddStringToObject(m, "dataType", type);
    if (!ok) return false;
  }
  return true;
}

static ll_status ll_add_record(ll_sqs_batch *b, const cJSON *m, const char *arn, const char *region) {
  const char *id = ll_str(m, "MessageId"), *rh = ll_str(m, "ReceiptHandle"), *body = ll_str(m, "Body");
  if (!id || !*id || !rh || !*rh || !body) return LL_BAD_INPUT;
  const char *md5 = ll_str(m, "MD5OfBody");
  cJSON *rec = cJSON_CreateObject();
  bool ok = rec && cJSON_AddStringToObject(rec, "messageId", id) && cJSON_AddStringToObject(rec, "receiptHandle", rh) &&
            cJSON_AddStringToObject(rec, "body", body) &&
            ll_add_attributes(rec, cJSON_GetObjectItemCaseSensitive(m, "Attributes")) &&
            ll_add_message_attributes(rec, cJSON_GetObjectItemCaseSensitive(m, "MessageAttributes")) &&
            cJSON_AddStringToObject(rec, "md5OfBody", md5 ? md5 : "") &&
            cJSON_AddStringToObject(rec, "eventSource", "aws:sqs") &&
            cJSON_AddStringToObject(rec, "eventSourceARN", arn) && cJSON_AddStringToObject(rec, "awsRegion", region);
  if (!ok || !cJSON_AddItemToArray(b->records, rec)) {
    cJSON_Delete(rec);
    return LL_NOMEM;
  }
  b->count++;
  b->bytes += strlen(body) + strlen(rh) + strlen(id) + 512;
  return LL_OK;
}

ll_status ll_sqs_batch_add(ll_sqs_batch *b, const char *answer, size_t len, const char *arn, const char *region,
                           size_t *skipped, char *err, size_t errcap) {
  if (skipped) *skipped = 0;
  cJSON *root = ll_json_parse(answer, len);
  const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(root, "Messages");
  if (!cJSON_IsObject(root) || (msgs && !cJSON_IsArray(msgs) && !cJSON_IsNull(msgs))) {
    ll_err_set(err, errcap, "ReceiveMessage answered something other than {\"Messages\":[...]}");
    cJSON_Delete(root);
    return LL_BAD_INPUT;
  }
  ll_status st = LL_OK;
  for (const cJSON *m = cJSON_IsArray(msgs) ? msgs->child : NULL; m && st != LL_NOMEM; m = m->next) {
    st = ll_add_record(b, m, arn, region);
    if (st == LL_BAD_INPUT && skipped) (*skipped)++;
  }
  cJSON_Delete(root);
  return st == LL_NOMEM ? LL_NOMEM : LL_OK;
}

const char *ll_sqs_record_id(const ll_sqs_batch *b, size_t i) {
  return ll_str(cJSON_GetArrayItem(b->records, (int)i), "messageId");
}

const char *ll_sqs_record_receipt(const ll_sqs_batch *b, size_t i) {
  return ll_str(cJSON_GetArrayItem(b->records, (int)i), "receiptHandle");
}

char *ll_sqs_batch_event(const ll_sqs_batch *b) {
  cJSON *ev = cJSON_CreateObject();
  if (!ev) return NULL;
  cJSON_AddItemReferenceToObject(ev, "Records", b->records);
  char *s = cJSON_PrintUnformatted(ev);
  cJSON_Delete(ev); /* the reference only */
  return s;
}

bool ll_sqs_queue_arn(const char *url, const char *region, char *out, size_t cap) {
  const char *p = strstr(url, "://");
  p = p ? strchr(p + 3, '/') : NULL;
  const char *slash = p ? strchr(p + 1, '/') : NULL;
  if (!slash || slash == p + 1 || !slash[1] || strchr(slash + 1, '/')) return false;
  int n = snprintf(out, cap, "arn:aws:sqs:%s:%.*s:%s", region, (int)(slash - p - 1), p + 1, slash + 1);
  return n > 0 && (size_t)n < cap;
}

static bool ll_blank(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') return false;
  return true;
}

static ll_batch_verdict ll_fail_all(char *why, size_t whycap, const char *reason) {
  ll_err_set(why, whycap, "%s", reason);
  return LL_BATCH_ALL_FAILED;
}

/* Whether id names a record of the batch; *at is its index. */
static bool ll_record_find(const ll_sqs_batch *b, const char *id, size_t *at) {
  size_t i = 0;
  for (const cJSON *r = b->records->child; r; r = r->next, i++)
    if (strcmp(ll_str(r, "messageId"), id) == 0) {
      *at = i;
      return true;
    }
  return false;
}

static ll_batch_verdict ll_read_result(const ll_sqs_batch *b, const char *answer, size_t len, bool *failed, char *why,
                                      size_t whycap) {
  cJSON *root = ll_json_parse(answer, len);
  if (!root) return ll_fail_all(why, whycap, "the answer is not valid JSON");
  ll_batch_verdict v = LL_BATCH_ALL_OK;
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "batchItemFailures");
  if (cJSON_IsNull(root) || (cJSON_IsObject(root) && (!list || cJSON_IsNull(list)))) v = LL_BATCH_ALL_OK;
  else if (!cJSON_IsObject(root) || !cJSON_IsArray(list))
    v = ll_fail_all(why, whycap, "the answer is not {\"batchItemFailures\":[...]}");
  for (const cJSON *e = cJSON_IsArray(list) ? list->child : NULL; e && v != LL_BATCH_ALL_FAILED; e = e->next) {
    const char *id = ll_str(e, "itemIdentifier");
    size_t i = 0;
    if (!id || !*id || !ll_record_find(b, id, &i)) {
      v = ll_fail_all(why, whycap, "an itemIdentifier is missing, empty or names no message of the batch");
      break;
    }
    failed[i] = true;
    v = LL_BATCH_PARTIAL;
  }
  cJSON_Delete(root);
  return v;
}

ll_batch_verdict ll_sqs_batch_result(const ll_sqs_batch *b, const char *answer, size_t len, bool report_failures,
                                     bool *failed, char *why, size_t whycap) {
  for (size_t i = 0; i < b->count; i++) failed[i] = false;
  if (!report_failures || !answer || ll_blank(answer, len)) return LL_BATCH_ALL_OK;
  ll_batch_verdict v = ll_read_result(b, answer, len, failed, why, whycap);
  for (size_t i = 0; v == LL_BATCH_ALL_FAILED && i < b->count; i++) failed[i] = true;
  return v;
}
