#ifndef LR_RT_JSON_H
#define LR_RT_JSON_H
/* JSON string escaping shared by the logger, the EMF writer and the error
 * bodies sent to the Runtime API. */
#include <stddef.h>

#include "lr/buf.h"

/* Appends s[0..n) to b as a quoted JSON string: quotes, backslashes and
 * control characters escaped, invalid UTF-8 replaced by U+FFFD, so any bytes
 * at all give valid JSON. On failure b is freed (lr_buf's rule). */
lr_buf_status lr__json_str(lr_buf *b, const char *s, size_t n);
/* Appends already-serialized JSON (e.g. cJSON's output) with any invalid
 * UTF-8 replaced by U+FFFD, so the result stays valid JSON. */
lr_buf_status lr__json_raw_utf8(lr_buf *b, const char *s, size_t n);
/* Same as lr__json_str for a NUL-terminated string; NULL is written as "". */
lr_buf_status lr__json_strz(lr_buf *b, const char *s);

#endif
