#ifndef LR_BUF_H
#define LR_BUF_H
/* A growable byte buffer with a hard maximum, kept NUL-terminated.
 * Every string the project builds goes through one of these: there is no
 * sprintf into fixed arrays. On any failure the buffer frees its memory and
 * stays usable (empty), so a caller never leaks by bailing out early. */
#include <stdarg.h>
#include <stddef.h>

typedef struct lr_buf {
  char *data;     /* NULL until the first byte is added */
  size_t len;     /* bytes in use, not counting the trailing NUL */
  size_t cap;     /* bytes allocated */
  size_t max;     /* hard limit on len; adding past it fails with LR_BUF_TOO_BIG */
} lr_buf;

typedef enum lr_buf_status {
  LR_BUF_OK = 0,
  LR_BUF_NOMEM = 1,
  LR_BUF_TOO_BIG = 2
} lr_buf_status;

void lr_buf_init(lr_buf *b, size_t max);
/* Forget the contents but keep the allocation (for reuse across invocations). */
void lr_buf_reset(lr_buf *b);
/* Release the allocation; the buffer may be reused after lr_buf_init. NULL-safe. */
void lr_buf_free(lr_buf *b);
lr_buf_status lr_buf_add(lr_buf *b, const void *p, size_t n);
lr_buf_status lr_buf_adds(lr_buf *b, const char *s);
lr_buf_status lr_buf_addf(lr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
lr_buf_status lr_buf_vaddf(lr_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Make room for at least n more bytes without changing len. */
lr_buf_status lr_buf_reserve(lr_buf *b, size_t n);
/* Hand the NUL-terminated contents to the caller (who frees them with free()) and
 * leave the buffer empty. Returns an allocated "" for an empty buffer; NULL only
 * when that allocation fails. */
char *lr_buf_take(lr_buf *b, size_t *len);
/* The contents as a C string; "" when empty. Valid until the next change. */
const char *lr_buf_str(const lr_buf *b);

#endif
