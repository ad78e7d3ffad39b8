#ifndef LL_JSON_H
#define LL_JSON_H
/* Strict whole-document JSON parsing from an explicit length. */
#include <cjson/cJSON.h>
#include <stddef.h>

/* The document in s[0..len), or NULL when it is not exactly one JSON value
 * (trailing whitespace allowed, anything else refused). Caller deletes. */
cJSON *ll_json_parse(const char *s, size_t len);

#endif
