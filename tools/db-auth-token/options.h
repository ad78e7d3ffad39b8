#ifndef DB_AUTH_TOKEN_OPTIONS_H
#define DB_AUTH_TOKEN_OPTIONS_H
/* Command line of db-auth-token (options.c). */
#include <stddef.h>
#include <time.h>

#define DAT_ERR_LEN 256

typedef struct dat_options {
  const char *hostname;
  const char *username;
  const char *region; /* NULL: AWS_REGION, else AWS_DEFAULT_REGION */
  int port;
  int help;
  int has_clock;      /* --test-clock given (tests only) */
  time_t clock;
} dat_options;

typedef enum dat_parse { DAT_PARSE_OK = 0, DAT_PARSE_USAGE = 1 } dat_parse;

/* Parses argv (not modified; the options point into it). On DAT_PARSE_USAGE
 * err says what is wrong. */
dat_parse dat_options_parse(dat_options *o, int argc, char **argv, char err[DAT_ERR_LEN]);

#endif
