/* The worker without a database: SQS event parsing (AWS's sample event and
 * hostile variants), the batchItemFailures answer, and the deadline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lr/clock.h"
#include "wk_test.h"

#define OID "3f0c1b2a-9d8e-4f70-8a6b-5c4d3e2f1a0b"
#define BODY "{\"type\":\"order.created\",\"order_id\":\"" OID "\",\"occurred_at\":\"2026-01-01T00:00:00Z\"}"

/* AWS's documented sample (Lambda developer guide, "Example Amazon SQS
 * message event"), verbatim: its bodies are plain text, not order.created. */
static const char AWS_SAMPLE[] =
    "{\"Records\":[{\"messageId\":\"059f36b4-87a3-44ab-83d2-661975830a7d\","
    "\"receiptHandle\":\"AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...\",\"body\":\"Test message.\","
    "\"attributes\":{\"ApproximateReceiveCount\":\"1\",\"SentTimestamp\":\"1545082649183\","
    "\"SenderId\":\"AIDAIENQZJOLO23YVJ4VO\",\"ApproximateFirstReceiveTimestamp\":\"1545082649185\"},"
    "\"messageAttributes\":{},\"md5OfBody\":\"e4e68fb7bd0e697a0ae8f1bb342846b3\","
    "\"eventSource\":\"aws:sqs\",\"eventSourceARN\":\"arn:aws:sqs:us-east-2:123456789012:my-queue\","
    "\"awsRegion\":\"us-east-2\"},"
    "{\"messageId\":\"2e1424d4-f796-459a-8184-9c92662be6da\","
    "\"receiptHandle\":\"AQEBzWwaftRI0KuVm4tP+/7q1rGgNqicHq...\",\"body\":\"Test message.\","
    "\"attributes\":{\"ApproximateReceiveCount\":\"1\",\"SentTimestamp\":\"1545082650636\","
    "\"SenderId\":\"AIDAIENQZJOLO23YVJ4VO\",\"ApproximateFirstReceiveTimestamp\":\"1545082650649\"},"
    "\"messageAttributes\":{},\"md5OfBody\":\"e4e68fb7bd0e697a0ae8f1bb342846b3\","
    "\"eventSource\":\"aws:sqs\",\"eventSourceARN\":\"arn:aws:sqs:us-east-2:123456789012:my-queue\","
    "\"awsRegion\":\"us-east-2\"}]}";

static wk_batch parse_ok(const char *ev) {
  wk_batch b;
  char err[256] = "";
  ck_assert_msg(wk_event_parse(ev, strlen(ev), &b, err, sizeof err), "%s", err);
  return b;
}

static wk_outcome one(const char *id, const char *body) {
  const char *ids[] = {id}, *bodies[] = {body};
  char *ev = wt_event(1, ids, bodies);
  wk_batch b = parse_ok(ev);
  ck_assert_uint_eq(b.n, 1);
  wk_outcome o = b.msgs[0].outcome;
  wk_batch_free(&b);
  free(ev);
  return o;
}

START_TEST(aws_sample_event) {
  wk_batch b = parse_ok(AWS_SAMPLE);
  ck_assert_uint_eq(b.n, 2);
  ck_assert_str_eq(b.msgs[0].message_id, "059f36b4-87a3-44ab-83d2-661975830a7d");
  ck_assert_int_eq(b.msgs[0].outcome, WK_MALFORMED); /* "Test message." is not JSON */
  ck_assert_int_eq(b.msgs[0].receive_count, 1);
  ck_assert_str_eq(b.msgs[0].trace, "");
  lr_buf out;
  lr_buf_init(&out, 4096);
  ck_assert_int_eq(wk_answer_write(&b, &out), LR_BUF_OK);
  ck_assert_str_eq(lr_buf_str(&out),
                   "{\"batchItemFailures\":[{\"itemIdentifier\":\"059f36b4-87a3-44ab-83d2-661975830a7d\"},"
                   "{\"itemIdentifier\":\"2e1424d4-f796-459a-8184-9c92662be6da\"}]}");
  lr_buf_free(&out);
  wk_batch_free(&b);
}
END_TEST

START_TEST(order_created_record) {
  const char *ids[] = {"m-1"}, *bodies[] = {BODY};
  char *ev = wt_event(1, ids, bodies);
  wk_batch b = parse_ok(ev);
  ck_assert_int_eq(b.msgs[0].outcome, WK_PENDING);
  ck_assert_str_eq(b.msgs[0].order_id, OID);
  ck_assert_str_eq(b.msgs[0].trace, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
  wk_batch_free(&b);
  free(ev);
}
END_TEST

START_TEST(hostile_bodies) {
  char huge[WK_BODY_MAX + 64];
  memset(huge, ' ', sizeof huge - 1);
  huge[sizeof huge - 1] = '\0';
  memcpy(huge, "{\"type\":\"order.created\",\"order_id\":\"" OID "\"}", 61);
  ck_assert_int_eq(one("m", huge), WK_MALFORMED);
  ck_assert_int_eq(one("m", "not json"), WK_MALFORMED);
  ck_assert_int_eq(one("m", ""), WK_MALFORMED);
  ck_assert_int_eq(one("m", "[]"), WK_MALFORMED);
  ck_assert_int_eq(one("m", "{\"type\":\"order.created\"}"), WK_MALFORMED);
  ck_assert_int_eq(one("m", "{\"type\":\"order.created\",\"order_id\":42}"), WK_MALFORMED);
  ck_assert_int_eq(one("m", "{\"type\":\"order.created\",\"order_id\":\"not-a-uuid\"}"), WK_MALFORMED);
  ck_assert_int_eq(one("m", "{\"type\":7,\"order_id\":\"" OID "\"}"), WK_MALFORMED);
  ck_assert_int_eq(one("m", "{\"type\":\"order.cancelled\",\"order_id\":\"" OID "\"}"), WK_UNKNOWN_TYPE);
  ck_assert_int_eq(one("m", "{\"type\":\"order.created\",\"order_id\":\"" OID "\",\"order_id\":\"" OID "\"}"),
                   WK_MALFORMED);
  ck_assert_int_eq(one("m", BODY " trailing"), WK_MALFORMED);
  ck_assert_int_eq(one("m", "{\"type\":\"order.created\",\"order_id\":\"" OID "\",\"x\":\"\xff\"}"), WK_MALFORMED);
}
END_TEST

/* A record whose id cannot be named is still decided, never named. */
static void unnamed(const char *id) {
  const char *ids[] = {id}, *bodies[] = {BODY};
  char *ev = wt_event(1, ids, bodies);
  wk_batch b = parse_ok(ev);
  ck_assert_str_eq(b.msgs[0].message_id, "");
  ck_assert_int_eq(b.msgs[0].outcome, WK_PENDING);
  ck_assert_str_eq(b.msgs[0].order_id, OID);
  wk_batch_free(&b);
  free(ev);
}

START_TEST(hostile_message_ids) {
  unnamed(NULL);
  unnamed("");
  unnamed("has space");
  unnamed("caf\xc3\xa9");
  char longid[WK_MESSAGE_ID_MAX + 2];
  memset(longid, 'a', sizeof longid - 1);
  longid[sizeof longid - 1] = '\0';
  unnamed(longid);
  longid[WK_MESSAGE_ID_MAX] = '\0';
  ck_assert_int_eq(one(longid, BODY), WK_PENDING); /* 128 bytes: usable */
  /* hand-written records: wrong type, an escaped NUL, the key twice, not an object */
  const char *evs[] = {
      "{\"Records\":[{\"messageId\":17,\"body\":\"{}\"}]}",
      "{\"Records\":[{\"messageId\":\"abc\\u0000def\",\"body\":\"{}\"}]}",
      "{\"Records\":[{\"messageId\":\"a\",\"messageId\":\"b\",\"body\":\"{}\"}]}",
      "{\"Records\":[\"a string\"]}",
  };
  const wk_outcome want[] = {WK_MALFORMED, WK_MALFORMED, WK_MALFORMED, WK_NOT_A_RECORD};
  for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
    wk_batch b = parse_ok(evs[i]);
    ck_assert_uint_eq(b.n, 1);
    ck_assert_msg(b.msgs[0].outcome == want[i], "event %zu: %d", i, b.msgs[0].outcome);
    ck_assert_str_eq(b.msgs[0].message_id, "");
    wk_batch_free(&b);
  }
}
END_TEST

START_TEST(record_level_hostility_stays_in_its_record) {
  /* a field named twice, an escaped NUL in the body, bad UTF-8 in another
   * record's field: each costs its record only */
  const char *ev =
      "{\"Records\":[{\"messageId\":\"m1\",\"body\":\"{}\",\"body\":\"" "{}" "\"},"
      "{\"messageId\":\"m2\",\"body\":\"{\\\"type\\\":\\\"order.created\\\\u0000x\\\",\\\"order_id\\\":\\\"" OID "\\\"}\"},"
      "{\"messageId\":\"m3\",\"body\":\"{\\\"type\\\":\\\"order.created\\\",\\\"order_id\\\":\\\"" OID "\\\"}\","
      "\"junk\":\"\xc3\x28\"},"
      "{\"messageId\":\"m4\",\"body\":\"" "{\\\"type\\\":\\\"order.created\\\",\\\"order_id\\\":\\\"" OID "\\\"}" "\"}]}";
  wk_batch b = parse_ok(ev);
  ck_assert_uint_eq(b.n, 4);
  ck_assert_int_eq(b.msgs[0].outcome, WK_MALFORMED);
  ck_assert_int_eq(b.msgs[1].outcome, WK_MALFORMED);
  ck_assert_int_eq(b.msgs[2].outcome, WK_PENDING); /* a field the worker does not read */
  ck_assert_int_eq(b.msgs[3].outcome, WK_PENDING);
  wk_batch_free(&b);
}
END_TEST

START_TEST(not_an_sqs_event) {
  const char *evs[] = {"", "nope", "[]", "{}", "{\"Records\":{}}", "{\"Records\":[],\"Records\":[]}",
                       "{\"Records\":[]} x"};
  for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
    wk_batch b;
    char err[256] = "";
    ck_assert_msg(!wk_event_parse(evs[i], strlen(evs[i]), &b, err, sizeof err), "event %zu", i);
    ck_assert(err[0]);
    wk_batch_free(&b);
  }
  wk_batch b = parse_ok("{\"Records\":[]}");
  ck_assert_uint_eq(b.n, 0);
  wk_batch_free(&b);
}
END_TEST

START_TEST(too_many_records) {
  lr_buf ev;
  lr_buf_init(&ev, 1u << 20);
  lr_buf_adds(&ev, "{\"Records\":[");
  for (int i = 0; i <= WK_MAX_RECORDS; i++) lr_buf_adds(&ev, i ? ",{}" : "{}");
  lr_buf_adds(&ev, "]}");
  wk_batch b;
  char err[256] = "";
  ck_assert(!wk_event_parse(lr_buf_str(&ev), ev.len, &b, err, sizeof err));
  wk_batch_free(&b);
  lr_buf_free(&ev);
}
END_TEST

START_TEST(answer_names_failures_once) {
  wk_message msgs[6] = {{.message_id = "a", .outcome = WK_CONFIRMED},
                        {.message_id = "b", .outcome = WK_RETRY},
                        {.message_id = "c", .outcome = WK_MALFORMED},
                        {.message_id = "b", .outcome = WK_ALREADY_HANDLED},
                        {.message_id = "b", .outcome = WK_NOT_ATTEMPTED},
                        {.message_id = "", .outcome = WK_RETRY}}; /* cannot be named */
  wk_batch b = {msgs, 6};
  lr_buf out;
  lr_buf_init(&out, 4096);
  ck_assert_int_eq(wk_answer_write(&b, &out), LR_BUF_OK);
  ck_assert_str_eq(lr_buf_str(&out),
                   "{\"batchItemFailures\":[{\"itemIdentifier\":\"b\"},{\"itemIdentifier\":\"c\"}]}");
  lr_buf_reset(&out);
  wk_batch none = {NULL, 0};
  ck_assert_int_eq(wk_answer_write(&none, &out), LR_BUF_OK);
  ck_assert_str_eq(lr_buf_str(&out), "{\"batchItemFailures\":[]}");
  lr_buf_free(&out);
}
END_TEST

START_TEST(outcome_table) {
  ck_assert(!wk_outcome_failed(WK_CONFIRMED));
  ck_assert(!wk_outcome_failed(WK_REJECTED));
  ck_assert(!wk_outcome_failed(WK_ALREADY_HANDLED));
  ck_assert(wk_outcome_failed(WK_UNKNOWN_ORDER));
  ck_assert(wk_outcome_failed(WK_RETRY));
  ck_assert(wk_outcome_failed(WK_DB_UNAVAILABLE));
  wk_outcome o = WK_PENDING;
  ck_assert(wk_outcome_parse("not_attempted", &o));
  ck_assert_int_eq(o, WK_NOT_ATTEMPTED);
  ck_assert(!wk_outcome_parse("bogus", &o));
  ck_assert(!wk_outcome_parse(NULL, &o));
  ck_assert_int_eq(o, WK_NOT_ATTEMPTED);
}
END_TEST

START_TEST(budget_from_deadline) {
  ck_assert_int_eq(wk_budget_ms(0, 1000), WK_BUDGET_MAX_MS);
  ck_assert_int_eq(wk_budget_ms(100000, 90000), 10000 - WK_DB_MARGIN_MS - WK_SQL_MARGIN_MS);
  ck_assert_int_le(wk_budget_ms(100000, 99000), 0);
  ck_assert_int_eq(wk_budget_ms(INT64_C(10000000000), 0), WK_BUDGET_MAX_MS);
}
END_TEST

/* Too close to the deadline: the database is not called (its port is closed:
 * a call would say db_unavailable), and every message is named. */
START_TEST(deadline_near_names_everything_untouched) {
  wk_app *a = wt_app_db(wt_closed_port(), "nope");
  char b1[200], b2[200];
  wt_body(b1, sizeof b1, OID);
  wt_body(b2, sizeof b2, "00000000-0000-4000-8000-000000000001");
  const char *ids[] = {"m-1", "m-2", NULL}, *bodies[] = {b1, b2, b1};
  char *ev = wt_event(3, ids, bodies);
  wk_batch b = parse_ok(ev);
  char err[DB_ERR_LEN] = "";
  ck_assert_int_eq(wk_decide(a->app->db, &b, 0, err), DB_OK);
  ck_assert_int_eq(b.msgs[0].outcome, WK_NOT_ATTEMPTED);
  ck_assert_int_eq(b.msgs[1].outcome, WK_NOT_ATTEMPTED);
  ck_assert_int_eq(b.msgs[2].outcome, WK_NOT_ATTEMPTED);
  ck_assert_str_eq(b.msgs[2].message_id, "");
  wk_batch_free(&b);
  char *ans = wt_invoke(a, ev, lr_clock_epoch_ms() + WK_DB_MARGIN_MS);
  ck_assert_int_eq(wt_failures(ans), 2);
  ck_assert(wt_names(ans, "m-1") && wt_names(ans, "m-2"));
  free(ans);
  free(ev);
  wk_app_free(a);
}
END_TEST

/* The database is down: not a function error; every message is named. */
START_TEST(database_down_names_every_message) {
  wk_app *a = wt_app_db(wt_closed_port(), "nope");
  char b1[200];
  wt_body(b1, sizeof b1, OID);
  const char *ids[] = {"m-1", "m-2"}, *bodies[] = {b1, "garbage"};
  char *ev = wt_event(2, ids, bodies);
  char *ans = wt_invoke(a, ev, lr_clock_epoch_ms() + 20000);
  ck_assert_int_eq(wt_failures(ans), 2);
  free(ans);
  free(ev);
  wk_app_free(a);
}
END_TEST

START_TEST(bad_event_is_a_fault) {
  wk_app *a = wt_app_db(wt_closed_port(), "nope");
  lr_context ctx = {.request_id = "r", .trace_id = "", .deadline_ms = 0, .log = NULL};
  lr_buf out;
  lr_buf_init(&out, 1024);
  lr_fault f = {{0}, {0}};
  ck_assert_int_eq(wk_invoke(a, &ctx, "{\"nope\":1}", 10, &out, &f), LR_HANDLER_ERROR);
  ck_assert_str_eq(f.type, "Worker.BadEvent");
  lr_buf_free(&out);
  wk_app_free(a);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("worker_event");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, aws_sample_event);
  tcase_add_test(tc, order_created_record);
  tcase_add_test(tc, hostile_bodies);
  tcase_add_test(tc, hostile_message_ids);
  tcase_add_test(tc, record_level_hostility_stays_in_its_record);
  tcase_add_test(tc, not_an_sqs_event);
  tcase_add_test(tc, too_many_records);
  tcase_add_test(tc, answer_names_failures_once);
  tcase_add_test(tc, outcome_table);
  tcase_add_test(tc, budget_from_deadline);
  tcase_add_test(tc, deadline_near_names_everything_untouched);
  tcase_add_test(tc, database_down_names_every_message);
  tcase_add_test(tc, bad_event_is_a_fault);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
