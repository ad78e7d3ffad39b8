/* SigV4 canonical forms: URI encoding, canonical URI, query and headers. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "aws_internal.h"
#include "sigv4_internal.h"

/* Canonical text of a query or the header block: bounded so that a hostile
 * request cannot make the signer build megabytes. */
#define SIGV4_MAX_CANONICAL_PART (256u * 1024u)

static bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

lr_aws_status lr_sigv4_uri_encode(lr_buf *dst, const char *s, size_t len, int keep_slash) {
  static const char hex[] = "0123456789ABCDEF";
  lr_buf_status st = lr_buf_reserve(dst, len);
  for (size_t i = 0; st == LR_BUF_OK && i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      st = lr_buf_add(dst, &s[i], 1);
    } else {
      char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
      st = lr_buf_add(dst, esc, 3);
    }
  }
  if (st == LR_BUF_NOMEM) return LR_AWS_NOMEM;
  return st == LR_BUF_OK ? LR_AWS_OK : LR_AWS_BAD_ARGUMENT;
}

bool lr_sigv4__value_len(const lr_sigv4_pair *p, size_t *len) {
  if (!p->value) return false;
  if (p->value_len == 0) {
    *len = strlen(p->value);
    return true;
  }
  if (memchr(p->value, '\0', p->value_len)) return false;
  *len = p->value_len;
  return true;
}

/* ---- canonical URI ---------------------------------------------------- */

typedef struct seg {
  const char *p;
  size_t n;
} seg;

/* Splits the path into segments, dropping empty and "." ones and letting
 * ".." remove its parent (RFC 3986 dot-segment removal, as AWS's SDKs do). */
static size_t path_segments(const char *path, size_t len, seg *segs, size_t max) {
  size_t count = 0;
  size_t i = 0;
  while (i < len) {
    size_t j = i;
    while (j < len && path[j] != '/') j++;
    size_t n = j - i;
    if (n == 2 && path[i] == '.' && path[i + 1] == '.') {
      if (count) count--;
    } else if (n > 0 && !(n == 1 && path[i] == '.') && count < max) {
      segs[count++] = (seg){path + i, n};
    }
    i = j + 1;
  }
  return count;
}

static lr_aws_status normalized_uri(lr_buf *dst, const char *path, size_t len, char *err) {
  /* At most one segment per two bytes of a bounded path. */
  enum { MAX_SEGS = LR_SIGV4_MAX_PATH / 2 + 1 };
  seg *segs = malloc(sizeof(seg) * MAX_SEGS);
  if (!segs) return lr_aws__fail(err, LR_AWS_NOMEM, "out of memory normalising the path");
  size_t n = path_segments(path, len, segs, MAX_SEGS);
  lr_aws_status st = LR_AWS_OK;
  if (n == 0) st = lr_buf_adds(dst, "/") == LR_BUF_OK ? LR_AWS_OK : LR_AWS_NOMEM;
  for (size_t k = 0; st == LR_AWS_OK && k < n; k++) {
    st = lr_buf_adds(dst, "/") == LR_BUF_OK ? LR_AWS_OK : LR_AWS_NOMEM;
    if (st == LR_AWS_OK) st = lr_sigv4_uri_encode(dst, segs[k].p, segs[k].n, 0);
  }
  if (st == LR_AWS_OK && n > 0 && path[len - 1] == '/')
    st = lr_buf_adds(dst, "/") == LR_BUF_OK ? LR_AWS_OK : LR_AWS_NOMEM;
  free(segs);
  if (st != LR_AWS_OK) return lr_aws__fail(err, st, "cannot build the canonical URI");
  return LR_AWS_OK;
}

lr_aws_status lr_sigv4__canonical_uri(lr_buf *dst, const char *path, lr_sigv4_path_mode mode,
                                      char *err) {
  if (!path || path[0] != '/') return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the path must start with '/'");
  size_t len = strnlen(path, LR_SIGV4_MAX_PATH + 1);
  if (len > LR_SIGV4_MAX_PATH) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the path is too long");
  if (!lr_aws__is_clean_text(path, len) || memchr(path, '\t', len) || memchr(path, '?', len) ||
      memchr(path, '#', len))
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the path holds a control character, '?' or '#'");
  if (mode == LR_SIGV4_PATH_AS_IS) {
    if (lr_buf_add(dst, path, len) != LR_BUF_OK) return lr_aws__fail(err, LR_AWS_NOMEM, "out of memory");
    return LR_AWS_OK;
  }
  return normalized_uri(dst, path, len, err);
}

/* ---- canonical query -------------------------------------------------- */

typedef struct qentry {
  lr_buf name;
  lr_buf value;
} qentry;

static int qentry_cmp(const void *a, const void *b) {
  const qentry *x = a, *y = b;
  int c = strcmp(lr_buf_str(&x->name), lr_buf_str(&y->name));
  return c ? c : strcmp(lr_buf_str(&x->value), lr_buf_str(&y->value));
}

static lr_aws_status qentry_fill(qentry *e, const lr_sigv4_pair *p, char *err) {
  size_t vlen = 0;
  lr_buf_init(&e->name, 3 * LR_SIGV4_MAX_NAME);
  lr_buf_init(&e->value, 3 * LR_SIGV4_MAX_VALUE);
  if (!p->name || !*p->name || !lr_sigv4__value_len(p, &vlen))
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "a query parameter has no name, no value or a NUL");
  size_t nlen = strnlen(p->name, LR_SIGV4_MAX_NAME + 1);
  if (nlen > LR_SIGV4_MAX_NAME || vlen > LR_SIGV4_MAX_VALUE)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "a query parameter is too long");
  lr_aws_status st = lr_sigv4_uri_encode(&e->name, p->name, nlen, 0);
  if (st == LR_AWS_OK) st = lr_sigv4_uri_encode(&e->value, p->value, vlen, 0);
  if (st != LR_AWS_OK) return lr_aws__fail(err, st, "cannot encode a query parameter");
  return LR_AWS_OK;
}

static lr_aws_status query_join(lr_buf *dst, qentry *e, size_t n, char *err) {
  lr_buf_status bs = LR_BUF_OK;
  for (size_t i = 0; bs == LR_BUF_OK && i < n; i++) {
    if (i) bs = lr_buf_add(dst, "&", 1);
    if (bs == LR_BUF_OK) bs = lr_buf_add(dst, e[i].name.data ? e[i].name.data : "", e[i].name.len);
    if (bs == LR_BUF_OK) bs = lr_buf_add(dst, "=", 1);
    if (bs == LR_BUF_OK) bs = lr_buf_add(dst, e[i].value.data ? e[i].value.data : "", e[i].value.len);
    if (bs == LR_BUF_OK && dst->len > SIGV4_MAX_CANONICAL_PART) bs = LR_BUF_TOO_BIG;
  }
  if (bs != LR_BUF_OK) return lr_aws__buf_fail(err, bs, "the query");
  return LR_AWS_OK;
}

lr_aws_status lr_sigv4__query(lr_buf *dst, const lr_sigv4_pair *a, size_t na,
                              const lr_sigv4_pair *b, size_t nb, char *err) {
  if (na > LR_SIGV4_MAX_PARAMS || nb > LR_SIGV4_MAX_PARAMS || (na && !a) || (nb && !b))
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "too many query parameters");
  size_t n = na + nb;
  if (n == 0) return LR_AWS_OK;
  qentry *e = calloc(n, sizeof *e);
  if (!e) return lr_aws__fail(err, LR_AWS_NOMEM, "out of memory building the query");
  lr_aws_status st = LR_AWS_OK;
  size_t filled = 0;
  for (; st == LR_AWS_OK && filled < n; filled++)
    st = qentry_fill(&e[filled], filled < na ? &a[filled] : &b[filled - na], err);
  if (st == LR_AWS_OK) {
    qsort(e, n, sizeof *e, qentry_cmp);
    st = query_join(dst, e, n, err);
  }
  for (size_t i = 0; i < filled; i++) {
    lr_buf_free(&e[i].name);
    lr_buf_free(&e[i].value);
  }
  free(e);
  return st;
}

/* ---- canonical headers ------------------------------------------------ */

typedef struct hentry {
  char name[LR_SIGV4_MAX_NAME + 1]; /* lowercase */
  lr_buf value;                     /* trimmed, blanks collapsed */
  size_t order;                     /* keeps duplicates in the order given */
} hentry;

static bool is_tchar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int hentry_cmp(const void *a, const void *b) {
  const hentry *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c) return c;
  return x->order < y->order ? -1 : (x->order > y->order);
}

static lr_aws_status header_name(hentry *e, const char *name, char *err) {
  size_t n = name ? strnlen(name, LR_SIGV4_MAX_NAME + 1) : 0;
  if (n == 0 || n > LR_SIGV4_MAX_NAME)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "a header name is empty or too long");
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)name[i];
    if (!is_tchar(c)) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "a header name holds a character HTTP forbids");
    e->name[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
  }
  e->name[n] = '\0';
  return LR_AWS_OK;
}

/* Trims and collapses runs of spaces and tabs into one space. */
static lr_aws_status header_value(hentry *e, const char *v, size_t len, char *err) {
  if (len > LR_SIGV4_MAX_VALUE || !lr_aws__is_clean_text(v, len))
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "header %s: value too long or holds CR, LF or a control character", e->name);
  lr_buf_status bs = lr_buf_reserve(&e->value, len);
  int pending_blank = 0;
  for (size_t i = 0; bs == LR_BUF_OK && i < len; i++) {
    if (v[i] == ' ' || v[i] == '\t') {
      pending_blank = e->value.len > 0;
      continue;
    }
    if (pending_blank) bs = lr_buf_add(&e->value, " ", 1);
    pending_blank = 0;
    if (bs == LR_BUF_OK) bs = lr_buf_add(&e->value, &v[i], 1);
  }
  if (bs != LR_BUF_OK) return lr_aws__buf_fail(err, bs, "a header value");
  return LR_AWS_OK;
}

static lr_aws_status hentry_fill(hentry *e, const lr_sigv4_pair *p, size_t order, char *err) {
  size_t vlen = 0;
  lr_buf_init(&e->value, LR_SIGV4_MAX_VALUE);
  e->order = order;
  lr_aws_status st = header_name(e, p->name, err);
  if (st != LR_AWS_OK) return st;
  if (!lr_sigv4__value_len(p, &vlen))
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "header %s: no value, or a NUL inside it", e->name);
  return header_value(e, p->value, vlen, err);
}

static lr_buf_status signed_add(char *dst, size_t *used, const char *name) {
  size_t n = strlen(name);
  size_t need = n + (*used ? 1 : 0);
  if (*used + need >= LR_SIGV4_SIGNED_HEADERS_LEN) return LR_BUF_TOO_BIG;
  if (*used) dst[(*used)++] = ';';
  memcpy(dst + *used, name, n + 1);
  *used += n;
  return LR_BUF_OK;
}

/* Writes "name:v1,v2\n" for each distinct name of the sorted entries. */
static lr_aws_status headers_join(lr_buf *dst, char *signed_headers, hentry *e, size_t n, char *err) {
  lr_buf_status bs = LR_BUF_OK;
  size_t used = 0;
  signed_headers[0] = '\0';
  for (size_t i = 0; bs == LR_BUF_OK && i < n; i++) {
    int same = i > 0 && strcmp(e[i].name, e[i - 1].name) == 0;
    if (same) {
      dst->len--; /* reopen the previous line: drop its '\n' */
      bs = lr_buf_add(dst, ",", 1);
    } else {
      bs = signed_add(signed_headers, &used, e[i].name);
      if (bs == LR_BUF_OK) bs = lr_buf_adds(dst, e[i].name);
      if (bs == LR_BUF_OK) bs = lr_buf_add(dst, ":", 1);
    }
    if (bs == LR_BUF_OK) bs = lr_buf_add(dst, lr_buf_str(&e[i].value), e[i].value.len);
    if (bs == LR_BUF_OK) bs = lr_buf_add(dst, "\n", 1);
    if (bs == LR_BUF_OK && dst->len > SIGV4_MAX_CANONICAL_PART) bs = LR_BUF_TOO_BIG;
  }
  if (bs != LR_BUF_OK) return lr_aws__buf_fail(err, bs, "the signed headers");
  return LR_AWS_OK;
}

static bool has_host(const hentry *e, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(e[i].name, "host") == 0 && e[i].value.len > 0) return true;
  return false;
}

lr_aws_status lr_sigv4__headers(lr_buf *dst, char signed_headers[LR_SIGV4_SIGNED_HEADERS_LEN],
                                const lr_sigv4_pair *a, size_t na, const lr_sigv4_pair *b,
                                size_t nb, char *err) {
  if (na > LR_SIGV4_MAX_HEADERS || nb > LR_SIGV4_MAX_HEADERS || (na && !a) || (nb && !b))
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "too many headers to sign");
  size_t n = na + nb;
  hentry *e = calloc(n ? n : 1, sizeof *e);
  if (!e) return lr_aws__fail(err, LR_AWS_NOMEM, "out of memory signing headers");
  lr_aws_status st = LR_AWS_OK;
  size_t filled = 0;
  for (; st == LR_AWS_OK && filled < n; filled++)
    st = hentry_fill(&e[filled], filled < na ? &a[filled] : &b[filled - na], filled, err);
  if (st == LR_AWS_OK && !has_host(e, n))
    st = lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the request has no Host header");
  if (st == LR_AWS_OK) {
    qsort(e, n, sizeof *e, hentry_cmp);
    st = headers_join(dst, signed_headers, e, n, err);
  }
  for (size_t i = 0; i < filled; i++) lr_buf_free(&e[i].value);
  free(e);
  return st;
}
