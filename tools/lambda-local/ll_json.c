/* cJSON's own require_null_terminated check misreads a document that ends in
 * whitespace exactly at the given length; we check the tail ourselves. */
#include "ll_json.h"

cJSON *ll_json_parse(const char *s, size_t len) {
  const char *end = NULL;
  cJSON *j = cJSON_ParseWithLengthOpts(s, len, &end, 0);
  if (!j) return NULL;
  size_t used = (size_t)(end - s);
  while (used < len && (s[used] == ' ' || s[used] == '\t' || s[used] == '\r' || s[used] == '\n')) used++;
  if (used != len) {
    cJSON_Delete(j);
    return NULL;
  }
  return j;
}
