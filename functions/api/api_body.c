/* Checks on a request body before it reaches the JSON parser. */
#include <string.h>
#include <strings.h>

#include "api_internal.h"

/* application/json, optionally with parameters; the only charset JSON has is
 * UTF-8 (RFC 8259 §8.1), so any other declared charset is refused. */
int api_body_content_type_ok(const char *ct) {
  static const char mt[] = "application/json";
  if (!ct) return -1;
  while (*ct == ' ' || *ct == '\t') ct++;
  if (strncasecmp(ct, mt, sizeof mt - 1) != 0) return -1;
  const char *p = ct + sizeof mt - 1;
  while (*p == ' ' || *p == '\t') p++;
  if (*p == '\0') return 0;
  if (*p != ';') return -1;
  p++;
  while (*p == ' ' || *p == '\t') p++;
  if (*p == '\0') return 0;
  if (strncasecmp(p, "charset=", 8) != 0) return -1;
  p += 8;
  if (*p == '"') p++;
  if (strncasecmp(p, "utf-8", 5) != 0) return -1;
  p += 5;
  if (*p == '"') p++;
  while (*p == ' ' || *p == '\t') p++;
  return *p == '\0' ? 0 : -1;
}

/* Length of the UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF); 0 when invalid. */
static size_t utf8_seq(const unsigned char *p, size_t left) {
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n == 0 || n > left) return 0;
  for (size_t i = 1; i < n; i++)
    if ((p[i] & 0xc0) != 0x80) return 0;
  if (c == 0xe0 && p[1] < 0xa0) return 0;
  if (c == 0xed && p[1] > 0x9f) return 0;
  if (c == 0xf0 && p[1] < 0x90) return 0;
  if (c == 0xf4 && p[1] > 0x8f) return 0;
  return n;
}

/* A \u0000 escape (any hex case) that is not itself escaped. */
static int nul_escape_at(const char *p, size_t left) {
  return left >= 6 && p[1] == 'u' && p[2] == '0' && p[3] == '0' && p[4] == '0' && p[5] == '0';
}

int api_body_text_ok(const char *p, size_t len) {
  const unsigned char *u = (const unsigned char *)p;
  for (size_t i = 0; i < len;) {
    if (u[i] == 0) return -1;
    if (u[i] == '\\') {
      if (nul_escape_at(p + i, len - i)) return -1;
      i += i + 1 < len ? 2 : 1;
      continue;
    }
    size_t n = utf8_seq(u + i, len - i);
    if (n == 0) return -1;
    i += n;
  }
  return 0;
}

/* cJSON stops at the end of the first value; whatever follows it (a second
 * document, garbage) must make the whole text malformed. */
cJSON *api_json_parse(const char *p, size_t len) {
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(p, len, &end, 0);
  if (!root) return NULL;
  while (end < p + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')) end++;
  if (end != p + len) {
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

int api_text_has_nul_escape(const char *p, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (p[i] != '\\') continue;
    if (nul_escape_at(p + i, len - i)) return 1;
    i++; /* skip the escaped character: "\\\\u0000" is a backslash and text */
  }
  return 0;
}
