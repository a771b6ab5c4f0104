/* impl.h -- testing other people's implementations of conv and pooling
 * layers against the exact operators (`convproof test-impl`).
 *
 * A test case is one operation at one set of dimensions with concrete
 * exact inputs.  An evaluator (cvp_impl_eval_fn) hands cases to the
 * implementation under test and judges what comes back against the exact
 * result (cvp_impl_judge): exactly when the arithmetic must be exact in
 * float64, else within the rigorous bound of ext/compare.h.  The sweep
 * (cvp_impl_sweep) chooses the cases, the shrinker (cvp_impl_shrink)
 * minimises a failing one, and cvp_impl_test runs it all and writes the
 * verdict records of check/verdict.h.  The external-process evaluator
 * and its protocol are in ext/impl_run.h and docs/impl-protocol.md.
 *
 * Tensors inside a case are kept in the canonical (PyTorch) layout: NCHW
 * activations, OIHW kernels, bias [O].  The implementation's layout is
 * applied only when talking to it and when reporting.
 *
 * Conventions as in kernel/: every _init has its _clear, outputs first,
 * errors as cvp_status + cvp_error.  Library code: nothing is printed.
 */
#ifndef CVP_IMPL_H
#define CVP_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/verdict.h"
#include "kernel/tensor.h"

/* ---- operations and layouts ------------------------------------------ */

typedef enum {
    CVP_IMPL_CONV2D,
    CVP_IMPL_CONV2D_BACKWARD,
    CVP_IMPL_MAX_POOL2D,
    CVP_IMPL_MAX_POOL2D_BACKWARD,
    CVP_IMPL_AVG_POOL2D,
    CVP_IMPL_AVG_POOL2D_BACKWARD,
    CVP_IMPL_OP_COUNT
} cvp_impl_op;

typedef enum { CVP_IMPL_NCHW, CVP_IMPL_NHWC } cvp_impl_layout;

/* What a tensor is, which decides its layout:
 *   activation  NCHW            | NHWC
 *   weight      OIHW            | HWIO  (kH, kW, C_in/groups, C_out)
 *   bias        [O]             | [1, 1, 1, O]                          */
typedef enum {
    CVP_IMPL_ACTIVATION,
    CVP_IMPL_WEIGHT,
    CVP_IMPL_BIAS
} cvp_impl_kind;

#define CVP_IMPL_MAX_INPUTS 4
#define CVP_IMPL_MAX_OUTPUTS 3

typedef struct {
    const char *name;          /* "conv2d_backward" */
    bool conv;                 /* has a kernel, a bias and output channels */
    bool backward;
    bool average;              /* average pooling (a division) */
    size_t input_count;
    const char *inputs[CVP_IMPL_MAX_INPUTS];   /* x, weight, bias, grad_output */
    cvp_impl_kind input_kinds[CVP_IMPL_MAX_INPUTS];
    size_t output_count;
    const char *outputs[CVP_IMPL_MAX_OUTPUTS]; /* out | grad_input, ... */
    cvp_impl_kind output_kinds[CVP_IMPL_MAX_OUTPUTS];
} cvp_impl_op_info;

const cvp_impl_op_info *cvp_impl_op_get(cvp_impl_op op);
/* By name; false when there is no such operation. */
bool cvp_impl_op_parse(cvp_impl_op *op, const char *name);

const char *cvp_impl_layout_name(cvp_impl_layout layout);   /* "nchw", "nhwc" */
bool cvp_impl_layout_parse(cvp_impl_layout *layout, const char *name);

/* ---- dimensions ------------------------------------------------------ */

/* Index 0 of the pairs is the height, 1 the width.  Pooling uses n, c, h,
 * w, kernel, stride and padding (o = c, dilation 1, groups 1); pooling is
 * floor mode, and average pooling counts the padding in its divisor (the
 * PyTorch defaults). */
typedef struct {
    size_t n, c, h, w;         /* input: batch, channels, height, width */
    size_t o;                  /* output channels */
    size_t kernel[2], stride[2], padding[2], dilation[2];
    size_t groups;
} cvp_impl_dims;

/* CVP_OK when d is a valid case of op: every size >= 1, an output of at
 * least 1x1, groups dividing both channel counts, a pooling padding of at
 * most half the window; else CVP_ERR_INPUT saying why. */
cvp_status cvp_impl_dims_check(const cvp_impl_dims *d, cvp_impl_op op,
                               cvp_error *err);

/* Output height and width of valid dims. */
void cvp_impl_dims_out(size_t out[2], const cvp_impl_dims *d, cvp_impl_op op);

/* "N=1, C=2, H=3, W=3, O=2, K=2x2, S=1x1, P=0x0" (", D=2x1" when a
 * dilation is not 1, ", G=2" when groups is not 1; no O for pooling). */
void cvp_impl_dims_format(char *buf, size_t size, const cvp_impl_dims *d,
                          cvp_impl_op op);

/* Shape of input (output) number k of op in the given layout. */
void cvp_impl_input_shape(int *rank, size_t shape[CVP_MAX_RANK],
                          const cvp_impl_dims *d, cvp_impl_op op, size_t k,
                          cvp_impl_layout layout);
void cvp_impl_output_shape(int *rank, size_t shape[CVP_MAX_RANK],
                           const cvp_impl_dims *d, cvp_impl_op op, size_t k,
                           cvp_impl_layout layout);

/* out := t (canonical layout) in `layout`, or back (to_canonical).  out
 * may be t. */
cvp_status cvp_impl_convert(cvp_tensor_t out, const cvp_tensor_t t,
                            cvp_impl_kind kind, cvp_impl_layout layout,
                            bool to_canonical, cvp_error *err);

/* ---- test cases ------------------------------------------------------ */

typedef struct {
    cvp_impl_op op;
    cvp_impl_dims d;
    cvp_tensor_t inputs[CVP_IMPL_MAX_INPUTS];  /* canonical layout */
    int64_t lo, hi;            /* range of random entries */
    uint64_t seed;             /* of the random entries */
} cvp_impl_case;

void cvp_impl_case_init(cvp_impl_case *c);
void cvp_impl_case_clear(cvp_impl_case *c);
cvp_status cvp_impl_case_set(cvp_impl_case *dst, const cvp_impl_case *src,
                             cvp_error *err);
/* True when a and b are the same case: operation, dims and every input
 * entry (the range and seed they were drawn from do not count). */
bool cvp_impl_case_same(const cvp_impl_case *a, const cvp_impl_case *b);

/* Makes c a case of op at dims d (valid) with every input entry a random
 * integer of [lo, hi] drawn from `seed`. */
cvp_status cvp_impl_case_fill(cvp_impl_case *c, cvp_impl_op op,
                              const cvp_impl_dims *d, int64_t lo, int64_t hi,
                              uint64_t seed, cvp_error *err);

/* Gives c the dims d (valid), keeping every input entry whose index still
 * exists and filling new entries with random integers of [c->lo, c->hi]
 * (drawn from c->seed and `salt`). */
cvp_status cvp_impl_case_redim(cvp_impl_case *c, const cvp_impl_dims *d,
                               uint64_t salt, cvp_error *err);

/* What a redim drops at the front of each axis: the first n batch items,
 * the first c input and o output channels (of x, the weight, the bias
 * and grad_output; o is unused by pooling, whose grad_output has c
 * channels), the first in[0] rows and in[1] columns of x and out[0],
 * out[1] of grad_output.  A spatial crop by a multiple of the stride keeps
 * every window's contents.  Channel crops assume groups 1. */
typedef struct {
    size_t n, c, o;
    size_t in[2], out[2];
} cvp_impl_crop;

/* cvp_impl_case_redim, with the new tensors starting where crop says in
 * the old ones (entries beyond the old ones are drawn as there). */
cvp_status cvp_impl_case_crop(cvp_impl_case *c, const cvp_impl_dims *d,
                              const cvp_impl_crop *crop, uint64_t salt,
                              cvp_error *err);

/* Total number of input entries, and of the nonzero ones. */
size_t cvp_impl_case_entries(const cvp_impl_case *c, size_t *nonzero);

/* The exact outputs of the case, canonical layout (PyTorch semantics:
 * max pooling's gradient goes to the first maximum of a window in
 * row-major order). */
cvp_status cvp_impl_expected(cvp_tensor_t out[CVP_IMPL_MAX_OUTPUTS],
                             const cvp_impl_case *c, cvp_error *err);

/* For each output: the sum of the absolute values of the terms summed
 * into each entry (canonical layout), the number n of terms of the
 * rounding bound gamma_n, and the divisor every term is an integer
 * multiple of 1/divisor of (1 except for average pooling).  See
 * docs/impl-protocol.md for the term counts. */
cvp_status cvp_impl_abs_sums(cvp_tensor_t sums[CVP_IMPL_MAX_OUTPUTS],
                             unsigned long terms[CVP_IMPL_MAX_OUTPUTS],
                             unsigned long *divisor, const cvp_impl_case *c,
                             cvp_error *err);

/* ---- results --------------------------------------------------------- */

typedef enum {
    CVP_IMPL_AGREES,           /* every output exact, or within the bound */
    CVP_IMPL_WRONG_VALUES,
    CVP_IMPL_WRONG_SHAPE,
    CVP_IMPL_NO_OUTPUT,        /* an output file was not written */
    CVP_IMPL_BAD_OUTPUT,       /* not a readable .npy, or NaN/infinity */
    CVP_IMPL_CRASHED,          /* nonzero exit, a signal, or a traceback */
    CVP_IMPL_TIMED_OUT,
    CVP_IMPL_NOT_STARTED,      /* the command could not be started */
    /* Not a failure: the implementation answered that it does not handle
     * this case (docs/impl-protocol.md, "unsupported").  The case is
     * skipped and counted, never shrunk or reported as a bug. */
    CVP_IMPL_UNSUPPORTED
} cvp_impl_finding;

/* Bit of a layout in cvp_impl_result.layouts. */
#define CVP_IMPL_LAYOUT_BIT(layout) (1u << (unsigned)(layout))

/* "agrees", "wrong values", "wrong shape", ... */
const char *cvp_impl_finding_name(cvp_impl_finding f);

typedef struct {
    /* Filled by the evaluator. */
    bool not_started;
    bool timed_out;
    int exit_code;             /* when it exited normally */
    int signal;                /* > 0: killed by this signal */
    bool traceback;            /* stderr holds a Python traceback */
    bool raised;               /* an implementation called in process
                                  (src/api) raised; stderr_excerpt holds
                                  its message */
    char *stderr_excerpt;      /* or NULL */
    char *start_error;         /* not_started: why */
    double seconds;
    size_t run_cases;          /* cases in the run that gave this result
                                  (1: a run of its own; 0: none ended) */
    bool present[CVP_IMPL_MAX_OUTPUTS];
    char *read_error[CVP_IMPL_MAX_OUTPUTS];   /* present but unreadable */
    /* The dtype each output was written in ("float64", "float32", ...;
     * "" when unknown, as for an in-process evaluator). */
    char dtype[CVP_IMPL_MAX_OUTPUTS][16];
    /* The case's status answer (docs/impl-protocol.md). */
    bool unsupported;          /* it answered "unsupported" */
    char *unsupported_reason;  /* the reason it gave, or NULL */
    unsigned layouts;          /* the layouts it said it speaks
                                  (CVP_IMPL_LAYOUT_BIT), 0: not said */
    char *status_error;        /* a status file that is not valid */
    cvp_tensor_t outputs[CVP_IMPL_MAX_OUTPUTS];   /* implementation layout */
    /* Filled by cvp_impl_judge. */
    cvp_impl_finding finding;
    int output;                /* the output concerned, or -1 */
    bool exact_regime;         /* every output had to be exact */
    cvp_tensor_t expected[CVP_IMPL_MAX_OUTPUTS];  /* implementation layout */
    char *message;             /* what is wrong (NULL when it agrees) */
    char *differences;         /* differing entries, one per line, or NULL */
    double max_ulps;           /* largest error seen, in ulps (entries
                                  whose exact value is not 0) */
    size_t zero_errors;        /* entries exactly 0 that came out nonzero */
    double max_ratio;          /* largest error / allowed error */
} cvp_impl_result;

void cvp_impl_result_init(cvp_impl_result *r);
void cvp_impl_result_clear(cvp_impl_result *r);
/* Back to the state of a fresh result. */
void cvp_impl_result_reset(cvp_impl_result *r);

/* Judges an evaluated case: sets finding, output, exact_regime, expected,
 * message, differences, max_ulps, max_ratio.  Fails only on an internal
 * error (a limit). */
cvp_status cvp_impl_judge(cvp_impl_result *r, const cvp_impl_case *c,
                          cvp_impl_layout layout, cvp_error *err);

/* True when b fails the same way as a: the same finding and, for findings
 * about an output, the same output.  (An unsupported answer is no
 * failure; the shrinker never starts from one.) */
bool cvp_impl_same_failure(const cvp_impl_result *a, const cvp_impl_result *b);

/* An evaluator: runs cases[0..count-1] and fills (and judges) results
 * [0..count-1] (initialised by the caller, reset by the evaluator).
 * Returns non-OK only for errors of convproof itself. */
typedef cvp_status (*cvp_impl_eval_fn)(void *ctx, cvp_impl_result *results,
                                       const cvp_impl_case *const *cases,
                                       size_t count, cvp_error *err);

/* ---- the sweep ------------------------------------------------------- */

typedef struct {
    long lo, hi;
} cvp_impl_range;

/* Parameter ranges of a sweep, and the lower bounds shrinking keeps. */
typedef struct {
    cvp_impl_range n, c, o, h, w, k, s, p, d, g;
    cvp_impl_range values;     /* integers of the ordinary cases */
    bool square;               /* kernel, stride, padding, dilation equal
                                  on both axes */
} cvp_impl_space;

/* The default space of op in a layout.  nhwc (the course code): square
 * windows, no dilation, no groups, unpadded pooling.  nchw (PyTorch):
 * rectangular windows, dilation 1..2 and groups 1..2 for conv, pooling
 * padding up to half the window.  Both: N 1..2, C and O 1..3, H and W
 * 1..7, kernel 1..3, stride 1..3, conv padding 0..2, values -9..9. */
void cvp_impl_space_default(cvp_impl_space *s, cvp_impl_op op,
                            cvp_impl_layout layout);

/* Overrides from --shapes: "N=1..2,H=3..8,K=2" (keys N C O H W K S P D G,
 * each a value or LO..HI).  Applied to s in order; keys a space does not
 * use (O, D, G for pooling) are ignored by the sweep. */
cvp_status cvp_impl_space_parse(cvp_impl_space *s, const char *spec,
                                cvp_error *err);

/* The cases of a sweep: a grid over kernel x stride x padding (each at
 * most four values of its range: lo, lo+1, lo+2, hi), sizes chosen so
 * that the stride alternately does and does not divide them, then
 * `trials` random cases.  Values: every third grid case and every fourth
 * random case from -1..1 (ties), every fourth random case (from the
 * fourth on) large integers of magnitude up to 2^30 when `large` (their
 * sums pass 2^53, so rounding is allowed within the bound), the rest from
 * s->values.  Allocates *cases (count in *count); free each with
 * cvp_impl_case_clear and the array with free(). */
cvp_status cvp_impl_sweep(cvp_impl_case **cases, size_t *count,
                          cvp_impl_op op, const cvp_impl_space *s,
                          size_t trials, bool large, uint64_t seed,
                          cvp_error *err);

/* ---- shrinking ------------------------------------------------------- */

typedef struct {
    cvp_impl_eval_fn eval;
    void *ctx;
    cvp_impl_layout layout;
    const cvp_impl_space *space;   /* lower bounds of every parameter */
    size_t window;                 /* candidates evaluated together (>= 1) */
    size_t max_runs;               /* stop after this many evaluations */
} cvp_impl_shrinker;

typedef struct {
    size_t runs;                   /* candidates evaluated */
    size_t steps;                  /* candidates accepted */
    bool limit_reached;
} cvp_impl_shrink_stats;

/* Minimises the failing case c, whose result is r: smaller batch, groups,
 * channels, spatial size, kernel, stride, padding and dilation (each as
 * small as possible while the case still fails the same way), repeated
 * until nothing changes; then fewer nonzero input entries, then entries
 * of smaller magnitude (positive before negative).  On return c and r are
 * the smallest failing case found and its result. */
cvp_status cvp_impl_shrink(cvp_impl_case *c, cvp_impl_result *r,
                           const cvp_impl_shrinker *s,
                           cvp_impl_shrink_stats *stats, cvp_error *err);

/* ---- the whole test -------------------------------------------------- */

typedef struct {
    cvp_impl_layout layout;
    bool layout_set;               /* the layout was chosen (--layout):
                                      an implementation that declares
                                      other layouts only is an input
                                      error either way, worded for it */
    const char *command;           /* for the report's titles */
    const char *shapes;            /* --shapes overrides, or NULL */
    cvp_impl_range values;         /* integers of the ordinary cases */
    bool values_set;
    size_t trials;                 /* random cases after the grid */
    uint64_t seed;
    bool large;                    /* include the bounded (large) cases */
    bool shrink;
    size_t window;                 /* evaluations in flight */
    size_t max_shrink_runs;
} cvp_impl_test_options;

void cvp_impl_test_options_default(cvp_impl_test_options *o);

/* Tests op: runs the sweep through eval (stopping at the first round with
 * a failure), shrinks the first failing case, and appends one claim to
 * report (see docs/impl-protocol.md for the mapping). */
cvp_status cvp_impl_test(cvp_report *report, cvp_impl_op op,
                         const cvp_impl_test_options *o, cvp_impl_eval_fn eval,
                         void *ctx, cvp_error *err);

#endif
