#ifndef RT_TEST_UTIL_H
#define RT_TEST_UTIL_H
/* Shared by the runtime suites: a run of lr_run_ex against the mock with
 * fast retries and no crash reporter, and what the test handlers saw. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>

#include "lr/runtime.h"
#include "mock_rapi.h"

#define PROBE_MAX 8
#define PROBE_STR 512

/* What the test handlers record per invocation. */
typedef struct probe {
  int calls;
  char request_id[PROBE_MAX][PROBE_STR];
  char trace_env[PROBE_MAX][PROBE_STR]; /* "(unset)" when absent */
  char arn[PROBE_MAX][PROBE_STR];
  char client_context[PROBE_MAX][PROBE_STR];
  char cognito[PROBE_MAX][PROBE_STR];
  long long deadline[PROBE_MAX];
  long long remaining[PROBE_MAX];
  size_t event_len[PROBE_MAX];
} probe;

/* Test handlers have no user pointer before init: one probe per test process.
 * Check forks each test, so no test sees another's. */
extern probe the_probe;

/* lr_run_ex against m with `invocations` bound, 2 retries, 1 ms backoff;
 * log lines go to a memstream freed here. Returns lr_run_ex's status. */
int run_against(mock_rapi *m, const lr_handler *h, unsigned long invocations);
/* Runs the suite (taking it), prints Check's summary; a process exit code. */
int rt_run_suite(Suite *s);
/* The body of request i parsed as JSON (caller deletes), or NULL. */
cJSON *req_json(const mock_rapi *m, long i);

#endif
