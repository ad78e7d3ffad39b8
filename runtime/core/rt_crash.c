/* Crash reporter. Only async-signal-safe calls inside on_crash: the
 * request and log line are assembled with the tiny formatter below into
 * buffers prepared when the invocation started. */
#include "rt_crash.h"

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lr/buf.h"
#include "rt_json.h"
#include "lr/runtime_api.h"

#define LR_CRASH_ALTSTACK (64u * 1024u)
#define LR_CRASH_IO_TIMEOUT_S 2

/* The reporter of this process. A file-scope pointer is unavoidable: a
 * signal handler receives no user data. Set by install, cleared by uninstall. */
static lr__crash *volatile crash_active;

static const int crash_signals[LR_CRASH_NSIG] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE};
static const char *const crash_names[LR_CRASH_NSIG] = {"SIGSEGV", "SIGABRT", "SIGBUS", "SIGFPE"};
static const char *const crash_what[LR_CRASH_NSIG] = {
    "segmentation fault", "aborted", "bus error", "arithmetic exception"};

/* ---- async-signal-safe formatting ---- */

typedef struct sbuf {
  char *p;
  size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n) {
  if (n > b->cap - b->len) n = b->cap - b->len;
  memcpy(b->p + b->len, s, n); /* memcpy and strlen are async-signal-safe (POSIX 2016) */
  b->len += n;
}

static void sb_adds(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_addu(sbuf *b, uint64_t v, int width) {
  char d[24];
  int n = 0;
  do d[n++] = (char)('0' + v % 10), v /= 10;
  while (v && n < (int)sizeof d);
  while (n < width && n < (int)sizeof d) d[n++] = '0';
  while (n) sb_add(b, &d[--n], 1);
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm): gmtime_r
 * is not async-signal-safe. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void sb_add_timestamp(sbuf *b) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  int64_t secs = ts.tv_sec, days = secs / 86400, rem = secs % 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  sb_addu(b, (uint64_t)y, 4), sb_add(b, "-", 1), sb_addu(b, m, 2), sb_add(b, "-", 1);
  sb_addu(b, d, 2), sb_add(b, "T", 1), sb_addu(b, (uint64_t)rem / 3600, 2), sb_add(b, ":", 1);
  sb_addu(b, (uint64_t)rem % 3600 / 60, 2), sb_add(b, ":", 1), sb_addu(b, (uint64_t)rem % 60, 2);
  sb_add(b, ".", 1), sb_addu(b, (uint64_t)ts.tv_nsec / 1000000u, 3), sb_add(b, "Z", 1);
}

static void write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == ENOTSOCK) w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w, n -= (size_t)w;
  }
}

/* ---- the handler ---- */

static void crash_log(lr__crash *c, int i) {
  sbuf b = {c->out, 0, sizeof c->out};
  sb_adds(&b, "{\"timestamp\":\"");
  sb_add_timestamp(&b);
  sb_adds(&b, "\",\"level\":\"FATAL\",\"message\":\"the handler crashed: ");
  sb_adds(&b, crash_names[i]), sb_adds(&b, " ("), sb_adds(&b, crash_what[i]);
  sb_adds(&b, ")\",\"signal\":\""), sb_adds(&b, crash_names[i]), sb_adds(&b, "\"");
  sb_add(&b, c->log_tail, c->log_tail_len);
  write_all(c->log_fd, b.p, b.len);
}

static void crash_post(lr__crash *c, int i) {
  char body[256];
  sbuf bb = {body, 0, sizeof body};
  sb_adds(&bb, "{\"errorType\":\"Runtime.Crash\",\"errorMessage\":\"Runtime exited with signal ");
  sb_adds(&bb, crash_names[i]), sb_adds(&bb, " ("), sb_adds(&bb, crash_what[i]);
  sb_adds(&bb, ")\",\"stackTrace\":[]}");
  sbuf b = {c->out, 0, sizeof c->out};
  sb_add(&b, c->head, c->head_len), sb_addu(&b, bb.len, 1), sb_adds(&b, "\r\n\r\n");
  sb_add(&b, body, bb.len);
  int fd = socket(c->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  struct timeval tv = {LR_CRASH_IO_TIMEOUT_S, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, (const struct sockaddr *)&c->addr, c->addrlen) == 0) {
    write_all(fd, b.p, b.len);
    /* Wait for the first bytes of the answer: the post is then in before we
     * die. The rest of the answer does not matter. */
    char ans[512];
    while (read(fd, ans, sizeof ans) < 0 && errno == EINTR) {
    }
  }
  close(fd);
}

static void on_crash(int sig) {
  int saved = errno;
  lr__crash *c = crash_active;
  int i = 0;
  while (i < LR_CRASH_NSIG - 1 && crash_signals[i] != sig) i++;
  if (c) {
    int armed = c->armed;
    c->armed = 0; /* a second fault while reporting must not loop */
    crash_log(c, i);
    if (armed) crash_post(c, i);
  }
  /* Die of the signal itself, so Lambda (and a parent) see how it ended. */
  signal(sig, SIG_DFL);
  raise(sig);
  errno = saved;
}

/* ---- set-up (normal context) ---- */

static bool resolve(lr__crash *c, const char *api) {
  char host[256];
  const char *colon = strrchr(api, ':');
  if (!colon || (size_t)(colon - api) >= sizeof host || colon == api) return false;
  const char *h = api;
  size_t hlen = (size_t)(colon - api);
  if (h[0] == '[' && hlen >= 2 && h[hlen - 1] == ']') h++, hlen -= 2;
  memcpy(host, h, hlen);
  host[hlen] = '\0';
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  struct addrinfo *res = NULL;
  if (getaddrinfo(host, colon + 1, &hints, &res) != 0 || !res) return false;
  bool ok = res->ai_addrlen <= sizeof c->addr;
  if (ok) memcpy(&c->addr, res->ai_addr, res->ai_addrlen), c->addrlen = res->ai_addrlen;
  freeaddrinfo(res);
  return ok;
}

/* Copies the escaped tail into c->log_tail; an over-long one is left empty
 * and the line closed plainly. */
static void build_log_tail(lr__crash *c, const char *function_name, const char *request_id) {
  lr_buf b;
  lr_buf_init(&b, sizeof c->log_tail - 1);
  lr_buf_status st = lr_buf_adds(&b, ",\"function\":");
  if (st == LR_BUF_OK) st = lr__json_strz(&b, function_name);
  if (st == LR_BUF_OK) st = lr_buf_adds(&b, ",\"request_id\":");
  if (st == LR_BUF_OK) st = lr__json_strz(&b, request_id);
  if (st == LR_BUF_OK) st = lr_buf_adds(&b, "}\n");
  const char *src = st == LR_BUF_OK ? b.data : "}\n";
  c->log_tail_len = strlen(src);
  memcpy(c->log_tail, src, c->log_tail_len);
  lr_buf_free(&b);
}

static bool set_handlers(lr__crash *c) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_crash;
  sa.sa_flags = SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < LR_CRASH_NSIG; i++) sigaddset(&sa.sa_mask, crash_signals[i]);
  for (int i = 0; i < LR_CRASH_NSIG; i++)
    if (sigaction(crash_signals[i], &sa, &c->old[i]) != 0) return false;
  return true;
}

bool lr__crash_install(lr__crash *c, const char *api, int log_fd, const char *function_name) {
  memset(c, 0, sizeof *c);
  c->log_fd = log_fd;
  build_log_tail(c, function_name, "");
  if (crash_active || !api || strlen(api) >= sizeof c->host || !resolve(c, api)) return false;
  memcpy(c->host, api, strlen(api) + 1); /* host:port, checked by the client: no CR/LF */
  c->altstack_len = LR_CRASH_ALTSTACK;
  c->altstack = malloc(c->altstack_len);
  if (!c->altstack) return false;
  stack_t ss = {.ss_sp = c->altstack, .ss_size = c->altstack_len, .ss_flags = 0};
  if (sigaltstack(&ss, &c->old_stack) != 0) {
    free(c->altstack), c->altstack = NULL;
    return false;
  }
  crash_active = c;
  c->installed = 1;
  if (!set_handlers(c)) {
    lr__crash_uninstall(c);
    return false;
  }
  return true;
}

void lr__crash_arm(lr__crash *c, const char *request_id, const char *function_name) {
  if (!c || !c->installed) return;
  c->armed = 0;
  int n = snprintf(c->head, sizeof c->head,
                   "POST " LR_RAPI_PREFIX LR_RAPI_INVOCATION "%s" LR_RAPI_ERROR " HTTP/1.1\r\n"
                   "Host: %s\r\nContent-Type: application/json\r\n"
                   LR_RAPI_H_ERROR_TYPE ": Runtime.Crash\r\n"
                   "Connection: close\r\nContent-Length: ",
                   request_id, c->host);
  if (n < 0 || (size_t)n >= sizeof c->head) return;
  c->head_len = (size_t)n;
  build_log_tail(c, function_name, request_id);
  c->armed = 1;
}

void lr__crash_disarm(lr__crash *c) {
  if (c) c->armed = 0;
}

void lr__crash_uninstall(lr__crash *c) {
  if (!c || !c->installed) return;
  for (int i = 0; i < LR_CRASH_NSIG; i++) sigaction(crash_signals[i], &c->old[i], NULL);
  crash_active = NULL;
  sigaltstack(&c->old_stack, NULL);
  free(c->altstack);
  c->altstack = NULL;
  c->installed = 0;
}
