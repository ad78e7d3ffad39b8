/* The function's answer is untrusted input: wrong types, header injection
 * (CR/LF), bad base64 and absurd status codes all become a 502. */
#include "ll_apigw_reply.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lr/base64.h"
#include "ll_json.h"
#include "lr/buf.h"

#define LL_REPLY_BODY_MAX (10u * 1024u * 1024u)

void ll_http_reply_free(ll_http_reply *r) {
  if (!r) return;
  for (size_t i = 0; i < r->header_count; i++) {
    free(r->headers[i].name);
    free(r->headers[i].value);
  }
  free(r->body);
  memset(r, 0, sizeof *r);
}

static bool ll_token_ok(const char *s) {
  if (!*s || strlen(s) > 255) return false;
  for (; *s; s++)
    if (*s <= 0x20 || *s >= 0x7f || strchr("()<>@,;:\\\"/[]?={}", *s)) return false;
  return true;
}

static bool ll_value_ok(const char *s) {
  return strpbrk(s, "\r\n") == NULL && strlen(s) <= 16384;
}

static ll_status ll_reply_add_header(ll_http_reply *r, const char *name, const char *value, char *err, size_t errcap) {
  if (!ll_token_ok(name) || !ll_value_ok(value)) {
    ll_err_set(err, errcap, "header \"%.64s\" has a bad name or value", name);
    return LL_BAD_INPUT;
  }
  if (r->header_count == LL_MAX_HEADERS) {
    ll_err_set(err, errcap, "more than %d headers", LL_MAX_HEADERS);
    return LL_BAD_INPUT;
  }
  ll_reply_header *h = &r->headers[r->header_count];
  h->name = strdup(name);
  h->value = strdup(value);
  if (!h->name || !h->value) {
    free(h->name);
    free(h->value);
    return LL_NOMEM;
  }
  r->header_count++;
  return LL_OK;
}

/* API Gateway stringifies scalar header values; objects and arrays are malformed. */
static const char *ll_scalar(const cJSON *v, char *tmp, size_t cap) {
  if (cJSON_IsString(v)) return v->valuestring;
  if (cJSON_IsBool(v)) return cJSON_IsTrue(v) ? "true" : "false";
  if (cJSON_IsNumber(v)) {
    snprintf(tmp, cap, "%.17g", v->valuedouble);
    return tmp;
  }
  return NULL;
}

static ll_status ll_add_headers(ll_http_reply *r, const cJSON *headers, const cJSON *multi, char *err, size_t errcap) {
  char tmp[64];
  if ((headers && !cJSON_IsObject(headers) && !cJSON_IsNull(headers)) ||
      (multi && !cJSON_IsObject(multi) && !cJSON_IsNull(multi))) {
    ll_err_set(err, errcap, "headers/multiValueHeaders must be objects");
    return LL_BAD_INPUT;
  }
  ll_status st = LL_OK;
  for (const cJSON *h = multi ? multi->child : NULL; st == LL_OK && h; h = h->next) {
    if (!cJSON_IsArray(h)) st = LL_BAD_INPUT;
    for (const cJSON *v = cJSON_IsArray(h) ? h->child : NULL; st == LL_OK && v; v = v->next) {
      const char *s = ll_scalar(v, tmp, sizeof tmp);
      st = s ? ll_reply_add_header(r, h->string, s, err, errcap) : LL_BAD_INPUT;
    }
  }
  /* Both given: multiValueHeaders win for a name present in both. */
  for (const cJSON *h = headers ? headers->child : NULL; st == LL_OK && h; h = h->next) {
    if (multi && cJSON_GetObjectItem(multi, h->string)) continue;
    const char *s = ll_scalar(h, tmp, sizeof tmp);
    st = s ? ll_reply_add_header(r, h->string, s, err, errcap) : LL_BAD_INPUT;
  }
  if (st == LL_BAD_INPUT && err && !err[0]) ll_err_set(err, errcap, "a header value is not a string");
  return st;
}

static ll_status ll_add_cookies(ll_http_reply *r, const cJSON *cookies, char *err, size_t errcap) {
  if (!cookies || cJSON_IsNull(cookies)) return LL_OK;
  if (!cJSON_IsArray(cookies)) {
    ll_err_set(err, errcap, "cookies must be an array of strings");
    return LL_BAD_INPUT;
  }
  ll_status st = LL_OK;
  for (const cJSON *c = cookies->child; st == LL_OK && c; c = c->next)
    st = cJSON_IsString(c) ? ll_reply_add_header(r, "Set-Cookie", c->valuestring, err, errcap) : LL_BAD_INPUT;
  return st;
}

static ll_status ll_set_body(ll_http_reply *r, const cJSON *body, const cJSON *b64, char *err, size_t errcap) {
  if (b64 && !cJSON_IsBool(b64) && !cJSON_IsNull(b64)) {
    ll_err_set(err, errcap, "isBase64Encoded must be a boolean");
    return LL_BAD_INPUT;
  }
  if (!body || cJSON_IsNull(body)) return LL_OK;
  if (!cJSON_IsString(body)) {
    ll_err_set(err, errcap, "body must be a string");
    return LL_BAD_INPUT;
  }
  lr_buf b;
  lr_buf_init(&b, LL_REPLY_BODY_MAX);
  bool ok = cJSON_IsTrue(b64) ? lr_b64_decode(&b, body->valuestring, strlen(body->valuestring), LR_B64_LENIENT) == LR_B64_OK
                              : lr_buf_adds(&b, body->valuestring) == LR_BUF_OK;
  if (!ok) {
    lr_buf_free(&b);
    ll_err_set(err, errcap, "body is not valid base64 or too large");
    return LL_BAD_INPUT;
  }
  r->body = lr_buf_take(&b, &r->body_len);
  return r->body ? LL_OK : LL_NOMEM;
}

static ll_status ll_status_code(const cJSON *sc, ll_api_format f, unsigned *out, char *err, size_t errcap) {
  double d = -1;
  if (cJSON_IsNumber(sc)) d = sc->valuedouble;
  /* HTTP APIs also take the code as a numeric string. */
  if (f == LL_API_HTTP && cJSON_IsString(sc)) {
    char *end = NULL;
    long v = strtol(sc->valuestring, &end, 10);
    if (end != sc->valuestring && *end == '\0') d = (double)v;
  }
  if (d < 100 || d > 599 || d != (double)(int)d) {
    ll_err_set(err, errcap, "statusCode missing or not an integer from 100 to 599");
    return LL_BAD_INPUT;
  }
  *out = (unsigned)d;
  return LL_OK;
}

static ll_status ll_structured(const cJSON *root, ll_api_format f, ll_http_reply *out, char *err, size_t errcap) {
  const cJSON *sc = cJSON_GetObjectItemCaseSensitive(root, "statusCode");
  ll_status st = ll_status_code(sc, f, &out->status, err, errcap);
  const cJSON *multi = f == LL_API_REST ? cJSON_GetObjectItemCaseSensitive(root, "multiValueHeaders") : NULL;
  if (st == LL_OK) st = ll_add_headers(out, cJSON_GetObjectItemCaseSensitive(root, "headers"), multi, err, errcap);
  if (st == LL_OK && f == LL_API_HTTP) st = ll_add_cookies(out, cJSON_GetObjectItemCaseSensitive(root, "cookies"), err, errcap);
  if (st == LL_OK)
    st = ll_set_body(out, cJSON_GetObjectItemCaseSensitive(root, "body"),
                     cJSON_GetObjectItemCaseSensitive(root, "isBase64Encoded"), err, errcap);
  return st;
}

/* Payload 2.0 without statusCode: the answer itself is the JSON body. */
static ll_status ll_inferred(const char *payload, size_t len, ll_http_reply *out, char *err, size_t errcap) {
  out->status = 200;
  ll_status st = ll_reply_add_header(out, "Content-Type", "application/json", err, errcap);
  if (st != LL_OK) return st;
  /* the exact bytes: strndup would stop at a NUL while body_len kept len, and
   * the front would then send bytes past the copy (issue 15, defect 6) */
  out->body = malloc(len + 1);
  if (!out->body) return LL_NOMEM;
  memcpy(out->body, payload, len);
  out->body[len] = '\0';
  out->body_len = len;
  return LL_OK;
}

ll_status ll_apigw_reply(const char *payload, size_t len, ll_api_format f, ll_http_reply *out, char *err,
                         size_t errcap) {
  memset(out, 0, sizeof *out);
  cJSON *root = ll_json_parse(payload, len);
  ll_status st = LL_OK;
  if (!root) {
    ll_err_set(err, errcap, "the function's answer is not JSON");
    st = LL_BAD_INPUT;
  } else if (f == LL_API_HTTP && (!cJSON_IsObject(root) || !cJSON_GetObjectItemCaseSensitive(root, "statusCode"))) {
    st = ll_inferred(payload, len, out, err, errcap);
  } else if (!cJSON_IsObject(root)) {
    ll_err_set(err, errcap, "the function's answer is not a JSON object");
    st = LL_BAD_INPUT;
  } else {
    st = ll_structured(root, f, out, err, errcap);
  }
  cJSON_Delete(root);
  if (st != LL_OK) ll_http_reply_free(out);
  return st;
}

ll_status ll_apigw_fixed(unsigned status, const char *message, ll_http_reply *out) {
  memset(out, 0, sizeof *out);
  cJSON *o = cJSON_CreateObject();
  out->status = status;
  out->body = o && cJSON_AddStringToObject(o, "message", message) ? cJSON_PrintUnformatted(o) : NULL;
  cJSON_Delete(o);
  if (!out->body || ll_reply_add_header(out, "Content-Type", "application/json", NULL, 0) != LL_OK) {
    ll_http_reply_free(out);
    return LL_NOMEM;
  }
  out->body_len = strlen(out->body);
  return LL_OK;
}
