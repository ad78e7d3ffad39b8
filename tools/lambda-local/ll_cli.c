/* Argument parsing by hand: getopt_long would reorder argv around the
 * subcommand, and the grammar is small. */
#include "ll_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ll_status.h"

void ll_cli_usage(void) {
  fputs("usage: lambda-local [serve] [--config FILE] [--host ADDR] [--port N] [--format rest|http]\n"
        "                    [--function NAME] [--concurrency N] [--no-events] [--skip-events FUNCTION]...\n"
        "       lambda-local invoke FUNCTION [EVENT_FILE|-] [--config FILE]\n"
        "       lambda-local trigger RULE [--config FILE]\n"
        "serve: runs the functions of FILE (default $LAMBDA_LOCAL_CONFIG or local/stack.json) and\n"
        "  fronts the http function as API Gateway would, on 127.0.0.1:3000 unless told otherwise.\n"
        "invoke: sends one event (the file, stdin for -, {} when omitted) to FUNCTION and prints\n"
        "  the result; exits 1 when the function fails, 2 on a usage or configuration error.\n"
        "trigger: fires the schedule rule RULE now (its constant input, or a Scheduled Event) and\n"
        "  prints the result, as invoke does.\n"
        "serve also starts the functions' SQS event sources and schedules (events in FILE), except\n"
        "  with --no-events, or for the functions named by --skip-events.\n",
        stderr);
}

static bool ll_int_arg(const char *s, int lo, int hi, int *out) {
  char *end = NULL;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi) return false;
  *out = (int)v;
  return true;
}

static bool ll_option(ll_cli *c, const char *opt, const char *val, char *err, size_t errcap) {
  bool ok = true;
  if (strcmp(opt, "--config") == 0) c->config = val;
  else if (strcmp(opt, "--host") == 0) c->host = val;
  else if (strcmp(opt, "--function") == 0) c->function = val;
  else if (strcmp(opt, "--skip-events") == 0) {
    size_t n = 0;
    while (c->skip_events[n]) n++;
    ok = n < LL_MAX_SKIP;
    if (ok) c->skip_events[n] = val;
  }
  else if (strcmp(opt, "--port") == 0) ok = ll_int_arg(val, 0, 65535, &c->port);
  else if (strcmp(opt, "--concurrency") == 0) ok = ll_int_arg(val, 1, LL_MAX_CONCURRENCY, &c->concurrency);
  else if (strcmp(opt, "--format") == 0) {
    ok = strcmp(val, "rest") == 0 || strcmp(val, "http") == 0;
    c->format = strcmp(val, "http") == 0 ? LL_API_HTTP : LL_API_REST;
  } else {
    ll_err_set(err, errcap, "unknown option %s", opt);
    return false;
  }
  if (!ok) ll_err_set(err, errcap, "bad value for %s: %s", opt, val);
  return ok;
}

static bool ll_positional(ll_cli *c, const char *arg, int *npos, char *err, size_t errcap) {
  if (*npos == 0 && c->command == LL_CMD_SERVE && strcmp(arg, "invoke") == 0) c->command = LL_CMD_INVOKE;
  else if (*npos == 0 && c->command == LL_CMD_SERVE && strcmp(arg, "trigger") == 0) c->command = LL_CMD_TRIGGER;
  else if (c->command == LL_CMD_TRIGGER && *npos == 1) c->rule = arg;
  else if (*npos == 0 && strcmp(arg, "serve") == 0) c->command = LL_CMD_SERVE;
  else if (c->command == LL_CMD_INVOKE && *npos == 1) c->function = arg;
  else if (c->command == LL_CMD_INVOKE && *npos == 2) c->event_file = arg;
  else {
    ll_err_set(err, errcap, "unexpected argument %s", arg);
    return false;
  }
  (*npos)++;
  return true;
}

bool ll_cli_parse(int argc, char **argv, ll_cli *c, char *err, size_t errcap) {
  memset(c, 0, sizeof *c);
  c->port = -1;
  c->format = -1;
  const char *env = getenv("LAMBDA_LOCAL_CONFIG");
  c->config = env && *env ? env : "local/stack.json";
  int npos = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      c->command = LL_CMD_HELP;
      return true;
    }
    if (strcmp(a, "--no-events") == 0) {
      c->no_events = true;
      continue;
    }
    bool ok = strncmp(a, "--", 2) == 0 && strcmp(a, "-") != 0
                  ? i + 1 < argc ? ll_option(c, a, argv[++i], err, errcap)
                                 : (ll_err_set(err, errcap, "%s needs a value", a), false)
                  : ll_positional(c, a, &npos, err, errcap);
    if (!ok) return false;
  }
  if (c->command == LL_CMD_INVOKE && !c->function) {
    ll_err_set(err, errcap, "invoke needs a FUNCTION");
    return false;
  }
  if (c->command == LL_CMD_TRIGGER && !c->rule) {
    ll_err_set(err, errcap, "trigger needs a RULE");
    return false;
  }
  return true;
}
