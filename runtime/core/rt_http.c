/* The Runtime API transport: one keep-alive TCP connection, requests
 * written with one sendmsg (head + body), answers read through one reused
 * 64 KiB buffer, bodies straight into the caller's buffer. */
#include "rt_http.h"
#include "lr/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef LR_RUNTIME_VERSION
#define LR_RUNTIME_VERSION "0"
#endif
#define LR_HTTP_USER_AGENT "orders-lambda-runtime/" LR_RUNTIME_VERSION
#define LR_HTTP_INTERIM_MAX 4 /* 1xx answers skipped before the final one */

static lr_rt_status http_fail(lr__http *h, lr_rt_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static lr_rt_status http_fail(lr__http *h, lr_rt_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(h->err, sizeof h->err, fmt, ap);
  va_end(ap);
  lr__http_close(h);
  return st;
}

/* ---- set-up ---- */

/* host and port out of "host:port" or "[v6]:port"; false when malformed
 * or too long. */
static bool split_hostport(const char *hp, char *host, size_t cap, const char **port) {
  const char *colon = strrchr(hp, ':');
  if (!colon || colon == hp || !colon[1]) return false;
  const char *h = hp;
  size_t hlen = (size_t)(colon - hp);
  if (h[0] == '[' && hlen >= 2 && h[hlen - 1] == ']') h++, hlen -= 2;
  if (hlen == 0 || hlen >= cap) return false;
  for (const char *p = colon + 1; *p; p++)
    if (*p < '0' || *p > '9') return false;
  memcpy(host, h, hlen);
  host[hlen] = '\0';
  *port = colon + 1;
  return true;
}

static lr_rt_status resolve(lr__http *h, const char *hostport) {
  char host[LR_HTTP_HOST_MAX];
  const char *port = NULL;
  if (!split_hostport(hostport, host, sizeof host, &port))
    return http_fail(h, LR_RT_CONFIG, "AWS_LAMBDA_RUNTIME_API is not host:port");
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                           .ai_flags = AI_NUMERICSERV};
  struct addrinfo *res = NULL;
  int rc = getaddrinfo(host, port, &hints, &res);
  if (rc != 0) return http_fail(h, LR_RT_CONFIG, "cannot resolve %s: %s", host, gai_strerror(rc));
  for (struct addrinfo *ai = res; ai && h->n_addrs < LR_HTTP_ADDRS_MAX; ai = ai->ai_next) {
    if (ai->ai_addrlen > sizeof h->addr[0]) continue;
    memcpy(&h->addr[h->n_addrs], ai->ai_addr, ai->ai_addrlen);
    h->addrlen[h->n_addrs++] = ai->ai_addrlen;
  }
  freeaddrinfo(res);
  return h->n_addrs ? LR_RT_OK : http_fail(h, LR_RT_CONFIG, "no usable address for %s", host);
}

lr_rt_status lr__http_init(lr__http *h, const char *hostport) {
  memset(h, 0, sizeof *h);
  h->fd = -1;
  lr_buf_init(&h->head, LR_HTTP_REQ_HEAD_MAX);
  if (!hostport || strlen(hostport) >= sizeof h->host)
    return http_fail(h, LR_RT_CONFIG, "AWS_LAMBDA_RUNTIME_API is not host:port");
  memcpy(h->host, hostport, strlen(hostport) + 1);
  lr_rt_status st = resolve(h, hostport);
  if (st != LR_RT_OK) return st;
  h->in = malloc(LR_HTTP_HEAD_MAX);
  return h->in ? LR_RT_OK : http_fail(h, LR_RT_NOMEM, "cannot allocate the receive buffer");
}

void lr__http_close(lr__http *h) {
  if (h->fd >= 0) close(h->fd);
  h->fd = -1;
  h->served = 0;
  h->in_off = h->in_len = 0;
}

void lr__http_free(lr__http *h) {
  if (!h) return;
  lr__http_close(h);
  lr_buf_free(&h->head);
  free(h->in);
  h->in = NULL;
}

/* ---- connecting ---- */

static int wait_fd(int fd, short events, int timeout_ms) {
  struct pollfd p = {.fd = fd, .events = events};
  int rc;
  while ((rc = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR) {
  }
  if (rc == 0) errno = ETIMEDOUT;
  return rc;
}

/* timeout_ms (-1: none) cut to what is left of the request's total; 0 when
 * nothing is left (poll then times out at once). */
static int clip_timeout(const lr__http *h, int timeout_ms) {
  if (h->until_ms <= 0) return timeout_ms;
  int64_t left = h->until_ms - lr_clock_mono_ms();
  if (left <= 0) return 0;
  return timeout_ms < 0 || left < timeout_ms ? (int)left : timeout_ms;
}

/* A connected, blocking socket, or -1 with errno set. */
static int connect_one(const struct sockaddr *sa, socklen_t len) {
  int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  int err = 0, one = 1;
  socklen_t elen = sizeof err;
  if (connect(fd, sa, len) != 0) {
    if (errno != EINPROGRESS) err = errno;
    else if (wait_fd(fd, POLLOUT, LR_HTTP_CONNECT_TIMEOUT_MS) <= 0) err = errno;
    else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) err = errno;
  }
  struct timeval tv = {LR_HTTP_SEND_TIMEOUT_S, 0};
  if (!err && (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 ||
               setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0))
    err = errno;
  if (err) {
    close(fd);
    errno = err;
    return -1;
  }
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static lr_rt_status http_connect(lr__http *h) {
  int err = 0;
  for (int i = 0; i < h->n_addrs; i++) {
    h->fd = connect_one((const struct sockaddr *)&h->addr[i], h->addrlen[i]);
    if (h->fd >= 0) return LR_RT_OK;
    err = errno;
  }
  return http_fail(h, LR_RT_TRANSPORT, "cannot connect to %s: %s", h->host, strerror(err));
}

/* ---- sending ---- */

static lr_rt_status build_head(lr__http *h, const lr__http_req *r) {
  lr_buf *b = &h->head;
  lr_buf_reset(b);
  lr_buf_status st = lr_buf_addf(b, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: " LR_HTTP_USER_AGENT "\r\n",
                                 r->method == LR_HTTP_POST ? "POST" : "GET", r->path, h->host);
  if (st == LR_BUF_OK && r->method == LR_HTTP_POST)
    st = lr_buf_addf(b, "Content-Length: %zu\r\n", r->body_len);
  if (st == LR_BUF_OK && r->extra) st = lr_buf_adds(b, r->extra);
  if (st == LR_BUF_OK) st = lr_buf_adds(b, "\r\n");
  return st == LR_BUF_OK ? LR_RT_OK : http_fail(h, LR_RT_NOMEM, "request head over its limit");
}

/* Writes every iovec, looping on partial writes, each wait for room bounded
 * by LR_HTTP_SEND_TIMEOUT_S and by the request's total; true when all is
 * sent, else false with errno set. */
static bool send_all(lr__http *h, struct iovec *iov, int n) {
  while (n > 0) {
    struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    /* no SIGPIPE if the peer is gone; never block past the total */
    ssize_t w = sendmsg(h->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (wait_fd(h->fd, POLLOUT, clip_timeout(h, LR_HTTP_SEND_TIMEOUT_S * 1000)) <= 0) return false;
      continue;
    }
    if (w <= 0) return false;
    for (; n > 0 && (size_t)w >= iov->iov_len; iov++, n--) w -= (ssize_t)iov->iov_len;
    if (n > 0) iov->iov_base = (char *)iov->iov_base + w, iov->iov_len -= (size_t)w;
  }
  return true;
}

static lr_rt_status send_request(lr__http *h, const lr__http_req *r) {
  /* iovec has no const member; sendmsg only reads the body. */
  struct iovec iov[2] = {{h->head.data, h->head.len}, {(void *)(uintptr_t)r->body, r->body_len}};
  int n = r->method == LR_HTTP_POST && r->body_len ? 2 : 1;
  if (!send_all(h, iov, n))
    return http_fail(h, LR_RT_TRANSPORT, "cannot send to %s: %s", h->host, strerror(errno));
  return LR_RT_OK;
}

/* ---- receiving ---- */

/* Up to cap bytes into p: >0, 0 at the peer's end, -1 on error or timeout. */
static ssize_t recv_some(lr__http *h, char *p, size_t cap, int timeout_ms) {
  timeout_ms = clip_timeout(h, timeout_ms);
  if (timeout_ms >= 0 && wait_fd(h->fd, POLLIN, timeout_ms) <= 0) return -1;
  ssize_t n;
  while ((n = recv(h->fd, p, cap, 0)) < 0 && errno == EINTR) {
  }
  if (n > 0) h->got += (size_t)n;
  return n;
}

static lr_rt_status recv_fail(lr__http *h, ssize_t n) {
  if (n == 0) return http_fail(h, LR_RT_TRANSPORT, "%s closed the connection %s", h->host,
                               h->got ? "before the answer's end" : "without answering");
  return http_fail(h, LR_RT_TRANSPORT, "reading from %s: %s", h->host, strerror(errno));
}

/* More input into h->in after what is unread (moved to the front). */
static lr_rt_status fill(lr__http *h, int timeout_ms) {
  if (h->in_off) {
    memmove(h->in, h->in + h->in_off, h->in_len - h->in_off);
    h->in_len -= h->in_off, h->in_off = 0;
  }
  ssize_t n = recv_some(h, h->in + h->in_len, LR_HTTP_HEAD_MAX - h->in_len, timeout_ms);
  if (n <= 0) return recv_fail(h, n);
  h->in_len += (size_t)n;
  return LR_RT_OK;
}

/* *n: the unread bytes up to and including the first delim, filling as
 * needed; a protocol error when that is over max bytes. */
static lr_rt_status read_until(lr__http *h, const char *delim, size_t dlen, size_t max,
                               int timeout_ms, size_t *n) {
  size_t scanned = 0;
  for (;;) {
    size_t have = h->in_len - h->in_off;
    size_t from = scanned > dlen ? scanned - dlen : 0;
    const char *p = h->in + h->in_off;
    const char *end = have > from ? memmem(p + from, have - from, delim, dlen) : NULL;
    if (end && (size_t)(end - p) + dlen <= max) return *n = (size_t)(end - p) + dlen, LR_RT_OK;
    if (end || have >= max)
      return http_fail(h, LR_RT_PROTOCOL, "malformed answer: %s over %zu bytes",
                       dlen == 4 ? "header block" : "chunk line", max);
    scanned = have;
    lr_rt_status st = fill(h, timeout_ms);
    if (st != LR_RT_OK) return st;
  }
}

/* n body bytes into out (reserved by the caller) or nowhere. */
static lr_rt_status take(lr__http *h, lr_buf *out, uint64_t n, int timeout_ms) {
  size_t have = h->in_len - h->in_off;
  size_t k = n < have ? (size_t)n : have;
  if (out && k) memcpy(out->data + out->len, h->in + h->in_off, k), out->len += k;
  h->in_off += k, n -= k;
  if (h->in_off == h->in_len) h->in_off = h->in_len = 0;
  while (n) {
    char *dst = out ? out->data + out->len : h->in;
    size_t cap = out ? (size_t)n : (n < LR_HTTP_HEAD_MAX ? (size_t)n : LR_HTTP_HEAD_MAX);
    ssize_t got = recv_some(h, dst, cap, timeout_ms);
    if (got <= 0) return recv_fail(h, got);
    if (out) out->len += (size_t)got;
    n -= (uint64_t)got;
  }
  if (out) out->data[out->len] = '\0';
  return LR_RT_OK;
}

/* Room for n more bytes in out, or TOO_BIG without touching it (the
 * buffer's own failure path would free it). */
static lr_rt_status room(lr__http *h, lr_buf *out, uint64_t n) {
  if (!out) return LR_RT_OK;
  if (n > out->max - out->len) return http_fail(h, LR_RT_TOO_BIG, "the body is over %zu bytes", out->max);
  if (lr_buf_reserve(out, (size_t)n) != LR_BUF_OK) return http_fail(h, LR_RT_NOMEM, "no memory for the body");
  return LR_RT_OK;
}

static lr_rt_status read_length(lr__http *h, const lr__http_req *r, lr__http_answer *a) {
  if (!r->out && a->length > LR_HTTP_DISCARD_MAX) {
    lr__http_close(h); /* not worth reading: the status is all we need */
    return LR_RT_OK;
  }
  lr_rt_status st = room(h, r->out, a->length);
  return st == LR_RT_OK ? take(h, r->out, a->length, r->timeout_ms) : st;
}

static lr_rt_status expect_crlf(lr__http *h, int timeout_ms) {
  size_t n = 0;
  lr_rt_status st = read_until(h, "\r\n", 2, LR_HTTP_LINE_MAX, timeout_ms, &n);
  if (st != LR_RT_OK) return st;
  h->in_off += n;
  return n == 2 ? LR_RT_OK : http_fail(h, LR_RT_PROTOCOL, "malformed answer: no CRLF after a chunk");
}

/* Trailer lines after the last chunk, up to the blank line; ignored. */
static lr_rt_status skip_trailers(lr__http *h, int timeout_ms) {
  size_t total = 0, n = 0;
  do {
    lr_rt_status st = read_until(h, "\r\n", 2, LR_HTTP_LINE_MAX, timeout_ms, &n);
    if (st != LR_RT_OK) return st;
    h->in_off += n, total += n;
    if (total > LR_HTTP_HEAD_MAX) return http_fail(h, LR_RT_PROTOCOL, "malformed answer: trailers too long");
  } while (n != 2);
  return LR_RT_OK;
}

static lr_rt_status read_chunked(lr__http *h, const lr__http_req *r) {
  uint64_t total = 0, size = 0;
  uint64_t limit = r->out ? r->out->max - r->out->len : LR_HTTP_DISCARD_MAX;
  for (;;) {
    size_t n = 0;
    lr_rt_status st = read_until(h, "\r\n", 2, LR_HTTP_LINE_MAX, r->timeout_ms, &n);
    if (st != LR_RT_OK) return st;
    if (!lr__http_parse_chunk_size(h->in + h->in_off, n - 2, &size))
      return http_fail(h, LR_RT_PROTOCOL, "malformed answer: invalid chunk size");
    h->in_off += n;
    if (size == 0) return skip_trailers(h, r->timeout_ms);
    if (size > limit - total) {
      if (r->out) return http_fail(h, LR_RT_TOO_BIG, "the chunked body is over %zu bytes", r->out->max);
      lr__http_close(h); /* a discarded body: the status is all we need */
      return LR_RT_OK;
    }
    total += size;
    st = room(h, r->out, size);
    if (st == LR_RT_OK) st = take(h, r->out, size, r->timeout_ms);
    if (st == LR_RT_OK) st = expect_crlf(h, r->timeout_ms);
    if (st != LR_RT_OK) return st;
  }
}

/* Until the peer closes (no length, not chunked): the connection ends here.
 * Rare, so it goes through the receive buffer. */
static lr_rt_status read_to_close(lr__http *h, const lr__http_req *r) {
  size_t discarded = 0;
  for (;;) {
    size_t have = h->in_len - h->in_off;
    lr_rt_status st = room(h, r->out, have);
    if (st == LR_RT_OK) st = take(h, r->out, have, r->timeout_ms);
    if (st != LR_RT_OK) return st;
    discarded += r->out ? 0 : have;
    if (discarded > LR_HTTP_DISCARD_MAX) break; /* a discarded body: the status is all we need */
    ssize_t got = recv_some(h, h->in, LR_HTTP_HEAD_MAX, r->timeout_ms);
    if (got < 0) return recv_fail(h, got);
    if (got == 0) break;
    h->in_off = 0, h->in_len = (size_t)got;
  }
  lr__http_close(h);
  return LR_RT_OK;
}

static lr_rt_status read_body(lr__http *h, const lr__http_req *r, lr__http_answer *a) {
  switch (a->framing) {
  case LR_HTTP_BODY_LENGTH: return read_length(h, r, a);
  case LR_HTTP_BODY_CHUNKED: return read_chunked(h, r);
  case LR_HTTP_BODY_TO_CLOSE: return read_to_close(h, r);
  default: return LR_RT_OK;
  }
}

/* Head of the final answer (1xx answers skipped) into *a. */
static lr_rt_status read_head(lr__http *h, const lr__http_req *r, lr__http_answer *a) {
  for (int i = 0; i <= LR_HTTP_INTERIM_MAX; i++) {
    size_t n = 0;
    lr_rt_status st = read_until(h, "\r\n\r\n", 4, LR_HTTP_HEAD_MAX, r->timeout_ms, &n);
    if (st != LR_RT_OK) return st;
    char why[LR_HTTP_ERR_LEN];
    st = lr__http_parse_head(h->in + h->in_off, n - 2, a, r->on_header, r->ud, why, sizeof why);
    if (st != LR_RT_OK) return http_fail(h, st, "%s", why);
    h->in_off += n;
    h->status = a->status;
    if (a->status >= 200) return LR_RT_OK;
  }
  return http_fail(h, LR_RT_PROTOCOL, "malformed answer: too many interim answers");
}

static lr_rt_status attempt(lr__http *h, const lr__http_req *r) {
  h->status = 0;
  h->got = 0;
  /* Bytes nobody asked for are left from the last answer: start clean. */
  if (h->fd >= 0 && h->in_len != h->in_off) lr__http_close(h);
  lr_rt_status st = h->fd >= 0 ? LR_RT_OK : http_connect(h);
  if (st == LR_RT_OK) st = send_request(h, r);
  lr__http_answer a;
  if (st == LR_RT_OK) st = read_head(h, r, &a);
  if (st == LR_RT_OK) st = read_body(h, r, &a);
  if (st != LR_RT_OK) return st;
  if (a.close) lr__http_close(h);
  else if (h->fd >= 0) h->served++;
  return LR_RT_OK;
}

lr_rt_status lr__http_request(lr__http *h, const lr__http_req *r) {
  if (r->out) lr_buf_reset(r->out);
  h->until_ms = r->total_ms > 0 ? lr_clock_mono_ms() + r->total_ms : 0;
  lr_rt_status st = build_head(h, r);
  if (st != LR_RT_OK) return st;
  int reused = h->fd >= 0 && h->served > 0;
  st = attempt(h, r);
  /* The peer may close an idle keep-alive connection at any time; a request
   * that got no byte back on it goes once more on a fresh one. */
  if (st == LR_RT_TRANSPORT && reused && h->got == 0) {
    if (r->out) lr_buf_reset(r->out);
    st = attempt(h, r);
  }
  return st;
}
