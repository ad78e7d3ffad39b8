/* Weak stand-ins for the runtime's logger and metrics while runtime/core does
 * not build them yet (linked after orders::runtime: real definitions win).
 * Logs go to the logger's stream so a test can read them. */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lr/log.h"
#include "lr/metrics.h"

__attribute__((weak)) int lr_log_enabled(const lr_logger *lg, lr_log_level lvl) {
  return lg && lvl >= lg->threshold;
}

__attribute__((weak)) void lr_log(const lr_logger *lg, lr_log_level lvl, const char *message,
                                  const cJSON *fields) {
  if (!lg || !lg->out || lvl < lg->threshold) return;
  char *f = fields ? cJSON_PrintUnformatted(fields) : NULL;
  fprintf(lg->out, "{\"message\":\"%s\",\"fields\":%s}\n", message, f ? f : "null");
  cJSON_free(f);
}

__attribute__((weak)) void lr_metrics_init(lr_metrics *m, const char *ns) {
  memset(m, 0, sizeof *m);
  snprintf(m->ns, sizeof m->ns, "%s", ns ? ns : "");
}

__attribute__((weak)) lr_metrics_status lr_metrics_dimension(lr_metrics *m, const char *name,
                                                             const char *value) {
  (void)m, (void)name, (void)value;
  return LR_METRICS_OK;
}

__attribute__((weak)) lr_metrics_status lr_metrics_put(lr_metrics *m, const char *name,
                                                       double value, lr_metric_unit unit) {
  for (int i = 0; i < m->nmetrics; i++) {
    if (strcmp(m->metrics[i].name, name) == 0) {
      m->metrics[i].value += value;
      return LR_METRICS_OK;
    }
  }
  if (m->nmetrics == LR_METRICS_MAX) return LR_METRICS_FULL;
  lr_metric *x = &m->metrics[m->nmetrics++];
  snprintf(x->name, sizeof x->name, "%s", name);
  x->value = value;
  x->unit = unit;
  return LR_METRICS_OK;
}

__attribute__((weak)) lr_metrics_status lr_metrics_flush(lr_metrics *m, FILE *out, int64_t ts) {
  (void)ts;
  if (out && m->nmetrics) {
    fprintf(out, "{\"_aws\":{\"CloudWatchMetrics\":[{\"Namespace\":\"%s\"}]}", m->ns);
    for (int i = 0; i < m->nmetrics; i++)
      fprintf(out, ",\"%s\":%g", m->metrics[i].name, m->metrics[i].value);
    fprintf(out, "}\n");
  }
  m->nmetrics = 0;
  return LR_METRICS_OK;
}
