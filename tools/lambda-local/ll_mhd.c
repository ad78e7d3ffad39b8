#include "ll_mhd.h"

#include <stdlib.h>
#include <string.h>

struct MHD_Response *ll_mhd_response_copy(const void *p, size_t n) {
  void *copy = malloc(n ? n : 1);
  if (!copy) return NULL;
  if (n) memcpy(copy, p, n);
  struct MHD_Response *r = MHD_create_response_from_buffer(n, copy, MHD_RESPMEM_MUST_FREE);
  if (!r) free(copy);
  return r;
}
