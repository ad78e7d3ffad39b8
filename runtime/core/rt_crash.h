#ifndef LR_RT_CRASH_H
#define LR_RT_CRASH_H
/* The crash reporter: on SIGSEGV, SIGABRT, SIGBUS or SIGFPE it writes a JSON
 * log line, posts {"errorType":"Runtime.Crash",...} to the current
 * invocation's /error over a fresh socket, and re-raises the signal so the
 * process dies of it. Everything the handler needs (address, request line,
 * log line) is prepared beforehand: a signal handler may only call
 * async-signal-safe functions (no malloc, no stdio, no curl). */
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define LR_CRASH_HEAD_MAX 1024u
#define LR_CRASH_LOG_MAX 1024u
#define LR_CRASH_OUT_MAX 4096u
#define LR_CRASH_NSIG 4

typedef struct lr__crash {
  struct sockaddr_storage addr; /* the Runtime API, resolved at install */
  socklen_t addrlen;
  char host[256];               /* Host header: the api's host:port */
  int log_fd;
  /* "POST …/{id}/error HTTP/1.1\r\n…Content-Length: " for the armed invocation */
  char head[LR_CRASH_HEAD_MAX];
  size_t head_len;
  /* ,"function":"…","request_id":"…"}\n */
  char log_tail[LR_CRASH_LOG_MAX];
  size_t log_tail_len;
  volatile sig_atomic_t armed;
  char out[LR_CRASH_OUT_MAX]; /* assembled inside the handler */
  void *altstack;
  stack_t old_stack;
  size_t altstack_len;
  struct sigaction old[LR_CRASH_NSIG];
  int installed;
} lr__crash;

/* Resolves api (host:port) and installs the handlers on an alternate stack.
 * Returns false when it could not (the runtime then runs without it). */
bool lr__crash_install(lr__crash *c, const char *api, int log_fd, const char *function_name);
/* Prepares the report for invocation `request_id` (already URL-safe). */
void lr__crash_arm(lr__crash *c, const char *request_id, const char *function_name);
void lr__crash_disarm(lr__crash *c);
/* Restores the previous handlers and frees the alternate stack. NULL-safe. */
void lr__crash_uninstall(lr__crash *c);

#endif
