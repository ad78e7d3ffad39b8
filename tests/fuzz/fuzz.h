#ifndef FUZZ_H
#define FUZZ_H
/* libFuzzer's entry point, called once per input (tests/fuzz/README.md). */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
