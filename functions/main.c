/* bootstrap: the single executable behind every function of the service.
 * Lambda sets _HANDLER from the function's `handler` setting; it names which
 * of the handlers below this process runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lr/runtime.h"

#if HAVE_FN_API
extern const lr_handler api_handler;
#endif
#if HAVE_FN_MIGRATE
extern const lr_handler migrate_handler;
#endif
#if HAVE_FN_PREDEPLOY
extern const lr_handler predeploy_handler;
#endif
#if HAVE_FN_WORKER
extern const lr_handler worker_handler;
#endif
#if HAVE_FN_CLEANUP
extern const lr_handler cleanup_handler;
#endif

static const lr_handler *const handlers[] = {
#if HAVE_FN_API
    &api_handler,
#endif
#if HAVE_FN_MIGRATE
    &migrate_handler,
#endif
#if HAVE_FN_PREDEPLOY
    &predeploy_handler,
#endif
#if HAVE_FN_WORKER
    &worker_handler,
#endif
#if HAVE_FN_CLEANUP
    &cleanup_handler,
#endif
    NULL,
};

static const lr_handler *find_handler(const char *name) {
  for (size_t i = 0; handlers[i]; i++)
    if (strcmp(handlers[i]->name, name) == 0) return handlers[i];
  return NULL;
}

int main(void) {
  const char *name = getenv("_HANDLER");
  const lr_handler *h = name ? find_handler(name) : NULL;
  if (!h) {
    /* Nothing to run: still tell Lambda why, so the init error is visible. */
    return lr_run_unknown_handler(name ? name : "");
  }
  return lr_run(h);
}
