#include "mock_http.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static int read_head(int fd, mock_request *r, char *extra, size_t *extra_len) {
  size_t used = 0;
  for (;;) {
    if (used + 1 >= sizeof r->head) return -1;
    ssize_t n = recv(fd, r->head + used, sizeof r->head - 1 - used, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    used += (size_t)n;
    r->head[used] = '\0';
    char *end = strstr(r->head, "\r\n\r\n");
    if (end) {
      size_t head_len = (size_t)(end - r->head) + 4;
      *extra_len = used - head_len;
      memcpy(extra, r->head + head_len, *extra_len);
      r->head[head_len] = '\0';
      return 0;
    }
  }
}

static size_t content_length(const mock_request *r) {
  const char *p = strcasestr(r->head, "\r\ncontent-length:");
  return p ? (size_t)strtoul(p + 17, NULL, 10) : 0;
}

static int read_request(int fd, mock_request *r) {
  static char extra[MOCK_HEAD_MAX];
  size_t have = 0;
  if (read_head(fd, r, extra, &have) != 0) return -1;
  size_t want = content_length(r);
  if (want > MOCK_BODY_MAX) return -1;
  r->body = malloc(want + 1);
  if (!r->body) return -1;
  memcpy(r->body, extra, have < want ? have : want);
  while (have < want) {
    ssize_t n = recv(fd, r->body + have, want - have, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    have += (size_t)n;
  }
  r->body[want] = '\0';
  r->body_len = want;
  return 0;
}

static void send_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= (size_t)w;
  }
}

static void reply(int fd, const mock_action *a) {
  size_t blen = a->body ? (a->body_len ? a->body_len : strlen(a->body)) : 0;
  size_t promised = a->kind == MOCK_SHORT ? blen + 100 : blen;
  char head[1024];
  int n = snprintf(head, sizeof head, "HTTP/1.1 %d Mock\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n",
                   a->status, promised, a->headers ? a->headers : "");
  send_all(fd, head, (size_t)n);
  if (blen) send_all(fd, a->body, blen);
}

/* Waits for the client to close (its timeout) without answering. */
static void hang(int fd) {
  struct pollfd p = {fd, POLLIN, 0};
  char b[256];
  while (poll(&p, 1, 5000) == 1 && recv(fd, b, sizeof b, 0) > 0) {
  }
}

static void *serve(void *arg) {
  mock_server *m = arg;
  for (size_t i = 0; i < m->n_actions; i++) {
    int c = accept(m->fd, NULL, NULL);
    if (c < 0) break; /* mock_stop shut the socket down */
    mock_request *r = &m->reqs[m->n_reqs];
    if (read_request(c, r) == 0) {
      m->n_reqs++;
      if (m->actions[i].kind == MOCK_REPLY || m->actions[i].kind == MOCK_SHORT) reply(c, &m->actions[i]);
      if (m->actions[i].kind == MOCK_HANG) hang(c);
    }
    close(c);
  }
  return NULL;
}

void mock_start(mock_server *m, const mock_action *actions, size_t n) {
  memset(m, 0, sizeof *m);
  ck_assert_uint_le(n, MOCK_MAX);
  memcpy(m->actions, actions, n * sizeof *actions);
  m->n_actions = n;
  m->fd = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(m->fd, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(m->fd, (struct sockaddr *)&a, sizeof a), 0);
  ck_assert_int_eq(listen(m->fd, 16), 0);
  socklen_t len = sizeof a;
  ck_assert_int_eq(getsockname(m->fd, (struct sockaddr *)&a, &len), 0);
  m->port = ntohs(a.sin_port);
  ck_assert_int_eq(pthread_create(&m->thread, NULL, serve, m), 0);
}

void mock_stop(mock_server *m) {
  shutdown(m->fd, SHUT_RDWR);
  pthread_join(m->thread, NULL);
  close(m->fd);
}

void mock_free(mock_server *m) {
  for (size_t i = 0; i < m->n_reqs; i++) free(m->reqs[i].body);
  m->n_reqs = 0;
}

const char *mock_header(const mock_server *m, size_t i, const char *name, char *out, size_t cap) {
  if (i >= m->n_reqs) return NULL;
  char needle[128];
  snprintf(needle, sizeof needle, "\r\n%s:", name);
  const char *p = strcasestr(m->reqs[i].head, needle);
  if (!p) return NULL;
  p += strlen(needle);
  while (*p == ' ') p++;
  size_t n = strcspn(p, "\r");
  if (n >= cap) n = cap - 1;
  memcpy(out, p, n);
  out[n] = '\0';
  return out;
}

const char *mock_request_line(const mock_server *m, size_t i, char *out, size_t cap) {
  if (i >= m->n_reqs) return NULL;
  const char *h = m->reqs[i].head;
  size_t n = strcspn(h, "\r");
  const char *http = memmem(h, n, " HTTP/", 6);
  if (http) n = (size_t)(http - h);
  if (n >= cap) n = cap - 1;
  memcpy(out, h, n);
  out[n] = '\0';
  return out;
}
