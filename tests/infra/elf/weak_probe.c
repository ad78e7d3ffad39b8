/* Built without hardening (tests/infra/elf): the checks must reject it. It
 * uses a stack buffer and memcpy so that a stack protector and FORTIFY would
 * show if they were on. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  char buf[64];
  memcpy(buf, argv[0], strlen(argv[0]) < sizeof buf ? strlen(argv[0]) + 1 : 1);
  buf[sizeof buf - 1] = '\0';
  printf("%s %d\n", buf, argc);
  return 0;
}
