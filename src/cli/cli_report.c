/* cli_report.c -- writing a verdict report where the command line asked
 * (shared by `check` and `test-impl`). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

bool cvp_cli_parse_report_format(cvp_cli_report_format *format, const char *name)
{
    if (strcmp(name, "text") == 0)
        *format = CVP_CLI_REPORT_TEXT;
    else if (strcmp(name, "md") == 0 || strcmp(name, "markdown") == 0)
        *format = CVP_CLI_REPORT_MARKDOWN;
    else if (strcmp(name, "json") == 0)
        *format = CVP_CLI_REPORT_JSON;
    else if (strcmp(name, "html") == 0)
        *format = CVP_CLI_REPORT_HTML;
    else if (strcmp(name, "junit") == 0)
        *format = CVP_CLI_REPORT_JUNIT;
    else
        return false;
    return true;
}

int cvp_cli_write_report(const cvp_report *report,
                         const cvp_cli_report_request *request,
                         const cvp_render_options *options)
{
    FILE *out = stdout;
    if (request->path != NULL) {
        out = fopen(request->path, "w");
        if (out == NULL) {
            fprintf(stderr, "convproof: %s: cannot open for writing: %s\n",
                    request->path, strerror(errno));
            return CVP_EXIT_LIMIT;
        }
    }
    int rc = 0;
    /* Colours follow --color for each stream: a text report on the
     * terminal may be coloured while its copy in a file is not. */
    cvp_render_options shown = *options;
    shown.color = cvp_cli_color_for(out);
    switch (request->format) {
    case CVP_CLI_REPORT_TEXT: rc = cvp_report_write_text(out, report, &shown); break;
    case CVP_CLI_REPORT_MARKDOWN:
        rc = cvp_report_write_markdown(out, report, options);
        break;
    case CVP_CLI_REPORT_JSON: rc = cvp_report_write_json(out, report, options); break;
    case CVP_CLI_REPORT_HTML: rc = cvp_report_write_html(out, report, options); break;
    case CVP_CLI_REPORT_JUNIT: rc = cvp_report_write_junit(out, report, options); break;
    }
    if (request->path != NULL && fclose(out) != 0)
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "convproof: cannot write the report%s%s\n",
                request->path ? " to " : "", request->path ? request->path : "");
        return CVP_EXIT_LIMIT;
    }
    return CVP_EXIT_OK;
}

/* ---- the text report as the claims are decided (cli.h) ------------------ */

void cvp_cli_stream_init(cvp_cli_stream *s, FILE *out,
                         const cvp_render_options *render,
                         cvp_cli_progress *progress)
{
    memset(s, 0, sizeof *s);
    s->out = out;
    s->render = *render;
    s->render.color = out != NULL && cvp_cli_color_for(out);
    s->progress = progress;
}

void cvp_cli_stream_claims(cvp_cli_stream *s, const cvp_report *report)
{
    if (s == NULL || s->out == NULL || s->printed >= report->claim_count)
        return;
    /* the progress line may share the terminal: it is drawn again when
     * the next claim starts */
    if (s->progress != NULL)
        cvp_cli_progress_finish(s->progress);
    for (; s->printed < report->claim_count; s->printed++)
        if (cvp_report_write_text_claim(s->out, &report->claims[s->printed],
                                        &s->render) != 0)
            s->failed = true;
}

int cvp_cli_stream_finish(cvp_cli_stream *s, const cvp_report *report)
{
    if (s->out == NULL)
        return CVP_EXIT_OK;
    cvp_cli_stream_claims(s, report);
    if (cvp_report_write_text_summary(s->out, report) != 0 || s->failed) {
        fprintf(stderr, "convproof: cannot write the report\n");
        return CVP_EXIT_LIMIT;
    }
    return CVP_EXIT_OK;
}
