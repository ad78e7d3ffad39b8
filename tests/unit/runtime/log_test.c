/* The JSON logger and the escaper under it. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "lr/log.h"
#include "lr/runtime.h"
#include "rt_json.h"

typedef struct capture {
  char *buf;
  size_t len;
  FILE *f;
} capture;

static void cap_open(capture *c) {
  c->buf = NULL, c->len = 0;
  c->f = open_memstream(&c->buf, &c->len);
}

static void cap_close(capture *c) {
  fclose(c->f);
  c->f = NULL;
}

static size_t count_lines(const char *s) {
  size_t n = 0;
  for (; s && *s; s++) n += *s == '\n';
  return n;
}

START_TEST(test_levels_from_env) {
  lr_logger lg;
  unsetenv("AWS_LAMBDA_LOG_LEVEL");
  unsetenv("LOG_LEVEL");
  lr_logger_init(&lg, stdout, "svc", "fn");
  ck_assert_int_eq(lg.threshold, LR_LOG_INFO);
  setenv("LOG_LEVEL", "debug", 1);
  lr_logger_init(&lg, stdout, "svc", "fn");
  ck_assert_int_eq(lg.threshold, LR_LOG_DEBUG);
  setenv("AWS_LAMBDA_LOG_LEVEL", "ERROR", 1); /* Lambda's own setting wins */
  lr_logger_init(&lg, stdout, "svc", "fn");
  ck_assert_int_eq(lg.threshold, LR_LOG_ERROR);
  setenv("AWS_LAMBDA_LOG_LEVEL", "loud", 1); /* unknown: the default, not a crash */
  unsetenv("LOG_LEVEL");
  lr_logger_init(&lg, stdout, NULL, NULL);
  ck_assert_int_eq(lg.threshold, LR_LOG_INFO);
  ck_assert_str_eq(lg.service, "");
  ck_assert_int_eq(lr_log_level_parse("WARNING", LR_LOG_TRACE), LR_LOG_WARN);
  ck_assert_int_eq(lr_log_level_parse("trace", LR_LOG_INFO), LR_LOG_TRACE);
  ck_assert_int_eq(lr_log_level_parse(NULL, LR_LOG_FATAL), LR_LOG_FATAL);
  ck_assert_int_eq(lr_log_level_parse("", LR_LOG_FATAL), LR_LOG_FATAL);
  unsetenv("AWS_LAMBDA_LOG_LEVEL");
}
END_TEST

START_TEST(test_filtering) {
  capture c;
  cap_open(&c);
  setenv("LOG_LEVEL", "WARN", 1);
  lr_logger lg;
  lr_logger_init(&lg, c.f, "svc", "fn");
  lr_log(&lg, LR_LOG_DEBUG, "no", NULL);
  lr_log(&lg, LR_LOG_INFO, "no", NULL);
  lr_log(&lg, LR_LOG_WARN, "yes", NULL);
  lr_log_kv(&lg, LR_LOG_INFO, "no", "k", "v", NULL);
  lr_log_kv(&lg, LR_LOG_ERROR, "yes", "k", "v", NULL);
  lr_log(&lg, (lr_log_level)99, "no", NULL);
  lr_log(NULL, LR_LOG_FATAL, "no", NULL);
  ck_assert(!lr_log_enabled(&lg, LR_LOG_INFO));
  ck_assert(lr_log_enabled(&lg, LR_LOG_FATAL));
  cap_close(&c);
  ck_assert_uint_eq(count_lines(c.buf), 2);
  ck_assert_ptr_null(strstr(c.buf, "\"no\""));
  free(c.buf);
  unsetenv("LOG_LEVEL");
}
END_TEST

START_TEST(test_fields_and_ids) {
  capture c;
  cap_open(&c);
  unsetenv("LOG_LEVEL");
  lr_logger lg;
  lr_logger_init(&lg, c.f, "orders", "api");
  lg.request_id = "req-1";
  lg.trace_id = "Root=1-x";
  cJSON *fields = cJSON_CreateObject();
  cJSON_AddNumberToObject(fields, "count", 3);
  cJSON_AddBoolToObject(fields, "ok", 1);
  cJSON_AddStringToObject(fields, "level", "spoofed"); /* reserved: dropped */
  /* reserved too (issue 15): CloudWatch would read the line as EMF */
  cJSON_AddItemToObject(fields, "_aws", cJSON_CreateString("spoofed metrics"));
  cJSON_AddItemToObject(fields, "nested", cJSON_CreateIntArray((const int[]){1, 2}, 2));
  lr_log(&lg, LR_LOG_INFO, "order created", fields);
  cJSON_Delete(fields);
  cap_close(&c);
  ck_assert_uint_eq(count_lines(c.buf), 1);
  cJSON *j = cJSON_Parse(c.buf);
  ck_assert_ptr_nonnull(j);
  ck_assert_str_eq(cJSON_GetObjectItem(j, "level")->valuestring, "INFO");
  ck_assert_str_eq(cJSON_GetObjectItem(j, "message")->valuestring, "order created");
  ck_assert_str_eq(cJSON_GetObjectItem(j, "service")->valuestring, "orders");
  ck_assert_str_eq(cJSON_GetObjectItem(j, "function")->valuestring, "api");
  ck_assert_str_eq(cJSON_GetObjectItem(j, "request_id")->valuestring, "req-1");
  ck_assert_str_eq(cJSON_GetObjectItem(j, "trace_id")->valuestring, "Root=1-x");
  ck_assert_int_eq(cJSON_GetObjectItem(j, "count")->valueint, 3);
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")));
  ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "nested")), 2);
  /* RFC 3339 UTC with milliseconds: 2026-11-23T09:00:00.123Z */
  const char *ts = cJSON_GetObjectItem(j, "timestamp")->valuestring;
  ck_assert_uint_eq(strlen(ts), 24);
  ck_assert(ts[4] == '-' && ts[10] == 'T' && ts[19] == '.' && ts[23] == 'Z');
  ck_assert_ptr_null(strstr(c.buf, "spoofed"));
  ck_assert_ptr_null(cJSON_GetObjectItem(j, "_aws"));
  cJSON_Delete(j);
  free(c.buf);
  /* lr_log_kv takes the same names */
  cap_open(&c);
  lr_logger_init(&lg, c.f, "orders", "api"); /* the new stream */
  lr_log_kv(&lg, LR_LOG_INFO, "kv", "_aws", "{\"CloudWatchMetrics\":[]}", "x", "1", NULL);
  cap_close(&c);
  ck_assert_ptr_null(strstr(c.buf, "_aws"));
  ck_assert_ptr_nonnull(strstr(c.buf, "\"x\":\"1\""));
  free(c.buf);
}
END_TEST

START_TEST(test_escaping) {
  capture c;
  cap_open(&c);
  lr_logger lg;
  lr_logger_init(&lg, c.f, "s\"v", "f\nn");
  lr_log_kv(&lg, LR_LOG_WARN, "line1\nline2 \"q\" \\ \x01 \xff", "k\"ey", "v\r\x1b", "empty", NULL, NULL);
  cap_close(&c);
  ck_assert_uint_eq(count_lines(c.buf), 1); /* newlines in values never split the line */
  cJSON *j = cJSON_Parse(c.buf);
  ck_assert_ptr_nonnull(j);
  ck_assert_str_eq(cJSON_GetObjectItem(j, "message")->valuestring,
                   "line1\nline2 \"q\" \\ \x01 \xef\xbf\xbd");
  ck_assert_str_eq(cJSON_GetObjectItem(j, "service")->valuestring, "s\"v");
  ck_assert_str_eq(cJSON_GetObjectItem(j, "k\"ey")->valuestring, "v\r\x1b");
  ck_assert_str_eq(cJSON_GetObjectItem(j, "empty")->valuestring, "");
  cJSON_Delete(j);
  free(c.buf);
}
END_TEST

START_TEST(test_oversized_line) {
  capture c;
  cap_open(&c);
  lr_logger lg;
  lr_logger_init(&lg, c.f, "", "");
  size_t n = 300 * 1024;
  char *big = malloc(n + 1);
  memset(big, 'm', n);
  big[n] = '\0';
  lr_log(&lg, LR_LOG_ERROR, big, NULL);
  lr_log_kv(&lg, LR_LOG_ERROR, "kv", "big", big, NULL);
  free(big);
  cap_close(&c);
  ck_assert_uint_eq(count_lines(c.buf), 2);
  ck_assert(c.len < 4096);
  ck_assert_ptr_nonnull(strstr(c.buf, "log line dropped"));
  free(c.buf);
}
END_TEST

/* Every byte value alone, and every pair of high bytes, gives valid JSON
 * that reads back as the input when the input was valid UTF-8. */
START_TEST(test_escape_every_byte) {
  for (int b = 0; b < 256; b++) {
    char in[1] = {(char)b};
    lr_buf out;
    lr_buf_init(&out, 64);
    ck_assert_int_eq(lr__json_str(&out, in, 1), LR_BUF_OK);
    cJSON *j = cJSON_Parse(out.data);
    ck_assert_msg(cJSON_IsString(j), "byte %d gave %s", b, out.data);
    if (b > 0 && b < 0x80) ck_assert_int_eq((unsigned char)j->valuestring[0], b);
    cJSON_Delete(j);
    lr_buf_free(&out);
  }
  for (int a = 0x80; a < 256; a++)
    for (int b = 0x80; b < 256; b++) {
      char in[2] = {(char)a, (char)b};
      lr_buf out;
      lr_buf_init(&out, 64);
      ck_assert_int_eq(lr__json_str(&out, in, 2), LR_BUF_OK);
      cJSON *j = cJSON_Parse(out.data);
      ck_assert_msg(cJSON_IsString(j), "bytes %x %x", a, b);
      cJSON_Delete(j);
      lr_buf_free(&out);
    }
}
END_TEST

START_TEST(test_escape_utf8_rules) {
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
      {"\xc3\xa9", "\"\xc3\xa9\""},                       /* é kept */
      {"\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""},       /* emoji kept */
      {"\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\""},       /* overlong '/' */
      {"\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* surrogate */
      {"\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* > U+10FFFF */
      {"a\xe2\x82", "\"a\xef\xbf\xbd\xef\xbf\xbd\""},     /* truncated */
      {"\x7f", "\"\\u007f\""},
      {"\"\\/", "\"\\\"\\\\/\""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    lr_buf out;
    lr_buf_init(&out, 64);
    ck_assert_int_eq(lr__json_strz(&out, cases[i].in), LR_BUF_OK);
    ck_assert_str_eq(out.data, cases[i].out);
    lr_buf_free(&out);
  }
  lr_buf small;
  lr_buf_init(&small, 8);
  ck_assert_int_eq(lr__json_strz(&small, "0123456789"), LR_BUF_TOO_BIG);
  ck_assert_uint_eq(small.len, 0);
  ck_assert_int_eq(lr__json_strz(&small, NULL), LR_BUF_OK);
  ck_assert_str_eq(small.data, "\"\"");
  lr_buf_free(&small);
}
END_TEST

START_TEST(test_nested_field_bad_utf8) {
  capture c;
  cap_open(&c);
  lr_logger lg;
  lr_logger_init(&lg, c.f, "", "");
  cJSON *fields = cJSON_CreateObject();
  cJSON *arr = cJSON_AddArrayToObject(fields, "list");
  cJSON_AddItemToArray(arr, cJSON_CreateString("ok\xff\xfe"));
  cJSON_AddStringToObject(fields, "k\xc3", "v");
  lr_log(&lg, LR_LOG_ERROR, "m", fields);
  cJSON_Delete(fields);
  cap_close(&c);
  cJSON *j = cJSON_Parse(c.buf);
  ck_assert_ptr_nonnull(j);
  ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "list"), 0)->valuestring,
                   "ok\xef\xbf\xbd\xef\xbf\xbd");
  ck_assert_str_eq(cJSON_GetObjectItem(j, "k\xef\xbf\xbd")->valuestring, "v");
  cJSON_Delete(j);
  free(c.buf);
}
END_TEST

START_TEST(test_fault_set_and_status_names) {
  lr_fault f;
  char big[3000];
  memset(big, 'z', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  ck_assert_int_eq(lr_fault_set(&f, "T", "%s", big), LR_HANDLER_ERROR);
  ck_assert_uint_eq(strlen(f.message), LR_ERROR_MESSAGE_LEN - 1);
  ck_assert_int_eq(lr_fault_set(&f, big, "x"), LR_HANDLER_ERROR);
  ck_assert_uint_eq(strlen(f.type), LR_ERROR_TYPE_LEN - 1);
  lr_fault_set(&f, NULL, "m %d", 7);
  ck_assert_str_eq(f.type, "Function.Error");
  ck_assert_str_eq(f.message, "m 7");
  ck_assert_str_eq(lr_rt_status_name(LR_RT_OK), "LR_RT_OK");
  ck_assert_str_eq(lr_rt_status_name(LR_RT_NO_HANDLER), "LR_RT_NO_HANDLER");
  ck_assert_str_eq(lr_rt_status_name(-1), "LR_RT_UNKNOWN");
  ck_assert_str_eq(lr_rt_status_message(LR_RT_CONFIG), "missing or invalid runtime configuration");
  ck_assert_str_eq(lr_rt_status_message(999), "unknown runtime status");
}
END_TEST

Suite *log_suite(void);
Suite *log_suite(void) {
  Suite *s = suite_create("runtime.log");
  TCase *tc = tcase_create("log");
  tcase_add_test(tc, test_levels_from_env);
  tcase_add_test(tc, test_filtering);
  tcase_add_test(tc, test_fields_and_ids);
  tcase_add_test(tc, test_escaping);
  tcase_add_test(tc, test_oversized_line);
  tcase_add_test(tc, test_escape_every_byte);
  tcase_add_test(tc, test_escape_utf8_rules);
  tcase_add_test(tc, test_nested_field_bad_utf8);
  tcase_add_test(tc, test_fault_set_and_status_names);
  suite_add_tcase(s, tc);
  return s;
}
