#include "rt_json.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid:
 * overlong forms, surrogates and code points past U+10FFFF are rejected so
 * the output is valid for any strict JSON reader. */
static size_t utf8_seq_len(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t len;
  unsigned cp;
  if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
  else return 0;
  if (len > n) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return len;
}

static lr_buf_status add_escape(lr_buf *b, unsigned char c) {
  static const char hex[] = "0123456789abcdef";
  switch (c) {
  case '"': return lr_buf_add(b, "\\\"", 2);
  case '\\': return lr_buf_add(b, "\\\\", 2);
  case '\n': return lr_buf_add(b, "\\n", 2);
  case '\r': return lr_buf_add(b, "\\r", 2);
  case '\t': return lr_buf_add(b, "\\t", 2);
  default: {
    char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
    return lr_buf_add(b, u, sizeof u);
  }
  }
}

static int needs_escape(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\' || c == 0x7F || c >= 0x80;
}

lr_buf_status lr__json_str(lr_buf *b, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  lr_buf_status st = lr_buf_add(b, "\"", 1);
  size_t i = 0;
  while (st == LR_BUF_OK && i < n) {
    size_t run = i;
    while (run < n && !needs_escape(p[run])) run++;
    if (run > i) st = lr_buf_add(b, p + i, run - i);
    i = run;
    if (st != LR_BUF_OK || i >= n) break;
    if (p[i] < 0x80) {
      st = add_escape(b, p[i++]);
      continue;
    }
    size_t len = utf8_seq_len(p + i, n - i);
    if (len) st = lr_buf_add(b, p + i, len), i += len;
    else st = lr_buf_add(b, "\xEF\xBF\xBD", 3), i++;
  }
  return st == LR_BUF_OK ? lr_buf_add(b, "\"", 1) : st;
}

lr_buf_status lr__json_strz(lr_buf *b, const char *s) {
  return lr__json_str(b, s ? s : "", s ? strlen(s) : 0);
}

lr_buf_status lr__json_raw_utf8(lr_buf *b, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  lr_buf_status st = LR_BUF_OK;
  size_t i = 0;
  while (st == LR_BUF_OK && i < n) {
    size_t run = i;
    while (run < n && p[run] < 0x80) run++;
    if (run > i) st = lr_buf_add(b, p + i, run - i);
    i = run;
    if (st != LR_BUF_OK || i >= n) break;
    size_t len = utf8_seq_len(p + i, n - i);
    if (len) st = lr_buf_add(b, p + i, len), i += len;
    else st = lr_buf_add(b, "\xEF\xBF\xBD", 3), i++;
  }
  return st;
}
