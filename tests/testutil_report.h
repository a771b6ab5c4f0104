/* testutil_report.h -- the sample report and the rendering helpers shared
 * by the report tests (test_report, test_report_json, test_verdict).
 *
 * Include as the first header (it includes testutil.h and with it
 * cmocka).  Strings returned by tu_render are the caller's to free; the
 * sample report is the caller's to cvp_report_clear. */
#ifndef CVP_TESTUTIL_REPORT_H
#define CVP_TESTUTIL_REPORT_H

#include "testutil.h"

#include <stdio.h>

#include "check/verdict.h"
#include "report/render.h"

/* The "label" input of the sample's failing claim: quotes, a tab, a
 * backslash, a newline and UTF-8 (U+03A3, U+00FC). */
#define TU_TRICKY_VALUE "a \"quoted\"\tback\\slash\nnext line: \xce\xa3 \xc3\xbc"

/* r := the sample report (seed 42), four claims: one that passes, one
 * that fails with counterexamples (one input is TU_TRICKY_VALUE), one
 * undecided, and a refute that found its counterexample.  Its renderings
 * are written out by hand in test_report.c and test_report_json.c. */
void tu_build_sample_report(cvp_report *r);

typedef int (*tu_render_fn)(FILE *, const cvp_report *, const cvp_render_options *);

/* The text `fn` writes for r with options o (malloc'd); asserts that the
 * renderer succeeds and writes no NUL byte. */
char *tu_render(tu_render_fn fn, const cvp_report *r,
                const cvp_render_options *o);

/* Fails (printing both) unless fn renders r exactly as `expected`. */
void tu_assert_rendered(tu_render_fn fn, const cvp_report *r,
                        const cvp_render_options *o, const char *expected);

/* Fails (printing the text) unless `fragment` occurs in `text` / does not. */
void tu_assert_rendered_has(const char *text, const char *fragment);
void tu_assert_rendered_lacks(const char *text, const char *fragment);

/* The system Python, not whatever is first on PATH; a build may point
 * this elsewhere with -DCVP_TEST_PYTHON='"..."'. */
#ifndef CVP_TEST_PYTHON
#define CVP_TEST_PYTHON "/usr/bin/python3"
#endif

/* Runs tests/report_json_check.py (under CVP_SRCDIR, as Makefile.am sets
 * it for the programs that call this) on `json` with the PATH EXPECTED
 * pairs in `checks` (NULL-terminated, or NULL).  Returns its exit status,
 * or -1 when there is no CVP_TEST_PYTHON.  No shell is involved, so the
 * expected strings reach Python byte for byte. */
int tu_run_json_check(const char *json, const char *const *checks);

#endif
