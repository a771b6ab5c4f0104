/* render.h -- the renderings of a verdict report: text, Markdown, JSON,
 * HTML and JUnit XML.
 *
 * Renderers only read the report (it stays owned by the caller) and write
 * to the caller's stream; they print nothing else and evaluate nothing.
 * Each returns 0, or -1 when a write to `out` failed (the stream is
 * flushed at the end so that errors of buffered writes are seen too).
 * `o` may be NULL for the defaults (all options off).
 *
 * Every user-supplied string is made safe for its format: in text and
 * Markdown, control characters other than newline and tab are shown as
 * "\xHH" (so a stray escape sequence cannot repaint the terminal), and
 * bytes that are not valid UTF-8 become U+FFFD; JSON escapes as RFC 8259
 * requires.  Numbers are formatted without the C locale's help, so a
 * program that calls setlocale still writes "0.125", never "0,125".
 *
 * The formats are described in docs/report-format.md; the JSON schema is
 * docs/report-schema.json.
 */
#ifndef CVP_RENDER_H
#define CVP_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "check/verdict.h"

typedef struct {
    bool verbose;   /* show statements, evidence, and every method even
                       when the claim passed */
    bool quiet;     /* show only claims not passed (TESTED ones stay), and
                       the summary line */
    bool color;     /* ANSI colours (text only; the summary line never) */
    bool full;      /* every entry of a counterexample's tensors (text,
                       Markdown, HTML, JUnit): without it a tensor of more
                       than 256 entries is summarised (report/
                       tensor_summary.h); JSON always has every entry */
} cvp_render_options;

/* The terminal format.  Ends with the one summary line
 * "P passed, F failed" (", T tested" after "passed" when T > 0,
 * ", U undecided" appended when U > 0, then " (E with an input error)"
 * when E > 0 of those claims had one). */
int cvp_report_write_text(FILE *out, const cvp_report *r,
                          const cvp_render_options *o);

/* The two parts of the text report, for printing it as the claims are
 * decided: one claim's block (nothing when the options hide it), and the
 * seed and summary lines that end the report.  The blocks of every claim
 * in order, then the summary, are exactly cvp_report_write_text's output.
 * Both flush `out`. */
int cvp_report_write_text_claim(FILE *out, const cvp_claim_result *c,
                                const cvp_render_options *o);
int cvp_report_write_text_summary(FILE *out, const cvp_report *r);

/* GitHub-flavoured Markdown: a summary table, then one section per claim.
 * `color` is ignored. */
int cvp_report_write_markdown(FILE *out, const cvp_report *r,
                              const cvp_render_options *o);

/* JSON, schema_version 3.  Always complete, every entry of every tensor:
 * the options are ignored, since a machine reader filters for itself. */
int cvp_report_write_json(FILE *out, const cvp_report *r,
                          const cvp_render_options *o);

/* One self-contained HTML page (inline style sheet and SVG pictures, no
 * script, nothing fetched): a summary by method, every claim with its
 * badges, evidence and counterexamples, and the figures of verdict.h.
 * A document shows every claim and method: of the options only `full`
 * counts. */
int cvp_report_write_html(FILE *out, const cvp_report *r,
                          const cvp_render_options *o);

/* JUnit XML (the Jenkins/Ant structure, tests/junit.xsd): one test suite
 * per file, one test case per claim and method; a failed method carries
 * its counterexample.  Of the options only `full` counts. */
int cvp_report_write_junit(FILE *out, const cvp_report *r,
                           const cvp_render_options *o);

#endif
