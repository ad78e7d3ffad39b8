#include "lr/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lr_buf_init(lr_buf *b, size_t max) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max;
}

void lr_buf_reset(lr_buf *b) {
  b->len = 0;
  if (b->data) b->data[0] = '\0';
}

void lr_buf_free(lr_buf *b) {
  if (!b) return;
  free(b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

static lr_buf_status fail(lr_buf *b, lr_buf_status st) {
  lr_buf_free(b);
  return st;
}

lr_buf_status lr_buf_reserve(lr_buf *b, size_t n) {
  if (n > b->max || b->len > b->max - n) return fail(b, LR_BUF_TOO_BIG);
  size_t need = b->len + n + 1;
  if (need <= b->cap) return LR_BUF_OK;
  /* Double to keep appends amortised O(1); never past max + 1. */
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) cap = cap > (SIZE_MAX / 2) ? need : cap * 2;
  if (cap > b->max + 1) cap = b->max + 1;
  char *p = realloc(b->data, cap);
  if (!p) return fail(b, LR_BUF_NOMEM);
  b->data = p;
  b->cap = cap;
  return LR_BUF_OK;
}

lr_buf_status lr_buf_add(lr_buf *b, const void *p, size_t n) {
  lr_buf_status st = lr_buf_reserve(b, n);
  if (st != LR_BUF_OK) return st;
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return LR_BUF_OK;
}

lr_buf_status lr_buf_adds(lr_buf *b, const char *s) {
  return lr_buf_add(b, s, strlen(s));
}

lr_buf_status lr_buf_vaddf(lr_buf *b, const char *fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  if (n < 0) return fail(b, LR_BUF_NOMEM);
  lr_buf_status st = lr_buf_reserve(b, (size_t)n);
  if (st != LR_BUF_OK) return st;
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return LR_BUF_OK;
}

lr_buf_status lr_buf_addf(lr_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  lr_buf_status st = lr_buf_vaddf(b, fmt, ap);
  va_end(ap);
  return st;
}

char *lr_buf_take(lr_buf *b, size_t *len) {
  char *out = b->data;
  size_t n = b->len;
  if (!out) out = calloc(1, 1);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  if (len) *len = out ? n : 0;
  return out;
}

const char *lr_buf_str(const lr_buf *b) {
  return b->data ? b->data : "";
}
