/* Strict JSON parsing: see lr/json.h for why cJSON alone is not enough. */
#include "lr/json.h"

#include <stdlib.h>
#include <string.h>

#include "lr/status.h"
#include "lr/utf8.h"

static const lr_status_row lr_json_rows[] = {
#define LR_JSON_ROW(name, value, msg) [value] = {"LR_JSON_" #name, msg},
    LR_JSON_STATUS_MAP(LR_JSON_ROW)
#undef LR_JSON_ROW
};
static const lr_status_row lr_json_unknown = {"LR_JSON_UNKNOWN", "unknown status"};

const char *lr_json_status_name(lr_json_status st) { return LR_STATUS_ROW(lr_json_rows, st, &lr_json_unknown)->name; }
const char *lr_json_status_message(lr_json_status st) {
  return LR_STATUS_ROW(lr_json_rows, st, &lr_json_unknown)->message;
}

/* \u0000 (any hex case) at p, the backslash being an escape of its own. */
static int lr_json_nul_escape_at(const char *p, size_t left) {
  return left >= 6 && p[1] == 'u' && p[2] == '0' && p[3] == '0' && p[4] == '0' && p[5] == '0';
}

/* The checks cJSON does not make on the raw text. */
static lr_json_status lr_json_scan(const char *s, size_t len, unsigned mode) {
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < len;) {
    if (u[i] == 0) return LR_JSON_NUL;
    if (u[i] == '\\') {
      if (!(mode & LR_JSON_ALLOW_NUL_ESCAPE) && lr_json_nul_escape_at(s + i, len - i)) return LR_JSON_NUL_ESCAPE;
      i += i + 1 < len ? 2 : 1; /* "\\\\u0000" is a backslash, then text */
      continue;
    }
    size_t n = lr_utf8_seq_len(u + i, len - i);
    if (n == 0 && !(mode & LR_JSON_ALLOW_BAD_UTF8)) return LR_JSON_UTF8;
    i += n ? n : 1;
  }
  return LR_JSON_OK;
}

bool lr_json_has_nul_escape(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (s[i] != '\\') continue;
    if (lr_json_nul_escape_at(s + i, len - i)) return true;
    i++; /* skip the escaped character */
  }
  return false;
}

static int lr_json_cmp_keys(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorting the keys keeps an object of n keys at n log n, where comparing each
 * pair would let one hostile object of 100,000 keys cost 10^10 compares. */
static lr_json_status lr_json_object_dup(const cJSON *obj) {
  size_t n = 0;
  for (const cJSON *c = obj->child; c; c = c->next) n++;
  if (n < 2) return LR_JSON_OK;
  const char **keys = malloc(n * sizeof *keys);
  if (!keys) return LR_JSON_NOMEM;
  size_t i = 0;
  for (const cJSON *c = obj->child; c; c = c->next) keys[i++] = c->string ? c->string : "";
  qsort(keys, n, sizeof *keys, lr_json_cmp_keys);
  bool dup = false;
  for (i = 1; i < n && !dup; i++) dup = strcmp(keys[i - 1], keys[i]) == 0;
  free(keys);
  return dup ? LR_JSON_DUP_KEY : LR_JSON_OK;
}

lr_json_status lr_json_check_dup_keys(const cJSON *item) {
  if (!item) return LR_JSON_OK;
  lr_json_status st = cJSON_IsObject(item) ? lr_json_object_dup(item) : LR_JSON_OK;
  for (const cJSON *c = item->child; c && st == LR_JSON_OK; c = c->next) st = lr_json_check_dup_keys(c);
  return st;
}

static int lr_json_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

cJSON *lr_json_parse_or_null(const char *s, size_t len, unsigned mode) {
  cJSON *root = NULL;
  return lr_json_parse(s, len, mode, &root) == LR_JSON_OK ? root : NULL;
}

lr_json_status lr_json_parse(const char *s, size_t len, unsigned mode, cJSON **out) {
  *out = NULL;
  if (!s) return LR_JSON_SYNTAX;
  lr_json_status st = lr_json_scan(s, len, mode);
  if (st != LR_JSON_OK) return st;
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(s, len, &end, 0);
  if (!root) return LR_JSON_SYNTAX;
  /* cJSON stops after the first value: only blanks may follow it */
  size_t used = (size_t)(end - s);
  while (used < len && lr_json_blank(s[used])) used++;
  if (used != len) st = LR_JSON_TRAILING;
  if (st == LR_JSON_OK && !(mode & LR_JSON_ALLOW_DUP_KEYS)) {
    st = lr_json_check_dup_keys(root);
  }
  if (st != LR_JSON_OK) {
    cJSON_Delete(root);
    return st;
  }
  *out = root;
  return LR_JSON_OK;
}
