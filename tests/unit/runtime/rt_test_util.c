#include "rt_test_util.h"

#include <stdlib.h>
#include <string.h>

probe the_probe;

int run_against(mock_rapi *m, const lr_handler *h, unsigned long invocations) {
  char *logs = NULL;
  size_t logs_len = 0;
  memset(&the_probe, 0, sizeof the_probe); /* CK_FORK=no runs tests in one process */
  FILE *log = open_memstream(&logs, &logs_len);
  lr_run_options o;
  lr_run_options_init(&o);
  o.runtime_api = m->api;
  o.log_out = log;
  o.max_retries = 2;
  o.retry_backoff_ms = 1;
  o.max_invocations = invocations;
  o.crash = LR_CRASH_IGNORE;
  int rc = lr_run_ex(h, &o);
  if (log) fclose(log);
  if (getenv("RT_TEST_VERBOSE") && logs) fputs(logs, stderr);
  free(logs);
  return rc;
}

cJSON *req_json(const mock_rapi *m, long i) {
  if (i < 0 || (size_t)i >= m->n_reqs) return NULL;
  return cJSON_ParseWithLength(m->reqs[i].body, m->reqs[i].body_len);
}

int rt_run_suite(Suite *s) {
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
