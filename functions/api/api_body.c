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
