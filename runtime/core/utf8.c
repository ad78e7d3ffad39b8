#include "lr/utf8.h"

size_t lr_utf8_seq_len(const unsigned char *p, size_t left) {
  if (left == 0) return 0;
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n == 0 || n > left) return 0;
  for (size_t i = 1; i < n; i++)
    if ((p[i] & 0xc0) != 0x80) return 0;
  /* the second byte's range rules out overlongs (e0, f0), surrogates (ed)
   * and code points above U+10FFFF (f4) */
  if (c == 0xe0 && p[1] < 0xa0) return 0;
  if (c == 0xed && p[1] > 0x9f) return 0;
  if (c == 0xf0 && p[1] < 0x90) return 0;
  if (c == 0xf4 && p[1] > 0x8f) return 0;
  return n;
}

bool lr_utf8_valid(const char *p, size_t n) {
  const unsigned char *u = (const unsigned char *)p;
  for (size_t i = 0; i < n;) {
    size_t k = lr_utf8_seq_len(u + i, n - i);
    if (k == 0) return false;
    i += k;
  }
  return true;
}
