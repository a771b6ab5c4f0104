/* test_all_shapes.c -- cmocka tests of the all_shapes method
 * (src/allshapes/all_shapes*.c).
 *
 *   - the translation: the relation of each side, compared with
 *     isl_map_is_equal against maps written here by hand from the
 *     operators' formulas (kernel/textbook.h, conv2d.h);
 *   - multiplicities: a product counted twice is not one counted once,
 *     and a summation that reaches a product more than once is not
 *     applicable, never passed;
 *   - every not-applicable path, with its reason;
 *   - verdicts: true claims for every shape pass, false ones fail with a
 *     counterexample whose sides differ in Q, errors at some shape are
 *     reported as the finite methods report them, and the finite methods
 *     say they need a range on an unbounded claim;
 *   - tests/proofs/all_shapes_invalid: false claims that hold on small
 *     shapes, refuted at the smallest failing shape (worked out by hand in
 *     each file).
 */
#include "testutil.h"
#include "testutil_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isl/ctx.h>
#include <isl/map.h>

#include "allshapes/all_shapes.h"
#include "check/check.h"
#include "check/verdict.h"
#include "lang/proof.h"

#ifndef CVP_SRCDIR
#define CVP_SRCDIR "."
#endif

/* ---- helpers ------------------------------------------------------------- */

/* Translates the first claim of `text`. */
typedef struct {
    cvp_proof_file file;
    cvp_all_shapes *as;
} translation;

static void translate(translation *t, const char *text)
{
    tu_parse(&t->file, text);
    t->as = cvp_all_shapes_prepare(&t->file.claims[0], t->file.source_name);
}

static void translation_clear(translation *t)
{
    cvp_all_shapes_free(t->as);
    cvp_proof_file_clear(&t->file);
}

/* The relation of (show, side, family) with coefficient num/den must be
 * the hand-written map `want` (parameters named by the dims). */
static void assert_relation(translation *t, size_t show, int side,
                            const char *family, long num, long den,
                            const char *want)
{
    assert_true(cvp_all_shapes_applies(t->as));
    isl_map *got = cvp_all_shapes_relation(t->as, show, side, family, num, den);
    assert_non_null(got);
    isl_map *expected = isl_map_read_from_str(cvp_all_shapes_ctx(t->as), want);
    assert_non_null(expected);
    isl_bool eq = isl_map_is_equal(got, expected);
    if (eq != isl_bool_true) {
        char *g = isl_map_to_str(got);
        print_error("relation differs:\n  got  %s\n  want %s\n", g, want);
        free(g);
    }
    isl_map_free(got);
    isl_map_free(expected);
    assert_int_equal(eq, isl_bool_true);
}

/* The relation with that coefficient is empty. */
static void assert_no_relation(translation *t, size_t show, int side,
                               const char *family, long num, long den)
{
    isl_map *got = cvp_all_shapes_relation(t->as, show, side, family, num, den);
    assert_non_null(got);
    assert_int_equal(isl_map_is_empty(got), isl_bool_true);
    isl_map_free(got);
}

/* all_shapes on the only claim of `text`. */
static const cvp_method_result *all_shapes_of(tu_check_run *r, const char *text)
{
    tu_run_text(r, text);
    return tu_method_of(tu_only_claim(r), CVP_METHOD_ALL_SHAPES);
}

/* ---- the translation against hand-written relations ------------------------ */

/* (5.13): wide(rot180(W), X)[i, j] = sum over u, v of R[u, v] *
 * X[i + u - (U-1), j + v - (V-1)] with R[u, v] = W[U-1-u, V-1-v]; with
 * a = U-1-u, c = V-1-v the X index is (i - a, j - c): W[a, c] * X[b, d]
 * appears in out[i, j] exactly when i = a + b, j = c + d.  wide(rot180(X),
 * W) gives the same pairs (the roles swap).  X is declared first, so the
 * monomial tuple is [b, d, a, c] (X's indices, then W's). */
static void test_relation_eq_5_13(void **state)
{
    (void)state;
    translation t;
    translate(&t,
              "claim \"5.13\" {\n"
              "  dim M, N, U, V >= 1\n"
              "  tensor X[M, N]\n"
              "  tensor W[U, V]\n"
              "  show wide(rot180(W), X) == wide(rot180(X), W)\n"
              "  by all_shapes\n"
              "}\n");
    const char *want =
        "[M, N, U, V] -> { [i, j] -> [b, d, a, c] : 0 <= a < U and 0 <= c < V "
        "and 0 <= b < M and 0 <= d < N and i = a + b and j = c + d }";
    assert_relation(&t, 0, 0, "X,W", 1, 1, want);
    assert_relation(&t, 0, 1, "X,W", 1, 1, want);
    assert_no_relation(&t, 0, 0, "X,W", 2, 1);
    assert_no_relation(&t, 0, 0, "X", 1, 1);
    /* the evidence reads as a sum of products over the relation */
    char *text = cvp_all_shapes_describe(t.as, 0, 0);
    tu_assert_contains(text, "out[i, j] = sum of X[");
    tu_assert_contains(text, "* W[");
    free(text);
    translation_clear(&t);
}

/* One relation a row states: that of (show, side, family) with
 * coefficient num/den is the map `want`, or empty when want is NULL. */
typedef struct {
    size_t show;
    int side;
    const char *family;
    long num, den;
    const char *want;
} relation_row;

/* A claim and up to three relations of its first claim's translation,
 * each map written by hand from the operators' formulas (in the comment
 * above the row).  Each row is a cmocka test of its own, named `name`. */
typedef struct {
    const char *name;
    const char *text;
    relation_row relations[3];
} relation_case;

static void check_relation_case(const relation_case *rc)
{
    translation t;
    translate(&t, rc->text);
    for (size_t k = 0; k < 3 && rc->relations[k].family != NULL; k++) {
        const relation_row *w = &rc->relations[k];
        if (w->want != NULL)
            assert_relation(&t, w->show, w->side, w->family, w->num, w->den,
                            w->want);
        else
            assert_no_relation(&t, w->show, w->side, w->family, w->num, w->den);
    }
    translation_clear(&t);
}

#define ID_N "[N] -> { [i] -> [a] : a = i and 0 <= i < N }"

static const relation_case relation_cases[] = {
    /* xcorr with stride 2 on vectors: Y[i] = sum over u < U of
     * W[u] * X[2i + u], i < (M - U)/2 + 1 (floor), U <= M. */
    {"test_relation_strided_xcorr",
     "claim \"stride\" {\n"
     "  dim M, U >= 1\n"
     "  where U <= M\n"
     "  tensor X[M]\n"
     "  tensor W[U]\n"
     "  show xcorr(W, X, stride=2) == xcorr(W, X, stride=2)\n"
     "  by all_shapes\n"
     "}\n",
     {{0, 0, "X,W", 1, 1,
       "[M, U] -> { [i] -> [x, u] : U <= M and 0 <= u < U and "
       "x = 2i + u and i >= 0 and 2i <= M - U }"}}},
    /* rot180(pad(X, (1, 2))) on an M x N matrix: the padded matrix is
     * (M + 2) x (N + 4) with Xp[r, s] = X[r - 1, s - 2]; rotated,
     * out[i, j] = Xp[M + 1 - i, N + 3 - j] = X[M - i, N + 1 - j]. */
    {"test_relation_pad_rot180",
     "claim \"pad\" {\n"
     "  dim M, N >= 1\n"
     "  tensor X[M, N]\n"
     "  show rot180(pad(X, (1, 2))) == X\n"
     "  by all_shapes\n"
     "}\n",
     {{0, 0, "X", 1, 1,
       "[M, N] -> { [i, j] -> [a, b] : M >= 1 and N >= 1 and "
       "a = M - i and b = N + 1 - j and 0 <= a < M and 0 <= b < N }"}}},
    /* dilate(X, 3) on a vector: out[3a] = X[a], zeros between. */
    {"test_relation_dilate",
     "claim \"dilate\" {\n"
     "  dim M >= 1\n"
     "  tensor X[M]\n"
     "  show dilate(X, 3) == dilate(X, 3)\n"
     "  by all_shapes\n"
     "}\n",
     {{0, 0, "X", 1, 1, "[M] -> { [i] -> [a] : i = 3a and 0 <= a < M }"}}},
    /* grad(sum(G * xcorr(W, X)), X): L = sum over i, j, u, v of
     * G[i, j] W[u, v] X[i + u, j + v]; dL/dX[p, q] collects W[u, v] G[i, j]
     * with p = i + u, q = j + v.  Declared X, W, G: the family is {W, G}
     * with the tuple [u, v, i, j]; both sides have that relation. */
    {"test_relation_grad",
     "claim \"grad\" {\n"
     "  dim M, N, U, V >= 1\n"
     "  where U <= M, V <= N\n"
     "  tensor X[M, N]\n"
     "  tensor W[U, V]\n"
     "  tensor G[M - U + 1, N - V + 1]\n"
     "  show grad(sum(G * xcorr(W, X)), X) == wide(rot180(W), G)\n"
     "  by all_shapes\n"
     "}\n",
     {{0, 0, "W,G", 1, 1,
       "[M, N, U, V] -> { [p, q] -> [u, v, i, j] : U <= M and V <= N and "
       "0 <= u < U and 0 <= v < V and 0 <= i <= M - U and 0 <= j <= N - V "
       "and p = i + u and q = j + v }"},
      {0, 1, "W,G", 1, 1,
       "[M, N, U, V] -> { [p, q] -> [u, v, i, j] : U <= M and V <= N and "
       "0 <= u < U and 0 <= v < V and 0 <= i <= M - U and 0 <= j <= N - V "
       "and p = i + u and q = j + v }"}}},
    /* jacobian(xcorr(W, X), X): row (i, j) of the output, column (p, q) of
     * X, entry W[p - i, q - j] where that is inside W. */
    {"test_relation_jacobian",
     "claim \"jacobian\" {\n"
     "  dim M, N, U, V >= 1\n"
     "  where U <= M, V <= N\n"
     "  tensor X[M, N]\n"
     "  tensor W[U, V]\n"
     "  show jacobian(xcorr(W, X), X) == jacobian(xcorr(W, X), X)\n"
     "  by all_shapes\n"
     "}\n",
     {{0, 0, "W", 1, 1,
       "[M, N, U, V] -> { [i, j, p, q] -> [u, v] : U <= M and "
       "V <= N and 0 <= i <= M - U and 0 <= j <= N - V and "
       "0 <= p < M and 0 <= q < N and 0 <= u < U and 0 <= v < V "
       "and p = i + u and q = j + v }"}}},
    /* conv2d on an unbatched C x H x W input, padding P (a dim):
     * Y[o, i, j] = sum over c, u, v of K[o, c, u, v] * X[c, i + u - P, j + v - P]
     * (zero outside X), output (H + 2P - R + 1) x (W + 2P - T + 1).  Declared
     * X, K: the tuple is [c, h, w, o2, c2, u, v] with o2 = o, c2 = c. */
    {"test_relation_conv2d_padding",
     "claim \"conv2d\" {\n"
     "  dim C, O, H, W, R, T >= 1\n"
     "  dim P >= 0\n"
     "  where R <= H + 2 * P, T <= W + 2 * P\n"
     "  tensor X[C, H, W]\n"
     "  tensor K[O, C, R, T]\n"
     "  show conv2d(X, K, padding=P) == conv2d(X, K, padding=P)\n"
     "  by all_shapes\n"
     "}\n",
     {{0, 0, "X,K", 1, 1,
       "[C, O, H, W, R, T, P] -> { [o, i, j] -> [c, h, w, o2, c2, u, v] : "
       "C >= 1 and O >= 1 and H >= 1 and W >= 1 and R >= 1 and "
       "T >= 1 and P >= 0 and R <= H + 2P and T <= W + 2P and "
       "0 <= o < O and 0 <= i <= H + 2P - R and 0 <= j <= W + 2P - T "
       "and 0 <= c < C and 0 <= u < R and 0 <= v < T and o2 = o and "
       "c2 = c and h = i + u - P and w = j + v - P and 0 <= h < H "
       "and 0 <= w < W }"}}},
    /* Rational factors add up: 2X - X/2 is 3/2 X, on each entry once
     * (and never 2X). */
    {"test_relation_coefficients",
     "claim \"coefficients\" {\n"
     "  dim N >= 1\n"
     "  tensor X[N]\n"
     "  show 2 * X - X / 2 == 3/2 * X\n"
     "  by all_shapes\n"
     "}\n",
     {{0, 0, "X", 3, 2, ID_N}, {0, 1, "X", 3, 2, ID_N}, {0, 0, "X", 2, 1, NULL}}},
    /* W[a]X[b] and X[b]W[a] are one monomial: the factors are kept in the
     * order of the declarations whatever the order of the product. */
    {"test_relation_commutative_products",
     "claim \"order\" {\n"
     "  dim N >= 1\n"
     "  tensor X[N]\n"
     "  tensor W[N]\n"
     "  show W * X == X * W\n"
     "  by all_shapes\n"
     "}\n",
     {{0, 0, "X,W", 1, 1, "[N] -> { [i] -> [a, b] : a = i and b = i and 0 <= i < N }"},
      {0, 1, "X,W", 1, 1, "[N] -> { [i] -> [a, b] : a = i and b = i and 0 <= i < N }"}}},
};

/* The test of one row of relation_cases (its initial state). */
static void test_relation_row(void **state)
{
    check_relation_case(*state);
}

#define RELATION_TEST(k)                                                      \
    {relation_cases[k].name, test_relation_row, NULL, NULL,                   \
     (void *)&relation_cases[k]}

/* ---- multiplicities ------------------------------------------------------------ */

/* X + X counts every X[a] twice: coefficient 2, not 1, so it is not X. */
static void test_counted_twice_is_not_once(void **state)
{
    (void)state;
    translation t;
    translate(&t,
              "claim \"twice\" {\n"
              "  dim N >= 1\n"
              "  tensor X[N]\n"
              "  show X + X == X\n"
              "  by all_shapes\n"
              "}\n");
    const char *id = "[N] -> { [i] -> [a] : a = i and 0 <= i < N }";
    assert_relation(&t, 0, 0, "X", 2, 1, id);
    assert_no_relation(&t, 0, 0, "X", 1, 1);
    assert_relation(&t, 0, 1, "X", 1, 1, id);
    translation_clear(&t);

    tu_check_run r;
    const cvp_method_result *m = all_shapes_of(&r,
              "claim \"twice\" {\n"
              "  dim N >= 1\n"
              "  tensor X[N]\n"
              "  show X + X == X\n"
              "  by all_shapes\n"
              "}\n");
    /* smallest shape N=1: X = [1] gives [2] against [1] */
    assert_int_equal(m->outcome, CVP_OUTCOME_FAILED);
    assert_non_null(m->counterexample);
    assert_string_equal(m->counterexample->shape, "N=1");
    assert_string_equal(m->counterexample->lhs, "[2]\n");
    assert_string_equal(m->counterexample->rhs, "[1]\n");
    tu_run_clear(&r);
}

/* sum(X + Y) with X [N] broadcast over the M rows of Y [M, N] reaches each
 * X[n] M times: the summation is not injective, so all_shapes does not
 * decide it (sum(X + Y) == sum(X) + sum(Y) is false for M >= 2, and
 * must never pass).  With M = 1 the sum is injective and the false claim
 * below is refuted. */
static void test_non_injective_sum_not_applicable(void **state)
{
    (void)state;
    tu_check_run r;
    const cvp_method_result *m = all_shapes_of(&r,
              "claim \"each X[n] counted once\" {\n"
              "  dim M, N in 1..3\n"
              "  tensor X[N]\n"
              "  tensor Y[M, N]\n"
              "  show sum(X + Y) == sum(X) + sum(Y)\n"
              "  by all_shapes\n"
              "}\n");
    assert_int_equal(m->outcome, CVP_OUTCOME_NOT_APPLICABLE);
    tu_assert_contains(m->reason, "more than once");
    assert_int_not_equal(r.report.claims[0].outcome, CVP_OUTCOME_PASSED);
    tu_run_clear(&r);

    /* M = 1: each product once; sum(X + Y) == sum(Y) is false (sum(X)) */
    m = all_shapes_of(&r,
              "claim \"one row\" {\n"
              "  dim M in 1..1\n"
              "  dim N >= 1\n"
              "  tensor X[N]\n"
              "  tensor Y[M, N]\n"
              "  show sum(X + Y) == sum(Y)\n"
              "  by all_shapes\n"
              "}\n");
    assert_int_equal(m->outcome, CVP_OUTCOME_FAILED);
    assert_non_null(m->counterexample);
    assert_string_equal(m->counterexample->shape, "M=1, N=1");
    tu_run_clear(&r);
}

/* ---- not applicable --------------------------------------------------------------- */

typedef struct {
    const char *dims;      /* dim and tensor lines */
    const char *show;
    const char *reason;    /* a fragment of the reason */
} na_case;

static void test_not_applicable_paths(void **state)
{
    (void)state;
    static const na_case cases[] = {
        {"dim N in 1..3\n tensor X[N]", "relu(X) == X", "relu is outside"},
        {"dim H in 1..2\n tensor X[1, 1, 2 * H, 2 * H]",
         "max_pool2d(X, 2) == max_pool2d(X, 2)", "max_pool2d is outside"},
        {"dim H in 1..2\n tensor X[1, 1, 2 * H, 2 * H]",
         "avg_pool2d(X, 2) == avg_pool2d(X, 2)", "avg_pool2d is outside"},
        {"dim M in 3..4\n dim S in 1..2\n tensor X[M]\n tensor W[2]",
         "xcorr(W, X, stride=S) == xcorr(W, X, stride=S)", "stride is a dim"},
        {"dim M in 3..4\n dim S in 1..2\n tensor X[M]\n tensor W[2]",
         "xcorr(W, X, dilation=S) == xcorr(W, X, dilation=S)", "dilation is a dim"},
        {"dim M in 3..4\n dim S in 1..2\n tensor X[M]",
         "dilate(X, S) == dilate(X, S)", "dilation factor is a dim"},
        {"dim C in 1..2\n dim G in 1..2\n tensor X[1, 2, 3, 3]\n tensor K[2, 2, 1, 1]",
         "conv2d(X, K, groups=G) == conv2d(X, K)", "groups is a dim"},
        {"dim M, N in 1..3\n tensor X[M, N]",
         "reshape(X, (N, M)) == reshape(X, (N, M))", "do not regroup"},
        {"dim M, N in 1..3\n tensor X[M, N]\n tensor s[]", "X / s == X",
         "division by an input"},
        {"dim M in 1..3\n tensor X[M]", "X / M == X", "division by a dim"},
        {"dim M in 1..3\n tensor X[M]", "X * M == X", "dim is used as a tensor value"},
        {"dim M in 1..3\n tensor X[M]", "X * X == X", "appears twice"},
        {"dim M in 1..3\n tensor X[M]", "sum(X * X) == 0", "appears twice"},
        /* counts: a quotient of counts, an operator whose count is not
         * known (all_shapes_cost.c; test_all_shapes_cost.c has more) */
        {"dim M in 1..3\n tensor X[M]", "size(X) / size(X) == 1",
         "division by a dim or a count"},
        {"dim M in 1..3\n tensor X[M]", "mults(grad(sum(X * X), X)) == M",
         "of grad is not covered"},
        {"dim M in 1..3\n tensor X[M]", "X + [1] == X", "tensor literals"},
        {"dim M, N in 1..3\n tensor X[M * N]", "X == X", "multiplies two dims"},
        {"dim M, N in 1..3\n tensor X[M / N]", "X == X", "divides by a dim"},
        {"dim M, N in 2..3\n tensor X[M, N]", "rot180(reshape(X, (-1,))) == reshape(rot180(X), (-1,))",
         "flattened axis"},
        {"dim M in 1..3\n tensor X[M]", "grad(sum(X), M) == 0",
         "derivative with respect to a dim"},
        {"dim M, N in 2..3\n tensor X[M, N]\n tensor Y[N, M]",
         "reshape(X, (-1,)) + reshape(Y, (-1,)) == reshape(X, (-1,))", "flattened differently"},
        {"dim M, N in 1..3", "(M * N) // 2 == 0", "of a product of dims"},
        {"tensor X[1, 20, 3, 3]\n tensor K[20, 1, 1, 1]",
         "conv2d(X, K, groups=20) == conv2d(X, K, groups=20)", "more than 16 groups"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "claim \"case %zu\" {\n %s\n show %s\n by all_shapes\n}\n", k,
                 cases[k].dims, cases[k].show);
        tu_check_run r;
        tu_run_text(&r, text);
        if (r.status != CVP_OK)
            fail_msg("case %zu: check failed: %s", k, r.err.message);
        const cvp_claim_result *c = &r.report.claims[0];
        const cvp_method_result *m = tu_method_of(c, CVP_METHOD_ALL_SHAPES);
        if (m->outcome != CVP_OUTCOME_NOT_APPLICABLE)
            fail_msg("case %zu (%s): outcome %s, reason %s", k, cases[k].show,
                     cvp_outcome_name(m->outcome), m->reason ? m->reason : "-");
        tu_assert_contains(m->reason, cases[k].reason);
        /* a named method that cannot judge leaves the claim undecided */
        assert_int_equal(c->outcome, CVP_OUTCOME_UNDECIDED);
        tu_run_clear(&r);
    }
}

/* The translation covers equal sizes where the evaluator broadcasts a
 * dimension of 1: at M=1, N=2 the claim evaluates (and holds), so the
 * method is not applicable there rather than passed. */
static void test_broadcast_outside_translation(void **state)
{
    (void)state;
    tu_check_run r;
    const cvp_method_result *m = all_shapes_of(&r,
              "claim \"commutes\" {\n"
              "  dim M, N in 1..2\n"
              "  tensor X[M]\n"
              "  tensor Y[N]\n"
              "  show X + Y == Y + X\n"
              "  by all_shapes\n"
              "}\n");
    assert_int_equal(m->outcome, CVP_OUTCOME_NOT_APPLICABLE);
    tu_assert_contains(m->reason, "M=1, N=2");
    tu_run_clear(&r);
}

/* reshape(X, (-1,)) keeps X's axes as a tuple [M, N]; reshape(transpose(X),
 * (-1,)) as [N, M].  Where M != N the tuples are not comparable index by
 * index, so those shapes are replayed in Q: at M=1, N=2 (and 2, 1) both
 * flatten to [x0, x1] and agree; at M = N = 2 isl finds the sides
 * different (X[0, 1] against X[1, 0] at flat entry 1), which the replay
 * confirms.  That is also the finite methods' first failing shape: in the
 * order of total entries (1, 2, 2, 3, 3, 4, ...), (1, 2), (2, 1), (1, 3)
 * and (3, 1) hold. */
static void test_uncomparable_shapes_replayed(void **state)
{
    (void)state;
    tu_check_run r;
    const cvp_method_result *m = all_shapes_of(&r,
              "claim \"vec of the transpose\" {\n"
              "  dim M, N in 1..3\n"
              "  tensor X[M, N]\n"
              "  show reshape(X, (-1,)) == reshape(transpose(X), (-1,))\n"
              "  by all_shapes\n"
              "}\n");
    assert_int_equal(m->outcome, CVP_OUTCOME_FAILED);
    assert_non_null(m->counterexample);
    assert_string_equal(m->counterexample->shape, "M=2, N=2");
    assert_string_not_equal(m->counterexample->lhs, m->counterexample->rhs);
    tu_run_clear(&r);
}

/* ---- verdicts ------------------------------------------------------------------------ */

static void test_true_claims_pass(void **state)
{
    (void)state;
    static const char *const claims[] = {
        /* (5.13) */
        "claim \"a\" {\n dim M, N, U, V >= 1\n tensor X[M, N]\n tensor W[U, V]\n"
        " show wide(rot180(W), X) == wide(rot180(X), W)\n by all_shapes\n}\n",
        /* conv is xcorr with the rotated kernel */
        "claim \"b\" {\n dim M, N, U, V >= 1\n where U <= M, V <= N\n"
        " tensor X[M, N]\n tensor W[U, V]\n"
        " show conv(W, X) == xcorr(rot180(W), X)\n by all_shapes\n}\n",
        /* (A B)^T = B^T A^T */
        "claim \"c\" {\n dim M, N, P >= 1\n tensor A[M, N]\n tensor B[N, P]\n"
        " show transpose(A @ B) == transpose(B) @ transpose(A)\n by all_shapes\n}\n",
        /* the bias gradient */
        "claim \"d\" {\n dim N, O, H, W >= 1\n tensor G[N, O, H, W]\n"
        " show conv2d_backward_bias(G) == sum(sum(sum(G, axis=3), axis=2), axis=0)\n"
        " by all_shapes\n}\n",
        /* a scalar side: the sum of a difference is 0 */
        "claim \"e\" {\n dim N >= 1\n tensor X[N]\n show sum(X - X) == 0\n"
        " by all_shapes\n}\n",
        /* dims as values: pad(X, U) adds zeros */
        "claim \"f\" {\n dim M >= 1\n dim U >= 0\n tensor X[M, M]\n"
        " show sum(pad(X, U)) == sum(X)\n by all_shapes\n}\n",
    };
    for (size_t k = 0; k < sizeof claims / sizeof claims[0]; k++) {
        tu_check_run r;
        const cvp_method_result *m = all_shapes_of(&r, claims[k]);
        if (m->outcome != CVP_OUTCOME_PASSED)
            fail_msg("claim %zu: %s (%s)", k, cvp_outcome_name(m->outcome),
                     m->reason ? m->reason : "-");
        assert_int_equal(r.report.claims[0].outcome, CVP_OUTCOME_PASSED);
        tu_assert_contains(m->evidence, "for every shape");
        /* the translation was cross-checked in Q */
        tu_assert_contains(m->evidence, "agreed with the kernel in Q");
        assert_true(m->instances >= 1);
        tu_run_clear(&r);
    }
}

/* Without rot180 the wide convolution does not commute: the relations
 * differ, and the smallest failing shape is replayed.  With M, N, U, V
 * >= 1 the first shape with U, V, M, N not all 1 in fewest dim units is
 * (1, 1, 1, 2): out[0, 0] = W[0, 1] X[0, 0] on the left but W[0, 0] X[0, 0]
 * on the right. */
static void test_false_claim_counterexample(void **state)
{
    (void)state;
    tu_check_run r;
    const cvp_method_result *m = all_shapes_of(&r,
              "refute \"no rotation\" {\n"
              "  dim M, N, U, V >= 1\n"
              "  tensor X[M, N]\n"
              "  tensor W[U, V]\n"
              "  show wide(W, X) == wide(X, W)\n"
              "  by all_shapes\n"
              "}\n");
    assert_int_equal(m->outcome, CVP_OUTCOME_PASSED);   /* refuted */
    assert_non_null(m->counterexample);
    assert_string_equal(m->counterexample->shape, "M=1, N=1, U=1, V=2");
    /* confirmed in Q: the recorded sides differ */
    assert_non_null(m->counterexample->lhs);
    assert_non_null(m->counterexample->rhs);
    assert_string_not_equal(m->counterexample->lhs, m->counterexample->rhs);
    assert_non_null(m->counterexample->first_term);
    tu_run_clear(&r);
}

/* A shape where the claim is ill-formed (the kernel does not fit) is an
 * input error located at the call, at the smallest such shape, as the
 * finite methods report it. */
static void test_error_at_some_shape(void **state)
{
    (void)state;
    tu_check_run r;
    tu_run_text(&r,
                "claim \"no where\" {\n"
                "  dim M, U >= 1\n"
                "  tensor X[M]\n"
                "  tensor W[U]\n"
                "  show xcorr(W, X) == xcorr(W, X)\n"
                "  by all_shapes\n"
                "}\n");
    assert_int_equal(r.status, CVP_ERR_INPUT);
    assert_int_equal(r.err.pos.line, 5);
    tu_assert_contains(r.err.message, "does not fit");
    tu_assert_contains(r.err.message, "(at shape M=1, U=2)");
    tu_run_clear(&r);

    /* a bad argument at every shape: the evaluator's message */
    tu_run_text(&r,
                "claim \"bad stride\" {\n"
                "  dim M >= 1\n"
                "  tensor X[M]\n"
                "  show xcorr(X, X, stride=0) == X\n"
                "  by all_shapes\n"
                "}\n");
    assert_int_equal(r.status, CVP_ERR_INPUT);
    tu_assert_contains(r.err.message, "stride");
    tu_run_clear(&r);
}

/* An unbounded claim: the finite methods need a range; by default only
 * all_shapes runs. */
static void test_unbounded_claims(void **state)
{
    (void)state;
    tu_check_run r;
    tu_run_text(&r,
                "claim \"named\" {\n"
                "  dim N >= 1\n"
                "  tensor X[N]\n"
                "  show X + X == 2 * X\n"
                "  by all_shapes, exact, symbolic\n"
                "}\n"
                "claim \"default\" {\n"
                "  dim N >= 1\n"
                "  tensor X[N]\n"
                "  show X + X == 2 * X\n"
                "}\n"
                "claim \"default, outside the class\" {\n"
                "  dim N >= 1\n"
                "  tensor X[N]\n"
                "  show relu(X) == relu(X)\n"
                "}\n");
    assert_int_equal(r.status, CVP_OK);
    const cvp_claim_result *c = &r.report.claims[0];
    assert_int_equal(c->method_count, 3);
    assert_int_equal(tu_method_of(c, CVP_METHOD_ALL_SHAPES)->outcome, CVP_OUTCOME_PASSED);
    const cvp_method_result *e = tu_method_of(c, CVP_METHOD_EXACT);
    assert_int_equal(e->outcome, CVP_OUTCOME_NOT_APPLICABLE);
    tu_assert_contains(e->reason, "needs a range (dim N in LO..HI)");
    assert_int_equal(tu_method_of(c, CVP_METHOD_SYMBOLIC)->outcome,
                     CVP_OUTCOME_NOT_APPLICABLE);
    assert_int_equal(c->outcome, CVP_OUTCOME_UNDECIDED);   /* exact was asked for */
    c = &r.report.claims[1];
    assert_int_equal(c->method_count, 1);
    assert_int_equal(c->methods[0].method, CVP_METHOD_ALL_SHAPES);
    assert_int_equal(c->outcome, CVP_OUTCOME_PASSED);
    c = &r.report.claims[2];
    assert_int_equal(c->method_count, 1);
    assert_int_equal(c->methods[0].outcome, CVP_OUTCOME_NOT_APPLICABLE);
    assert_int_equal(c->outcome, CVP_OUTCOME_UNDECIDED);
    tu_run_clear(&r);
}

/* Without a `by` line on a bounded claim all_shapes runs first where it
 * applies, and is left out where it does not. */
static void test_default_methods(void **state)
{
    (void)state;
    tu_check_run r;
    tu_run_text(&r,
                "claim \"applies\" {\n"
                "  dim N in 1..3\n"
                "  tensor X[N]\n"
                "  tensor Y[N]\n"
                "  show X + Y == Y + X\n"
                "}\n"
                "claim \"does not apply\" {\n"
                "  dim N in 1..3\n"
                "  tensor X[N]\n"
                "  show X * X == X * X\n"
                "}\n");
    assert_int_equal(r.status, CVP_OK);
    const cvp_claim_result *c = &r.report.claims[0];
    assert_int_equal(c->method_count, 4);
    assert_int_equal(c->methods[0].method, CVP_METHOD_ALL_SHAPES);
    assert_int_equal(c->methods[0].outcome, CVP_OUTCOME_PASSED);
    assert_int_equal(c->methods[0].shapes, 3);
    assert_int_equal(c->outcome, CVP_OUTCOME_PASSED);
    c = &r.report.claims[1];
    assert_int_equal(c->method_count, 3);
    for (size_t k = 0; k < c->method_count; k++)
        assert_int_not_equal(c->methods[k].method, CVP_METHOD_ALL_SHAPES);
    assert_int_equal(c->outcome, CVP_OUTCOME_PASSED);
    tu_run_clear(&r);
}

/* ---- the corpus tests/proofs/all_shapes_invalid --------------------------------------- */

/* Each file holds one false claim that holds on small shapes; all_shapes
 * must fail it with a counterexample at the smallest failing shape
 * (derived by hand in each file) whose sides differ. */
static void test_invalid_corpus(void **state)
{
    (void)state;
    static const struct {
        const char *file, *shape;
    } files[] = {
        {"padding_right_only_when_square.proof", "M=1, N=1, U=2, V=1"},
        {"square_kernel_transpose.proof", "M=2, N=2, U=2, V=2"},
        {"pad_after_conv.proof", "C=1, O=1, H=1, W=2, R=1, T=2, P=1"},
    };
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/tests/proofs/all_shapes_invalid/%s",
                 CVP_SRCDIR, files[k].file);
        tu_check_run r;
        tu_run_file(&r, path);
        assert_int_equal(r.status, CVP_OK);
        assert_int_equal(r.report.claim_count, 1);
        const cvp_claim_result *c = &r.report.claims[0];
        assert_int_equal(c->outcome, CVP_OUTCOME_FAILED);
        const cvp_method_result *m = tu_method_of(c, CVP_METHOD_ALL_SHAPES);
        assert_int_equal(m->outcome, CVP_OUTCOME_FAILED);
        assert_non_null(m->counterexample);
        if (strcmp(m->counterexample->shape, files[k].shape) != 0)
            fail_msg("%s: counterexample at %s, expected %s", files[k].file,
                     m->counterexample->shape, files[k].shape);
        assert_non_null(m->counterexample->differences);
        assert_string_not_equal(m->counterexample->lhs, m->counterexample->rhs);
        tu_run_clear(&r);
    }
}

/* The first corpus claim, over U, V in 1..1 only, passes symbolic: the
 * finite methods miss what all_shapes finds. */
static void test_small_shapes_miss_it(void **state)
{
    (void)state;
    tu_check_run r;
    tu_run_text(&r,
                "claim \"small\" {\n"
                "  dim M, N in 1..3\n"
                "  dim U, V in 1..1\n"
                "  where V <= 2 * U - 1\n"
                "  tensor X[M, N]\n"
                "  tensor W[U, V]\n"
                "  show wide(W, X) == xcorr(W, pad(X, top=V - 1, bottom=2 * U - V - 1, "
                "left=V - 1, right=V - 1))\n"
                "  by symbolic\n"
                "}\n");
    assert_int_equal(r.status, CVP_OK);
    assert_int_equal(r.report.claims[0].outcome, CVP_OUTCOME_PASSED);
    tu_run_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relation_eq_5_13),
        RELATION_TEST(0),
        RELATION_TEST(1),
        RELATION_TEST(2),
        RELATION_TEST(3),
        RELATION_TEST(4),
        RELATION_TEST(5),
        RELATION_TEST(6),
        RELATION_TEST(7),
        cmocka_unit_test(test_counted_twice_is_not_once),
        cmocka_unit_test(test_non_injective_sum_not_applicable),
        cmocka_unit_test(test_not_applicable_paths),
        cmocka_unit_test(test_broadcast_outside_translation),
        cmocka_unit_test(test_uncomparable_shapes_replayed),
        cmocka_unit_test(test_true_claims_pass),
        cmocka_unit_test(test_false_claim_counterexample),
        cmocka_unit_test(test_error_at_some_shape),
        cmocka_unit_test(test_unbounded_claims),
        cmocka_unit_test(test_default_methods),
        cmocka_unit_test(test_invalid_corpus),
        cmocka_unit_test(test_small_shapes_miss_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
