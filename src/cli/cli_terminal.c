/* cli_terminal.c -- what convproof does differently on a terminal:
 * colours (--color, NO_COLOR) and the progress line of `check`.
 *
 * Both only ever touch a terminal: a report redirected to a file or a
 * pipe carries no escape codes under the default --color=auto, and the
 * progress line is never written when standard error is not a terminal,
 * so logs of CI runs stay clean. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report/figures.h"

/* ---- colours ------------------------------------------------------------ */

typedef enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER } color_when;

/* Process-wide, like the entry limit: set once from the command line. */
static color_when color_setting = COLOR_AUTO;

bool cvp_cli_is_color_option(const char *arg)
{
    return strncmp(arg, "--color", 7) == 0 ? arg[7] == '\0' || arg[7] == '='
         : strncmp(arg, "--colour", 8) == 0 && (arg[8] == '\0' || arg[8] == '=');
}

bool cvp_cli_set_color(const char *command, const char *arg)
{
    const char *equals = strchr(arg, '=');
    if (equals == NULL || strcmp(equals + 1, "always") == 0)
        color_setting = COLOR_ALWAYS;
    else if (strcmp(equals + 1, "never") == 0)
        color_setting = COLOR_NEVER;
    else if (strcmp(equals + 1, "auto") == 0)
        color_setting = COLOR_AUTO;
    else {
        fprintf(stderr, "convproof %s: --color takes auto, always or never, "
                        "not '%.40s'\n", command, equals + 1);
        return false;
    }
    return true;
}

bool cvp_cli_color_for(FILE *stream)
{
    if (color_setting != COLOR_AUTO)
        return color_setting == COLOR_ALWAYS;
    /* https://no-color.org: present and not empty disables colours. */
    const char *no_color = getenv("NO_COLOR");
    if (no_color != NULL && no_color[0] != '\0')
        return false;
    const char *term = getenv("TERM");
    if (term != NULL && strcmp(term, "dumb") == 0)
        return false;
    return isatty(fileno(stream)) == 1;
}

/* ---- progress ------------------------------------------------------------ */

/* A run shorter than this shows no progress line at all. */
#define PROGRESS_DELAY 1.0
/* Columns the line may use: the classic terminal width, less one so that
 * no terminal wraps it. */
#define PROGRESS_COLUMNS 79

static double now(void)
{
    struct timespec t;
    if (clock_gettime(CLOCK_MONOTONIC, &t) != 0)
        return 0;
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void cvp_cli_progress_init(cvp_cli_progress *p, size_t total_claims,
                           bool figures)
{
    memset(p, 0, sizeof *p);
    p->terminal = isatty(STDERR_FILENO) == 1;
    p->figures = figures;
    p->total = total_claims;
    p->start = now();
}

void cvp_cli_progress_show(cvp_cli_progress *p, const char *title)
{
    double elapsed = now() - p->start;
    if (!p->terminal || elapsed < PROGRESS_DELAY)
        return;
    char head[64];
    int used = snprintf(head, sizeof head, "[%zu/%zu] %.1f s  ", p->done,
                        p->total, elapsed);
    if (used < 0)
        return;
    /* "\r" returns to the start, "\033[K" erases what a longer line left. */
    fprintf(stderr, "\r%s", head);
    size_t room = PROGRESS_COLUMNS > used ? (size_t)(PROGRESS_COLUMNS - used) : 0;
    size_t shown = 0;
    for (const char *c = title != NULL ? title : ""; *c != '\0' && shown < room; c++) {
        unsigned char ch = (unsigned char)*c;
        /* Control characters would move the cursor: a title is shown
         * with them replaced; continuation bytes take no column. */
        fputc(ch < 0x20 || ch == 0x7F ? '?' : ch, stderr);
        shown += (ch & 0xC0) != 0x80;
    }
    fputs("\033[K", stderr);
    fflush(stderr);
    p->shown = true;
}

void cvp_cli_progress_finish(cvp_cli_progress *p)
{
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->shown = false;
    }
}

cvp_status cvp_cli_check_file(cvp_report *report, const cvp_proof_file *file,
                              const cvp_check_options *options,
                              cvp_lang_error *err, cvp_cli_progress *p,
                              cvp_cli_stream *stream,
                              const cvp_cli_shard *shard, size_t first)
{
    for (size_t k = 0; k < file->claim_count; k++) {
        if (!cvp_cli_shard_has(shard, first + k))
            continue;
        cvp_cli_progress_show(p, file->claims[k].title);
        cvp_status st = cvp_check_claim(report, file, k, options, err);
        /* an input error is in the claim's record: the file goes on */
        if (st == CVP_ERR_INPUT)
            cvp_lang_error_clear(err);
        else if (st != CVP_OK)
            return st;
        else if (p->figures && report->claim_count > 0)
            cvp_figures_add(&report->claims[report->claim_count - 1], file, k);
        p->done++;
        cvp_cli_stream_claims(stream, report);
    }
    return CVP_OK;
}
