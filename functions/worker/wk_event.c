/* The SQS event, read as hostile input. The envelope is parsed leniently
 * (duplicate keys, bad UTF-8 and \u0000 escapes do not refuse the whole
 * event) so that one bad record costs that record only; every field the
 * worker uses is then checked on its own, and each message body is parsed
 * with the strict parser. */
#include <stdbool.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lr/json.h"
#include "lr/utf8.h"
#include "wk_internal.h"

#define WK_ORDER_CREATED "order.created"

static const struct {
  const char *label;
  bool failed;
} outcomes[] = {
#define WK_OUTCOME_ROW(name, value, label, failed) [value] = {label, failed},
    WK_OUTCOME_MAP(WK_OUTCOME_ROW)
#undef WK_OUTCOME_ROW
};

const char *wk_outcome_label(wk_outcome o) {
  return (unsigned)o < sizeof outcomes / sizeof outcomes[0] ? outcomes[o].label : "unknown";
}

bool wk_outcome_failed(wk_outcome o) {
  return (unsigned)o < sizeof outcomes / sizeof outcomes[0] ? outcomes[o].failed : true;
}

bool wk_outcome_parse(const char *label, wk_outcome *out) {
  for (size_t i = 0; label && i < sizeof outcomes / sizeof outcomes[0]; i++)
    if (outcomes[i].label && strcmp(outcomes[i].label, label) == 0) {
      *out = (wk_outcome)i;
      return true;
    }
  return false;
}

bool wk_is_uuid(const char *s) {
  for (int i = 0; i < 36; i++) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i])) return false;
  }
  return s[36] == '\0';
}

/* A copy of the event in which every \u0000 escape reads \u0001: cJSON would
 * cut the string at the NUL (a message id "abc\u0000x" would become "abc",
 * an identifier Lambda does not know, which fails the whole batch). A \u0001
 * is a control character, which every check below refuses. */
static char *without_nul_escapes(const char *s, size_t len) {
  char *c = malloc(len + 1);
  if (!c) return NULL;
  memcpy(c, s, len);
  c[len] = '\0';
  for (size_t i = 0; i + 1 < len; i++) {
    if (c[i] != '\\') continue;
    if (c[i + 1] == 'u' && i + 5 < len && memcmp(c + i + 2, "0000", 4) == 0) c[i + 5] = '1';
    i++; /* the escaped character is not an escape itself */
  }
  return c;
}

static int printable_ascii(const char *s, size_t max) {
  size_t n = strnlen(s, max + 1);
  if (n == 0 || n > max) return 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] < 0x21 || s[i] > 0x7e) return 0;
  return 1;
}

static int count_members(const cJSON *obj, const char *name) {
  int n = 0;
  for (const cJSON *it = obj ? obj->child : NULL; it; it = it->next)
    if (it->string && strcmp(it->string, name) == 0) n++;
  return n;
}

/* The member only when it is there exactly once. */
static const cJSON *member(const cJSON *obj, const char *name) {
  return count_members(obj, name) == 1 ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
}

static void fail(wk_message *m, wk_outcome o, const char *why) {
  m->outcome = o;
  snprintf(m->detail, sizeof m->detail, "%s", why);
}

static void read_attributes(wk_message *m, const cJSON *rec) {
  const cJSON *attrs = member(rec, "attributes");
  const cJSON *rc = member(attrs, "ApproximateReceiveCount");
  if (cJSON_IsString(rc) && rc->valuestring[0] && strlen(rc->valuestring) <= 9 &&
      strspn(rc->valuestring, "0123456789") == strlen(rc->valuestring))
    m->receive_count = strtol(rc->valuestring, NULL, 10);
  const cJSON *th = member(attrs, "AWSTraceHeader");
  if (cJSON_IsString(th) && printable_ascii(th->valuestring, WK_TRACE_MAX))
    snprintf(m->trace, sizeof m->trace, "%s", th->valuestring);
}

static bool body_bytes_ok(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return lr_utf8_valid(s, n);
}

static void read_body(wk_message *m, const cJSON *rec) {
  const cJSON *body = member(rec, "body");
  if (!cJSON_IsString(body)) {
    fail(m, WK_MALFORMED, "the record has no body string");
    return;
  }
  size_t n = strnlen(body->valuestring, WK_BODY_MAX + 1);
  if (n > WK_BODY_MAX) {
    fail(m, WK_MALFORMED, "the body is larger than an order.created message can be");
    return;
  }
  if (!body_bytes_ok(body->valuestring, n)) {
    fail(m, WK_MALFORMED, "the body holds a control character or invalid UTF-8");
    return;
  }
  cJSON *root = NULL;
  lr_json_status st = lr_json_parse(body->valuestring, n, LR_JSON_STRICT, &root);
  if (st != LR_JSON_OK) {
    snprintf(m->detail, sizeof m->detail, "the body is not usable JSON: %s", lr_json_status_message(st));
    m->outcome = WK_MALFORMED;
    return;
  }
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "type");
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "order_id");
  if (!cJSON_IsObject(root) || !cJSON_IsString(type))
    fail(m, WK_MALFORMED, "the body is not an object with a type string");
  else if (strcmp(type->valuestring, WK_ORDER_CREATED) != 0)
    fail(m, WK_UNKNOWN_TYPE, "the message type is not order.created");
  else if (!cJSON_IsString(id) || !wk_is_uuid(id->valuestring))
    fail(m, WK_MALFORMED, "order_id is not a UUID");
  else
    snprintf(m->order_id, sizeof m->order_id, "%s", id->valuestring);
  cJSON_Delete(root);
}

static void read_record(wk_message *m, const cJSON *rec) {
  m->receive_count = -1;
  m->latency_ms = -1;
  m->outcome = WK_PENDING;
  if (!cJSON_IsObject(rec)) {
    fail(m, WK_NOT_A_RECORD, "the record is not an object");
    return;
  }
  /* Without a usable id the message cannot be named, but its order can still
   * be decided (deciding twice is harmless): see README, "A record without a
   * usable messageId". */
  const cJSON *id = member(rec, "messageId");
  if (cJSON_IsString(id) && printable_ascii(id->valuestring, WK_MESSAGE_ID_MAX))
    snprintf(m->message_id, sizeof m->message_id, "%s", id->valuestring);
  read_attributes(m, rec);
  if (lr_json_check_dup_keys(rec) != LR_JSON_OK) { /* NOMEM too: never guess */
    fail(m, WK_MALFORMED, "the record names a field twice");
    return;
  }
  read_body(m, rec);
}

static bool event_fail(char *err, size_t err_len, const char *msg) {
  snprintf(err, err_len, "%s", msg);
  return false;
}

bool wk_event_parse(const char *event, size_t len, wk_batch *b, char *err, size_t err_len) {
  memset(b, 0, sizeof *b);
  if (!event) return event_fail(err, err_len, "no event");
  char *text = without_nul_escapes(event, len);
  if (!text) return event_fail(err, err_len, "out of memory");
  cJSON *root = NULL;
  lr_json_status st = lr_json_parse(text, len, LR_JSON_ALLOW_DUP_KEYS | LR_JSON_ALLOW_BAD_UTF8, &root);
  free(text);
  if (st != LR_JSON_OK) {
    snprintf(err, err_len, "the event is not JSON: %s", lr_json_status_message(st));
    return false;
  }
  const cJSON *records = member(root, "Records");
  bool ok = true;
  if (!cJSON_IsObject(root) || !cJSON_IsArray(records)) {
    ok = event_fail(err, err_len, "the event has no Records array: not an SQS event");
  } else {
    int n = cJSON_GetArraySize(records);
    if (n > WK_MAX_RECORDS) {
      ok = event_fail(err, err_len, "the event has more records than Lambda sends");
    } else if (n > 0 && !(b->msgs = calloc((size_t)n, sizeof *b->msgs))) {
      ok = event_fail(err, err_len, "out of memory");
    } else {
      const cJSON *rec;
      cJSON_ArrayForEach(rec, records) read_record(&b->msgs[b->n++], rec);
    }
  }
  cJSON_Delete(root);
  return ok;
}

void wk_batch_free(wk_batch *b) {
  if (!b) return;
  free(b->msgs);
  b->msgs = NULL;
  b->n = 0;
}
