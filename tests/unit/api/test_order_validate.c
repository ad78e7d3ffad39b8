/* Order request validation (table-driven, hostile input included) and the
 * idempotency request hash. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_test.h"
#include "lr/buf.h"
#include "orders/idempotency.h"
#include "orders/order.h"

typedef struct vcase {
  const char *body;
  int valid;
  const char *field;   /* the first problem's field when invalid */
  int nerrors;         /* -1: do not check */
} vcase;

static const vcase cases[] = {
    {"{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":2}]}", 1, NULL, 0},
    {"{\"customer_id\":\"a/b\",\"items\":[{\"sku\":\"S_1-x\",\"quantity\":1000}]}", 0, "customer_id", 1},
    {"{\"customer_id\":\"a.b:c@d-e\",\"items\":[{\"sku\":\"S_1-x\",\"quantity\":1000}]}", 1, NULL, 0},
    {"{\"items\":[{\"sku\":\"SKU-1\",\"quantity\":2}]}", 0, "customer_id", 1},
    {"{\"customer_id\":\"c-1\"}", 0, "items", 1},
    {"{\"customer_id\":\"c-1\",\"items\":[]}", 0, "items", 1},
    {"{\"customer_id\":\"c-1\",\"items\":{}}", 0, "items", 1},
    {"{\"customer_id\":\"c-1\",\"items\":\"SKU-1\"}", 0, "items", 1},
    {"{\"customer_id\":12,\"items\":[{\"sku\":\"SKU-1\",\"quantity\":2}]}", 0, "customer_id", 1},
    {"{\"customer_id\":null,\"items\":[{\"sku\":\"SKU-1\",\"quantity\":2}]}", 0, "customer_id", 1},
    {"{\"customer_id\":\"\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":2}]}", 0, "customer_id", 1},
    {"{\"customer_id\":\"-c\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":2}]}", 0, "customer_id", 1},
    {"{\"customer_id\":\"c 1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":2}]}", 0, "customer_id", 1},
    {"{\"customer_id\":\"c\\u00e91\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":2}]}", 0, "customer_id", 1},
    /* 64 characters pass, 65 do not */
    {"{\"customer_id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":1}]}", 1, NULL, 0},
    {"{\"customer_id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":1}]}", 0, "customer_id", 1},
    {"{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":0}]}", 0, "items[0].quantity", 1},
    {"{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":1001}]}", 0, "items[0].quantity", 1},
    {"{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":-1}]}", 0, "items[0].quantity", 1},
    {"{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":1.5}]}", 0, "items[0].quantity", 1},
    {"{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":1e400}]}", 0, "items[0].quantity", 1},
    {"{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":99999999999999999999999}]}", 0, "items[0].quantity", 1},
    {"{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":\"2\"}]}", 0, "items[0].quantity", 1},
    {"{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":true}]}", 0, "items[0].quantity", 1},
    {"{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\"}]}", 0, "items[0].quantity", 1},
    {"{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU 1\",\"quantity\":1}]}", 0, "items[0].sku", 1},
    {"{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU.1\",\"quantity\":1}]}", 0, "items[0].sku", 1},
    {"{\"customer_id\":\"c-1\",\"items\":[{\"sku\":[\"SKU-1\"],\"quantity\":1}]}", 0, "items[0].sku", 1},
    {"{\"customer_id\":\"c-1\",\"items\":[\"SKU-1\"]}", 0, "items[0]", 1},
    {"{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":1},{\"sku\":\"SKU-1\",\"quantity\":2}]}", 0, "items[1].sku", 1},
    {"{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":1,\"price\":1}]}", 0, "items[0].price", 1},
    {"{\"customer_id\":\"c-1\",\"total_cents\":1,\"items\":[{\"sku\":\"SKU-1\",\"quantity\":1}]}", 0, "total_cents", 1},
    /* duplicate members are refused, not resolved one way or the other */
    {"{\"customer_id\":\"c-1\",\"customer_id\":\"c-2\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":1}]}", 0, "customer_id", 1},
    {"{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":1,\"quantity\":500}]}", 0, "items[0].quantity", 1},
    {"[]", 0, "", 1},
    {"\"order\"", 0, "", 1},
    {"null", 0, "", 1},
    /* one problem per bad field, all of them */
    {"{\"customer_id\":\"\",\"items\":[{\"sku\":\"\",\"quantity\":0},{\"sku\":\"S\",\"quantity\":\"x\"}]}", 0, "customer_id", 4},
};

START_TEST(validation_table) {
  const vcase *c = &cases[_i];
  cJSON *root = cJSON_Parse(c->body);
  ck_assert_msg(root != NULL, "case %d does not parse", _i);
  order_request req;
  order_errors errs;
  bool valid = order_request_from_json(root, &req, &errs);
  cJSON_Delete(root);
  ck_assert_msg(valid == (bool)c->valid, "case %d: %s: valid %d (%s: %s)", _i, c->body, (int)valid,
                errs.n ? errs.e[0].field : "", errs.n ? errs.e[0].detail : "");
  if (!c->valid) {
    ck_assert_str_eq(errs.e[0].field, c->field);
    if (c->nerrors >= 0) ck_assert_int_eq(errs.n, c->nerrors);
  }
}
END_TEST

static char *items_body(int n, int same_sku) {
  lr_buf b;
  lr_buf_init(&b, 1 << 20);
  lr_buf_adds(&b, "{\"customer_id\":\"c-1\",\"items\":[");
  for (int i = 0; i < n; i++)
    lr_buf_addf(&b, "%s{\"sku\":\"SKU-%d\",\"quantity\":1}", i ? "," : "", same_sku ? 1 : i);
  lr_buf_adds(&b, "]}");
  return lr_buf_take(&b, NULL);
}

START_TEST(line_count_limits) {
  order_request req;
  order_errors errs;
  for (int n = 49; n <= 51; n++) {
    char *body = items_body(n, 0);
    cJSON *root = cJSON_Parse(body);
    bool valid = order_request_from_json(root, &req, &errs);
    ck_assert_int_eq(valid, n <= ORDER_MAX_ITEMS);
    if (valid) ck_assert_int_eq(req.nitems, n);
    cJSON_Delete(root);
    free(body);
  }
  /* 50 lines of one SKU: 49 problems, none lost */
  char *body = items_body(50, 1);
  cJSON *root = cJSON_Parse(body);
  ck_assert(!order_request_from_json(root, &req, &errs));
  ck_assert_int_eq(errs.n, 49);
  ck_assert_int_eq(errs.dropped, 0);
  cJSON_Delete(root);
  free(body);
}
END_TEST

START_TEST(deep_nesting_and_many_members) {
  /* deep nesting: cJSON refuses past its limit, or we refuse the shape */
  lr_buf b;
  lr_buf_init(&b, 1 << 20);
  lr_buf_adds(&b, "{\"customer_id\":\"c-1\",\"items\":");
  for (int i = 0; i < 5000; i++) lr_buf_adds(&b, "[");
  for (int i = 0; i < 5000; i++) lr_buf_adds(&b, "]");
  lr_buf_adds(&b, "}");
  cJSON *root = cJSON_Parse(lr_buf_str(&b));
  order_request req;
  order_errors errs;
  if (root) ck_assert(!order_request_from_json(root, &req, &errs));
  cJSON_Delete(root);
  lr_buf_reset(&b);
  /* thousands of unknown members: the error list is bounded and counts the rest */
  lr_buf_adds(&b, "{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"A\",\"quantity\":1}]");
  for (int i = 0; i < 3000; i++) lr_buf_addf(&b, ",\"x%d\":1", i);
  lr_buf_adds(&b, "}");
  root = cJSON_Parse(lr_buf_str(&b));
  ck_assert_ptr_nonnull(root);
  ck_assert(!order_request_from_json(root, &req, &errs));
  ck_assert_int_eq(errs.n, ORDER_MAX_ERRORS);
  ck_assert_int_eq(errs.dropped, 3000 - ORDER_MAX_ERRORS);
  cJSON_Delete(root);
  lr_buf_free(&b);
}
END_TEST

START_TEST(syntax_helpers) {
  ck_assert(order_id_valid("0f8fad5b-d9cb-469f-a165-70867728950e", 36));
  ck_assert(order_id_valid("0F8FAD5B-D9CB-469F-A165-70867728950E", 36));
  ck_assert(!order_id_valid("0f8fad5b-d9cb-469f-a165-70867728950", 35));
  ck_assert(!order_id_valid("0f8fad5bxd9cb-469f-a165-70867728950e", 36));
  ck_assert(!order_id_valid("0f8fad5b-d9cb-469f-a165-70867728950g", 36));
  ck_assert(!order_sku_valid("SK\0U", 4));
  ck_assert(!order_customer_id_valid(NULL, 0));
  order_status_filter st;
  ck_assert(order_status_parse("CONFIRMED", &st));
  ck_assert_int_eq(st, ORDER_STATUS_CONFIRMED);
  ck_assert(!order_status_parse("confirmed", &st));
  ck_assert(!order_status_parse("", &st));
  ck_assert_ptr_null(order_status_name(ORDER_STATUS_ANY));
}
END_TEST

static void hash_of(const char *body, unsigned char out[IDEMPOTENCY_HASH_LEN]) {
  cJSON *root = cJSON_Parse(body);
  order_request req;
  order_errors errs;
  ck_assert(order_request_from_json(root, &req, &errs));
  ck_assert(idempotency_request_hash(&req, out));
  cJSON_Delete(root);
}

START_TEST(hash_is_canonical) {
  unsigned char a[32], b[32], c[32], d[32], e[32];
  hash_of("{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":2},{\"sku\":\"SKU-2\",\"quantity\":1}]}", a);
  hash_of("{ \"items\": [ {\"quantity\": 2.0, \"sku\": \"SKU-1\"}, {\"quantity\":1,\"sku\":\"SKU-2\"} ],\n \"customer_id\": \"c-1\" }", b);
  hash_of("{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":3},{\"sku\":\"SKU-2\",\"quantity\":1}]}", c);
  hash_of("{\"customer_id\":\"c-2\",\"items\":[{\"sku\":\"SKU-1\",\"quantity\":2},{\"sku\":\"SKU-2\",\"quantity\":1}]}", d);
  hash_of("{\"customer_id\":\"c-1\",\"items\":[{\"sku\":\"SKU-2\",\"quantity\":1},{\"sku\":\"SKU-1\",\"quantity\":2}]}", e);
  ck_assert_mem_eq(a, b, 32);
  ck_assert(memcmp(a, c, 32) != 0);
  ck_assert(memcmp(a, d, 32) != 0);
  ck_assert(memcmp(a, e, 32) != 0); /* line order is part of the order */
  char hex[IDEMPOTENCY_HASH_HEX_LEN];
  idempotency_hash_hex(a, hex);
  ck_assert_int_eq(strlen(hex), 66);
  ck_assert(hex[0] == '\\' && hex[1] == 'x');
}
END_TEST

START_TEST(idempotency_keys) {
  char k255[256], k256[257];
  memset(k255, 'k', 255), k255[255] = '\0';
  memset(k256, 'k', 256), k256[256] = '\0';
  ck_assert(idempotency_key_valid("a", 1));
  ck_assert(idempotency_key_valid("a b ~!", 6));
  ck_assert(idempotency_key_valid(k255, 255));
  ck_assert(!idempotency_key_valid(k256, 256));
  ck_assert(!idempotency_key_valid("", 0));
  ck_assert(!idempotency_key_valid("a\tb", 3));
  ck_assert(!idempotency_key_valid("a\x7f", 2));
  ck_assert(!idempotency_key_valid("caf\xc3\xa9", 5));
  ck_assert(!idempotency_key_valid("a\0b", 3));
}
END_TEST

int main(void) {
  Suite *s = suite_create("unit.api.order_validate");
  TCase *tc = tcase_create("core");
  tcase_add_loop_test(tc, validation_table, 0, (int)(sizeof cases / sizeof cases[0]));
  tcase_add_test(tc, syntax_helpers);
  tcase_add_test(tc, hash_is_canonical);
  tcase_add_test(tc, idempotency_keys);
  suite_add_tcase(s, tc);
  TCase *lim = tcase_create("limits");
  tcase_add_test(lim, line_count_limits);
  tcase_add_test(lim, deep_nesting_and_many_members);
  suite_add_tcase(s, lim);
  return at_run_suite(s);
}
