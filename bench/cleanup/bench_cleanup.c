/* bench-cleanup: the cleanup handler in-process against PostgreSQL and
 * fauxqs, configured from the environment exactly as in Lambda.
 *   bench-cleanup archive|outbox    runs the task once, prints
 *     task=… rows=… seconds=… rows_per_s=… bytes=… peak_rss_kib=…
 *   bench-cleanup floor-sql DAYS    prints the archive's SELECT over every
 *     eligible row (no cursor, no limit), for the COPY floor */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cl.h"
#include "cl_sql.h"
#include "lr/clock.h"

/* The archive's statement with its parameters written in: from the start, no limit. */
static int floor_sql(const char *days) {
  for (const char *p = CL_SQL_ARCHIVE_BATCH; *p; p++) {
    if (p[0] == '$' && p[1] >= '1' && p[1] <= '4') {
      const char *v[] = {days, "NULL", "NULL", "2147483647"};
      fputs(v[p[1] - '1'], stdout);
      p++;
    } else {
      putchar(*p);
    }
  }
  putchar('\n');
  return 0;
}

static long long field(const char *json, const char *name) {
  const char *p = strstr(json, name);
  return p ? strtoll(p + strlen(name) + 1, NULL, 10) : -1;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "floor-sql") == 0) return floor_sql(argv[2]);
  if (argc != 2 || (strcmp(argv[1], "archive") && strcmp(argv[1], "outbox"))) {
    fprintf(stderr, "usage: bench-cleanup archive|outbox | floor-sql DAYS\n");
    return 2;
  }
  cl_app *a = NULL;
  lr_fault f = {"", ""};
  if (cl_app_create(NULL, NULL, NULL, &a, &f) != LR_HANDLER_OK) {
    fprintf(stderr, "%s: %s\n", f.type, f.message);
    return 1;
  }
  char event[32];
  snprintf(event, sizeof event, "{\"task\":\"%s\"}", argv[1]);
  lr_buf answer;
  lr_buf_init(&answer, 4096);
  lr_context ctx = {.request_id = "bench", .invoked_function_arn = "", .trace_id = "", .client_context = "",
                    .cognito_identity = "", .function_name = "cleanup", .log = NULL,
                    .deadline_ms = lr_clock_epoch_ms() + 15 * 60 * 1000}; /* Lambda's maximum */
  FILE *devnull = freopen("/dev/null", "w", stdout); /* the EMF lines */
  int64_t t0 = lr_clock_mono_us();
  int rc = cl_invoke(a, &ctx, event, strlen(event), &answer, &f);
  double s = (double)(lr_clock_mono_us() - t0) / 1e6;
  if (devnull) fclose(devnull);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  if (rc != LR_HANDLER_OK) {
    fprintf(stderr, "%s: %s\n", f.type, f.message);
  } else {
    const char *j = lr_buf_str(&answer);
    long long rows = field(j, strcmp(argv[1], "archive") == 0 ? "\"archived\"" : "\"sent\"");
    fprintf(stderr, "task=%s rows=%lld seconds=%.2f rows_per_s=%.0f bytes=%lld peak_rss_kib=%ld answer=%s\n",
            argv[1], rows, s, rows / s, field(j, "\"bytes\""), ru.ru_maxrss, j);
  }
  lr_buf_free(&answer);
  cl_app_free(a);
  return rc == LR_HANDLER_OK ? 0 : 1;
}
