#ifndef LR_AWS_INTERNAL_H
#define LR_AWS_INTERNAL_H
/* Helpers shared by the files of runtime/aws (not installed, not public). */
#include <stdbool.h>
#include <stddef.h>

#include "lr/aws.h"
#include "lr/buf.h"

/* Fills err (when not NULL) with a formatted, truncated message and returns st,
 * so that a failing path reads `return lr_aws__fail(err, LR_AWS_..., "...")`.
 * Messages never carry a secret, a token or a signature. */
lr_aws_status lr_aws__fail(char *err, lr_aws_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Maps a buffer failure to a status, with a message naming what was built. */
lr_aws_status lr_aws__buf_fail(char *err, int buf_status, const char *what);

/* 1 when the bytes hold no NUL, CR, LF or other control character but TAB. */
bool lr_aws__is_clean_text(const char *s, size_t len);

/* Overwrites memory that held a secret (not optimised away). */
void lr_aws__wipe(void *p, size_t n);

#endif
