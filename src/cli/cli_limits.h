/* cli_limits.h -- the values of `convproof check --timeout SECONDS` and
 * `--max-memory BYTES`, and turning them on (check/limits.h).
 * Errors are CVP_ERR_INPUT with a message that names the option and
 * quotes the value; no state is kept except by cvp_cli_set_max_memory. */
#ifndef CVP_CLI_LIMITS_H
#define CVP_CLI_LIMITS_H

#include <stddef.h>

#include "kernel/status.h"

/* The time limit per claim of `convproof check` when --timeout is not
 * given.  Generous: the slowest shipped claim takes a few seconds, and
 * the test suite runs them under valgrind, some 30 times slower. */
#define CVP_CLI_DEFAULT_TIMEOUT 600.0
#define CVP_CLI_MAX_TIMEOUT 1e6          /* seconds, about 11 days */

/* The largest values of the size limits (each far above any claim that
 * ends in reasonable time and memory). */
#define CVP_CLI_MAX_ENTRIES ((size_t)10000000000ULL)   /* 10^10 */
#define CVP_CLI_MAX_TERMS ((size_t)1000000000)         /* 10^9 */
#define CVP_CLI_MAX_SHAPES ((size_t)1000000000)        /* 10^9 */

/* A number of seconds, decimal ("10", "0.5"), at most
 * CVP_CLI_MAX_TIMEOUT; "0" (in any decimal form) means no limit and sets
 * *seconds to 0. */
cvp_status cvp_cli_parse_seconds(double *seconds, const char *text,
                                 const char *option, cvp_error *err);

/* A positive integer (cli.h's cvp_cli_parse_count) of at most max. */
cvp_status cvp_cli_parse_limit(size_t *count, const char *text,
                               const char *option, size_t max,
                               cvp_error *err);

/* A positive number of bytes with an optional suffix K, M or G (powers
 * of 1024, either case; "512M", "2G", "65536"). */
cvp_status cvp_cli_parse_bytes(size_t *bytes, const char *text,
                               const char *option, cvp_error *err);

/* Limits the GMP and MPFR memory of the process (kernel/alloc.h): above
 * `bytes` live, a claim is left undecided at its next poll; allocations
 * past bytes + bytes/4 stop the process with exit status 3.  The second
 * level is what keeps a single runaway operation, which polls nothing,
 * from taking all the machine's memory. */
void cvp_cli_set_max_memory(size_t bytes);

#endif
