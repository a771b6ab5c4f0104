/* render_util.h -- helpers shared by the renderers (internal to report/).
 *
 * None of these allocate.  Functions that write to a FILE ignore write
 * errors on purpose: each renderer checks the stream once, at the end,
 * with cvp_render_finish (a failed stream stays failed).
 */
#ifndef CVP_RENDER_UTIL_H
#define CVP_RENDER_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report/render.h"
#include "report/tensor_summary.h"
#include "check/verdict.h"

/* UTF-8 of U+FFFD, written in place of each byte that is not valid UTF-8. */
#define CVP_RENDER_REPLACEMENT "\xEF\xBF\xBD"

/* The length (1..4) of the well-formed UTF-8 sequence starting at s, or 0
 * if the bytes there are not one (overlong forms, surrogates and code
 * points above U+10FFFF are not).  *s must not be NUL. */
size_t cvp_utf8_valid_length(const char *s);

/* Writes s[0..len-1] for a reader: control characters other than newline
 * and tab become "\xHH", invalid UTF-8 bytes become U+FFFD.  s[0..len-1]
 * is part of a NUL-terminated string and holds no NUL. */
void cvp_render_put_visible(FILE *out, const char *s, size_t len);

/* Writes `indent` spaces. */
void cvp_render_indent(FILE *out, int indent);

/* Writes a possibly multi-line text field.  Trailing newlines are dropped
 * (tensor text ends with one).  With a label ("X =", "evidence:"), a
 * one-line text goes on the label's line and a multi-line one (or any text
 * when `below` is set) on the lines under it, indented two more; without a
 * label every line is indented by `indent`.  Empty lines carry no
 * indentation, so no line ends in spaces.  The label is visible(name)
 * followed by `suffix`; either part may be NULL.  NULL text writes
 * nothing. */
void cvp_render_block(FILE *out, int indent, const char *name,
                      const char *suffix, const char *text, bool below);

/* The inputs, both sides, differing entries (or the implementation's
 * failure) and first differing term of a counterexample, one block each
 * at `indent` (the shape and show line are left to the caller, who
 * phrases them for its format).  Large tensors are summarised unless
 * o->full (report/tensor_summary.h); `o` may be NULL. */
void cvp_render_counterexample_body(FILE *out, int indent,
                                    const cvp_counterexample *c,
                                    const cvp_render_options *o);

/* One line naming the inputs `shown` leaves out (marked unused: they do
 * not occur in the failing show), or nothing when none is. */
void cvp_render_left_out(FILE *out, int indent, const cvp_counterexample *c,
                         const cvp_shown_values *shown);
/* The same line as a new malloc'd string (for formats that escape it),
 * or NULL when no input is left out. */
char *cvp_render_left_out_text(const cvp_counterexample *c,
                               const cvp_shown_values *shown);

/* Whether two counterexamples are the same instance with the same result
 * (shape, show, inputs, sides, differences, failure; the first differing
 * term, which only symbolic methods find, is not compared). */
bool cvp_counterexample_same(const cvp_counterexample *a,
                             const cvp_counterexample *b);

/* The method (index) whose counterexample a claim's report shows in
 * full, among those that hold an instance (inputs, sides or a failure;
 * a record with only symbolic's first differing term is always shown
 * as it is): the smallest (fewest nonzero input entries, then fewest input
 * entries), the first method's among equals; SIZE_MAX when no method has
 * one. */
size_t cvp_render_main_counterexample(const cvp_claim_result *c);

/* What stands in place of method k's counterexample, written into buf:
 * "same counterexample as symbolic" when the claim shows it already, or
 * (unless o->full) "a different counterexample, no smaller than
 * symbolic's (--full or the JSON report shows it)".  NULL when method k's
 * counterexample is shown itself (or it has none). */
const char *cvp_render_counterexample_note(char *buf, size_t size,
                                           const cvp_claim_result *c, size_t k,
                                           const cvp_render_options *o);

/* What a TESTED verdict means, in one sentence (Markdown, HTML, JUnit). */
extern const char cvp_render_tested_note[];

/* "PASS", "PASS (refuted as expected)", "TESTED", "FAIL" or "UNDECIDED". */
const char *cvp_render_claim_label(const cvp_claim_result *c);

/* Whether a claim appears under the options (quiet hides passed ones; a
 * TESTED claim stays, since it was not proved). */
bool cvp_render_claim_shown(const cvp_claim_result *c,
                            const cvp_render_options *o);

/* Whether this method's outcome says the statement holds, at the method's
 * strength: a claim that passed, or a refute that found no counterexample. */
bool cvp_render_statement_holds(const cvp_claim_result *c,
                                const cvp_method_result *m);

/* Seconds as "12.345" with `decimals` (0..9) digits, rounded; not finite
 * or negative is written as 0, and values are capped at 10^9 s, so the
 * result is always a plain finite number.  Locale-independent. */
void cvp_render_format_seconds(char *buf, size_t size, double seconds,
                               int decimals);

/* "1 shape, 20 instances". */
void cvp_render_format_counts(char *buf, size_t size, size_t shapes,
                              size_t instances);

/* "P passed, F failed" with ", T tested" after "passed" when T > 0 and
 * ", U undecided" when U > 0; no newline. */
void cvp_render_format_summary(char *buf, size_t size, const cvp_report *r);

/* Flushes `out`; returns -1 if it failed or any earlier write did. */
int cvp_render_finish(FILE *out);

#endif
