/* See lr/hex.h. */
#include "lr/hex.h"

bool lr_hex_digit(int c, unsigned *value) {
  if (c >= '0' && c <= '9') *value = (unsigned)(c - '0');
  else if (c >= 'a' && c <= 'f') *value = (unsigned)(c - 'a' + 10);
  else if (c >= 'A' && c <= 'F') *value = (unsigned)(c - 'A' + 10);
  else return false;
  return true;
}
