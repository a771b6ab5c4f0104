/* render_markdown.c -- the GitHub-flavoured Markdown rendering of a report.
 *
 * Layout: a title, the tool version and seed, the summary line in bold, a
 * summary table (one row per claim), then one section per claim with its
 * statement in a code block, a table of all its methods (a document is
 * read whole, so even methods that could not judge the claim are listed)
 * and each counterexample in a code block.
 *
 * Escaping: text in headings and table cells is backslash-escaped where
 * Markdown would read it as syntax (| ends a cell, * and _ emphasise, <
 * starts HTML, ...), newlines in cells become <br>.  Code blocks are fenced
 * with more backticks than the longest run inside them, so no content can
 * close its own fence.
 */
#include "report/render.h"

#include <string.h>

#include "report/render_util.h"

/* Where an inline text goes: a table cell keeps line breaks as <br>, a
 * heading or paragraph line cannot hold any. */
typedef enum { INLINE_CELL, INLINE_LINE } inline_context;

static void put_inline(FILE *out, const char *text, inline_context where)
{
    if (text == NULL)
        return;
    size_t len = strlen(text);
    while (len > 0 && text[len - 1] == '\n')
        len--;
    for (size_t k = 0; k < len;) {
        char ch = text[k];
        if (strchr("\\`*_[]<>|~&", ch) != NULL) {
            fputc('\\', out);
            fputc(ch, out);
        } else if (ch == '\n')
            fputs(where == INLINE_CELL ? "<br>" : " ", out);
        else if (ch == '\t')
            fputc(' ', out);
        else {
            /* Everything else, up to the next character that needs care,
             * goes out as visible text (controls and bad UTF-8 made safe). */
            size_t run = strcspn(text + k, "\\`*_[]<>|~&\n\t");
            if (run > len - k)
                run = len - k;
            cvp_render_put_visible(out, text + k, run);
            k += run;
            continue;
        }
        k++;
    }
}

/* The longest run of backticks in text (0 for NULL). */
static size_t longest_backtick_run(const char *text, size_t longest)
{
    size_t run = 0;
    for (const char *p = text != NULL ? text : ""; *p != '\0'; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    return longest;
}

static void put_fence(FILE *out, size_t longest_run, const char *info)
{
    size_t width = longest_run < 3 ? 3 : longest_run + 1;
    for (size_t k = 0; k < width; k++)
        fputc('`', out);
    fputs(info, out);
    fputc('\n', out);
}

static void write_location(FILE *out, const cvp_claim_result *c)
{
    put_inline(out, c->file, INLINE_CELL);
    if (c->line > 0)
        fprintf(out, c->file != NULL ? ":%d" : "line %d", c->line);
}

static void write_summary_table(FILE *out, const cvp_report *r,
                                const cvp_render_options *o)
{
    bool any = false;
    for (size_t k = 0; k < r->claim_count; k++) {
        const cvp_claim_result *c = &r->claims[k];
        if (!cvp_render_claim_shown(c, o))
            continue;
        if (!any)
            fputs("\n| # | claim | file:line | outcome | methods |\n"
                  "| ---: | --- | --- | --- | --- |\n", out);
        any = true;
        fprintf(out, "| %zu | ", k + 1);
        put_inline(out, c->title, INLINE_CELL);
        fputs(" | ", out);
        write_location(out, c);
        fprintf(out, " | %s | ", cvp_render_claim_label(c));
        /* The methods that judged the claim, each with its outcome. */
        bool first = true;
        for (size_t j = 0; j < c->method_count; j++) {
            const cvp_method_result *m = &c->methods[j];
            if (m->outcome == CVP_OUTCOME_NOT_APPLICABLE)
                continue;
            fprintf(out, "%s%s (%s)", first ? "" : ", ",
                    cvp_method_name(m->method), cvp_outcome_name(m->outcome));
            first = false;
        }
        fputs(first ? "none applicable |\n" : " |\n", out);
    }
}

static void write_method_row(FILE *out, const cvp_claim_result *c,
                             const cvp_method_result *m,
                             const cvp_render_options *o)
{
    fprintf(out, "| %s | %s | ", cvp_method_name(m->method),
            cvp_outcome_name(m->outcome));
    if (cvp_render_statement_holds(c, m))
        fputs(cvp_method_strength(m->method), out);
    else if (m->reason != NULL)
        put_inline(out, m->reason, INLINE_CELL);
    else if (m->counterexample != NULL)
        fputs("counterexample found", out);
    if (m->outcome == CVP_OUTCOME_NOT_APPLICABLE)
        fputs(" |  |  |  |", out);
    else {
        char seconds[32];
        cvp_render_format_seconds(seconds, sizeof seconds, m->seconds, 3);
        fprintf(out, " | %zu | %zu | %s |", m->shapes, m->instances, seconds);
    }
    if (o->verbose) {
        fputc(' ', out);
        put_inline(out, m->evidence, INLINE_CELL);
        fputs(" |", out);
    }
    fputc('\n', out);
}

static void write_counterexample(FILE *out, const cvp_claim_result *c,
                                 size_t index, const cvp_render_options *o)
{
    const cvp_method_result *m = &c->methods[index];
    const cvp_counterexample *x = m->counterexample;
    char note[160];
    if (cvp_render_counterexample_note(note, sizeof note, c, index, o) != NULL) {
        fprintf(out, "\n**Counterexample** (%s): %s.\n", cvp_method_name(m->method),
                note);
        return;
    }
    fprintf(out, "\n**Counterexample** (%s", cvp_method_name(m->method));
    if (x->shape != NULL) {
        fputs(", shape ", out);
        put_inline(out, x->shape, INLINE_LINE);
    }
    if (x->show_line > 0)
        fprintf(out, ", show at line %d", x->show_line);
    fputs("):\n\n", out);

    size_t run = 0;
    for (size_t k = 0; k < x->input_count; k++) {
        run = longest_backtick_run(x->input_names[k], run);
        run = longest_backtick_run(x->input_values[k], run);
    }
    run = longest_backtick_run(x->lhs, run);
    run = longest_backtick_run(x->rhs, run);
    run = longest_backtick_run(x->differences, run);
    run = longest_backtick_run(x->failure, run);
    run = longest_backtick_run(x->first_term, run);
    put_fence(out, run, "text");
    cvp_render_counterexample_body(out, 0, x, o);
    put_fence(out, run, "");
}

static void write_claim_section(FILE *out, const cvp_claim_result *c,
                                size_t number, const cvp_render_options *o)
{
    fprintf(out, "\n## %zu. %s: ", number, cvp_render_claim_label(c));
    put_inline(out, c->title, INLINE_LINE);
    fprintf(out, "\n\n%s",
            c->is_refute ? "Refute (expected to be false)" : "Claim");
    /* A claim without a source (from test-impl) has no location to show. */
    if ((c->file != NULL && c->file[0] != '\0') || c->line > 0) {
        fputs(" at ", out);
        write_location(out, c);
    }
    char seconds[32];
    cvp_render_format_seconds(seconds, sizeof seconds, c->seconds, 3);
    fprintf(out, ", %s s.\n", seconds);
    if (c->outcome == CVP_OUTCOME_TESTED)
        fprintf(out, "\nTESTED: %s.\n", cvp_render_tested_note);
    if (c->error != NULL) {
        fputs("\nInput error: ", out);
        put_inline(out, c->error, INLINE_LINE);
        fputc('\n', out);
    }

    if (c->statement != NULL) {
        size_t run = longest_backtick_run(c->statement, 0);
        fputc('\n', out);
        put_fence(out, run, "text");
        cvp_render_block(out, 0, NULL, NULL, c->statement, false);
        put_fence(out, run, "");
    }

    if (c->method_count > 0) {
        fputs(o->verbose
                  ? "\n| method | outcome | what it shows | shapes | instances "
                    "| seconds | evidence |\n"
                    "| --- | --- | --- | ---: | ---: | ---: | --- |\n"
                  : "\n| method | outcome | what it shows | shapes | instances "
                    "| seconds |\n"
                    "| --- | --- | --- | ---: | ---: | ---: |\n",
              out);
        for (size_t k = 0; k < c->method_count; k++)
            write_method_row(out, c, &c->methods[k], o);
    }
    for (size_t k = 0; k < c->method_count; k++)
        if (c->methods[k].counterexample != NULL)
            write_counterexample(out, c, k, o);
}

int cvp_report_write_markdown(FILE *out, const cvp_report *r,
                              const cvp_render_options *o)
{
    static const cvp_render_options defaults = {false, false, false, false};
    if (o == NULL)
        o = &defaults;
    /* Every block below begins with the blank line that separates it from
     * the one before, so the document ends with exactly one newline. */
    fputs("# convproof report\n\nconvproof ", out);
    put_inline(out, r->tool_version, INLINE_LINE);
    fprintf(out, ", seed %llu\n", r->seed);
    char summary[160];
    cvp_render_format_summary(summary, sizeof summary, r);
    fprintf(out, "\n**%s**\n", summary);

    write_summary_table(out, r, o);
    for (size_t k = 0; k < r->claim_count; k++)
        if (cvp_render_claim_shown(&r->claims[k], o))
            write_claim_section(out, &r->claims[k], k + 1, o);
    return cvp_render_finish(out);
}
