#include "run_capture.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void drain(int fd, lr_buf *b) {
  char chunk[4096];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (b && b->len + (size_t)n <= b->max) lr_buf_add(b, chunk, (size_t)n);
  }
}

/* execve wants char *const[]: copy the pointers (it never writes through them). */
static int to_vector(const char *const in[], char *out[RUN_MAX_ARGS + 1]) {
  size_t i = 0;
  for (; in[i]; i++) {
    if (i == RUN_MAX_ARGS) return -1;
    memcpy(&out[i], &in[i], sizeof out[i]);
  }
  out[i] = NULL;
  return 0;
}

int run_capture(const char *const argv[], const char *const envp[], lr_buf *out, lr_buf *err_out) {
  char *args[RUN_MAX_ARGS + 1], *env[RUN_MAX_ARGS + 1];
  if (to_vector(argv, args) != 0 || to_vector(envp, env) != 0) return -1;
  int po[2], pe[2];
  if (pipe(po) != 0) return -1;
  if (pipe(pe) != 0) {
    close(po[0]);
    close(po[1]);
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(po[1], 1);
    if (err_out) dup2(pe[1], 2);
    close(po[0]);
    close(pe[0]);
    execve(args[0], args, env);
    _exit(127);
  }
  close(po[1]);
  close(pe[1]);
  /* Small outputs: read stdout to the end, then stderr. */
  drain(po[0], out);
  drain(pe[0], err_out);
  close(po[0]);
  close(pe[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
