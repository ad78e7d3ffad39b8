/* The migrations generator: the embedded list matches the files, and malformed
 * input breaks the build (non-zero exit, no output written). */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "db/migrations.h"

#ifndef GEN_EXE
#error "GEN_EXE must be defined"
#endif
#ifndef MIGRATIONS_DIR
#error "MIGRATIONS_DIR must be defined"
#endif

static char dir[64];

static void write_file(const char *name, const char *text, size_t len) {
  char path[128];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(text, 1, len, f), len);
  fclose(f);
}

/* Runs the generator on dir/<names...> writing dir/out.c; returns its exit status. */
static int run_gen(const char *const *names, int n) {
  char out[128], paths[8][128];
  char *argv[12];
  snprintf(out, sizeof out, "%s/out.c", dir);
  char exe[] = GEN_EXE;
  argv[0] = exe;
  argv[1] = out;
  for (int i = 0; i < n; i++) {
    snprintf(paths[i], sizeof paths[i], "%s/%s", dir, names[i]);
    argv[2 + i] = paths[i];
  }
  argv[2 + n] = NULL;
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDERR_FILENO);
    execv(exe, argv);
    _exit(127);
  }
  int status;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int out_exists(void) {
  char out[128];
  struct stat st;
  snprintf(out, sizeof out, "%s/out.c", dir);
  return stat(out, &st) == 0;
}

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/gen-test-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

START_TEST(embedded_matches_the_files) {
  size_t n;
  const db_migration *m = db_migrations_all(&n);
  ck_assert_uint_ge(n, 1);
  ck_assert_int_eq(m[0].version, 1);
  ck_assert_str_eq(m[0].name, "initial");
  for (size_t i = 0; i < n; i++) {
    if (i) ck_assert_int_gt(m[i].version, m[i - 1].version);
    ck_assert_uint_eq(strlen(m[i].sql), m[i].sql_len);
    ck_assert_uint_eq(strlen(m[i].checksum), DB_MIGRATION_CHECKSUM_LEN);
    char path[512];
    snprintf(path, sizeof path, "%s/%04d_%s.sql", MIGRATIONS_DIR, m[i].version, m[i].name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s", path);
    char *buf = malloc(m[i].sql_len + 2);
    size_t got = fread(buf, 1, m[i].sql_len + 1, f);
    fclose(f);
    ck_assert_uint_eq(got, m[i].sql_len);
    ck_assert_int_eq(memcmp(buf, m[i].sql, got), 0);
    unsigned char md[32];
    unsigned int md_len;
    EVP_Digest(buf, got, md, &md_len, EVP_sha256(), NULL);
    char hex[65];
    for (int j = 0; j < 32; j++) snprintf(hex + 2 * j, 3, "%02x", md[j]);
    ck_assert_str_eq(hex, m[i].checksum);
    free(buf);
  }
}
END_TEST

START_TEST(plpgsql_blocks_are_fine) {
  const char text[] = "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n"
                      "  RETURN 1;\nEND;\n$$;\n-- COMMIT; in a comment line is fine too\n";
  write_file("0001_fn.sql", text, sizeof text - 1);
  const char *names[] = {"0001_fn.sql"};
  ck_assert_int_eq(run_gen(names, 1), 0);
}
END_TEST

START_TEST(valid_input_sorted) {
  const char text[] = "SELECT '?\?=' || \"x\\y\";\n\t-- é\n";
  write_file("0002_second.sql", text, sizeof text - 1);
  write_file("0001_first.sql", "SELECT 1;\n", 10);
  const char *names[] = {"0002_second.sql", "0001_first.sql"};
  ck_assert_int_eq(run_gen(names, 2), 0);
  ck_assert(out_exists());
}
END_TEST

static const struct {
  const char *name;
  const char *text;
} bad[] = {
    {"1_short.sql", "SELECT 1;"},
    {"0001-dash.sql", "SELECT 1;"},
    {"0001_Upper.sql", "SELECT 1;"},
    {"0001_.sql", "SELECT 1;"},
    {"0000_zero.sql", "SELECT 1;"},
    {"0001_empty.sql", ""},
    {"0001_x.txt", "SELECT 1;"},
    {"00a1_x.sql", "SELECT 1;"},
    {"0001_commit.sql", "CREATE TABLE a (x int);\nCOMMIT;\n"},
    {"0001_begin.sql", "  begin ;\nCREATE TABLE a (x int);\n"},
    {"0001_start.sql", "START TRANSACTION;\r\nSELECT 1;"},
    {"0001_rollback.sql", "SELECT 1;\n\tRollback;"},
};

START_TEST(bad_input_fails) {
  write_file(bad[_i].name, bad[_i].text, strlen(bad[_i].text));
  const char *names[] = {bad[_i].name};
  ck_assert_int_eq(run_gen(names, 1), 1);
  ck_assert(!out_exists());
}
END_TEST

START_TEST(duplicates_and_nul_fail) {
  write_file("0001_a.sql", "SELECT 1;", 9);
  write_file("0001_b.sql", "SELECT 2;", 9);
  const char *dup[] = {"0001_a.sql", "0001_b.sql"};
  ck_assert_int_eq(run_gen(dup, 2), 1);
  write_file("0002_nul.sql", "SELECT\0 1;", 10);
  const char *nul[] = {"0002_nul.sql"};
  ck_assert_int_eq(run_gen(nul, 1), 1);
  const char *missing[] = {"0003_missing.sql"};
  ck_assert_int_eq(run_gen(missing, 1), 1);
  ck_assert(!out_exists());
}
END_TEST

int main(void) {
  Suite *s = suite_create("unit.common.migrations_gen");
  TCase *tc = tcase_create("gen");
  tcase_set_timeout(tc, 60); /* a ceiling for loaded CI machines, not a timing assertion */
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, embedded_matches_the_files);
  tcase_add_test(tc, valid_input_sorted);
  tcase_add_test(tc, plpgsql_blocks_are_fine);
  tcase_add_loop_test(tc, bad_input_fails, 0, (int)(sizeof bad / sizeof *bad));
  tcase_add_test(tc, duplicates_and_nul_fail);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
