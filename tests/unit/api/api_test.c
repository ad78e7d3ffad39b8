/* Helpers of the api suites (see api_test.h). */
#include "api_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct at_env {
  const char *const *pairs;
} at_env;

static const char *at_getenv(void *arg, const char *name) {
  const char *const *env = ((const at_env *)arg)->pairs;
  const char *v = NULL;
  for (int i = 0; env && env[i]; i += 2)
    if (strcmp(env[i], name) == 0) v = env[i + 1];
  return v;
}

api_app *at_app(const char *const *env) {
  at_env e = {env}; /* read during api_app_create only */
  app_options opt = {.needs = CFG_NEED_DB, .getenv_fn = at_getenv, .getenv_arg = &e};
  api_app *a = NULL;
  lr_fault fault = {{0}, {0}};
  ck_assert_msg(api_app_create(&opt, NULL, &a, &fault) == LR_HANDLER_OK, "%s: %s", fault.type,
                fault.message);
  return a;
}

api_app *at_app_db(int port, const char *dbname, const char *const *extra) {
  char p[16];
  snprintf(p, sizeof p, "%d", port);
  const char *env[40] = {"DB_HOST", "127.0.0.1", "DB_PORT", p, "DB_NAME", dbname, "DB_USER",
                         "postgres", "DB_SSLMODE", "disable", "DB_CONNECT_TIMEOUT", "2"};
  int n = 12;
  for (int i = 0; extra && extra[i] && n < 38; i++) env[n++] = extra[i];
  env[n] = NULL;
  return at_app(env);
}

/* Bound and closed at once: nothing listens there for the test's lifetime
 * (the kernel does not hand an ephemeral port out again that soon). */
int at_closed_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof sa;
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
  close(fd);
  return ntohs(sa.sin_port);
}

static void add_query(cJSON *ev, at_format f, const char *query) {
  cJSON *q = cJSON_CreateObject(), *mv = cJSON_CreateObject();
  char *copy = strdup(query), *save = NULL;
  for (char *kv = strtok_r(copy, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
    char *eq = strchr(kv, '=');
    const char *v = eq ? (*eq = '\0', eq + 1) : "";
    cJSON *old = cJSON_GetObjectItemCaseSensitive(q, kv);
    if (old && f == AT_V2) {
      char joined[1024];
      snprintf(joined, sizeof joined, "%s,%s", old->valuestring, v);
      cJSON_ReplaceItemInObjectCaseSensitive(q, kv, cJSON_CreateString(joined));
    } else if (old) {
      cJSON_ReplaceItemInObjectCaseSensitive(q, kv, cJSON_CreateString(v));
    } else {
      cJSON_AddStringToObject(q, kv, v);
    }
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(mv, kv);
    if (!arr) arr = cJSON_AddArrayToObject(mv, kv);
    cJSON_AddItemToArray(arr, cJSON_CreateString(v));
  }
  free(copy);
  cJSON_AddItemToObject(ev, "queryStringParameters", q);
  if (f == AT_V1) cJSON_AddItemToObject(ev, "multiValueQueryStringParameters", mv);
  else cJSON_Delete(mv), cJSON_AddStringToObject(ev, "rawQueryString", query);
}

static void add_headers(cJSON *ev, at_format f, const char *const *headers) {
  cJSON *h = cJSON_AddObjectToObject(ev, "headers");
  cJSON *mv = f == AT_V1 ? cJSON_AddObjectToObject(ev, "multiValueHeaders") : NULL;
  for (int i = 0; headers && headers[i]; i++) {
    char name[128];
    const char *colon = strchr(headers[i], ':');
    ck_assert_ptr_nonnull(colon);
    snprintf(name, sizeof name, "%.*s", (int)(colon - headers[i]), headers[i]);
    const char *v = colon + 1;
    while (*v == ' ') v++;
    if (f == AT_V2) /* HTTP APIs hand header names over in lower case */
      for (char *p = name; *p; p++) *p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
    cJSON_AddStringToObject(h, name, v);
    if (mv) cJSON_AddItemToObject(mv, name, cJSON_CreateStringArray(&v, 1));
  }
}

char *at_event(at_format f, const char *method, const char *path, const char *query,
               const char *const *headers, const char *body, int base64) {
  cJSON *ev = cJSON_CreateObject();
  cJSON *rc;
  if (f == AT_V2) {
    cJSON_AddStringToObject(ev, "version", "2.0");
    cJSON_AddStringToObject(ev, "routeKey", "$default");
    cJSON_AddStringToObject(ev, "rawPath", path);
    rc = cJSON_AddObjectToObject(ev, "requestContext");
    cJSON *http = cJSON_AddObjectToObject(rc, "http");
    cJSON_AddStringToObject(http, "method", method);
    cJSON_AddStringToObject(http, "path", path);
    cJSON_AddStringToObject(rc, "stage", "$default");
  } else {
    cJSON_AddStringToObject(ev, "resource", path);
    cJSON_AddStringToObject(ev, "path", path);
    cJSON_AddStringToObject(ev, "httpMethod", method);
    rc = cJSON_AddObjectToObject(ev, "requestContext");
    cJSON_AddStringToObject(rc, "stage", "prod");
    cJSON_AddStringToObject(rc, "httpMethod", method);
  }
  cJSON_AddStringToObject(rc, "requestId", "test-request-1");
  add_headers(ev, f, headers);
  if (query) add_query(ev, f, query);
  if (body) cJSON_AddStringToObject(ev, "body", body);
  else if (f == AT_V1) cJSON_AddNullToObject(ev, "body");
  cJSON_AddBoolToObject(ev, "isBase64Encoded", base64);
  char *s = cJSON_PrintUnformatted(ev);
  cJSON_Delete(ev);
  return s;
}

char *at_event_auth(at_format f, const char *method, const char *path, const char *query,
                    const char *const *headers, const char *body, const char *authorizer) {
  char *ev = at_event(f, method, path, query, headers, body, 0);
  static const char anchor[] = "\"requestContext\":{";
  char *at = strstr(ev, anchor);
  ck_assert_ptr_nonnull(at);
  size_t head = (size_t)(at - ev) + sizeof anchor - 1;
  size_t n = strlen(ev) + strlen(authorizer) + 32;
  char *out = malloc(n);
  ck_assert_ptr_nonnull(out);
  snprintf(out, n, "%.*s\"authorizer\":%s,%s", (int)head, ev, authorizer, ev + head);
  free(ev);
  return out;
}

/* head + the JSON string sub + tail */
static char *auth_json(const char *head, const char *sub, const char *tail) {
  cJSON *s = cJSON_CreateString(sub);
  char *quoted = cJSON_PrintUnformatted(s);
  size_t n = strlen(head) + strlen(quoted) + strlen(tail) + 1;
  char *out = malloc(n);
  ck_assert_ptr_nonnull(out);
  snprintf(out, n, "%s%s%s", head, quoted, tail);
  cJSON_free(quoted);
  cJSON_Delete(s);
  return out;
}

char *at_auth_cognito(const char *sub) {
  return auth_json("{\"claims\":{\"sub\":", sub, ",\"token_use\":\"id\",\"cognito:username\":\"u\"}}");
}

char *at_auth_jwt(const char *sub) {
  return auth_json("{\"jwt\":{\"claims\":{\"sub\":", sub, ",\"iss\":\"https://issuer.example\"},\"scopes\":null}}");
}

char *at_auth_lambda(const char *principal) {
  return auth_json("{\"principalId\":", principal, ",\"integrationLatency\":0}");
}

at_response at_invoke(api_app *a, const char *event) { return at_invoke_log(a, event, NULL); }

at_response at_invoke_log(api_app *a, const char *event, const lr_logger *log) {
  at_response r = {0};
  lr_buf out;
  lr_buf_init(&out, 8u << 20);
  lr_fault fault = {{0}, {0}};
  lr_context ctx = {.request_id = "lambda-req-1", .trace_id = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
                    .deadline_ms = 0, .invoked_function_arn = "", .client_context = "",
                    .cognito_identity = "", .function_name = "api", .log = log};
  r.rc = api_invoke(a, &ctx, event, strlen(event), &out, &fault);
  api_after_response(a, &ctx); /* as the runtime does once the answer is posted */
  if (r.rc == LR_HANDLER_OK) {
    r.root = cJSON_Parse(lr_buf_str(&out));
    ck_assert_msg(r.root != NULL, "answer is not JSON: %s", lr_buf_str(&out));
    r.status = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r.root, "statusCode"));
    const char *b = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r.root, "body"));
    ck_assert_ptr_nonnull(b);
    r.raw_body = strdup(b);
    r.body = cJSON_Parse(b);
  }
  lr_buf_free(&out);
  return r;
}

at_response at_call(api_app *a, at_format f, const char *method, const char *path,
                    const char *query, const char *const *headers, const char *body) {
  char *ev = at_event(f, method, path, query, headers, body, 0);
  at_response r = at_invoke(a, ev);
  free(ev);
  return r;
}

void at_response_free(at_response *r) {
  cJSON_Delete(r->root);
  cJSON_Delete(r->body);
  free(r->raw_body);
  memset(r, 0, sizeof *r);
}

const char *at_header(const at_response *r, const char *name) {
  const cJSON *h = cJSON_GetObjectItemCaseSensitive(r->root, "headers");
  return cJSON_GetStringValue(cJSON_GetObjectItem(h, name)); /* case-insensitive */
}

const char *at_body_str(const at_response *r, const char *member) {
  return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r->body, member));
}

char *at_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  char *buf = NULL;
  size_t cap = 0, n = 0, got;
  do {
    if (n + 4096 > cap) buf = realloc(buf, cap = cap * 2 + 8192);
    got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
  } while (got > 0);
  fclose(f);
  buf[n] = '\0';
  if (len) *len = n;
  return buf;
}

int at_run_suite(Suite *s) {
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
