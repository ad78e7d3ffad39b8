/* Base64 in one pass, without OpenSSL's BIO layers: hostile input must fail
 * cleanly, never be skipped over. */
#include "lr/base64.h"

#include <stdbool.h>
#include <string.h>

#include "lr/status.h"

static const char lr_b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char lr_b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static const lr_status_row lr_b64_rows[] = {
#define LR_B64_ROW(name, value, msg) [value] = {"LR_B64_" #name, msg},
    LR_B64_STATUS_MAP(LR_B64_ROW)
#undef LR_B64_ROW
};
static const lr_status_row lr_b64_unknown = {"LR_B64_UNKNOWN", "unknown status"};

const char *lr_b64_status_message(lr_b64_status st) { return LR_STATUS_ROW(lr_b64_rows, st, &lr_b64_unknown)->message; }

static int lr_b64_sextet(char c, const char *abc) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == abc[62]) return 62;
  if (c == abc[63]) return 63;
  return -1;
}

lr_b64_status lr_b64_encode(lr_buf *out, const unsigned char *in, size_t len, lr_b64_variant v) {
  const char *abc = v == LR_B64_URL_RAW ? lr_b64_url : lr_b64_std;
  if (lr_buf_reserve(out, (len + 2) / 3 * 4) != LR_BUF_OK) return LR_B64_TOO_BIG;
  for (size_t i = 0; i < len; i += 3) {
    size_t left = len - i;
    unsigned w = (unsigned)in[i] << 16 | (left > 1 ? (unsigned)in[i + 1] << 8 : 0) | (left > 2 ? in[i + 2] : 0);
    char q[4] = {abc[w >> 18 & 63], abc[w >> 12 & 63], left > 1 ? abc[w >> 6 & 63] : '=', left > 2 ? abc[w & 63] : '='};
    size_t n = v == LR_B64_URL_RAW ? (left > 2 ? 4 : left + 1) : 4;
    if (lr_buf_add(out, q, n) != LR_BUF_OK) return LR_B64_TOO_BIG;
  }
  return LR_B64_OK;
}

/* *n: how many characters of in carry data; false when the variant's
 * padding rule is broken. */
static bool lr_b64_data_len(const char *in, size_t len, lr_b64_variant v, size_t *n) {
  size_t pad = 0;
  while (v != LR_B64_URL_RAW && pad < 2 && len > pad && in[len - 1 - pad] == '=') pad++;
  if (v == LR_B64_STRICT && len % 4 != 0) return false;
  if (v == LR_B64_LENIENT && pad && len % 4 != 0) return false;
  *n = len - pad;
  return true;
}

lr_b64_status lr_b64_decode(lr_buf *out, const char *in, size_t len, lr_b64_variant v) {
  const char *abc = v == LR_B64_URL_RAW ? lr_b64_url : lr_b64_std;
  size_t n = 0;
  if (!lr_b64_data_len(in, len, v, &n) || n % 4 == 1) return LR_B64_INVALID;
  unsigned acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    int s = lr_b64_sextet(in[i], abc);
    if (s < 0) return LR_B64_INVALID;
    acc = (acc << 6 | (unsigned)s) & 0xffffu;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      unsigned char byte = (unsigned char)(acc >> bits);
      if (lr_buf_add(out, &byte, 1) != LR_BUF_OK) return LR_B64_TOO_BIG;
    }
  }
  /* Leftover bits must be zero where one spelling per value matters. */
  if (v != LR_B64_LENIENT && (acc & ((1u << bits) - 1u)) != 0) return LR_B64_INVALID;
  return LR_B64_OK;
}
