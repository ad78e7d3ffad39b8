/* Fixtures of the cleanup suite (cl_itest.h). */
#include "cl_itest.h"

#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "lr/clock.h"

extern char **environ;
static clt_env clt_the_env;

const clt_env *clt_env_get(void) { return &clt_the_env; }

int clt_fauxqs_start(clt_env *e, char *err, size_t cap) {
  int to[2], from[2];
  if (pipe(to) || pipe(from)) return snprintf(err, cap, "pipe failed"), -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, to[0], 0);
  posix_spawn_file_actions_adddup2(&fa, from[1], 1);
  posix_spawn_file_actions_addclose(&fa, to[1]);
  posix_spawn_file_actions_addclose(&fa, from[0]);
  char *argv[] = {NODE_EXECUTABLE, LAUNCHER, NODE_MODULES_DIR, CLT_QUEUE, CLT_BUCKET, NULL};
  pid_t pid;
  int rc = posix_spawn(&pid, NODE_EXECUTABLE, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(to[0]);
  close(from[1]);
  if (rc != 0) return snprintf(err, cap, "cannot run %s", NODE_EXECUTABLE), -1;
  /* to[1] stays open: fauxqs ends when the last holder (us, the forked tests) is gone. */
  FILE *in = fdopen(from[0], "r");
  char line[600];
  while (in && fgets(line, sizeof line, in)) {
    if (sscanf(line, "PORT %d", &e->port) == 1) continue;
    if (sscanf(line, "QUEUE %511s", e->queue_url) == 1) break;
  }
  if (in) fclose(in);
  if (!e->port || !e->queue_url[0]) return snprintf(err, cap, "fauxqs did not start"), -1;
  clt_the_env = *e;
  return 0;
}

static size_t clt_sink(char *p, size_t size, size_t n, void *arg) {
  return lr_buf_add(arg, p, size * n) == LR_BUF_OK ? size * n : 0;
}

long clt_http(const char *method, const char *url, const char *target, const char *body, lr_buf *out) {
  CURL *c = curl_easy_init();
  struct curl_slist *h = NULL;
  char t[160];
  if (target) {
    snprintf(t, sizeof t, "X-Amz-Target: AmazonSQS.%s", target);
    h = curl_slist_append(curl_slist_append(h, t), "Content-Type: application/x-amz-json-1.0");
  }
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  if (body) curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, clt_sink);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
  long status = 0;
  if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(h);
  curl_easy_cleanup(c);
  return status;
}

int clt_list(const char *prefix, lr_buf *keys) {
  char url[1024];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/%s?list-type=2&prefix=%s&max-keys=1000", clt_the_env.port, CLT_BUCKET, prefix);
  lr_buf xml;
  lr_buf_init(&xml, 64u << 20);
  ck_assert_int_eq(clt_http("GET", url, NULL, NULL, &xml), 200);
  int n = 0;
  const char *p = lr_buf_str(&xml);
  while ((p = strstr(p, "<Key>")) != NULL) {
    p += 5;
    const char *end = strstr(p, "</Key>");
    ck_assert_ptr_nonnull(end);
    if (keys) lr_buf_addf(keys, "%.*s\n", (int)(end - p), p);
    n++;
  }
  lr_buf_free(&xml);
  return n;
}

void clt_get_gunzip(const char *key, lr_buf *out) {
  char url[1200];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/%s/%s", clt_the_env.port, CLT_BUCKET, key);
  lr_buf gz;
  lr_buf_init(&gz, 64u << 20);
  ck_assert_int_eq(clt_http("GET", url, NULL, NULL, &gz), 200);
  z_stream zs = {0};
  ck_assert_int_eq(inflateInit2(&zs, 15 + 16), Z_OK);
  zs.next_in = (Bytef *)gz.data;
  zs.avail_in = (uInt)gz.len;
  unsigned char chunk[16384];
  int rc;
  do {
    zs.next_out = chunk;
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    ck_assert_msg(rc == Z_OK || rc == Z_STREAM_END, "inflate: %d", rc);
    lr_buf_add(out, chunk, sizeof chunk - zs.avail_out);
  } while (rc != Z_STREAM_END);
  inflateEnd(&zs);
  lr_buf_free(&gz);
}

int clt_drain(lr_buf *bodies) {
  char url[64], req[700];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/", clt_the_env.port);
  snprintf(req, sizeof req, "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10,\"MessageSystemAttributeNames\":[\"All\"],\"AttributeNames\":[\"All\"]}", clt_the_env.queue_url);
  int total = 0;
  lr_buf_adds(bodies, "[");
  for (;;) {
    lr_buf out;
    lr_buf_init(&out, 64u << 20);
    ck_assert_int_eq(clt_http("POST", url, "ReceiveMessage", req, &out), 200);
    cJSON *root = cJSON_ParseWithLength(out.data, out.len);
    const cJSON *m, *msgs = cJSON_GetObjectItemCaseSensitive(root, "Messages");
    int n = cJSON_GetArraySize(msgs);
    cJSON_ArrayForEach(m, msgs) {
      char *one = cJSON_PrintUnformatted(m);
      lr_buf_addf(bodies, "%s%s", total++ ? "," : "", one);
      cJSON_free(one);
      char del[1600];
      lr_buf ignore;
      lr_buf_init(&ignore, 64u << 20);
      snprintf(del, sizeof del, "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\"}", clt_the_env.queue_url,
               cJSON_GetObjectItemCaseSensitive(m, "ReceiptHandle")->valuestring);
      ck_assert_int_eq(clt_http("POST", url, "DeleteMessage", del, &ignore), 200);
      lr_buf_free(&ignore);
    }
    cJSON_Delete(root);
    lr_buf_free(&out);
    if (n == 0) break;
  }
  lr_buf_adds(bodies, "]");
  return total;
}

typedef struct clt_vars {
  const char *const *base;
  const char *const *extra;
} clt_vars;

static const char *clt_getenv(void *arg, const char *name) {
  const clt_vars *v = arg;
  const char *val = NULL;
  for (int i = 0; v->base[i]; i += 2)
    if (strcmp(v->base[i], name) == 0) val = v->base[i + 1];
  for (int i = 0; v->extra && v->extra[i]; i += 2)
    if (strcmp(v->extra[i], name) == 0) val = v->extra[i + 1];
  return val;
}

cl_app *clt_app(const char *dbname, const char *const *extra, const cl_hooks *hooks) {
  char port[16], endpoint[64];
  snprintf(port, sizeof port, "%d", it_server()->port);
  snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", clt_the_env.port);
  const char *const base[] = {"DB_HOST", "127.0.0.1", "DB_PORT", port, "DB_NAME", dbname,
                              "DB_USER", "postgres", "DB_SSLMODE", "disable", "DB_CONNECT_TIMEOUT", "3",
                              "ORDERS_QUEUE_URL", clt_the_env.queue_url, "ARCHIVE_BUCKET", CLT_BUCKET,
                              "AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL", endpoint, NULL};
  clt_vars v = {base, extra};
  app_options opt = {.getenv_fn = clt_getenv, .getenv_arg = &v};
  cl_app *a = NULL;
  lr_fault f = {"", ""};
  ck_assert_msg(cl_app_create(&opt, hooks, NULL, &a, &f) == LR_HANDLER_OK, "%s: %s", f.type, f.message);
  return a;
}

int clt_invoke(cl_app *a, const char *event, int64_t deadline_ms, lr_buf *answer) {
  lr_context ctx = {.request_id = "req-1", .invoked_function_arn = "", .trace_id = "", .client_context = "",
                    .cognito_identity = "", .deadline_ms = deadline_ms, .function_name = "cleanup", .log = NULL};
  lr_fault f = {"", ""};
  int rc = cl_invoke(a, &ctx, event, strlen(event), answer, &f);
  if (rc != LR_HANDLER_OK) lr_buf_addf(answer, "%s: %s", f.type, f.message);
  return rc;
}
