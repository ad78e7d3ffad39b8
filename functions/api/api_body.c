/* Checks on a request body before it reaches the JSON parser. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "api_internal.h"

/* application/json, optionally with parameters; the only charset JSON has is
 * UTF-8 (RFC 8259 §8.1), so any other declared charset is refused. */
bool api_body_content_type_ok(const char *ct) {
  static const char mt[] = "application/json";
  if (!ct) return false;
  while (*ct == ' ' || *ct == '\t') ct++;
  if (strncasecmp(ct, mt, sizeof mt - 1) != 0) return false;
  const char *p = ct + sizeof mt - 1;
  while (*p == ' ' || *p == '\t') p++;
  if (*p == '\0') return true;
  if (*p != ';') return false;
  p++;
  while (*p == ' ' || *p == '\t') p++;
  if (*p == '\0') return true;
  if (strncasecmp(p, "charset=", 8) != 0) return false;
  p += 8;
  if (*p == '"') p++;
  if (strncasecmp(p, "utf-8", 5) != 0) return false;
  p += 5;
  if (*p == '"') p++;
  while (*p == ' ' || *p == '\t') p++;
  return *p == '\0';
}
