/* bootstrap: the single executable behind every function of the service.
 * Lambda sets _HANDLER from the function's `handler` setting; it names which
 * of the handlers below this process runs. The list comes from
 * ORDERS_HANDLERS in functions/CMakeLists.txt (handlers.h, generated). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "lr/runtime.h"

#define ORDERS_DECLARE(name) extern const lr_handler name##_handler;
ORDERS_HANDLERS(ORDERS_DECLARE)
#undef ORDERS_DECLARE

static const lr_handler *const handlers[] = {
#define ORDERS_ENTRY(name) &name##_handler,
    ORDERS_HANDLERS(ORDERS_ENTRY)
#undef ORDERS_ENTRY
};
#define NHANDLERS (sizeof handlers / sizeof handlers[0])

static const lr_handler *find_handler(const char *name) {
  for (size_t i = 0; i < NHANDLERS; i++)
    if (strcmp(handlers[i]->name, name) == 0) return handlers[i];
  return NULL;
}

int main(int argc, char **argv) {
  /* `bootstrap --handlers` lists them (scripts and tests; Lambda passes no argument). */
  if (argc == 2 && strcmp(argv[1], "--handlers") == 0) {
    for (size_t i = 0; i < NHANDLERS; i++) printf("%s\n", handlers[i]->name);
    return 0;
  }
  const char *name = getenv("_HANDLER");
  const lr_handler *h = name ? find_handler(name) : NULL;
  if (!h) {
    /* Nothing to run: still tell Lambda why, so the init error is visible. */
    return lr_run_unknown_handler(name ? name : "");
  }
  return lr_run(h);
}
