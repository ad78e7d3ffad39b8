/* The Runtime API transport (runtime/core/rt_http.c) against a scripted
 * socket peer that sends raw, sometimes hostile, answers: chunked bodies,
 * bad and disagreeing lengths, truncated bodies, oversized header blocks,
 * garbage status lines, and a peer that closes an idle keep-alive
 * connection. Plus the parsers on their own. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rt_http.h"
#include "rt_test_util.h"

#define PEER_REQ_MAX 8192
#define PEER_HEAD_MAX (64 * 1024)

/* One answer of the peer; answer NULL: read the request, never answer. */
typedef struct peer_step {
  const char *answer;
  size_t len;       /* 0: strlen(answer) */
  int close_after;  /* close the connection after answering */
} peer_step;

typedef struct peer {
  int lfd;
  char api[64];
  pthread_t thread;
  const peer_step *steps;
  size_t n_steps;
  size_t conns, reqs;       /* read by the test after peer_stop */
  char last_req[PEER_REQ_MAX];
  size_t last_len;
} peer;

static int peer_send(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w, n -= (size_t)w;
  }
  return 0;
}

/* Reads one request (head and Content-Length body); 0, or -1 at the end. */
static int peer_read(peer *p, int fd) {
  static char buf[PEER_HEAD_MAX];
  size_t got = 0;
  char *end = NULL;
  while (!end) {
    if (got == sizeof buf) return -1;
    ssize_t r = recv(fd, buf + got, sizeof buf - got, 0);
    if (r <= 0) return -1;
    got += (size_t)r;
    end = memmem(buf, got, "\r\n\r\n", 4);
  }
  *end = '\0';
  const char *cl = strcasestr(buf, "\r\nContent-Length:");
  size_t want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 17, NULL, 10) : 0);
  *end = '\r';
  while (got < want && got < sizeof buf) {
    ssize_t r = recv(fd, buf + got, sizeof buf - got, 0);
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  p->last_len = got < sizeof p->last_req - 1 ? got : sizeof p->last_req - 1;
  memcpy(p->last_req, buf, p->last_len);
  p->last_req[p->last_len] = '\0';
  p->reqs++;
  return 0;
}

static int peer_accept(peer *p) {
  int fd = accept(p->lfd, NULL, NULL);
  if (fd < 0) return -1;
  struct timeval tv = {5, 0}; /* a stuck test fails instead of hanging */
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  p->conns++;
  return fd;
}

static void *peer_main(void *arg) {
  peer *p = arg;
  int fd = -1;
  for (size_t i = 0; i < p->n_steps; i++) {
    const peer_step *s = &p->steps[i];
    if (fd < 0 && (fd = peer_accept(p)) < 0) return NULL;
    while (peer_read(p, fd) != 0) { /* the client left this connection: take its next one */
      close(fd);
      if ((fd = peer_accept(p)) < 0) return NULL;
    }
    if (!s->answer) continue;
    peer_send(fd, s->answer, s->len ? s->len : strlen(s->answer));
    if (s->close_after) close(fd), fd = -1;
  }
  /* Done: wait for the client to go (or for the receive timeout). */
  char b[256];
  while (fd >= 0 && recv(fd, b, sizeof b, 0) > 0) {
  }
  if (fd >= 0) close(fd);
  return NULL;
}

static void peer_start(peer *p, const peer_step *steps, size_t n) {
  memset(p, 0, sizeof *p);
  p->steps = steps, p->n_steps = n;
  p->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof sa;
  ck_assert_int_eq(bind(p->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
  ck_assert_int_eq(listen(p->lfd, 8), 0);
  ck_assert_int_eq(getsockname(p->lfd, (struct sockaddr *)&sa, &len), 0);
  snprintf(p->api, sizeof p->api, "127.0.0.1:%d", ntohs(sa.sin_port));
  ck_assert_int_eq(pthread_create(&p->thread, NULL, peer_main, p), 0);
}

/* Call after the client closed its connection. */
static void peer_stop(peer *p) {
  shutdown(p->lfd, SHUT_RDWR); /* an accept still waiting returns */
  pthread_join(p->thread, NULL);
  close(p->lfd);
}

/* ---- a client per test ---- */

typedef struct client {
  lr__http h;
  lr_buf out;
  lr__http_req req;
} client;

static void client_open(client *c, const peer *p, size_t out_max) {
  ck_assert_int_eq(lr__http_init(&c->h, p->api), LR_RT_OK);
  lr_buf_init(&c->out, out_max);
  lr__http_req r = {.method = LR_HTTP_GET, .path = "/2018-06-01/runtime/invocation/next",
                    .timeout_ms = 2000, .out = &c->out};
  c->req = r;
}

static void client_close(client *c) {
  lr__http_free(&c->h);
  lr_buf_free(&c->out);
}

static lr_rt_status get(client *c) { return lr__http_request(&c->h, &c->req); }

/* One GET against one scripted answer: its status, the client closed. */
static lr_rt_status one_answer(const char *answer, size_t out_max, char *err, size_t errlen) {
  const peer_step s[] = {{.answer = answer, .close_after = 1}};
  peer p;
  client c;
  peer_start(&p, s, 1);
  client_open(&c, &p, out_max);
  lr_rt_status st = get(&c);
  snprintf(err, errlen, "%s", c.h.err);
  client_close(&c);
  peer_stop(&p);
  return st;
}

/* ---- answers ---- */

START_TEST(test_chunked_body_then_keep_alive) {
  const peer_step s[] = {
      {.answer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
                 "5\r\nhello\r\n6;ext=\"x\"\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"},
      {.answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}};
  peer p;
  client c;
  peer_start(&p, s, 2);
  client_open(&c, &p, 1024);
  ck_assert_int_eq(get(&c), LR_RT_OK);
  ck_assert_int_eq(c.h.status, 200);
  ck_assert_str_eq(lr_buf_str(&c.out), "hello world");
  ck_assert_int_eq(get(&c), LR_RT_OK);
  ck_assert_str_eq(lr_buf_str(&c.out), "ok");
  client_close(&c);
  peer_stop(&p);
  ck_assert_uint_eq(p.conns, 1);
}
END_TEST

START_TEST(test_hostile_chunked) {
  static const char *const bad[] = {
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\nx\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n"};
  char err[LR_HTTP_ERR_LEN];
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(one_answer(bad[i], 1024, err, sizeof err) == LR_RT_PROTOCOL, "case %zu", i);
  /* A chunk over the body's limit: refused before it is read. */
  ck_assert_int_eq(one_answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "400\r\n", 16, err, sizeof err), LR_RT_TOO_BIG);
  /* Truncated in the middle of a chunk: the peer closes. */
  ck_assert_int_eq(one_answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "a\r\nhal", 1024, err, sizeof err), LR_RT_TRANSPORT);
}
END_TEST

START_TEST(test_hostile_lengths) {
  static const char *const bad[] = {
      "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nx",
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
      "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello",
      "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n"};
  char err[LR_HTTP_ERR_LEN];
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_msg(one_answer(bad[i], 1024, err, sizeof err) == LR_RT_PROTOCOL, "case %zu", i);
    ck_assert_ptr_nonnull(strstr(err, "malformed answer"));
  }
  /* Two that agree are one. */
  ck_assert_int_eq(one_answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok",
                              1024, err, sizeof err), LR_RT_OK);
}
END_TEST

START_TEST(test_length_over_limit_not_read) {
  peer_step s[] = {{.answer = "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\nfirst bytes"},
                   {.answer = "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"}};
  peer p;
  client c;
  peer_start(&p, s, 2);
  client_open(&c, &p, 64);
  ck_assert_int_eq(get(&c), LR_RT_TOO_BIG);
  ck_assert_int_eq(c.h.status, 200);
  ck_assert_uint_eq(c.out.len, 0);       /* nothing of the body was read */
  ck_assert_int_eq(get(&c), LR_RT_OK);   /* on a fresh connection */
  ck_assert_int_eq(c.h.status, 202);
  client_close(&c);
  peer_stop(&p);
  ck_assert_uint_eq(p.conns, 2);
}
END_TEST

START_TEST(test_truncated_body) {
  char err[LR_HTTP_ERR_LEN];
  ck_assert_int_eq(one_answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd", 1024, err, sizeof err),
                   LR_RT_TRANSPORT);
  ck_assert_ptr_nonnull(strstr(err, "before the answer's end"));
  ck_assert_int_eq(one_answer("HTTP/1.1 200 OK\r\nContent-Len", 1024, err, sizeof err), LR_RT_TRANSPORT);
  ck_assert_int_eq(one_answer("", 1024, err, sizeof err), LR_RT_TRANSPORT);
}
END_TEST

START_TEST(test_header_block_too_large) {
  size_t n = 70 * 1024;
  char *a = malloc(n + 64);
  int k = snprintf(a, 64, "HTTP/1.1 200 OK\r\nX-Big: ");
  memset(a + k, 'b', n);
  memcpy(a + k + n, "\r\n\r\n", 5);
  char err[LR_HTTP_ERR_LEN];
  ck_assert_int_eq(one_answer(a, 1024, err, sizeof err), LR_RT_PROTOCOL);
  ck_assert_ptr_nonnull(strstr(err, "header block"));
  free(a);
}
END_TEST

static const char nul_in_header[] = "HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n";

START_TEST(test_garbage_answers) {
  static const char *const bad[] = {
      "garbage\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/2 200\r\n\r\n",
      "HTTP/1.1 200 OK\r\nNo-Colon-Here\r\n\r\n", "HTTP/1.1 200 OK\r\n folded: x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "HTTP/1.1 200 OK\r\nX: a\nb\r\n\r\n",
      nul_in_header};
  const size_t len[] = {0, 0, 0, 0, 0, 0, 0, sizeof nul_in_header - 1};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const peer_step s[] = {{.answer = bad[i], .len = len[i]}};
    peer p;
    client c;
    peer_start(&p, s, 1);
    client_open(&c, &p, 1024);
    ck_assert_msg(get(&c) == LR_RT_PROTOCOL, "case %zu: %s", i, c.h.err);
    client_close(&c);
    peer_stop(&p);
  }
}
END_TEST

START_TEST(test_interim_answer_skipped) {
  char err[LR_HTTP_ERR_LEN];
  ck_assert_int_eq(one_answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                              1024, err, sizeof err), LR_RT_OK);
}
END_TEST

/* Lambda (or anything between) may close the idle keep-alive connection:
 * the next request goes out on a new one, and the caller never knows. */
START_TEST(test_idle_close_then_new_connection) {
  const peer_step s[] = {{.answer = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", .close_after = 1},
                         {.answer = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb", .close_after = 1},
                         {.answer = "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"}};
  peer p;
  client c;
  peer_start(&p, s, 3);
  client_open(&c, &p, 1024);
  ck_assert_int_eq(get(&c), LR_RT_OK);
  ck_assert_str_eq(lr_buf_str(&c.out), "a");
  struct timespec pause = {0, 50 * 1000000L}; /* the peer's FIN is in */
  nanosleep(&pause, NULL);
  ck_assert_int_eq(get(&c), LR_RT_OK);
  ck_assert_str_eq(lr_buf_str(&c.out), "b");
  nanosleep(&pause, NULL);
  c.req.method = LR_HTTP_POST, c.req.body = "{}", c.req.body_len = 2, c.req.out = NULL;
  ck_assert_int_eq(lr__http_request(&c.h, &c.req), LR_RT_OK); /* a post too */
  ck_assert_int_eq(c.h.status, 202);
  client_close(&c);
  peer_stop(&p);
  ck_assert_uint_eq(p.conns, 3);
  ck_assert_uint_eq(p.reqs, 3);
}
END_TEST

START_TEST(test_read_to_close) {
  const peer_step s[] = {{.answer = "HTTP/1.1 200 OK\r\n\r\nuntil the end", .close_after = 1},
                         {.answer = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"},
                         {.answer = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n!"}};
  peer p;
  client c;
  peer_start(&p, s, 3);
  client_open(&c, &p, 1024);
  ck_assert_int_eq(get(&c), LR_RT_OK);
  ck_assert_str_eq(lr_buf_str(&c.out), "until the end");
  ck_assert_int_eq(c.h.fd, -1); /* not reused */
  ck_assert_int_eq(get(&c), LR_RT_OK);
  ck_assert_int_eq(c.h.fd, -1); /* HTTP/1.0: not reused either */
  ck_assert_int_eq(get(&c), LR_RT_OK);
  ck_assert_str_eq(lr_buf_str(&c.out), "!");
  client_close(&c);
  peer_stop(&p);
  ck_assert_uint_eq(p.conns, 3);
}
END_TEST

START_TEST(test_post_read_timeout) {
  const peer_step s[] = {{.answer = NULL}};
  peer p;
  client c;
  peer_start(&p, s, 1);
  client_open(&c, &p, 1024);
  c.req.method = LR_HTTP_POST, c.req.body = "x", c.req.body_len = 1, c.req.timeout_ms = 100;
  ck_assert_int_eq(lr__http_request(&c.h, &c.req), LR_RT_TRANSPORT);
  ck_assert_ptr_nonnull(strstr(c.h.err, "timed out"));
  client_close(&c);
  peer_stop(&p);
}
END_TEST

START_TEST(test_request_exact) {
  const peer_step s[] = {{.answer = "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"}};
  peer p;
  client c;
  peer_start(&p, s, 1);
  client_open(&c, &p, 1024);
  c.req.method = LR_HTTP_POST, c.req.path = "/p", c.req.body = "hello", c.req.body_len = 5;
  c.req.extra = "Content-Type: application/json\r\n";
  ck_assert_int_eq(lr__http_request(&c.h, &c.req), LR_RT_OK);
  client_close(&c);
  peer_stop(&p);
  char want[512];
  snprintf(want, sizeof want,
           "POST /p HTTP/1.1\r\nHost: %s\r\nUser-Agent: orders-lambda-runtime/" LR_RUNTIME_VERSION
           "\r\nContent-Length: 5\r\nContent-Type: application/json\r\n\r\nhello",
           p.api);
  ck_assert_str_eq(p.last_req, want);
  ck_assert_ptr_null(strcasestr(p.last_req, "Expect:"));
  ck_assert_ptr_null(strcasestr(p.last_req, "Transfer-Encoding"));
}
END_TEST

/* A name, resolved once; "localhost" may give ::1 first while the peer
 * listens on 127.0.0.1 only: the next address is tried. */
START_TEST(test_host_by_name) {
  const peer_step s[] = {{.answer = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nn"}};
  peer p;
  client c;
  peer_start(&p, s, 1);
  char api[64];
  snprintf(api, sizeof api, "localhost%s", strrchr(p.api, ':'));
  snprintf(p.api, sizeof p.api, "%s", api);
  client_open(&c, &p, 1024);
  ck_assert_int_eq(get(&c), LR_RT_OK);
  ck_assert_str_eq(lr_buf_str(&c.out), "n");
  client_close(&c);
  peer_stop(&p);
  lr__http h;
  ck_assert_int_eq(lr__http_init(&h, "127.0.0.1:port"), LR_RT_CONFIG);
  lr__http_free(&h);
}
END_TEST

/* ---- through the loop ---- */

static int echo_invoke(void *app, const lr_context *ctx, const char *ev, size_t len, lr_buf *out,
                       lr_fault *f) {
  (void)app, (void)ctx;
  if (lr_buf_add(out, ev, len) != LR_BUF_OK) return lr_fault_set(f, "Test.TooBig", "append failed");
  return LR_HANDLER_OK;
}

START_TEST(test_loop_chunked_event) {
  const peer_step s[] = {
      {.answer = "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: c-1\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n"},
      {.answer = "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"}};
  const lr_handler h = {.name = "echo", .invoke = echo_invoke};
  peer p;
  peer_start(&p, s, 2);
  mock_rapi m;
  memset(&m, 0, sizeof m);
  snprintf(m.api, sizeof m.api, "%s", p.api);
  ck_assert_int_eq(run_against(&m, &h, 1), LR_RT_OK);
  peer_stop(&p);
  ck_assert_uint_eq(p.conns, 1);
  static const char line[] = "POST /2018-06-01/runtime/invocation/c-1/response HTTP/1.1\r\n";
  ck_assert_int_eq(strncmp(p.last_req, line, sizeof line - 1), 0);
  ck_assert_ptr_nonnull(strstr(p.last_req, "\r\nContent-Length: 7\r\n"));
  ck_assert_str_eq(strstr(p.last_req, "\r\n\r\n") + 4, "{\"a\":1}");
}
END_TEST

/* ---- parsers ---- */

START_TEST(test_parse_numbers) {
  uint64_t v = 0;
  static const char *const bad_len[] = {"", "-1", "+1", " 1", "1 ", "1a", "18446744073709551616"};
  for (size_t i = 0; i < sizeof bad_len / sizeof bad_len[0]; i++)
    ck_assert(!lr__http_parse_length(bad_len[i], strlen(bad_len[i]), &v));
  ck_assert(lr__http_parse_length("18446744073709551615", 20, &v));
  ck_assert(v == UINT64_MAX);
  ck_assert(lr__http_parse_length("0", 1, &v));
  ck_assert(v == 0);
  static const char *const bad_chunk[] = {"", "zz", "-1", "+1", " 5", "5 ", "11111111111111111",
                                          "5\x01", ";x", "5;\x7f"};
  for (size_t i = 0; i < sizeof bad_chunk / sizeof bad_chunk[0]; i++)
    ck_assert_msg(!lr__http_parse_chunk_size(bad_chunk[i], strlen(bad_chunk[i]), &v), "%zu", i);
  ck_assert(lr__http_parse_chunk_size("FFFFFFFFFFFFFFFF", 16, &v));
  ck_assert(v == UINT64_MAX);
  ck_assert(lr__http_parse_chunk_size("1a;name=val", 11, &v));
  ck_assert(v == 26);
}
END_TEST

START_TEST(test_parse_status) {
  int st = 0, h10 = 0;
  static const char *const bad[] = {"", "HTTP/1.1", "HTTP/1.1 20", "HTTP/1.1 2000", "HTTP/1.1 20x",
                                    "HTTP/1.2 200", "HTTP/2 200", "http/1.1 200", "HTTP/1.1 200OK",
                                    "HTTP/1.1 099 low", "HTTP/1.1  200"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(!lr__http_parse_status(bad[i], strlen(bad[i]), &st, &h10), "%s", bad[i]);
  ck_assert(lr__http_parse_status("HTTP/1.1 202", 12, &st, &h10));
  ck_assert_int_eq(st, 202);
  ck_assert_int_eq(h10, 0);
  ck_assert(lr__http_parse_status("HTTP/1.0 500 Oops", 17, &st, &h10));
  ck_assert_int_eq(st, 500);
  ck_assert_int_eq(h10, 1);
}
END_TEST

/* Issue 15, defect 8: a peer that answers one byte at a time, each well
 * inside the per-read timeout, must not hold a post for size x timeout. */
typedef struct trickler {
  int lfd;
  pthread_t thread;
  char api[64];
} trickler;

static void *trickle_main(void *arg) {
  trickler *t = arg;
  int fd = accept(t->lfd, NULL, NULL);
  if (fd < 0) return NULL;
  char b[4096];
  (void)recv(fd, b, sizeof b, 0);
  static const char head[] = "HTTP/1.1 202 Accepted\r\nContent-Length: 60\r\n\r\n";
  int ok = peer_send(fd, head, sizeof head - 1) == 0;
  for (int i = 0; ok && i < 60; i++) {
    struct timespec ts = {0, 100 * 1000000L};
    nanosleep(&ts, NULL);
    ok = peer_send(fd, "x", 1) == 0;
  }
  close(fd);
  return NULL;
}

START_TEST(test_trickling_peer_hits_the_total) {
  trickler t;
  t.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof sa;
  ck_assert_int_eq(bind(t.lfd, (struct sockaddr *)&sa, sizeof sa), 0);
  ck_assert_int_eq(listen(t.lfd, 2), 0);
  ck_assert_int_eq(getsockname(t.lfd, (struct sockaddr *)&sa, &len), 0);
  snprintf(t.api, sizeof t.api, "127.0.0.1:%d", ntohs(sa.sin_port));
  ck_assert_int_eq(pthread_create(&t.thread, NULL, trickle_main, &t), 0);
  lr__http h;
  lr_buf out;
  ck_assert_int_eq(lr__http_init(&h, t.api), LR_RT_OK);
  lr_buf_init(&out, 1024);
  /* each byte comes 100 ms after the last (the per-read limit is 2 s), the
   * whole answer would take 6 s: the 1 s total ends it */
  lr__http_req r = {.method = LR_HTTP_POST, .path = "/2018-06-01/runtime/invocation/x/response",
                    .body = "{}", .body_len = 2, .timeout_ms = 2000, .total_ms = 1000, .out = &out};
  lr_rt_status st = lr__http_request(&h, &r);
  ck_assert_msg(st == LR_RT_TRANSPORT, "status %d: %s", st, h.err);
  lr__http_free(&h);
  lr_buf_free(&out);
  pthread_join(t.thread, NULL);
  close(t.lfd);
}
END_TEST

Suite *http_suite(void);
Suite *http_suite(void) {
  Suite *s = suite_create("runtime.http");
  TCase *tc = tcase_create("transport");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_chunked_body_then_keep_alive);
  tcase_add_test(tc, test_hostile_chunked);
  tcase_add_test(tc, test_hostile_lengths);
  tcase_add_test(tc, test_length_over_limit_not_read);
  tcase_add_test(tc, test_truncated_body);
  tcase_add_test(tc, test_header_block_too_large);
  tcase_add_test(tc, test_garbage_answers);
  tcase_add_test(tc, test_interim_answer_skipped);
  tcase_add_test(tc, test_idle_close_then_new_connection);
  tcase_add_test(tc, test_read_to_close);
  tcase_add_test(tc, test_post_read_timeout);
  tcase_add_test(tc, test_trickling_peer_hits_the_total);
  tcase_add_test(tc, test_request_exact);
  tcase_add_test(tc, test_host_by_name);
  tcase_add_test(tc, test_loop_chunked_event);
  suite_add_tcase(s, tc);
  TCase *parse = tcase_create("parse");
  tcase_add_test(parse, test_parse_numbers);
  tcase_add_test(parse, test_parse_status);
  suite_add_tcase(s, parse);
  return s;
}
