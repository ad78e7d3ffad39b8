#ifndef ORDER_SQL_H
#define ORDER_SQL_H
/* The statements of the orders aggregate (order_sql.c). Parameters are text,
 * run as unnamed PQexecParams (RDS Proxy keeps multiplexing). */
extern const char ORDER_SQL_CREATE[];
extern const char ORDER_SQL_GET[];
extern const char ORDER_SQL_LIST[];
extern const char ORDER_SQL_CANCEL[];
extern const char OUTBOX_SQL_PUBLISHED[];
extern const char OUTBOX_SQL_FAILED[];
#endif
