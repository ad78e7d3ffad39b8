/* The throw-away PostgreSQL server of the integration tests (see test_pg.h). */
#include "test_pg.h"

#include "db/migrations.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef TPG_PGTMP
#error "TPG_PGTMP (path of scripts/lib/pgtmp) must be defined by the build"
#endif
#ifndef TPG_SOURCE_DIR
#error "TPG_SOURCE_DIR must be defined by the build"
#endif

#define TPG_OUT_LEN 4096
#define TPG_FILE_MAX (4u * 1024u * 1024u)
#define TPG_START_ATTEMPTS 3

static void tpg_seterr(char err[TPG_ERR_LEN], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void tpg_seterr(char err[TPG_ERR_LEN], const char *fmt, ...) {
  if (!err) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, TPG_ERR_LEN, fmt, ap);
  va_end(ap);
}

const char *tpg_source_dir(void) { return TPG_SOURCE_DIR; }

/* Runs argv with PGTMP_OPTS=opts in its environment, stdout captured into out
 * (NUL-terminated, truncated to fit), stderr inherited. Returns the exit status
 * (0..255) or -1 when it could not be run or was killed. */
static int tpg_run(char *const argv[], const char *opts, char *out, size_t outlen) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    if (opts) setenv("PGTMP_OPTS", opts, 1);
    else unsetenv("PGTMP_OPTS");
    execvp(argv[0], argv);
    _exit(127);
  }
  close(fds[1]);
  size_t used = 0;
  for (;;) {
    char tmp[512];
    ssize_t n = read(fds[0], tmp, sizeof tmp);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size_t room = outlen - 1 - used;
    size_t take = (size_t)n < room ? (size_t)n : room;
    memcpy(out + used, tmp, take);
    used += take;
  }
  out[used] = '\0';
  close(fds[0]);
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int tpg_pgtmp(const char *cmd, const tpg_server *s, int with_port, char *out,
                     size_t outlen) {
  char port[16];
  snprintf(port, sizeof port, "%d", s->port);
  /* exec wants char *const[]: hand it private copies rather than cast const away. */
  char cmdv[16], dirv[TPG_PATH_LEN], script[] = TPG_PGTMP, bash[] = "bash";
  snprintf(cmdv, sizeof cmdv, "%s", cmd);
  snprintf(dirv, sizeof dirv, "%s", s->dir);
  char *argv[] = {bash, script, cmdv, dirv, with_port ? port : NULL, NULL};
  return tpg_run(argv, s->opts, out, outlen);
}

/* The guardian: waits until the write end of its pipe is closed everywhere,
 * then stops the server. Its own session, so that a signal to the test's
 * process group (ctest timeout) does not take it down with the test. */
static void tpg_guardian_main(const tpg_server *s, int rfd) {
  setsid();
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  for (;;) {
    char c;
    ssize_t n = read(rfd, &c, 1);
    if (n == 0 || (n < 0 && errno != EINTR)) break;
  }
  char out[64];
  tpg_pgtmp("stop", s, 0, out, sizeof out);
  rmdir(s->base);
  _exit(0);
}

static int tpg_guardian_start(tpg_server *s) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    close(fds[1]);
    tpg_guardian_main(s, fds[0]);
  }
  close(fds[0]);
  s->guard = pid;
  s->guard_fd = fds[1];
  return 0;
}

static int tpg_parse_port(const char *out) {
  const char *p = strstr(out, "PGPORT=");
  if (!p) return -1;
  char *end;
  errno = 0;
  long v = strtol(p + 7, &end, 10);
  if (errno || end == p + 7 || v < 1 || v > 65535) return -1;
  return (int)v;
}

static int tpg_make_dirs(tpg_server *s, char err[TPG_ERR_LEN]) {
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !*tmp) tmp = "/tmp";
  int n = snprintf(s->base, sizeof s->base, "%s/tpg.XXXXXX", tmp);
  if (n < 0 || (size_t)n >= sizeof s->base || !mkdtemp(s->base)) {
    tpg_seterr(err, "tpg: cannot make a temporary directory under %s", tmp);
    s->base[0] = '\0';
    return -1;
  }
  /* initdb runs as postgres when we are root: it must be able to enter base. */
  chmod(s->base, 0755);
  n = snprintf(s->dir, sizeof s->dir, "%s/pg", s->base);
  if (n < 0 || (size_t)n >= sizeof s->dir) {
    tpg_seterr(err, "tpg: directory name too long");
    return -1;
  }
  return 0;
}

static int tpg_start_once(tpg_server *s, const char *server_opts, char err[TPG_ERR_LEN]) {
  memset(s, 0, sizeof *s);
  s->guard_fd = -1;
  snprintf(s->host, sizeof s->host, "127.0.0.1");
  if (server_opts && strlen(server_opts) >= sizeof s->opts) {
    tpg_seterr(err, "tpg: server options too long");
    return -1;
  }
  if (server_opts) snprintf(s->opts, sizeof s->opts, "%s", server_opts);
  if (tpg_make_dirs(s, err) != 0) {
    if (s->base[0]) rmdir(s->base);
    return -1;
  }
  /* The guardian first: if we die while pgtmp is starting, it still cleans up. */
  if (tpg_guardian_start(s) != 0) {
    tpg_seterr(err, "tpg: cannot fork the guardian: %s", strerror(errno));
    rmdir(s->base);
    return -1;
  }
  char out[TPG_OUT_LEN];
  int rc = tpg_pgtmp("start", s, 0, out, sizeof out);
  int port = rc == 0 ? tpg_parse_port(out) : -1;
  if (port < 0) {
    tpg_seterr(err, "tpg: pgtmp start failed (exit %d); see stderr", rc);
    tpg_stop(s);
    return -1;
  }
  s->port = port;
  s->running = 1;
  return 0;
}

/* pgtmp picks a free port and the server binds it a moment later: suites run
 * in parallel can collide there, so a failed start is tried again afresh. */
int tpg_start(tpg_server *s, const char *server_opts, char err[TPG_ERR_LEN]) {
  for (int attempt = 0; attempt < TPG_START_ATTEMPTS; attempt++)
    if (tpg_start_once(s, server_opts, err) == 0) return 0;
  return -1;
}

void tpg_stop(tpg_server *s) {
  if (!s || s->guard <= 0) return;
  close(s->guard_fd);
  int status;
  while (waitpid(s->guard, &status, 0) < 0 && errno == EINTR) {
  }
  s->guard = 0;
  s->guard_fd = -1;
  s->running = 0;
}

static int tpg_pg_bin(char bin[TPG_PATH_LEN]) {
  glob_t g;
  if (glob("/usr/lib/postgresql/*/bin/pg_ctl", 0, NULL, &g) != 0 || g.gl_pathc == 0) {
    globfree(&g);
    return -1;
  }
  /* glob sorts: the last entry is the highest major version (15 < 16 as strings too). */
  snprintf(bin, TPG_PATH_LEN, "%s", g.gl_pathv[g.gl_pathc - 1]);
  globfree(&g);
  return 0;
}

static int tpg_pg_ctl(const tpg_server *s, const char *action, char err[TPG_ERR_LEN]) {
  char pg_ctl[TPG_PATH_LEN];
  if (tpg_pg_bin(pg_ctl) != 0) {
    tpg_seterr(err, "tpg: pg_ctl not found");
    return -1;
  }
  char data[TPG_PATH_LEN + 8];
  snprintf(data, sizeof data, "%s/data", s->dir);
  char logf[TPG_PATH_LEN + 16];
  snprintf(logf, sizeof logf, "%s/server.log", s->dir);
  char act[16];
  snprintf(act, sizeof act, "%s", action);
  /* As scripts/lib/pgtmp's as_owner: runuser without libfaketime's preload
   * and shared clock, pg_ctl preloaded again (see there why). */
  char preload[TPG_PATH_LEN + 16];
  const char *lp = getenv("LD_PRELOAD");
  snprintf(preload, sizeof preload, "LD_PRELOAD=%s", lp ? lp : "");
  char *as_root[] = {"env", "-u", "LD_PRELOAD", "-u", "FAKETIME_SHARED", "runuser", "-u", "postgres", "--",
                     "env", preload, pg_ctl, "-D", data, "-l", logf, "-m", "fast", "-w", "-t", "30", act, NULL};
  char **argv = getuid() == 0 ? as_root : as_root + 11;
  char out[TPG_OUT_LEN];
  int rc = tpg_run(argv, NULL, out, sizeof out);
  if (rc != 0) {
    tpg_seterr(err, "tpg: pg_ctl %s failed (exit %d)", action, rc);
    return -1;
  }
  return 0;
}

int tpg_restart(tpg_server *s, char err[TPG_ERR_LEN]) {
  /* restart reuses the options recorded in postmaster.opts (port, PGTMP_OPTS). */
  return tpg_pg_ctl(s, "restart", err);
}

int tpg_server_down(tpg_server *s, char err[TPG_ERR_LEN]) {
  if (tpg_pg_ctl(s, "stop", err) != 0) return -1;
  s->running = 0;
  return 0;
}

int tpg_server_up(tpg_server *s, char err[TPG_ERR_LEN]) {
  /* pgtmp keeps an existing cluster and starts it on the given port. */
  char out[TPG_OUT_LEN];
  int rc = tpg_pgtmp("start", s, 1, out, sizeof out);
  if (rc != 0) {
    tpg_seterr(err, "tpg: pgtmp start (again) failed (exit %d)", rc);
    return -1;
  }
  s->running = 1;
  return 0;
}

/* "database does not exist, skipping" and friends are not worth a line each. */
static void tpg_quiet(void *arg, const char *message) {
  (void)arg;
  (void)message;
}

PGconn *tpg_connect(const tpg_server *s, const char *dbname, char err[TPG_ERR_LEN]) {
  char port[16];
  snprintf(port, sizeof port, "%d", s->port);
  const char *keys[] = {"host", "port", "user", "dbname", "connect_timeout", "sslmode", NULL};
  const char *vals[] = {s->host, port, "postgres", dbname ? dbname : "postgres", "10",
                        "disable", NULL};
  PGconn *c = PQconnectdbParams(keys, vals, 0);
  if (!c || PQstatus(c) != CONNECTION_OK) {
    tpg_seterr(err, "tpg: connect to %s: %s", dbname ? dbname : "postgres",
               c ? PQerrorMessage(c) : "out of memory");
    PQfinish(c);
    return NULL;
  }
  PQsetNoticeProcessor(c, tpg_quiet, NULL);
  return c;
}

int tpg_exec(const tpg_server *s, const char *dbname, const char *sql, char err[TPG_ERR_LEN]) {
  PGconn *c = tpg_connect(s, dbname, err);
  if (!c) return -1;
  PGresult *r = PQexec(c, sql);
  ExecStatusType st = PQresultStatus(r);
  int rc = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? 0 : -1;
  if (rc != 0) tpg_seterr(err, "tpg: %s", PQerrorMessage(c));
  PQclear(r);
  PQfinish(c);
  return rc;
}

static char *tpg_read_file(const char *path, char err[TPG_ERR_LEN]) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    tpg_seterr(err, "tpg: open %s: %s", path, strerror(errno));
    return NULL;
  }
  char *buf = malloc(TPG_FILE_MAX + 1);
  size_t n = buf ? fread(buf, 1, TPG_FILE_MAX + 1, f) : 0;
  int bad = !buf || ferror(f) || n > TPG_FILE_MAX;
  fclose(f);
  if (bad) {
    tpg_seterr(err, "tpg: cannot read %s (or larger than %u bytes)", path, TPG_FILE_MAX);
    free(buf);
    return NULL;
  }
  buf[n] = '\0';
  return buf;
}

int tpg_exec_file(const tpg_server *s, const char *dbname, const char *path,
                  char err[TPG_ERR_LEN]) {
  char *sql = tpg_read_file(path, err);
  if (!sql) return -1;
  int rc = tpg_exec(s, dbname, sql, err);
  free(sql);
  return rc;
}

int tpg_apply_migrations(const tpg_server *s, const char *dbname, char err[TPG_ERR_LEN]) {
  PGconn *c = tpg_connect(s, dbname, err);
  if (!c) return -1;
  size_t n;
  const db_migration *list = db_migrations_all(&n);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    /* BEGIN ... COMMIT around the file, as the migrate function does */
    PGresult *r = PQexec(c, "BEGIN");
    PQclear(r);
    /* the database users' names, the migrate function's defaults (migrate_roles.c) */
    r = PQexec(c, "SELECT set_config('orders.migrator_user', 'orders_migrator', true),"
                  " set_config('orders.api_user', 'orders_api', true),"
                  " set_config('orders.worker_user', 'orders_worker', true),"
                  " set_config('orders.cleanup_user', 'orders_cleanup', true)");
    PQclear(r);
    r = PQexec(c, list[i].sql);
    ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      tpg_seterr(err, "tpg: migration %04d_%s: %s", list[i].version, list[i].name,
                 PQerrorMessage(c));
      rc = -1;
    }
    r = PQexec(c, rc == 0 ? "COMMIT" : "ROLLBACK");
    PQclear(r);
  }
  PQfinish(c);
  return rc;
}

int tpg_apply_seed(const tpg_server *s, const char *dbname, char err[TPG_ERR_LEN]) {
  char path[TPG_PATH_LEN + 64];
  snprintf(path, sizeof path, "%s/db/seed/local_seed.sql", TPG_SOURCE_DIR);
  return tpg_exec_file(s, dbname, path, err);
}

static int tpg_valid_db_name(const char *name) {
  size_t n = strlen(name);
  if (n == 0 || n > 63) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return 0;
  }
  return 1;
}

int tpg_create_database(const tpg_server *s, const char *name, char err[TPG_ERR_LEN]) {
  if (!tpg_valid_db_name(name)) {
    tpg_seterr(err, "tpg: bad database name");
    return -1;
  }
  char sql[160];
  /* Validated above: only [a-z0-9_], so formatting the identifier is safe here. */
  snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
  if (tpg_exec(s, NULL, sql, err) != 0) return -1;
  snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
  return tpg_exec(s, NULL, sql, err);
}

long tpg_query_long(const tpg_server *s, const char *dbname, const char *sql,
                    char err[TPG_ERR_LEN]) {
  PGconn *c = tpg_connect(s, dbname, err);
  if (!c) return -1;
  PGresult *r = PQexec(c, sql);
  long v = -1;
  if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && PQnfields(r) == 1 &&
      !PQgetisnull(r, 0, 0)) {
    char *end;
    errno = 0;
    v = strtol(PQgetvalue(r, 0, 0), &end, 10);
    if (errno || *end) v = -1;
  }
  if (v < 0) tpg_seterr(err, "tpg: query did not give one non-negative number: %s",
                        PQerrorMessage(c));
  PQclear(r);
  PQfinish(c);
  return v;
}
