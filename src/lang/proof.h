/* proof.h -- .proof files: claims about tensors, parsed into a tree.
 *
 * A .proof file holds claims and refutes (and, before the claims that
 * use them, `implementation` declarations of external code):
 *
 *   claim "NNDL (5.13): wide convolution commutes up to rot180" {
 *     dim M, N in 1..6
 *     dim U, V in 1..4
 *     where U <= M
 *     tensor X[M, N]
 *     tensor W[U, V] values -3..3
 *     let R = rot180(W)
 *     show wide(R, X) == wide(rot180(X), W)
 *     by symbolic, exact(trials=5, seed=1)
 *   }
 *
 * Statements are one per line; '#' comments run to the end of the line.
 * `dim NAMES in LO..HI` declares shape variables (LO >= 0), `dim NAMES >=
 * LO` leaves the upper bound open (only `all_shapes` can use that);
 * `where` adds constraints between shape expressions (+ - * and / as
 * floor division, integer literals, dim names); `tensor` declares an input
 * with a shape of shape expressions and an optional integer range for
 * random instances; `let` names an expression; `show A == B` states an
 * identity (`show A in subgrad(L, X)`: A is in the set of gradients of
 * the active pieces at a kink, eval/subgrad.h); `by` lists methods, each with optional keyword options.
 *
 * Ownership: a cvp_proof_file owns everything in it -- strings, arrays,
 * shape expressions and the expression nodes (in `tree`); one
 * cvp_proof_file_clear frees it all.  Names in the structures below are
 * NUL-terminated and borrowed from the file.
 */
#ifndef CVP_PROOF_H
#define CVP_PROOF_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/tensor.h"
#include "lang/ast.h"
#include "lang/lang_error.h"

/* ---- shape expressions ------------------------------------------------ */

typedef enum {
    CVP_SHAPE_NUMBER,   /* value */
    CVP_SHAPE_DIM,      /* dim: index into the claim's dims */
    CVP_SHAPE_ADD, CVP_SHAPE_SUB, CVP_SHAPE_MUL, CVP_SHAPE_DIV, /* lhs, rhs */
    CVP_SHAPE_NEG       /* lhs */
} cvp_shape_kind;

typedef struct cvp_shape_expr cvp_shape_expr;
struct cvp_shape_expr {
    cvp_shape_kind kind;
    cvp_srcpos pos;
    long value;
    size_t dim;
    cvp_shape_expr *lhs, *rhs;
};

typedef enum { CVP_REL_LE, CVP_REL_LT, CVP_REL_EQ, CVP_REL_GE, CVP_REL_GT } cvp_relation;

/* ---- statements --------------------------------------------------------- */

typedef struct {
    const char *name;
    cvp_srcpos pos;
    long lo;
    long hi;             /* meaningful when !unbounded */
    bool unbounded;      /* `dim M >= 1` */
} cvp_proof_dim;

/* One relation of a `where` line; `A or B` chains the alternatives
 * through `alt` (the constraint holds when any of them holds). */
typedef struct cvp_proof_constraint cvp_proof_constraint;
struct cvp_proof_constraint {
    cvp_shape_expr *lhs;
    cvp_relation rel;
    cvp_shape_expr *rhs;
    cvp_srcpos pos;
    cvp_proof_constraint *alt;   /* the next alternative after `or`, or NULL */
};

typedef struct {
    const char *name;
    cvp_srcpos pos;
    int rank;
    cvp_shape_expr *shape[CVP_MAX_RANK];
    bool has_values;     /* `values LO..HI` given */
    long values_lo, values_hi;
} cvp_proof_tensor;

typedef struct {
    const char *name;
    cvp_srcpos pos;
    cvp_ast_node *expr;
} cvp_proof_let;

typedef struct {
    cvp_srcpos pos;
    bool membership;     /* `show A in subgrad(L, X)` rather than `==` */
    cvp_ast_node *lhs, *rhs;
    const char *text;    /* the statement as written, e.g. "wide(R, X) == ..." */
} cvp_proof_show;

/* One method of a `by` line with its options, e.g. exact(trials=5). */
typedef struct {
    const char *name;    /* "exact", "random", "symbolic", "all_shapes", "bounded",
                          * "regions" */
    cvp_srcpos pos;
    size_t option_count;
    const char **option_names;    /* "trials", "seed", ... */
    long *option_values;          /* integer option values */
    cvp_srcpos *option_pos;
} cvp_proof_method;

typedef struct {
    bool is_refute;
    const char *title;
    cvp_srcpos pos;      /* of the keyword `claim` / `refute` */
    size_t dim_count, constraint_count, tensor_count, let_count, show_count,
        method_count;
    cvp_proof_dim *dims;
    cvp_proof_constraint *constraints;
    cvp_proof_tensor *tensors;
    cvp_proof_let *lets;
    cvp_proof_show *shows;
    cvp_proof_method *methods;   /* empty: every method that applies */
} cvp_proof_claim;

/* `implementation NAME = command "..." layout nhwc [timeout 20]`: somebody's
 * conv/pooling code, run as an external command (ext/impl_run.h) when a
 * claim calls NAME.operation(...).  Declared at the top level, before the
 * claims that use it. */
typedef struct {
    const char *name;
    cvp_srcpos pos;
    const char *command;         /* the string's value, for /bin/sh -c */
    const char *layout;          /* "nchw" or "nhwc" */
    long timeout;                /* seconds per run; 0: the default */
} cvp_proof_implementation;

/* The operations a claim may call on an implementation, e.g.
 * course.conv2d_backward_input(X, K, G, stride=2): the names and
 * parameters of the exact functions, with the inputs a backward pass
 * needs (eval/external.h). */
extern const char *const cvp_proof_impl_operations[];
extern const size_t cvp_proof_impl_operation_count;

typedef struct {
    const char *source_name;
    cvp_ast_tree tree;           /* owns the expression nodes */
    size_t implementation_count;
    cvp_proof_implementation *implementations;
    size_t claim_count;
    cvp_proof_claim *claims;
    /* Warnings about a file that still parses (a deprecated '/' in a
     * shape), in file order; the caller decides whether to show them. */
    size_t note_count;
    cvp_lang_error *notes;
    void *storage;               /* private: owns everything else */
} cvp_proof_file;

/* The method names the language knows (for `by` and for messages). */
extern const char *const cvp_proof_method_names[];
extern const size_t cvp_proof_method_name_count;

void cvp_proof_file_init(cvp_proof_file *file);
void cvp_proof_file_clear(cvp_proof_file *file);

/* Parses text[0..len-1].  Errors are CVP_ERR_INPUT with the position of
 * the offending token ("NAME:LINE:COL: message" when formatted):
 * syntax errors, unknown or duplicate names, a tensor shape naming an
 * undeclared dim, an empty range, a `let` or `show` using an undeclared
 * name, an unknown method or option.  Names used in expressions must be
 * tensors or lets declared earlier in the same claim (or builtin
 * functions).  `source_name` is copied (NULL is "<input>").
 *
 * `file` must be initialised; whatever it held is cleared first.  On
 * failure it is left empty (it still needs cvp_proof_file_clear, which is
 * then a no-op).  `err` may be NULL.  The grammar is documented at the top
 * of proof_parser.c; the limits below are CVP_ERR_LIMIT. */
cvp_status cvp_proof_parse(cvp_proof_file *file, const char *text, size_t len,
                           const char *source_name, cvp_lang_error *err);

/* Reads and parses a file, naming it `path` in errors.  An unreadable file
 * is CVP_ERR_INPUT and one over CVP_PROOF_MAX_FILE_SIZE is CVP_ERR_LIMIT;
 * both carry source = path, no position (line 0) and the message
 * "cannot read: <strerror>" or "file is larger than ...". */
cvp_status cvp_proof_parse_file(cvp_proof_file *file, const char *path,
                                cvp_lang_error *err);

/* Evaluates a shape expression with dims[k] = values[k]; division is
 * floor division.  Returns false on division by zero or overflow. */
bool cvp_shape_eval(long *out, const cvp_shape_expr *e, const long *values);

/* ---- additions: limits and helpers ------------------------------------ */

/* Limits that keep hostile input from costing unbounded time or memory;
 * going over one is CVP_ERR_LIMIT. */
#define CVP_PROOF_MAX_CLAIMS 10000        /* claims and refutes per file */
#define CVP_PROOF_MAX_NAMES 4096          /* dims + tensors + lets per claim */
#define CVP_PROOF_MAX_FILE_SIZE (16L * 1024 * 1024)  /* bytes, parse_file */
/* Shape expressions are at most this deep (nodes on a path from the
 * root), so recursive walks such as cvp_shape_eval cannot exhaust the
 * stack; deeper ones are CVP_ERR_INPUT. */
#define CVP_SHAPE_MAX_DEPTH 256

/* "<=", "<", "==", ">=", ">". */
const char *cvp_relation_name(cvp_relation rel);

/* Evaluates a `where` constraint with dims[k] = values[k] into *holds.
 * Returns false when a side cannot be evaluated (as cvp_shape_eval). */
bool cvp_proof_constraint_eval(bool *holds, const cvp_proof_constraint *c,
                               const long *values);

/* Writes a shape expression fully parenthesised with dim names, e.g.
 * "((M - U) + 1)", "(-M)", for messages and tests.  `dims` is the claim's
 * dims array.  Always NUL-terminates; truncates to bufsize. */
void cvp_shape_to_string(char *buf, size_t bufsize, const cvp_shape_expr *e,
                         const cvp_proof_dim *dims);

/* The method of a claim's `by` line with that name, or NULL. */
const cvp_proof_method *cvp_proof_claim_method(const cvp_proof_claim *claim,
                                               const char *name);

/* Sets *value to the option `name` of a method when it was given and
 * returns true; returns false (leaving *value) otherwise. */
bool cvp_proof_method_option(const cvp_proof_method *method, const char *name,
                             long *value);

#endif
