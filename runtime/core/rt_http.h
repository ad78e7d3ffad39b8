#ifndef LR_RT_HTTP_H
#define LR_RT_HTTP_H
/* A minimal HTTP/1.1 client for the Lambda Runtime API, which is plain
 * HTTP/1.1 on a loopback address with a tiny, fixed protocol. One
 * persistent keep-alive connection; the receive buffer, the request head
 * and the caller's body buffer are reused across requests. Not a general
 * HTTP client: libcurl stays the client for AWS services (runtime/aws). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lr/buf.h"
#include "lr/runtime.h"

#define LR_HTTP_HEAD_MAX (64u * 1024u)   /* an answer's header block; over it: protocol error */
#define LR_HTTP_LINE_MAX 4096u           /* a chunk-size or trailer line */
#define LR_HTTP_REQ_HEAD_MAX 4096u       /* our request line and headers */
#define LR_HTTP_DISCARD_MAX (64u * 1024u)/* a discarded answer body read to keep the connection */
#define LR_HTTP_CONNECT_TIMEOUT_MS 1000  /* the API is local: a slow connect is a dead one */
#define LR_HTTP_SEND_TIMEOUT_S 5
#define LR_HTTP_ADDRS_MAX 4              /* "localhost" may give ::1 and 127.0.0.1 */
#define LR_HTTP_HOST_MAX 256u
#define LR_HTTP_ERR_LEN 192

typedef enum lr__http_method { LR_HTTP_GET = 0, LR_HTTP_POST = 1 } lr__http_method;

/* Called for each header of a final (non-1xx) answer: name as sent, value
 * trimmed of spaces and tabs. Neither is NUL-terminated. */
typedef void (*lr__http_header_fn)(void *ud, const char *name, size_t nlen, const char *value,
                                   size_t vlen);

typedef struct lr__http_req {
  lr__http_method method;
  const char *path;          /* origin-form, already safe ("/2018-06-01/...") */
  const char *extra;         /* header lines, each "Name: value\r\n"; NULL for none */
  const char *body;          /* POST only */
  size_t body_len;
  int timeout_ms;            /* longest wait for each read of the answer; -1: none */
  int total_ms;              /* the whole request, send and answer (a peer trickling
                                bytes cannot stall it for size x timeout_ms); 0: none */
  lr__http_header_fn on_header;
  void *ud;
  lr_buf *out;               /* receives the body (sized once by Content-Length); NULL: discarded */
} lr__http_req;

typedef enum lr__http_framing {
  LR_HTTP_BODY_NONE = 0,    /* 1xx, 204, 304 */
  LR_HTTP_BODY_LENGTH,
  LR_HTTP_BODY_CHUNKED,
  LR_HTTP_BODY_TO_CLOSE     /* neither length nor chunked: read until the peer closes */
} lr__http_framing;

/* What an answer's head says. */
typedef struct lr__http_answer {
  int status;
  lr__http_framing framing;
  uint64_t length;          /* LR_HTTP_BODY_LENGTH */
  int close;                /* the connection is not reused after this answer */
} lr__http_answer;

typedef struct lr__http {
  struct sockaddr_storage addr[LR_HTTP_ADDRS_MAX]; /* resolved once at init */
  socklen_t addrlen[LR_HTTP_ADDRS_MAX];
  int n_addrs;
  int fd;                   /* -1 when no connection is open */
  unsigned long served;     /* answers read on fd: non-zero means a reused connection */
  char host[LR_HTTP_HOST_MAX]; /* Host header: host:port as configured */
  lr_buf head;              /* request head, reused */
  char *in;                 /* LR_HTTP_HEAD_MAX bytes; unread input is in[in_off, in_len) */
  size_t in_off, in_len;
  size_t got;               /* bytes of the current answer received so far */
  int status;               /* HTTP status of the last answer, 0 when none */
  int64_t until_ms;         /* CLOCK_MONOTONIC end of the current request; 0: none */
  char err[LR_HTTP_ERR_LEN];
} lr__http;

/* Resolves hostport ("host:port", "[v6]:port") and allocates the receive
 * buffer; connects lazily. LR_RT_CONFIG when it cannot be resolved. Free
 * with lr__http_free (also after a failed init). */
lr_rt_status lr__http_init(lr__http *h, const char *hostport);
void lr__http_free(lr__http *h);
void lr__http_close(lr__http *h);

/* One request and its answer. LR_RT_OK: h->status holds the status (any).
 * LR_RT_TRANSPORT: no connection, or it failed or closed before the answer's
 * end (a retry may cure it). LR_RT_PROTOCOL: a malformed answer.
 * LR_RT_TOO_BIG: the body is over r->out's limit (h->status holds the
 * status; the body is not read). The connection is closed after any error.
 * A request that fails before any byte of its answer on a reused connection
 * is sent once more on a fresh one (the peer closed the idle connection). */
lr_rt_status lr__http_request(lr__http *h, const lr__http_req *r);

/* ---- parsing (rt_http_parse.c), pure functions ---- */

/* "HTTP/1.x NNN[ reason]": true and *status, *http10; false when malformed. */
bool lr__http_parse_status(const char *line, size_t n, int *status, int *http10);
/* Decimal digits only, no sign, no overflow: true with *out, else false. */
bool lr__http_parse_length(const char *s, size_t n, uint64_t *out);
/* A chunk-size line (without CRLF): 1-16 hex digits, optional ";ext": true with *out, else false. */
bool lr__http_parse_chunk_size(const char *s, size_t n, uint64_t *out);
/* The header block p[0, n) (status line and header lines, each ending in
 * CRLF, without the blank line) into *a; headers of a final answer go to cb.
 * LR_RT_OK or LR_RT_PROTOCOL with err filled. */
lr_rt_status lr__http_parse_head(const char *p, size_t n, lr__http_answer *a, lr__http_header_fn cb,
                                 void *ud, char *err, size_t errlen);

#endif
