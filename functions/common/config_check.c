/* Validators for configuration values: strict, whole-string, hostile-input safe. */
#include "config_check.h"

#include <stdbool.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

int cfg__check_int(const char *s, long min, long max, long *out) {
  /* digits only: no sign, no blanks, no hex, no trailing garbage */
  if (!*s || strlen(s) > 10) return 0;
  for (const char *p = s; *p; p++)
    if (*p < '0' || *p > '9') return 0;
  errno = 0;
  char *end;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < min || v > max) return 0;
  *out = v;
  return 1;
}

int cfg__check_bool(const char *s, int *out) {
  static const char *const yes[] = {"true", "1", "yes", "on"};
  static const char *const no[] = {"false", "0", "no", "off"};
  for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
    if (strcasecmp(s, yes[i]) == 0) return *out = 1, 1;
    if (strcasecmp(s, no[i]) == 0) return *out = 0, 1;
  }
  return 0;
}

static int check_ipv6(const char *s) {
  size_t colons = 0;
  for (const char *p = s; *p; p++) {
    if (*p == ':') colons++;
    else if (!isxdigit((unsigned char)*p) && *p != '.') return 0;
  }
  return colons >= 2 && colons <= 7;
}

int cfg__check_host(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 253) return 0;
  if (strchr(s, ':')) return check_ipv6(s);
  size_t label = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '.') {
      if (label == 0 || s[i - 1] == '-') return 0;
      label = 0;
      continue;
    }
    if (!is_alnum(c) && c != '-') return 0;
    if (c == '-' && label == 0) return 0;
    if (++label > 63) return 0;
  }
  return label > 0 && s[n - 1] != '-';
}

int cfg__check_ident(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 63) return 0;
  for (size_t i = 0; i < n; i++)
    if (!is_alnum(s[i]) && !strchr("_$.@-", s[i])) return 0;
  return 1;
}

int cfg__check_printable(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p > 0x7e) return 0;
  return 1;
}

int cfg__check_url(const char *s) {
  const char *rest;
  if (strncmp(s, "https://", 8) == 0) rest = s + 8;
  else if (strncmp(s, "http://", 7) == 0) rest = s + 7;
  else return 0;
  if (!*rest || *rest == '/' || *rest == ':') return 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p <= 0x20 || *p > 0x7e) return 0;
  return 1;
}

int cfg__check_bucket(const char *s) {
  size_t n = strlen(s);
  if (n < 3 || n > 63 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1])) return 0;
  if (strstr(s, "..")) return 0;
  for (size_t i = 0; i < n; i++)
    if (!is_lower_alnum(s[i]) && s[i] != '.' && s[i] != '-') return 0;
  return 1;
}

int cfg__check_region(const char *s) {
  /* [a-z]{2} then one or more -[a-z]+ then -[0-9]+ */
  size_t n = strlen(s), i = 0;
  if (n < 6 || n > 31) return 0;
  if (!(s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z' && s[2] == '-')) return 0;
  int words = 0;
  for (i = 3; i < n;) {
    size_t start = i;
    while (i < n && s[i] >= 'a' && s[i] <= 'z') i++;
    if (i == start) break;
    if (i >= n || s[i] != '-') return 0;
    words++;
    i++;
  }
  if (words == 0 || i >= n) return 0;
  for (; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

int cfg__check_prefix(const char *s) {
  return cfg__check_printable(s) && s[0] != '/' && !strstr(s, "..");
}

int cfg__check_sslmode(const char *s, int *rank) {
  static const char *const modes[] = {"disable", "allow", "prefer",
                                      "require", "verify-ca", "verify-full"};
  for (int i = 0; i < (int)(sizeof modes / sizeof *modes); i++)
    if (strcmp(s, modes[i]) == 0) return *rank = i, 1;
  return 0;
}

int cfg__check_sslmode_any(const char *s) {
  int rank;
  return cfg__check_sslmode(s, &rank);
}
