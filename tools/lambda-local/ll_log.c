/* One write per line under the stdio lock: stderr is unbuffered, so a line
 * made of several fprintf calls would interleave between threads. */
#include "ll_log.h"

#include <stdarg.h>
#include <stdio.h>

#include "lr/buf.h"

#define LL_LOG_LINE_MAX (256 * 1024)

void ll_log_line(const char *line, size_t len) {
  flockfile(stderr);
  fwrite(line, 1, len, stderr);
  if (len == 0 || line[len - 1] != '\n') fputc('\n', stderr);
  funlockfile(stderr);
}

void ll_logf(const char *fmt, ...) {
  lr_buf b;
  lr_buf_init(&b, LL_LOG_LINE_MAX);
  va_list ap;
  va_start(ap, fmt);
  lr_buf_status st = lr_buf_vaddf(&b, fmt, ap);
  va_end(ap);
  if (st == LR_BUF_OK) ll_log_line(lr_buf_str(&b), b.len);
  lr_buf_free(&b);
}
