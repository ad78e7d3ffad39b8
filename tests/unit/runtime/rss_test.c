/* RSS stays flat over 100,000 invocations: sampled by the handler at the
 * 10,000th and the 100,000th, against the mock (not recording, distinct
 * request and trace ids each time). Under AddressSanitizer the check is
 * skipped: its quarantine holds freed memory on purpose, so RSS grows there
 * without any leak (valgrind's leak check covers that build instead). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rt_test_util.h"

#define RSS_FIRST 10000
/* A leak of even 6 bytes an invocation would show past this. */
#define RSS_GROWTH_MAX_KB 512

#if defined(__SANITIZE_ADDRESS__)
#define RSS_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RSS_UNDER_ASAN 1
#endif
#endif

/* Handlers get no user pointer before init; one test, one process. */
#ifdef RSS_UNDER_ASAN
#define RSS_LAST 20000 /* only LeakSanitizer's verdict counts here: keep it short */
#else
#define RSS_LAST 100000
#endif

static long rss_kb_at[2];
static unsigned long invocations;

static long rss_kb(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long pages = 0, resident = 0;
  if (!f) return -1;
  int n = fscanf(f, "%ld %ld", &pages, &resident);
  fclose(f);
  return n == 2 ? resident * (sysconf(_SC_PAGESIZE) / 1024) : -1;
}

static int sampling_echo(void *app, const lr_context *ctx, const char *ev, size_t len, lr_buf *out,
                         lr_fault *f) {
  (void)app, (void)ctx;
  invocations++;
  if (invocations == RSS_FIRST) rss_kb_at[0] = rss_kb();
  if (invocations == RSS_LAST) rss_kb_at[1] = rss_kb();
  lr_log_kv(ctx->log, LR_LOG_DEBUG, "invocation", "request_id", ctx->request_id, NULL);
  if (lr_buf_add(out, ev, len) != LR_BUF_OK) return lr_fault_set(f, "Test.TooBig", "append");
  return LR_HANDLER_OK;
}

START_TEST(test_rss_flat) {
  static const mock_next s[] = {{.kind = MOCK_EVENT, .request_id = "r", .body = "{\"k\":\"value\"}"}};
  static const lr_handler h = {.name = "echo", .invoke = sampling_echo};
  mock_rapi m;
  mock_rapi_start(&m, s, 1);
  m.repeat_last = 1, m.record = 0, m.vary_ids = 1;
  ck_assert_int_eq(run_against(&m, &h, RSS_LAST), LR_RT_OK);
  mock_rapi_stop(&m);
  ck_assert_uint_eq(m.n_posts, RSS_LAST);
  mock_rapi_free(&m);
  ck_assert_int_gt(rss_kb_at[0], 0);
  ck_assert_int_gt(rss_kb_at[1], 0);
  printf("RSS at %d invocations: %ld KiB; at %d: %ld KiB\n", RSS_FIRST, rss_kb_at[0], RSS_LAST,
         rss_kb_at[1]);
#ifndef RSS_UNDER_ASAN
  ck_assert_int_le(rss_kb_at[1] - rss_kb_at[0], RSS_GROWTH_MAX_KB);
#endif
}
END_TEST

int main(void) {
  Suite *s = suite_create("runtime.rss");
  TCase *tc = tcase_create("rss");
  tcase_set_timeout(tc, 240);
  tcase_add_test(tc, test_rss_flat);
  suite_add_tcase(s, tc);
  return rt_run_suite(s);
}
