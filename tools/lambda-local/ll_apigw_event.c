/* Builds API Gateway proxy events with cJSON. Everything comes from the
 * network: percent escapes, header counts and bodies are all checked. */
#include "ll_apigw_event.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lr/base64.h"
#include "lr/buf.h"
#include "lr/hex.h"
#include "lr/utf8.h"

#define LL_DECODED_MAX (64 * 1024)
#define LL_EVENT_MAX (16u * 1024u * 1024u) /* 10 MB body, base64-grown, plus the rest */

/* Percent-decodes s[0..n) into a new string; a malformed escape stays as
 * it is (as API Gateway passes it), a decoded NUL is refused. */
static char *ll_pct_decode(const char *s, size_t n) {
  lr_buf b;
  lr_buf_init(&b, LL_DECODED_MAX);
  bool ok = true;
  for (size_t i = 0; ok && i < n; i++) {
    unsigned hi, lo;
    bool esc = i + 2 < n && s[i] == '%' && lr_hex_digit((unsigned char)s[i + 1], &hi) &&
               lr_hex_digit((unsigned char)s[i + 2], &lo);
    char c = esc ? (char)(hi * 16 + lo) : s[i];
    if (esc) i += 2;
    ok = c != '\0' && lr_buf_add(&b, &c, 1) == LR_BUF_OK;
  }
  if (!ok) {
    lr_buf_free(&b);
    return NULL;
  }
  return lr_buf_take(&b, NULL);
}

/* A body goes into the event as text only when it is UTF-8 without NUL bytes
 * (the event is JSON); anything else is base64, as API Gateway does. */
bool ll_apigw_is_text(const char *ct, const char *body, size_t len) {
  if ((len && memchr(body, 0, len)) || !lr_utf8_valid(body, len)) return false;
  if (!ct || !*ct) return true;
  static const char *const text[] = {"json", "xml", "javascript", "x-www-form-urlencoded", "graphql", "yaml", NULL};
  if (strncasecmp(ct, "text/", 5) == 0) return true;
  for (size_t i = 0; text[i]; i++)
    if (strcasestr(ct, text[i])) return true;
  return false;
}

static const char *ll_header_get(const ll_http_request *rq, const char *name) {
  const char *v = NULL;
  for (size_t i = 0; i < rq->header_count; i++)
    if (strcasecmp(rq->headers[i].name, name) == 0) v = rq->headers[i].value;
  return v;
}

/* An object under construction with an index of its keys. cJSON finds a key
 * by walking the object's list, which made a request with hundreds of distinct
 * query parameters or headers quadratic to build (the fuzz target fell under
 * 3,000 runs a second on such inputs). Open addressing; the table is kept at
 * most half full, far above LL_MAX_QUERY_PARAMS and LL_MAX_HEADERS. */
#define LL_KEY_SLOTS 1024u /* a power of two; half of it is LL_MAX_QUERY_PARAMS */
typedef struct ll_keyed {
  cJSON *obj;
  cJSON **slot; /* LL_KEY_SLOTS: the object's items by key */
  size_t count;
} ll_keyed;

static bool ll_keyed_init(ll_keyed *k) {
  *k = (ll_keyed){cJSON_CreateObject(), calloc(LL_KEY_SLOTS, sizeof(cJSON *)), 0};
  if (k->obj && k->slot) return true;
  cJSON_Delete(k->obj);
  free(k->slot);
  *k = (ll_keyed){0};
  return false;
}

/* The object, now the caller's; the index is freed. */
static cJSON *ll_keyed_take(ll_keyed *k) {
  cJSON *o = k->obj;
  free(k->slot);
  *k = (ll_keyed){0};
  return o;
}

static void ll_keyed_free(ll_keyed *k) { cJSON_Delete(ll_keyed_take(k)); }

/* key's item, or the empty slot where it goes (FNV-1a). */
static cJSON **ll_keyed_find(const ll_keyed *k, const char *key) {
  uint32_t h = 2166136261u;
  for (const unsigned char *c = (const unsigned char *)key; *c; c++) h = (h ^ *c) * 16777619u;
  size_t i = h & (LL_KEY_SLOTS - 1);
  while (k->slot[i] && strcmp(k->slot[i]->string, key) != 0) i = (i + 1) & (LL_KEY_SLOTS - 1);
  return &k->slot[i];
}

/* The slot of a new key; NULL when the table is as full as it may be. */
static cJSON **ll_keyed_claim(ll_keyed *k, cJSON **slot) {
  if (k->count >= LL_KEY_SLOTS / 2) return NULL;
  k->count++;
  return slot;
}

/* Appends value to obj[key] (an array), creating it. */
static bool ll_multi_add(ll_keyed *k, const char *key, const char *value) {
  cJSON **s = ll_keyed_find(k, key);
  if (!*s && (!ll_keyed_claim(k, s) || !(*s = cJSON_AddArrayToObject(k->obj, key)))) return false;
  cJSON *v = cJSON_CreateString(value);
  return v && cJSON_AddItemToArray(*s, v);
}

/* Sets obj[key] = value, or joins with "," when join is set and key exists. */
static bool ll_single_set(ll_keyed *k, const char *key, const char *value, bool join) {
  cJSON **s = ll_keyed_find(k, key);
  if (!*s) return ll_keyed_claim(k, s) && (*s = cJSON_AddStringToObject(k->obj, key, value)) != NULL;
  lr_buf b;
  lr_buf_init(&b, LL_EVENT_MAX);
  bool ok = (!join || lr_buf_addf(&b, "%s,", (*s)->valuestring) == LR_BUF_OK) && lr_buf_adds(&b, value) == LR_BUF_OK;
  ok = ok && cJSON_SetValuestring(*s, lr_buf_str(&b)) != NULL; /* the item stays: the index holds it */
  lr_buf_free(&b);
  return ok;
}

/* Query string into single- and multi-value objects (multi may be NULL). */
static ll_status ll_add_query(const char *q, ll_keyed *single, ll_keyed *multi, bool join, char *err, size_t errcap) {
  size_t count = 0;
  while (q && *q) {
    const char *amp = strchr(q, '&');
    size_t n = amp ? (size_t)(amp - q) : strlen(q);
    const char *eq = memchr(q, '=', n);
    size_t kn = eq ? (size_t)(eq - q) : n;
    if (n > 0 && ++count > LL_MAX_QUERY_PARAMS) {
      ll_err_set(err, errcap, "more than %d query parameters", LL_MAX_QUERY_PARAMS);
      return LL_BAD_INPUT;
    }
    char *k = n ? ll_pct_decode(q, kn) : NULL, *v = n ? ll_pct_decode(eq ? eq + 1 : "", eq ? n - kn - 1 : 0) : NULL;
    bool ok = !n || (k && v && ll_single_set(single, k, v, join) && (!multi || ll_multi_add(multi, k, v)));
    free(k);
    free(v);
    if (!ok) {
      ll_err_set(err, errcap, "malformed query string");
      return LL_BAD_INPUT;
    }
    q = amp ? amp + 1 : NULL;
  }
  return LL_OK;
}

static cJSON *ll_null_if_empty(cJSON *o) {
  if (o && !o->child) {
    cJSON_Delete(o);
    return cJSON_CreateNull();
  }
  return o;
}

static bool ll_add_body(cJSON *ev, const ll_http_request *rq) {
  if (rq->body_len == 0)
    return cJSON_AddItemToObject(ev, "body", cJSON_CreateNull()) && cJSON_AddFalseToObject(ev, "isBase64Encoded");
  bool text = ll_apigw_is_text(ll_header_get(rq, "content-type"), rq->body, rq->body_len);
  lr_buf b;
  lr_buf_init(&b, LL_EVENT_MAX);
  bool ok = text ? lr_buf_add(&b, rq->body, rq->body_len) == LR_BUF_OK
                 : lr_b64_encode(&b, (const unsigned char *)rq->body, rq->body_len, LR_B64_STRICT) == LR_B64_OK;
  ok = ok && cJSON_AddStringToObject(ev, "body", lr_buf_str(&b)) && cJSON_AddBoolToObject(ev, "isBase64Encoded", !text);
  lr_buf_free(&b);
  return ok;
}

static void ll_time_string(int64_t epoch_ms, char *out, size_t cap) {
  time_t t = (time_t)(epoch_ms / 1000);
  struct tm tm;
  if (!gmtime_r(&t, &tm) || strftime(out, cap, "%d/%b/%Y:%H:%M:%S +0000", &tm) == 0) snprintf(out, cap, "-");
}

static const char *ll_user_agent(const ll_http_request *rq) {
  const char *ua = ll_header_get(rq, "user-agent");
  return ua ? ua : "";
}

static cJSON *ll_identity(const ll_http_request *rq) {
  cJSON *id = cJSON_CreateObject();
  static const char *const nulls[] = {"cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller",
                                      "accessKey", "cognitoAuthenticationType", "cognitoAuthenticationProvider",
                                      "userArn", "user", NULL};
  for (size_t i = 0; id && nulls[i]; i++) cJSON_AddNullToObject(id, nulls[i]);
  if (id && (!cJSON_AddStringToObject(id, "sourceIp", rq->source_ip) ||
             !cJSON_AddStringToObject(id, "userAgent", ll_user_agent(rq)))) {
    cJSON_Delete(id);
    return NULL;
  }
  return id;
}

static cJSON *ll_rest_context(const ll_http_request *rq, const ll_apigw_opts *o, const char *path,
                              const char *resource) {
  cJSON *c = cJSON_CreateObject();
  char when[64], full_path[LL_DECODED_MAX];
  ll_time_string(rq->epoch_ms, when, sizeof when);
  snprintf(full_path, sizeof full_path, "/%s%s", o->stage, path);
  bool ok = c && cJSON_AddStringToObject(c, "accountId", "000000000000") &&
            cJSON_AddStringToObject(c, "apiId", "local") && cJSON_AddStringToObject(c, "resourceId", "local") &&
            cJSON_AddStringToObject(c, "resourcePath", resource) &&
            cJSON_AddStringToObject(c, "httpMethod", rq->method) &&
            cJSON_AddStringToObject(c, "extendedRequestId", rq->request_id) &&
            cJSON_AddStringToObject(c, "requestId", rq->request_id) &&
            cJSON_AddStringToObject(c, "requestTime", when) &&
            cJSON_AddNumberToObject(c, "requestTimeEpoch", (double)rq->epoch_ms) &&
            cJSON_AddStringToObject(c, "path", full_path) && cJSON_AddStringToObject(c, "protocol", rq->protocol) &&
            cJSON_AddStringToObject(c, "stage", o->stage) && cJSON_AddStringToObject(c, "domainName", "localhost") &&
            cJSON_AddStringToObject(c, "domainPrefix", "localhost") &&
            cJSON_AddItemToObject(c, "identity", ll_identity(rq));
  if (!ok) {
    cJSON_Delete(c);
    return NULL;
  }
  return c;
}

static bool ll_rest_headers(cJSON *ev, const ll_http_request *rq) {
  ll_keyed single, multi;
  bool ok = ll_keyed_init(&single);
  ok = ll_keyed_init(&multi) && ok;
  for (size_t i = 0; ok && i < rq->header_count; i++)
    ok = ll_single_set(&single, rq->headers[i].name, rq->headers[i].value, false) &&
         ll_multi_add(&multi, rq->headers[i].name, rq->headers[i].value);
  if (!ok) {
    ll_keyed_free(&single);
    ll_keyed_free(&multi);
    return false;
  }
  return cJSON_AddItemToObject(ev, "headers", ll_null_if_empty(ll_keyed_take(&single))) &&
         cJSON_AddItemToObject(ev, "multiValueHeaders", ll_null_if_empty(ll_keyed_take(&multi)));
}

static ll_status ll_rest_query(cJSON *ev, const char *query, char *err, size_t errcap) {
  ll_keyed single, multi;
  bool made = ll_keyed_init(&single);
  made = ll_keyed_init(&multi) && made;
  ll_status st = made ? ll_add_query(query, &single, &multi, false, err, errcap) : LL_NOMEM;
  if (st != LL_OK) {
    ll_keyed_free(&single);
    ll_keyed_free(&multi);
    return st;
  }
  bool ok = cJSON_AddItemToObject(ev, "queryStringParameters", ll_null_if_empty(ll_keyed_take(&single))) &&
            cJSON_AddItemToObject(ev, "multiValueQueryStringParameters", ll_null_if_empty(ll_keyed_take(&multi)));
  return ok ? LL_OK : LL_NOMEM;
}

/* Payload 1.0: the {proxy+} resource catches every path but "/". */
static ll_status ll_rest_event(cJSON *ev, const ll_http_request *rq, const ll_apigw_opts *o, const char *path,
                               const char *query, char *err, size_t errcap) {
  bool root = strcmp(path, "/") == 0;
  const char *resource = root ? "/" : "/{proxy+}";
  cJSON *params = root ? cJSON_CreateNull() : cJSON_CreateObject();
  if (params && !root && !cJSON_AddStringToObject(params, "proxy", path + 1)) {
    cJSON_Delete(params);
    params = NULL;
  }
  bool ok = params && cJSON_AddStringToObject(ev, "resource", resource) && cJSON_AddStringToObject(ev, "path", path) &&
            cJSON_AddStringToObject(ev, "httpMethod", rq->method) && ll_rest_headers(ev, rq);
  if (!ok) {
    cJSON_Delete(params);
    return LL_NOMEM;
  }
  ll_status st = ll_rest_query(ev, query, err, errcap);
  if (st != LL_OK) {
    cJSON_Delete(params);
    return st;
  }
  ok = cJSON_AddItemToObject(ev, "pathParameters", params) && cJSON_AddNullToObject(ev, "stageVariables") &&
       cJSON_AddItemToObject(ev, "requestContext", ll_rest_context(rq, o, path, resource)) && ll_add_body(ev, rq);
  return ok ? LL_OK : LL_NOMEM;
}

/* Payload 2.0: lower-case header names, repeated values joined by commas,
 * cookies apart. */
static bool ll_http_headers(cJSON *ev, const ll_http_request *rq) {
  ll_keyed h;
  cJSON *cookies = cJSON_CreateArray();
  bool ok = ll_keyed_init(&h) && cookies;
  for (size_t i = 0; ok && i < rq->header_count; i++) {
    char *name = strdup(rq->headers[i].name);
    if (!name) {
      ok = false;
      break;
    }
    for (char *p = name; *p; p++) *p = (char)tolower((unsigned char)*p);
    bool cookie = strcmp(name, "cookie") == 0;
    if (!cookie) ok = ll_single_set(&h, name, rq->headers[i].value, true);
    free(name);
    if (!cookie) continue;
    for (const char *c = rq->headers[i].value; ok && *c;) {
      while (*c == ' ' || *c == ';') c++;
      size_t len = strcspn(c, ";");
      while (len > 0 && c[len - 1] == ' ') len--;
      char *one = len ? strndup(c, len) : NULL;
      if (len) ok = one && cJSON_AddItemToArray(cookies, cJSON_CreateString(one));
      free(one);
      c += len;
      while (*c && *c != ';') c++;
    }
  }
  cJSON *headers = ll_keyed_take(&h);
  ok = ok && cJSON_AddItemToObject(ev, "headers", headers);
  if (!ok) cJSON_Delete(headers);
  if (ok && cJSON_GetArraySize(cookies) > 0) return cJSON_AddItemToObject(ev, "cookies", cookies);
  cJSON_Delete(cookies);
  return ok;
}

static cJSON *ll_http_context(const ll_http_request *rq, const ll_apigw_opts *o, const char *path) {
  cJSON *c = cJSON_CreateObject(), *http = cJSON_CreateObject();
  char when[64];
  ll_time_string(rq->epoch_ms, when, sizeof when);
  bool ok = c && http && cJSON_AddStringToObject(http, "method", rq->method) &&
            cJSON_AddStringToObject(http, "path", path) && cJSON_AddStringToObject(http, "protocol", rq->protocol) &&
            cJSON_AddStringToObject(http, "sourceIp", rq->source_ip) &&
            cJSON_AddStringToObject(http, "userAgent", ll_user_agent(rq)) &&
            cJSON_AddStringToObject(c, "accountId", "000000000000") && cJSON_AddStringToObject(c, "apiId", "local") &&
            cJSON_AddStringToObject(c, "domainName", "localhost") &&
            cJSON_AddStringToObject(c, "domainPrefix", "localhost") && cJSON_AddItemToObject(c, "http", http) &&
            cJSON_AddStringToObject(c, "requestId", rq->request_id) &&
            cJSON_AddStringToObject(c, "routeKey", "$default") && cJSON_AddStringToObject(c, "stage", o->stage) &&
            cJSON_AddStringToObject(c, "time", when) && cJSON_AddNumberToObject(c, "timeEpoch", (double)rq->epoch_ms);
  if (!ok) {
    if (!c || !cJSON_GetObjectItemCaseSensitive(c, "http")) cJSON_Delete(http);
    cJSON_Delete(c);
    return NULL;
  }
  return c;
}

static ll_status ll_http_event(cJSON *ev, const ll_http_request *rq, const ll_apigw_opts *o, const char *raw_path,
                               const char *path, const char *query, char *err, size_t errcap) {
  bool ok = cJSON_AddStringToObject(ev, "version", "2.0") && cJSON_AddStringToObject(ev, "routeKey", "$default") &&
            cJSON_AddStringToObject(ev, "rawPath", raw_path) &&
            cJSON_AddStringToObject(ev, "rawQueryString", query ? query : "") && ll_http_headers(ev, rq);
  if (!ok) return LL_NOMEM;
  ll_keyed k;
  ll_status st = ll_keyed_init(&k) ? ll_add_query(query, &k, NULL, true, err, errcap) : LL_NOMEM;
  cJSON *q = ll_keyed_take(&k);
  if (st == LL_OK && q->child) {
    if (!cJSON_AddItemToObject(ev, "queryStringParameters", q)) st = LL_NOMEM;
    q = NULL;
  }
  cJSON_Delete(q);
  if (st != LL_OK) return st;
  ok = cJSON_AddItemToObject(ev, "requestContext", ll_http_context(rq, o, path)) && ll_add_body(ev, rq);
  return ok ? LL_OK : LL_NOMEM;
}

static ll_status ll_split_target(const char *target, char **raw_path, char **path, const char **query, char *err,
                                 size_t errcap) {
  if (target[0] != '/') {
    ll_err_set(err, errcap, "request target must start with /");
    return LL_BAD_INPUT;
  }
  size_t n = strcspn(target, "?#");
  *query = target[n] == '?' ? target + n + 1 : NULL;
  *raw_path = strndup(target, n);
  *path = ll_pct_decode(target, n);
  if (!*raw_path || !*path) {
    free(*raw_path);
    free(*path);
    ll_err_set(err, errcap, "malformed or too long path");
    return LL_BAD_INPUT;
  }
  return LL_OK;
}

ll_status ll_apigw_event(const ll_http_request *rq, const ll_apigw_opts *o, char **json, size_t *len, char *err,
                         size_t errcap) {
  *json = NULL;
  char *raw_path = NULL, *path = NULL, *query_copy = NULL;
  const char *query = NULL;
  ll_status st = ll_split_target(rq->target, &raw_path, &path, &query, err, errcap);
  if (st != LL_OK) return st;
  if (query && (query_copy = strndup(query, strcspn(query, "#"))) == NULL) st = LL_NOMEM;
  cJSON *ev = st == LL_OK ? cJSON_CreateObject() : NULL;
  if (st == LL_OK && !ev) st = LL_NOMEM;
  if (st == LL_OK)
    st = o->format == LL_API_HTTP ? ll_http_event(ev, rq, o, raw_path, path, query_copy, err, errcap)
                                  : ll_rest_event(ev, rq, o, path, query_copy, err, errcap);
  if (st == LL_OK && !(*json = cJSON_PrintUnformatted(ev))) st = LL_NOMEM;
  if (st == LL_OK) *len = strlen(*json);
  cJSON_Delete(ev);
  free(raw_path);
  free(path);
  free(query_copy);
  return st;
}
