#ifndef LR_LIMITS_H
#define LR_LIMITS_H
/* Lambda's own limits, stated once for the runtime and for lambda-local,
 * which enforces them the way Lambda does. */

/* A synchronous invocation's payload, each way. Documented as "6 MB"; what
 * Lambda enforces is 6 MiB + 100 bytes, the figure its error names:
 * "Exceeded maximum allowed payload size (6291556 bytes)." */
#define LR_MAX_PAYLOAD_BYTES 6291556u
#define LR_MAX_PAYLOAD_BYTES_TEXT "6291556"

/* The init phase of an on-demand sandbox. */
#define LR_INIT_LIMIT_MS 10000

#endif
