#ifndef LR_UTF8_H
#define LR_UTF8_H
/* UTF-8 validation by RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF. One definition for every reader of outside text. */
#include <stdbool.h>
#include <stddef.h>

/* Length (1-4) of the well-formed sequence at p, which has left bytes; 0 when
 * it is not one (or left is 0). */
size_t lr_utf8_seq_len(const unsigned char *p, size_t left);

/* Whether p[0..n) is well-formed UTF-8 throughout (NUL bytes are valid UTF-8:
 * refuse them separately where they matter). */
bool lr_utf8_valid(const char *p, size_t n);

#endif
