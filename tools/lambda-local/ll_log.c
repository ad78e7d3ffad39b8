/* One write per line under the stdio lock: stderr is unbuffered, so a line
 * made of several fprintf calls would interleave between threads.
 *
 * Much of what is written is function-controlled (its output, error types,
 * init error bodies, header names in parse errors): a control byte in it is
 * written as \xHH, so a function cannot end lambda-local's line and forge the
 * next one ("REPORT RequestId: ..."), nor rewrite it on a terminal with \r.
 * Tabs stay (REPORT lines use them). */
#include "ll_log.h"

#include <stdarg.h>
#include <stdio.h>

#include "lr/buf.h"

#define LL_LOG_LINE_MAX (256 * 1024)

static int ll_log_control(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }

static void ll_log_escaped(const char *line, size_t len) {
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)line[i];
    if (!ll_log_control(c)) {
      fputc(c, stderr);
      continue;
    }
    char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
    fwrite(esc, 1, sizeof esc, stderr);
  }
}

void ll_log_line(const char *line, size_t len) {
  if (len && line[len - 1] == '\n') len--; /* the line's own end */
  flockfile(stderr);
  ll_log_escaped(line, len);
  fputc('\n', stderr);
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
