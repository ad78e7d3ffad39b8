#ifndef COMMON_CONFIG_CHECK_H
#define COMMON_CONFIG_CHECK_H
/* Validators for configuration values (private to functions/common).
 * Each returns 1 when the whole string is acceptable, 0 otherwise; all of them
 * treat their input as hostile (any bytes, any length). */

int cfg__check_int(const char *s, long min, long max, long *out);
/* true/false, 1/0, yes/no, on/off; case-insensitive. */
int cfg__check_bool(const char *s, int *out);
/* A DNS name (labels of [A-Za-z0-9-]), an IPv4 or a bracket-less IPv6 literal.
 * No comma: libpq would read "a,b" as a list of hosts. */
int cfg__check_host(const char *s);
/* A PostgreSQL role or database name as we allow them: [A-Za-z0-9_$.@-]. */
int cfg__check_ident(const char *s);
/* http:// or https:// followed by a host and no space or control byte. */
int cfg__check_url(const char *s);
/* S3 bucket naming rules: 3..63 of [a-z0-9.-], starting and ending alphanumeric, no "..". */
int cfg__check_bucket(const char *s);
/* e.g. eu-west-1, us-gov-west-1: [a-z]{2}(-[a-z]+)+-[0-9]+ */
int cfg__check_region(const char *s);
/* Printable ASCII only (0x20..0x7e). */
int cfg__check_printable(const char *s);
/* An S3 key prefix: printable, no leading '/', no "..". */
int cfg__check_prefix(const char *s);
/* TRACE DEBUG INFO WARN ERROR FATAL, case-insensitive. */
/* libpq sslmode names; *rank orders them by strength (disable = 0 .. verify-full = 5). */
int cfg__check_sslmode(const char *s, int *rank);
int cfg__check_sslmode_any(const char *s);

#define CFG_SSLMODE_VERIFY_FULL_RANK 5

#endif
