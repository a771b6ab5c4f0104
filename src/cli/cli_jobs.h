/* cli_jobs.h -- `convproof check --jobs N`: the claims of the parsed proof
 * files checked by N worker threads, the results put back in order.
 *
 * Every claim is one task.  Workers take the tasks in file and claim
 * order; each checks its claim into a report of its own (with the figures
 * of an HTML report), and the calling thread joins those reports into the
 * one report in file and claim order once every task is done.  The
 * report is therefore the one `--jobs 1` builds, record for record; only
 * the measured seconds differ.
 *
 * What the tasks share, and why that is safe (README, `--jobs`):
 *   - the parsed files and the check options: read only;
 *   - implementations (ext/impl_external.h): each task sets up its own
 *     registry of the file's implementations, so runners, their
 *     last-case caches, gathered answers and temporary folders are never
 *     shared; the commands run as separate processes in their own
 *     process groups;
 *   - the kernel's process-wide settings (--max-entries, --reference,
 *     the counters of kernel/alloc.h and fast/fast.h) are set before the
 *     threads start and then only read, or are atomic;
 *   - per-claim limits: the --timeout deadline is per thread
 *     (kernel/interrupt.h); --max-memory counts the memory of the whole
 *     process, so the command refuses it with more than one job;
 *   - OpenMP inside the fast kernels: each worker gets
 *     max(1, omp_get_max_threads() / N) threads, so N workers do not
 *     each start a team the size of the machine;
 *   - MPFR keeps its caches per thread; a worker frees them before it
 *     ends.
 *
 * An input error in a claim (a shape that does not fit, an unknown
 * function) is that claim's verdict, as in the serial check.  An error
 * that stops the serial check (a failure to set up an implementation:
 * exit 3) stops this one at the same claim: no later claim is started,
 * claims already running are finished and dropped, and the message and
 * report are the serial run's.
 *
 * Streaming: as soon as a claim and every claim before it are done, the
 * calling thread moves their records into the report and prints their
 * blocks (cli.h, cvp_cli_stream), so the text is the serial run's, in the
 * same order.
 *
 * Progress: the calling thread keeps the progress line current (claims
 * done, and the first claim in order still being checked).
 */
#ifndef CVP_CLI_JOBS_H
#define CVP_CLI_JOBS_H

#include <stddef.h>

#include "cli/cli.h"
#include "cli/cli_shard.h"

/* Most worker threads `--jobs` accepts. */
#define CVP_CLI_JOBS_MAX 64

/* Parses the value of --jobs / -j: a decimal integer from 1 to
 * CVP_CLI_JOBS_MAX, digits only.  Prints a message and returns false
 * otherwise. */
bool cvp_cli_parse_jobs(size_t *jobs, const char *text);

/* Checks every claim of files[0..file_count-1] that is the shard's
 * (cli_shard.h; every claim when shard->count is 0) on `jobs` (>= 1)
 * threads and appends the results to `report` in file and claim order.
 * Implementations get up to `impl_batch` cases per run and jobs / T runs
 * at a time per worker, T the number of workers (min(jobs, claims)), so
 * that at most `jobs` commands run at once.
 * options->external must be NULL (each task makes its own registry).
 * Returns CVP_EXIT_OK, or, after printing the message of the first error
 * in order, CVP_EXIT_USAGE or CVP_EXIT_LIMIT, as the serial loop of
 * cli_check.c would; `report` then holds the records up to that claim.
 * Each claim's block is printed to `stream` (may print nothing) once it
 * and the claims before it are decided. */
int cvp_cli_check_jobs(cvp_report *report, const cvp_proof_file *files,
                       size_t file_count, const cvp_check_options *options,
                       size_t jobs, size_t impl_batch,
                       const cvp_cli_shard *shard, cvp_cli_progress *progress,
                       cvp_cli_stream *stream);

#endif
