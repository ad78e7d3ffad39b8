#ifndef LL_CONFIG_INTERNAL_H
#define LL_CONFIG_INTERNAL_H
/* Shared by ll_config.c and ll_config_events.c: the typed field readers and
 * the event settings of a function. */
#include <cjson/cJSON.h>

#include "ll_config.h"

/* A string field, expanded: absent → def (may be NULL), wrong type → error. */
ll_status ll_get_string(const cJSON *obj, const char *key, const char *def, char **out, char *err, size_t errcap);
/* An integer field within [lo, hi]: absent → def. */
ll_status ll_get_int(const cJSON *obj, const char *key, int def, int lo, int hi, int *out, char *err, size_t errcap);
/* obj is an object whose keys are all in allowed (NULL-terminated). */
ll_status ll_check_keys(const cJSON *obj, const char *const *allowed, const char *where, char *err, size_t errcap);

/* functions.NAME.events (NULL: none) into f->sqs and f->schedules. */
ll_status ll_config_parse_events(ll_function_cfg *f, const cJSON *events, char *err, size_t errcap);
void ll_config_free_events(ll_function_cfg *f);

#endif
