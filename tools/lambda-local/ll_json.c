/* lambda-local reads two kinds of JSON: its own configuration (strict) and
 * what functions answer, which it relays as Lambda would. */
#include "ll_json.h"

#include "lr/json.h"

cJSON *ll_json_parse(const char *s, size_t len) {
  cJSON *j = NULL;
  /* a function's answer may carry \u0000 inside a string, and API Gateway
   * relays it; a raw NUL byte or invalid UTF-8 still fails */
  return lr_json_parse(s, len, LR_JSON_ALLOW_NUL_ESCAPE, &j) == LR_JSON_OK ? j : NULL;
}
