#include "client_test_util.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

lr_aws_credentials test_creds(int with_token) {
  lr_aws_credentials c = {TEST_AKID, TEST_SECRET, ""};
  if (with_token) snprintf(c.session_token, sizeof c.session_token, "%s", TEST_TOKEN);
  return c;
}

lr_aws_client_config test_config(const lr_aws_credentials *c, int port, int max_attempts) {
  static char endpoint[64]; /* tests are single-threaded; the client copies it */
  snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", port);
  lr_aws_client_config cfg = {.region = "us-east-1", .credentials = c, .endpoint = endpoint,
                              .connect_timeout_ms = 1000, .attempt_timeout_ms = 3000,
                              .max_attempts = max_attempts};
  return cfg;
}

static time_t parse_amz_date(const char *s) {
  struct tm tm = {0};
  const char *end = strptime(s, "%Y%m%dT%H%M%SZ", &tm);
  ck_assert_msg(end && *end == '\0', "bad X-Amz-Date '%s'", s);
  return timegm(&tm);
}

void expect_valid_signature(const mock_server *m, size_t i, const lr_aws_credentials *c,
                            const char *service, lr_sigv4_path_mode mode) {
  char date[64], auth[1024], line[2048], signed_list[512];
  ck_assert_ptr_nonnull(mock_header(m, i, "X-Amz-Date", date, sizeof date));
  ck_assert_ptr_nonnull(mock_header(m, i, "Authorization", auth, sizeof auth));
  const char *sh = strstr(auth, "SignedHeaders=");
  ck_assert_ptr_nonnull(sh);
  snprintf(signed_list, sizeof signed_list, "%.*s", (int)strcspn(sh + 14, ","), sh + 14);
  /* The signed headers, as received, except the two the signer adds. */
  static char values[LR_SIGV4_MAX_HEADERS][4096];
  static char names[LR_SIGV4_MAX_HEADERS][128];
  lr_sigv4_pair hs[LR_SIGV4_MAX_HEADERS];
  size_t n = 0;
  for (char *tok = strtok(signed_list, ";"); tok; tok = strtok(NULL, ";")) {
    if (strcmp(tok, "x-amz-date") == 0 || strcmp(tok, "x-amz-security-token") == 0) continue;
    snprintf(names[n], sizeof names[n], "%s", tok);
    ck_assert_msg(mock_header(m, i, tok, values[n], sizeof values[n]) != NULL, "signed header %s not sent", tok);
    hs[n] = (lr_sigv4_pair){names[n], values[n], 0};
    n++;
  }
  mock_request_line(m, i, line, sizeof line);
  char *target = strchr(line, ' ');
  ck_assert_ptr_nonnull(target);
  *target++ = '\0';
  /* A query (S3 multipart: "uploads=", "partNumber=1&uploadId=..."): the
   * tests' values need no percent-decoding. */
  lr_sigv4_pair qs[8];
  size_t nq = 0;
  char *query = strchr(target, '?');
  if (query) *query++ = '\0';
  for (char *tok = query ? strtok(query, "&") : NULL; tok && nq < 8; tok = strtok(NULL, "&")) {
    char *eq = strchr(tok, '=');
    if (eq) *eq++ = '\0';
    qs[nq++] = (lr_sigv4_pair){tok, eq ? eq : "", 0};
  }
  lr_sigv4_signer s;
  ck_assert_int_eq(lr_sigv4_signer_init(&s, c, "us-east-1", service, mode, NULL), LR_AWS_OK);
  lr_sigv4_request r = {.method = line, .path = target, .query = nq ? qs : NULL, .query_count = nq,
                        .headers = hs, .header_count = n,
                        .payload = m->reqs[i].body, .payload_len = m->reqs[i].body_len};
  lr_buf again;
  lr_buf_init(&again, 4096);
  char err[LR_AWS_ERR_LEN] = "";
  ck_assert_msg(lr_sigv4_sign_headers(&s, &r, parse_amz_date(date), &again, NULL, err) == LR_AWS_OK, "%s", err);
  ck_assert_str_eq(lr_buf_str(&again), auth);
  lr_buf_free(&again);
}
