/* verdict.h -- the records a check produces, which every report renders.
 *
 * The engine fills these records; report/ renders them and evaluates
 * nothing.  All strings in a record are owned by it (copied in by the
 * setters below) and freed by cvp_report_clear.  Text fields hold plain
 * UTF-8 that may span several lines; renderers escape as their format
 * requires.
 */
#ifndef CVP_VERDICT_H
#define CVP_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/status.h"

/* The methods of DESIGN.md, weakest evidence first. */
typedef enum {
    CVP_METHOD_EXACT,
    CVP_METHOD_RANDOM,
    CVP_METHOD_SYMBOLIC,
    CVP_METHOD_ALL_SHAPES,
    CVP_METHOD_BOUNDED,
    CVP_METHOD_REGIONS,
    CVP_METHOD_COUNT
} cvp_method;

/* "exact", "random", ... */
const char *cvp_method_name(cvp_method m);
/* Whether a pass by this method proves the statement (for every real
 * input, every shape, or with a printed bound): every method but exact
 * and bounded, whose passes only say the claim held on the instances they
 * tried (bounded: within a rigorous enclosure at each of them). */
bool cvp_method_proves(cvp_method m);
/* One line on what a pass by this method means (DESIGN.md's table). */
const char *cvp_method_strength(cvp_method m);

/* The outcome of one method on one claim, and of the claim as a whole.
 *
 * TESTED is a claim's outcome only, never a method's: a method reports
 * what it saw (exact PASSED: the statement held on every instance tried,
 * its strength says no more), and the claim's outcome weighs the evidence.
 * A claim whose only passing methods sample (exact, and so every claim
 * calling an implementation NAME.op(...), which only exact can run) is
 * TESTED, not PASSED: sampling can miss a counterexample, so it is no
 * proof.  TESTED counts as verified (exit status 0) unless the run asks
 * for proofs (`check --strict`).  A refute is different: a counterexample
 * found by exact, confirmed in Q, proves the claim false, so a refute
 * settled by exact is PASSED. */
typedef enum {
    CVP_OUTCOME_PASSED,        /* claim: holds; refute: a counterexample found */
    CVP_OUTCOME_FAILED,        /* claim: a counterexample; refute: none found */
    CVP_OUTCOME_UNDECIDED,     /* a limit was reached; never counts as passed */
    CVP_OUTCOME_NOT_APPLICABLE,/* the method cannot judge this claim */
    CVP_OUTCOME_TESTED         /* claim only: held on every sample, unproved */
} cvp_outcome;

/* "passed", "failed", "undecided", "not_applicable", "tested" */
const char *cvp_outcome_name(cvp_outcome o);

/* A concrete counterexample: one shape, one instance. */
typedef struct {
    char *shape;            /* "M=2, N=3, U=1, V=1" */
    size_t input_count;
    char **input_names;     /* "X", "W" */
    char **input_values;    /* exact text form of each input */
    /* input_unused[k]: input k does not occur in the failing show (nor in
     * the lets it uses), so it cannot influence the difference; the text
     * reports leave it out unless --full.  Grows with the inputs. */
    bool *input_unused;
    int show_line;          /* the line of the `show` that failed */
    char *lhs;              /* exact text form of both sides */
    char *rhs;
    char *differences;      /* "[0, 1]: 5 != 6" lines, at most a few */
    /* An implementation under test failed on this instance (crashed,
     * timed out, wrote no output or a wrong shape): what happened, with
     * the head and tail of its standard error.  There are no two values
     * to compare then, so lhs, rhs and differences are NULL.  Or NULL. */
    char *failure;
    char *first_term;       /* symbolic: first differing polynomial term, or NULL */
} cvp_counterexample;

typedef struct {
    cvp_method method;
    cvp_outcome outcome;
    size_t shapes;          /* shapes covered */
    size_t instances;       /* instances (or random points) evaluated */
    double seconds;
    char *evidence;         /* free text: what was shown, bounds, sizes; or NULL */
    char *reason;           /* why not applicable / undecided / failed, or NULL */
    cvp_counterexample *counterexample;   /* or NULL */
} cvp_method_result;

/* ---- figures: data for pictures (HTML report) ----------------------------
 *
 * A figure holds what a picture shows, already computed by the engine
 * (report/figures.h), so that a renderer only draws: matrices and tensors
 * as grids of entry texts with marks, or counts as bars.  Figures are
 * illustrations of a claim at one small shape; they are never evidence. */

/* Marks of a grid cell (bit flags). */
#define CVP_CELL_ZERO 1u       /* the entry is 0 (drawn empty) */
#define CVP_CELL_PADDING 2u    /* the entry is padding (drawn shaded) */
#define CVP_CELL_DIFFERS 4u    /* differs from the other side (highlighted) */

/* A matrix (a tensor of rank > 2 is shown with its last axis as columns
 * and all other axes flattened into rows; a scalar is 1 x 1). */
typedef struct {
    char *label;            /* "jacobian(xcorr(W, X), X)", "W", "left side" */
    size_t rows, cols;
    char **cells;           /* rows * cols owned texts, row-major: "w11", "0", "-1/2" */
    unsigned char *marks;   /* rows * cols CVP_CELL_* flags */
} cvp_figure_grid;

/* One exact count, e.g. a number of multiplications. */
typedef struct {
    char *label;            /* the expression counted */
    char *value;            /* the exact integer, in decimal */
    double magnitude;       /* the same, approximately, for scaling the bar */
} cvp_figure_bar;

typedef enum {
    CVP_FIGURE_GRIDS,       /* grids side by side */
    CVP_FIGURE_BARS         /* bars with their exact numbers */
} cvp_figure_kind;

typedef struct {
    cvp_figure_kind kind;
    char *caption;          /* what the picture shows, and at which shape */
    size_t grid_count;
    cvp_figure_grid *grids;
    size_t bar_count;
    cvp_figure_bar *bars;
} cvp_figure;

typedef struct {
    char *title;
    bool is_refute;
    char *file;
    int line;
    char *statement;        /* the claim's `show` lines, as written */
    /* An input error in the claim (a shape that does not fit at some
     * assignment, an unknown function), located: "file:line:col: what";
     * or NULL.  Such a claim is UNDECIDED: it was not judged, and the
     * run that checked it exits 2 (cli.h). */
    char *error;
    cvp_outcome outcome;
    double seconds;
    size_t method_count;
    cvp_method_result *methods;
    size_t figure_count;    /* pictures for the HTML report; 0 unless asked */
    cvp_figure *figures;
} cvp_claim_result;

typedef struct {
    char *tool_version;
    unsigned long long seed;
    /* A report of `convproof check --shard K/N`: shard_index K (1..N),
     * shard_count N and shard_total, the claims of the whole run, so that
     * merge-reports can put the shards' claims back in order.  All 0 for
     * a report of a whole run (cvp_report_init). */
    size_t shard_index, shard_count, shard_total;
    size_t claim_count, claim_cap;
    cvp_claim_result *claims;
} cvp_report;

/* Running out of memory in any builder below is fatal (an always-on
 * assertion), as it is for GMP itself: the records are small, and a report
 * with silently missing parts would be worse than none. */
void cvp_report_init(cvp_report *r, const char *tool_version,
                     unsigned long long seed);
/* Frees everything the report owns and leaves it empty (a second clear is
 * harmless; reuse needs cvp_report_init). */
void cvp_report_clear(cvp_report *r);

/* Appends a claim (strings copied; any may be NULL for unknown, line <= 0
 * for unknown); returns it, valid until the next append.  The claim starts
 * UNDECIDED with no methods. */
cvp_claim_result *cvp_report_add_claim(cvp_report *r, const char *title,
                                       bool is_refute, const char *file,
                                       int line, const char *statement);

/* Moves every claim of `from` to the end of `to`, in order: the records
 * change owner, nothing is copied.  `from` keeps its version and seed
 * and is left with no claims.  For reports built apart (one per claim
 * checked on another thread) and joined in a fixed order. */
void cvp_report_move_claims(cvp_report *to, cvp_report *from);

/* Moves claim `index` of `from` to the end of `to` (the record changes
 * owner, nothing is copied); from's slot is left an empty record that
 * owns nothing, so the other indices of `from` keep their meaning.  For
 * reports merged claim by claim (the shards of one run). */
void cvp_report_take_claim(cvp_report *to, cvp_report *from, size_t index);

/* Appends a method result to a claim; returns it, valid until the next
 * append to the same claim.  A new result starts UNDECIDED with zero
 * counts, so a method the engine never finished cannot count as passed. */
cvp_method_result *cvp_claim_add_method(cvp_claim_result *c, cvp_method m);

/* Sets c->outcome from its methods' outcomes and returns it.  The outcome
 * that settles the question wins: for a claim a counterexample (any method
 * FAILED) makes it FAILED, else a PASSED method that proves
 * (cvp_method_proves) makes it PASSED, else a PASSED exact makes it
 * TESTED; for a refute a counterexample (any method PASSED) makes it
 * PASSED, else any FAILED method makes it FAILED.  Otherwise (no methods,
 * or only UNDECIDED and NOT_APPLICABLE ones) it is UNDECIDED.  A new claim
 * starts UNDECIDED; callers may also set c->outcome directly. */
cvp_outcome cvp_claim_decide(cvp_claim_result *c);

/* cvp_set_text and cvp_set_textf, the copying setters of every text
 * field here, are in kernel/status.h. */

/* Gives a method result a counterexample (allocated, empty; replacing and
 * freeing any previous one) and returns it.  show_line 0 means unknown. */
cvp_counterexample *cvp_method_add_counterexample(cvp_method_result *m);
/* Marks input k (< input_count) as not occurring in the failing show. */
void cvp_counterexample_mark_unused(cvp_counterexample *c, size_t k);
void cvp_counterexample_add_input(cvp_counterexample *c, const char *name,
                                  const char *value);

/* Appends a figure (caption copied) and returns it, valid until the next
 * append to the same claim. */
cvp_figure *cvp_claim_add_figure(cvp_claim_result *c, cvp_figure_kind kind,
                                 const char *caption);
/* Appends a rows x cols grid to a figure, every cell "" and unmarked (the
 * caller fills cells with cvp_set_text); returns it, valid until the next
 * append to the same figure. */
cvp_figure_grid *cvp_figure_add_grid(cvp_figure *f, const char *label,
                                     size_t rows, size_t cols);
void cvp_figure_add_bar(cvp_figure *f, const char *label, const char *value,
                        double magnitude);
/* Frees the grids of f from index `keep` on (a pair only half drawn). */
void cvp_figure_drop_grids(cvp_figure *f, size_t keep);
/* Frees the claim's last figure and removes it (one that came out empty). */
void cvp_claim_remove_last_figure(cvp_claim_result *c);

/* Counts claims by outcome; a claim NOT_APPLICABLE as a whole counts as
 * undecided (it was not verified).  A TESTED claim is in none of the three
 * (cvp_report_tested_count counts it).  Any output pointer may be NULL. */
void cvp_report_counts(const cvp_report *r, size_t *passed, size_t *failed,
                       size_t *undecided);
/* The number of TESTED claims: verified by sampling only. */
size_t cvp_report_tested_count(const cvp_report *r);
/* The number of claims with an input error (counted as undecided above
 * too). */
size_t cvp_report_error_count(const cvp_report *r);

#endif
