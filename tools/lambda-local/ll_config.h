#ifndef LL_CONFIG_H
#define LL_CONFIG_H
/* The local stack's description (local/stack.json): which functions exist,
 * which bootstrap and handler each runs, with what environment, timeout,
 * memory and number of instances, and which one fronts HTTP. */
#include <stdbool.h>
#include <stddef.h>

#include "ll_status.h"

#define LL_CONFIG_MAX_BYTES (1024 * 1024)
#define LL_MAX_FUNCTIONS 32
#define LL_MAX_ENV 128
#define LL_MAX_CONCURRENCY 64
#define LL_MAX_TIMEOUT_S 900 /* Lambda's own maximum */

typedef enum ll_api_format { LL_API_REST = 0, LL_API_HTTP = 1 } ll_api_format;

typedef struct ll_env_var {
  char *name;
  char *value;
} ll_env_var;

/* functions.NAME.events.sqs: the event source mapping (serverless.yml's sqs event). */
typedef struct ll_sqs_cfg {
  char *queue_url;
  int batch_size;      /* batchSize, 1-10000 (over 10 needs a batching window) */
  int window_s;        /* maximumBatchingWindow, 0-300 */
  bool report_failures;/* functionResponseType: ReportBatchItemFailures */
  int max_concurrency; /* maximumConcurrency, 2-1000 */
  int poll_wait_s;     /* local only: long-poll wait, 1-20 (2) */
  char *endpoint;      /* local only: the SQS endpoint (NULL: AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL) */
} ll_sqs_cfg;

/* functions.NAME.events.schedules.RULE: an EventBridge rule targeting the function. */
typedef struct ll_schedule_cfg {
  char *name;
  char *expression; /* cron(...) or rate(...) */
  char *input;      /* the target's constant Input (JSON text); NULL: a Scheduled Event */
  bool enabled;
} ll_schedule_cfg;

#define LL_MAX_SCHEDULES 16

typedef struct ll_function_cfg {
  char *name;
  char *handler;   /* _HANDLER */
  char *bootstrap; /* absolute path or relative to the config file's directory, resolved */
  int timeout_s;
  int memory_mb;
  int concurrency;
  size_t env_count;
  ll_env_var env[LL_MAX_ENV];
  ll_sqs_cfg *sqs; /* NULL: no SQS event source */
  size_t schedule_count;
  ll_schedule_cfg schedules[LL_MAX_SCHEDULES];
} ll_function_cfg;

typedef struct ll_config {
  char *region;
  size_t function_count;
  ll_function_cfg functions[LL_MAX_FUNCTIONS];
  /* HTTP front */
  char *http_function; /* NULL: no HTTP front */
  char *http_host;
  int http_port;
  ll_api_format http_format;
  char *stage;
  int api_timeout_s; /* API Gateway's integration timeout (29 s) */
} ll_config;

/* Reads and checks the file. On success *out is filled and owned by the caller
 * (ll_config_free); on failure *out holds nothing and err says why. */
ll_status ll_config_load(const char *path, ll_config *out, char *err, size_t errcap);
/* Same from a string; base_dir resolves relative bootstrap paths. */
ll_status ll_config_parse(const char *json, size_t len, const char *base_dir, ll_config *out,
                          char *err, size_t errcap);
void ll_config_free(ll_config *c);
/* The function a schedule rule targets, and the rule (NULL when none). */
const ll_function_cfg *ll_config_rule(const ll_config *c, const char *rule, const ll_schedule_cfg **out);
const ll_function_cfg *ll_config_function(const ll_config *c, const char *name);

/* Expands ${NAME} and ${NAME:-default} from the environment into out (allocated,
 * caller frees). An unset NAME without default is an error. */
ll_status ll_config_expand(const char *in, char **out, char *err, size_t errcap);

#endif
