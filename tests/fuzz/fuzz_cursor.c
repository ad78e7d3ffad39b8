/* List cursors: decoded for every status filter; a cursor that decodes
 * encodes back to one that decodes to the same key. */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *cursor = malloc(size + 1);
  if (!cursor) return 0;
  memcpy(cursor, data, size);
  cursor[size] = '\0';
  for (int st = ORDER_STATUS_ANY; st <= ORDER_STATUS_CANCELLED; st++) {
    order_list_key key;
    if (!api_cursor_decode(cursor, "c-1", (order_status_filter)st, &key)) continue;
    lr_buf again;
    lr_buf_init(&again, 4096);
    order_list_key back;
    if (!api_cursor_encode(&key, "c-1", (order_status_filter)st, &again) ||
        !api_cursor_decode(lr_buf_str(&again), "c-1", (order_status_filter)st, &back) ||
        back.created_us != key.created_us || strcmp(back.id, key.id) != 0)
      abort();
    lr_buf_free(&again);
  }
  free(cursor);
  return 0;
}
