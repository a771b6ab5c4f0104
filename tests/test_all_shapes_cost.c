/* test_all_shapes_cost.c -- cmocka tests of counts in the all_shapes
 * method (src/allshapes/all_shapes_cost.c, all_shapes_cost_compare.c):
 * mults(E) and size(E) as quasi-polynomials in the dims.
 *
 *   - true cost formulas over unbounded dims (so only all_shapes can
 *     decide them) pass, with the counts cross-checked against
 *     eval/cost.c (how fast is a benchmark's business, not a test's);
 *   - false ones (an off-by-one in an output size, // 3 for // 2, exact
 *     division where the floor is meant) fail at a shape worked out by
 *     hand below, and both numbers of the counterexample are the hand
 *     counts (so they come from the cost model, not from isl);
 *   - what isl cannot reduce, and operators whose count all_shapes does
 *     not know, are not applicable with the reason, and the claim is then
 *     decided by the sweep.
 */
#include "testutil.h"
#include "testutil_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "check/verdict.h"

/* ---- true claims ------------------------------------------------------------ */

static void test_true_counts_pass(void **state)
{
    (void)state;
    static const char *const claims[] = {
        /* conv2d, every dim symbolic, stride 2, padding a dim: the output
         * is floor((H + 2P - R)/2) + 1 high; every tap of K at every
         * output position */
        "claim \"a\" {\n dim N, C, O, H, W, R, S >= 1\n dim P >= 0\n"
        " where H + 2 * P >= R, W + 2 * P >= S\n"
        " tensor X[N, C, H, W]\n tensor K[O, C, R, S]\n"
        " show mults(conv2d(X, K, stride=2, padding=P)) =="
        " N * O * ((H + 2 * P - R) // 2 + 1) * ((W + 2 * P - S) // 2 + 1) * C * R * S\n"
        " by all_shapes\n}\n",
        /* the same with padding 1 (a number) */
        "claim \"b\" {\n dim N, C, O, H, W, R, S >= 1\n"
        " where H + 2 >= R, W + 2 >= S\n"
        " tensor X[N, C, H, W]\n tensor K[O, C, R, S]\n"
        " show mults(conv2d(X, K, stride=2, padding=1)) =="
        " N * O * ((H + 2 - R) // 2 + 1) * ((W + 2 - S) // 2 + 1) * C * R * S\n"
        " by all_shapes\n}\n",
        /* exercise 5-4: a padded 3x3 layer keeping C channels */
        "claim \"c\" {\n dim C, H, W >= 1\n tensor X[1, C, H, W]\n tensor K[C, C, 3, 3]\n"
        " show mults(conv2d(X, K, padding=1)) == 9 * C * C * H * W\n by all_shapes\n}\n",
        /* size with a floor division */
        "claim \"d\" {\n dim N, C, O, H, W, R, S >= 1\n"
        " where H + 2 >= R, W + 2 >= S\n"
        " tensor X[N, C, H, W]\n tensor K[O, C, R, S]\n"
        " show size(conv2d(X, K, stride=2, padding=1)) =="
        " N * O * ((H + 2 - R) // 2 + 1) * ((W + 2 - S) // 2 + 1)\n by all_shapes\n}\n",
        /* two layers: the bottleneck's sum, through lets */
        "claim \"e\" {\n dim C, B, H, W >= 1\n tensor X[1, C, H, W]\n"
        " tensor K1[B, C, 1, 1]\n tensor K3[C, B, 3, 3]\n"
        " let Y = conv2d(X, K1)\n let Z = conv2d(Y, K3, padding=1)\n"
        " show mults(Z) == C * B * H * W + 9 * B * C * H * W\n"
        " show size(Y) + size(Z) == B * H * W + C * H * W\n"
        " by all_shapes\n}\n",
        /* the textbook pair, matrix products, elementwise products and
         * scales: one per entry */
        "claim \"f\" {\n dim M, N, U, V, P >= 1\n where U <= M, V <= N\n"
        " tensor X[M, N]\n tensor W[U, V]\n tensor Y[N, P]\n tensor Z[M, N]\n"
        " show mults(xcorr(W, X)) == (M - U + 1) * (N - V + 1) * U * V\n"
        " show mults(wide(W, X)) == (M + U - 1) * (N + V - 1) * U * V\n"
        " show mults(X @ Y) + mults(2 * X) + mults(X / 3) == M * N * P + 2 * M * N\n"
        " show mults(X * (2 * Z)) == 2 * M * N\n"
        " show size(wide(W, X)) == (M + U - 1) * (N + V - 1)\n"
        " by all_shapes\n}\n",
        /* the transposed convolution counts per input entry */
        "claim \"g\" {\n dim N, C, O, H, W, R, S >= 1\n"
        " tensor G[N, C, H, W]\n tensor K[C, O, R, S]\n"
        " show mults(conv_transpose2d(G, K, stride=2)) == N * C * H * W * O * R * S\n"
        " by all_shapes\n}\n",
        /* the backward passes, one textbook operator per (n, o, c) plane
         * (kernel/conv2d_backward.c).  Input: wide(K plane dilated by d,
         * G plane dilated by s); with stride 2, dilation 2 and a 3x3
         * kernel the kernel spans 5 taps, G's plane 2 (Ho - 1) + 1, so
         * the wide output is 2 (Ho - 1) + 5 high, 25 taps each; bias:
         * sums only.  Weight, stride 1: xcorr of the (H-2)x(H-2) G plane
         * over the H x H image, (H - (H - 3) - 1 + 1) = 3 rows: 3 * 3
         * outputs of (H-2)^2 taps */
        "claim \"h\" {\n dim N, C, O >= 1\n dim H >= 5\n"
        " tensor X[N, C, H, H]\n tensor K[O, C, 3, 3]\n"
        " tensor G[N, O, (H - 5) // 2 + 1, (H - 5) // 2 + 1]\n"
        " tensor G1[N, O, H - 2, H - 2]\n"
        " show mults(conv2d_backward_input(X, K, G, stride=2, dilation=2)) =="
        " N * O * C * (2 * ((H - 5) // 2) + 5) * (2 * ((H - 5) // 2) + 5) * 25\n"
        " show mults(conv2d_backward_weight(X, K, G1)) =="
        " N * O * C * 9 * (H - 2) * (H - 2)\n"
        " show mults(conv2d_backward_bias(G1)) == 0\n"
        " by all_shapes\n}\n",
        /* outside the multilinear class, sizes only: max pooling 2x2 of
         * an N x 1 x H x H input keeps floor(H/2) rows and columns; a
         * padded 3x3 layer keeps 2H x 2H, so 9 C C (2H)^2 multiplications,
         * and relu and the average pool add none; X ** 3 is two
         * multiplications per entry, X ** 1 and X ** 0 none; the
         * backward pass of a 3x3 max pool, stride 2, padding 1 has X's
         * shape */
        "claim \"i\" {\n dim N, C, M, H >= 1\n"
        " tensor X[N, 1, 2 * H, 2 * H]\n tensor Y[1, C, 2 * H, 2 * H]\n"
        " tensor K[C, C, 3, 3]\n tensor Z[M]\n"
        " tensor G[N, 1, (2 * H - 1) // 2 + 1, (2 * H - 1) // 2 + 1]\n"
        " show size(max_pool2d(X, 2)) == N * H * H\n"
        " show mults(max_pool2d(X, 2)) == 0\n"
        " show mults(avg_pool2d(relu(conv2d(Y, K, padding=1)), 2)) =="
        " 9 * C * C * 4 * H * H\n"
        " show mults(Z ** 3) + mults(Z ** 1) + mults(Z ** 0) == 2 * M\n"
        " show size(max_pool2d_backward(X, G, 3, stride=2, padding=1)) =="
        " 4 * N * H * H\n"
        " by all_shapes\n}\n",
        /* conv1d: N O (L - K + 1) outputs of C K taps; with stride 2 and
         * padding 1 floor((L + 2 - K)/2) + 1 outputs; conv3d with a 1x1x1
         * kernel: one tap per input channel at each of D^3 positions;
         * max/min compare (nothing), max of one tensor is one entry, of
         * two the broadcast shape; concat adds the joined axis (an
         * inception-style block: 4 + 8 channels), stack adds an axis of
         * the item count, and both add the items' counts */
        "claim \"j\" {\n dim N, C, O, L, K, D, H >= 1\n where L >= K\n"
        " tensor X[N, C, L]\n tensor W[O, C, K]\n"
        " tensor V[1, C, D, D, D]\n tensor U[2, C, 1, 1, 1]\n"
        " tensor Y[1, C, H, H]\n tensor K1[4, C, 1, 1]\n tensor K3[8, C, 3, 3]\n"
        " tensor Z[H]\n"
        " show mults(conv1d(X, W)) == N * O * (L - K + 1) * C * K\n"
        " show size(conv1d(X, W, stride=2, padding=1)) == N * O * ((L + 2 - K) // 2 + 1)\n"
        " show mults(conv3d(V, U)) == 2 * C * D * D * D\n"
        " show size(max(Y, Z)) + size(min(Z)) + mults(max(Z * Z, 0)) == C * H * H + 1 + H\n"
        " show size(concat([conv2d(Y, K1), conv2d(Y, K3, padding=1)], 1)) == 12 * H * H\n"
        " show mults(concat([conv2d(Y, K1), conv2d(Y, K3, padding=1)], dim=1)) =="
        " 4 * C * H * H + 72 * C * H * H\n"
        " show size(stack([Y, Y, Y], -1)) + mults(stack([Z * Z, Z])) == 3 * C * H * H + H\n"
        " by all_shapes\n}\n",
        /* slicing, Python's way: X[1:] and X[:-1] have M - 1 rows, X[-2:]
         * two, X[::2] ceil(M/2), X[M:] none; an integer drops its axis */
        "claim \"k\" {\n dim M >= 3\n dim N >= 1\n tensor X[M, N]\n"
        " show size(X[0:2]) + size(X[-2:]) == 4 * N\n"
        " show size(X[1:, 0]) == M - 1\n"
        " show size(X[::2, :]) == ((M + 1) // 2) * N\n"
        " show size(X[0:M - 1:2]) == ((M - 1 + 1) // 2) * N\n"
        " show mults(X[1:] * X[:-1]) == (M - 1) * N\n"
        " show size(X[M:]) == 0\n"
        " show size(relu_backward(X, X)) + mults(relu_backward(X * X, X)) == 2 * M * N\n"
        " by all_shapes\n}\n",
        /* exercise 5-7's explicit matrix: one row per output entry, one
         * column per input entry; building it multiplies nothing, using
         * it is a matrix-vector product */
        "claim \"l\" {\n dim C, H >= 3\n tensor X[1, C, H, H]\n tensor K[2, C, 3, 3]\n"
        " show size(conv2d_matrix_input(X, K)) == 2 * (H - 2) * (H - 2) * C * H * H\n"
        " show mults(conv2d_matrix_weight(X, K)) == 0\n"
        " show mults(conv2d_matrix_input(X, K) @ reshape(X, (C * H * H, 1))) =="
        " 2 * (H - 2) * (H - 2) * C * H * H\n"
        " by all_shapes\n}\n",
    };
    for (size_t k = 0; k < sizeof claims / sizeof claims[0]; k++) {
        tu_check_run r;
        tu_run_text(&r, claims[k]);
        if (r.status != CVP_OK)
            fail_msg("claim %zu: %s", k, r.err.message);
        const cvp_method_result *m = tu_method_of(tu_only_claim(&r),
                                                  CVP_METHOD_ALL_SHAPES);
        if (m->outcome != CVP_OUTCOME_PASSED)
            fail_msg("claim %zu: %s (%s)", k, cvp_outcome_name(m->outcome),
                     m->reason ? m->reason : "-");
        assert_int_equal(tu_only_claim(&r)->outcome, CVP_OUTCOME_PASSED);
        tu_assert_contains(m->evidence, "for every shape");
        tu_assert_contains(m->evidence, "quasi-polynomials in the dims");
        /* the counts met the cost model at some shape */
        tu_assert_contains(m->evidence, "eval/cost.c gave the same counts at");
        tu_run_clear(&r);
    }
}

/* ---- false claims ------------------------------------------------------------- */

typedef struct {
    const char *text;
    const char *shape;     /* the smallest failing shape, by hand */
    const char *lhs, *rhs; /* both counts there, by hand */
} false_case;

static void test_false_counts_fail(void **state)
{
    (void)state;
    static const false_case cases[] = {
        /* the +1 of the output size forgotten: at every dim 1 the output
         * is 1 x 1, so 1 multiplication, but (H-R)//2 = 0 */
        {"claim \"off by one\" {\n dim N, C, O, H, W, R, S >= 1\n"
         " where H >= R, W >= S\n tensor X[N, C, H, W]\n tensor K[O, C, R, S]\n"
         " show mults(conv2d(X, K, stride=2)) =="
         " N * O * ((H - R) // 2) * ((W - S) // 2 + 1) * C * R * S\n by all_shapes\n}\n",
         "N=1, C=1, O=1, H=1, W=1, R=1, S=1", "1", "0"},
        /* // 3 for // 2: they first differ at H - R = 2; the fewest input
         * entries (X 3, K 1) have H = 3 and every other dim 1: the output
         * is (3-1)//2 + 1 = 2 high, so 2 multiplications, against
         * (3-1)//3 + 1 = 1 */
        {"claim \"third\" {\n dim N, C, O, H, W, R, S >= 1\n"
         " where H >= R, W >= S\n tensor X[N, C, H, W]\n tensor K[O, C, R, S]\n"
         " show mults(conv2d(X, K, stride=2)) =="
         " N * O * ((H - R) // 3 + 1) * ((W - S) // 2 + 1) * C * R * S\n by all_shapes\n}\n",
         "N=1, C=1, O=1, H=3, W=1, R=1, S=1", "2", "1"},
        /* exact division where the floor is meant (tests/corpus c26): at
         * H = 2, W = 3, a 3x3 kernel, padding 1, stride 2 the output is
         * (2+2-3)//2 + 1 = 1 by (3+2-3)//2 + 1 = 2: 2 entries, against
         * 1 * 2/2 * 3/2 = 3/2 */
        {"claim \"exact division\" {\n dim D in 1..2\n dim H, W in 2..5\n"
         " tensor X[1, 1, H, W]\n tensor K[D, 1, 3, 3]\n"
         " show size(conv2d(X, K, stride=2, padding=1)) == D * (H / 2) * (W / 2)\n"
         " by all_shapes\n}\n",
         "D=1, H=2, W=3", "2", "3/2"},
        /* the backward input pass counted as if it were the forward one
         * ((H-2)^2 outputs): the kernel's wide product has H x H outputs
         * of 9 taps per plane, so at H = 3, C = 1 it is 2 * 9 * 9 = 162,
         * against 2 * 9 * 1 = 18 */
        {"claim \"backward input\" {\n dim H >= 3\n dim C >= 1\n"
         " tensor X[1, C, H, H]\n tensor K[2, C, 3, 3]\n tensor G[1, 2, H - 2, H - 2]\n"
         " show mults(conv2d_backward_input(X, K, G)) == 2 * C * 9 * (H - 2) * (H - 2)\n"
         " by all_shapes\n}\n",
         "H=3, C=1", "162", "18"},
        /* max pooling's size with exact division for the floor: at H = 2
         * both are 1; at H = 3 the pool keeps 1 x 1, against 9/4 */
        {"claim \"pool size\" {\n dim H >= 2\n tensor X[1, 1, H, H]\n"
         " show size(max_pool2d(X, 2)) == (H * H) / 4\n by all_shapes\n}\n",
         "H=3", "1", "9/4"},
        /* conv1d counted at every position of the input: at L = K = 1 and
         * L = 2, K = 1 both agree; at L = K = 2 (the fewest entries after
         * them) one output of 2 taps, against 4 */
        {"claim \"conv1d\" {\n dim L, K >= 1\n where L >= K\n"
         " tensor X[1, 1, L]\n tensor W[1, 1, K]\n"
         " show mults(conv1d(X, W)) == L * K\n by all_shapes\n}\n",
         "L=2, K=2", "2", "4"},
        /* a slice clamped at the end: at M = 1, X[0:3] has 1 entry */
        {"claim \"slice\" {\n dim M >= 1\n tensor X[M]\n"
         " show size(X[0:3]) == 3\n by all_shapes\n}\n", "M=1", "1", "3"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        tu_check_run r;
        tu_run_text(&r, cases[k].text);
        if (r.status != CVP_OK)
            fail_msg("case %zu: %s", k, r.err.message);
        const cvp_method_result *m = tu_method_of(tu_only_claim(&r),
                                                  CVP_METHOD_ALL_SHAPES);
        if (m->outcome != CVP_OUTCOME_FAILED)
            fail_msg("case %zu: %s (%s)", k, cvp_outcome_name(m->outcome),
                     m->reason ? m->reason : "-");
        assert_int_equal(tu_only_claim(&r)->outcome, CVP_OUTCOME_FAILED);
        assert_non_null(m->counterexample);
        assert_string_equal(m->counterexample->shape, cases[k].shape);
        tu_assert_text(m->counterexample->lhs, cases[k].lhs);
        tu_assert_text(m->counterexample->rhs, cases[k].rhs);
        tu_run_clear(&r);
    }

    /* refuted: the same off-by-one as a refute passes on its counterexample */
    tu_check_run r;
    tu_run_text(&r, "refute \"off by one\" {\n dim H, R >= 1\n where H >= R\n"
                    " tensor X[1, 1, H, 1]\n tensor K[1, 1, R, 1]\n"
                    " show size(conv2d(X, K, stride=2)) == (H - R) // 2\n"
                    " by all_shapes\n}\n");
    assert_int_equal(r.status, CVP_OK);
    assert_int_equal(tu_only_claim(&r)->outcome, CVP_OUTCOME_PASSED);
    const cvp_method_result *m = tu_method_of(tu_only_claim(&r), CVP_METHOD_ALL_SHAPES);
    assert_non_null(m->counterexample);
    assert_string_equal(m->counterexample->shape, "H=1, R=1");
    tu_run_clear(&r);
}

/* ---- not decided by all_shapes, decided by the sweep ------------------------- */

typedef struct {
    const char *decls;
    const char *show;
    const char *reason;
} na_case;

static void test_counts_not_applicable(void **state)
{
    (void)state;
    static const na_case cases[] = {
        /* true (H even: H^2 + H^2; H = 2k+1: H^2 + 4k(k+1) = 2H^2 - 1),
         * but isl keeps floor(H/2)^2 in the difference */
        {"dim H in 0..12\n tensor X[H, H]",
         "size(X) + (H // 2) * ((H + 1) // 2) * 4 == 2 * H * H - (H - 2 * (H // 2))",
         "does not reduce the difference"},
        /* an elementwise division by an input is not in the cost walk
         * (nor, in the shape-only ring, in the evaluator's) */
        {"dim M in 1..3\n tensor X[M]", "mults(X / X) == 0",
         "division by an input"},
        /* a derivative's count or size: the evaluator computes none in
         * its shape-only ring either */
        {"dim M in 1..3\n tensor X[M]", "mults(grad(sum(X * X), X)) == M",
         "of grad is not covered"},
        {"dim M in 1..3\n tensor X[M]", "size(jacobian(X * 2, X)) == M * M",
         "of jacobian is not covered"},
        /* a count inside mults */
        {"dim M in 1..3\n tensor X[M]", "mults(X * size(X)) == M",
         "count"},
        /* the floor of a product of dims is not kept */
        {"dim M, N in 1..3\n tensor X[M, N]", "size(X) // 2 == (M * N) // 2",
         "of a product of dims or a count"},
        /* sizes only inside a count: the same relu, or a let with an
         * input twice, as a value (false: relu(X) != X for X < 0, X * X
         * != 0) stays outside the class */
        {"dim M >= 1\n tensor X[M]", "mults(relu(X)) == 0\n show relu(X) == X",
         "relu is outside the multilinear class"},
        {"dim M >= 1\n tensor X[M]\n let Y = X * X",
         "mults(Y) == M\n show Y == 0 * X", "appears twice"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char text[1024];
        /* named: the method says why it cannot judge */
        snprintf(text, sizeof text, "claim \"case %zu\" {\n %s\n show %s\n by all_shapes\n}\n",
                 k, cases[k].decls, cases[k].show);
        tu_check_run r;
        tu_run_text(&r, text);
        if (r.status != CVP_OK)
            fail_msg("case %zu: %s", k, r.err.message);
        const cvp_method_result *m = tu_method_of(tu_only_claim(&r),
                                                  CVP_METHOD_ALL_SHAPES);
        if (m->outcome != CVP_OUTCOME_NOT_APPLICABLE)
            fail_msg("case %zu: %s (%s)", k, cvp_outcome_name(m->outcome),
                     m->reason ? m->reason : "-");
        tu_assert_contains(m->reason, cases[k].reason);
        assert_int_equal(tu_only_claim(&r)->outcome, CVP_OUTCOME_UNDECIDED);
        tu_run_clear(&r);
    }
    /* by default the sweep decides the true one (the first) */
    for (size_t k = 0; k < 1; k++) {
        char text[1024];
        snprintf(text, sizeof text, "claim \"case %zu\" {\n %s\n show %s\n}\n", k,
                 cases[k].decls, cases[k].show);
        tu_check_run r;
        tu_run_text(&r, text);
        if (r.status != CVP_OK)
            fail_msg("case %zu: %s", k, r.err.message);
        const cvp_claim_result *c = tu_only_claim(&r);
        for (size_t j = 0; j < c->method_count; j++)
            if (c->methods[j].method == CVP_METHOD_ALL_SHAPES)
                assert_int_not_equal(c->methods[j].outcome, CVP_OUTCOME_PASSED);
        if (c->outcome != CVP_OUTCOME_PASSED)
            fail_msg("case %zu by default: %s", k, cvp_outcome_name(c->outcome));
        tu_run_clear(&r);
    }
}

/* ---- shapes only, and what the evaluator refuses ----------------------------- */

/* Inside a count an operator outside the class gets its shape alone, but
 * never where the evaluator refuses the call: a bad argument, or a window
 * larger than the input at small shapes, is not a pass. */
static void test_shape_only_refusals(void **state)
{
    (void)state;
    static const char *const claims[] = {
        /* count_include_pad must be a boolean, at every shape */
        "claim \"a\" {\n dim H >= 2\n tensor X[1, 1, H, H]\n"
        " show size(avg_pool2d(X, 2, count_include_pad=3)) == (H // 2) * (H // 2)\n"
        " by all_shapes\n}\n",
        /* a 3x3 window does not fit at H = 1, 2 */
        "claim \"b\" {\n dim H >= 1\n tensor X[1, 1, H, H]\n"
        " show size(max_pool2d(X, 3)) == (H // 3) * (H // 3)\n by all_shapes\n}\n",
        /* index 2 is out of range at M = 1, 2 */
        "claim \"c\" {\n dim M >= 1\n tensor X[M]\n"
        " show size(X[2]) == 1\n by all_shapes\n}\n",
        /* concat along axis 1 needs equal row counts */
        "claim \"d\" {\n dim H, W >= 1\n tensor X[H, 2]\n tensor Y[W, 2]\n"
        " show size(concat([X, Y], 1)) == 4 * H\n by all_shapes\n}\n",
    };
    for (size_t k = 0; k < sizeof claims / sizeof claims[0]; k++) {
        tu_check_run r;
        tu_run_text(&r, claims[k]);
        /* the evaluator's error at the smallest shape where it refuses:
         * the claim is an input error (the run reports it) */
        if (r.status != CVP_ERR_INPUT)
            fail_msg("claim %zu: status %d, not an input error", k, (int)r.status);
        if (r.report.claim_count == 1)
            assert_int_not_equal(r.report.claims[0].outcome, CVP_OUTCOME_PASSED);
        tu_run_clear(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_true_counts_pass),
        cmocka_unit_test(test_false_counts_fail),
        cmocka_unit_test(test_counts_not_applicable),
        cmocka_unit_test(test_shape_only_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
