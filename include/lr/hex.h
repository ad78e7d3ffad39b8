#ifndef LR_HEX_H
#define LR_HEX_H
/* Hex digits, one definition for every parser of outside text (chunk sizes,
 * cursors, percent escapes). */
#include <stdbool.h>

/* Whether c is a hex digit (either case); its value in *value when it is. */
bool lr_hex_digit(int c, unsigned *value);

#endif
