/* A streaming gzip writer over zlib: input goes through deflate in chunks,
 * so only the compressed bytes are kept. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "cl.h"

#define CL_GZIP_CHUNK 16384
#define CL_GZIP_WINDOW (15 + 16) /* 15-bit window, gzip wrapper */

struct cl_gzip {
  z_stream zs;
  lr_buf *dst;
  bool finished;
};

cl_gzip *cl_gzip_create(int level, lr_buf *dst) {
  if (!dst || level < 1 || level > 9) return NULL;
  cl_gzip *z = calloc(1, sizeof *z);
  if (!z) return NULL;
  if (deflateInit2(&z->zs, level, Z_DEFLATED, CL_GZIP_WINDOW, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    free(z);
    return NULL;
  }
  z->dst = dst;
  return z;
}

/* Runs deflate over what zs holds until it needs more input (or, finishing, ends). */
static bool pump(cl_gzip *z, int flush) {
  unsigned char chunk[CL_GZIP_CHUNK];
  int rc;
  do {
    z->zs.next_out = chunk;
    z->zs.avail_out = sizeof chunk;
    rc = deflate(&z->zs, flush);
    if (rc == Z_STREAM_ERROR) return false;
    size_t have = sizeof chunk - z->zs.avail_out;
    if (have && lr_buf_add(z->dst, chunk, have) != LR_BUF_OK) return false;
  } while (z->zs.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  return true;
}

bool cl_gzip_write(cl_gzip *z, const void *p, size_t n) {
  if (!z || z->finished || (!p && n)) return false;
  const unsigned char *s = p;
  while (n) {
    uInt take = n > (1u << 30) ? (1u << 30) : (uInt)n;
    z->zs.next_in = (Bytef *)(uintptr_t)s;
    z->zs.avail_in = take;
    if (!pump(z, Z_NO_FLUSH)) return false;
    s += take;
    n -= take;
  }
  return true;
}

bool cl_gzip_finish(cl_gzip *z) {
  if (!z || z->finished) return false;
  z->zs.next_in = NULL;
  z->zs.avail_in = 0;
  z->finished = true;
  return pump(z, Z_FINISH);
}

void cl_gzip_free(cl_gzip *z) {
  if (!z) return;
  deflateEnd(&z->zs);
  free(z);
}
