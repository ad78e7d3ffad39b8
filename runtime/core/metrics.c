/* CloudWatch Embedded Metric Format writer. Names are checked when put, so
 * the flush cannot fail on content; values are checked to be finite because
 * JSON has no NaN. */
#include "lr/metrics.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lr/buf.h"
#include "rt_json.h"

/* Enough for 32 metrics and 8 dimensions at their longest names, escaped. */
#define LR_METRICS_LINE_MAX (64u * 1024u)

static const char *const unit_names[] = {"None",    "Count", "Milliseconds", "Microseconds",
                                         "Seconds", "Bytes", "Percent"};

const char *lr_metric_unit_name(lr_metric_unit u) {
  if ((int)u < 0 || (size_t)u >= sizeof unit_names / sizeof *unit_names) return "None";
  return unit_names[u];
}

/* CloudWatch takes 1..255 printable ASCII characters; we also keep to our
 * buffer size and refuse "_aws", which would clobber the metadata. */
static bool name_ok(const char *s) {
  if (!s || !*s || strcmp(s, "_aws") == 0) return false;
  size_t n = 0;
  for (; s[n]; n++)
    if ((unsigned char)s[n] < 0x20 || (unsigned char)s[n] > 0x7E) return false;
  return n < LR_METRICS_NAME_LEN;
}

static void copy_name(char dst[LR_METRICS_NAME_LEN], const char *src) {
  size_t n = strlen(src);
  memcpy(dst, src, n + 1);
}

void lr_metrics_init(lr_metrics *m, const char *ns) {
  memset(m, 0, sizeof *m);
  if (name_ok(ns)) copy_name(m->ns, ns);
  else copy_name(m->ns, "aws-embedded-metrics");
}

/* Whether name is a dimension (a metric); *at is its slot when it is. */
static bool dim_find(const lr_metrics *m, const char *name, int *at) {
  for (int i = 0; i < m->ndims; i++)
    if (strcmp(m->dim_names[i], name) == 0) {
      *at = i;
      return true;
    }
  return false;
}

static bool metric_find(const lr_metrics *m, const char *name, int *at) {
  for (int i = 0; i < m->nmetrics; i++)
    if (strcmp(m->metrics[i].name, name) == 0) {
      *at = i;
      return true;
    }
  return false;
}

lr_metrics_status lr_metrics_dimension(lr_metrics *m, const char *name, const char *value) {
  int i = 0;
  if (!name_ok(name) || !value || !*value || strlen(value) >= LR_METRICS_NAME_LEN ||
      metric_find(m, name, &i))
    return LR_METRICS_BAD_NAME;
  if (!dim_find(m, name, &i)) {
    if (m->ndims >= LR_METRICS_MAX_DIMS) return LR_METRICS_FULL;
    i = m->ndims++;
    copy_name(m->dim_names[i], name);
  }
  copy_name(m->dim_values[i], value);
  return LR_METRICS_OK;
}

lr_metrics_status lr_metrics_put(lr_metrics *m, const char *name, double value, lr_metric_unit unit) {
  int i = 0;
  if (!name_ok(name) || dim_find(m, name, &i)) return LR_METRICS_BAD_NAME;
  if (!isfinite(value)) return LR_METRICS_BAD_VALUE;
  if (metric_find(m, name, &i)) {
    if (!isfinite(m->metrics[i].value + value)) return LR_METRICS_BAD_VALUE;
    m->metrics[i].value += value;
    return LR_METRICS_OK;
  }
  if (m->nmetrics >= LR_METRICS_MAX) return LR_METRICS_FULL;
  lr_metric *mt = &m->metrics[m->nmetrics++];
  copy_name(mt->name, name);
  mt->value = value;
  mt->unit = unit;
  return LR_METRICS_OK;
}

static lr_buf_status add_key(lr_buf *b, const char *key) {
  lr_buf_status st = lr__json_strz(b, key);
  return st == LR_BUF_OK ? lr_buf_add(b, ":", 1) : st;
}

static lr_buf_status add_directive(lr_buf *b, const lr_metrics *m) {
  lr_buf_status st = lr_buf_adds(b, "\"CloudWatchMetrics\":[{\"Namespace\":");
  if (st == LR_BUF_OK) st = lr__json_strz(b, m->ns);
  if (st == LR_BUF_OK) st = lr_buf_adds(b, ",\"Dimensions\":[[");
  for (int i = 0; i < m->ndims && st == LR_BUF_OK; i++) {
    if (i) st = lr_buf_add(b, ",", 1);
    if (st == LR_BUF_OK) st = lr__json_strz(b, m->dim_names[i]);
  }
  if (st == LR_BUF_OK) st = lr_buf_adds(b, "]],\"Metrics\":[");
  for (int i = 0; i < m->nmetrics && st == LR_BUF_OK; i++) {
    st = lr_buf_adds(b, i ? ",{\"Name\":" : "{\"Name\":");
    if (st == LR_BUF_OK) st = lr__json_strz(b, m->metrics[i].name);
    if (st == LR_BUF_OK)
      st = lr_buf_addf(b, ",\"Unit\":\"%s\"}", lr_metric_unit_name(m->metrics[i].unit));
  }
  return st == LR_BUF_OK ? lr_buf_adds(b, "]}]") : st;
}

/* The shortest of %.15g / %.17g that reads back as the same double: 3.2
 * stays "3.2" and nothing is lost. Values are finite (checked at put). */
static lr_buf_status add_number(lr_buf *b, double v) {
  char s[40];
  snprintf(s, sizeof s, "%.15g", v);
  if (strtod(s, NULL) != v) snprintf(s, sizeof s, "%.17g", v);
  return lr_buf_adds(b, s);
}

static lr_buf_status add_values(lr_buf *b, const lr_metrics *m) {
  lr_buf_status st = LR_BUF_OK;
  for (int i = 0; i < m->ndims && st == LR_BUF_OK; i++) {
    st = lr_buf_add(b, ",", 1);
    if (st == LR_BUF_OK) st = add_key(b, m->dim_names[i]);
    if (st == LR_BUF_OK) st = lr__json_strz(b, m->dim_values[i]);
  }
  for (int i = 0; i < m->nmetrics && st == LR_BUF_OK; i++) {
    st = lr_buf_add(b, ",", 1);
    if (st == LR_BUF_OK) st = add_key(b, m->metrics[i].name);
    if (st == LR_BUF_OK) st = add_number(b, m->metrics[i].value);
  }
  return st;
}

lr_metrics_status lr_metrics_format(const lr_metrics *m, lr_buf *out, int64_t timestamp_ms) {
  lr_buf_status st = lr_buf_addf(out, "{\"_aws\":{\"Timestamp\":%lld,", (long long)timestamp_ms);
  if (st == LR_BUF_OK) st = add_directive(out, m);
  if (st == LR_BUF_OK) st = lr_buf_add(out, "}", 1);
  if (st == LR_BUF_OK) st = add_values(out, m);
  if (st == LR_BUF_OK) st = lr_buf_add(out, "}\n", 2);
  return st == LR_BUF_OK ? LR_METRICS_OK : LR_METRICS_IO;
}

lr_metrics_status lr_metrics_flush(lr_metrics *m, FILE *out, int64_t timestamp_ms) {
  if (m->nmetrics == 0) return LR_METRICS_OK;
  lr_buf b;
  lr_buf_init(&b, LR_METRICS_LINE_MAX);
  lr_metrics_status st = lr_metrics_format(m, &b, timestamp_ms);
  if (st == LR_METRICS_OK) {
    FILE *f = out ? out : stdout;
    if (fwrite(b.data, 1, b.len, f) != b.len || fflush(f) != 0) st = LR_METRICS_IO;
  }
  lr_buf_free(&b);
  m->nmetrics = 0;
  return st;
}
