#ifndef LR_METRICS_H
#define LR_METRICS_H
/* CloudWatch Embedded Metric Format: metrics as one JSON log line on stdout,
 * turned into CloudWatch metrics by Lambda's log pipeline (no API calls).
 *
 *   lr_metrics m; lr_metrics_init(&m, "Orders");
 *   lr_metrics_dimension(&m, "function", "api");
 *   lr_metrics_put(&m, "OrdersCreated", 1, LR_UNIT_COUNT);
 *   lr_metrics_put(&m, "Latency", 3.2, LR_UNIT_MILLISECONDS);
 *   lr_metrics_flush(&m, stdout, now_ms);   -- writes one line, empties m
 */
#include <stdint.h>
#include <stdio.h>

#define LR_METRICS_MAX 32     /* CloudWatch allows 100 per line; we never need more */
#define LR_METRICS_MAX_DIMS 8 /* CloudWatch's limit is 30 */
#define LR_METRICS_NAME_LEN 128

typedef enum lr_metric_unit {
  LR_UNIT_NONE = 0,
  LR_UNIT_COUNT,
  LR_UNIT_MILLISECONDS,
  LR_UNIT_MICROSECONDS,
  LR_UNIT_SECONDS,
  LR_UNIT_BYTES,
  LR_UNIT_PERCENT
} lr_metric_unit;

typedef struct lr_metric {
  char name[LR_METRICS_NAME_LEN];
  double value;
  lr_metric_unit unit;
} lr_metric;

typedef struct lr_metrics {
  char ns[LR_METRICS_NAME_LEN];
  char dim_names[LR_METRICS_MAX_DIMS][LR_METRICS_NAME_LEN];
  char dim_values[LR_METRICS_MAX_DIMS][LR_METRICS_NAME_LEN];
  int ndims;
  lr_metric metrics[LR_METRICS_MAX];
  int nmetrics;
} lr_metrics;

typedef enum lr_metrics_status {
  LR_METRICS_OK = 0,
  LR_METRICS_FULL = 1,     /* too many metrics or dimensions */
  LR_METRICS_BAD_NAME = 2, /* empty, too long, or not printable ASCII */
  LR_METRICS_IO = 3,
  LR_METRICS_BAD_VALUE = 4 /* NaN or infinite: not representable in JSON */
} lr_metrics_status;

void lr_metrics_init(lr_metrics *m, const char *ns);
lr_metrics_status lr_metrics_dimension(lr_metrics *m, const char *name, const char *value);
/* Adding a name already present adds to its value (counters accumulate). */
lr_metrics_status lr_metrics_put(lr_metrics *m, const char *name, double value, lr_metric_unit unit);
/* Writes one EMF line if any metric was put, then forgets the metrics (keeps
 * namespace and dimensions). */
lr_metrics_status lr_metrics_flush(lr_metrics *m, FILE *out, int64_t timestamp_ms);
const char *lr_metric_unit_name(lr_metric_unit u);
/* Builds the EMF line (with its trailing newline) into out instead of writing
 * it; the metrics are not forgotten. LR_METRICS_IO when out overflows. */
struct lr_buf;
lr_metrics_status lr_metrics_format(const lr_metrics *m, struct lr_buf *out, int64_t timestamp_ms);

#endif
