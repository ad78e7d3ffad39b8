/* The partial batch response. Lambda deletes every message it does not name
 * and returns the named ones to the queue; an identifier it does not know (or
 * an empty one) fails the whole batch, so only usable message ids (checked by
 * wk_event.c) are ever written, each once. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "wk_internal.h"

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The failed messages' ids, sorted, without repeats (SQS may hand one message
 * twice in a batch); *n the count. NULL with *n 0 when there are none. */
static const char **failed_ids(const wk_batch *b, size_t *n, int *nomem) {
  *n = 0;
  *nomem = 0;
  if (b->n == 0) return NULL;
  const char **ids = malloc(b->n * sizeof *ids);
  if (!ids) {
    *nomem = 1;
    return NULL;
  }
  for (size_t i = 0; i < b->n; i++)
    if (wk_outcome_failed(b->msgs[i].outcome) && b->msgs[i].message_id[0])
      ids[(*n)++] = b->msgs[i].message_id;
  qsort(ids, *n, sizeof *ids, cmp_str);
  size_t u = 0;
  for (size_t i = 0; i < *n; i++)
    if (u == 0 || strcmp(ids[u - 1], ids[i]) != 0) ids[u++] = ids[i];
  *n = u;
  return ids;
}

lr_buf_status wk_answer_write(const wk_batch *b, lr_buf *out) {
  size_t n;
  int nomem;
  const char **ids = failed_ids(b, &n, &nomem);
  if (nomem) return LR_BUF_NOMEM;
  cJSON *root = cJSON_CreateObject();
  cJSON *list = root ? cJSON_AddArrayToObject(root, "batchItemFailures") : NULL;
  int ok = list != NULL;
  for (size_t i = 0; ok && i < n; i++) {
    cJSON *item = cJSON_CreateObject();
    if (!item || !cJSON_AddItemToArray(list, item)) {
      cJSON_Delete(item);
      ok = 0;
      break;
    }
    ok = cJSON_AddStringToObject(item, "itemIdentifier", ids[i]) != NULL;
  }
  free(ids);
  char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
  cJSON_Delete(root);
  if (!text) return LR_BUF_NOMEM;
  lr_buf_status st = lr_buf_adds(out, text);
  cJSON_free(text);
  return st;
}
