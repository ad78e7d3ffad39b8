/* package_probe_new_glibc: needs arc4random (GLIBC_2.36), newer than provided.al2023's glibc
 * 2.34, so scripts/package must refuse to package it. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  printf("%u\n", arc4random());
  return 0;
}
