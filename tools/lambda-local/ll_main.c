/* lambda-local: serve the local stack, or invoke one function once.
 * SIGINT/SIGTERM are taken by sigwait (never by a handler), so stopping
 * runs in ordinary thread context: kill every child, then exit 0. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ll_cli.h"
#include "ll_config.h"
#include "ll_front.h"
#include "ll_json.h"
#include "ll_log.h"
#include "ll_pool.h"
#include "ll_schedule_source.h"
#include "ll_sources.h"
#include "lr/buf.h"
#include "lr/clock.h"

enum { LL_EXIT_OK = 0, LL_EXIT_FAILED = 1, LL_EXIT_USAGE = 2, LL_EXIT_SIGNAL = 130 };

static void ll_block_signals(sigset_t *set) {
  /* A shell starts background jobs with SIGINT ignored, and an ignored signal
   * never reaches sigwait: take the default back before blocking it. */
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  sigemptyset(set);
  sigaddset(set, SIGINT);
  sigaddset(set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, set, NULL);
  signal(SIGPIPE, SIG_IGN); /* a client gone mid-answer is an error return, not a death */
}

static ll_front_opts ll_front_options(const ll_config *cfg, const ll_cli *cli) {
  ll_front_opts o = {.function = cli->function ? cli->function : cfg->http_function,
                     .host = cli->host ? cli->host : cfg->http_host,
                     .port = cli->port >= 0 ? cli->port : cfg->http_port,
                     .format = cli->format >= 0 ? (ll_api_format)cli->format : cfg->http_format,
                     .stage = cfg->stage,
                     .api_timeout_s = cfg->api_timeout_s};
  return o;
}

static int ll_serve(const ll_config *cfg, const ll_cli *cli, ll_pool *pool, const sigset_t *sigs) {
  ll_front_opts o = ll_front_options(cfg, cli);
  char err[LL_ERR_LEN] = "";
  ll_sources *sources = NULL;
  if (!cli->no_events && ll_sources_start(cfg, pool, cli->skip_events, &sources, err, sizeof err) != LL_OK) {
    ll_logf("lambda-local: %s", err[0] ? err : "cannot start the event sources");
    return LL_EXIT_USAGE;
  }
  if (!o.function && ll_sources_count(sources) == 0) {
    ll_logf("lambda-local: nothing to serve: no \"http\".\"function\" in %s, no --function and no events", cli->config);
    ll_sources_free(sources);
    return LL_EXIT_USAGE;
  }
  ll_front *front = NULL;
  ll_status st = o.function ? ll_pool_warm(pool, o.function) : LL_OK;
  if (st == LL_OK && o.function) st = ll_front_start(pool, &o, &front, err, sizeof err);
  if (st != LL_OK) {
    ll_logf("lambda-local: %s", err[0] ? err : ll_status_message(st));
    ll_pool_stop(pool);
    ll_sources_free(sources);
    return st == LL_NOT_FOUND || st == LL_CONFIG ? LL_EXIT_USAGE : LL_EXIT_FAILED;
  }
  if (o.function)
    ll_logf("lambda-local: serving function %s on http://%s:%d (%s API, stage %s); Ctrl-C stops", o.function, o.host,
            ll_front_port(front), o.format == LL_API_HTTP ? "HTTP" : "REST", o.stage);
  else
    ll_logf("lambda-local: serving events only; Ctrl-C stops");
  int sig = 0;
  sigwait(sigs, &sig);
  ll_logf("lambda-local: %s: stopping", strsignal(sig));
  ll_pool_stop(pool); /* wakes requests in flight before the server waits for them */
  ll_sources_free(sources);
  ll_front_free(front);
  return LL_EXIT_OK;
}

static bool ll_read_event(const char *file, lr_buf *b, char *err, size_t errcap) {
  if (!file) return lr_buf_adds(b, "{}") == LR_BUF_OK;
  FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
  if (!f) {
    ll_err_set(err, errcap, "%s: cannot open", file);
    return false;
  }
  char chunk[65536];
  size_t n;
  bool ok = true;
  while (ok && (n = fread(chunk, 1, sizeof chunk, f)) > 0) ok = lr_buf_add(b, chunk, n) == LR_BUF_OK;
  ok = ok && !ferror(f);
  if (f != stdin) fclose(f);
  if (!ok) ll_err_set(err, errcap, "%s: unreadable or larger than %u bytes (Lambda's limit)", file, LL_MAX_PAYLOAD_BYTES);
  cJSON *j = ok ? ll_json_parse(lr_buf_str(b), b->len) : NULL;
  if (ok && !j) ll_err_set(err, errcap, "%s: the event is not valid JSON", file);
  cJSON_Delete(j);
  return ok && j;
}

typedef struct ll_sigwatch {
  ll_pool *pool;
  sigset_t set;
  pthread_mutex_t mu;
  bool done, signalled;
} ll_sigwatch;

static void *ll_watch(void *arg) {
  ll_sigwatch *w = arg;
  int sig = 0;
  sigwait(&w->set, &sig);
  pthread_mutex_lock(&w->mu);
  bool stop = !w->done;
  w->signalled = stop;
  pthread_mutex_unlock(&w->mu);
  if (stop) ll_pool_stop(w->pool);
  return NULL;
}

/* One invocation of function with payload, its answer on stdout. */
static int ll_invoke_payload(ll_pool *pool, const char *function, const char *payload, size_t len,
                             const sigset_t *sigs) {
  ll_sigwatch w = {.pool = pool, .set = *sigs};
  pthread_mutex_init(&w.mu, NULL);
  pthread_t t;
  bool watching = pthread_create(&t, NULL, ll_watch, &w) == 0;
  ll_invocation inv;
  ll_invocation_init(&inv, payload, len, NULL);
  ll_status st = ll_pool_invoke(pool, function, &inv, 0, 0);
  pthread_mutex_lock(&w.mu);
  w.done = true;
  pthread_mutex_unlock(&w.mu);
  if (watching) {
    pthread_kill(t, SIGTERM); /* blocked everywhere, so only the watcher's sigwait sees it */
    pthread_join(t, NULL);
  }
  int rc = w.signalled ? LL_EXIT_SIGNAL : LL_EXIT_OK;
  if (st != LL_OK) {
    ll_logf("lambda-local: %s: %s", function, ll_status_message(st));
    rc = st == LL_NOT_FOUND ? LL_EXIT_USAGE : LL_EXIT_FAILED;
  } else {
    fwrite(inv.body ? inv.body : "", 1, inv.body_len, stdout);
    fputc('\n', stdout);
    if (inv.outcome != LL_OUT_OK) {
      ll_logf("lambda-local: %s failed (%s): %s", function, ll_outcome_name(inv.outcome), inv.error_type);
      if (rc == LL_EXIT_OK) rc = LL_EXIT_FAILED;
    }
  }
  fflush(stdout);
  ll_invocation_clear(&inv);
  pthread_mutex_destroy(&w.mu);
  return rc;
}

static int ll_invoke_once(ll_pool *pool, const ll_cli *cli, const sigset_t *sigs) {
  lr_buf ev;
  lr_buf_init(&ev, LL_MAX_PAYLOAD_BYTES);
  char err[LL_ERR_LEN] = "";
  if (!ll_read_event(cli->event_file, &ev, err, sizeof err)) {
    ll_logf("lambda-local: %s", err);
    lr_buf_free(&ev);
    return LL_EXIT_USAGE;
  }
  int rc = ll_invoke_payload(pool, cli->function, lr_buf_str(&ev), ev.len, sigs);
  lr_buf_free(&ev);
  return rc;
}

/* trigger RULE: the rule's event, now, to its function. */
static int ll_trigger(const ll_config *cfg, ll_pool *pool, const ll_cli *cli, const sigset_t *sigs) {
  const ll_schedule_cfg *rule = NULL;
  const ll_function_cfg *fn = ll_config_rule(cfg, cli->rule, &rule);
  char *ev = ll_schedule_event(rule, cfg->region, lr_clock_epoch_ms() / 1000);
  if (!ev) {
    ll_logf("lambda-local: out of memory");
    return LL_EXIT_FAILED;
  }
  ll_logf("lambda-local: schedule %s (%s): invoking %s on demand", rule->name, rule->expression, fn->name);
  int rc = ll_invoke_payload(pool, fn->name, ev, strlen(ev), sigs);
  free(ev);
  return rc;
}

static int ll_run(const ll_cli *cli, const sigset_t *sigs) {
  ll_config cfg;
  char err[LL_ERR_LEN] = "";
  if (ll_config_load(cli->config, &cfg, err, sizeof err) != LL_OK) {
    ll_logf("lambda-local: %s: %s", cli->config, err);
    return LL_EXIT_USAGE;
  }
  if (cli->command == LL_CMD_INVOKE && !ll_config_function(&cfg, cli->function)) {
    ll_logf("lambda-local: no function %s in %s", cli->function, cli->config);
    ll_config_free(&cfg);
    return LL_EXIT_USAGE;
  }
  if (cli->command == LL_CMD_TRIGGER && !ll_config_rule(&cfg, cli->rule, NULL)) {
    ll_logf("lambda-local: no schedule rule %s in %s (rules are functions.NAME.events.schedules)", cli->rule, cli->config);
    ll_config_free(&cfg);
    return LL_EXIT_USAGE;
  }
  ll_pool *pool = NULL;
  int rc = LL_EXIT_FAILED;
  if (ll_pool_create(&cfg, cli->concurrency, &pool, err, sizeof err) != LL_OK)
    ll_logf("lambda-local: %s", err[0] ? err : "cannot create the function instances");
  else
    rc = cli->command == LL_CMD_INVOKE    ? ll_invoke_once(pool, cli, sigs)
         : cli->command == LL_CMD_TRIGGER ? ll_trigger(&cfg, pool, cli, sigs)
                                          : ll_serve(&cfg, cli, pool, sigs);
  ll_pool_free(pool);
  ll_config_free(&cfg);
  return rc;
}

int main(int argc, char **argv) {
  ll_cli cli;
  char err[LL_ERR_LEN] = "";
  if (!ll_cli_parse(argc, argv, &cli, err, sizeof err)) {
    fprintf(stderr, "lambda-local: %s\n", err);
    ll_cli_usage();
    return LL_EXIT_USAGE;
  }
  if (cli.command == LL_CMD_HELP) {
    ll_cli_usage();
    return LL_EXIT_OK;
  }
  sigset_t sigs;
  ll_block_signals(&sigs);
  return ll_run(&cli, &sigs);
}
