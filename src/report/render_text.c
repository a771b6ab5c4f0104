/* render_text.c -- the terminal rendering of a report.
 *
 * One block per claim, a blank line after each, then the summary line:
 *
 *   FAIL "max-pool backward" proofs/pool.proof:30
 *     exact       failed     1 shape, 7 instances     0.002 s  counterexample found
 *       sides differ at 2 entries
 *       counterexample at shape M=2, N=2 (show at line 31):
 *         X =
 *           [[1, 1],
 *            [0, 0]]
 *         ...
 *     random      n/a
 *       the claim is not a polynomial identity
 *
 *   seed 1 (replay with --seed 1)
 *   2 passed, 1 failed
 *
 * A claim only sampled (exact) is "TESTED" (verdict.h), counted as
 * "N tested" in the summary; like a failed or undecided one it lists
 * every method, so the reader sees why no method proved it.
 * The method line keeps fixed columns (name, outcome, counts, time) so a
 * list of claims reads as a table; its last column says what the outcome
 * means: the method's strength when the statement held, "counterexample
 * found" when one was.  A passed claim lists only its passing methods
 * unless verbose, because for it the question is how strong the evidence
 * is, not which methods could not judge it.
 */
#include "report/render.h"

#include <string.h>

#include "report/render_util.h"

#define ANSI_RESET "\033[0m"
#define ANSI_BOLD_GREEN "\033[1;32m"
#define ANSI_BOLD_RED "\033[1;31m"
#define ANSI_BOLD_YELLOW "\033[1;33m"
#define ANSI_BOLD_CYAN "\033[1;36m"
#define ANSI_GREEN "\033[32m"
#define ANSI_RED "\033[31m"
#define ANSI_YELLOW "\033[33m"

/* Columns of the method line. */
enum { METHOD_WIDTH = 10, OUTCOME_WIDTH = 9, COUNTS_WIDTH = 22, TIME_WIDTH = 7 };

/* TESTED has a colour of its own: verified, but not proved. */
static const char *claim_color(cvp_outcome o)
{
    return o == CVP_OUTCOME_PASSED   ? ANSI_BOLD_GREEN
         : o == CVP_OUTCOME_TESTED ? ANSI_BOLD_CYAN
         : o == CVP_OUTCOME_FAILED ? ANSI_BOLD_RED
                                   : ANSI_BOLD_YELLOW;
}

/* PASSED is green for claims and refutes alike: the outcomes are already
 * stated in terms of the expected verdict (verdict.h). */
static const char *method_color(cvp_outcome o)
{
    return o == CVP_OUTCOME_PASSED   ? ANSI_GREEN
         : o == CVP_OUTCOME_FAILED ? ANSI_RED
                                   : ANSI_YELLOW;
}

/* Writes text, coloured if asked (color NULL: never), then pads it with
 * spaces to `width` (outside the colour codes, so columns stay aligned). */
static void put_column(FILE *out, const cvp_render_options *o,
                       const char *color, const char *text, int width)
{
    if (o->color && color != NULL)
        fprintf(out, "%s%s%s", color, text, ANSI_RESET);
    else
        fputs(text, out);
    int len = (int)strlen(text);
    if (width > len)
        cvp_render_indent(out, width - len);
}

/* Writes "title" with C-style escapes, so the header stays one line and
 * quotes inside the title cannot be mistaken for its end. */
static void put_quoted(FILE *out, const char *text)
{
    fputc('"', out);
    for (const char *p = text != NULL ? text : ""; *p != '\0';) {
        unsigned char ch = (unsigned char)*p;
        size_t n = cvp_utf8_valid_length(p);
        if (n == 0) {
            fputs(CVP_RENDER_REPLACEMENT, out);
            p++;
            continue;
        }
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", out);
        else if (ch == '\t')
            fputs("\\t", out);
        else if (ch < 0x20 || ch == 0x7F)
            fprintf(out, "\\x%02x", ch);
        else
            fwrite(p, 1, n, out);
        p += n;
    }
    fputc('"', out);
}

static void write_claim_header(FILE *out, const cvp_claim_result *c,
                               const cvp_render_options *o)
{
    put_column(out, o, claim_color(c->outcome), cvp_render_claim_label(c), 0);
    fputc(' ', out);
    put_quoted(out, c->title);
    if (c->file != NULL) {
        fputc(' ', out);
        cvp_render_put_visible(out, c->file, strlen(c->file));
        if (c->line > 0)
            fprintf(out, ":%d", c->line);
    } else if (c->line > 0)
        fprintf(out, " line %d", c->line);
    fputc('\n', out);
}

static void write_counterexample(FILE *out, const cvp_claim_result *c,
                                 size_t k, const cvp_render_options *o)
{
    const cvp_counterexample *x = c->methods[k].counterexample;
    char note[160];
    if (cvp_render_counterexample_note(note, sizeof note, c, k, o) != NULL) {
        cvp_render_indent(out, 4);
        fprintf(out, "%s\n", note);
        /* symbolic's first differing term, found for an instance exact
         * showed already */
        const cvp_counterexample *main =
            c->methods[cvp_render_main_counterexample(c)].counterexample;
        if (x->first_term != NULL && main->first_term == NULL)
            cvp_render_block(out, 6, NULL, "first differing term:", x->first_term,
                             false);
        return;
    }
    cvp_render_indent(out, 4);
    fputs("counterexample", out);
    if (x->shape != NULL) {
        fputs(" at shape ", out);
        cvp_render_put_visible(out, x->shape, strlen(x->shape));
    }
    if (x->show_line > 0)
        fprintf(out, " (show at line %d)", x->show_line);
    fputs(":\n", out);
    cvp_render_counterexample_body(out, 6, x, o);
}

static void write_method(FILE *out, const cvp_claim_result *c, size_t k,
                         const cvp_render_options *o)
{
    const cvp_method_result *m = &c->methods[k];
    cvp_render_indent(out, 2);
    put_column(out, o, NULL, cvp_method_name(m->method), METHOD_WIDTH + 2);
    if (m->outcome == CVP_OUTCOME_NOT_APPLICABLE) {
        /* Nothing ran, so there are no counts or time to show. */
        put_column(out, o, ANSI_YELLOW, "n/a", 0);
        fputc('\n', out);
    } else {
        char counts[80], seconds[32];
        if (m->method == CVP_METHOD_ALL_SHAPES && m->shapes == 0
            && (m->outcome == CVP_OUTCOME_PASSED || m->outcome == CVP_OUTCOME_FAILED))
            /* infinitely many, or too many to count: all of them were
             * judged at once (a failure also names where they differ) */
            snprintf(counts, sizeof counts, "all shapes, %zu instance%s",
                     m->instances, m->instances == 1 ? "" : "s");
        else
            cvp_render_format_counts(counts, sizeof counts, m->shapes, m->instances);
        cvp_render_format_seconds(seconds, sizeof seconds, m->seconds, 3);
        put_column(out, o, method_color(m->outcome), cvp_outcome_name(m->outcome),
                   OUTCOME_WIDTH + 2);
        fprintf(out, "%-*s %*s s", COUNTS_WIDTH, counts, TIME_WIDTH, seconds);
        if (cvp_render_statement_holds(c, m))
            fprintf(out, "  %s", cvp_method_strength(m->method));
        else if (m->counterexample != NULL)
            fputs("  counterexample found", out);
        fputc('\n', out);
    }
    cvp_render_block(out, 4, NULL, NULL, m->reason, false);
    /* A bounded pass means no more than its precision and tolerance, so
     * its evidence (which names them) is always shown. */
    if (o->verbose || (m->method == CVP_METHOD_BOUNDED && m->outcome == CVP_OUTCOME_PASSED))
        cvp_render_block(out, 4, NULL, "evidence:", m->evidence, false);
    if (m->counterexample != NULL)
        write_counterexample(out, c, k, o);
}

static void write_claim(FILE *out, const cvp_claim_result *c,
                        const cvp_render_options *o)
{
    write_claim_header(out, c, o);
    if (c->error != NULL)
        cvp_render_block(out, 2, NULL, "input error:", c->error, false);
    if (o->verbose)
        cvp_render_block(out, 2, NULL, "statement:", c->statement, true);
    for (size_t k = 0; k < c->method_count; k++) {
        const cvp_method_result *m = &c->methods[k];
        if (o->verbose || c->outcome != CVP_OUTCOME_PASSED ||
            m->outcome == CVP_OUTCOME_PASSED)
            write_method(out, c, k, o);
    }
    fputc('\n', out);
}

static const cvp_render_options text_defaults = {false, false, false, false};

int cvp_report_write_text_claim(FILE *out, const cvp_claim_result *c,
                                const cvp_render_options *o)
{
    if (o == NULL)
        o = &text_defaults;
    if (cvp_render_claim_shown(c, o))
        write_claim(out, c, o);
    return cvp_render_finish(out);
}

int cvp_report_write_text_summary(FILE *out, const cvp_report *r)
{
    /* The seed, so that the run can be replayed (`--seed N`), then the
     * summary as the last line.  Never coloured: CI tooling greps them. */
    fprintf(out, "seed %llu (replay with --seed %llu)\n", r->seed, r->seed);
    char summary[160];
    cvp_render_format_summary(summary, sizeof summary, r);
    fprintf(out, "%s\n", summary);
    return cvp_render_finish(out);
}

int cvp_report_write_text(FILE *out, const cvp_report *r,
                          const cvp_render_options *o)
{
    if (o == NULL)
        o = &text_defaults;
    /* block by block as a streamed run prints them (cli_check.c), so the
     * two texts are the same */
    for (size_t k = 0; k < r->claim_count; k++)
        if (cvp_render_claim_shown(&r->claims[k], o))
            write_claim(out, &r->claims[k], o);
    return cvp_report_write_text_summary(out, r);
}
