#ifndef LL_LOG_H
#define LL_LOG_H
/* lambda-local's own output: whole lines on stderr, never interleaved with
 * another thread's line (function output, START/END/REPORT). */
#include <stddef.h>

/* Writes line (its trailing newline optional) as one line, control bytes
 * but tab written as \xHH: function-controlled text cannot forge lines. */
void ll_log_line(const char *line, size_t len);
void ll_logf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
