/* Process management. The child's environment is built before fork: after
 * fork in a threaded program only async-signal-safe calls are allowed. */
#include "ll_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ll_log.h"
#include "lr/buf.h"

#define LL_ENV_MAX (LL_MAX_ENV + 40)
#define LL_ENV_ENTRY_MAX 8192
#define LL_OUT_LINE_MAX (256 * 1024) /* CloudWatch's event limit is 256 KB too */
#define LL_QUIET_MS 100

typedef struct ll_envp {
  char *v[LL_ENV_MAX + 1];
  size_t n;
} ll_envp;

static void ll_envp_free(ll_envp *e) {
  for (size_t i = 0; i < e->n; i++) free(e->v[i]);
  e->n = 0;
}

/* Adds NAME=VALUE unless NAME is already set (earlier entries win). */
static bool ll_envp_add(ll_envp *e, const char *name, const char *value) {
  size_t nl = strlen(name);
  for (size_t i = 0; i < e->n; i++)
    if (strncmp(e->v[i], name, nl) == 0 && e->v[i][nl] == '=') return true;
  if (e->n == LL_ENV_MAX) return false;
  lr_buf b;
  lr_buf_init(&b, LL_ENV_ENTRY_MAX);
  if (lr_buf_addf(&b, "%s=%s", name, value) != LR_BUF_OK) {
    lr_buf_free(&b);
    return false;
  }
  e->v[e->n] = lr_buf_take(&b, NULL);
  if (!e->v[e->n]) return false;
  e->v[++e->n] = NULL;
  return true;
}

static bool ll_envp_add_int(ll_envp *e, const char *name, long v) {
  char s[32];
  snprintf(s, sizeof s, "%ld", v);
  return ll_envp_add(e, name, s);
}

/* What Lambda sets and a function may not override comes first. */
static bool ll_envp_reserved(ll_envp *e, const ll_proc_spec *s, const char *task_root) {
  const ll_function_cfg *f = s->fn;
  char group[256], stream[128];
  snprintf(group, sizeof group, "/aws/lambda/%s", f->name);
  snprintf(stream, sizeof stream, "local/[$LATEST]instance%d", s->instance);
  return ll_envp_add(e, "AWS_LAMBDA_RUNTIME_API", s->runtime_api) && ll_envp_add(e, "_HANDLER", f->handler) &&
         ll_envp_add(e, "LAMBDA_TASK_ROOT", task_root) && ll_envp_add(e, "LAMBDA_RUNTIME_DIR", task_root) &&
         ll_envp_add(e, "AWS_LAMBDA_FUNCTION_NAME", f->name) &&
         ll_envp_add(e, "AWS_LAMBDA_FUNCTION_VERSION", "$LATEST") &&
         ll_envp_add_int(e, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", f->memory_mb) &&
         ll_envp_add(e, "AWS_LAMBDA_LOG_GROUP_NAME", group) && ll_envp_add(e, "AWS_LAMBDA_LOG_STREAM_NAME", stream) &&
         ll_envp_add(e, "AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand") && ll_envp_add(e, "AWS_REGION", s->region) &&
         ll_envp_add(e, "AWS_DEFAULT_REGION", s->region) && ll_envp_add(e, "TZ", ":UTC");
}

/* Passed through from our own environment: sanitizer and loader settings, so
 * that a sanitizer build of the bootstrap behaves under the emulator, and
 * libfaketime's, so that a clock shifted for the emulator (scripts/test's
 * clock-skew step) is the functions' clock too, as Lambda and its sandboxes
 * share one. */
static const char *const ll_passthrough[] = {"LD_LIBRARY_PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
                                             "HOME", "LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_FAKE_MONOTONIC",
                                             "FAKETIME_DISABLE_SHM",
                                             NULL};

static bool ll_envp_build(ll_envp *e, const ll_proc_spec *s, const char *task_root) {
  const ll_function_cfg *f = s->fn;
  bool ok = ll_envp_reserved(e, s, task_root);
  for (size_t i = 0; ok && i < f->env_count; i++) ok = ll_envp_add(e, f->env[i].name, f->env[i].value);
  for (size_t i = 0; ok && ll_passthrough[i]; i++) {
    const char *v = getenv(ll_passthrough[i]);
    if (v) ok = ll_envp_add(e, ll_passthrough[i], v);
  }
  /* Local dummy credentials, unless the function's env gave its own. */
  return ok && ll_envp_add(e, "PATH", "/usr/local/bin:/usr/bin:/bin") && ll_envp_add(e, "LANG", "C.UTF-8") &&
         ll_envp_add(e, "AWS_ACCESS_KEY_ID", "AKIDLOCAL") &&
         ll_envp_add(e, "AWS_SECRET_ACCESS_KEY", "local-secret-not-used-in-aws") &&
         ll_envp_add(e, "AWS_SESSION_TOKEN", "local-session-token");
}

static void ll_forward_chunk(lr_buf *line, const char *p, size_t n) {
  while (n > 0) {
    const char *nl = memchr(p, '\n', n);
    size_t take = nl ? (size_t)(nl - p) + 1 : n;
    if (line->len + take > line->max) {
      /* An over-long line is passed on in pieces rather than dropped. */
      if (line->len) ll_log_line(lr_buf_str(line), line->len);
      lr_buf_reset(line);
      ll_log_line(p, take);
    } else if (lr_buf_add(line, p, take) == LR_BUF_OK && nl) {
      ll_log_line(lr_buf_str(line), line->len);
      lr_buf_reset(line);
    }
    p += take;
    n -= take;
  }
}

struct ll_fwd {
  int fd;              /* read end of the pipe */
  atomic_bool exited;  /* the process is gone: stop at the first quiet moment */
};

/* Reads until EOF, or until the process is gone and the pipe stays quiet:
 * a grandchild that left the process group (setsid) may hold the pipe open
 * for ever, and must not keep the instance from restarting. */
static void *ll_forward(void *arg) {
  ll_fwd *f = arg;
  lr_buf line;
  lr_buf_init(&line, LL_OUT_LINE_MAX);
  char chunk[4096];
  for (;;) {
    struct pollfd pfd = {.fd = f->fd, .events = POLLIN};
    int r = poll(&pfd, 1, LL_QUIET_MS);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0 && atomic_load(&f->exited)) break;
    if (r <= 0) {
      if (r < 0) break;
      continue;
    }
    ssize_t n = read(f->fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    ll_forward_chunk(&line, chunk, (size_t)n);
  }
  if (line.len) ll_log_line(lr_buf_str(&line), line.len);
  lr_buf_free(&line);
  return NULL;
}

static void ll_child(char *path, char *const envp[], int out_fd, const char *task_root) {
  /* Async-signal-safe from here on. The child dies with the thread that
   * started it, so a crash of lambda-local leaves no orphans. */
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, 0);
  dup2(out_fd, 1);
  dup2(out_fd, 2);
  /* Lambda starts a runtime with nothing else open; neither do we. */
  close_range(3, ~0u, 0);
  if (chdir(task_root) != 0) _exit(126);
  char *const argv[] = {path, NULL};
  execve(path, argv, envp);
  _exit(127);
}

static ll_status ll_proc_fork(ll_proc *p, char *path, ll_envp *e, const char *task_root, char *err,
                              size_t errcap) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    ll_err_set(err, errcap, "pipe: %s", strerror(errno));
    return LL_SPAWN;
  }
  pid_t pid = fork();
  if (pid == 0) ll_child(path, e->v, fds[1], task_root);
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    ll_err_set(err, errcap, "fork: %s", strerror(errno));
    return LL_SPAWN;
  }
  setpgid(pid, pid); /* also in the parent: no race with an early kill */
  p->pid = pid;
  p->fwd = calloc(1, sizeof *p->fwd);
  if (!p->fwd) {
    close(fds[0]); /* the output is lost, the function still runs */
    return LL_OK;
  }
  p->fwd->fd = fds[0];
  atomic_init(&p->fwd->exited, false);
  p->forwarding = pthread_create(&p->forwarder, NULL, ll_forward, p->fwd) == 0;
  return LL_OK;
}

ll_status ll_proc_start(ll_proc *p, const ll_proc_spec *spec, char *err, size_t errcap) {
  memset(p, 0, sizeof *p);
  char *path = spec->fn->bootstrap;
  if (access(path, X_OK) != 0) {
    ll_err_set(err, errcap, "%s: %s", path, strerror(errno));
    return LL_SPAWN;
  }
  char *task_root = strdup(path);
  if (!task_root) return LL_NOMEM;
  char *slash = strrchr(task_root, '/');
  if (slash) *(slash == task_root ? slash + 1 : slash) = '\0';
  ll_envp e = {.n = 0};
  ll_status st = ll_envp_build(&e, spec, slash ? task_root : ".") ? LL_OK : LL_SPAWN;
  if (st != LL_OK) ll_err_set(err, errcap, "environment too large for %s", spec->fn->name);
  if (st == LL_OK) st = ll_proc_fork(p, path, &e, slash ? task_root : ".", err, errcap);
  ll_envp_free(&e);
  free(task_root);
  return st;
}

void ll_proc_kill(const ll_proc *p) {
  if (p->pid > 0) kill(-p->pid, SIGKILL);
}

void ll_proc_wait(ll_proc *p, int *status) {
  *status = 0;
  while (p->pid > 0 && waitpid(p->pid, status, 0) < 0 && errno == EINTR) {
  }
  /* Whatever the runtime left behind in its group goes too, so the pipe closes. */
  if (p->pid > 0) kill(-p->pid, SIGKILL);
  if (p->fwd) atomic_store(&p->fwd->exited, true);
  if (p->forwarding) pthread_join(p->forwarder, NULL);
  if (p->fwd) close(p->fwd->fd);
  free(p->fwd);
  p->fwd = NULL;
  p->forwarding = false;
  p->pid = 0;
}

long ll_proc_peak_rss_mb(pid_t pid) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  long kb = 0;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "VmHWM:", 6) != 0) continue;
    char *end = NULL;
    errno = 0;
    long v = strtol(line + 6, &end, 10);
    if (errno == 0 && end != line + 6 && v >= 0) kb = v;
    break;
  }
  fclose(f);
  return (kb + 1023) / 1024;
}
