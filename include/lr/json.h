#ifndef LR_JSON_H
#define LR_JSON_H
/* Strict JSON parsing of outside input, defined once for every reader
 * (API Gateway events, SQS messages, scheduled events, migrate's request,
 * lambda-local's configuration and the answers it relays).
 *
 * cJSON alone is too lenient for input that decides what happens: it stops
 * at the end of the first value (so "{} garbage" parses), lets the last of
 * two equal keys win ({"dry_run":true,"dry_run":false} applies), cuts a
 * string at an escaped NUL, and takes invalid UTF-8 as it comes.
 *
 *   cJSON *root = NULL;
 *   lr_json_status st = lr_json_parse(text, len, LR_JSON_STRICT, &root);
 *   if (st != LR_JSON_OK) -> 400 with lr_json_status_message(st)
 *   ... cJSON_Delete(root);   // the caller owns root; NULL on failure
 */
#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* X(NAME, value, message); 0 is OK; values are never renumbered. */
#define LR_JSON_STATUS_MAP(X)                                                 \
  X(OK, 0, "ok")                                                              \
  X(SYNTAX, 1, "not valid JSON")                                              \
  X(TRAILING, 2, "text after the JSON value")                                 \
  X(NUL, 3, "a NUL byte in the text")                                         \
  X(UTF8, 4, "the text is not valid UTF-8")                                   \
  X(NUL_ESCAPE, 5, "a string holds an escaped NUL (\\u0000)")                 \
  X(DUP_KEY, 6, "a key appears twice in one object")                          \
  X(NOMEM, 7, "out of memory")

typedef enum lr_json_status {
#define LR_JSON_ENUM(name, value, msg) LR_JSON_##name = value,
  LR_JSON_STATUS_MAP(LR_JSON_ENUM)
#undef LR_JSON_ENUM
} lr_json_status;

/* "LR_JSON_DUP_KEY" etc., and the message; "LR_JSON_UNKNOWN" / "unknown
 * status" for values outside the table. */
const char *lr_json_status_name(lr_json_status st);
const char *lr_json_status_message(lr_json_status st);

/* What the parse lets through besides one well-formed value. */
typedef enum lr_json_mode {
  LR_JSON_STRICT = 0,         /* UTF-8, no NUL byte or escape, no duplicate key */
  LR_JSON_ALLOW_NUL_ESCAPE = 1u << 0, /* relayed text whose strings may hold \u0000 */
  LR_JSON_ALLOW_DUP_KEYS = 1u << 1,   /* the last of equal keys wins, as in cJSON */
  LR_JSON_ALLOW_BAD_UTF8 = 1u << 2    /* an envelope relaying bytes as they came: its
                                         reader checks the fields it uses */
} lr_json_mode;

/* Parses s[0..len) (no terminating NUL needed) as exactly one JSON value with
 * optional surrounding whitespace. On LR_JSON_OK *out is the root, owned by the
 * caller (cJSON_Delete); otherwise *out is NULL. Nesting is bounded by cJSON's
 * CJSON_NESTING_LIMIT. */
lr_json_status lr_json_parse(const char *s, size_t len, unsigned mode, cJSON **out);

/* lr_json_parse's root, or NULL whatever the reason (for callers that only
 * need to know the text is usable). */
cJSON *lr_json_parse_or_null(const char *s, size_t len, unsigned mode);

/* Whether s[0..len) holds a \u0000 escape (a JSON text that, once parsed,
 * would carry a NUL inside a C string and be cut short there). */
bool lr_json_has_nul_escape(const char *s, size_t len);

/* LR_JSON_DUP_KEY when some object anywhere under item holds the same key
 * twice, LR_JSON_NOMEM when that could not be checked, else LR_JSON_OK. Keys
 * are compared as C strings: use with the default mode, which refuses \u0000. */
lr_json_status lr_json_check_dup_keys(const cJSON *item);

#endif
