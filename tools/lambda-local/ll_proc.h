#ifndef LL_PROC_H
#define LL_PROC_H
/* One function process: started with Lambda's environment in its own process
 * group, its stdout and stderr forwarded line by line, killed as a group. */
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "ll_config.h"
#include "ll_status.h"

typedef struct ll_fwd ll_fwd; /* the output forwarder's state (ll_proc.c) */

typedef struct ll_proc {
  pid_t pid;            /* 0 when not running */
  ll_fwd *fwd;          /* owned: freed by ll_proc_wait */
  pthread_t forwarder;  /* copies the child's stdout+stderr to our stderr, line by line */
  bool forwarding;
} ll_proc;

typedef struct ll_proc_spec {
  const ll_function_cfg *fn;
  const char *region;
  const char *runtime_api; /* "127.0.0.1:PORT" */
  int instance;
} ll_proc_spec;

/* Starts the bootstrap. On failure nothing is left running and err says why. */
ll_status ll_proc_start(ll_proc *p, const ll_proc_spec *spec, char *err, size_t errcap);
/* SIGKILL to the whole process group (the runtime may have children). */
void ll_proc_kill(const ll_proc *p);
/* Blocks until the process ends; *status as from waitpid. Joins the forwarder
 * and closes the pipe. */
void ll_proc_wait(ll_proc *p, int *status);
/* Peak resident set size of a running process in MiB (VmHWM), 0 if unknown. */
long ll_proc_peak_rss_mb(pid_t pid);

#endif
