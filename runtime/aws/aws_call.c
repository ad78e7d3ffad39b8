/* Generic JSON-protocol and REST calls over the shared HTTP layer. */
#include <stdlib.h>
#include <string.h>

#include "aws_http.h"
#include "aws_internal.h"
#include "lr/aws_call.h"

#define CALL_MAX_LABEL 32

struct lr_aws_call_client {
  lr_aws_http http;
  char label[CALL_MAX_LABEL];
};

lr_aws_status lr_aws_call_client_create(lr_aws_call_client **out, const lr_aws_client_config *cfg,
                                        const char *service, const char *env_suffix,
                                        char err[LR_AWS_ERR_LEN]) {
  if (!out) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "no place for the client");
  *out = NULL;
  if (!service || !*service || strlen(service) >= CALL_MAX_LABEL || !env_suffix || !*env_suffix ||
      strlen(env_suffix) >= CALL_MAX_LABEL)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the client needs a service and an environment suffix");
  lr_aws_call_client *c = calloc(1, sizeof *c);
  if (!c) return lr_aws__fail(err, LR_AWS_NOMEM, "out of memory creating the %s client", service);
  lr_aws_status st = lr_aws__http_init(&c->http, cfg, service, env_suffix, LR_SIGV4_PATH_NORMALIZE_ENCODE, err);
  if (st != LR_AWS_OK) {
    free(c);
    return st;
  }
  snprintf(c->label, sizeof c->label, "%s", service);
  c->http.label = c->label;
  c->http.errors = LR_AWS_ERRORS_JSON;
  *out = c;
  return LR_AWS_OK;
}

void lr_aws_call_client_free(lr_aws_call_client *c) {
  if (!c) return;
  lr_aws__http_cleanup(&c->http);
  free(c);
}

static lr_aws_status answer(lr_aws_call_client *c, lr_aws_status st, lr_aws_call_answer *ans) {
  if (!ans) return st;
  memset(ans, 0, sizeof *ans);
  ans->body = lr_buf_str(&c->http.body);
  ans->body_len = c->http.body.len;
  if (st == LR_AWS_OK) snprintf(ans->captured, sizeof ans->captured, "%s", c->http.captured);
  return st;
}

/* The path under the endpoint's base path. */
static lr_aws_status full_path(const lr_aws_call_client *c, const char *path, lr_buf *out, char *err) {
  if (!path || path[0] != '/' || strlen(path) > LR_SIGV4_MAX_PATH)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the request path must start with '/' and be at most %d bytes",
                        LR_SIGV4_MAX_PATH);
  if (lr_buf_addf(out, "%s%s", c->http.ep.base_path, path) != LR_BUF_OK)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the request path is too long");
  return LR_AWS_OK;
}

lr_aws_status lr_aws_json_call(lr_aws_call_client *c, const char *target, const char *body,
                               size_t body_len, int64_t deadline_ms, lr_aws_call_answer *ans,
                               char err[LR_AWS_ERR_LEN]) {
  if (!c || !target || !body) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "missing argument");
  const lr_sigv4_pair headers[] = {{"Content-Type", "application/x-amz-json-1.1", 0},
                                   {"X-Amz-Target", target, 0}};
  lr_buf path;
  lr_buf_init(&path, LR_AWS_MAX_BASE_PATH + 2);
  lr_aws_status st = full_path(c, "/", &path, err);
  if (st == LR_AWS_OK) {
    lr_aws_http_req hr = {.method = "POST", .path = lr_buf_str(&path), .headers = headers,
                          .header_count = 2, .body = body, .body_len = body_len};
    st = lr_aws__http_send(&c->http, &hr, deadline_ms, err);
  }
  lr_buf_free(&path);
  return answer(c, st, ans);
}

lr_aws_status lr_aws_rest_call(lr_aws_call_client *c, const lr_aws_rest_request *req,
                               int64_t deadline_ms, lr_aws_call_answer *ans,
                               char err[LR_AWS_ERR_LEN]) {
  if (!c || !req || !req->method) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "missing argument");
  lr_sigv4_pair headers[1];
  size_t nh = 0;
  if (req->content_type) headers[nh++] = (lr_sigv4_pair){"Content-Type", req->content_type, 0};
  lr_buf path;
  lr_buf_init(&path, LR_AWS_MAX_BASE_PATH + LR_SIGV4_MAX_PATH + 1);
  lr_aws_status st = full_path(c, req->path, &path, err);
  if (st == LR_AWS_OK) {
    lr_aws_http_req hr = {.method = req->method, .path = lr_buf_str(&path), .query = req->query,
                          .query_count = req->query_count, .headers = headers, .header_count = nh,
                          .body = req->body, .body_len = req->body_len,
                          .capture_header = req->capture_header};
    st = lr_aws__http_send(&c->http, &hr, deadline_ms, err);
  }
  lr_buf_free(&path);
  return answer(c, st, ans);
}
