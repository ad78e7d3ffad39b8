/* Archive object keys. A key is a function of the batch's rows only (never of
 * the clock of the run), so a rerun after a crash overwrites the object it
 * wrote before instead of writing a second one. */
#include <stdbool.h>
#include <string.h>

#include "cl.h"

#define CL_UUID_LEN 36

static bool is_uuid(const char *s) {
  if (!s || strlen(s) != CL_UUID_LEN) return false;
  for (size_t i = 0; i < CL_UUID_LEN; i++) {
    char c = s[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

/* "YYYY-MM-DD" at the start of an RFC 3339 instant in UTC. */
static bool is_date(const char *s) {
  static const char shape[] = "dddd-dd-dd";
  if (!s || strlen(s) < 10) return false;
  for (size_t i = 0; i < 10; i++)
    if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != '-') return false;
  return s[10] == '\0' || s[10] == 'T';
}

bool cl_archive_key(const char *prefix, const char *first_updated_at, const char *first_id,
                   const char *last_id, lr_buf *out) {
  if (!prefix || !is_date(first_updated_at) || !is_uuid(first_id) || !is_uuid(last_id)) return false;
  size_t pl = strlen(prefix);
  const char *sep = pl && prefix[pl - 1] != '/' ? "/" : "";
  return lr_buf_addf(out, "%s%sdt=%.10s/%s_%s.jsonl.gz", prefix, sep, first_updated_at, first_id, last_id) == LR_BUF_OK;
}
