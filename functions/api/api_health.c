/* Liveness (no database: a slow database must not get healthy instances
 * replaced) and readiness (SELECT 1). */
#include "api_internal.h"

void api_health_live(api_call *c) { api_response_json(c->resp, 200, "{\"status\":\"ok\"}"); }

void api_health_ready(api_call *c) {
  char err[DB_ERR_LEN] = "";
  db_status st = db_ping(c->a->app->db, err);
  if (st == DB_OK) {
    api_response_json(c->resp, 200, "{\"status\":\"ok\",\"database\":\"ok\"}");
    return;
  }
  if (c->ctx->log)
    lr_log_kv(c->ctx->log, LR_LOG_WARN, "readiness: database not answering", "status",
              db_status_name(st), "error", err, NULL);
  api_problem_answer(c, API_PROBLEM_UNAVAILABLE, "the database is not answering", NULL);
  api_response_header(c->resp, "Retry-After", "%d", API_RETRY_AFTER_S);
}
