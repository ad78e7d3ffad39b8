/* The SQS event source's pure parts: the event built from ReceiveMessage
 * answers (AWS's sample message, hostile variants), the reading of
 * batchItemFailures as Lambda reads it, the queue ARN, and the events of
 * local/stack.json. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ll_config.h"
#include "ll_json.h"
#include "ll_schedule_source.h"
#include "ll_sqs_event.h"
#include "ll_tests.h"

#define ARN "arn:aws:sqs:us-east-2:123456789012:my-queue"

/* The message of AWS's sample SQS event, as ReceiveMessage answers it. */
static const char sample[] =
    "{\"Messages\":[{\"MessageId\":\"059f36b4-87a3-44ab-83d2-661975830a7d\","
    "\"ReceiptHandle\":\"AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...\",\"Body\":\"Test message.\","
    "\"MD5OfBody\":\"e4e68fb7bd0e697a0ae8f1bb342846b3\","
    "\"Attributes\":{\"ApproximateReceiveCount\":\"1\",\"SentTimestamp\":\"1545082649183\","
    "\"SenderId\":\"AIDAIENQZJOLO23YVJ4VO\",\"ApproximateFirstReceiveTimestamp\":\"1545082649185\","
    "\"AWSTraceHeader\":\"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1\"},"
    "\"MessageAttributes\":{\"Greeting\":{\"DataType\":\"String\",\"StringValue\":\"hello\"},"
    "\"Blob\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAE=\"}}},"
    "{\"MessageId\":\"2e1424d4-f796-459a-8184-9c92662be6da\",\"ReceiptHandle\":\"AQEBzWwaftRI0KuVm4tP+/7q1rGgNqicHq...\","
    "\"Body\":\"Test message.\",\"MD5OfBody\":\"e4e68fb7bd0e697a0ae8f1bb342846b3\","
    "\"Attributes\":{\"ApproximateReceiveCount\":\"1\",\"SentTimestamp\":\"1545082650636\","
    "\"SenderId\":\"AIDAIENQZJOLO23YVJ4VO\",\"ApproximateFirstReceiveTimestamp\":\"1545082650649\"}}]}";

static void batch_of(ll_sqs_batch *b, const char *answer) {
  char err[LL_ERR_LEN] = "";
  ck_assert_int_eq(ll_sqs_batch_init(b), LL_OK);
  ck_assert_msg(ll_sqs_batch_add(b, answer, strlen(answer), ARN, "us-east-2", NULL, err, sizeof err) == LL_OK, "%s", err);
}

START_TEST(event_as_aws_sample) {
  ll_sqs_batch b;
  batch_of(&b, sample);
  ck_assert_uint_eq(b.count, 2);
  char *ev = ll_sqs_batch_event(&b);
  cJSON *j = ll_json_parse(ev, strlen(ev));
  ck_assert_ptr_nonnull(j);
  const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "Records"), 0);
  ck_assert_str_eq(cJSON_GetObjectItem(r, "messageId")->valuestring, "059f36b4-87a3-44ab-83d2-661975830a7d");
  ck_assert_str_eq(cJSON_GetObjectItem(r, "receiptHandle")->valuestring, "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...");
  ck_assert_str_eq(cJSON_GetObjectItem(r, "body")->valuestring, "Test message.");
  const cJSON *a = cJSON_GetObjectItem(r, "attributes");
  ck_assert_str_eq(cJSON_GetObjectItem(a, "ApproximateReceiveCount")->valuestring, "1");
  ck_assert_str_eq(cJSON_GetObjectItem(a, "SentTimestamp")->valuestring, "1545082649183");
  ck_assert_str_eq(cJSON_GetObjectItem(a, "ApproximateFirstReceiveTimestamp")->valuestring, "1545082649185");
  ck_assert_str_eq(cJSON_GetObjectItem(a, "AWSTraceHeader")->valuestring,
                   "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
  const cJSON *g = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "messageAttributes"), "Greeting");
  ck_assert_str_eq(cJSON_GetObjectItem(g, "stringValue")->valuestring, "hello");
  ck_assert_str_eq(cJSON_GetObjectItem(g, "dataType")->valuestring, "String");
  ck_assert(cJSON_IsArray(cJSON_GetObjectItem(g, "stringListValues")));
  ck_assert(cJSON_IsArray(cJSON_GetObjectItem(g, "binaryListValues")));
  const cJSON *blob = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "messageAttributes"), "Blob");
  ck_assert_str_eq(cJSON_GetObjectItem(blob, "binaryValue")->valuestring, "AAE=");
  ck_assert_str_eq(cJSON_GetObjectItem(r, "md5OfBody")->valuestring, "e4e68fb7bd0e697a0ae8f1bb342846b3");
  ck_assert_str_eq(cJSON_GetObjectItem(r, "eventSource")->valuestring, "aws:sqs");
  ck_assert_str_eq(cJSON_GetObjectItem(r, "eventSourceARN")->valuestring, ARN);
  ck_assert_str_eq(cJSON_GetObjectItem(r, "awsRegion")->valuestring, "us-east-2");
  const cJSON *r2 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "Records"), 1);
  ck_assert(cJSON_IsObject(cJSON_GetObjectItem(r2, "messageAttributes"))); /* {} as in AWS's sample */
  ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(r2, "attributes"), "AWSTraceHeader"));
  ck_assert_str_eq(ll_sqs_record_receipt(&b, 1), "AQEBzWwaftRI0KuVm4tP+/7q1rGgNqicHq...");
  cJSON_Delete(j);
  cJSON_free(ev);
  ll_sqs_batch_free(&b);
}
END_TEST

START_TEST(event_hostile_answers) {
  static const char *const not_sqs[] = {"", "[]", "null", "{\"Messages\":{}}", "{\"Messages\":\"x\"}", "{} x",
                                        "{\"Messages\":[]", "{\"a\":1,\"a\":2}"};
  for (size_t i = 0; i < sizeof not_sqs / sizeof not_sqs[0]; i++) {
    ll_sqs_batch b;
    char err[LL_ERR_LEN] = "";
    ll_sqs_batch_init(&b);
    ck_assert_msg(ll_sqs_batch_add(&b, not_sqs[i], strlen(not_sqs[i]), ARN, "r", NULL, err, sizeof err) == LL_BAD_INPUT,
                  "accepted %s", not_sqs[i]);
    ck_assert_uint_eq(b.count, 0);
    ll_sqs_batch_free(&b);
  }
  /* messages lacking what delivery needs are skipped, the others kept */
  const char *mixed = "{\"Messages\":[{\"MessageId\":\"a\",\"ReceiptHandle\":\"h\",\"Body\":\"ok\"},"
                      "{\"MessageId\":\"\",\"ReceiptHandle\":\"h\",\"Body\":\"x\"},{\"MessageId\":\"b\",\"Body\":\"x\"},"
                      "{\"MessageId\":7,\"ReceiptHandle\":\"h\",\"Body\":\"x\"},{\"MessageId\":\"c\",\"ReceiptHandle\":\"h\"},"
                      "5,null,{\"MessageId\":\"d\",\"ReceiptHandle\":\"h2\",\"Body\":\"\",\"Attributes\":{\"n\":5,\"s\":\"v\"},"
                      "\"MessageAttributes\":{\"bad\":1,\"notype\":{\"StringValue\":\"x\"}}}]}";
  ll_sqs_batch b;
  char err[LL_ERR_LEN] = "";
  size_t skipped = 0;
  ll_sqs_batch_init(&b);
  ck_assert_int_eq(ll_sqs_batch_add(&b, mixed, strlen(mixed), ARN, "r", &skipped, err, sizeof err), LL_OK);
  ck_assert_uint_eq(b.count, 2);
  ck_assert_uint_eq(skipped, 6);
  ck_assert_str_eq(ll_sqs_record_id(&b, 1), "d");
  char *ev = ll_sqs_batch_event(&b);
  ck_assert_ptr_nonnull(strstr(ev, "\"attributes\":{\"s\":\"v\"}"));
  ck_assert_ptr_nonnull(strstr(ev, "\"messageAttributes\":{}"));
  cJSON_free(ev);
  /* an empty answer (no Messages) adds nothing */
  ck_assert_int_eq(ll_sqs_batch_add(&b, "{}", 2, ARN, "r", &skipped, err, sizeof err), LL_OK);
  ck_assert_uint_eq(b.count, 2);
  ll_sqs_batch_free(&b);
}
END_TEST

static ll_batch_verdict verdict(const ll_sqs_batch *b, const char *answer, bool report, bool *failed) {
  char why[LL_ERR_LEN] = "";
  ll_batch_verdict v = ll_sqs_batch_result(b, answer, answer ? strlen(answer) : 0, report, failed, why, sizeof why);
  if (v == LL_BATCH_ALL_FAILED) ck_assert_msg(why[0], "no reason for %s", answer);
  return v;
}

START_TEST(batch_item_failures) {
  ll_sqs_batch b;
  batch_of(&b, sample);
  bool failed[2];
  /* success: Lambda's list of what counts as complete success */
  static const char *const all_ok[] = {NULL, "", "  \n", "null", "{}", "{\"batchItemFailures\":[]}",
                                       "{\"batchItemFailures\":null}", "{\"other\":1}"};
  for (size_t i = 0; i < sizeof all_ok / sizeof all_ok[0]; i++) {
    ck_assert_msg(verdict(&b, all_ok[i], true, failed) == LL_BATCH_ALL_OK, "%s", all_ok[i] ? all_ok[i] : "(null)");
    ck_assert(!failed[0] && !failed[1]);
  }
  /* a partial answer: only the named message comes back */
  ck_assert_int_eq(verdict(&b, "{\"batchItemFailures\":[{\"itemIdentifier\":\"2e1424d4-f796-459a-8184-9c92662be6da\"}]}",
                           true, failed),
                   LL_BATCH_PARTIAL);
  ck_assert(!failed[0] && failed[1]);
  /* complete failure: invalid JSON, empty/null/absent/unknown itemIdentifier, wrong shapes */
  static const char *const all_failed[] = {
      "{\"batchItemFailures\":[", "not json", "{\"batchItemFailures\":[{\"itemIdentifier\":\"\"}]}",
      "{\"batchItemFailures\":[{\"itemIdentifier\":null}]}", "{\"batchItemFailures\":[{\"itemId\":\"x\"}]}",
      "{\"batchItemFailures\":[{\"itemIdentifier\":\"unknown\"}]}", "{\"batchItemFailures\":[{\"itemIdentifier\":7}]}",
      "{\"batchItemFailures\":{}}", "{\"batchItemFailures\":\"all\"}", "[]", "\"ok\"", "42",
      "{\"batchItemFailures\":[\"059f36b4-87a3-44ab-83d2-661975830a7d\"]}",
      "{\"batchItemFailures\":[{\"itemIdentifier\":\"2e1424d4-f796-459a-8184-9c92662be6da\"},{\"itemIdentifier\":\"x\"}]}",
      "{\"batchItemFailures\":[],\"batchItemFailures\":[]}", "{} {}"};
  for (size_t i = 0; i < sizeof all_failed / sizeof all_failed[0]; i++) {
    ck_assert_msg(verdict(&b, all_failed[i], true, failed) == LL_BATCH_ALL_FAILED, "%s", all_failed[i]);
    ck_assert(failed[0] && failed[1]);
  }
  /* without ReportBatchItemFailures the answer is not read */
  ck_assert_int_eq(verdict(&b, "not json", false, failed), LL_BATCH_ALL_OK);
  ll_sqs_batch_free(&b);
}
END_TEST

START_TEST(queue_arn_from_url) {
  char arn[256];
  ck_assert(ll_sqs_queue_arn("http://sqs.us-east-1.localhost:4566/000000000000/orders", "us-east-1", arn, sizeof arn));
  ck_assert_str_eq(arn, "arn:aws:sqs:us-east-1:000000000000:orders");
  ck_assert(ll_sqs_queue_arn("https://sqs.eu-west-1.amazonaws.com/123456789012/q-dlq", "eu-west-1", arn, sizeof arn));
  ck_assert_str_eq(arn, "arn:aws:sqs:eu-west-1:123456789012:q-dlq");
  ck_assert(!ll_sqs_queue_arn("http://host/orders", "r", arn, sizeof arn));
  ck_assert(!ll_sqs_queue_arn("http://host//orders", "r", arn, sizeof arn));
  ck_assert(!ll_sqs_queue_arn("http://host/1/orders/x", "r", arn, sizeof arn));
  ck_assert(!ll_sqs_queue_arn("orders", "r", arn, sizeof arn));
  ck_assert(!ll_sqs_queue_arn("http://h/1/q", "r", arn, 8));
}
END_TEST

static ll_status parse_events(const char *events, ll_config *c, char *err) {
  char json[4096];
  snprintf(json, sizeof json, "{\"bootstrap\":\"/b\",\"functions\":{\"worker\":{\"events\":%s}}}", events);
  return ll_config_parse(json, strlen(json), "/base", c, err, LL_ERR_LEN);
}

START_TEST(config_events) {
  ll_config c;
  char err[LL_ERR_LEN] = "";
  ck_assert_msg(parse_events("{\"sqs\":{\"queue\":\"http://h:1/000000000000/orders\",\"batchSize\":10,"
                             "\"maximumBatchingWindow\":0,\"functionResponseType\":\"ReportBatchItemFailures\","
                             "\"maximumConcurrency\":5},\"schedules\":{\"A\":{\"expression\":\"cron(0 3 * * ? *)\","
                             "\"input\":\"{\\\"task\\\":\\\"archive\\\"}\"},\"B\":{\"expression\":\"rate(5 minutes)\","
                             "\"enabled\":false}}}",
                             &c, err) == LL_OK,
                "%s", err);
  const ll_function_cfg *w = ll_config_function(&c, "worker");
  ck_assert_int_eq(w->sqs->batch_size, 10);
  ck_assert_int_eq(w->sqs->window_s, 0);
  ck_assert(w->sqs->report_failures);
  ck_assert_int_eq(w->sqs->max_concurrency, 5);
  ck_assert_int_eq(w->sqs->poll_wait_s, 2);
  ck_assert_uint_eq(w->schedule_count, 2);
  const ll_schedule_cfg *r = NULL;
  ck_assert_ptr_eq(ll_config_rule(&c, "A", &r), w);
  ck_assert_str_eq(r->input, "{\"task\":\"archive\"}");
  char *ev = ll_schedule_event(r, "eu-west-1", 0);
  ck_assert_str_eq(ev, "{\"task\":\"archive\"}");
  free(ev);
  ck_assert_ptr_eq(ll_config_rule(&c, "B", &r), w);
  ck_assert(!r->enabled);
  ev = ll_schedule_event(r, "eu-west-1", 1773360000 + 3 * 3600 + 59);
  ck_assert_ptr_nonnull(strstr(ev, "\"detail-type\":\"Scheduled Event\""));
  ck_assert_ptr_nonnull(strstr(ev, "\"time\":\"2026-03-13T03:00:59Z\""));
  ck_assert_ptr_nonnull(strstr(ev, "\"resources\":[\"arn:aws:events:eu-west-1:000000000000:rule/B\"]"));
  cJSON *j = ll_json_parse(ev, strlen(ev));
  ck_assert_ptr_nonnull(j);
  cJSON_Delete(j);
  free(ev);
  ck_assert_ptr_null(ll_config_rule(&c, "C", NULL));
  ll_config_free(&c);

  static const char *const bad[] = {
      "[]", "{\"kafka\":{}}", "{\"sqs\":{}}", "{\"sqs\":{\"queue\":\"orders\"}}",
      "{\"sqs\":{\"queue\":\"http://h/1/q\",\"batchSize\":0}}", "{\"sqs\":{\"queue\":\"http://h/1/q\",\"batchSize\":11}}",
      "{\"sqs\":{\"queue\":\"http://h/1/q\",\"batchSize\":10001,\"maximumBatchingWindow\":5}}",
      "{\"sqs\":{\"queue\":\"http://h/1/q\",\"maximumBatchingWindow\":301}}",
      "{\"sqs\":{\"queue\":\"http://h/1/q\",\"maximumConcurrency\":1}}",
      "{\"sqs\":{\"queue\":\"http://h/1/q\",\"functionResponseType\":\"Report\"}}",
      "{\"sqs\":{\"queue\":\"http://h/1/q\",\"batchsize\":5}}", "{\"sqs\":{\"queue\":\"http://h/1/q\",\"pollWait\":21}}",
      "{\"schedules\":[]}", "{\"schedules\":{\"A\":{}}}", "{\"schedules\":{\"A\":{\"expression\":\"cron(* * * * * *)\"}}}",
      "{\"schedules\":{\"A\":{\"expression\":\"rate(5 minutes)\",\"input\":{\"task\":1}}}}",
      "{\"schedules\":{\"A\":{\"expression\":\"rate(5 minutes)\",\"input\":\"{oops\"}}}",
      "{\"schedules\":{\"A\":{\"expression\":\"rate(5 minutes)\",\"enabled\":\"yes\"}}}",
      "{\"schedules\":{\"A\":{\"expression\":\"rate(5 minutes)\",\"target\":\"x\"}}}",
      "{\"schedules\":{\"\":{\"expression\":\"rate(5 minutes)\"}}}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    err[0] = '\0';
    ck_assert_msg(parse_events(bad[i], &c, err) == LL_CONFIG, "accepted %s", bad[i]);
    ck_assert_msg(err[0], "no reason for %s", bad[i]);
  }
  /* one rule name on two functions */
  const char *twice = "{\"bootstrap\":\"/b\",\"functions\":{"
                      "\"a\":{\"events\":{\"schedules\":{\"R\":{\"expression\":\"rate(1 day)\"}}}},"
                      "\"b\":{\"events\":{\"schedules\":{\"R\":{\"expression\":\"rate(2 days)\"}}}}}}";
  ck_assert_int_eq(ll_config_parse(twice, strlen(twice), "/", &c, err, sizeof err), LL_CONFIG);
  ck_assert_ptr_nonnull(strstr(err, "rule R is defined twice"));
}
END_TEST

Suite *ll_sqs_suite(void) {
  Suite *s = suite_create("event sources");
  TCase *tc = tcase_create("sqs and schedules");
  tcase_add_test(tc, event_as_aws_sample);
  tcase_add_test(tc, event_hostile_answers);
  tcase_add_test(tc, batch_item_failures);
  tcase_add_test(tc, queue_arn_from_url);
  tcase_add_test(tc, config_events);
  suite_add_tcase(s, tc);
  return s;
}
