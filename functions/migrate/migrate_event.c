/* The migrate function's request and answer JSON. */
#include <string.h>

#include <cjson/cJSON.h>

#include "lr/json.h"
#include "migrate.h"

static int migrate_blank(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (!strchr(" \t\r\n", s[i])) return 0;
  return 1;
}

static migrate_status migrate_read_object(const cJSON *root, migrate_mode *mode,
                                          char err[MIGRATE_ERR_LEN]) {
  if (!cJSON_IsObject(root)) {
    migrate__seterr(err, "the event must be a JSON object");
    return MIGRATE_BAD_REQUEST;
  }
  for (const cJSON *it = root->child; it; it = it->next) {
    if (!it->string || strcmp(it->string, "dry_run") != 0) {
      migrate__seterr(err, "unknown field in the event (only dry_run is accepted)");
      return MIGRATE_BAD_REQUEST;
    }
    if (!cJSON_IsBool(it)) {
      migrate__seterr(err, "dry_run must be true or false");
      return MIGRATE_BAD_REQUEST;
    }
    *mode = cJSON_IsTrue(it) ? MIGRATE_DRY_RUN : MIGRATE_APPLY;
  }
  return MIGRATE_OK;
}

migrate_status migrate_parse_event(const char *event, size_t len, migrate_mode *mode,
                                   char err[MIGRATE_ERR_LEN]) {
  *mode = MIGRATE_APPLY;
  if (len > MIGRATE_EVENT_MAX) {
    migrate__seterr(err, "the event is larger than %u bytes", MIGRATE_EVENT_MAX);
    return MIGRATE_BAD_REQUEST;
  }
  if (!event || migrate_blank(event, len)) return MIGRATE_OK;
  /* strict: {"dry_run":true,"dry_run":false} must not apply migrations */
  cJSON *root = NULL;
  lr_json_status js = lr_json_parse(event, len, LR_JSON_STRICT, &root);
  if (js != LR_JSON_OK) {
    migrate__seterr(err, "the event is not valid JSON: %s", lr_json_status_message(js));
    return MIGRATE_BAD_REQUEST;
  }
  migrate_status st = migrate_read_object(root, mode, err);
  cJSON_Delete(root);
  if (st != MIGRATE_OK) *mode = MIGRATE_APPLY;
  return st;
}

static int migrate_add_item(cJSON *arr, const db_migration *m) {
  cJSON *o = cJSON_CreateObject();
  if (!o) return 0;
  if (!cJSON_AddItemToArray(arr, o)) {
    cJSON_Delete(o);
    return 0;
  }
  /* o belongs to arr from here on */
  return cJSON_AddNumberToObject(o, "version", m->version) &&
         cJSON_AddStringToObject(o, "name", m->name);
}

static cJSON *migrate_items(const migrate_result *r) {
  cJSON *arr = cJSON_CreateArray();
  for (size_t i = 0; arr && i < r->count; i++)
    if (!migrate_add_item(arr, r->items[i])) {
      cJSON_Delete(arr);
      return NULL;
    }
  return arr;
}

migrate_status migrate_answer(const migrate_result *r, migrate_mode mode, lr_buf *out) {
  cJSON *root = cJSON_CreateObject();
  cJSON *items = migrate_items(r);
  int ok = root && items;
  if (ok && mode == MIGRATE_DRY_RUN) ok = cJSON_AddTrueToObject(root, "dry_run") != NULL;
  if (ok) {
    ok = cJSON_AddItemToObject(root, mode == MIGRATE_DRY_RUN ? "pending" : "applied", items);
    if (ok) items = NULL; /* owned by root now */
  }
  if (ok) ok = cJSON_AddNumberToObject(root, "current", r->current) != NULL;
  char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
  migrate_status st = text && lr_buf_adds(out, text) == LR_BUF_OK ? MIGRATE_OK : MIGRATE_NOMEM;
  cJSON_free(text);
  cJSON_Delete(items);
  cJSON_Delete(root);
  return st;
}
