/* impl_process.h -- one run of an implementation's command, and the end
 * of every process it starts.
 *
 * The command (`/bin/sh -c COMMAND`) does not run as a child of convproof
 * but under a keeper: a process forked for the run that starts the shell
 * in a process group of its own and waits for it.  On Linux the keeper is
 * a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so whatever the
 * command leaves behind -- background jobs, daemons that double-fork,
 * processes that call setsid() and so leave the process group -- becomes
 * the keeper's child when its parent ends.  Once the shell has exited
 * (or the run is stopped), the keeper kills the shell's process group,
 * then kills every child it has, again and again, until it has none left
 * (each kill hands that process's own children to the keeper), and only
 * then exits.  So nothing a command starts outlives its run.  The keeper
 * also asks the kernel for SIGTERM when convproof dies (PR_SET_PDEATHSIG),
 * which ends the run the same way.
 *
 * Elsewhere the keeper kills the shell's process group only (processes
 * that left it survive, as before).
 *
 * The keeper runs only async-signal-safe code (it is forked from a
 * process that may have threads): everything it needs is prepared before
 * the fork.  Its report -- the shell's wait status, or why it could not
 * start -- comes back through a pipe.
 */
#ifndef CVP_IMPL_PROCESS_H
#define CVP_IMPL_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>

typedef struct {
    pid_t keeper;              /* the keeper's pid, or -1 */
    int report_fd;             /* read end of the keeper's report pipe */
} cvp_impl_process;

/* Starts `/bin/sh -c command` under a keeper, with standard input read
 * from `in_path` and standard output and error written to `out_path` and
 * `err_path` (created, mode 0600), environment `env`, every signal at its
 * default disposition and none blocked.  Returns 0, or an errno value
 * when the keeper could not be started. */
int cvp_impl_process_start(cvp_impl_process *p, const char *command,
                           char *const env[], const char *in_path,
                           const char *out_path, const char *err_path);

/* Has the run ended (the shell exited and everything it started has been
 * killed)?  When it has, reaps the keeper and sets *status to the
 * shell's wait status, or *start_error to an errno value when the shell
 * could not be started (else 0). */
bool cvp_impl_process_done(cvp_impl_process *p, int *status, int *start_error);

/* Stops the run now: the keeper kills the shell's process group and
 * every process left, then is reaped.  *status as above (the shell
 * killed by SIGKILL, usually). */
void cvp_impl_process_stop(cvp_impl_process *p, int *status, int *start_error);

#endif
