/* render_html.c -- the HTML rendering of a report: one self-contained file.
 *
 * A TESTED claim (verdict.h) has a colour of its own, blue-green, between
 * a proof's green and undecided's amber, and a note saying what it means.
 *
 * Layout: a header with the summary line, a table by method (how many
 * claims each method passed, failed, left undecided, could not judge, and
 * what a pass by it means), the list of claims with their badges, then
 * one section per claim: its statement, a badge per method, a table of
 * the methods with their evidence, the reduced general term of an
 * all_shapes pass in mathematical notation, the counterexamples as text,
 * and the claim's figures (report/figures.h) drawn as inline SVG.
 *
 * Self-contained means: the style sheet is inline, there is no script,
 * no font and no image to fetch, and no attribute names a URL, so the page
 * looks the same offline as online and loads nothing.  A narrow screen
 * (a phone) gets one column; wide pictures scroll inside their own box.
 *
 * Every text from the report goes through cvp_html_put; the renderer
 * evaluates nothing: the pictures' numbers and marks come from the
 * records.
 */
#include "report/render.h"

#include <stdlib.h>
#include <string.h>

#include "report/render_svg.h"
#include "report/render_util.h"
#include "report/tensor_summary.h"

static const char style_sheet[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;"
    "margin:0 auto;max-width:1100px;padding:12px;color:#1d2430;background:#fff}"
    "h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.15em;margin:.2em 0}"
    "pre,code,.term{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:13px}"
    "pre{background:#f4f6f8;padding:8px;overflow-x:auto;white-space:pre-wrap;"
    "border-radius:4px}"
    "table{border-collapse:collapse;margin:.5em 0;display:block;overflow-x:auto}"
    "th,td{border:1px solid #d5dae0;padding:3px 7px;text-align:left;vertical-align:top}"
    "th{background:#eef1f4}td.n{text-align:right}"
    ".badge{display:inline-block;border-radius:10px;padding:1px 9px;margin:1px 3px 1px 0;"
    "font-size:12px;font-weight:600;color:#fff;white-space:nowrap}"
    ".passed{background:#1f7a3a}.failed{background:#b3261e}.undecided{background:#a86400}"
    ".tested{background:#1f6f8b}"
    ".not_applicable{background:#77808a}"
    ".claim{border:1px solid #d5dae0;border-left:6px solid #77808a;border-radius:4px;"
    "padding:8px 12px;margin:14px 0}"
    ".claim.c-passed{border-left-color:#1f7a3a}.claim.c-failed{border-left-color:#b3261e}"
    ".claim.c-undecided{border-left-color:#a86400}.claim.c-tested{border-left-color:#1f6f8b}"
    ".note{margin:4px 0;color:#1f6f8b}"
    ".loc{color:#55606c;font-size:13px}"
    "figure{margin:10px 0;padding:6px;border:1px dashed #c8ced5;border-radius:4px}"
    "figcaption{font-size:13px;color:#3a4552;margin-bottom:4px}"
    ".grids{display:flex;flex-wrap:wrap;gap:14px;overflow-x:auto}"
    ".grid{max-width:100%;overflow-x:auto}"
    ".glabel{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12px;"
    "margin-bottom:2px}"
    "svg text{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:13px}"
    ".gframe{fill:none;stroke:#1d2430;stroke-width:1.5}"
    ".cval{fill:#fff;stroke:#c8ced5}.czero{fill:#fbfcfd;stroke:#e3e7eb}"
    ".cpad{fill:#d9dde2;stroke:#c0c6cd}.cdiff{fill:#ffd6d2;stroke:#b3261e;stroke-width:2}"
    ".tcval,.tcdiff{text-anchor:middle;fill:#1d2430}.tcdiff{font-weight:700;fill:#8c1d18}"
    ".tczero,.tcpad{text-anchor:middle;fill:#a3abb4}"
    ".sframe{fill:#fbfcfd;stroke:#1d2430}.snz{fill:#2c4a6e}.sdiff{fill:#b3261e}"
    ".bar{fill:#2c6e9e}.blabel{fill:#3a4552;font-size:12px}.bvalue{fill:#1d2430;"
    "font-weight:700}"
    ".term{background:#f7f5ee;border-left:3px solid #c9b458;padding:6px 10px;margin:6px 0;"
    "overflow-x:auto}.term .sum{font-size:20px;vertical-align:middle}"
    ".term .over{color:#55606c;font-size:12px;margin-left:2em}"
    "details{margin:4px 0}summary{cursor:pointer;color:#2c4a6e}"
    "@media (max-width:640px){body{padding:6px;font-size:14px}th,td{padding:2px 4px}}";

static const char *outcome_class(cvp_outcome o)
{
    return cvp_outcome_name(o);   /* "passed", ..., the CSS classes */
}

static void badge(FILE *out, cvp_outcome o, const char *text)
{
    fprintf(out, "<span class=\"badge %s\">", outcome_class(o));
    cvp_html_put(out, text);
    fputs("</span>", out);
}

/* ---- summary ------------------------------------------------------------ */

static void write_method_summary(FILE *out, const cvp_report *r)
{
    /* indexed by outcome; a method is never TESTED, but the array has
     * room for every value */
    size_t counts[CVP_METHOD_COUNT][CVP_OUTCOME_TESTED + 1] = {{0}};
    bool used[CVP_METHOD_COUNT] = {false};
    for (size_t k = 0; k < r->claim_count; k++)
        for (size_t j = 0; j < r->claims[k].method_count; j++) {
            const cvp_method_result *m = &r->claims[k].methods[j];
            counts[m->method][m->outcome]++;
            used[m->method] = true;
        }
    fputs("<h2>By method</h2><table><tr><th>method</th><th>what a pass means</th>"
          "<th>passed</th><th>failed</th><th>undecided</th><th>not applicable</th>"
          "</tr>", out);
    for (int m = 0; m < CVP_METHOD_COUNT; m++) {
        if (!used[m])
            continue;
        fprintf(out, "<tr><td><code>%s</code></td><td>", cvp_method_name((cvp_method)m));
        cvp_html_put(out, cvp_method_strength((cvp_method)m));
        fprintf(out, "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
                     "<td class=\"n\">%zu</td><td class=\"n\">%zu</td></tr>",
                counts[m][CVP_OUTCOME_PASSED], counts[m][CVP_OUTCOME_FAILED],
                counts[m][CVP_OUTCOME_UNDECIDED],
                counts[m][CVP_OUTCOME_NOT_APPLICABLE]);
    }
    fputs("</table>", out);
}

static void write_claim_list(FILE *out, const cvp_report *r)
{
    fputs("<h2>Claims</h2><table><tr><th>#</th><th>verdict</th><th>claim</th>"
          "<th>methods</th></tr>", out);
    for (size_t k = 0; k < r->claim_count; k++) {
        const cvp_claim_result *c = &r->claims[k];
        fprintf(out, "<tr><td class=\"n\">%zu</td><td>", k + 1);
        badge(out, c->outcome, cvp_render_claim_label(c));
        fprintf(out, "</td><td><a href=\"#claim-%zu\">", k + 1);
        cvp_html_put(out, c->title);
        fputs("</a></td><td>", out);
        for (size_t j = 0; j < c->method_count; j++)
            badge(out, c->methods[j].outcome, cvp_method_name(c->methods[j].method));
        fputs("</td></tr>", out);
    }
    fputs("</table>", out);
}

/* ---- one claim ------------------------------------------------------------ */

/* Copies text[0..len) with the ASCII relations and products the checker
 * writes replaced by their mathematical signs. */
static void put_math(FILE *out, const char *text, size_t len)
{
    static const struct { const char *from, *to; } signs[] = {
        {" >= ", " \xE2\x89\xA5 "}, {" <= ", " \xE2\x89\xA4 "},
        {" * ", " \xC2\xB7 "}, {" != ", " \xE2\x89\xA0 "},
    };
    size_t start = 0, k = 0;
    while (k < len) {
        size_t which = sizeof signs / sizeof signs[0];
        for (size_t s = 0; s < sizeof signs / sizeof signs[0]; s++) {
            size_t n = strlen(signs[s].from);
            if (k + n <= len && memcmp(text + k, signs[s].from, n) == 0)
                which = s;
        }
        if (which == sizeof signs / sizeof signs[0]) {
            k++;
            continue;
        }
        cvp_html_put_len(out, text + start, k - start);
        fputs(signs[which].to, out);
        k += strlen(signs[which].from);
        start = k;
    }
    cvp_html_put_len(out, text + start, len - start);
}

/* The general term of an all_shapes pass: evidence lines of the form
 * "  left: out[i, j] = sum of W[a, b] * G[c, d] over j = b + d, ..." are
 * set as  out[i, j] = SUM W[a, b] . G[c, d]  with the index set below. */
static void write_general_terms(FILE *out, const char *evidence)
{
    const char *line = evidence;
    while (line != NULL && *line != '\0') {
        const char *end = strchr(line, '\n');
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        const char *side = NULL;
        size_t skip = 0;
        if (len > 8 && strncmp(line, "  left: ", 8) == 0)
            side = "left", skip = 8;
        else if (len > 9 && strncmp(line, "  right: ", 9) == 0)
            side = "right", skip = 9;
        const char *body = line + skip;
        size_t body_len = len - skip;
        /* Equal sides (the usual case of a pass) are set once. */
        const char *next = end != NULL ? end + 1 : NULL;
        if (side != NULL && side[0] == 'l' && next != NULL
            && strncmp(next, "  right: ", 9) == 0
            && strncmp(next + 9, body, body_len) == 0
            && (next[9 + body_len] == '\n' || next[9 + body_len] == '\0')) {
            end = strchr(next, '\n');
            side = "both sides";
        }
        const char *sum = side != NULL ? strstr(body, " = sum of ") : NULL;
        if (sum != NULL && (size_t)(sum - body) < body_len) {
            const char *terms = sum + 10;
            const char *over = strstr(terms, " over ");
            size_t terms_len = over != NULL && over < line + len
                                   ? (size_t)(over - terms)
                                   : (size_t)(line + len - terms);
            fprintf(out, "<div class=\"term\">%s: ", side);
            put_math(out, body, (size_t)(sum - body));
            fputs(" = <span class=\"sum\">\xE2\x88\x91</span> ", out);
            put_math(out, terms, terms_len);
            if (over != NULL && over < line + len) {
                const char *set = over + 6;
                fputs("<div class=\"over\">over all indices with ", out);
                put_math(out, set, (size_t)(line + len - set));
                fputs("</div>", out);
            }
            fputs("</div>", out);
        }
        line = end != NULL ? end + 1 : NULL;
    }
}

static void write_counterexample_text(FILE *out, const cvp_claim_result *c,
                                      size_t index, const cvp_render_options *o)
{
    const cvp_method_result *m = &c->methods[index];
    const cvp_counterexample *x = m->counterexample;
    char note[160];
    if (cvp_render_counterexample_note(note, sizeof note, c, index, o) != NULL) {
        fprintf(out, "<p>counterexample (%s): ", cvp_method_name(m->method));
        cvp_html_put(out, note);
        fputs("</p>", out);
        return;
    }
    fprintf(out, "<details open><summary>counterexample (%s)", cvp_method_name(m->method));
    if (x->shape != NULL) {
        fputs(" at shape ", out);
        cvp_html_put(out, x->shape);
    }
    if (x->show_line > 0)
        fprintf(out, ", show at line %d", x->show_line);
    fputs("</summary><pre>", out);
    cvp_shown_values shown;
    cvp_shown_init(&shown, x, o->full);
    for (size_t k = 0; k < x->input_count; k++) {
        if (shown.inputs[k] == NULL)
            continue;   /* left out: named below */
        cvp_html_put(out, x->input_names[k]);
        fputs(" =\n", out);
        cvp_html_put(out, shown.inputs[k]);
        if (shown.inputs[k] != NULL && shown.inputs[k][0] != '\0'
            && shown.inputs[k][strlen(shown.inputs[k]) - 1] != '\n')
            fputc('\n', out);
    }
    {   /* the inputs left out, escaped like every other text here */
        char *left_out = cvp_render_left_out_text(x, &shown);
        if (left_out != NULL)
            cvp_html_put(out, left_out);
        free(left_out);
    }
    const struct { const char *name, *text; } parts[] = {
        {"left side =\n", shown.lhs}, {"right side =\n", shown.rhs},
        {"differing entries:\n", x->differences},
        {"implementation failure:\n", x->failure},
        {"first differing term: ", x->first_term},
    };
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++)
        if (parts[k].text != NULL) {
            fputs(parts[k].name, out);
            cvp_html_put(out, parts[k].text);
            if (parts[k].text[0] != '\0'
                && parts[k].text[strlen(parts[k].text) - 1] != '\n')
                fputc('\n', out);
        }
    cvp_shown_clear(&shown);
    fputs("</pre></details>", out);
}

static void write_methods(FILE *out, const cvp_claim_result *c,
                          const cvp_render_options *o)
{
    fputs("<table><tr><th>method</th><th>outcome</th><th>shapes</th>"
          "<th>instances</th><th>seconds</th><th>what it shows</th></tr>", out);
    for (size_t k = 0; k < c->method_count; k++) {
        const cvp_method_result *m = &c->methods[k];
        char seconds[32];
        cvp_render_format_seconds(seconds, sizeof seconds, m->seconds, 3);
        fprintf(out, "<tr><td><code>%s</code></td><td>", cvp_method_name(m->method));
        badge(out, m->outcome, cvp_outcome_name(m->outcome));
        if (m->outcome == CVP_OUTCOME_NOT_APPLICABLE)
            fputs("</td><td></td><td></td><td></td><td>", out);
        else
            fprintf(out, "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
                         "<td class=\"n\">%s</td><td>", m->shapes, m->instances,
                    seconds);
        if (cvp_render_statement_holds(c, m))
            cvp_html_put(out, cvp_method_strength(m->method));
        else if (m->counterexample != NULL)
            fputs("counterexample found", out);
        if (m->reason != NULL) {
            fputs("<br>", out);
            cvp_html_put(out, m->reason);
        }
        if (m->evidence != NULL) {
            fputs("<details><summary>evidence</summary><pre>", out);
            cvp_html_put(out, m->evidence);
            fputs("</pre></details>", out);
        }
        fputs("</td></tr>", out);
    }
    fputs("</table>", out);
    for (size_t k = 0; k < c->method_count; k++) {
        const cvp_method_result *m = &c->methods[k];
        if (m->method == CVP_METHOD_ALL_SHAPES && cvp_render_statement_holds(c, m)
            && m->evidence != NULL && !c->is_refute)
            write_general_terms(out, m->evidence);
    }
    for (size_t k = 0; k < c->method_count; k++)
        if (c->methods[k].counterexample != NULL)
            write_counterexample_text(out, c, k, o);
}

static void write_figure(FILE *out, const cvp_figure *f)
{
    fputs("<figure><figcaption>", out);
    cvp_html_put(out, f->caption);
    fputs("</figcaption>", out);
    if (f->kind == CVP_FIGURE_BARS) {
        fputs("<div class=\"grid\">", out);
        cvp_svg_bars(out, f);
        fputs("</div>", out);
    } else {
        fputs("<div class=\"grids\">", out);
        for (size_t g = 0; g < f->grid_count; g++) {
            const cvp_figure_grid *grid = &f->grids[g];
            fputs("<div class=\"grid\"><div class=\"glabel\">", out);
            cvp_html_put(out, grid->label);
            fprintf(out, " <span class=\"loc\">(%zu&#215;%zu%s)</span></div>",
                    grid->rows, grid->cols,
                    cvp_svg_grid_is_symbolic(grid) ? "" : ", nonzero pattern");
            cvp_svg_grid(out, grid);
            fputs("</div>", out);
        }
        fputs("</div>", out);
    }
    fputs("</figure>", out);
}

static void write_claim(FILE *out, const cvp_claim_result *c, size_t number,
                        const cvp_render_options *o)
{
    fprintf(out, "<section class=\"claim c-%s\" id=\"claim-%zu\"><h2>%zu. ",
            c->outcome == CVP_OUTCOME_NOT_APPLICABLE ? "undecided"
                                                      : outcome_class(c->outcome),
            number, number);
    badge(out, c->outcome, cvp_render_claim_label(c));
    fputc(' ', out);
    cvp_html_put(out, c->title);
    fputs("</h2><div class=\"loc\">", out);
    fputs(c->is_refute ? "refute (expected to be false)" : "claim", out);
    if (c->file != NULL) {
        fputs(" at ", out);
        cvp_html_put(out, c->file);
        if (c->line > 0)
            fprintf(out, ":%d", c->line);
    }
    char seconds[32];
    cvp_render_format_seconds(seconds, sizeof seconds, c->seconds, 3);
    fprintf(out, ", %s s</div>", seconds);
    if (c->outcome == CVP_OUTCOME_TESTED) {
        fputs("<p class=\"note\">", out);
        cvp_html_put(out, cvp_render_tested_note);
        fputs(".</p>", out);
    }
    if (c->error != NULL) {
        fputs("<p class=\"note\">input error: ", out);
        cvp_html_put(out, c->error);
        fputs("</p>", out);
    }
    if (c->statement != NULL) {
        fputs("<pre>", out);
        cvp_html_put(out, c->statement);
        fputs("</pre>", out);
    }
    fputs("<div>", out);
    for (size_t k = 0; k < c->method_count; k++) {
        char text[64];
        snprintf(text, sizeof text, "%s: %s", cvp_method_name(c->methods[k].method),
                 cvp_outcome_name(c->methods[k].outcome));
        badge(out, c->methods[k].outcome, text);
    }
    fputs("</div>", out);
    write_methods(out, c, o);
    for (size_t k = 0; k < c->figure_count; k++)
        write_figure(out, &c->figures[k]);
    fputs("</section>\n", out);
}

int cvp_report_write_html(FILE *out, const cvp_report *r,
                          const cvp_render_options *o)
{
    /* A document is read whole: every claim, every method; only `full`
     * counts (large tensors summarised without it). */
    static const cvp_render_options defaults = {false, false, false, false};
    if (o == NULL)
        o = &defaults;
    char summary[160];
    cvp_render_format_summary(summary, sizeof summary, r);
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<title>convproof report: ", out);
    cvp_html_put(out, summary);
    fprintf(out, "</title><style>%s</style></head>\n<body><h1>convproof report</h1>"
                 "<p class=\"loc\">convproof ", style_sheet);
    cvp_html_put(out, r->tool_version);
    fprintf(out, ", seed %llu</p><p id=\"summary\"><strong>", r->seed);
    cvp_html_put(out, summary);
    fputs("</strong></p>\n", out);
    write_method_summary(out, r);
    write_claim_list(out, r);
    for (size_t k = 0; k < r->claim_count; k++)
        write_claim(out, &r->claims[k], k + 1, o);
    fputs("</body></html>\n", out);
    return cvp_render_finish(out);
}
