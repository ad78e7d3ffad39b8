/* The SQS and S3 clients against fauxqs, the SQS/S3 emulator from npm,
 * started by the test on 127.0.0.1 and a free port and stopped afterwards
 * (it also stops by itself when this process goes away: it watches its stdin).
 * What the clients wrote is read back with plain libcurl. */
#include <check.h>
#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lr/s3.h"
#include "lr/sqs.h"
#include "test_common.h"
#include "lr/clock.h"

#define QUEUE_NAME "orders-test"
#define BUCKET "orders-archive-test"

typedef struct fauxqs {
  pid_t pid;
  int in; /* its stdin: closing it stops it */
  int port;
  char queue_url[512];
} fauxqs;

static void child_exec(int in_r, int out_w) {
  dup2(in_r, 0);
  dup2(out_w, 1);
  execl(NODE_EXECUTABLE, NODE_EXECUTABLE, LAUNCHER, NODE_MODULES_DIR, QUEUE_NAME, BUCKET, (char *)NULL);
  _exit(127);
}

static int banner_complete(const char *buf) {
  const char *q = strstr(buf, "\nQUEUE ");
  return q && strchr(q + 1, '\n');
}

/* Reads "PORT n" and "QUEUE url" within 30 s. */
static void read_banner(fauxqs *f, int out) {
  char buf[2048] = "";
  size_t used = 0;
  while (!banner_complete(buf)) {
    struct pollfd p = {out, POLLIN, 0};
    ck_assert_msg(poll(&p, 1, 30000) == 1, "fauxqs did not start within 30 s");
    ck_assert_msg(used + 1 < sizeof buf, "fauxqs printed too much");
    ssize_t n = read(out, buf + used, sizeof buf - 1 - used);
    ck_assert_msg(n > 0, "fauxqs exited before printing its port (node %s)", NODE_EXECUTABLE);
    used += (size_t)n;
    buf[used] = '\0';
  }
  ck_assert_int_eq(sscanf(buf, "PORT %d\nQUEUE %511s", &f->port, f->queue_url), 2);
}

static void fauxqs_start(fauxqs *f) {
  int in[2], out[2];
  ck_assert_int_eq(pipe(in), 0);
  ck_assert_int_eq(pipe(out), 0);
  f->pid = fork();
  ck_assert_int_ge(f->pid, 0);
  if (f->pid == 0) {
    close(in[1]);
    close(out[0]);
    child_exec(in[0], out[1]);
  }
  close(in[0]);
  close(out[1]);
  f->in = in[1];
  read_banner(f, out[0]);
  close(out[0]);
}

static void fauxqs_stop(fauxqs *f) {
  close(f->in);
  kill(f->pid, SIGTERM);
  int status;
  while (waitpid(f->pid, &status, 0) < 0 && errno == EINTR) {
  }
}

static size_t collect(char *p, size_t size, size_t n, void *arg) {
  return lr_buf_add(arg, p, size * n) == LR_BUF_OK ? size * n : 0;
}

/* A plain request to fauxqs; returns the HTTP status. */
static long plain(const char *method, const char *url, const char *target, const char *body, lr_buf *out) {
  CURL *c = curl_easy_init();
  struct curl_slist *h = NULL;
  char t[128];
  if (target) {
    snprintf(t, sizeof t, "X-Amz-Target: %s", target);
    h = curl_slist_append(h, t);
    h = curl_slist_append(h, "Content-Type: application/x-amz-json-1.0");
  }
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  if (body) curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
  long status = 0;
  ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(h);
  curl_easy_cleanup(c);
  return status;
}

static lr_aws_client_config config(const lr_aws_credentials *c, const fauxqs *f, char *endpoint, size_t cap) {
  snprintf(endpoint, cap, "http://127.0.0.1:%d", f->port);
  lr_aws_client_config cfg = {.region = "us-east-1", .credentials = c, .endpoint = endpoint};
  return cfg;
}

START_TEST(sqs_send_then_receive) {
  fauxqs f;
  fauxqs_start(&f);
  lr_aws_credentials c = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session/token+="};
  char endpoint[64], id[LR_SQS_MESSAGE_ID_LEN], err[LR_AWS_ERR_LEN] = "";
  lr_aws_client_config cfg = config(&c, &f, endpoint, sizeof endpoint);
  lr_sqs_client *sqs = NULL;
  ck_assert_int_eq(lr_sqs_client_create(&sqs, &cfg, err), LR_AWS_OK);
  const char *body = "{\"type\":\"order.created\",\"order_id\":\"caf\xc3\xa9\"}";
  ck_assert_msg(lr_sqs_send_message(sqs, f.queue_url, body, strlen(body), "Root=1-abc;Sampled=1",
                                    lr_clock_epoch_ms() + 10000, id, err) == LR_AWS_OK, "%s", err);
  ck_assert_uint_gt(strlen(id), 0);
  /* A second send on the same client reuses its handle. */
  char id2[LR_SQS_MESSAGE_ID_LEN];
  ck_assert_int_eq(lr_sqs_send_message(sqs, f.queue_url, "second", 6, NULL, lr_clock_epoch_ms() + 10000, id2, err), LR_AWS_OK);
  ck_assert_str_ne(id, id2);
  /* An unknown queue is the service's error, not retried. */
  char missing[600];
  snprintf(missing, sizeof missing, "http://127.0.0.1:%d/000000000000/no-such-queue", f.port);
  ck_assert_int_eq(lr_sqs_send_message(sqs, missing, "x", 1, NULL, lr_clock_epoch_ms() + 10000, id2, err), LR_AWS_HTTP_STATUS);
  ck_assert_ptr_nonnull(strstr(err, "QueueDoesNotExist"));
  lr_sqs_client_free(sqs);

  lr_buf out;
  lr_buf_init(&out, 1 << 20);
  char req[1024], url[64];
  snprintf(req, sizeof req, "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10}", f.queue_url);
  snprintf(url, sizeof url, "http://127.0.0.1:%d/", f.port);
  ck_assert_int_eq(plain("POST", url, "AmazonSQS.ReceiveMessage", req, &out), 200);
  cJSON *root = cJSON_ParseWithLength(out.data, out.len);
  const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(root, "Messages");
  ck_assert_int_eq(cJSON_GetArraySize(msgs), 2);
  int found = 0;
  const cJSON *m;
  cJSON_ArrayForEach(m, msgs) {
    const cJSON *mid = cJSON_GetObjectItemCaseSensitive(m, "MessageId");
    if (cJSON_IsString(mid) && strcmp(mid->valuestring, id) == 0) {
      ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(m, "Body")->valuestring, body);
      found = 1;
    }
  }
  ck_assert(found);
  cJSON_Delete(root);
  lr_buf_free(&out);
  fauxqs_stop(&f);
}
END_TEST

START_TEST(s3_put_then_get) {
  fauxqs f;
  fauxqs_start(&f);
  lr_aws_credentials c = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  char endpoint[64], etag[LR_S3_ETAG_LEN], err[LR_AWS_ERR_LEN] = "";
  lr_aws_client_config cfg = config(&c, &f, endpoint, sizeof endpoint);
  lr_s3_client *s3 = NULL;
  ck_assert_int_eq(lr_s3_client_create(&s3, &cfg, err), LR_AWS_OK);
  static unsigned char body[300000];
  for (size_t i = 0; i < sizeof body; i++) body[i] = (unsigned char)(i * 7 + 3);
  lr_s3_put p = {.bucket = BUCKET, .key = "archive/2026/11/23/batch 0001.jsonl.gz", .body = body,
                 .body_len = sizeof body, .content_type = "application/x-ndjson", .content_encoding = "gzip"};
  ck_assert_msg(lr_s3_put_object(s3, &p, lr_clock_epoch_ms() + 10000, etag, err) == LR_AWS_OK, "%s", err);
  ck_assert_uint_gt(strlen(etag), 2);
  /* Writing the same key again (a rerun) replaces it. */
  ck_assert_int_eq(lr_s3_put_object(s3, &p, lr_clock_epoch_ms() + 10000, etag, err), LR_AWS_OK);
  lr_s3_put nob = p;
  nob.bucket = "no-such-bucket";
  ck_assert_int_eq(lr_s3_put_object(s3, &nob, lr_clock_epoch_ms() + 10000, etag, err), LR_AWS_HTTP_STATUS);
  ck_assert_ptr_nonnull(strstr(err, "NoSuchBucket"));
  lr_s3_client_free(s3);

  lr_buf out;
  lr_buf_init(&out, 1 << 20);
  char url[256];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/" BUCKET "/archive/2026/11/23/batch%%200001.jsonl.gz", f.port);
  ck_assert_int_eq(plain("GET", url, NULL, NULL, &out), 200);
  ck_assert_uint_eq(out.len, sizeof body);
  ck_assert_mem_eq(out.data, body, sizeof body);
  lr_buf_free(&out);
  fauxqs_stop(&f);
}
END_TEST

int main(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  Suite *s = suite_create("clients against fauxqs");
  TCase *t = tcase_create("fauxqs");
  tcase_set_timeout(t, 60);
  tcase_add_test(t, sqs_send_then_receive);
  tcase_add_test(t, s3_put_then_get);
  suite_add_tcase(s, t);
  int rc = aws_test_run_suite(s);
  curl_global_cleanup();
  return rc;
}
