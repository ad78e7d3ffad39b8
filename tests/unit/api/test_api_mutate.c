/* Hostile events, generated: the AWS-shaped fixtures and a few hand-made
 * events, mutated many times with a fixed seed (bytes flipped, cut, spliced,
 * JSON tokens inserted). Whatever comes in, the handler either faults with a
 * type, or answers with a well-formed proxy response whose status is 200-599,
 * whose body is JSON, and which carries the security headers. Run under the
 * sanitizers and valgrind this is the crash/leak net of the parsers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "api_test.h"

#define ROUNDS 1500

static const char *const fixtures[] = {"http_v2_post_orders.json", "http_v2_get_health_stage.json",
                                       "rest_v1_post_orders.json", "rest_v1_get_order_bad_id.json",
                                       "http_v1_list_repeated.json"};
static const char *const tokens[] = {"{", "}", "[", "]", "\"", ",", ":", "null", "true", "1e999",
                                     "-0", "\\u0000", "\\ud800", "\xff", "\xc3", "\"version\":\"2.0\",",
                                     "\"body\":\"", "\"isBase64Encoded\":true,", "{\"a\":{\"b\":[[[["};

/* xorshift: deterministic across runs and machines */
static unsigned rnd(unsigned long long *s) {
  *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
  return (unsigned)(*s >> 11);
}

static char *mutate(const char *in, unsigned long long *seed, size_t *out_len) {
  size_t len = strlen(in);
  lr_buf b;
  lr_buf_init(&b, len * 2 + 4096);
  lr_buf_add(&b, in, len);
  int edits = 1 + (int)(rnd(seed) % 4);
  for (int e = 0; e < edits && b.len > 0; e++) {
    size_t at = rnd(seed) % b.len;
    switch (rnd(seed) % 4) {
    case 0: b.data[at] = (char)(rnd(seed) & 0xff); break;                /* flip */
    case 1: b.len = at; b.data[at] = '\0'; break;                         /* cut */
    case 2: {                                                             /* delete a run */
      size_t n = 1 + rnd(seed) % 16;
      if (at + n > b.len) n = b.len - at;
      memmove(b.data + at, b.data + at + n, b.len - at - n + 1);
      b.len -= n;
      break;
    }
    default: {                                                            /* insert a token */
      const char *t = tokens[rnd(seed) % (sizeof tokens / sizeof *tokens)];
      size_t tl = strlen(t);
      if (lr_buf_reserve(&b, tl) != LR_BUF_OK) break;
      memmove(b.data + at + tl, b.data + at, b.len - at + 1);
      memcpy(b.data + at, t, tl);
      b.len += tl;
    }
    }
  }
  return lr_buf_take(&b, out_len);
}

static void check_answer(api_app *a, const char *ev, size_t len) {
  lr_buf out;
  lr_buf_init(&out, 8u << 20);
  lr_fault fault = {{0}, {0}};
  lr_context ctx = {.request_id = "r", .trace_id = "", .invoked_function_arn = "", .client_context = "",
                    .cognito_identity = "", .function_name = "api"};
  int rc = api_invoke(a, &ctx, ev, len, &out, &fault);
  api_after_response(a, &ctx);
  if (rc != LR_HANDLER_OK) {
    ck_assert_int_eq(rc, LR_HANDLER_ERROR);
    ck_assert(fault.type[0] != '\0');
  } else {
    cJSON *r = cJSON_Parse(lr_buf_str(&out));
    ck_assert_ptr_nonnull(r);
    double st = cJSON_GetNumberValue(cJSON_GetObjectItem(r, "statusCode"));
    ck_assert(st >= 200 && st <= 599);
    const cJSON *h = cJSON_GetObjectItem(r, "headers");
    ck_assert_ptr_nonnull(cJSON_GetObjectItem(h, "X-Request-Id"));
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(h, "Cache-Control")), "no-store");
    cJSON *body = cJSON_Parse(cJSON_GetStringValue(cJSON_GetObjectItem(r, "body")));
    ck_assert_ptr_nonnull(body);
    cJSON_Delete(body);
    cJSON_Delete(r);
  }
  lr_buf_free(&out);
}

START_TEST(mutated_fixtures) {
  char path[1024];
  const char *dir = getenv("API_EVENTS_DIR");
  snprintf(path, sizeof path, "%s/%s", dir ? dir : "events", fixtures[_i]);
  char *base = at_read_file(path, NULL);
  api_app *a = at_app_db(at_closed_port(), "orders", NULL);
  unsigned long long seed = 0x9e3779b97f4a7c15ULL + (unsigned long long)_i;
  for (int round = 0; round < ROUNDS; round++) {
    size_t len = 0;
    char *ev = mutate(base, &seed, &len);
    check_answer(a, ev, len);
    free(ev);
  }
  api_app_free(a);
  free(base);
}
END_TEST

START_TEST(odd_but_valid_events) {
  api_app *a = at_app_db(at_closed_port(), "orders", NULL);
  const char *events[] = {
      "{\"httpMethod\":\"GET\",\"path\":\"/health\",\"headers\":[],\"queryStringParameters\":\"x\"}",
      "{\"httpMethod\":\"GET\",\"path\":\"/orders\",\"queryStringParameters\":{\"limit\":5}}",
      "{\"httpMethod\":\"GET\",\"path\":\"/orders\",\"multiValueQueryStringParameters\":{\"limit\":[]}}",
      "{\"httpMethod\":\"POST\",\"path\":\"/orders\",\"headers\":{\"content-type\":7},\"body\":\"{}\"}",
      "{\"httpMethod\":\"POST\",\"path\":\"/orders\",\"headers\":{\"content-type\":\"application/json\"},\"body\":7}",
      "{\"httpMethod\":\"POST\",\"path\":\"/orders\",\"multiValueHeaders\":{\"Content-Type\":[\"application/json\"]},\"body\":\"{}\"}",
      "{\"version\":\"2.0\",\"rawPath\":\"/health\",\"requestContext\":{\"http\":{\"method\":\"GET\"},\"stage\":7,\"requestId\":\"\\u0001\\n\"}}",
      "{\"version\":\"2.0\",\"rawPath\":\"/prod\",\"requestContext\":{\"http\":{\"method\":\"GET\"},\"stage\":\"prod\"}}",
      "{\"httpMethod\":\"GET\",\"path\":\"/orders/\\u00e9\\u00e9\"}",
  };
  for (size_t i = 0; i < sizeof events / sizeof *events; i++) check_answer(a, events[i], strlen(events[i]));
  /* a path longer than the buffer is cut, not overflowed */
  lr_buf b;
  lr_buf_init(&b, 1 << 20);
  lr_buf_adds(&b, "{\"httpMethod\":\"GET\",\"path\":\"/");
  for (int i = 0; i < 5000; i++) lr_buf_adds(&b, "a");
  lr_buf_adds(&b, "\"}");
  check_answer(a, b.data, b.len);
  at_response r = at_invoke(a, b.data);
  ck_assert_int_eq(r.status, 404);
  at_response_free(&r);
  lr_buf_free(&b);
  api_app_free(a);
}
END_TEST

int main(void) {
  Suite *s = suite_create("unit.api.mutate");
  TCase *tc = tcase_create("hostile events");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, mutated_fixtures, 0, (int)(sizeof fixtures / sizeof *fixtures));
  tcase_add_test(tc, odd_but_valid_events);
  suite_add_tcase(s, tc);
  return at_run_suite(s);
}
