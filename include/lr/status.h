#ifndef LR_STATUS_H
#define LR_STATUS_H
/* The one way a status is looked up in its table, in every library.
 *
 * Each library states its statuses once, as an X-macro map X(NAME, value,
 * message, ...); its enum and its table of rows are generated from that map,
 * the table with designated initialisers indexed by value ([value] = {...}),
 * so a row is found by its status, never by its position, and values are
 * never renumbered. A row's first member is its name; a value outside the
 * table, or a hole in it, gets the library's fallback row.
 *
 *   static const my_row rows[] = { MY_STATUS_MAP(MY_ROW) };   // [value] = {#name, msg}
 *   static const my_row unknown = {"UNKNOWN", "unknown status"};
 *   const my_row *r = LR_STATUS_ROW(rows, st, &unknown);
 */
#include <stddef.h>

#define LR_STATUS_ROW(table, st, fallback)                                           \
  ((size_t)(st) < sizeof(table) / sizeof((table)[0]) && (table)[(size_t)(st)].name \
       ? &(table)[(size_t)(st)]                                                      \
       : (fallback))

/* The rows of the tables that have a name and a message only. */
typedef struct lr_status_row {
  const char *name;
  const char *message;
} lr_status_row;

#endif
