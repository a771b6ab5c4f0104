/* cli.h -- the subcommands of the `convproof` command.
 *
 * Each subcommand is a function taking the arguments from its own name on
 * (argv[0] is the subcommand's name) and returning the process exit code:
 * 0 success, 1 a claim did not hold, 2 usage or input error, 3 internal
 * error or resource limit.  Only the cli layer prints and exits.
 */
#ifndef CVP_CLI_H
#define CVP_CLI_H

#include <stdint.h>

#include <stdbool.h>

#include "check/check.h"
#include "cli/cli_shard.h"
#include "eval/env.h"
#include "check/verdict.h"
#include "lang/proof.h"
#include "kernel/status.h"
#include "report/render.h"

/* Exit codes (the numeric values of cvp_status, plus 1). */
#define CVP_EXIT_OK 0
#define CVP_EXIT_CLAIM_FAILED 1
#define CVP_EXIT_USAGE 2
#define CVP_EXIT_LIMIT 3
/* `check --strict`: every claim verified, but some only TESTED (sampled,
 * not proved; check/verdict.h).  Not a cvp_status. */
#define CVP_EXIT_UNPROVED 4

/* `convproof eval EXPR [options]` (cli_eval.c). */
int cvp_cli_eval(int argc, char **argv);

/* `convproof check PATH... [options]` (cli_check.c). */
int cvp_cli_check(int argc, char **argv);

/* `convproof test-impl --command CMD --op OP [options]`
 * (cli_test_impl.c). */
int cvp_cli_test_impl(int argc, char **argv);

/* ---- reports (cli_report.c) -------------------------------------------- */

typedef enum {
    CVP_CLI_REPORT_TEXT,
    CVP_CLI_REPORT_MARKDOWN,
    CVP_CLI_REPORT_JSON,
    CVP_CLI_REPORT_HTML,
    CVP_CLI_REPORT_JUNIT
} cvp_cli_report_format;

/* One --report FORMAT [-o FILE]; path NULL is standard output. */
typedef struct {
    cvp_cli_report_format format;
    const char *path;
} cvp_cli_report_request;

/* ---- options shared by the commands (cli_options.c) ------------------- */

/* True when arg is the option `name`, alone or with "=VALUE". */
bool cvp_cli_is_option(const char *arg, const char *name);

/* The value of option argv[*i] named `name` ("--name VALUE", advancing *i,
 * or "--name=VALUE"); NULL when it is missing, after printing
 * "convproof COMMAND: NAME needs a value" (unless command is NULL).  The
 * result points into argv. */
const char *cvp_cli_option_value(const char *command, int argc, char **argv,
                                 int *i, const char *name);

/* At most this many --report options per command. */
#define CVP_CLI_MAX_REPORTS 8

/* When argv[*i] is --report FORMAT or the -o/--output FILE that follows
 * one, records it in reports[*count] (advancing *count, and *i past a
 * separate value) and returns CVP_EXIT_OK, or prints why not and returns
 * CVP_EXIT_USAGE; returns -1 for any other argument.  `command` names the
 * command in messages ("check"). */
int cvp_cli_report_option(const char *command, int argc, char **argv, int *i,
                          cvp_cli_report_request *reports, size_t *count);

/* "text", "md" (or "markdown"), "json", "html", "junit"; false for
 * anything else. */
bool cvp_cli_parse_report_format(cvp_cli_report_format *format, const char *name);

/* Writes the report as asked; prints a message and returns
 * CVP_EXIT_LIMIT when the file cannot be written, else CVP_EXIT_OK. */
int cvp_cli_write_report(const cvp_report *report,
                         const cvp_cli_report_request *request,
                         const cvp_render_options *options);

/* ---- terminal: colours and progress (cli_terminal.c) ------------------ */

/* --color[=WHEN]: WHEN is "auto" (the default: colours when the text
 * report goes to a terminal and NO_COLOR is unset or empty), "always"
 * (also what a bare --color means) or "never".  `arg` is the whole
 * argument ("--color", "--color=never"; "--colour" is accepted too).
 * Prints a message and returns false for another WHEN. */
bool cvp_cli_set_color(const char *command, const char *arg);

/* True when arg is --color or --colour, bare or with "=WHEN". */
bool cvp_cli_is_color_option(const char *arg);

/* Whether a text report written to `stream` gets colours under the
 * --color setting (cvp_cli_write_report asks this for every report). */
bool cvp_cli_color_for(FILE *stream);

/* The progress line of `convproof check` on standard error: shown only
 * when standard error is a terminal, and only once the run has taken a
 * second; updated as each claim starts ("[12/45] 3.4 s  TITLE"), erased
 * at the end.  Also decides whether figures are computed (an HTML report
 * was asked for). */
typedef struct {
    bool terminal;          /* standard error is a terminal */
    bool figures;           /* compute the pictures of every claim */
    bool shown;             /* a line is on the screen */
    size_t done, total;
    double start;           /* seconds, monotonic clock */
} cvp_cli_progress;

void cvp_cli_progress_init(cvp_cli_progress *p, size_t total_claims,
                           bool figures);

/* The text report of `check` printed as the claims are decided
 * (cli_report.c): each claim's block as soon as it and every claim before
 * it in the report are there, so the order is the report's (file order)
 * for any --jobs; the seed and summary lines at the end
 * (cvp_cli_stream_finish).  Together that is exactly the text report
 * (render.h).  Used from one thread at a time; `out` NULL streams
 * nothing. */
typedef struct {
    FILE *out;                  /* borrowed; NULL: not streaming */
    cvp_render_options render;  /* with `color` for `out` */
    size_t printed;             /* claims of the report printed so far */
    cvp_cli_progress *progress; /* its line is erased before a block */
    bool failed;                /* a write failed */
} cvp_cli_stream;

/* A stream of the text report to `out` (NULL: none). */
void cvp_cli_stream_init(cvp_cli_stream *s, FILE *out,
                         const cvp_render_options *render,
                         cvp_cli_progress *progress);

/* Prints the blocks of report->claims[s->printed ..] (claims appended
 * since the last call). */
void cvp_cli_stream_claims(cvp_cli_stream *s, const cvp_report *report);

/* Prints the claims not printed yet and the summary lines; returns
 * CVP_EXIT_OK, or CVP_EXIT_LIMIT after a message when a write failed. */
int cvp_cli_stream_finish(cvp_cli_stream *s, const cvp_report *report);

/* Checks every claim of `file` that is the shard's like cvp_check_file,
 * keeping the progress line current, adding figures when asked and
 * printing each claim's block to `stream` when it is decided.  `first`
 * is the number of the file's first claim over all files of the run
 * (cli_shard.h); a shard of count 0 has every claim.  A claim's input
 * error is its record's (verdict.h) and does not stop the file; any
 * other error does, and is returned. */
cvp_status cvp_cli_check_file(cvp_report *report, const cvp_proof_file *file,
                              const cvp_check_options *options,
                              cvp_lang_error *err, cvp_cli_progress *p,
                              cvp_cli_stream *stream,
                              const cvp_cli_shard *shard, size_t first);

/* Shows "[done/total] seconds  title" (once the run has taken a second,
 * on a terminal only).  Called from one thread at a time. */
void cvp_cli_progress_show(cvp_cli_progress *p, const char *title);

/* Erases the progress line, if one is shown. */
void cvp_cli_progress_finish(cvp_cli_progress *p);

/* ---- help and version (cli_help.c) ------------------------------------ */

/* `convproof --help`: what the command does, its commands and exit codes. */
void cvp_cli_print_help(FILE *stream);

/* `convproof --version`: the version, the libraries' versions, the
 * licence line. */
void cvp_cli_print_version(FILE *stream);

/* `convproof eval --symbolic ...` (cli_symbolic.c): argv as for
 * cvp_cli_eval. */
int cvp_cli_eval_symbolic(int argc, char **argv);

/* ---- tensor bindings from the command line (cli_bindings.c) --------- */

/* Integer range of --random fills. */
typedef struct {
    int64_t lo, hi;
} cvp_cli_range;

/* Parses "LO..HI" (LO <= HI, |LO|, |HI| <= 2^62). */
cvp_status cvp_cli_parse_range(cvp_cli_range *range, const char *text,
                               cvp_error *err);

/* Parses a positive decimal integer that fits a size_t ("--max-entries"). */
cvp_status cvp_cli_parse_count(size_t *count, const char *text,
                               const char *option, cvp_error *err);

/* --let NAME=VALUE: VALUE is a file (.npy, else the text form) or, when
 * it starts with '[', a digit or a sign, an inline tensor in the text
 * form with the source name "--let NAME".  Binds NAME in env. */
cvp_status cvp_cli_bind_let(cvp_env *env, const char *spec, cvp_error *err);

/* --random NAME=SHAPE[:SEED]: SHAPE is dimensions joined by 'x' or ','
 * (e.g. 2x3x4), SEED a decimal integer (default 0).  Binds NAME to a
 * tensor of that shape filled with integers of `range` from the seed. */
cvp_status cvp_cli_bind_random(cvp_env *env, const char *spec,
                               const cvp_cli_range *range, cvp_error *err);

#endif
