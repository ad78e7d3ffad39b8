/* Helpers of the worker suites (see wk_test.h). */
#include "wk_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_test.h"
#include "lr/json.h"

/* The settings go through the process environment (cfg_load's default
 * source), as in Lambda. */
wk_app *wt_app_db(int port, const char *dbname) {
  char p[16];
  snprintf(p, sizeof p, "%d", port);
  setenv("DB_HOST", "127.0.0.1", 1);
  setenv("DB_PORT", p, 1);
  setenv("DB_NAME", dbname, 1);
  setenv("DB_USER", "postgres", 1);
  setenv("DB_SSLMODE", "disable", 1);
  setenv("DB_CONNECT_TIMEOUT", "2", 1);
  app_options opt = {.needs = CFG_NEED_DB};
  wk_app *a = NULL;
  lr_fault fault = {{0}, {0}};
  ck_assert_msg(wk_app_create(&opt, NULL, &a, &fault) == LR_HANDLER_OK, "%s: %s", fault.type,
                fault.message);
  return a;
}

int wt_closed_port(void) { return at_closed_port(); }

/* The record of AWS's sample SQS event (Lambda developer guide, "Using Lambda
 * with Amazon SQS"), with the id and body replaced. */
static cJSON *record(const char *id, const char *body) {
  cJSON *r = cJSON_CreateObject();
  if (id) cJSON_AddStringToObject(r, "messageId", id);
  cJSON_AddStringToObject(r, "receiptHandle", "MessageReceiptHandle");
  cJSON_AddStringToObject(r, "body", body);
  cJSON *attrs = cJSON_AddObjectToObject(r, "attributes");
  cJSON_AddStringToObject(attrs, "ApproximateReceiveCount", "1");
  cJSON_AddStringToObject(attrs, "SentTimestamp", "1523232000000");
  cJSON_AddStringToObject(attrs, "SenderId", "123456789012");
  cJSON_AddStringToObject(attrs, "ApproximateFirstReceiveTimestamp", "1523232000001");
  cJSON_AddStringToObject(attrs, "AWSTraceHeader",
                          "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
  cJSON_AddObjectToObject(r, "messageAttributes");
  cJSON_AddStringToObject(r, "md5OfBody", "7b270e59b47ff90a553787216d55d91d");
  cJSON_AddStringToObject(r, "eventSource", "aws:sqs");
  cJSON_AddStringToObject(r, "eventSourceARN", "arn:aws:sqs:us-east-1:123456789012:MyQueue");
  cJSON_AddStringToObject(r, "awsRegion", "us-east-1");
  return r;
}

char *wt_event(int n, const char *const *ids, const char *const *bodies) {
  cJSON *ev = cJSON_CreateObject();
  cJSON *recs = cJSON_AddArrayToObject(ev, "Records");
  for (int i = 0; i < n; i++) cJSON_AddItemToArray(recs, record(ids[i], bodies[i]));
  char *s = cJSON_PrintUnformatted(ev);
  cJSON_Delete(ev);
  return s;
}

void wt_body(char *out, size_t len, const char *order_id) {
  snprintf(out, len, "{\"type\":\"order.created\",\"order_id\":\"%s\",\"occurred_at\":\"2026-01-01T00:00:00.000000Z\"}",
           order_id);
}

char *wt_invoke(wk_app *a, const char *event, int64_t deadline_ms) {
  lr_context ctx = {.request_id = "req-1", .invoked_function_arn = "", .trace_id = "",
                    .client_context = "", .cognito_identity = "", .deadline_ms = deadline_ms,
                    .function_name = "worker", .log = NULL};
  lr_buf out;
  lr_buf_init(&out, 8u * 1024u * 1024u);
  lr_fault fault = {{0}, {0}};
  int rc = wk_invoke(a, &ctx, event, strlen(event), &out, &fault);
  ck_assert_msg(rc == LR_HANDLER_OK, "%s: %s", fault.type, fault.message);
  return lr_buf_take(&out, NULL);
}

static const cJSON *failures(cJSON **root, const char *answer) {
  ck_assert_int_eq(lr_json_parse(answer, strlen(answer), LR_JSON_STRICT, root), LR_JSON_OK);
  const cJSON *f = cJSON_GetObjectItemCaseSensitive(*root, "batchItemFailures");
  ck_assert(cJSON_IsArray(f));
  ck_assert_int_eq(cJSON_GetArraySize(*root), 1);
  return f;
}

int wt_failures(const char *answer) {
  cJSON *root = NULL;
  int n = cJSON_GetArraySize(failures(&root, answer));
  cJSON_Delete(root);
  return n;
}

int wt_names(const char *answer, const char *id) {
  cJSON *root = NULL;
  const cJSON *it;
  int found = 0;
  const cJSON *list = failures(&root, answer);
  cJSON_ArrayForEach(it, list) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "itemIdentifier");
    ck_assert(cJSON_IsString(v));
    if (strcmp(v->valuestring, id) == 0) found = 1;
  }
  cJSON_Delete(root);
  return found;
}
