/* The EMF writer: lines parsed back with cJSON. */
#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lr/buf.h"
#include "lr/metrics.h"

static cJSON *flush_json(lr_metrics *m, int64_t ts, char **raw) {
  size_t len = 0;
  *raw = NULL;
  FILE *f = open_memstream(raw, &len);
  ck_assert_int_eq(lr_metrics_flush(m, f, ts), LR_METRICS_OK);
  fclose(f);
  return len ? cJSON_Parse(*raw) : NULL;
}

START_TEST(test_emf_structure) {
  lr_metrics m;
  lr_metrics_init(&m, "Orders");
  ck_assert_int_eq(lr_metrics_dimension(&m, "function", "api"), LR_METRICS_OK);
  ck_assert_int_eq(lr_metrics_dimension(&m, "stage", "p\"rod"), LR_METRICS_OK);
  ck_assert_int_eq(lr_metrics_put(&m, "OrdersCreated", 1, LR_UNIT_COUNT), LR_METRICS_OK);
  ck_assert_int_eq(lr_metrics_put(&m, "OrdersCreated", 2, LR_UNIT_COUNT), LR_METRICS_OK);
  ck_assert_int_eq(lr_metrics_put(&m, "Latency", 3.2, LR_UNIT_MILLISECONDS), LR_METRICS_OK);
  char *raw;
  cJSON *j = flush_json(&m, 1700000000123LL, &raw);
  ck_assert_ptr_nonnull(j);
  ck_assert_int_eq((int)strlen(raw) - 1, (int)(strchr(raw, '\n') - raw)); /* one line */
  cJSON *aws = cJSON_GetObjectItem(j, "_aws");
  ck_assert_double_eq(cJSON_GetObjectItem(aws, "Timestamp")->valuedouble, 1700000000123.0);
  cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItem(aws, "CloudWatchMetrics"), 0);
  ck_assert_str_eq(cJSON_GetObjectItem(d, "Namespace")->valuestring, "Orders");
  cJSON *dims = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "Dimensions"), 0);
  ck_assert_int_eq(cJSON_GetArraySize(dims), 2);
  ck_assert_str_eq(cJSON_GetArrayItem(dims, 0)->valuestring, "function");
  ck_assert_str_eq(cJSON_GetArrayItem(dims, 1)->valuestring, "stage");
  cJSON *ms = cJSON_GetObjectItem(d, "Metrics");
  ck_assert_int_eq(cJSON_GetArraySize(ms), 2);
  ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ms, 0), "Name")->valuestring, "OrdersCreated");
  ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ms, 0), "Unit")->valuestring, "Count");
  ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ms, 1), "Unit")->valuestring, "Milliseconds");
  ck_assert_str_eq(cJSON_GetObjectItem(j, "function")->valuestring, "api");
  ck_assert_str_eq(cJSON_GetObjectItem(j, "stage")->valuestring, "p\"rod");
  ck_assert_double_eq(cJSON_GetObjectItem(j, "OrdersCreated")->valuedouble, 3.0);
  ck_assert_double_eq(cJSON_GetObjectItem(j, "Latency")->valuedouble, 3.2);
  ck_assert_ptr_nonnull(strstr(raw, "\"Latency\":3.2}")); /* shortest round-trip form */
  cJSON_Delete(j);
  free(raw);
  /* Flushed metrics are forgotten, dimensions kept; nothing to write: no line. */
  ck_assert_int_eq(m.nmetrics, 0);
  ck_assert_int_eq(m.ndims, 2);
  ck_assert_ptr_null(flush_json(&m, 1, &raw));
  ck_assert(raw == NULL || raw[0] == '\0');
  free(raw);
}
END_TEST

START_TEST(test_emf_no_dimensions) {
  lr_metrics m;
  lr_metrics_init(&m, "");
  lr_metrics_put(&m, "Rows", 1e300, LR_UNIT_NONE);
  lr_metrics_put(&m, "Tiny", -0.1, (lr_metric_unit)42);
  char *raw;
  cJSON *j = flush_json(&m, 0, &raw);
  ck_assert_ptr_nonnull(j);
  cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "_aws"), "CloudWatchMetrics"), 0);
  ck_assert_str_eq(cJSON_GetObjectItem(d, "Namespace")->valuestring, "aws-embedded-metrics");
  ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetArrayItem(cJSON_GetObjectItem(d, "Dimensions"), 0)), 0);
  ck_assert_double_eq(cJSON_GetObjectItem(j, "Rows")->valuedouble, 1e300);
  ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(d, "Metrics"), 1), "Unit")->valuestring,
                   "None");
  cJSON_Delete(j);
  free(raw);
}
END_TEST

START_TEST(test_emf_limits) {
  lr_metrics m;
  lr_metrics_init(&m, "NS");
  char name[LR_METRICS_NAME_LEN + 8];
  for (int i = 0; i < LR_METRICS_MAX; i++) {
    snprintf(name, sizeof name, "M%d", i);
    ck_assert_int_eq(lr_metrics_put(&m, name, i, LR_UNIT_COUNT), LR_METRICS_OK);
  }
  ck_assert_int_eq(lr_metrics_put(&m, "OneTooMany", 1, LR_UNIT_COUNT), LR_METRICS_FULL);
  ck_assert_int_eq(lr_metrics_put(&m, "M0", 1, LR_UNIT_COUNT), LR_METRICS_OK); /* accumulates */
  for (int i = 0; i < LR_METRICS_MAX_DIMS; i++) {
    snprintf(name, sizeof name, "D%d", i);
    ck_assert_int_eq(lr_metrics_dimension(&m, name, "v"), LR_METRICS_OK);
  }
  ck_assert_int_eq(lr_metrics_dimension(&m, "D99", "v"), LR_METRICS_FULL);
  ck_assert_int_eq(lr_metrics_dimension(&m, "D0", "replaced"), LR_METRICS_OK);
  ck_assert_str_eq(m.dim_values[0], "replaced");
  ck_assert_int_eq(lr_metrics_put(&m, "", 1, LR_UNIT_COUNT), LR_METRICS_BAD_NAME);
  ck_assert_int_eq(lr_metrics_put(&m, NULL, 1, LR_UNIT_COUNT), LR_METRICS_BAD_NAME);
  ck_assert_int_eq(lr_metrics_put(&m, "_aws", 1, LR_UNIT_COUNT), LR_METRICS_BAD_NAME);
  ck_assert_int_eq(lr_metrics_put(&m, "bad\nname", 1, LR_UNIT_COUNT), LR_METRICS_BAD_NAME);
  ck_assert_int_eq(lr_metrics_put(&m, "D1", 1, LR_UNIT_COUNT), LR_METRICS_BAD_NAME); /* a dimension */
  ck_assert_int_eq(lr_metrics_dimension(&m, "M1", "x"), LR_METRICS_BAD_NAME);     /* a metric */
  ck_assert_int_eq(lr_metrics_dimension(&m, "D0", ""), LR_METRICS_BAD_NAME);
  ck_assert_int_eq(lr_metrics_dimension(&m, "D0", NULL), LR_METRICS_BAD_NAME);
  memset(name, 'n', LR_METRICS_NAME_LEN);
  name[LR_METRICS_NAME_LEN] = '\0';
  ck_assert_int_eq(lr_metrics_put(&m, name, 1, LR_UNIT_COUNT), LR_METRICS_BAD_NAME);
  ck_assert_int_eq(lr_metrics_put(&m, "M2", NAN, LR_UNIT_COUNT), LR_METRICS_BAD_VALUE);
  ck_assert_int_eq(lr_metrics_put(&m, "M2", INFINITY, LR_UNIT_COUNT), LR_METRICS_BAD_VALUE);
  ck_assert_int_eq(lr_metrics_put(&m, "Big", 1.7e308, LR_UNIT_COUNT), LR_METRICS_FULL);
  char *raw;
  cJSON *j = flush_json(&m, 5, &raw);
  ck_assert_ptr_nonnull(j);
  ck_assert_double_eq(cJSON_GetObjectItem(j, "M0")->valuedouble, 1.0);
  cJSON_Delete(j);
  free(raw);
}
END_TEST

START_TEST(test_emf_overflow_accumulation) {
  lr_metrics m;
  lr_metrics_init(&m, "NS");
  ck_assert_int_eq(lr_metrics_put(&m, "Big", 1.7e308, LR_UNIT_COUNT), LR_METRICS_OK);
  ck_assert_int_eq(lr_metrics_put(&m, "Big", 1.7e308, LR_UNIT_COUNT), LR_METRICS_BAD_VALUE);
  lr_buf b;
  lr_buf_init(&b, 16);
  ck_assert_int_eq(lr_metrics_format(&m, &b, 0), LR_METRICS_IO); /* too small a buffer */
  lr_buf_free(&b);
  ck_assert_str_eq(lr_metric_unit_name(LR_UNIT_PERCENT), "Percent");
  ck_assert_str_eq(lr_metric_unit_name(LR_UNIT_BYTES), "Bytes");
}
END_TEST

Suite *metrics_suite(void);
Suite *metrics_suite(void) {
  Suite *s = suite_create("runtime.metrics");
  TCase *tc = tcase_create("emf");
  tcase_add_test(tc, test_emf_structure);
  tcase_add_test(tc, test_emf_no_dimensions);
  tcase_add_test(tc, test_emf_limits);
  tcase_add_test(tc, test_emf_overflow_accumulation);
  suite_add_tcase(s, tc);
  return s;
}
