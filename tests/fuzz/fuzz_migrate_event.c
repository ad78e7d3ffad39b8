/* migrate's invocation event ("", {} or {"dry_run":bool}). */
#include "fuzz.h"
#include <stdint.h>

#include "migrate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  migrate_mode mode;
  char err[MIGRATE_ERR_LEN];
  migrate_parse_event((const char *)data, size, &mode, err);
  return 0;
}
