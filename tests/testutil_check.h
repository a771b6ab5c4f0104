/* testutil_check.h -- helpers of the cmocka tests that run the checker on
 * a proof text (test_check_verdicts, test_check_forms, test_all_shapes,
 * test_verdict, test_interval).
 *
 * It includes testutil.h.  A tu_check_run owns its parsed file and its
 * report until tu_run_clear; the claim, method and counterexample pointers
 * the helpers return point into that report and die with it.  The
 * expected values of a tu_claim_case are written by hand in each test
 * (worked out in the comment beside it), never read back from a run. */
#ifndef CVP_TESTUTIL_CHECK_H
#define CVP_TESTUTIL_CHECK_H

#include "testutil.h"

#include <stdbool.h>

#include "check/check.h"
#include "check/verdict.h"
#include "lang/proof.h"

/* file := the parse of `text` (source name "t.proof"); the test fails
 * with the parser's message if it does not parse. */
void tu_parse(cvp_proof_file *file, const char *text);

typedef struct {
    cvp_proof_file file;
    cvp_report report;
    cvp_lang_error err;
    cvp_status status;           /* of cvp_check_file */
    cvp_check_options options;   /* the options the run used */
} tu_check_run;

/* Parses `text` (which must parse) and checks every claim with the
 * default options (seed 1, 3 exact trials, 2 random points per shape).
 * The status is left in r->status, the error in r->err: a run may fail
 * on purpose. */
void tu_run_text(tu_check_run *r, const char *text);

/* The same with polynomials limited to max_terms terms. */
void tu_run_text_terms(tu_check_run *r, const char *text, size_t max_terms);

/* The same on the proof file at `path`. */
void tu_run_file(tu_check_run *r, const char *path);

void tu_run_clear(tu_check_run *r);

/* The only claim of a run, which must have checked without error. */
const cvp_claim_result *tu_only_claim(const tu_check_run *r);

/* The result of `method` in claim c (the test fails if there is none). */
const cvp_method_result *tu_method_of(const cvp_claim_result *c,
                                      cvp_method method);

/* Fails unless `text` is not NULL and contains `fragment`. */
void tu_assert_contains(const char *text, const char *fragment);

/* Fails unless `text` equals `want` once white space is removed from both
 * (the layout of the tensor text form is not under test). */
void tu_assert_text(const char *text, const char *want);

/* Reads the integers of a tensor's text form ("[[0, -1]]") into
 * out[0..max); returns how many there are.  Counterexamples of integer
 * instances must not contain fractions (asserted). */
size_t tu_ints_of(long *out, size_t max, const char *text);

size_t tu_count_nonzero(const long *v, size_t n);

/* ---- one claim, checked against a row of a table --------------------- */

/* What a test states about the one claim of `text`.  The claim's outcome
 * is always checked; every other field is checked only when given (a
 * NULL string, a zero count, method_stated false).  The method fields
 * and the counterexample are those of the claim's first method result. */
typedef struct {
    const char *text;            /* a proof text with exactly one claim */
    cvp_outcome outcome;         /* the claim's verdict */
    bool method_stated;          /* check method_outcome */
    cvp_outcome method_outcome;  /* the first method's outcome */
    size_t instances;            /* the first method's instance count */
    const char *evidence_has[2]; /* fragments of its evidence */
    const char *reason_has;      /* a fragment of its reason */
    /* its counterexample, which must exist if any of these is given: */
    const char *shape;           /* exactly */
    bool shapeless;              /* no shape named (a claim without dims) */
    const char *input;           /* the first input, white space ignored */
    const char *lhs, *rhs;       /* white space ignored */
    const char *differences;     /* exactly */
    const char *differences_has[2];
} tu_claim_case;

/* Runs c->text and asserts every stated part of the result.  `label`
 * names the row in a failure message. */
void tu_check_claim_case(const tu_claim_case *c, const char *label);

/* Runs every row of a table (n rows). */
void tu_check_claim_cases(const tu_claim_case *cases, size_t n);

#endif
