/* The worker's SQS event parser, then its answer: whatever the event, the
 * answer it would give (every message named, as after a failed batch) is
 * strict JSON and names each message with a usable id at most once. */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>

#include "lr/json.h"
#include "wk_internal.h"

static void check_answer(wk_batch *b) {
  size_t usable = 0;
  for (size_t i = 0; i < b->n; i++) {
    if (b->msgs[i].outcome == WK_PENDING) b->msgs[i].outcome = WK_RETRY;
    usable += b->msgs[i].message_id[0] != '\0';
  }
  lr_buf out;
  lr_buf_init(&out, 16u << 20);
  if (wk_answer_write(b, &out) != LR_BUF_OK) abort();
  cJSON *root = NULL;
  if (lr_json_parse(out.data, out.len, LR_JSON_STRICT, &root) != LR_JSON_OK) abort();
  const cJSON *fails = cJSON_GetObjectItemCaseSensitive(root, "batchItemFailures");
  if (!cJSON_IsArray(fails) || (size_t)cJSON_GetArraySize(fails) > usable) abort();
  cJSON_Delete(root);
  lr_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wk_batch b = {0};
  char err[256];
  if (wk_event_parse((const char *)data, size, &b, err, sizeof err)) check_answer(&b);
  wk_batch_free(&b);
  return 0;
}
