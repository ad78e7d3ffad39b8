/* The cleanup function's pure parts: which task an event names (hostile
 * events included), archive key naming, the summaries, the gzip writer. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cl.h"

static bool parse(const char *ev, size_t len, cl_task *t, char *err) { return cl_task_parse(ev, len, t, err); }
#define PARSE(s, t, e) parse((s), sizeof(s) - 1, (t), (e))

START_TEST(task_constant_inputs) {
  cl_task t = 0;
  char err[CL_ERR_LEN] = "";
  ck_assert(PARSE("{\"task\":\"archive\"}", &t, err));
  ck_assert_int_eq(t, CL_TASK_ARCHIVE);
  ck_assert(PARSE(" {\"task\" : \"outbox\"}\n", &t, err));
  ck_assert_int_eq(t, CL_TASK_OUTBOX);
}
END_TEST

START_TEST(task_scheduled_event_means_archive) {
  static const char ev[] =
      "{\"version\":\"0\",\"id\":\"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa\",\"detail-type\":\"Scheduled Event\","
      "\"source\":\"aws.events\",\"account\":\"123456789012\",\"time\":\"2015-10-08T16:53:06Z\","
      "\"region\":\"us-east-1\",\"resources\":[\"arn:aws:events:us-east-1:123456789012:rule/my-rule\"],\"detail\":{}}";
  cl_task t = 0;
  char err[CL_ERR_LEN] = "";
  ck_assert(PARSE(ev, &t, err));
  ck_assert_int_eq(t, CL_TASK_ARCHIVE);
}
END_TEST

static const char *const hostile[] = {
    "", " ", "null", "[]", "\"archive\"", "{}", "{\"task\":\"ARCHIVE\"}", "{\"task\":\"purge\"}",
    "{\"task\":1}", "{\"task\":null}", "{\"task\":[\"archive\"]}", "{\"task\":\"archive\"} x",
    "{\"task\":\"archive\",\"task\":\"outbox\"}", "{\"task\":\"archive\",\"dry_run\":true}",
    "{\"task\":\"arch\\u0000ive\"}", "{\"task\":\"archive\"", "{\"detail-type\":\"Scheduled Event\"}",
    "{\"detail-type\":\"Scheduled Event\",\"source\":\"aws.s3\"}", "{\"task\":\"\xff\"}",
};

START_TEST(task_hostile_events_name_the_accepted_tasks) {
  cl_task t = 0;
  char err[CL_ERR_LEN] = "";
  const char *ev = hostile[_i];
  ck_assert(!cl_task_parse(ev, strlen(ev), &t, err));
  ck_assert_msg(strstr(err, "{\"task\":\"archive\"}") && strstr(err, "{\"task\":\"outbox\"}"), "%s", err);
  ck_assert(!cl_task_parse(NULL, 0, &t, err));
}
END_TEST

START_TEST(task_huge_event_refused) {
  size_t n = 1u << 20;
  char *big = malloc(n);
  ck_assert_ptr_nonnull(big);
  memset(big, ' ', n);
  memcpy(big, "{\"task\":\"archive\"}", 18);
  cl_task t = 0;
  char err[CL_ERR_LEN] = "";
  ck_assert(!cl_task_parse(big, n, &t, err));
  free(big);
}
END_TEST

#define ID1 "0b6c5f5e-9d1c-4c5e-8f43-1a2b3c4d5e6f"
#define ID2 "ffffffff-0000-4000-8000-000000000001"

START_TEST(key_naming) {
  lr_buf k;
  lr_buf_init(&k, LR_S3_MAX_KEY);
  ck_assert(cl_archive_key("orders/", "2026-03-01T00:00:00.000001Z", ID1, ID2, &k));
  ck_assert_str_eq(lr_buf_str(&k), "orders/dt=2026-03-01/" ID1 "_" ID2 ".jsonl.gz");
  lr_buf_reset(&k);
  ck_assert(cl_archive_key("archive/orders", "1999-12-31T23:59:59.999999Z", ID1, ID1, &k));
  ck_assert_str_eq(lr_buf_str(&k), "archive/orders/dt=1999-12-31/" ID1 "_" ID1 ".jsonl.gz");
  lr_buf_reset(&k);
  ck_assert(cl_archive_key("", "2026-03-01T00:00:00Z", ID1, ID2, &k));
  ck_assert_str_eq(lr_buf_str(&k), "dt=2026-03-01/" ID1 "_" ID2 ".jsonl.gz");
  /* the same rows, the same key */
  lr_buf k2;
  lr_buf_init(&k2, LR_S3_MAX_KEY);
  ck_assert(cl_archive_key("", "2026-03-01T00:00:00Z", ID1, ID2, &k2));
  ck_assert_str_eq(lr_buf_str(&k), lr_buf_str(&k2));
  lr_buf_free(&k2);
  lr_buf_free(&k);
}
END_TEST

START_TEST(key_refuses_malformed_inputs) {
  lr_buf k;
  lr_buf_init(&k, 80);
  ck_assert(!cl_archive_key("p/", "2026-3-01T00:00:00Z", ID1, ID2, &k));
  ck_assert(!cl_archive_key("p/", "2026-03-01 00:00", ID1, ID2, &k));
  ck_assert(!cl_archive_key("p/", NULL, ID1, ID2, &k));
  ck_assert(!cl_archive_key("p/", "2026-03-01T00:00:00Z", "../../etc", ID2, &k));
  ck_assert(!cl_archive_key("p/", "2026-03-01T00:00:00Z", ID1, "0B6C5F5E-9D1C-4C5E-8F43-1A2B3C4D5E6F", &k));
  ck_assert(!cl_archive_key(NULL, "2026-03-01T00:00:00Z", ID1, ID2, &k));
  /* a key past the buffer's bound */
  ck_assert(!cl_archive_key("a-long-prefix-that-does-not-fit/", "2026-03-01T00:00:00Z", ID1, ID2, &k));
  lr_buf_free(&k);
}
END_TEST

START_TEST(summaries) {
  lr_buf b;
  lr_buf_init(&b, 1024);
  cl_archive_summary a = {1000000, 200, 123456789, 42, 1};
  ck_assert_int_eq(cl_archive_summary_json(&a, &b), LR_BUF_OK);
  ck_assert_str_eq(lr_buf_str(&b), "{\"task\":\"archive\",\"archived\":1000000,\"objects\":200,\"bytes\":123456789,"
                                   "\"keys_purged\":42,\"complete\":true}");
  lr_buf_reset(&b);
  cl_archive_summary z = {0, 0, 0, 0, 0};
  ck_assert_int_eq(cl_archive_summary_json(&z, &b), LR_BUF_OK);
  ck_assert_str_eq(lr_buf_str(&b), "{\"task\":\"archive\",\"archived\":0,\"objects\":0,\"bytes\":0,\"keys_purged\":0,\"complete\":false}");
  lr_buf_reset(&b);
  cl_outbox_summary o = {7, 2, 1, 3600, 0};
  ck_assert_int_eq(cl_outbox_summary_json(&o, &b), LR_BUF_OK);
  ck_assert_str_eq(lr_buf_str(&b), "{\"task\":\"outbox\",\"sent\":7,\"failed\":2,\"given_up\":1,\"oldest_age_seconds\":3600,\"complete\":false}");
  lr_buf_free(&b);
  lr_buf tiny;
  lr_buf_init(&tiny, 10);
  ck_assert_int_eq(cl_archive_summary_json(&a, &tiny), LR_BUF_TOO_BIG);
  lr_buf_free(&tiny);
}
END_TEST

static void gunzip(const lr_buf *gz, lr_buf *out) {
  z_stream zs = {0};
  ck_assert_int_eq(inflateInit2(&zs, 15 + 16), Z_OK);
  zs.next_in = (Bytef *)gz->data;
  zs.avail_in = (uInt)gz->len;
  unsigned char chunk[4096];
  int rc;
  do {
    zs.next_out = chunk;
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    ck_assert(rc == Z_OK || rc == Z_STREAM_END);
    ck_assert_int_eq(lr_buf_add(out, chunk, sizeof chunk - zs.avail_out), LR_BUF_OK);
  } while (rc != Z_STREAM_END);
  inflateEnd(&zs);
}

static void compress_lines(int n, lr_buf *gz) {
  cl_gzip *z = cl_gzip_create(1, gz);
  ck_assert_ptr_nonnull(z);
  char line[128];
  for (int i = 0; i < n; i++) {
    int len = snprintf(line, sizeof line, "{\"schema_version\":1,\"n\":%d,\"s\":\"caf\xc3\xa9\"}\n", i);
    ck_assert(cl_gzip_write(z, line, (size_t)len));
  }
  ck_assert(cl_gzip_finish(z));
  ck_assert(!cl_gzip_finish(z));
  ck_assert(!cl_gzip_write(z, "x", 1));
  cl_gzip_free(z);
}

START_TEST(gzip_round_trip_and_deterministic) {
  lr_buf gz, gz2, text;
  lr_buf_init(&gz, 16u << 20);
  lr_buf_init(&gz2, 16u << 20);
  lr_buf_init(&text, 64u << 20);
  compress_lines(100000, &gz);
  compress_lines(100000, &gz2);
  ck_assert_uint_eq(gz.len, gz2.len);
  ck_assert_int_eq(memcmp(gz.data, gz2.data, gz.len), 0);
  ck_assert_uint_eq((unsigned char)gz.data[0], 0x1f);
  ck_assert_uint_eq((unsigned char)gz.data[1], 0x8b);
  gunzip(&gz, &text);
  ck_assert_ptr_nonnull(strstr(lr_buf_str(&text), "{\"schema_version\":1,\"n\":99999,\"s\":\"caf\xc3\xa9\"}\n"));
  lr_buf_free(&gz);
  lr_buf_free(&gz2);
  lr_buf_free(&text);
}
END_TEST

START_TEST(gzip_limits) {
  lr_buf small;
  lr_buf_init(&small, 16);
  ck_assert_ptr_null(cl_gzip_create(0, &small));
  ck_assert_ptr_null(cl_gzip_create(10, &small));
  ck_assert_ptr_null(cl_gzip_create(1, NULL));
  cl_gzip *z = cl_gzip_create(1, &small);
  ck_assert(!cl_gzip_write(z, NULL, 1));
  /* the destination's bound is reported, not overrun */
  static char noise[1 << 16];
  for (size_t i = 0; i < sizeof noise; i++) noise[i] = (char)(i * 2654435761u >> 13);
  bool ok = cl_gzip_write(z, noise, sizeof noise);
  if (ok) ok = cl_gzip_finish(z);
  ck_assert(!ok);
  cl_gzip_free(z);
  cl_gzip_free(NULL);
  lr_buf_free(&small);
}
END_TEST

int main(void) {
  Suite *s = suite_create("cleanup_unit");
  TCase *tc = tcase_create("task");
  tcase_add_test(tc, task_constant_inputs);
  tcase_add_test(tc, task_scheduled_event_means_archive);
  tcase_add_loop_test(tc, task_hostile_events_name_the_accepted_tasks, 0, (int)(sizeof hostile / sizeof hostile[0]));
  tcase_add_test(tc, task_huge_event_refused);
  suite_add_tcase(s, tc);
  TCase *tk = tcase_create("encoding");
  tcase_add_test(tk, key_naming);
  tcase_add_test(tk, key_refuses_malformed_inputs);
  tcase_add_test(tk, summaries);
  tcase_add_test(tk, gzip_round_trip_and_deterministic);
  tcase_add_test(tk, gzip_limits);
  suite_add_tcase(s, tk);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
