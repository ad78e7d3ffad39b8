#ifndef ORDERS_ORDER_STORE_H
#define ORDERS_ORDER_STORE_H
/* The orders aggregate in PostgreSQL. Every function is ONE statement (one
 * round trip) run through db_exec; the order JSON that the API answers with is
 * built in SQL, so the first answer and a replay of it are the same bytes.
 * SQL lives in order_sql.c as named constants. */
#include <stdint.h>

#include "common/db.h"
#include "lr/buf.h"
#include "orders/idempotency.h"
#include "orders/order.h"

/* outbox.trace_header's bound (0005), SQS's for AWSTraceHeader */
#define ORDER_TRACE_HEADER_MAX 1024

typedef enum order_create_outcome {
  ORDER_CREATED = 0,         /* new order; outbox_id and message are set */
  ORDER_REPLAYED = 1,        /* same key, same request: the first answer */
  ORDER_KEY_REUSED = 2,      /* same key, another request: refuse */
  ORDER_CATALOG_INVALID = 3  /* unknown/inactive SKU or mixed currencies: errs filled */
} order_create_outcome;

/* Outbox rows whose message was sent but which are not yet marked published.
 * Marking one as soon as it is sent would cost every create a second round
 * trip (and a second commit); instead the session's next create statement
 * marks them. A row whose mark never comes (the process is frozen for good)
 * is re-sent by the cleanup relay: consumers see a message at least once,
 * which SQS makes them handle anyway. */
#define OUTBOX_MARKS_MAX 8
typedef struct outbox_marks {
  char ids[OUTBOX_MARKS_MAX][ORDER_ID_LEN];
  int n;
} outbox_marks;

/* Adds a row id. Returns false when the list is full or id is not a UUID
 * (the caller then marks the row itself with outbox_mark_published). */
bool outbox_marks_add(outbox_marks *m, const char *id);

typedef struct order_create_args {
  const order_request *req;
  const char *idempotency_key;  /* NULL: none */
  unsigned char request_hash[IDEMPOTENCY_HASH_LEN];
  int idempotency_ttl_hours;
  /* NULL, or rows to mark published in the same statement; emptied when the
   * statement commits, kept for the next one when it does not. */
  outbox_marks *published;
  /* The request's trace header (Lambda-Runtime-Trace-Id), kept in the outbox
   * row for the relay's AWSTraceHeader. NULL: none; one that is not 1..1024
   * printable ASCII bytes (outbox.trace_header's check, SQS's rule) is not
   * stored rather than failing the create. */
  const char *trace_header;
} order_create_args;

typedef struct order_create_result {
  order_create_outcome outcome;
  char order_id[ORDER_ID_LEN];
  char outbox_id[ORDER_ID_LEN];  /* "" unless created */
  lr_buf body;     /* the order JSON (created or replayed) */
  lr_buf message;  /* the queue message (created only) */
  order_errors errs;             /* catalog problems (ORDER_CATALOG_INVALID) */
  int marked;                    /* rows of args->published that this statement marked */
} order_create_result;

/* Initialises r (call before order_create); order_create_result_free releases it. */
void order_create_result_init(order_create_result *r);
void order_create_result_free(order_create_result *r);

/* Writes the order, its lines (prices from products), the idempotency record
 * and the outbox row in one statement, or finds the earlier answer for the
 * key; the same statement marks the rows in args->published, whatever the
 * outcome. Two concurrent calls with one key create one order: the key's primary
 * key decides (INSERT … ON CONFLICT), no lock is taken by hand. */
db_status order_create(db_session *s, const order_create_args *a, order_create_result *r,
                       char err[DB_ERR_LEN]);

/* The order JSON appended to out; *found 0 when there is no such order. */
db_status order_get(db_session *s, const char *order_id, int *found, lr_buf *out,
                    char err[DB_ERR_LEN]);

/* A position in the newest-first list: (created_at, id). */
typedef struct order_list_key {
  int64_t created_us;            /* microseconds since the Unix epoch */
  char id[ORDER_ID_LEN];
} order_list_key;

typedef struct order_list_query {
  const char *customer_id;       /* NULL: every customer */
  order_status_filter status;
  int limit;                     /* 1..100 */
  const order_list_key *after;   /* NULL: from the newest */
} order_list_query;

/* Appends `[order, …]` (at most limit orders) to out. *has_more says whether
 * more orders follow; *last is the key of the last order appended. */
db_status order_list(db_session *s, const order_list_query *q, lr_buf *out, int *has_more,
                     order_list_key *last, char err[DB_ERR_LEN]);

typedef enum order_cancel_outcome {
  ORDER_CANCEL_DONE = 0,          /* cancelled now; body holds the order */
  ORDER_CANCEL_NOT_FOUND = 1,
  ORDER_CANCEL_NOT_CANCELLABLE = 2/* REJECTED or already CANCELLED; body holds the order */
} order_cancel_outcome;

/* Cancels a PENDING or CONFIRMED order; a CONFIRMED order's reserved stock
 * goes back to inventory in the same statement. *released is the number of
 * lines whose stock was released. */
db_status order_cancel(db_session *s, const char *order_id, order_cancel_outcome *outcome,
                       int *released, lr_buf *body, char err[DB_ERR_LEN]);

/* The outbox row of a sent message is published now (a round trip of its own:
 * see outbox_marks for the usual way); a failed send counts an attempt. */
db_status outbox_mark_published(db_session *s, const char *outbox_id, char err[DB_ERR_LEN]);
db_status outbox_mark_failed(db_session *s, const char *outbox_id, char err[DB_ERR_LEN]);

#endif
