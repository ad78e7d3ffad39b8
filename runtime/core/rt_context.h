#ifndef LR_RT_CONTEXT_H
#define LR_RT_CONTEXT_H
/* Filling lr_context from the /next answer, and the _X_AMZN_TRACE_ID
 * variable X-Ray's SDKs read. */
#include "lr/runtime.h"
#include "rt_client.h"

/* "_X_AMZN_TRACE_ID=" + an X-Ray header (Root, Parent, Sampled, Lineage). */
#define LR_TRACE_ENV_MAX 1024u

/* The process's copy of the trace variable. putenv() with a buffer we own,
 * rewritten in place per invocation: setenv() would leak a string for every
 * distinct trace id (glibc never frees replaced values), and RSS would grow
 * with every invocation. */
typedef struct lr__trace_env {
  char buf[LR_TRACE_ENV_MAX];
} lr__trace_env;

/* Points ctx's strings into the client's header buffers (valid until the next
 * /next) and sets the trace variable; clears it when the header is absent. */
void lr__context_fill(lr_context *ctx, const lr__client *c, const char *function_name,
                      lr__trace_env *env);
/* Removes the variable if it is still ours (before env is freed). */
void lr__trace_env_clear(lr__trace_env *env);

#endif
