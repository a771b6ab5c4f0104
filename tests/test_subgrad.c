/* test_subgrad.c -- convex hull membership (kernel/hull.h), kinks of grad
 * and `A in subgrad(L, X)` (eval/subgrad.h) on hand-made inputs whose
 * answers are worked out in the comments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "eval/subgrad.h"
#include "io/tensor_text.h"
#include "kernel/hull.h"
#include "lang/parser.h"

/* t := the tensor written in text form. */
static void text_tensor(cvp_tensor_t t, const char *text)
{
    cvp_error e;
    cvp_status st = cvp_tensor_parse_text(t, text, strlen(text), "<test>", &e);
    if (st != CVP_OK)
        fail_msg("%s: %s", text, e.message);
}

/* ---- hull ------------------------------------------------------------------ */

/* Decides a in the hull of the points (each a text tensor). */
static bool in_hull(const char *a_text, const char *const *texts, size_t m,
                    cvp_hull_result *h)
{
    cvp_tensor_t a;
    cvp_tensor_init(a);
    text_tensor(a, a_text);
    cvp_tensor_struct *p = calloc(m, sizeof *p);
    const cvp_tensor_struct **points = calloc(m, sizeof *points);
    for (size_t j = 0; j < m; j++) {
        cvp_tensor_init(&p[j]);
        text_tensor(&p[j], texts[j]);
        points[j] = &p[j];
    }
    cvp_error e;
    assert_int_equal(cvp_hull_member(h, a, points, m, &e), CVP_OK);
    for (size_t j = 0; j < m; j++)
        cvp_tensor_clear(&p[j]);
    free(p);
    free(points);
    cvp_tensor_clear(a);
    return h->member;
}

static void assert_q(mpq_srcptr q, long num, unsigned long den)
{
    mpq_t want;
    mpq_init(want);
    mpq_set_si(want, num, den);
    mpq_canonicalize(want);
    if (!mpq_equal(q, want))
        fail_msg("got %s, want %ld/%lu", mpq_get_str(NULL, 10, q), num, den);
    mpq_clear(want);
}

static void test_hull(void **state)
{
    (void)state;
    cvp_hull_result h;
    cvp_hull_result_init(&h);
    /* The triangle (0,0), (2,0), (0,2): (1,1) lies on its edge, the only
     * weights are 0, 1/2, 1/2. */
    const char *triangle[] = {"[0, 0]", "[2, 0]", "[0, 2]"};
    assert_true(in_hull("[1, 1]", triangle, 3, &h));
    assert_q(h.weights[0], 0, 1);
    assert_q(h.weights[1], 1, 2);
    assert_q(h.weights[2], 1, 2);
    /* (2,1) is outside: x + y = 3 > 2, the largest over the vertices, so
     * the checked separation must hold (u.a > t >= u.p for all p). */
    assert_false(in_hull("[2, 1]", triangle, 3, &h));
    assert_non_null(h.direction);
    /* A vertex itself, and negative coordinates (rows flipped inside). */
    const char *segment[] = {"[-3, -1]", "[1, 3]"};
    assert_true(in_hull("[-3, -1]", segment, 2, &h));
    assert_q(h.weights[0], 1, 1);
    assert_true(in_hull("[-1, 1]", segment, 2, &h));   /* the midpoint */
    assert_q(h.weights[0], 1, 2);
    assert_false(in_hull("[-1, 0]", segment, 2, &h));  /* beside the segment */
    /* One point: membership is equality. */
    const char *one[] = {"[1/3]"};
    assert_true(in_hull("[1/3]", one, 1, &h));
    assert_false(in_hull("[1/2]", one, 1, &h));
    /* Repeated points and a degenerate (collinear) set. */
    const char *line[] = {"[0, 0]", "[1, 1]", "[1, 1]", "[3, 3]"};
    assert_true(in_hull("[5/2, 5/2]", line, 4, &h));
    assert_false(in_hull("[4, 4]", line, 4, &h));
    cvp_hull_result_clear(&h);
}

/* ---- kinks and membership ------------------------------------------------- */

typedef struct {
    cvp_env env;
    cvp_ast_tree tree;
    cvp_lang_error err;
} fixture;

static void setup(fixture *f, const char *x_text, const char *g_text)
{
    cvp_env_init(&f->env);
    cvp_ast_tree_init(&f->tree);
    cvp_error e;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    text_tensor(t, x_text);
    assert_int_equal(cvp_env_bind(&f->env, "X", t, &e), CVP_OK);
    if (g_text != NULL) {
        text_tensor(t, g_text);
        assert_int_equal(cvp_env_bind(&f->env, "G", t, &e), CVP_OK);
    }
    cvp_tensor_clear(t);
}

static void teardown(fixture *f)
{
    cvp_ast_tree_clear(&f->tree);
    cvp_env_clear(&f->env);
}

static const cvp_ast_node *parse(fixture *f, const char *text)
{
    cvp_ast_tree_clear(&f->tree);
    cvp_ast_tree_init(&f->tree);
    assert_int_equal(cvp_parse_expression(&f->tree, text, strlen(text), "<t>",
                                          &f->err), CVP_OK);
    return f->tree.root;
}

/* Evaluates grad text at X (and G); returns the status, the message in
 * f->err. */
static cvp_status grad_status(fixture *f, const char *text)
{
    cvp_value v;
    cvp_value_init(&v);
    const cvp_ast_node *node = parse(f, text);
    cvp_status st = cvp_eval(&v, node, &f->env, "<t>", &f->err);
    cvp_value_clear(&v);
    return st;
}

/* Decides (A text) in subgrad(L text, X). */
static bool member(fixture *f, const char *a_text, const char *l_text)
{
    cvp_value A;
    cvp_value_init(&A);
    text_tensor(A.tensor, a_text);
    cvp_value_make_tensor(&A);
    char set_text[256];
    snprintf(set_text, sizeof set_text, "subgrad(%s, X)", l_text);
    const cvp_ast_node *set = parse(f, set_text);
    cvp_eval_context context = {&f->env, "<t>", &f->err, NULL, NULL};
    bool in = false;
    char *why = NULL;
    assert_int_equal(cvp_eval_membership(&in, &why, &A, set, &context), CVP_OK);
    assert_non_null(why);
    free(why);
    cvp_value_clear(&A);
    return in;
}

static void test_kinks(void **state)
{
    (void)state;
    fixture f;
    /* A 2x2 window with two equal maxima (the 3s): no gradient, and the
     * message names both entries. */
    setup(&f, "[[[[3, 3], [1, 2]]]]", "[[[[1]]]]");
    assert_int_equal(grad_status(&f, "grad(sum(max_pool2d(X, 2) * G), X)"),
                     CVP_ERR_NOT_DIFFERENTIABLE);
    assert_non_null(strstr(f.err.message, "X[0,0,0,0], X[0,0,0,1]"));
    assert_non_null(strstr(f.err.message, "2 active pieces"));
    /* The tie is invisible when the window's gradient is 0: L = 0. */
    teardown(&f);
    setup(&f, "[[[[3, 3], [1, 2]]]]", "[[[[0]]]]");
    assert_int_equal(grad_status(&f, "grad(sum(max_pool2d(X, 2) * G), X)"),
                     CVP_OK);
    teardown(&f);
    /* Overlapping windows (2x2, stride 1) sharing a maximum: in 1x3 rows
     * [[5, 5, 1], [0, 0, 0]] the 5s tie in the first window; the second
     * window's maximum is the 5 at column 1 alone.  The tie changes L
     * (window 1's gradient 1 goes to either 5), so there is no gradient;
     * with window 1's gradient 0 only the shared 5 matters: defined. */
    setup(&f, "[[[[5, 5, 1], [0, 0, 0]]]]", "[[[[1, 2]]]]");
    assert_int_equal(grad_status(&f, "grad(sum(max_pool2d(X, 2, stride=1) * G), X)"),
                     CVP_ERR_NOT_DIFFERENTIABLE);
    assert_non_null(strstr(f.err.message, "X[0,0,0,0], X[0,0,0,1]"));
    assert_non_null(strstr(f.err.message, "2 active pieces"));
    teardown(&f);
    setup(&f, "[[[[5, 5, 1], [0, 0, 0]]]]", "[[[[0, 2]]]]");
    assert_int_equal(grad_status(&f, "grad(sum(max_pool2d(X, 2, stride=1) * G), X)"),
                     CVP_OK);
    teardown(&f);
    /* ReLU at exactly 0 (the middle entry). */
    setup(&f, "[-1, 0, 2]", NULL);
    assert_int_equal(grad_status(&f, "grad(sum(relu(X)), X)"),
                     CVP_ERR_NOT_DIFFERENTIABLE);
    assert_non_null(strstr(f.err.message, "ReLU"));
    assert_non_null(strstr(f.err.message, "slope in X[1]"));
    teardown(&f);
}

/* grad text at X must exist and equal the text tensor `want`. */
static void assert_grad(fixture *f, const char *text, const char *want)
{
    cvp_value v;
    cvp_value_init(&v);
    const cvp_ast_node *node = parse(f, text);
    cvp_status st = cvp_eval(&v, node, &f->env, "<t>", &f->err);
    if (st != CVP_OK)
        fail_msg("%s: %s", text, f->err.message);
    cvp_tensor_t w;
    cvp_tensor_init(w);
    text_tensor(w, want);
    assert_int_equal(v.kind, CVP_VALUE_TENSOR);
    assert_true(cvp_tensor_equal(v.tensor, w));
    cvp_tensor_clear(w);
    cvp_value_clear(&v);
}

/* Kinks are answered together: only answer vectors that one direction
 * of X realizes are pieces. */
static void test_realizable(void **state)
{
    (void)state;
    fixture f;
    /* relu(x) - relu(-x) = x.  At x = 0 the kinks' slopes are e and -e:
     * "both pass" needs d > 0 and -d > 0, "both block" d < 0 and -d < 0,
     * neither realizable; the other two both give gradient 1.  The old
     * answers (0 and 2) are gone, so grad is 1 everywhere. */
    setup(&f, "[0, 3, -2]", NULL);
    assert_grad(&f, "grad(sum(relu(X) - relu(-X)), X)", "[1, 1, 1]");
    teardown(&f);
    /* max + min over 1x2 windows is the sum: at the tie (0, 0) and away
     * from it (2 > 1) the gradient is 1.  min is -max of the negation;
     * the winner of one must be the loser of the other. */
    setup(&f, "[[[[0, 0, 2, 1]]]]", NULL);
    assert_grad(&f, "grad(sum(max_pool2d(X, (1, 2)) - max_pool2d(-X, (1, 2))), X)",
                "[[[[1, 1, 1, 1]]]]");
    teardown(&f);
    /* relu(x) - relu(x) = 0: one ReLU passing while the other blocks is
     * not realizable, so the set at 0 is {0}, and 1 is outside it. */
    setup(&f, "[0]", NULL);
    assert_true(member(&f, "[0]", "sum(relu(X) - relu(X))"));
    assert_false(member(&f, "[1]", "sum(relu(X) - relu(X))"));
    assert_false(member(&f, "[-1]", "sum(relu(X) - relu(X))"));
    assert_grad(&f, "grad(sum(relu(X) - relu(X)), X)", "[0]");
    /* relu(x) + relu(-x) = |x|: two realizable pieces, gradients -1 and
     * 1, so no gradient; the message shows both with their directions. */
    assert_int_equal(grad_status(&f, "grad(sum(relu(X) + relu(-X)), X)"),
                     CVP_ERR_NOT_DIFFERENTIABLE);
    assert_non_null(strstr(f.err.message, "along d = (X[0]: -1) the gradient "
                                          "has X[0] = -1"));
    assert_non_null(strstr(f.err.message, "along d = (X[0]: 1) the gradient "
                                          "has X[0] = 1"));
    assert_non_null(strstr(f.err.message, "convex hull"));
    assert_true(member(&f, "[1/2]", "sum(relu(X) + relu(-X))"));
    assert_false(member(&f, "[3/2]", "sum(relu(X) + relu(-X))"));
    teardown(&f);
    /* Two inputs, coupled through a tie: max(x0, x1) - max(x0, x1) = 0
     * at x0 = x1 = 5.  Window 1 won by x0 needs d0 > d1, window 2 won
     * by x1 needs d1 > d0: not both.  So the set is {(0, 0)}; the
     * per-kink answers also gave (1, -1) and (-1, 1). */
    setup(&f, "[[[[5, 5]]]]", NULL);
    const char *zero = "sum(max_pool2d(X, (1, 2)) - max_pool2d(X, (1, 2)))";
    assert_true(member(&f, "[[[[0, 0]]]]", zero));
    assert_false(member(&f, "[[[[1, -1]]]]", zero));
    assert_false(member(&f, "[[[[-1/2, 1/2]]]]", zero));
    /* max(x0, x1) + max(x0, x1): pieces (2, 0) and (0, 2), never (1, 1)
     * as a piece, but (1, 1) is their midpoint. */
    const char *twice = "sum(max_pool2d(X, (1, 2)) + max_pool2d(X, (1, 2)))";
    assert_true(member(&f, "[[[[1, 1]]]]", twice));
    assert_true(member(&f, "[[[[2, 0]]]]", twice));
    assert_false(member(&f, "[[[[2, 2]]]]", twice));
    teardown(&f);
    /* A step: relu_backward(x, 1) = [x > 0] is flat on both sides of 0,
     * but it jumps there, so it has no gradient at 0. */
    setup(&f, "[0]", "[1]");
    assert_int_equal(grad_status(&f, "grad(sum(relu_backward(X, G)), X)"),
                     CVP_ERR_NOT_DIFFERENTIABLE);
    assert_non_null(strstr(f.err.message, "not continuous"));
    assert_non_null(strstr(f.err.message, "is 0 at the point but tends to 1 "
                                          "along d = (X[0]: 1)"));
    teardown(&f);
}

static void test_membership(void **state)
{
    (void)state;
    fixture f;
    /* relu at [-1, 0, 2]: the set is {(0, s, 1) : 0 <= s <= 1}. */
    setup(&f, "[-1, 0, 2]", NULL);
    assert_true(member(&f, "[0, 0, 1]", "sum(relu(X))"));
    assert_true(member(&f, "[0, 1, 1]", "sum(relu(X))"));
    assert_true(member(&f, "[0, 1/3, 1]", "sum(relu(X))"));
    assert_false(member(&f, "[0, 2, 1]", "sum(relu(X))"));
    assert_false(member(&f, "[0, -1/2, 1]", "sum(relu(X))"));
    assert_false(member(&f, "[1, 0, 1]", "sum(relu(X))"));
    teardown(&f);

    /* One 2x2 window, all four tied, gradient 2: every split of 2 among
     * the four entries with nonnegative shares. */
    setup(&f, "[[[[0, 0], [0, 0]]]]", "[[[[2]]]]");
    const char *L = "sum(max_pool2d(X, 2) * G)";
    assert_true(member(&f, "[[[[2, 0], [0, 0]]]]", L));       /* first max */
    assert_true(member(&f, "[[[[1/2, 1/2], [1/2, 1/2]]]]", L)); /* split */
    assert_false(member(&f, "[[[[2, 2], [2, 2]]]]", L));      /* all: sum 8 */
    assert_false(member(&f, "[[[[3, -1], [0, 0]]]]", L));     /* a negative share */
    teardown(&f);

    /* Overlapping windows sharing a maximum: X is 2x3 of zeros, 2x2
     * windows with stride 1 cover columns {0,1} and {1,2}; G = [1, 1].
     * Both windows may pick the shared column-1 entries: (0,1) gets 2.
     * Nothing outside the windows' own entries can receive a share, so
     * 2 at (0,0) (only in the first window) is outside. */
    setup(&f, "[[[[0, 0, 0], [0, 0, 0]]]]", "[[[[1, 1]]]]");
    const char *L2 = "sum(max_pool2d(X, 2, stride=1) * G)";
    assert_true(member(&f, "[[[[0, 2, 0], [0, 0, 0]]]]", L2));
    assert_true(member(&f, "[[[[1, 0, 1], [0, 0, 0]]]]", L2));
    assert_true(member(&f, "[[[[1/2, 1/2, 0], [0, 1/2, 1/2]]]]", L2));
    assert_false(member(&f, "[[[[2, 0, 0], [0, 0, 0]]]]", L2));
    assert_false(member(&f, "[[[[1, 1, 1], [0, 0, 0]]]]", L2));  /* sum 3 */
    teardown(&f);

    /* Without a kink the set is the gradient alone. */
    setup(&f, "[[[[1, 4], [2, 3]]]]", "[[[[5]]]]");
    assert_true(member(&f, "[[[[0, 5], [0, 0]]]]", L));
    assert_false(member(&f, "[[[[5, 0], [0, 0]]]]", L));
    teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hull),
        cmocka_unit_test(test_kinks),
        cmocka_unit_test(test_membership),
        cmocka_unit_test(test_realizable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
