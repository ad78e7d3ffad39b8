/* Parsing the command line: --name value or --name=value, each at most once. */
#include "options.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum opt_id { OPT_HOSTNAME, OPT_PORT, OPT_USERNAME, OPT_REGION, OPT_TEST_CLOCK, OPT_HELP, OPT_COUNT } opt_id;

static const char *const OPT_NAMES[OPT_COUNT] = {"hostname", "port", "username", "region", "test-clock", "help"};

static bool parse_long(const char *s, long min, long max, long *out) {
  if (!s || !*s) return false;
  char *end = NULL;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < min || v > max) return false;
  *out = v;
  return true;
}

__attribute__((format(printf, 2, 3))) static dat_parse usage(char *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, DAT_ERR_LEN, fmt, ap);
  va_end(ap);
  return DAT_PARSE_USAGE;
}

static dat_parse apply(dat_options *o, opt_id id, const char *v, char *err) {
  long n = 0;
  switch (id) {
  case OPT_HOSTNAME: o->hostname = v; break;
  case OPT_USERNAME: o->username = v; break;
  case OPT_REGION: o->region = v; break;
  case OPT_PORT:
    if (!parse_long(v, 1, 65535, &n)) return usage(err, "--port must be a number from 1 to 65535, not '%s'", v);
    o->port = (int)n;
    break;
  case OPT_TEST_CLOCK:
    if (!parse_long(v, 0, LONG_MAX, &n)) return usage(err, "--test-clock must be seconds since the epoch, not '%s'", v);
    o->clock = (time_t)n;
    o->has_clock = 1;
    break;
  default: break;
  }
  return DAT_PARSE_OK;
}

/* Finds the option *id of arg ("--name" or "--name=value"); *inline_value is
 * set for the second form. false: not an option we know. */
static bool find_option(const char *arg, opt_id *id, const char **inline_value) {
  if (strncmp(arg, "--", 2) != 0) return false;
  const char *name = arg + 2;
  size_t n = strcspn(name, "=");
  *inline_value = name[n] == '=' ? name + n + 1 : NULL;
  for (int i = 0; i < OPT_COUNT; i++)
    if (strlen(OPT_NAMES[i]) == n && strncmp(name, OPT_NAMES[i], n) == 0) {
      *id = (opt_id)i;
      return true;
    }
  return false;
}

static dat_parse check_required(const dat_options *o, char *err) {
  if (!o->hostname || !*o->hostname) return usage(err, "%s is required", "--hostname");
  if (!o->port) return usage(err, "%s is required", "--port");
  if (!o->username || !*o->username) return usage(err, "%s is required", "--username");
  return DAT_PARSE_OK;
}

dat_parse dat_options_parse(dat_options *o, int argc, char **argv, char err[DAT_ERR_LEN]) {
  memset(o, 0, sizeof *o);
  int seen[OPT_COUNT] = {0};
  for (int i = 1; i < argc; i++) {
    const char *value = NULL;
    opt_id id = OPT_COUNT;
    if (!find_option(argv[i], &id, &value)) return usage(err, "unknown argument '%s'", argv[i]);
    if (seen[id]++) return usage(err, "--%s given twice", OPT_NAMES[id]);
    if (id == OPT_HELP) {
      o->help = 1;
      return DAT_PARSE_OK;
    }
    if (!value) {
      if (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0) return usage(err, "--%s needs a value", OPT_NAMES[id]);
      value = argv[++i];
    }
    if (apply(o, id, value, err) != DAT_PARSE_OK) return DAT_PARSE_USAGE;
  }
  return check_required(o, err);
}
