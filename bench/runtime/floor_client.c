/* The floor: the least a Runtime API client can do. One connection, no
 * parsing beyond the status line's end, the request id and Content-Length,
 * and the event echoed back in a single writev. Whatever the real runtime
 * costs on top of this is the runtime's overhead. Not production code: it
 * trusts its peer (the benchmark server). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define HDR_MAX 8192

static int connect_api(const char *hostport) {
  char host[64];
  const char *colon = strrchr(hostport, ':');
  if (!colon || (size_t)(colon - hostport) >= sizeof host) return -1;
  memcpy(host, hostport, (size_t)(colon - hostport));
  host[colon - hostport] = '\0';
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)strtol(colon + 1, NULL, 10))};
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) return -1;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) return -1;
  return fd;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Reads one HTTP answer: headers into hdr, body into *body (grown as needed). */
static long read_answer(int fd, char *hdr, char **body, size_t *cap, char *reqid, size_t idlen) {
  size_t used = 0;
  char *end = NULL;
  while (!end) {
    if (used >= HDR_MAX - 1) return -1;
    ssize_t r = read(fd, hdr + used, HDR_MAX - 1 - used);
    if (r <= 0) return -1;
    used += (size_t)r;
    hdr[used] = '\0';
    end = strstr(hdr, "\r\n\r\n");
  }
  size_t hlen = (size_t)(end - hdr) + 4;
  long clen = 0;
  for (char *line = strstr(hdr, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
    if (strncasecmp(line + 2, "Content-Length:", 15) == 0) clen = strtol(line + 17, NULL, 10);
    if (reqid && strncasecmp(line + 2, "Lambda-Runtime-Aws-Request-Id:", 30) == 0) {
      const char *v = line + 32;
      size_t n = strcspn(v, "\r");
      if (n >= idlen) n = idlen - 1;
      memcpy(reqid, v, n);
      reqid[n] = '\0';
    }
  }
  if ((size_t)clen + 1 > *cap) {
    *cap = (size_t)clen + 1;
    *body = realloc(*body, *cap);
  }
  size_t have = used - hlen;
  memcpy(*body, hdr + hlen, have);
  while ((long)have < clen) {
    ssize_t r = read(fd, *body + have, (size_t)clen - have);
    if (r <= 0) return -1;
    have += (size_t)r;
  }
  return clen;
}

int main(void) {
  const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
  int fd = api ? connect_api(api) : -1;
  if (fd < 0) return 1;
  static char hdr[HDR_MAX];
  char *body = NULL, *ack = NULL;
  size_t cap = 0, ackcap = 0;
  char reqid[128] = "";
  static const char next[] = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: api\r\n\r\n";
  for (;;) {
    if (write_all(fd, next, sizeof next - 1)) return 1;
    long n = read_answer(fd, hdr, &body, &cap, reqid, sizeof reqid);
    if (n < 0) return 1;
    char head[512];
    int hl = snprintf(head, sizeof head,
                      "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: api\r\n"
                      "Content-Length: %ld\r\n\r\n", reqid, n);
    struct iovec iov[2] = {{head, (size_t)hl}, {body, (size_t)n}};
    ssize_t w = writev(fd, iov, 2);
    if (w < 0) return 1;
    /* A large body may go out in more than one write; finish it. */
    if (w < hl && write_all(fd, head + w, (size_t)(hl - w))) return 1;
    size_t sent = w > hl ? (size_t)(w - hl) : 0;
    if (write_all(fd, body + sent, (size_t)n - sent)) return 1;
    if (read_answer(fd, hdr, &ack, &ackcap, NULL, 0) < 0) return 1;
  }
}
