/* Validation of an order request body (see orders/order.h). Written for
 * hostile input: every member is type-checked, numbers must be integral and
 * finite, strings are matched against the schema's patterns byte by byte, and
 * every problem is reported, not just the first. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "orders/order.h"

void order_errors_init(order_errors *errs) {
  errs->n = 0;
  errs->dropped = 0;
}

void order_errors_add(order_errors *errs, const char *field, const char *fmt, ...) {
  if (errs->n >= ORDER_MAX_ERRORS) {
    errs->dropped++;
    return;
  }
  order_field_error *e = &errs->e[errs->n++];
  snprintf(e->field, sizeof e->field, "%s", field);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->detail, sizeof e->detail, fmt, ap);
  va_end(ap);
}

static bool is_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* ^[A-Za-z0-9][A-Za-z0-9<extra>]{0,max-1}$ */
static bool pattern_ok(const char *s, size_t len, size_t max, const char *extra) {
  if (!s || len == 0 || len > max || strlen(s) != len || !is_alnum(s[0])) return false;
  for (size_t i = 1; i < len; i++)
    if (!is_alnum(s[i]) && !strchr(extra, s[i])) return false;
  return true;
}

bool order_customer_id_valid(const char *s, size_t len) {
  return pattern_ok(s, len, ORDER_CUSTOMER_ID_MAX, "._:@-");
}

bool order_sku_valid(const char *s, size_t len) { return pattern_ok(s, len, ORDER_SKU_MAX, "_-"); }

static bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool order_id_valid(const char *s, size_t len) {
  if (!s || len != ORDER_ID_LEN - 1 || strlen(s) != len) return false;
  for (size_t i = 0; i < len; i++) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

static const char *const status_names[] = {NULL, "PENDING", "CONFIRMED", "REJECTED", "CANCELLED"};

bool order_status_parse(const char *s, order_status_filter *out) {
  for (int i = ORDER_STATUS_PENDING; i <= ORDER_STATUS_CANCELLED; i++) {
    if (s && strcmp(s, status_names[i]) == 0) {
      *out = (order_status_filter)i;
      return true;
    }
  }
  return false;
}

const char *order_status_name(order_status_filter st) {
  if (st < ORDER_STATUS_PENDING || st > ORDER_STATUS_CANCELLED) return NULL;
  return status_names[st];
}

/* cJSON keeps every member of an object, duplicates included: a body such as
 * {"customer_id":"a","customer_id":"b"} must not be read as either one. */
static bool members_ok(const cJSON *obj, const char *const *known, const char *prefix,
                      order_errors *errs) {
  bool ok = true;
  char field[ORDER_FIELD_LEN];
  for (const cJSON *m = obj->child; m; m = m->next) {
    bool is_known = false;
    for (size_t k = 0; known[k]; k++) is_known |= m->string && strcmp(m->string, known[k]) == 0;
    snprintf(field, sizeof field, "%s%.32s", prefix, m->string ? m->string : "");
    if (!is_known) {
      order_errors_add(errs, field, "is not a known member");
      ok = false;
      continue;
    }
    for (const cJSON *d = obj->child; d != m; d = d->next) {
      if (d->string && strcmp(d->string, m->string) == 0) {
        order_errors_add(errs, field, "is given more than once");
        ok = false;
        break;
      }
    }
  }
  return ok;
}

static bool duplicate_member(const cJSON *obj, const cJSON *m) {
  for (const cJSON *d = obj->child; d; d = d->next)
    if (d != m && d->string && m->string && strcmp(d->string, m->string) == 0) return true;
  return false;
}

static void check_customer(const cJSON *root, order_request *req, order_errors *errs) {
  const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "customer_id");
  if (!c) {
    order_errors_add(errs, "customer_id", "is required");
  } else if (!cJSON_IsString(c) || !c->valuestring) {
    order_errors_add(errs, "customer_id", "must be a string");
  } else if (!order_customer_id_valid(c->valuestring, strlen(c->valuestring))) {
    order_errors_add(errs, "customer_id",
                     "must be 1 to 64 characters: a letter or digit, then letters, digits or ._:@-");
  } else if (!duplicate_member(root, c)) {
    snprintf(req->customer_id, sizeof req->customer_id, "%s", c->valuestring);
  }
}

static void check_sku(const cJSON *item, int i, order_request *req, order_errors *errs) {
  char field[ORDER_FIELD_LEN];
  snprintf(field, sizeof field, "items[%d].sku", i);
  const cJSON *s = cJSON_GetObjectItemCaseSensitive(item, "sku");
  if (!s) {
    order_errors_add(errs, field, "is required");
  } else if (!cJSON_IsString(s) || !s->valuestring) {
    order_errors_add(errs, field, "must be a string");
  } else if (!order_sku_valid(s->valuestring, strlen(s->valuestring))) {
    order_errors_add(errs, field,
                     "must be 1 to 64 characters: a letter or digit, then letters, digits, _ or -");
  } else {
    for (int j = 0; j < i; j++) {
      if (strcmp(req->items[j].sku, s->valuestring) == 0) {
        order_errors_add(errs, field, "repeats the SKU of items[%d]; give one line per SKU", j);
        return;
      }
    }
    snprintf(req->items[i].sku, sizeof req->items[i].sku, "%s", s->valuestring);
  }
}

static void check_quantity(const cJSON *item, int i, order_request *req, order_errors *errs) {
  char field[ORDER_FIELD_LEN];
  snprintf(field, sizeof field, "items[%d].quantity", i);
  const cJSON *q = cJSON_GetObjectItemCaseSensitive(item, "quantity");
  if (!q) {
    order_errors_add(errs, field, "is required");
    return;
  }
  double v = q->valuedouble;
  if (!cJSON_IsNumber(q)) {
    order_errors_add(errs, field, "must be an integer");
  } else if (!isfinite(v) || v != floor(v)) {
    order_errors_add(errs, field, "must be an integer");
  } else if (v < ORDER_MIN_QUANTITY || v > ORDER_MAX_QUANTITY) {
    order_errors_add(errs, field, "must be between %d and %d", ORDER_MIN_QUANTITY,
                     ORDER_MAX_QUANTITY);
  } else {
    req->items[i].quantity = (int)v;
  }
}

static void check_item(const cJSON *item, int i, order_request *req, order_errors *errs) {
  static const char *const known[] = {"sku", "quantity", NULL};
  char prefix[ORDER_FIELD_LEN];
  snprintf(prefix, sizeof prefix, "items[%d].", i);
  req->items[i].sku[0] = '\0';
  req->items[i].quantity = 0;
  if (!cJSON_IsObject(item)) {
    prefix[strlen(prefix) - 1] = '\0';
    order_errors_add(errs, prefix, "must be an object with sku and quantity");
    return;
  }
  members_ok(item, known, prefix, errs);
  check_sku(item, i, req, errs);
  check_quantity(item, i, req, errs);
}

static void check_items(const cJSON *root, order_request *req, order_errors *errs) {
  const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items");
  if (!items) {
    order_errors_add(errs, "items", "is required");
    return;
  }
  if (!cJSON_IsArray(items)) {
    order_errors_add(errs, "items", "must be an array");
    return;
  }
  int n = cJSON_GetArraySize(items);
  if (n < 1 || n > ORDER_MAX_ITEMS) {
    order_errors_add(errs, "items", "must hold 1 to %d lines (it holds %d)", ORDER_MAX_ITEMS, n);
    return;
  }
  int i = 0;
  for (const cJSON *it = items->child; it; it = it->next) check_item(it, i++, req, errs);
  req->nitems = n;
}

bool order_request_from_json(const cJSON *root, order_request *req, order_errors *errs) {
  static const char *const known[] = {"customer_id", "items", NULL};
  order_errors_init(errs);
  memset(req, 0, sizeof *req);
  if (!cJSON_IsObject(root)) {
    order_errors_add(errs, "", "the body must be a JSON object");
    return false;
  }
  members_ok(root, known, "", errs);
  check_customer(root, req, errs);
  check_items(root, req, errs);
  return errs->n == 0 && errs->dropped == 0;
}
