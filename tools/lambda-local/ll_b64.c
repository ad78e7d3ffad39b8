/* Base64 without OpenSSL's BIO layers: API Gateway bodies are small enough
 * to do in one pass, and hostile input must fail cleanly, not be skipped. */
#include "ll_b64.h"

static const char ll_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool ll_b64_encode(lr_buf *out, const unsigned char *src, size_t len) {
  if (lr_buf_reserve(out, (len + 2) / 3 * 4) != LR_BUF_OK) return false;
  for (size_t i = 0; i < len; i += 3) {
    unsigned v = (unsigned)src[i] << 16;
    if (i + 1 < len) v |= (unsigned)src[i + 1] << 8;
    if (i + 2 < len) v |= src[i + 2];
    char q[4] = {ll_b64_alphabet[(v >> 18) & 63], ll_b64_alphabet[(v >> 12) & 63],
                 i + 1 < len ? ll_b64_alphabet[(v >> 6) & 63] : '=',
                 i + 2 < len ? ll_b64_alphabet[v & 63] : '='};
    if (lr_buf_add(out, q, 4) != LR_BUF_OK) return false;
  }
  return true;
}

static int ll_b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool ll_b64_decode(lr_buf *out, const char *src, size_t len) {
  while (len > 0 && src[len - 1] == '=') len--; /* padding is optional */
  if (len % 4 == 1) return false;
  unsigned acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; i++) {
    int v = ll_b64_value(src[i]);
    if (v < 0) return false;
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      unsigned char byte = (unsigned char)(acc >> bits);
      if (lr_buf_add(out, &byte, 1) != LR_BUF_OK) return false;
      acc &= (1u << bits) - 1u;
    }
  }
  return true;
}
