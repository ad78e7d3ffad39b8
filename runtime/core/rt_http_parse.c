/* Parsing of Runtime API answers: status line, header block, lengths and
 * chunk sizes. Strict on purpose: anything a well-behaved Runtime API never
 * sends (folded lines, control characters, disagreeing lengths, signed or
 * overflowing numbers) is a protocol error, never a guess. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lr/hex.h"
#include "rt_http.h"

static bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

bool lr__http_parse_status(const char *line, size_t n, int *status, int *http10) {
  /* "HTTP/1.1 200" is the shortest; the reason phrase is optional. */
  if (n < 12 || memcmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1') ||
      line[8] != ' ')
    return false;
  if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11])) return false;
  if (n > 12 && line[12] != ' ') return false;
  *status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  *http10 = line[7] == '0';
  return *status >= 100;
}

bool lr__http_parse_length(const char *s, size_t n, uint64_t *out) {
  uint64_t v = 0;
  if (n == 0) return false;
  for (size_t i = 0; i < n; i++) {
    if (!is_digit(s[i])) return false;
    unsigned d = (unsigned)(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool lr__http_parse_chunk_size(const char *s, size_t n, uint64_t *out) {
  uint64_t v = 0;
  size_t i = 0;
  for (unsigned d; i < n && lr_hex_digit((unsigned char)s[i], &d); i++) {
    if (i >= 16) return false; /* 16 hex digits fill 64 bits */
    v = v * 16 + d;
  }
  if (i == 0 || (i < n && s[i] != ';')) return false;
  for (; i < n; i++) /* a chunk extension: printable, ignored */
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F) return false;
  *out = v;
  return true;
}

/* ---- the header block ---- */

typedef struct head_state {
  lr__http_answer *a;
  int have_length, chunked, http10;
  char *err;
  size_t errlen;
} head_state;

static lr_rt_status bad(head_state *s, const char *what) {
  snprintf(s->err, s->errlen, "malformed answer: %s", what);
  return LR_RT_PROTOCOL;
}

static bool name_is(const char *name, size_t nlen, const char *want) {
  return strlen(want) == nlen && strncasecmp(name, want, nlen) == 0;
}

static bool line_clean(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)p[i];
    if ((ch < 0x20 && ch != '\t') || ch == 0x7F) return false;
  }
  return true;
}

static lr_rt_status framing_header(head_state *s, const char *name, size_t nlen, const char *v,
                                   size_t vlen) {
  uint64_t len = 0;
  if (name_is(name, nlen, "Content-Length")) {
    if (!lr__http_parse_length(v, vlen, &len)) return bad(s, "invalid Content-Length");
    if (s->have_length && len != s->a->length) return bad(s, "Content-Lengths disagree");
    s->have_length = 1, s->a->length = len;
  } else if (name_is(name, nlen, "Transfer-Encoding")) {
    if (vlen != 7 || strncasecmp(v, "chunked", 7) != 0) return bad(s, "unsupported Transfer-Encoding");
    s->chunked = 1;
  } else if (name_is(name, nlen, "Connection") && vlen == 5 && strncasecmp(v, "close", 5) == 0) {
    s->a->close = 1;
  }
  return LR_RT_OK;
}

static lr_rt_status header_line(head_state *s, const char *p, size_t n, lr__http_header_fn cb,
                                void *ud) {
  if (!line_clean(p, n)) return bad(s, "control character in a header");
  if (n && (p[0] == ' ' || p[0] == '\t')) return bad(s, "folded header line");
  const char *colon = memchr(p, ':', n);
  if (!colon || colon == p) return bad(s, "header line without a name");
  size_t nlen = (size_t)(colon - p);
  if (memchr(p, ' ', nlen) || memchr(p, '\t', nlen)) return bad(s, "space in a header name");
  const char *v = colon + 1;
  size_t vlen = n - nlen - 1;
  while (vlen && (*v == ' ' || *v == '\t')) v++, vlen--;
  while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t')) vlen--;
  lr_rt_status st = framing_header(s, p, nlen, v, vlen);
  if (st == LR_RT_OK && cb && s->a->status >= 200) cb(ud, p, nlen, v, vlen);
  return st;
}

static lr_rt_status decide_framing(head_state *s) {
  lr__http_answer *a = s->a;
  if (s->http10) a->close = 1;
  if (a->status < 200 || a->status == 204 || a->status == 304) {
    a->framing = LR_HTTP_BODY_NONE;
  } else if (s->chunked) {
    /* Both framings at once is how requests get smuggled: refuse it. */
    if (s->have_length) return bad(s, "both Content-Length and chunked");
    a->framing = LR_HTTP_BODY_CHUNKED;
  } else if (s->have_length) {
    a->framing = a->length ? LR_HTTP_BODY_LENGTH : LR_HTTP_BODY_NONE;
  } else {
    a->framing = LR_HTTP_BODY_TO_CLOSE;
    a->close = 1;
  }
  return LR_RT_OK;
}

lr_rt_status lr__http_parse_head(const char *p, size_t n, lr__http_answer *a, lr__http_header_fn cb,
                                 void *ud, char *err, size_t errlen) {
  head_state s = {.a = a, .err = err, .errlen = errlen};
  memset(a, 0, sizeof *a);
  const char *eol = memmem(p, n, "\r\n", 2);
  if (!eol || !lr__http_parse_status(p, (size_t)(eol - p), &a->status, &s.http10) ||
      !line_clean(p, (size_t)(eol - p)))
    return bad(&s, "status line");
  for (const char *line = eol + 2; line < p + n; line = eol + 2) {
    eol = memmem(line, (size_t)(p + n - line), "\r\n", 2);
    if (!eol) return bad(&s, "unterminated header line");
    lr_rt_status st = header_line(&s, line, (size_t)(eol - line), cb, ud);
    if (st != LR_RT_OK) return st;
  }
  return decide_framing(&s);
}
