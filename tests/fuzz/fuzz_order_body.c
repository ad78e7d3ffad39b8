/* The order body: the strict JSON parse the api does, then the validator. */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>

#include "lr/json.h"
#include "orders/order.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cJSON *root = NULL;
  if (lr_json_parse((const char *)data, size, LR_JSON_STRICT, &root) != LR_JSON_OK) return 0;
  order_request *req = malloc(sizeof *req);
  order_errors *errs = malloc(sizeof *errs);
  if (req && errs) order_request_from_json(root, req, errs);
  free(req);
  free(errs);
  cJSON_Delete(root);
  return 0;
}
