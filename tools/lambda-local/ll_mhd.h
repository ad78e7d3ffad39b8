#ifndef LL_MHD_H
#define LL_MHD_H
/* libmicrohttpd helpers shared by the Runtime API server and the HTTP front. */
#include <microhttpd.h>
#include <stddef.h>

/* A response owning a copy of p[0..n) (this libmicrohttpd takes a non-const
 * buffer even to copy it). NULL when out of memory. */
struct MHD_Response *ll_mhd_response_copy(const void *p, size_t n);

#endif
