/* functions.NAME.events in local/stack.json: the SQS event source mapping
 * and the EventBridge schedule rules, named and bounded as serverless.yml
 * and AWS name and bound them (tests/infra/local-stack checks that the two
 * files agree). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ll_config_internal.h"
#include "ll_cron.h"
#include "ll_json.h"

static const char *const ll_sqs_keys[] = {"queue", "batchSize", "maximumBatchingWindow", "functionResponseType",
                                          "maximumConcurrency", "pollWait", "endpoint", "description", NULL};

static ll_status ll_parse_sqs(ll_function_cfg *f, const cJSON *j, char *err, size_t errcap) {
  char where[160];
  snprintf(where, sizeof where, "function %.64s: events.sqs", f->name);
  ll_sqs_cfg *q = calloc(1, sizeof *q);
  if (!q) return LL_NOMEM;
  f->sqs = q;
  char *frt = NULL;
  ll_status st = ll_check_keys(j, ll_sqs_keys, where, err, errcap);
  if (st == LL_OK && !cJSON_GetObjectItemCaseSensitive(j, "queue")) {
    ll_err_set(err, errcap, "%s: \"queue\" (the queue URL) is required", where);
    st = LL_CONFIG;
  }
  if (st == LL_OK) st = ll_get_string(j, "queue", NULL, &q->queue_url, err, errcap);
  if (st == LL_OK && strncmp(q->queue_url, "http://", 7) != 0 && strncmp(q->queue_url, "https://", 8) != 0) {
    ll_err_set(err, errcap, "%s: \"queue\" must be an http(s) queue URL", where);
    st = LL_CONFIG;
  }
  if (st == LL_OK) st = ll_get_string(j, "endpoint", NULL, &q->endpoint, err, errcap);
  if (st == LL_OK) st = ll_get_int(j, "batchSize", 10, 1, 10000, &q->batch_size, err, errcap);
  if (st == LL_OK) st = ll_get_int(j, "maximumBatchingWindow", 0, 0, 300, &q->window_s, err, errcap);
  if (st == LL_OK) st = ll_get_int(j, "maximumConcurrency", 2, 2, 1000, &q->max_concurrency, err, errcap);
  if (st == LL_OK) st = ll_get_int(j, "pollWait", 2, 1, 20, &q->poll_wait_s, err, errcap);
  if (st == LL_OK) st = ll_get_string(j, "functionResponseType", "", &frt, err, errcap);
  if (st == LL_OK && frt[0] && strcmp(frt, "ReportBatchItemFailures") != 0) {
    ll_err_set(err, errcap, "%s: \"functionResponseType\" can only be \"ReportBatchItemFailures\"", where);
    st = LL_CONFIG;
  }
  if (st == LL_OK) q->report_failures = frt[0] != '\0';
  free(frt);
  if (st == LL_OK && q->batch_size > 10 && q->window_s < 1) {
    /* Lambda refuses the mapping too */
    ll_err_set(err, errcap, "%s: a batchSize over 10 needs a maximumBatchingWindow of at least 1 s", where);
    st = LL_CONFIG;
  }
  return st;
}

static const char *const ll_rule_keys[] = {"expression", "input", "enabled", "description", NULL};

static ll_status ll_parse_rule(ll_function_cfg *f, const cJSON *j, char *err, size_t errcap) {
  char where[200];
  snprintf(where, sizeof where, "function %.64s: events.schedules.%.64s", f->name, j->string);
  if (f->schedule_count == LL_MAX_SCHEDULES || !j->string[0]) {
    ll_err_set(err, errcap, "%s: empty rule name or more than %d rules", where, LL_MAX_SCHEDULES);
    return LL_CONFIG;
  }
  ll_schedule_cfg *r = &f->schedules[f->schedule_count++];
  /* rule names are unique in an account and region: `trigger RULE` relies on it */
  r->name = strdup(j->string);
  if (!r->name) return LL_NOMEM;
  ll_status st = ll_check_keys(j, ll_rule_keys, where, err, errcap);
  if (st == LL_OK) st = ll_get_string(j, "expression", NULL, &r->expression, err, errcap);
  ll_schedule_expr e;
  char why[LL_ERR_LEN] = "";
  if (st == LL_OK && (!r->expression || !ll_schedule_parse(r->expression, &e, why, sizeof why))) {
    ll_err_set(err, errcap, "%s: %s", where, r->expression ? why : "\"expression\" is required");
    st = LL_CONFIG;
  }
  const cJSON *in = cJSON_GetObjectItemCaseSensitive(j, "input");
  if (st == LL_OK && in) {
    /* CloudFormation's Input is JSON text; so is this, checked to be JSON */
    cJSON *parsed = cJSON_IsString(in) ? ll_json_parse(in->valuestring, strlen(in->valuestring)) : NULL;
    if (!parsed) {
      ll_err_set(err, errcap, "%s: \"input\" must be a string holding JSON (the rule target's Input)", where);
      st = LL_CONFIG;
    }
    cJSON_Delete(parsed);
    if (st == LL_OK && !(r->input = strdup(in->valuestring))) st = LL_NOMEM;
  }
  const cJSON *en = cJSON_GetObjectItemCaseSensitive(j, "enabled");
  if (st == LL_OK && en && !cJSON_IsBool(en)) {
    ll_err_set(err, errcap, "%s: \"enabled\" must be true or false", where);
    st = LL_CONFIG;
  }
  r->enabled = !en || cJSON_IsTrue(en);
  return st;
}

static const char *const ll_event_keys[] = {"sqs", "schedules", NULL};

ll_status ll_config_parse_events(ll_function_cfg *f, const cJSON *events, char *err, size_t errcap) {
  if (!events) return LL_OK;
  char where[120];
  snprintf(where, sizeof where, "function %.64s: events", f->name);
  ll_status st = ll_check_keys(events, ll_event_keys, where, err, errcap);
  const cJSON *sqs = cJSON_GetObjectItemCaseSensitive(events, "sqs");
  if (st == LL_OK && sqs) st = ll_parse_sqs(f, sqs, err, errcap);
  const cJSON *rules = cJSON_GetObjectItemCaseSensitive(events, "schedules");
  if (st == LL_OK && rules && !cJSON_IsObject(rules)) {
    ll_err_set(err, errcap, "%s.schedules must be an object of rules by name", where);
    st = LL_CONFIG;
  }
  for (const cJSON *r = rules ? rules->child : NULL; st == LL_OK && r; r = r->next)
    st = ll_parse_rule(f, r, err, errcap);
  return st;
}

void ll_config_free_events(ll_function_cfg *f) {
  if (f->sqs) free(f->sqs->queue_url);
  if (f->sqs) free(f->sqs->endpoint);
  free(f->sqs);
  f->sqs = NULL;
  for (size_t i = 0; i < f->schedule_count; i++) {
    free(f->schedules[i].name);
    free(f->schedules[i].expression);
    free(f->schedules[i].input);
  }
  f->schedule_count = 0;
}
