/* db-auth-token: prints an RDS IAM authentication token for psql, taking the
 * arguments of `aws rds generate-db-auth-token`. Exit status: 0 printed,
 * 1 no credentials (or a signing failure), 2 bad usage. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lr/aws.h"
#include "options.h"

enum { EXIT_NO_CREDENTIALS = 1, EXIT_USAGE = 2 };

static const char USAGE[] =
    "usage: db-auth-token --hostname HOST --port PORT --username USER [--region REGION]\n"
    "\n"
    "Prints an RDS IAM authentication token (valid 15 minutes) to use as the\n"
    "password of USER at HOST:PORT (an RDS Proxy or DB endpoint), like\n"
    "`aws rds generate-db-auth-token`.\n"
    "\n"
    "  --region    the region of the database; default $AWS_REGION, then $AWS_DEFAULT_REGION\n"
    "  --help      this text\n"
    "\n"
    "Credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN.\n"
    "Example: PGPASSWORD=\"$(db-auth-token --hostname H --port 5432 --username U)\" psql ...\n";

static const char *pick_region(const char *given) {
  if (given && *given) return given;
  const char *r = getenv("AWS_REGION");
  if (r && *r) return r;
  r = getenv("AWS_DEFAULT_REGION");
  return r && *r ? r : NULL;
}

static int usage_error(const char *msg) {
  fprintf(stderr, "db-auth-token: %s\n(try --help)\n", msg);
  return EXIT_USAGE;
}

/* --test-clock EPOCH_SECONDS (not shown by --help) is for the tests only: it
 * pins the signing time so that the output can be compared. */
int main(int argc, char **argv) {
  dat_options o;
  char perr[DAT_ERR_LEN] = "";
  if (dat_options_parse(&o, argc, argv, perr) != DAT_PARSE_OK) return usage_error(perr);
  if (o.help) {
    fputs(USAGE, stdout);
    return 0;
  }
  const char *region = pick_region(o.region);
  if (!region) return usage_error("no region: give --region or set AWS_REGION");
  lr_aws_credentials creds;
  char err[LR_AWS_ERR_LEN] = "";
  if (lr_aws_credentials_from_env(&creds, err) != LR_AWS_OK) {
    fprintf(stderr, "db-auth-token: %s\n", err);
    return EXIT_NO_CREDENTIALS;
  }
  lr_buf token;
  lr_buf_init(&token, 16384);
  lr_aws_status st = lr_aws_rds_auth_token(&creds, region, o.hostname, o.port, o.username,
                                           o.has_clock ? o.clock : time(NULL), &token, err);
  if (st == LR_AWS_OK) printf("%s\n", lr_buf_str(&token));
  else fprintf(stderr, "db-auth-token: %s\n", err);
  lr_buf_free(&token);
  if (st == LR_AWS_OK) return fflush(stdout) == 0 ? 0 : EXIT_NO_CREDENTIALS;
  return st == LR_AWS_BAD_ARGUMENT ? EXIT_USAGE : EXIT_NO_CREDENTIALS;
}
