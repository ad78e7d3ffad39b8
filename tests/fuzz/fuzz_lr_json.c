/* The shared strict JSON parser, in each of its modes (the first byte picks
 * the mode); what parses prints and parses again. */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lr/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  unsigned mode = data[0] & 7u;
  cJSON *root = NULL;
  lr_json_status st = lr_json_parse((const char *)data + 1, size - 1, mode, &root);
  if (st == LR_JSON_OK) {
    char *text = cJSON_PrintUnformatted(root);
    if (text) {
      cJSON *again = NULL;
      /* cJSON's own output of a strict parse parses strictly again */
      if (mode == LR_JSON_STRICT &&
          lr_json_parse(text, strlen(text), LR_JSON_STRICT, &again) != LR_JSON_OK)
        abort();
      cJSON_Delete(again);
      free(text);
    }
  } else if (root) {
    abort(); /* no root on failure */
  }
  cJSON_Delete(root);
  return 0;
}
