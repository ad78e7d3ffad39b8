/* The JSON logger: one object a line, written with a single fwrite and
 * flushed, so a crash right after a log call loses nothing and lines from
 * one process never interleave mid-object. */
#include "lr/log.h"

#include <stdbool.h>
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lr/buf.h"
#include "rt_json.h"

/* One log line's ceiling: a runaway message is cut, not a 100 MB line. */
#define LR_LOG_LINE_MAX (256u * 1024u)

static const char *const level_names[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};

/* Keys the logger writes itself; a field by one of these names is dropped
 * rather than producing an object with duplicate keys. */
/* "_aws" too: CloudWatch reads a line holding it as an Embedded Metric
 * Format document, so a field by that name would forge metrics. */
static const char *const reserved_keys[] = {"timestamp", "level",      "message", "service",
                                            "function",  "request_id", "trace_id", "_aws"};

int lr_log_level_from_text(const char *s, lr_log_level *out) {
  if (!s) return 0;
  for (size_t i = 0; i < sizeof level_names / sizeof *level_names; i++)
    if (strcasecmp(s, level_names[i]) == 0) return *out = (lr_log_level)i, 1;
  if (strcasecmp(s, "WARNING") == 0) return *out = LR_LOG_WARN, 1;
  if (strcasecmp(s, "CRITICAL") == 0) return *out = LR_LOG_FATAL, 1;
  return 0;
}

lr_log_level lr_log_level_parse(const char *s, lr_log_level fallback) {
  lr_log_level lvl;
  return lr_log_level_from_text(s, &lvl) ? lvl : fallback;
}

static const char *lr_setting_env(void *arg, const char *name) {
  (void)arg;
  return getenv(name);
}

/* Unset and empty are the same: templates often render "" for "none". */
static const char *lr_setting_get(lr_getenv_fn get, void *arg, const char *name) {
  const char *v = (get ? get : lr_setting_env)(arg, name);
  return v && *v ? v : NULL;
}

lr_log_level lr_setting_log_level(lr_getenv_fn get, void *arg, int *valid) {
  const char *v = lr_setting_get(get, arg, "AWS_LAMBDA_LOG_LEVEL");
  if (!v) v = lr_setting_get(get, arg, "LOG_LEVEL");
  lr_log_level lvl = LR_LOG_INFO;
  int ok = !v || lr_log_level_from_text(v, &lvl);
  if (valid) *valid = ok;
  return ok ? lvl : LR_LOG_INFO;
}

const char *lr_setting_service_name(lr_getenv_fn get, void *arg) {
  const char *v = lr_setting_get(get, arg, "SERVICE_NAME");
  if (!v) v = lr_setting_get(get, arg, "AWS_LAMBDA_FUNCTION_NAME");
  return v ? v : "";
}

void lr_logger_init(lr_logger *lg, FILE *out, const char *service, const char *function) {
  lg->threshold = lr_setting_log_level(NULL, NULL, NULL);
  lg->out = out ? out : stdout;
  lg->service = service ? service : "";
  lg->function = function ? function : "";
  lg->request_id = "";
  lg->trace_id = "";
}

int lr_log_enabled(const lr_logger *lg, lr_log_level lvl) {
  return lg && (int)lvl >= (int)lg->threshold && (int)lvl <= (int)LR_LOG_FATAL;
}

static lr_buf_status add_timestamp(lr_buf *b) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (!gmtime_r(&ts.tv_sec, &tm)) return lr_buf_adds(b, "\"1970-01-01T00:00:00.000Z\"");
  return lr_buf_addf(b, "\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\"", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000L);
}

static lr_buf_status add_member(lr_buf *b, const char *key, const char *value) {
  lr_buf_status st = lr_buf_add(b, ",", 1);
  if (st == LR_BUF_OK) st = lr__json_strz(b, key);
  if (st == LR_BUF_OK) st = lr_buf_add(b, ":", 1);
  return st == LR_BUF_OK ? lr__json_strz(b, value) : st;
}

static bool is_reserved(const char *key) {
  for (size_t i = 0; i < sizeof reserved_keys / sizeof *reserved_keys; i++)
    if (strcmp(key, reserved_keys[i]) == 0) return true;
  return false;
}

/* cJSON prints numbers, bools and nested values; invalid UTF-8 it would copy
 * through is repaired, so a hostile field cannot break the line. */
static lr_buf_status add_field(lr_buf *b, const cJSON *item) {
  if (!item->string || is_reserved(item->string)) return LR_BUF_OK;
  if (cJSON_IsString(item)) return add_member(b, item->string, item->valuestring);
  char *v = cJSON_PrintUnformatted(item);
  if (!v) return LR_BUF_OK;
  lr_buf_status st = lr_buf_add(b, ",", 1);
  if (st == LR_BUF_OK) st = lr__json_strz(b, item->string);
  if (st == LR_BUF_OK) st = lr_buf_add(b, ":", 1);
  if (st == LR_BUF_OK) st = lr__json_raw_utf8(b, v, strlen(v));
  cJSON_free(v);
  return st;
}

static lr_buf_status format_line(lr_buf *b, const lr_logger *lg, lr_log_level lvl,
                                 const char *message, const cJSON *fields) {
  lr_buf_status st = lr_buf_adds(b, "{\"timestamp\":");
  if (st == LR_BUF_OK) st = add_timestamp(b);
  if (st == LR_BUF_OK) st = add_member(b, "level", level_names[lvl]);
  if (st == LR_BUF_OK) st = add_member(b, "message", message);
  if (st == LR_BUF_OK && lg->service && *lg->service) st = add_member(b, "service", lg->service);
  if (st == LR_BUF_OK) st = add_member(b, "function", lg->function);
  if (st == LR_BUF_OK) st = add_member(b, "request_id", lg->request_id);
  if (st == LR_BUF_OK) st = add_member(b, "trace_id", lg->trace_id);
  for (const cJSON *it = cJSON_IsObject(fields) ? fields->child : NULL; it && st == LR_BUF_OK;
       it = it->next)
    st = add_field(b, it);
  return st == LR_BUF_OK ? lr_buf_add(b, "}\n", 2) : st;
}

static void write_line(const lr_logger *lg, const lr_buf *b) {
  FILE *out = lg->out ? lg->out : stdout;
  fwrite(b->data, 1, b->len, out);
  fflush(out);
}

void lr_log(const lr_logger *lg, lr_log_level lvl, const char *message, const cJSON *fields) {
  if (!lr_log_enabled(lg, lvl)) return;
  lr_buf b;
  lr_buf_init(&b, LR_LOG_LINE_MAX);
  if (format_line(&b, lg, lvl, message, fields) != LR_BUF_OK) {
    /* Too long or no memory: still say something, without the fields. */
    lr_buf_init(&b, LR_LOG_LINE_MAX);
    if (format_line(&b, lg, lvl, "log line dropped: over its size limit", NULL) != LR_BUF_OK)
      return;
  }
  write_line(lg, &b);
  lr_buf_free(&b);
}

static lr_buf_status add_kv_pairs(lr_buf *b, va_list ap) {
  lr_buf_status st = LR_BUF_OK;
  for (const char *k = va_arg(ap, const char *); k && st == LR_BUF_OK; k = va_arg(ap, const char *)) {
    const char *v = va_arg(ap, const char *);
    if (!is_reserved(k)) st = add_member(b, k, v ? v : "");
    if (!v) break; /* a missing value ends the list: never read past the sentinel */
  }
  return st;
}

void lr_log_kv(const lr_logger *lg, lr_log_level lvl, const char *message, ...) {
  if (!lr_log_enabled(lg, lvl)) return;
  lr_buf b;
  lr_buf_init(&b, LR_LOG_LINE_MAX);
  lr_buf_status st = format_line(&b, lg, lvl, message, NULL);
  if (st == LR_BUF_OK) {
    b.len -= 2; /* reopen the object: drop "}\n" */
    va_list ap;
    va_start(ap, message);
    st = add_kv_pairs(&b, ap);
    va_end(ap);
  }
  if (st == LR_BUF_OK) st = lr_buf_add(&b, "}\n", 2);
  if (st != LR_BUF_OK) {
    lr_log(lg, lvl, message, NULL);
    return;
  }
  write_line(lg, &b);
  lr_buf_free(&b);
}
