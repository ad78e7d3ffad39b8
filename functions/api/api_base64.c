/* base64 (RFC 4648 §4) for API Gateway's isBase64Encoded bodies and base64url
 * without padding (§5) for list cursors. Both decoders are strict: anything
 * but the alphabet (and, for base64, correct padding) is refused. */
#include <string.h>

#include "api_internal.h"

static int sextet(char c, int url) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == (url ? '-' : '+')) return 62;
  if (c == (url ? '_' : '/')) return 63;
  return -1;
}

/* Decodes len characters without padding; emit is called per byte. */
static int decode_core(const char *in, size_t len, int url, unsigned char *out, size_t cap,
                       lr_buf *buf, size_t *n) {
  unsigned acc = 0;
  int bits = 0;
  *n = 0;
  if (len % 4 == 1) return -1;
  for (size_t i = 0; i < len; i++) {
    int v = sextet(in[i], url);
    if (v < 0) return -1;
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      unsigned char byte = (unsigned char)(acc >> bits);
      if (out) {
        if (*n >= cap) return -1;
        out[*n] = byte;
      } else if (lr_buf_add(buf, &byte, 1) != LR_BUF_OK) {
        return -1;
      }
      (*n)++;
    }
  }
  /* Leftover bits must be zero: otherwise two spellings decode the same. */
  return (acc & ((1u << bits) - 1)) == 0 ? 0 : -1;
}

int api_base64_decode(const char *in, size_t len, lr_buf *out) {
  size_t n = 0;
  if (len % 4 != 0) return -1;
  size_t pad = 0;
  while (pad < 2 && len > pad && in[len - 1 - pad] == '=') pad++;
  if (memchr(in, '=', len - pad)) return -1;
  return decode_core(in, len - pad, 0, NULL, 0, out, &n);
}

int api_base64url_decode(const char *in, size_t len, unsigned char *out, size_t cap,
                         size_t *out_len) {
  return decode_core(in, len, 1, out, cap, NULL, out_len);
}

int api_base64url_encode(const unsigned char *in, size_t len, lr_buf *out) {
  static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; i++) {
    acc = (acc << 8) | in[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      if (lr_buf_add(out, &abc[(acc >> bits) & 63], 1) != LR_BUF_OK) return -1;
    }
  }
  if (bits > 0 && lr_buf_add(out, &abc[(acc << (6 - bits)) & 63], 1) != LR_BUF_OK) return -1;
  return 0;
}
