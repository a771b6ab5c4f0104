/* impl_external.h -- the implementations a proof file declares, as the
 * cvp_external the checker calls (eval/external.h).
 *
 * Each `implementation NAME = command "..." layout L [timeout T]` becomes
 * a runner (ext/impl_run.h) whose command runs in the folder of the proof
 * file, so a file can name its adapter by a relative path.  A call turns
 * into one test case of the protocol of docs/impl-protocol.md: the inputs
 * go to the command as .npy files in its layout (a conv layer without a
 * bias gets a zero bias), and the output the call asks for comes back,
 * converted to the canonical layout, exactly (every double is a
 * rational).
 *
 * Batches (cvp_impl_registry_set_batch): with a batch above 1 the
 * registry offers the checker the gathering hooks of eval/external.h.
 * The checker then evaluates a window of a claim's instances once with
 * stand-ins to learn the cases its calls ask for, the registry runs them
 * (runner batch and jobs), and the real evaluation finds every answer
 * ready (ext/impl_answers.h).  Batch 1 runs each call on its own when it
 * is made.
 *
 * Ownership: the registry borrows the proof file (it must outlive the
 * registry) and owns its runners, command strings and answers.
 */
#ifndef CVP_IMPL_EXTERNAL_H
#define CVP_IMPL_EXTERNAL_H

#include "eval/external.h"
#include "ext/impl_answers.h"
#include "ext/impl_run.h"
#include "lang/proof.h"

/* The last case each implementation ran, and what came back: the three
 * gradients of a conv layer come from one backward pass, so a claim that
 * checks all three runs the command once per instance, not three times. */
typedef struct {
    bool valid;
    cvp_impl_case c;
    cvp_impl_result r;
} cvp_impl_last_run;

typedef struct {
    const cvp_proof_file *file;
    size_t count;
    char **commands;             /* owned: "cd 'DIR' && COMMAND" */
    cvp_impl_runner *runners;    /* owned, one per implementation */
    cvp_impl_last_run *last;     /* owned, one per implementation */
    char *failure;               /* owned: the last CVP_ERR_EXTERNAL message */
    cvp_external external;       /* ctx is the registry itself */
    size_t batch, jobs;          /* of every runner (default 1, 1) */
    bool gathering;              /* calls record cases (eval/external.h) */
    cvp_impl_answers answers;    /* gathered cases and their answers */
} cvp_impl_registry;

/* Default cases per run of a proof file's implementations. */
#define CVP_IMPL_DEFAULT_BATCH 64

/* Sets up the registry of `file` (empty when it declares nothing);
 * CVP_ERR_LIMIT when memory runs out. */
cvp_status cvp_impl_registry_init(cvp_impl_registry *reg,
                                  const cvp_proof_file *file, cvp_error *err);
void cvp_impl_registry_clear(cvp_impl_registry *reg);

/* Up to `batch` cases per run (>= 1) and `jobs` runs at a time (>= 1).
 * batch 1 turns gathering off: each call runs when it is made. */
void cvp_impl_registry_set_batch(cvp_impl_registry *reg, size_t batch,
                                 size_t jobs);

/* Processes started so far by all the registry's implementations. */
size_t cvp_impl_registry_runs(const cvp_impl_registry *reg);

#endif
