#ifndef LL_INSTANCE_INTERNAL_H
#define LL_INSTANCE_INTERNAL_H
/* Shared by the instance (process supervision, invoke) and its Runtime API
 * server. Every field below the mutex is guarded by it. */
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>

#include "ll_instance.h"
#include "ll_proc.h"

typedef enum ll_cur_state { LL_CUR_NONE, LL_CUR_QUEUED, LL_CUR_DELIVERED, LL_CUR_DONE } ll_cur_state;

struct ll_instance {
  const ll_function_cfg *fn;
  const char *region;
  int index;
  struct MHD_Daemon *rapi;
  char api_addr[32];
  pthread_t supervisor;
  bool supervising;

  pthread_mutex_t mu;
  pthread_cond_t cv;
  ll_proc proc;
  unsigned generation; /* changes when a process starts or ends: stale /next waiters leave */
  bool stopping;
  bool want_process;
  bool ready_seen;   /* the current process reached /next: init is over */
  bool init_pending; /* its init duration goes into the next REPORT */
  bool timed_out;    /* the current process was killed for its timeout */
  int64_t spawned_ns, delivered_ns, done_ns;
  double init_ms;
  double cur_init_ms; /* the init duration the current invocation reports (0: warm) */
  long peak_mb;
  ll_invocation *cur;
  ll_cur_state cur_state;
  /* An answered invocation's END/REPORT waits for the process's next /next
   * (or its end): Lambda's Duration runs until then, so work a runtime does
   * after posting its response is counted, as in AWS. */
  bool report_due;
  /* The process waits in /next: an invocation settled now has no after-response
   * work left, its REPORT is written at once (the /next that would flush it came first). */
  bool in_next;
  char report_id[LL_REQUEST_ID_LEN];
  const char *report_status;
  int64_t report_from_ns;
  double report_init_ms;
  char init_error_type[LL_ERROR_TYPE_MAX];
  char *init_error_body; /* what the runtime posted to /init/error, or NULL */
  size_t init_error_len;
};

/* Runtime API server of an instance (ll_rapi.c). */
ll_status ll__rapi_start(ll_instance *in, char *err, size_t errcap);
void ll__rapi_stop(ll_instance *in);
/* START/END/REPORT lines (ll_report.c). */
void ll__report_start(const ll_instance *in, const ll_invocation *inv);
void ll__report_end(const ll_instance *in, const char *request_id, const char *status, double duration_ms,
                    double init_ms);
/* The REPORT status suffix of an outcome ("" when it succeeded). */
const char *ll__report_status(const ll_invocation *inv);
/* Writes a deferred END/REPORT, its Duration ending now (locked). */
void ll__report_flush(ll_instance *in);
/* Sets inv's outcome and an {"errorType","errorMessage"} body; false on no memory. */
bool ll__invocation_fail(ll_invocation *inv, ll_outcome o, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
