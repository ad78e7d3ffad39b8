#ifndef LL_STATUS_H
#define LL_STATUS_H
/* lambda-local's status codes. 0 is OK; values are never renumbered.
 * X(NAME, value, message) */
#include <stddef.h>

#define LL_STATUS_MAP(X)                                                \
  X(LL_OK, 0, "ok")                                                     \
  X(LL_NOMEM, 1, "out of memory")                                       \
  X(LL_CONFIG, 2, "invalid configuration")                              \
  X(LL_IO, 3, "input/output error")                                     \
  X(LL_SPAWN, 4, "cannot start the function process")                   \
  X(LL_LISTEN, 5, "cannot listen on the requested address")             \
  X(LL_TOO_BIG, 6, "payload too large")                                 \
  X(LL_BAD_INPUT, 7, "malformed input")                                 \
  X(LL_BUSY, 8, "no instance became free in time")                      \
  X(LL_STOPPED, 9, "shutting down")                                     \
  X(LL_NOT_FOUND, 10, "no such function")

typedef enum ll_status {
#define LL_X(name, value, msg) name = value,
  LL_STATUS_MAP(LL_X)
#undef LL_X
} ll_status;

const char *ll_status_message(ll_status s);

/* Fills a caller-owned error buffer (the cause, for the user); NULL-safe. */
void ll_err_set(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define LL_ERR_LEN 256

#endif
