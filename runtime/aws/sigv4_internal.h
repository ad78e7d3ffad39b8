#ifndef LR_SIGV4_INTERNAL_H
#define LR_SIGV4_INTERNAL_H
/* The canonical forms of SigV4 (sigv4_canon.c), used by sigv4_sign.c. */
#include <stdbool.h>
#include <stddef.h>

#include "lr/sigv4.h"

/* The canonical URI of a wire path (checked: starts with '/', no controls,
 * no '?' or '#', at most LR_SIGV4_MAX_PATH bytes). Appends to dst. */
lr_aws_status lr_sigv4__canonical_uri(lr_buf *dst, const char *path, lr_sigv4_path_mode mode,
                                      char *err);

/* Encodes both lists of decoded pairs, sorts them by encoded name then value
 * and appends "n1=v1&n2=v2..." to dst. The same text is the canonical query
 * and the query sent on the wire. */
lr_aws_status lr_sigv4__query(lr_buf *dst, const lr_sigv4_pair *a, size_t na,
                              const lr_sigv4_pair *b, size_t nb, char *err);

/* The canonical headers block ("name:value\n" per header, lowercase names,
 * trimmed values, runs of blanks collapsed, duplicates joined with ',',
 * sorted) of both lists, appended to dst, and the signed headers list
 * ("a;b;c") in signed_headers. */
lr_aws_status lr_sigv4__headers(lr_buf *dst, char signed_headers[LR_SIGV4_SIGNED_HEADERS_LEN],
                                const lr_sigv4_pair *a, size_t na, const lr_sigv4_pair *b,
                                size_t nb, char *err);

/* Length of a pair's value (value_len, or strlen when 0); checks there is no
 * NUL inside an explicit length. Returns true and sets *len when it is fine. */
bool lr_sigv4__value_len(const lr_sigv4_pair *p, size_t *len);

#endif
