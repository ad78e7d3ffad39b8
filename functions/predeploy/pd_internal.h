#ifndef PD_INTERNAL_H
#define PD_INTERNAL_H
/* The `predeploy` function: CodeDeploy's BeforeAllowTraffic hook for the api.
 * It reads the deployment's AppSpec, invokes the target version of the api
 * with GET /health/ready, and reports Succeeded or Failed to CodeDeploy. */
#include <stddef.h>
#include <stdint.h>

#include "common/app.h"
#include "lr/aws_call.h"
#include "lr/runtime.h"

#define PD_ERR_LEN 256
#define PD_MAX_EVENT 8192         /* CodeDeploy's event is two ids */
#define PD_MAX_DEPLOYMENT_ID 64
#define PD_MAX_EXECUTION_ID 1024  /* opaque, a few hundred characters */
#define PD_MAX_FUNCTION_NAME 170  /* a function ARN is at most 140 + the partition's prefix */
#define PD_MAX_VERSION 11         /* a published version: up to 10 digits */
#define PD_MAX_ALIAS 128

/* X(NAME, value, message); values are never renumbered. */
#define PD_STATUS_MAP(X)                                                      \
  X(OK, 0, "ok")                                                              \
  X(BAD_EVENT, 1, "the event is not a CodeDeploy lifecycle hook event")      \
  X(BAD_APPSPEC, 2, "the deployment's AppSpec cannot be used")               \
  X(AWS, 3, "an AWS call failed")                                             \
  X(UNHEALTHY, 4, "the new version is not ready")                            \
  X(TIME, 5, "too little time left")                                          \
  X(NOMEM, 6, "out of memory")

typedef enum pd_status {
#define PD_ENUM(name, value, msg) PD_##name = value,
  PD_STATUS_MAP(PD_ENUM)
#undef PD_ENUM
} pd_status;

const char *pd_status_name(pd_status st);

typedef struct pd_event {
  char deployment_id[PD_MAX_DEPLOYMENT_ID + 1];
  char execution_id[PD_MAX_EXECUTION_ID + 1];
} pd_event;

typedef struct pd_target {
  char function_name[PD_MAX_FUNCTION_NAME + 1];
  char alias[PD_MAX_ALIAS + 1];
  char current_version[PD_MAX_VERSION + 1]; /* "" when absent */
  char target_version[PD_MAX_VERSION + 1];
} pd_target;

/* pd_event.c: the hostile inputs. */
pd_status pd_parse_event(const char *text, size_t len, pd_event *ev, char err[PD_ERR_LEN]);
/* GetDeployment's answer -> the AppSpec's single Lambda resource. */
pd_status pd_parse_deployment(const char *text, size_t len, pd_target *t, char err[PD_ERR_LEN]);
/* The api's answer to the synthetic GET /health/ready: PD_OK only for
 * statusCode 200 with a JSON body whose "status" is "ok". */
pd_status pd_check_health(const char *text, size_t len, char err[PD_ERR_LEN]);
/* The synthetic API Gateway REST event (malloc'ed, caller frees). */
char *pd_health_event(const char *deployment_id);

/* The process's context: config and the two clients. */
typedef struct pd_app {
  app_ctx *app;
  lr_aws_call_client *codedeploy;
  lr_aws_call_client *lambda;
} pd_app;

/* pd_aws.c: the three calls, each bounded by deadline_ms. */
pd_status pd_get_deployment(pd_app *a, const pd_event *ev, int64_t deadline_ms, pd_target *t,
                            char err[PD_ERR_LEN]);
pd_status pd_invoke_health(pd_app *a, const pd_event *ev, const pd_target *t, int64_t deadline_ms,
                           char err[PD_ERR_LEN]);
pd_status pd_report(pd_app *a, const pd_event *ev, int succeeded, int64_t deadline_ms,
                    char err[PD_ERR_LEN]);

#endif
