/* bench-runtime: a minimal Runtime API server that drives one function
 * process and measures it.
 *
 *   bench-runtime --target PATH --size BYTES --count N [--cold M] [--handler NAME]
 *
 * Cold start: M times, exec the target and time until its first
 * GET /next arrives. Throughput: one process serves N events of BYTES bytes
 * (after a warm-up); for each, the time from the start of our /next answer to
 * the end of its /response POST. The response must equal the event (echo).
 * Prints one line: target size count inv_per_s p50_us p99_us cold_p50_us peak_rss_kib.
 * Single connection, single thread, Content-Length bodies only: the server is
 * kept cheap so that it measures the client, and it is the same for every target. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HDR_MAX 16384

typedef struct conn {
  int fd;
  char buf[HDR_MAX];
  size_t used; /* bytes in buf not yet consumed */
} conn;

typedef struct request {
  char line[512];
  long content_length;
} request;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Reads one request's head; the body (if any) is read into body/cap. */
static int read_request(conn *c, request *rq, char **body, size_t *cap) {
  char *end;
  while (!(end = memmem(c->buf, c->used, "\r\n\r\n", 4))) {
    if (c->used >= sizeof c->buf) return -1;
    ssize_t r = read(c->fd, c->buf + c->used, sizeof c->buf - c->used);
    if (r <= 0) return -1;
    c->used += (size_t)r;
  }
  size_t hlen = (size_t)(end - c->buf) + 4;
  size_t ll = strcspn(c->buf, "\r");
  if (ll >= sizeof rq->line) ll = sizeof rq->line - 1;
  memcpy(rq->line, c->buf, ll);
  rq->line[ll] = '\0';
  rq->content_length = 0;
  for (char *p = c->buf; p && p < end; p = memmem(p + 2, (size_t)(end - p), "\r\n", 2)) {
    if (strncasecmp(p + 2, "Content-Length:", 15) == 0) rq->content_length = strtol(p + 17, NULL, 10);
    if (strncasecmp(p + 2, "Transfer-Encoding:", 18) == 0) return -2;
  }
  size_t clen = (size_t)rq->content_length;
  if (clen + 1 > *cap) {
    *cap = clen + 1;
    char *nb = realloc(*body, *cap);
    if (!nb) return -1;
    *body = nb;
  }
  size_t have = c->used - hlen < clen ? c->used - hlen : clen;
  memcpy(*body, c->buf + hlen, have);
  size_t rest = c->used - hlen - have;
  memmove(c->buf, c->buf + hlen + have, rest);
  c->used = rest;
  while (have < clen) {
    ssize_t r = read(c->fd, *body + have, clen - have);
    if (r <= 0) return -1;
    have += (size_t)r;
  }
  return 0;
}

static int listen_loopback(int *port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t sl = sizeof sa;
  if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 4) ||
      getsockname(fd, (struct sockaddr *)&sa, &sl))
    return -1;
  *port = ntohs(sa.sin_port);
  return fd;
}

static pid_t spawn(const char *target, const char *handler, int port) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  char api[64];
  snprintf(api, sizeof api, "127.0.0.1:%d", port);
  setenv("AWS_LAMBDA_RUNTIME_API", api, 1);
  setenv("_HANDLER", handler, 1);
  setenv("AWS_LAMBDA_FUNCTION_NAME", "bench", 1);
  setenv("AWS_LAMBDA_LOG_LEVEL", "ERROR", 1);
  execl(target, target, (char *)NULL);
  _exit(127);
}

static long peak_rss_kib(pid_t pid) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE *f = fopen(path, "r");
  long kib = -1;
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "VmHWM:", 6) == 0) kib = strtol(line + 6, NULL, 10);
  if (f) fclose(f);
  return kib;
}

static void stop(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

static int send_event(conn *c, const char *event, size_t len, unsigned long seq) {
  char head[512];
  int hl = snprintf(head, sizeof head,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    "Lambda-Runtime-Aws-Request-Id: req-%lu\r\n"
                    "Lambda-Runtime-Deadline-Ms: 99999999999999\r\n"
                    "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:bench\r\n"
                    "Lambda-Runtime-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1\r\n"
                    "Content-Length: %zu\r\n\r\n", seq, len);
  if (write_all(c->fd, head, (size_t)hl)) return -1;
  return write_all(c->fd, event, len);
}

static const char ACK[] = "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"status\":\"OK\"}\n";

/* Serves one invocation on c: waits for /next, sends the event, reads and
 * checks the /response, acknowledges it. Returns ns from answer to response. */
static int64_t serve_one(conn *c, const char *event, size_t len, unsigned long seq, char **body, size_t *cap) {
  request rq;
  if (read_request(c, &rq, body, cap) || strncmp(rq.line, "GET ", 4) != 0) return -1;
  int64_t t0 = now_ns();
  if (send_event(c, event, len, seq)) return -1;
  if (read_request(c, &rq, body, cap) || !strstr(rq.line, "/response")) {
    fprintf(stderr, "unexpected request: %s\n", rq.line);
    return -1;
  }
  int64_t t1 = now_ns();
  if ((size_t)rq.content_length != len || memcmp(*body, event, len) != 0) {
    fprintf(stderr, "response differs from the event\n");
    return -1;
  }
  if (write_all(c->fd, ACK, sizeof ACK - 1)) return -1;
  return t1 - t0;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static int64_t percentile(int64_t *v, size_t n, double p) {
  qsort(v, n, sizeof *v, cmp_i64);
  size_t i = (size_t)(p * (double)(n - 1) + 0.5);
  return v[i];
}

static int accept_conn(int lfd, conn *c) {
  c->fd = accept(lfd, NULL, NULL);
  c->used = 0;
  int one = 1;
  if (c->fd >= 0) setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return c->fd < 0 ? -1 : 0;
}

static int64_t measure_cold(int lfd, int port, const char *target, const char *handler) {
  static conn c;
  char *body = NULL;
  size_t cap = 0;
  int64_t t0 = now_ns();
  pid_t pid = spawn(target, handler, port);
  request rq;
  int64_t dt = -1;
  if (accept_conn(lfd, &c) == 0 && read_request(&c, &rq, &body, &cap) == 0) dt = now_ns() - t0;
  stop(pid);
  if (c.fd >= 0) close(c.fd);
  free(body);
  return dt;
}

static char *make_event(size_t size) {
  static const char pre[] = "{\"data\":\"", post[] = "\"}";
  if (size < sizeof pre + sizeof post) size = sizeof pre + sizeof post;
  char *e = malloc(size);
  if (!e) return NULL;
  memcpy(e, pre, sizeof pre - 1);
  for (size_t i = sizeof pre - 1; i < size - 2; i++) e[i] = (char)('a' + i % 26);
  memcpy(e + size - 2, post, 2);
  return e;
}

int main(int argc, char **argv) {
  const char *target = NULL, *handler = "echo";
  size_t size = 200;
  long count = 1000, cold = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--target")) target = argv[i + 1];
    else if (!strcmp(argv[i], "--handler")) handler = argv[i + 1];
    else if (!strcmp(argv[i], "--size")) size = strtoul(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--count")) count = strtol(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--cold")) cold = strtol(argv[i + 1], NULL, 10);
  }
  if (!target || count < 1 || count > 10000000 || size > 64u * 1024 * 1024) {
    fprintf(stderr, "usage: bench-runtime --target PATH --size BYTES --count N [--cold M] [--handler NAME]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  int port;
  int lfd = listen_loopback(&port);
  if (lfd < 0) return 1;

  int64_t *colds = calloc((size_t)(cold > 0 ? cold : 1), sizeof *colds);
  for (long i = 0; i < cold; i++) colds[i] = measure_cold(lfd, port, target, handler);
  int64_t cold_p50 = cold > 0 ? percentile(colds, (size_t)cold, 0.5) : -1;

  char *event = make_event(size);
  int64_t *lat = calloc((size_t)count, sizeof *lat);
  char *body = NULL;
  size_t cap = 0;
  static conn c;
  pid_t pid = spawn(target, handler, port);
  if (!event || !lat || accept_conn(lfd, &c)) return 1;
  long warm = count / 10 < 100 ? count / 10 : 100;
  unsigned long seq = 0;
  for (long i = 0; i < warm; i++)
    if (serve_one(&c, event, size, seq++, &body, &cap) < 0) return 1;
  int64_t start = now_ns();
  for (long i = 0; i < count; i++)
    if ((lat[i] = serve_one(&c, event, size, seq++, &body, &cap)) < 0) return 1;
  int64_t elapsed = now_ns() - start;
  long rss = peak_rss_kib(pid);
  stop(pid);

  double ips = (double)count / ((double)elapsed / 1e9);
  printf("%s size=%zu count=%ld inv_per_s=%.0f p50_us=%.1f p99_us=%.1f cold_p50_us=%.0f peak_rss_kib=%ld\n",
         target, size, count, ips, percentile(lat, (size_t)count, 0.5) / 1e3,
         percentile(lat, (size_t)count, 0.99) / 1e3, cold_p50 / 1e3, rss);
  free(colds);
  free(lat);
  free(event);
  free(body);
  return 0;
}
