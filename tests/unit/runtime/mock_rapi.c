#include "mock_rapi.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define HEAD_MAX (64 * 1024)
#define BODY_MAX (64u * 1024u * 1024u)

typedef struct conn_arg {
  mock_rapi *m;
  int fd;
} conn_arg;

static int send_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w, n -= (size_t)w;
  }
  return 0;
}

/* Reads up to the blank line; extra bytes read past it are the body's start. */
static ssize_t read_head(int fd, char *buf, size_t cap, size_t *got) {
  *got = 0;
  while (*got < cap - 1) {
    ssize_t r = recv(fd, buf + *got, cap - 1 - *got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    *got += (size_t)r;
    buf[*got] = '\0';
    char *end = strstr(buf, "\r\n\r\n");
    if (end) return end + 4 - buf;
  }
  return -1;
}

static size_t content_length(const char *head) {
  const char *p = head;
  while ((p = strchr(p, '\n')) != NULL) {
    p++;
    if (strncasecmp(p, "Content-Length:", 15) == 0) return strtoul(p + 15, NULL, 10);
  }
  return 0;
}

static int read_body(int fd, mock_req *r, const char *have, size_t have_len) {
  size_t want = content_length(r->head);
  if (want > BODY_MAX) return -1;
  r->body = malloc(want + 1);
  if (!r->body) return -1;
  size_t n = have_len < want ? have_len : want;
  memcpy(r->body, have, n);
  while (n < want) {
    ssize_t got = recv(fd, r->body + n, want - n, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return -1;
    n += (size_t)got;
  }
  r->body[want] = '\0';
  r->body_len = want;
  return 0;
}

static void req_free(mock_req *r) {
  free(r->head);
  free(r->body);
  memset(r, 0, sizeof *r);
}

/* Parses one request; 0 on success. */
static int read_request(int fd, mock_req *r) {
  static const size_t cap = HEAD_MAX;
  char *buf = malloc(cap);
  size_t got = 0;
  ssize_t end = buf ? read_head(fd, buf, cap, &got) : -1;
  int rc = -1;
  if (end > 0) {
    buf[end - 2] = '\0';
    char *line_end = strstr(buf, "\r\n");
    *line_end = '\0';
    if (sscanf(buf, "%15s %1023s", r->method, r->path) == 2) {
      r->head = strdup(line_end + 2);
      rc = r->head ? read_body(fd, r, buf + end, got - (size_t)end) : -1;
    }
  }
  free(buf);
  return rc;
}

static void record(mock_rapi *m, mock_req *r) {
  if (!m->record) {
    req_free(r);
    return;
  }
  if (m->n_reqs == m->cap_reqs) {
    size_t cap = m->cap_reqs ? m->cap_reqs * 2 : 16;
    mock_req *p = realloc(m->reqs, cap * sizeof *p);
    if (!p) {
      req_free(r);
      return;
    }
    m->reqs = p, m->cap_reqs = cap;
  }
  m->reqs[m->n_reqs++] = *r;
}

static int answer_next(int fd, const mock_next *n, size_t serial, int vary) {
  char head[4096];
  const char *body = n && n->body ? n->body : "{}";
  size_t len = n && n->body_len ? n->body_len : strlen(body);
  if (!n) return snprintf(head, sizeof head, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"),
               send_all(fd, head, strlen(head));
  if (n->kind == MOCK_STATUS) {
    snprintf(head, sizeof head, "HTTP/1.1 %d Mock\r\nContent-Length: 0\r\n\r\n", n->status);
    return send_all(fd, head, strlen(head));
  }
  int k = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n");
  if (n->kind != MOCK_NO_ID && vary)
    k += snprintf(head + k, sizeof head - (size_t)k,
                  "Lambda-Runtime-Aws-Request-Id: %s-%zu\r\nLambda-Runtime-Trace-Id: Root=1-%zu\r\n",
                  n->request_id, serial, serial);
  else if (n->kind != MOCK_NO_ID)
    k += snprintf(head + k, sizeof head - (size_t)k, "Lambda-Runtime-Aws-Request-Id: %s\r\n", n->request_id);
  /* Extra headers go out as they are: a test may make them huge. */
  if (send_all(fd, head, (size_t)k) != 0) return -1;
  if (n->headers && send_all(fd, n->headers, strlen(n->headers)) != 0) return -1;
  snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", len);
  if (send_all(fd, head, strlen(head)) != 0) return -1;
  if (n->kind == MOCK_DROP_MID) {
    send_all(fd, body, len / 2);
    return -1; /* the caller closes the connection */
  }
  return send_all(fd, body, len);
}

static const mock_next *take_next(mock_rapi *m) {
  if (m->next_i < m->n_script) return &m->script[m->next_i++];
  if (m->repeat_last && m->n_script) return &m->script[m->n_script - 1];
  return NULL;
}

static int serve_one(mock_rapi *m, int fd) {
  mock_req r;
  memset(&r, 0, sizeof r);
  if (read_request(fd, &r) != 0) {
    req_free(&r);
    return -1;
  }
  int is_get = strcmp(r.method, "GET") == 0;
  pthread_mutex_lock(&m->mu);
  const mock_next *n = is_get ? take_next(m) : NULL;
  int fail = !is_get && m->post_failures > 0 ? (m->post_failures--, 1) : 0;
  size_t plen = strlen(r.path);
  int refuse = !is_get && !fail && m->response_refusals > 0 && plen > 9 &&
               strcmp(r.path + plen - 9, "/response") == 0;
  int refusal = refuse ? (m->response_refusals--, m->refusal_status) : 0;
  size_t serial = is_get ? m->n_gets++ : m->n_posts++;
  int vary = m->vary_ids;
  record(m, &r);
  pthread_mutex_unlock(&m->mu);
  if (is_get) return answer_next(fd, n, serial, vary);
  if (refusal) {
    char a[128];
    snprintf(a, sizeof a, "HTTP/1.1 %d Refused\r\nContent-Length: 2\r\n\r\n{}", refusal);
    return send_all(fd, a, strlen(a));
  }
  const char *a = fail ? "HTTP/1.1 500 Mock\r\nContent-Length: 0\r\n\r\n"
                       : "HTTP/1.1 202 Accepted\r\nContent-Length: 15\r\n\r\n{\"status\":\"OK\"}";
  return send_all(fd, a, strlen(a));
}

static void *conn_main(void *arg) {
  conn_arg a = *(conn_arg *)arg;
  free(arg);
  while (serve_one(a.m, a.fd) == 0) {
  }
  shutdown(a.fd, SHUT_RDWR);
  return NULL;
}

static void *accept_main(void *arg) {
  mock_rapi *m = arg;
  for (;;) {
    int fd = accept(m->lfd, NULL, NULL);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return NULL;
    }
    int one = 1; /* answers go out in several writes: no Nagle stalls */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    pthread_mutex_lock(&m->mu);
    conn_arg *ca = m->stopping || m->n_conns >= MOCK_MAX_CONNS ? NULL : malloc(sizeof *ca);
    if (ca) {
      ca->m = m, ca->fd = fd;
      m->conn_fds[m->n_conns] = fd;
      if (pthread_create(&m->conn_threads[m->n_conns], NULL, conn_main, ca) == 0) m->n_conns++;
      else free(ca), ca = NULL;
    }
    pthread_mutex_unlock(&m->mu);
    if (!ca) close(fd);
  }
}

static int listen_any(int *port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof sa;
  if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 64) != 0 ||
      getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  *port = ntohs(sa.sin_port);
  return fd;
}

void mock_rapi_start(mock_rapi *m, const mock_next *script, size_t n) {
  memset(m, 0, sizeof *m);
  pthread_mutex_init(&m->mu, NULL);
  m->script = script, m->n_script = n, m->record = 1;
  m->lfd = listen_any(&m->port);
  if (m->lfd < 0) abort(); /* a test cannot run without its server */
  snprintf(m->api, sizeof m->api, "127.0.0.1:%d", m->port);
  if (pthread_create(&m->acceptor, NULL, accept_main, m) != 0) abort();
}

void mock_rapi_stop(mock_rapi *m) {
  if (m->lfd < 0) return;
  pthread_mutex_lock(&m->mu);
  m->stopping = 1;
  pthread_mutex_unlock(&m->mu);
  shutdown(m->lfd, SHUT_RDWR);
  pthread_join(m->acceptor, NULL);
  close(m->lfd);
  m->lfd = -1;
  for (size_t i = 0; i < m->n_conns; i++) shutdown(m->conn_fds[i], SHUT_RDWR);
  for (size_t i = 0; i < m->n_conns; i++) {
    pthread_join(m->conn_threads[i], NULL);
    close(m->conn_fds[i]);
  }
  m->n_conns = 0;
}

void mock_rapi_free(mock_rapi *m) {
  mock_rapi_stop(m);
  for (size_t i = 0; i < m->n_reqs; i++) req_free(&m->reqs[i]);
  free(m->reqs);
  m->reqs = NULL;
  m->n_reqs = m->cap_reqs = 0;
  pthread_mutex_destroy(&m->mu);
}

const char *mock_req_header(const mock_req *r, const char *name, char *out, size_t cap) {
  size_t nlen = strlen(name);
  for (const char *p = r->head; p && *p;) {
    const char *eol = strstr(p, "\r\n");
    size_t llen = eol ? (size_t)(eol - p) : strlen(p);
    if (llen > nlen && p[nlen] == ':' && strncasecmp(p, name, nlen) == 0) {
      const char *v = p + nlen + 1;
      while (*v == ' ') v++;
      size_t vlen = llen - (size_t)(v - p);
      if (vlen >= cap) vlen = cap - 1;
      memcpy(out, v, vlen);
      out[vlen] = '\0';
      return out;
    }
    p = eol ? eol + 2 : p + llen;
  }
  return NULL;
}

long mock_find(mock_rapi *m, const char *method, const char *path, int nth) {
  for (size_t i = 0; i < m->n_reqs; i++)
    if (strcmp(m->reqs[i].method, method) == 0 && strcmp(m->reqs[i].path, path) == 0 && nth-- == 0)
      return (long)i;
  return -1;
}

int mock_dead_port(void) {
  int port = 0;
  int fd = listen_any(&port);
  if (fd >= 0) close(fd);
  return port;
}
