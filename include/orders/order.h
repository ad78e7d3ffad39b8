#ifndef ORDERS_ORDER_H
#define ORDERS_ORDER_H
/* The order model: a validated order request and the per-field problems of
 * one that is not valid. The limits mirror the CHECKs of
 * db/migrations/0001_initial.sql so that a request that passes here cannot be
 * refused by the schema for its shape (only the catalog can still refuse it).
 *
 *   order_request req;
 *   order_errors errs;
 *   if (!order_request_from_json(root, &req, &errs)) -> 422 with errs
 */
#include <stdbool.h>
#include <stddef.h>

#define ORDER_MAX_ITEMS 50
#define ORDER_MIN_QUANTITY 1
#define ORDER_MAX_QUANTITY 1000
#define ORDER_CUSTOMER_ID_MAX 64
#define ORDER_SKU_MAX 64
#define ORDER_ID_LEN 37          /* a canonical uuid and its NUL */
#define ORDER_FIELD_LEN 48       /* "items[49].quantity" and room to spare */
#define ORDER_DETAIL_LEN 160
/* Enough for two problems on every line and a few on the whole request; past
 * it the count of dropped entries is kept (a client needs the first ones). */
#define ORDER_MAX_ERRORS 104

typedef struct order_item {
  char sku[ORDER_SKU_MAX + 1];
  int quantity;
} order_item;

typedef struct order_request {
  char customer_id[ORDER_CUSTOMER_ID_MAX + 1];
  order_item items[ORDER_MAX_ITEMS];
  int nitems;
} order_request;

typedef struct order_field_error {
  char field[ORDER_FIELD_LEN];   /* "customer_id", "items[1].sku", "" = the body */
  char detail[ORDER_DETAIL_LEN];
} order_field_error;

typedef struct order_errors {
  order_field_error e[ORDER_MAX_ERRORS];
  int n;
  int dropped;                   /* problems found past ORDER_MAX_ERRORS */
} order_errors;

typedef enum order_status_filter {
  ORDER_STATUS_ANY = 0,
  ORDER_STATUS_PENDING,
  ORDER_STATUS_CONFIRMED,
  ORDER_STATUS_REJECTED,
  ORDER_STATUS_CANCELLED
} order_status_filter;

void order_errors_init(order_errors *errs);
/* Adds one problem (truncated to fit); counts it as dropped when full. */
void order_errors_add(order_errors *errs, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The syntax rules of the schema. s must be NUL-terminated; len is its length
 * (a string with an embedded NUL has strlen(s) != len and is refused). */
bool order_customer_id_valid(const char *s, size_t len);
bool order_sku_valid(const char *s, size_t len);
/* 8-4-4-4-12 hex digits, any case. */
bool order_id_valid(const char *s, size_t len);

/* "PENDING" ... "CANCELLED" (exact case) to a filter; false when unknown. */
bool order_status_parse(const char *s, order_status_filter *out);
const char *order_status_name(order_status_filter st); /* NULL for ANY */

struct cJSON;
/* Validates a parsed body ({"customer_id":…,"items":[{"sku":…,"quantity":…}]})
 * into *req. Returns true when valid; otherwise false with every problem found in
 * *errs (one entry per bad field) and *req unspecified. Unknown members,
 * duplicate members, wrong types, non-integral or out-of-range numbers,
 * malformed strings and duplicate SKUs are all problems. */
bool order_request_from_json(const struct cJSON *root, order_request *req, order_errors *errs);

#endif
