/* The worker handler on prepared batches, in process, against a real
 * PostgreSQL: orders decided per second by one worker instance.
 *
 *   bench-worker CUSTOMER BATCH_SIZE
 *
 * Settings come from the environment as in Lambda (DB_HOST, DB_PORT, DB_NAME,
 * DB_USER, DB_SSLMODE…). The PENDING orders of CUSTOMER (made beforehand by
 * run.sh) are cut into batches of BATCH_SIZE, one SQS event each, built before
 * the clock starts; then each event goes through wk_invoke, as the runtime
 * would hand it over. Prints one line of figures (and, with BENCH_LOG_STDOUT
 * set, the handler's log and EMF lines, otherwise written to /dev/null). Not a test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "lr/clock.h"
#include "wk_internal.h"

static char *event_of(char ids[][WK_ORDER_ID_LEN], int n, int batch) {
  cJSON *ev = cJSON_CreateObject();
  cJSON *recs = cJSON_AddArrayToObject(ev, "Records");
  for (int i = 0; i < n; i++) {
    char mid[64], body[200];
    snprintf(mid, sizeof mid, "bench-%d-%d", batch, i);
    snprintf(body, sizeof body, "{\"type\":\"order.created\",\"order_id\":\"%s\",\"occurred_at\":\"x\"}", ids[i]);
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "messageId", mid);
    cJSON_AddStringToObject(r, "receiptHandle", "h");
    cJSON_AddStringToObject(r, "body", body);
    cJSON *a = cJSON_AddObjectToObject(r, "attributes");
    cJSON_AddStringToObject(a, "ApproximateReceiveCount", "1");
    cJSON_AddStringToObject(a, "AWSTraceHeader", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
    cJSON_AddStringToObject(r, "eventSource", "aws:sqs");
    cJSON_AddItemToArray(recs, r);
  }
  char *s = cJSON_PrintUnformatted(ev);
  cJSON_Delete(ev);
  return s;
}

/* CPU time of this process (user + system), microseconds: the handler's own
 * cost, which the machine's load does not inflate the way it does wall time. */
static int64_t cpu_us(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
         ru.ru_stime.tv_usec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int load_ids(wk_app *a, const char *customer, char (**ids)[WK_ORDER_ID_LEN], int *n) {
  const char *p[] = {customer};
  PGresult *res = NULL;
  char err[DB_ERR_LEN] = "";
  if (db_exec(a->app->db, DB_IDEMPOTENT,
              "SELECT id FROM orders WHERE customer_id = $1 AND status = 'PENDING' ORDER BY created_at, id",
              1, p, &res, err) != DB_OK) {
    fprintf(stderr, "bench-worker: %s\n", err);
    return -1;
  }
  *n = PQntuples(res);
  *ids = calloc((size_t)*n + 1, sizeof **ids);
  for (int i = 0; i < *n; i++) snprintf((*ids)[i], WK_ORDER_ID_LEN, "%s", PQgetvalue(res, i, 0));
  PQclear(res);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3 || atoi(argv[2]) < 1) {
    fprintf(stderr, "usage: bench-worker CUSTOMER BATCH_SIZE\n");
    return 2;
  }
  int size = atoi(argv[2]), n = 0;
  FILE *devnull = getenv("BENCH_LOG_STDOUT") ? fdopen(dup(1), "w") : fopen("/dev/null", "w");
  lr_logger log;
  lr_logger_init(&log, devnull, "orders", "worker"); /* logs and EMF written, as in Lambda */
  wk_app *a = NULL;
  lr_fault fault;
  app_options opt = {.needs = CFG_NEED_DB, .warmup = APP_DB_WARM};
  if (wk_app_create(&opt, &log, &a, &fault) != LR_HANDLER_OK) {
    fprintf(stderr, "bench-worker: %s: %s\n", fault.type, fault.message);
    return 1;
  }
  char (*ids)[WK_ORDER_ID_LEN] = NULL;
  if (load_ids(a, argv[1], &ids, &n) != 0) return 1;
  int batches = n / size;
  char **events = calloc((size_t)batches + 1, sizeof *events);
  double *ms = calloc((size_t)batches + 1, sizeof *ms);
  for (int b = 0; b < batches; b++) events[b] = event_of(ids + (size_t)b * (size_t)size, size, b);
  lr_buf out;
  lr_buf_init(&out, LR_MAX_RESPONSE_BYTES);
  int failures = 0;
  int64_t t0 = lr_clock_mono_us(), c0 = cpu_us();
  for (int b = 0; b < batches; b++) {
    lr_context ctx = {.request_id = "bench", .invoked_function_arn = "", .trace_id = "",
                      .client_context = "", .cognito_identity = "",
                      .deadline_ms = lr_clock_epoch_ms() + 30000, .function_name = "worker", .log = &log};
    int64_t s = lr_clock_mono_us();
    lr_buf_reset(&out);
    if (wk_invoke(a, &ctx, events[b], strlen(events[b]), &out, &fault) != LR_HANDLER_OK ||
        strcmp(lr_buf_str(&out), "{\"batchItemFailures\":[]}") != 0)
      failures++;
    ms[b] = (double)(lr_clock_mono_us() - s) / 1000.0;
  }
  double secs = (double)(lr_clock_mono_us() - t0) / 1e6;
  double cpu_ms = (double)(cpu_us() - c0) / 1000.0;
  qsort(ms, (size_t)batches, sizeof *ms, cmp_double);
  printf("handler: batch %d, %d batches, %d orders in %.3f s: %.0f orders/s, %.0f batches/s;"
         " per batch p50 %.3f ms p99 %.3f ms, handler CPU %.3f ms; batches with failures %d\n",
         size, batches, batches * size, secs, batches * size / secs, batches / secs,
         batches ? ms[batches / 2] : 0, batches ? ms[(batches * 99) / 100] : 0,
         batches ? cpu_ms / batches : 0, failures);
  for (int b = 0; b < batches; b++) cJSON_free(events[b]);
  free(events);
  free(ms);
  free(ids);
  lr_buf_free(&out);
  wk_app_free(a);
  fclose(devnull);
  return failures ? 1 : 0;
}
