/* See it_freeze.h. */
#include "it_freeze.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define IT_MAX_FROZEN 8

typedef struct it_frozen {
  pid_t pid;
  pid_t watchdog;
} it_frozen;

static it_frozen frozen[IT_MAX_FROZEN];
static int nfrozen;

int64_t it_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void it_freeze(pid_t pid, unsigned max_ms) {
  ck_assert_int_lt(nfrozen, IT_MAX_FROZEN);
  ck_assert_int_gt(pid, 1);
  pid_t dog = fork();
  ck_assert_int_ge(dog, 0);
  if (dog == 0) {
    setsid(); /* outlives a killed test child */
    struct timespec ts = {.tv_sec = max_ms / 1000, .tv_nsec = (long)(max_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    kill(pid, SIGCONT);
    _exit(0);
  }
  frozen[nfrozen++] = (it_frozen){.pid = pid, .watchdog = dog};
  ck_assert_int_eq(kill(pid, SIGSTOP), 0);
}

void it_thaw_all(void) {
  for (int i = 0; i < nfrozen; i++) {
    kill(frozen[i].pid, SIGCONT);
    kill(frozen[i].watchdog, SIGKILL);
    waitpid(frozen[i].watchdog, NULL, 0);
  }
  nfrozen = 0;
}

pid_t it_parent_pid(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  int ppid = 0;
  /* pid (comm) state ppid: comm may hold spaces, so skip to the last ')' */
  char line[1024];
  char *ok = fgets(line, sizeof line, f);
  fclose(f);
  ck_assert_ptr_nonnull(ok);
  char *rp = strrchr(line, ')');
  ck_assert_ptr_nonnull(rp);
  ck_assert_int_eq(sscanf(rp + 1, " %*c %d", &ppid), 1);
  return (pid_t)ppid;
}

int it_silent_listener(int *port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof sa;
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
  ck_assert_int_eq(listen(fd, 64), 0);
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
  *port = ntohs(sa.sin_port);
  return fd;
}
