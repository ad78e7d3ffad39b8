/* The loop: config from the environment once, the handler's init hook, then
 * next -> invoke -> response/error until a fatal Runtime API failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lr/runtime.h"
#include "rt_client.h"
#include "rt_context.h"
#include "rt_crash.h"

#define LR_DEFAULT_RETRIES 5
#define LR_DEFAULT_BACKOFF_MS 20
/* The response buffer's hard ceiling. Anything between Lambda's 6 MB and this
 * becomes a clear Function.ResponseSizeTooLarge; past it the handler's own
 * append fails (LR_BUF_TOO_BIG) and it should return a fault. */
#define LR_RESPONSE_BUF_MAX (8u * LR_MAX_RESPONSE_BYTES)
#define LR_RESPONSE_BUF_INITIAL (64u * 1024u)

typedef struct lr__runtime {
  lr_run_options opt;
  lr__client client;
  lr__crash crash;
  lr__trace_env trace_env;
  lr_logger log;
  lr_buf response;
  lr_fault fault;
  lr_context ctx;
  const char *function_name;
  int bad_nexts; /* consecutive /next answers we could not use */
} lr__runtime;

void lr_run_options_init(lr_run_options *o) {
  memset(o, 0, sizeof *o);
  o->max_retries = LR_DEFAULT_RETRIES;
  o->retry_backoff_ms = LR_DEFAULT_BACKOFF_MS;
  o->crash = LR_CRASH_REPORT;
}

static const char *env_or_empty(const char *name) {
  const char *v = getenv(name);
  return v ? v : "";
}

/* Reads the environment once; returns the status of the client set-up. */
static lr_rt_status runtime_open(lr__runtime *rt, const lr_run_options *opt) {
  if (opt) rt->opt = *opt;
  else lr_run_options_init(&rt->opt);
  const char *api = rt->opt.runtime_api ? rt->opt.runtime_api : getenv("AWS_LAMBDA_RUNTIME_API");
  rt->function_name = env_or_empty("AWS_LAMBDA_FUNCTION_NAME");
  lr_logger_init(&rt->log, rt->opt.log_out ? rt->opt.log_out : stdout,
                 lr_setting_service_name(NULL, NULL), rt->function_name);
  lr_buf_init(&rt->response, LR_RESPONSE_BUF_MAX);
  lr_rt_status st = lr__client_init(&rt->client, api, rt->opt.max_retries, rt->opt.retry_backoff_ms);
  if (st != LR_RT_OK) {
    lr_log_kv(&rt->log, LR_LOG_FATAL, "runtime cannot start", "error", rt->client.err,
              "status", lr_rt_status_name(st), NULL);
    return st;
  }
  if (lr_buf_reserve(&rt->response, LR_RESPONSE_BUF_INITIAL) != LR_BUF_OK) return LR_RT_NOMEM;
  return LR_RT_OK;
}

static void runtime_close(lr__runtime *rt) {
  lr__crash_uninstall(&rt->crash);
  lr__trace_env_clear(&rt->trace_env);
  lr__client_free(&rt->client);
  lr_buf_free(&rt->response);
}

static void install_crash_reporter(lr__runtime *rt) {
  if (rt->opt.crash != LR_CRASH_REPORT) return;
  int fd = fileno(rt->log.out);
  if (!lr__crash_install(&rt->crash, rt->client.api, fd < 0 ? 1 : fd, rt->function_name))
    lr_log_kv(&rt->log, LR_LOG_WARN, "crash reporter not installed", NULL);
}

/* After a failed post: a refusal (4xx, 413, unusable id) loses this
 * invocation only; a transport failure or 5xx after the retries, or no
 * memory, ends the loop. */
static lr_rt_status post_failed(lr__runtime *rt, lr_rt_status st, const char *what) {
  lr_log_kv(&rt->log, LR_LOG_ERROR, what, "error", rt->client.err, "status", lr_rt_status_name(st),
            NULL);
  int refused = (st == LR_RT_HTTP && rt->client.status < 500) || st == LR_RT_TOO_BIG ||
                st == LR_RT_PROTOCOL;
  return refused ? LR_RT_OK : st;
}

static lr_rt_status post_fault(lr__runtime *rt, const char *id, const lr_fault *f) {
  lr_rt_status st = lr__client_post_error(&rt->client, id, f);
  return st == LR_RT_OK ? st : post_failed(rt, st, "error post failed");
}

static lr_rt_status post_result(lr__runtime *rt, int rc) {
  const char *id = rt->ctx.request_id;
  lr_buf *r = &rt->response;
  if (rc != LR_HANDLER_OK) {
    if (!rt->fault.type[0]) snprintf(rt->fault.type, sizeof rt->fault.type, "Function.Error");
    return post_fault(rt, id, &rt->fault);
  }
  if (!r->data || r->len > LR_MAX_RESPONSE_BYTES) {
    lr_fault_set(&rt->fault, "Function.ResponseSizeTooLarge",
                 "Response payload size exceeded maximum allowed payload size (%u bytes).",
                 LR_MAX_RESPONSE_BYTES);
    return post_fault(rt, id, &rt->fault);
  }
  lr_rt_status st = lr__client_post_response(&rt->client, id, r->data, r->len);
  if (st == LR_RT_TOO_BIG) {
    lr_fault_set(&rt->fault, "Function.ResponseSizeTooLarge", "the Runtime API refused the response as too large");
    return post_fault(rt, id, &rt->fault);
  }
  return st == LR_RT_OK ? st : post_failed(rt, st, "response post failed");
}

static void begin_invocation(lr__runtime *rt) {
  lr__context_fill(&rt->ctx, &rt->client, rt->function_name, &rt->trace_env);
  rt->ctx.log = &rt->log;
  rt->log.request_id = rt->ctx.request_id;
  rt->log.trace_id = rt->ctx.trace_id;
  memset(&rt->fault, 0, sizeof rt->fault);
  if (!rt->response.data) lr_buf_reserve(&rt->response, LR_RESPONSE_BUF_INITIAL);
  lr_buf_reset(&rt->response);
  lr__crash_arm(&rt->crash, rt->ctx.request_id, rt->function_name);
}

static void end_invocation(lr__runtime *rt) {
  lr__crash_disarm(&rt->crash);
  rt->log.request_id = "";
  rt->log.trace_id = "";
}

/* A /next we cannot use: tolerated up to max_retries times in a row. */
static lr_rt_status bad_next(lr__runtime *rt, lr_rt_status st) {
  lr_log_kv(&rt->log, LR_LOG_ERROR, "unusable /next answer", "error", rt->client.err, NULL);
  return ++rt->bad_nexts > rt->opt.max_retries ? st : LR_RT_OK;
}

/* One invocation. *handled is set when an event reached the handler or was
 * answered with an error. */
static lr_rt_status invoke_once(lr__runtime *rt, const lr_handler *h, void *app, int *handled) {
  lr__client *c = &rt->client;
  lr_rt_status st = lr__client_next(c);
  *handled = 0;
  if (st == LR_RT_PROTOCOL) return bad_next(rt, st);
  if (st != LR_RT_OK && st != LR_RT_TOO_BIG) return st;
  rt->bad_nexts = 0;
  *handled = 1;
  begin_invocation(rt);
  if (st == LR_RT_TOO_BIG) {
    lr_fault_set(&rt->fault, "Runtime.EventTooLarge", "the event is over %u bytes", LR_MAX_EVENT_BYTES);
    st = post_fault(rt, rt->ctx.request_id, &rt->fault);
  } else {
    int rc = h->invoke(app, &rt->ctx, lr_buf_str(&c->event), c->event.len, &rt->response, &rt->fault);
    lr__crash_disarm(&rt->crash);
    st = post_result(rt, rc);
    /* Disarmed: the answer is posted, so a crash here is reported by the
     * process's exit, not as this invocation's error. */
    if (h->after_response) h->after_response(app, &rt->ctx);
  }
  end_invocation(rt);
  return st;
}

static lr_rt_status run_init(lr__runtime *rt, const lr_handler *h, void **app) {
  if (!h || !h->invoke) {
    lr_fault_set(&rt->fault, "Runtime.InvalidHandler", "the handler has no invoke hook");
  } else if (!h->init || h->init(app, &rt->log, &rt->fault) == LR_HANDLER_OK) {
    return LR_RT_OK;
  } else if (!rt->fault.type[0]) {
    lr_fault_set(&rt->fault, "Runtime.InitError", "%s", rt->fault.message);
  }
  lr_log_kv(&rt->log, LR_LOG_FATAL, "init failed", "error_type", rt->fault.type, "error",
            rt->fault.message, NULL);
  if (lr__client_post_error(&rt->client, NULL, &rt->fault) != LR_RT_OK)
    lr_log_kv(&rt->log, LR_LOG_ERROR, "init error post failed", "error", rt->client.err, NULL);
  return LR_RT_INIT;
}

static lr_rt_status run_loop(lr__runtime *rt, const lr_handler *h, void *app) {
  uint64_t done = 0;
  while (rt->opt.max_invocations == 0 || done < rt->opt.max_invocations) {
    int handled = 0;
    lr_rt_status st = invoke_once(rt, h, app, &handled);
    if (st != LR_RT_OK) {
      lr_log_kv(&rt->log, LR_LOG_FATAL, "Runtime API failure, exiting", "error", rt->client.err,
                "status", lr_rt_status_name(st), NULL);
      return st;
    }
    done += (uint64_t)handled;
  }
  return LR_RT_OK;
}

int lr_run_ex(const lr_handler *handler, const lr_run_options *opt) {
  lr__runtime *rt = calloc(1, sizeof *rt);
  if (!rt) {
    fputs("{\"level\":\"FATAL\",\"message\":\"runtime: out of memory\"}\n", stderr);
    return LR_RT_NOMEM;
  }
  void *app = NULL;
  lr_rt_status st = runtime_open(rt, opt);
  if (st == LR_RT_OK) {
    install_crash_reporter(rt);
    st = run_init(rt, handler, &app);
    if (st == LR_RT_OK) st = run_loop(rt, handler, app);
    if (handler && handler->shutdown && (st == LR_RT_OK || app)) handler->shutdown(app);
  }
  runtime_close(rt);
  free(rt);
  return st;
}

int lr_run(const lr_handler *handler) { return lr_run_ex(handler, NULL); }

int lr_run_unknown_handler_ex(const char *name, const lr_run_options *opt) {
  lr__runtime *rt = calloc(1, sizeof *rt);
  if (!rt) return LR_RT_NOMEM;
  lr_rt_status st = runtime_open(rt, opt);
  if (st == LR_RT_OK) {
    lr_fault_set(&rt->fault, "Runtime.HandlerNotFound",
                 "no handler named \"%.128s\" in this bootstrap (check _HANDLER)", name ? name : "");
    lr_log_kv(&rt->log, LR_LOG_FATAL, "handler not found", "handler", name ? name : "", NULL);
    if (lr__client_post_error(&rt->client, NULL, &rt->fault) != LR_RT_OK)
      lr_log_kv(&rt->log, LR_LOG_ERROR, "init error post failed", "error", rt->client.err, NULL);
    st = LR_RT_NO_HANDLER;
  }
  runtime_close(rt);
  free(rt);
  return st;
}

int lr_run_unknown_handler(const char *name) { return lr_run_unknown_handler_ex(name, NULL); }
