/* The real `bootstrap` binary with _HANDLER=migrate, against a mock Runtime API
 * (libmicrohttpd on 127.0.0.1) and a throw-away PostgreSQL: the invocations'
 * answers are what Lambda would receive; a bad setting becomes an init error. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

#ifndef BOOTSTRAP_EXE
#error "BOOTSTRAP_EXE must be defined"
#endif

#define MAX_EVENTS 4
#define MAX_POSTS 8
#define BODY_MAX 65536

typedef struct posted {
  char path[256];
  char *body;
} posted;

typedef struct mock_api {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  const char *events[MAX_EVENTS];
  int nevents, served;
  posted posts[MAX_POSTS];
  int nposts;
  int stopping;
} mock_api;

typedef struct upload {
  char *data;
  size_t len;
} upload;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body,
                             const char *request_id) {
  struct MHD_Response *r =
      MHD_create_response_from_buffer(strlen(body), (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
  if (request_id) {
    char deadline[32];
    snprintf(deadline, sizeof deadline, "%lld", (long long)time(NULL) * 1000 + 60000);
    MHD_add_response_header(r, "Lambda-Runtime-Aws-Request-Id", request_id);
    MHD_add_response_header(r, "Lambda-Runtime-Deadline-Ms", deadline);
    MHD_add_response_header(r, "Lambda-Runtime-Invoked-Function-Arn",
                            "arn:aws:lambda:eu-west-1:123456789012:function:orders-migrate");
    MHD_add_response_header(r, "Content-Type", "application/json");
  }
  enum MHD_Result ok = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ok;
}

/* GET .../invocation/next: the next event, or (when none is left) wait until
 * the test stops, so the runtime idles as it would between invocations. */
static enum MHD_Result serve_next(mock_api *m, struct MHD_Connection *c) {
  pthread_mutex_lock(&m->mu);
  while (m->served >= m->nevents && !m->stopping) pthread_cond_wait(&m->cv, &m->mu);
  int i = m->stopping ? -1 : m->served++;
  pthread_mutex_unlock(&m->mu);
  if (i < 0) return reply(c, 500, "{}", NULL);
  char id[16];
  snprintf(id, sizeof id, "req-%d", i + 1);
  return reply(c, 200, m->events[i], id);
}

static void record(mock_api *m, const char *url, upload *u) {
  pthread_mutex_lock(&m->mu);
  if (m->nposts < MAX_POSTS) {
    snprintf(m->posts[m->nposts].path, sizeof m->posts[0].path, "%s", url);
    m->posts[m->nposts].body = u->data ? u->data : strdup("");
    u->data = NULL;
    m->nposts++;
  }
  pthread_cond_broadcast(&m->cv);
  pthread_mutex_unlock(&m->mu);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **state) {
  (void)version;
  mock_api *m = cls;
  if (strcmp(method, "GET") == 0) return serve_next(m, c);
  upload *u = *state;
  if (!u) {
    *state = u = calloc(1, sizeof *u);
    return u ? MHD_YES : MHD_NO;
  }
  if (*upload_size) {
    if (u->len + *upload_size > BODY_MAX) return MHD_NO;
    char *p = realloc(u->data, u->len + *upload_size + 1);
    if (!p) return MHD_NO;
    memcpy(p + u->len, upload_data, *upload_size);
    u->data = p;
    u->len += *upload_size;
    u->data[u->len] = '\0';
    *upload_size = 0;
    return MHD_YES;
  }
  record(m, url, u);
  return reply(c, 202, "{\"status\":\"OK\"}", NULL);
}

static void on_done(void *cls, struct MHD_Connection *c, void **state,
                    enum MHD_RequestTerminationCode code) {
  (void)cls, (void)c, (void)code;
  upload *u = *state;
  if (u) free(u->data);
  free(u);
  *state = NULL;
}

/* Runs bootstrap until `want` posts arrived (or it exits); returns its exit
 * status, or -1 when it was still running and had to be killed. */
static int run_bootstrap(mock_api *m, int port, const char *db, const char *db_host, int want) {
  pid_t pid = fork();
  if (pid == 0) {
    char api[32], pgport[16];
    snprintf(api, sizeof api, "127.0.0.1:%d", port);
    snprintf(pgport, sizeof pgport, "%d", it_server()->port);
    setenv("AWS_LAMBDA_RUNTIME_API", api, 1);
    setenv("_HANDLER", "migrate", 1);
    setenv("AWS_LAMBDA_FUNCTION_NAME", "orders-migrate", 1);
    if (db_host) setenv("DB_HOST", db_host, 1);
    else unsetenv("DB_HOST");
    setenv("DB_PORT", pgport, 1);
    setenv("DB_NAME", db, 1);
    setenv("DB_USER", "postgres", 1);
    setenv("DB_SSLMODE", "disable", 1);
    execl(BOOTSTRAP_EXE, "bootstrap", (char *)NULL);
    _exit(127);
  }
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 30;
  int status = 0, exited = 0;
  pthread_mutex_lock(&m->mu);
  while (m->nposts < want && !exited) {
    pthread_mutex_unlock(&m->mu);
    exited = waitpid(pid, &status, WNOHANG) == pid;
    pthread_mutex_lock(&m->mu);
    struct timespec step;
    clock_gettime(CLOCK_REALTIME, &step);
    if (step.tv_sec > until.tv_sec) break;
    step.tv_nsec += 50000000;
    if (step.tv_nsec >= 1000000000) step.tv_sec++, step.tv_nsec -= 1000000000;
    pthread_cond_timedwait(&m->cv, &m->mu, &step);
  }
  pthread_mutex_unlock(&m->mu);
  if (exited) return WIFEXITED(status) ? WEXITSTATUS(status) : -2;
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

static mock_api *mock_new(struct MHD_Daemon **d, int *port) {
  mock_api *m = calloc(1, sizeof *m);
  pthread_mutex_init(&m->mu, NULL);
  pthread_cond_init(&m->cv, NULL);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  *d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL,
                        NULL, on_request, m, MHD_OPTION_SOCK_ADDR, &addr,
                        MHD_OPTION_NOTIFY_COMPLETED, on_done, m, MHD_OPTION_END);
  ck_assert_ptr_nonnull(*d);
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(*d, MHD_DAEMON_INFO_BIND_PORT);
  *port = info->port;
  return m;
}

static void mock_free(mock_api *m, struct MHD_Daemon *d) {
  pthread_mutex_lock(&m->mu);
  m->stopping = 1;
  pthread_cond_broadcast(&m->cv);
  pthread_mutex_unlock(&m->mu);
  MHD_stop_daemon(d);
  for (int i = 0; i < m->nposts; i++) free(m->posts[i].body);
  pthread_cond_destroy(&m->cv);
  pthread_mutex_destroy(&m->mu);
  free(m);
}

START_TEST(invocations_answered) {
  it_fresh_db("boot");
  struct MHD_Daemon *d;
  int port;
  mock_api *m = mock_new(&d, &port);
  m->events[0] = "{\"dry_run\":true}";
  m->events[1] = "{}";
  m->events[2] = "{}";
  m->events[3] = "{\"dry_run\":\"maybe\"}";
  m->nevents = 4;
  ck_assert_int_eq(run_bootstrap(m, port, "boot", "127.0.0.1", 4), -1); /* idles: killed */
  ck_assert_int_eq(m->nposts, 4);
  ck_assert_str_eq(m->posts[0].path, "/2018-06-01/runtime/invocation/req-1/response");
  ck_assert_ptr_nonnull(strstr(m->posts[0].body, "\"dry_run\":true"));
  ck_assert_ptr_nonnull(strstr(m->posts[0].body, "\"current\":0"));
  ck_assert_str_eq(m->posts[1].path, "/2018-06-01/runtime/invocation/req-2/response");
  ck_assert_ptr_nonnull(strstr(m->posts[1].body, "{\"applied\":[{\"version\":1,\"name\":\"initial\"}"));
  ck_assert_str_eq(m->posts[2].path, "/2018-06-01/runtime/invocation/req-3/response");
  ck_assert_ptr_nonnull(strstr(m->posts[2].body, "{\"applied\":[],"));
  ck_assert_str_eq(m->posts[3].path, "/2018-06-01/runtime/invocation/req-4/error");
  ck_assert_ptr_nonnull(strstr(m->posts[3].body, "Migrate.BadRequest"));
  size_t n;
  db_migrations_all(&n);
  ck_assert_int_eq(it_count("boot", "SELECT count(*) FROM schema_migrations"), (long)n);
  mock_free(m, d);
}
END_TEST

/* bootstrap fails its init with a ConfigError that names the variable. */
static void expect_init_error(const char *db_host, const char *variable) {
  struct MHD_Daemon *d;
  int port;
  mock_api *m = mock_new(&d, &port);
  int rc = run_bootstrap(m, port, "boot", db_host, 1);
  ck_assert_int_ne(rc, 0);
  ck_assert_int_ge(m->nposts, 1);
  ck_assert_str_eq(m->posts[0].path, "/2018-06-01/runtime/init/error");
  ck_assert_ptr_nonnull(strstr(m->posts[0].body, "Runtime.ConfigError"));
  ck_assert_ptr_nonnull(strstr(m->posts[0].body, variable));
  mock_free(m, d);
}

START_TEST(bad_setting_is_an_init_error) { expect_init_error(NULL, "DB_HOST"); }
END_TEST

/* The users' names come from the function's environment and reach 0006. */
START_TEST(user_names_from_the_environment) {
  it_fresh_db("boot_names");
  setenv("DB_API_USER", "boot_api", 1); /* inherited by bootstrap; Check forked this test */
  setenv("DB_WORKER_USER", "boot_worker", 1);
  setenv("DB_CLEANUP_USER", "boot_cleanup", 1);
  struct MHD_Daemon *d;
  int port;
  mock_api *m = mock_new(&d, &port);
  m->events[0] = "{}";
  m->nevents = 1;
  ck_assert_int_eq(run_bootstrap(m, port, "boot_names", "127.0.0.1", 1), -1);
  ck_assert_ptr_nonnull(strstr(m->posts[0].body, "database_roles"));
  ck_assert_int_eq(it_count("boot_names", "SELECT count(*) FROM (VALUES"
                            " (has_table_privilege('boot_api', 'orders', 'INSERT')),"
                            " (has_table_privilege('boot_worker', 'inventory', 'UPDATE')),"
                            " (has_table_privilege('boot_cleanup', 'orders', 'DELETE'))) v(b)"
                            " WHERE b"), 3);
  mock_free(m, d);
}
END_TEST

START_TEST(bad_user_name_is_an_init_error) {
  setenv("DB_WORKER_USER", "Orders-Worker", 1);
  expect_init_error("127.0.0.1", "DB_WORKER_USER");
}
END_TEST

int main(void) {
  Suite *s = suite_create("integration.db.bootstrap_migrate");
  TCase *tc = tcase_create("bootstrap");
  tcase_set_timeout(tc, 90);
  tcase_add_test(tc, invocations_answered);
  tcase_add_test(tc, bad_setting_is_an_init_error);
  tcase_add_test(tc, user_names_from_the_environment);
  tcase_add_test(tc, bad_user_name_is_an_init_error);
  suite_add_tcase(s, tc);
  return it_main(s, NULL);
}
