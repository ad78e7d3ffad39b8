#include "rt_context.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lr/clock.h"

#define LR_TRACE_VAR "_X_AMZN_TRACE_ID"

int64_t lr_context_remaining_ms(const lr_context *ctx) {
  return ctx->deadline_ms - lr_clock_epoch_ms();
}

/* A malformed deadline becomes 0 (remaining time negative): the handler then
 * sees "no time left" rather than an invented budget. */
static int64_t parse_deadline(const char *s) {
  if (!s || *s < '0' || *s > '9') return 0;
  char *end = NULL;
  long long v = strtoll(s, &end, 10);
  return (*end == '\0' && v > 0 && v < INT64_MAX) ? (int64_t)v : 0;
}

static bool env_is_ours(const lr__trace_env *env) {
  return getenv(LR_TRACE_VAR) == env->buf + sizeof LR_TRACE_VAR;
}

void lr__trace_env_clear(lr__trace_env *env) {
  if (env_is_ours(env)) unsetenv(LR_TRACE_VAR);
  env->buf[0] = '\0';
}

static void trace_env_set(lr__trace_env *env, const char *trace) {
  if (!*trace) {
    unsetenv(LR_TRACE_VAR); /* also one left by the environment at start */
    return;
  }
  int ours = env_is_ours(env);
  size_t n = strlen(trace);
  if (n + sizeof LR_TRACE_VAR + 1 > sizeof env->buf) {
    unsetenv(LR_TRACE_VAR); /* a truncated trace header would be a wrong one */
    return;
  }
  memcpy(env->buf, LR_TRACE_VAR "=", sizeof LR_TRACE_VAR);
  memcpy(env->buf + sizeof LR_TRACE_VAR, trace, n + 1);
  if (!ours) putenv(env->buf);
}

void lr__context_fill(lr_context *ctx, const lr__client *c, const char *function_name,
                      lr__trace_env *env) {
  ctx->request_id = lr_buf_str(&c->hdr[LR_HDR_REQUEST_ID].value);
  ctx->invoked_function_arn = lr_buf_str(&c->hdr[LR_HDR_ARN].value);
  ctx->trace_id = lr_buf_str(&c->hdr[LR_HDR_TRACE].value);
  ctx->client_context = lr_buf_str(&c->hdr[LR_HDR_CLIENT_CONTEXT].value);
  ctx->cognito_identity = lr_buf_str(&c->hdr[LR_HDR_COGNITO].value);
  ctx->deadline_ms = parse_deadline(lr_buf_str(&c->hdr[LR_HDR_DEADLINE].value));
  ctx->function_name = function_name ? function_name : "";
  trace_env_set(env, ctx->trace_id);
}
