/* Which task an event asks for. The rules' constant input is the contract;
 * the bare Scheduled Event is what a rule without input sends. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cl.h"
#include "lr/json.h"

#define CL_EVENT_MAX (64u * 1024u)
#define CL_ACCEPTED "expected {\"task\":\"archive\"} or {\"task\":\"outbox\"} (a bare EventBridge Scheduled Event means archive)"

static bool str_is(const cJSON *o, const char *key, const char *want) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsString(v) && v->valuestring && strcmp(v->valuestring, want) == 0;
}

static bool from_object(const cJSON *root, cl_task *out, char *err) {
  const cJSON *task = cJSON_GetObjectItemCaseSensitive(root, "task");
  if (!task) {
    if (str_is(root, "detail-type", "Scheduled Event") && str_is(root, "source", "aws.events")) {
      *out = CL_TASK_ARCHIVE;
      return true;
    }
    snprintf(err, CL_ERR_LEN, "cleanup: the event names no task; %s", CL_ACCEPTED);
    return false;
  }
  if (cJSON_GetArraySize(root) != 1) {
    snprintf(err, CL_ERR_LEN, "cleanup: the event holds fields besides \"task\"; %s", CL_ACCEPTED);
    return false;
  }
  if (str_is(root, "task", "archive")) *out = CL_TASK_ARCHIVE;
  else if (str_is(root, "task", "outbox")) *out = CL_TASK_OUTBOX;
  else {
    snprintf(err, CL_ERR_LEN, "cleanup: unknown task; %s", CL_ACCEPTED);
    return false;
  }
  return true;
}

bool cl_task_parse(const char *event, size_t len, cl_task *out, char err[CL_ERR_LEN]) {
  if (!event || len == 0 || len > CL_EVENT_MAX) {
    snprintf(err, CL_ERR_LEN, "cleanup: the event is empty or over %u bytes; %s", CL_EVENT_MAX, CL_ACCEPTED);
    return false;
  }
  cJSON *root = NULL;
  lr_json_status st = lr_json_parse(event, len, LR_JSON_STRICT, &root);
  if (st != LR_JSON_OK) {
    snprintf(err, CL_ERR_LEN, "cleanup: the event is %s; %s", lr_json_status_message(st), CL_ACCEPTED);
    return false;
  }
  bool ok = false;
  if (!cJSON_IsObject(root)) snprintf(err, CL_ERR_LEN, "cleanup: the event is not a JSON object; %s", CL_ACCEPTED);
  else ok = from_object(root, out, err);
  cJSON_Delete(root);
  return ok;
}
