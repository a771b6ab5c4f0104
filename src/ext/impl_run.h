/* impl_run.h -- running an implementation as an external command, the
 * protocol of docs/impl-protocol.md.
 *
 * For each run, the runner makes a fresh folder with mkdtemp, writes the
 * inputs of its cases there as .npy files (float64, the implementation's
 * layout) and the JSON request as request.json, and starts
 * `/bin/sh -c COMMAND` in a process group of its own with the request on
 * standard input (and its path in $CONVPROOF_REQUEST), standard output
 * and standard error going to files in the folder, under a keeper
 * (ext/impl_process.h) that ends every process the command starts, also
 * those that leave the group (setsid) or lose their parent.  It waits at
 * most `timeout` seconds, then stops the run; after a normal exit the
 * keeper kills what is left too, so nothing the command left behind keeps
 * running.  Then it reads each case's status answer ("unsupported") and
 * outputs (with their dtypes), judges every case (cvp_impl_judge) and
 * removes the folder.
 *
 * With batch > 1 a run carries several cases ({"protocol": 1, "batch":
 * [...]}); when such a run fails as a whole (a crash, a timeout), each of
 * its cases is run again alone, so that every finding belongs to one
 * case.  Up to `jobs` runs go at the same time.
 *
 * Nothing here prints.  A command that misbehaves is a finding in the
 * results, never an error; errors are convproof's own (no temporary
 * folder, a full disk).
 */
#ifndef CVP_IMPL_RUN_H
#define CVP_IMPL_RUN_H

#include <signal.h>

#include "ext/impl.h"
#include "ext/json.h"

#define CVP_IMPL_PROTOCOL_VERSION 1

typedef struct {
    const char *command;       /* run by /bin/sh -c */
    cvp_impl_layout layout;
    double timeout;            /* seconds per run (default 10) */
    size_t jobs;               /* runs at the same time (default 1) */
    size_t batch;              /* cases per run (default 1) */
    const char *tmpdir;        /* NULL: $TMPDIR, else /tmp */
    /* When not NULL and set nonzero (by a signal handler, say), running
     * commands are killed, their folders removed, and cvp_impl_run fails
     * with CVP_ERR_LIMIT "interrupted". */
    volatile sig_atomic_t *interrupted;
    /* When not NULL, polled while commands run; once it returns true the
     * same happens as for `interrupted` (the checker passes
     * cvp_interrupt_poll, so a claim's --timeout stops its runs). */
    bool (*stop)(void);
    /* Statistics, updated by every call. */
    size_t runs;               /* processes started */
    size_t cases;              /* cases evaluated */
} cvp_impl_runner;

void cvp_impl_runner_init(cvp_impl_runner *r, const char *command,
                          cvp_impl_layout layout);

/* A cvp_impl_eval_fn; ctx is a cvp_impl_runner. */
cvp_status cvp_impl_run(void *ctx, cvp_impl_result *results,
                        const cvp_impl_case *const *cases, size_t count,
                        cvp_error *err);

/* Writes the JSON object describing case c (without "protocol"): op,
 * layout, params, inputs and outputs, the files named DIR/PREFIXNAME.npy.
 * Used for requests; exposed for tests and docs. */
void cvp_impl_case_json(cvp_json *j, const cvp_impl_case *c,
                        cvp_impl_layout layout, const char *dir,
                        const char *prefix);

#endif
