/* lambda-local's config loader (the stack file: functions, env with ${VAR}
 * expansion, http front). */
#include "fuzz.h"
#include <stdint.h>

#include "ll_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ll_config c;
  char err[512];
  if (ll_config_parse((const char *)data, size, "/nonexistent", &c, err, sizeof err) == LL_OK)
    ll_config_free(&c);
  return 0;
}
