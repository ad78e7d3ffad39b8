#ifndef AWS_TEST_RUN_CAPTURE_H
#define AWS_TEST_RUN_CAPTURE_H
/* Runs a program (no shell) with a given environment and captures its
 * standard output and exit status, for the tests that compare with node and
 * that run the db-auth-token command. */
#include <stddef.h>

#include "lr/buf.h"

#define RUN_MAX_ARGS 32

/* argv[0] is the program's path; at most RUN_MAX_ARGS arguments and variables. envp NULL-terminated. Appends stdout to out
 * (bounded by out->max; the rest is drained). Returns the exit status, or -1
 * when the program could not be run or did not exit normally. stderr of the
 * program goes to err_out when not NULL (else to this process's stderr). */
int run_capture(const char *const argv[], const char *const envp[], lr_buf *out, lr_buf *err_out);

#endif
