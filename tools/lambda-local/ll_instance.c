/* Instance lifecycle: the supervisor thread starts the process when one is
 * wanted and reaps it; ll_instance_invoke queues an invocation, waits for its
 * answer and enforces the timeout by killing the process group. */
#include "ll_instance_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>

#include "ll_log.h"
#include "lr/buf.h"
#include "lr/clock.h"

static void ll_random(void *p, size_t n) {
  if (getrandom(p, n, 0) != (ssize_t)n) {
    /* Ids only need to be unique locally: fall back to the clock. */
    int64_t t = lr_clock_mono_ns();
    for (size_t i = 0; i < n; i++) ((unsigned char *)p)[i] = (unsigned char)(t >> (8 * (i % 8))) ^ (unsigned char)i;
  }
}

static bool ll_trace_ok(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n >= LL_TRACE_ID_MAX) return false;
  for (; *s; s++)
    if (*s < 0x21 || *s > 0x7e) return false;
  return true;
}

void ll_invocation_init(ll_invocation *inv, const char *payload, size_t len, const char *trace_header) {
  memset(inv, 0, sizeof *inv);
  inv->payload = payload;
  inv->payload_len = len;
  unsigned char r[16 + 12 + 8];
  ll_random(r, sizeof r);
  r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
  r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
  snprintf(inv->request_id, sizeof inv->request_id,
           "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4],
           r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
  if (trace_header && ll_trace_ok(trace_header)) {
    snprintf(inv->trace_id, sizeof inv->trace_id, "%s", trace_header);
    return;
  }
  char hex[(12 + 8) * 2 + 1];
  for (size_t i = 0; i < 20; i++) snprintf(hex + 2 * i, 3, "%02x", r[16 + i]);
  snprintf(inv->trace_id, sizeof inv->trace_id, "Root=1-%08" PRIx32 "-%.24s;Parent=%.16s;Sampled=0",
           (uint32_t)time(NULL), hex, hex + 24);
}

void ll_invocation_clear(ll_invocation *inv) {
  free(inv->body);
  inv->body = NULL;
  inv->body_len = 0;
}

const char *ll_outcome_name(ll_outcome o) {
  static const char *const names[] = {"ok", "error", "timeout", "crash", "init error", "stopped"};
  return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "unknown";
}

bool ll__invocation_fail(ll_invocation *inv, ll_outcome o, const char *type, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (n < 0) msg[0] = '\0';
  inv->outcome = o;
  snprintf(inv->error_type, sizeof inv->error_type, "%s", type);
  cJSON *e = cJSON_CreateObject();
  bool ok = e && cJSON_AddStringToObject(e, "errorType", type) && cJSON_AddStringToObject(e, "errorMessage", msg);
  free(inv->body);
  inv->body = ok ? cJSON_PrintUnformatted(e) : NULL;
  inv->body_len = inv->body ? strlen(inv->body) : 0;
  cJSON_Delete(e);
  return inv->body != NULL;
}

/* Why a process ended, the way Lambda words it. */
static void ll_exit_reason(int status, char *out, size_t cap) {
  if (WIFSIGNALED(status))
    snprintf(out, cap, "signal: %s", strsignal(WTERMSIG(status)));
  else
    snprintf(out, cap, "exit status %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* The current invocation's end when its process died (locked). */
static void ll_fail_current(ll_instance *in, bool was_ready, const char *reason) {
  ll_invocation *inv = in->cur;
  if (!inv || (in->cur_state != LL_CUR_QUEUED && in->cur_state != LL_CUR_DELIVERED)) return;
  /* Queued behind a warm process that then died: it never saw the event,
   * which waits for the fresh process instead of failing. */
  if (in->cur_state == LL_CUR_QUEUED && was_ready && !in->stopping) return;
  if (in->stopping) {
    ll__invocation_fail(inv, LL_OUT_STOPPED, "Local.Stopped", "lambda-local is shutting down");
  } else if (in->timed_out) {
    ll__invocation_fail(inv, LL_OUT_TIMEOUT, "Sandbox.Timedout", "RequestId: %s Error: Task timed out after %d.00 seconds",
                        inv->request_id, in->fn->timeout_s);
  } else if (!was_ready && in->init_error_body) {
    inv->outcome = LL_OUT_INIT_ERROR;
    snprintf(inv->error_type, sizeof inv->error_type, "%s", in->init_error_type);
    free(inv->body);
    inv->body = in->init_error_body;
    inv->body_len = in->init_error_len;
    in->init_error_body = NULL;
  } else {
    ll__invocation_fail(inv, was_ready ? LL_OUT_CRASH : LL_OUT_INIT_ERROR, "Runtime.ExitError",
                        "RequestId: %s Error: Runtime exited with error: %s", inv->request_id, reason);
  }
  in->cur_state = LL_CUR_DONE;
  in->done_ns = lr_clock_mono_ns();
}

static bool ll_spawn(ll_instance *in) {
  char err[LL_ERR_LEN] = "";
  ll_proc_spec spec = {.fn = in->fn, .region = in->region, .runtime_api = in->api_addr, .instance = in->index};
  if (ll_proc_start(&in->proc, &spec, err, sizeof err) != LL_OK) {
    ll_logf("lambda-local: %s[%d]: cannot start: %s", in->fn->name, in->index, err);
    in->want_process = false;
    if (in->cur && in->cur_state == LL_CUR_QUEUED) {
      ll__invocation_fail(in->cur, LL_OUT_INIT_ERROR, "Runtime.InvalidEntrypoint", "cannot start %s: %s",
                          in->fn->bootstrap, err);
      in->cur_state = LL_CUR_DONE;
    }
    pthread_cond_broadcast(&in->cv);
    return false;
  }
  in->generation++;
  in->ready_seen = in->init_pending = in->timed_out = false;
  in->spawned_ns = lr_clock_mono_ns();
  free(in->init_error_body);
  in->init_error_body = NULL;
  return true;
}

/* Reaps the process (unlocked while waiting) and settles what it leaves. */
static void ll_reap(ll_instance *in) {
  ll_proc p = in->proc;
  pthread_mutex_unlock(&in->mu);
  int status = 0;
  ll_proc_wait(&p, &status);
  pthread_mutex_lock(&in->mu);
  in->proc.pid = 0;
  in->generation++;
  bool was_ready = in->ready_seen;
  char reason[96];
  ll_exit_reason(status, reason, sizeof reason);
  if (!in->stopping)
    ll_logf("lambda-local: %s[%d]: process ended (%s)%s", in->fn->name, in->index, reason,
            was_ready ? "" : " during init");
  ll__report_flush(in);
  ll_fail_current(in, was_ready, reason);
  /* A warm process is replaced at once; after a failed init, only when the
   * next invocation comes (a broken function must not restart in a loop). */
  in->want_process = was_ready && !in->stopping;
  pthread_cond_broadcast(&in->cv);
}

static void *ll_supervise(void *arg) {
  ll_instance *in = arg;
  pthread_mutex_lock(&in->mu);
  for (;;) {
    while (!in->stopping && !in->want_process) pthread_cond_wait(&in->cv, &in->mu);
    if (in->stopping) break;
    if (ll_spawn(in)) ll_reap(in);
  }
  pthread_mutex_unlock(&in->mu);
  return NULL;
}

ll_status ll_instance_create(const ll_function_cfg *fn, const char *region, int index, bool eager,
                             ll_instance **out, char *err, size_t errcap) {
  *out = NULL;
  ll_instance *in = calloc(1, sizeof *in);
  if (!in) return LL_NOMEM;
  in->fn = fn;
  in->region = region;
  in->index = index;
  in->want_process = eager;
  pthread_mutex_init(&in->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&in->cv, &ca);
  pthread_condattr_destroy(&ca);
  ll_status st = ll__rapi_start(in, err, errcap);
  if (st == LL_OK) {
    in->supervising = pthread_create(&in->supervisor, NULL, ll_supervise, in) == 0;
    if (!in->supervising) st = LL_NOMEM;
  }
  if (st != LL_OK) {
    ll_instance_free(in);
    return st;
  }
  *out = in;
  return LL_OK;
}

/* When the current step of the invocation must be over (locked): its own
 * limit, and never past the caller's answer_by. */
static int64_t ll_step_deadline(const ll_instance *in, const ll_invocation *inv, int64_t queued_ns, int limit_s) {
  int64_t d;
  if (in->cur_state == LL_CUR_DELIVERED) {
    d = in->delivered_ns + (int64_t)limit_s * 1000000000;
  } else {
    int64_t from = in->spawned_ns > queued_ns ? in->spawned_ns : queued_ns;
    d = from + (int64_t)LL_INIT_LIMIT_MS * 1000000;
  }
  return inv->answer_by_ns > 0 && inv->answer_by_ns < d ? inv->answer_by_ns : d;
}

/* The condition variable runs on CLOCK_MONOTONIC, like lr_clock_mono_ns. */
static void ll_wait_until(ll_instance *in, int64_t deadline_ns) {
  struct timespec ts = {.tv_sec = (time_t)(deadline_ns / 1000000000), .tv_nsec = (long)(deadline_ns % 1000000000)};
  pthread_cond_timedwait(&in->cv, &in->mu, &ts);
}

/* The invocation ran out of time (locked): kill, and let the reaper settle it. */
static void ll_time_out(ll_instance *in, ll_invocation *inv, int limit_s) {
  bool delivered = in->cur_state == LL_CUR_DELIVERED;
  if (inv->answer_by_ns > 0 && lr_clock_mono_ns() >= inv->answer_by_ns)
    ll_logf("lambda-local: %s: the caller's limit (API Gateway's integration timeout) passed; stopping it",
            inv->request_id);
  else if (delivered)
    ll_logf("%s Task timed out after %d.00 seconds", inv->request_id, limit_s);
  else
    ll_logf("lambda-local: %s[%d]: init did not finish within %d ms", in->fn->name, in->index, LL_INIT_LIMIT_MS);
  in->timed_out = true;
  if (in->proc.pid > 0) {
    ll_proc_kill(&in->proc);
    return;
  }
  ll__invocation_fail(inv, LL_OUT_TIMEOUT, "Sandbox.Timedout", "RequestId: %s Error: Task timed out",
                      inv->request_id);
  in->cur_state = LL_CUR_DONE;
}

/* The previous invocation's process still works after its response (its
 * REPORT is due) while an event waits for it: Lambda's timeout covers that
 * work too (locked). */
static bool ll_lingering(const ll_instance *in) { return in->report_due && in->cur_state == LL_CUR_QUEUED; }

static int64_t ll_linger_deadline(const ll_instance *in) {
  return in->report_from_ns + (int64_t)in->fn->timeout_s * 1000000000;
}

/* Kills a process past its timeout after its response; the waiting event
 * goes to the fresh process that replaces it (locked). */
static void ll_linger_time_out(ll_instance *in) {
  ll_logf("%s Task timed out after %d.00 seconds", in->report_id, in->fn->timeout_s);
  in->report_status = "\tStatus: timeout";
  ll__report_flush(in);
  if (in->proc.pid > 0) ll_proc_kill(&in->proc);
}

void ll_instance_invoke(ll_instance *in, ll_invocation *inv, int limit_s) {
  pthread_mutex_lock(&in->mu);
  if (in->stopping) {
    pthread_mutex_unlock(&in->mu);
    ll__invocation_fail(inv, LL_OUT_STOPPED, "Local.Stopped", "lambda-local is shutting down");
    return;
  }
  int64_t queued_ns = lr_clock_mono_ns();
  in->cur = inv;
  in->cur_state = LL_CUR_QUEUED;
  if (in->proc.pid == 0) in->want_process = true;
  pthread_cond_broadcast(&in->cv);
  bool killed = false;
  while (in->cur_state != LL_CUR_DONE) {
    if (ll_lingering(in)) {
      if (lr_clock_mono_ns() >= ll_linger_deadline(in)) ll_linger_time_out(in);
      else ll_wait_until(in, ll_linger_deadline(in));
      continue;
    }
    int64_t deadline = ll_step_deadline(in, inv, queued_ns, limit_s);
    if (!killed && lr_clock_mono_ns() >= deadline) {
      ll_time_out(in, inv, limit_s);
      killed = true;
      continue;
    }
    if (killed) pthread_cond_wait(&in->cv, &in->mu);
    else ll_wait_until(in, deadline);
  }
  bool delivered = in->delivered_ns >= queued_ns;
  double duration_ms = delivered ? (double)(in->done_ns - in->delivered_ns) / 1e6 : 0.0;
  double init_ms = delivered ? in->cur_init_ms : 0.0;
  in->cur = NULL;
  in->cur_state = LL_CUR_NONE;
  bool answered = inv->outcome == LL_OUT_OK || inv->outcome == LL_OUT_FUNCTION_ERROR;
  /* The process may still be working: the REPORT comes with its next /next,
   * unless that /next came before this thread woke up (it found no REPORT due
   * then; deferring it now would leave it due until the process's next
   * invocation, and an idle instance past its timeout killed as lingering). */
  if (delivered && answered && in->proc.pid > 0 && !in->stopping && !in->in_next) {
    in->report_due = true;
    snprintf(in->report_id, sizeof in->report_id, "%s", inv->request_id);
    in->report_status = ll__report_status(inv);
    in->report_from_ns = in->delivered_ns;
    in->report_init_ms = init_ms;
  } else if (delivered) {
    ll__report_end(in, inv->request_id, ll__report_status(inv), duration_ms, init_ms);
  }
  pthread_mutex_unlock(&in->mu);
}

bool ll_instance_settled(ll_instance *in) {
  pthread_mutex_lock(&in->mu);
  bool settled = !in->report_due;
  pthread_mutex_unlock(&in->mu);
  return settled;
}

void ll_instance_stop(ll_instance *in) {
  if (!in) return;
  pthread_mutex_lock(&in->mu);
  in->stopping = true;
  ll_proc_kill(&in->proc);
  pthread_cond_broadcast(&in->cv);
  pthread_mutex_unlock(&in->mu);
  if (in->supervising) pthread_join(in->supervisor, NULL);
  in->supervising = false;
  pthread_mutex_lock(&in->mu);
  ll__report_flush(in);
  ll_fail_current(in, true, "stopped");
  pthread_cond_broadcast(&in->cv);
  pthread_mutex_unlock(&in->mu);
}

void ll_instance_free(ll_instance *in) {
  if (!in) return;
  ll_instance_stop(in);
  ll__rapi_stop(in);
  free(in->init_error_body);
  pthread_cond_destroy(&in->cv);
  pthread_mutex_destroy(&in->mu);
  free(in);
}
