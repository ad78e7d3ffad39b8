#ifndef LL_CLI_H
#define LL_CLI_H
/* Command line of lambda-local. */
#include <stdbool.h>

#include "ll_config.h"

typedef enum ll_command { LL_CMD_SERVE = 0, LL_CMD_INVOKE = 1, LL_CMD_HELP = 2, LL_CMD_TRIGGER = 3 } ll_command;

#define LL_MAX_SKIP 8

typedef struct ll_cli {
  ll_command command;
  const char *config;     /* --config, $LAMBDA_LOCAL_CONFIG, else local/stack.json */
  const char *function;   /* invoke: FUNCTION; serve: --function overrides http.function */
  const char *event_file; /* invoke: EVENT_FILE or "-" (NULL: {}) */
  const char *host;       /* NULL: from the config */
  int port;               /* -1: from the config */
  int format;             /* -1: from the config, else ll_api_format */
  int concurrency;        /* 0: from the config */
  const char *rule;       /* trigger: RULE */
  bool no_events;         /* serve --no-events: no SQS source, no schedules */
  const char *skip_events[LL_MAX_SKIP + 1]; /* serve --skip-events FUNCTION..., NULL-terminated */
} ll_cli;

/* Returns false with a message in err on a usage error. */
bool ll_cli_parse(int argc, char **argv, ll_cli *out, char *err, size_t errcap);
void ll_cli_usage(void);

#endif
