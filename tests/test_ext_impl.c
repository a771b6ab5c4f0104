/* test_ext_impl.c -- `convproof test-impl` inside the library: layouts,
 * dimensions, the sweep, exact results and sums, judging.
 *
 * Expected values are worked out by hand in the comments.
 * test_ext_impl_run.c tests shrinking and the report mapping with a fake
 * implementation, and the external runner.  Run under valgrind by make
 * check-valgrind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check/verdict.h"
#include "ext/compare.h"
#include "ext/impl.h"
#include "ext/impl_run.h"
#include "kernel/pool.h"
#include "testutil.h"
#include "testutil_impl.h"

/* ---- layouts and dimensions ------------------------------------------ */

static cvp_impl_dims example_dims(void)
{
    cvp_impl_dims d;
    memset(&d, 0, sizeof d);
    d.n = 2, d.c = 4, d.h = 5, d.w = 6, d.o = 6;
    d.kernel[0] = 3, d.kernel[1] = 2;
    d.stride[0] = 2, d.stride[1] = 1;
    d.padding[0] = 1, d.padding[1] = 0;
    d.dilation[0] = d.dilation[1] = 1;
    d.groups = 2;
    return d;
}

static void assert_shape(cvp_impl_op op, bool output, size_t k,
                         cvp_impl_layout layout, int rank, const size_t *want)
{
    cvp_impl_dims d = example_dims();
    int r;
    size_t shape[CVP_MAX_RANK];
    if (output)
        cvp_impl_output_shape(&r, shape, &d, op, k, layout);
    else
        cvp_impl_input_shape(&r, shape, &d, op, k, layout);
    assert_int_equal(r, rank);
    for (int a = 0; a < rank; a++)
        assert_int_equal(shape[a], want[a]);
}

static void test_ops_and_shapes(void **state)
{
    (void)state;
    cvp_impl_op op;
    assert_true(cvp_impl_op_parse(&op, "max_pool2d_backward"));
    assert_int_equal(op, CVP_IMPL_MAX_POOL2D_BACKWARD);
    assert_false(cvp_impl_op_parse(&op, "conv3d"));
    cvp_impl_layout layout;
    assert_true(cvp_impl_layout_parse(&layout, "nhwc"));
    assert_int_equal(layout, CVP_IMPL_NHWC);
    assert_false(cvp_impl_layout_parse(&layout, "NHWC"));
    const cvp_impl_op_info *info = cvp_impl_op_get(CVP_IMPL_CONV2D_BACKWARD);
    assert_int_equal(info->input_count, 4);
    assert_string_equal(info->inputs[3], "grad_output");
    assert_string_equal(info->outputs[2], "grad_bias");

    /* Height (5 + 2 - 3) / 2 + 1 = 3, width (6 - 2) / 1 + 1 = 5. */
    cvp_impl_op bw = CVP_IMPL_CONV2D_BACKWARD;
    assert_shape(bw, false, 0, CVP_IMPL_NCHW, 4, (size_t[]){2, 4, 5, 6});
    assert_shape(bw, false, 1, CVP_IMPL_NCHW, 4, (size_t[]){6, 2, 3, 2});
    assert_shape(bw, false, 2, CVP_IMPL_NCHW, 1, (size_t[]){6});
    assert_shape(bw, false, 3, CVP_IMPL_NCHW, 4, (size_t[]){2, 6, 3, 5});
    assert_shape(bw, false, 0, CVP_IMPL_NHWC, 4, (size_t[]){2, 5, 6, 4});
    assert_shape(bw, false, 1, CVP_IMPL_NHWC, 4, (size_t[]){3, 2, 2, 6});
    assert_shape(bw, false, 2, CVP_IMPL_NHWC, 4, (size_t[]){1, 1, 1, 6});
    assert_shape(bw, false, 3, CVP_IMPL_NHWC, 4, (size_t[]){2, 3, 5, 6});
    assert_shape(bw, true, 0, CVP_IMPL_NHWC, 4, (size_t[]){2, 5, 6, 4});
    assert_shape(bw, true, 1, CVP_IMPL_NHWC, 4, (size_t[]){3, 2, 2, 6});
    assert_shape(bw, true, 2, CVP_IMPL_NHWC, 4, (size_t[]){1, 1, 1, 6});
    assert_shape(CVP_IMPL_CONV2D, true, 0, CVP_IMPL_NCHW, 4,
                 (size_t[]){2, 6, 3, 5});
}

/* t := entries 0, 1, 2, ... in row-major order. */
static void iota(cvp_tensor_t t, int rank, const size_t *shape)
{
    size_t n = 1;
    for (int a = 0; a < rank; a++)
        n *= shape[a];
    long *values = malloc(n * sizeof *values);
    assert_non_null(values);
    for (size_t k = 0; k < n; k++)
        values[k] = (long)k;
    tu_ints(t, rank, shape, values);
    free(values);
}

static void test_convert(void **state)
{
    (void)state;
    cvp_tensor_t t, u, back;
    cvp_tensor_init(t);
    cvp_tensor_init(u);
    cvp_tensor_init(back);
    cvp_error e;
    /* Activations: NHWC[n, h, w, c] = NCHW[n, c, h, w]. */
    size_t nchw[4] = {2, 3, 4, 5};
    iota(t, 4, nchw);
    tu_assert_ok(cvp_impl_convert(u, t, CVP_IMPL_ACTIVATION, CVP_IMPL_NHWC,
                                  false, &e), &e);
    assert_int_equal(u->shape[1], 4);
    assert_int_equal(u->shape[3], 3);
    for (size_t n = 0; n < 2; n++)
        for (size_t c = 0; c < 3; c++)
            for (size_t h = 0; h < 4; h++)
                for (size_t w = 0; w < 5; w++) {
                    size_t a[4] = {n, c, h, w}, b[4] = {n, h, w, c};
                    assert_true(mpq_equal(cvp_tensor_entry(t, a),
                                          cvp_tensor_entry(u, b)));
                }
    tu_assert_ok(cvp_impl_convert(back, u, CVP_IMPL_ACTIVATION, CVP_IMPL_NHWC,
                                  true, &e), &e);
    tu_assert_equal(back, t);
    /* Kernels: HWIO[u, v, c, o] = OIHW[o, c, u, v]. */
    size_t oihw[4] = {3, 2, 4, 5};
    iota(t, 4, oihw);
    tu_assert_ok(cvp_impl_convert(u, t, CVP_IMPL_WEIGHT, CVP_IMPL_NHWC, false,
                                  &e), &e);
    for (size_t o = 0; o < 3; o++)
        for (size_t c = 0; c < 2; c++)
            for (size_t y = 0; y < 4; y++)
                for (size_t x = 0; x < 5; x++) {
                    size_t a[4] = {o, c, y, x}, b[4] = {y, x, c, o};
                    assert_true(mpq_equal(cvp_tensor_entry(t, a),
                                          cvp_tensor_entry(u, b)));
                }
    tu_assert_ok(cvp_impl_convert(back, u, CVP_IMPL_WEIGHT, CVP_IMPL_NHWC, true,
                                  &e), &e);
    tu_assert_equal(back, t);
    /* Bias: [O] <-> [1, 1, 1, O]; nchw is the identity. */
    size_t o3 = 3;
    tu_ints(t, 1, &o3, (long[]){7, 8, 9});
    tu_assert_ok(cvp_impl_convert(u, t, CVP_IMPL_BIAS, CVP_IMPL_NHWC, false, &e), &e);
    tu_ints(back, 4, (size_t[]){1, 1, 1, 3}, (long[]){7, 8, 9});
    tu_assert_equal(u, back);
    tu_assert_ok(cvp_impl_convert(back, u, CVP_IMPL_BIAS, CVP_IMPL_NHWC, true, &e), &e);
    tu_assert_equal(back, t);
    tu_assert_ok(cvp_impl_convert(u, t, CVP_IMPL_BIAS, CVP_IMPL_NCHW, false, &e), &e);
    tu_assert_equal(u, t);
    cvp_tensor_clear(t);
    cvp_tensor_clear(u);
    cvp_tensor_clear(back);
}

static void test_dims(void **state)
{
    (void)state;
    cvp_error e;
    cvp_impl_dims d = example_dims();
    tu_assert_ok(cvp_impl_dims_check(&d, CVP_IMPL_CONV2D, &e), &e);
    char buf[200];
    cvp_impl_dims_format(buf, sizeof buf, &d, CVP_IMPL_CONV2D);
    assert_string_equal(buf, "N=2, C=4, H=5, W=6, O=6, K=3x2, S=2x1, P=1x0, G=2");
    d.dilation[1] = 2;
    cvp_impl_dims_format(buf, sizeof buf, &d, CVP_IMPL_CONV2D);
    assert_string_equal(buf, "N=2, C=4, H=5, W=6, O=6, K=3x2, S=2x1, P=1x0, "
                             "D=1x2, G=2");
    d = example_dims();
    d.groups = 3;
    tu_assert_fails(cvp_impl_dims_check(&d, CVP_IMPL_CONV2D, &e), &e,
                    CVP_ERR_INPUT, "groups (3) must divide C (4) and O (6)");
    d = example_dims();
    d.h = 1;    /* 1 + 2 < 3 rows... 1 + 2*1 - 3 = 0 >= 0: still one row */
    tu_assert_ok(cvp_impl_dims_check(&d, CVP_IMPL_CONV2D, &e), &e);
    d.padding[0] = 0;   /* 1 - 3 < 0: no output row */
    assert_int_equal(cvp_impl_dims_check(&d, CVP_IMPL_CONV2D, &e), CVP_ERR_INPUT);

    cvp_impl_dims p;
    memset(&p, 0, sizeof p);
    p.n = 1, p.c = 1, p.o = 1, p.h = 2, p.w = 2, p.groups = 1;
    p.kernel[0] = p.kernel[1] = 2;
    p.stride[0] = p.stride[1] = 1;
    p.dilation[0] = p.dilation[1] = 1;
    tu_assert_ok(cvp_impl_dims_check(&p, CVP_IMPL_MAX_POOL2D, &e), &e);
    cvp_impl_dims_format(buf, sizeof buf, &p, CVP_IMPL_MAX_POOL2D);
    assert_string_equal(buf, "N=1, C=1, H=2, W=2, K=2x2, S=1x1, P=0x0");
    p.padding[0] = 2;
    tu_assert_fails(cvp_impl_dims_check(&p, CVP_IMPL_MAX_POOL2D, &e), &e,
                    CVP_ERR_INPUT, "more than half the window");
    p.padding[0] = 0;
    p.o = 2;
    assert_int_equal(cvp_impl_dims_check(&p, CVP_IMPL_AVG_POOL2D, &e),
                     CVP_ERR_INPUT);
}

static void test_space_parse(void **state)
{
    (void)state;
    cvp_impl_space s;
    cvp_error e;
    cvp_impl_space_default(&s, CVP_IMPL_CONV2D, CVP_IMPL_NHWC);
    assert_true(s.square);
    assert_int_equal(s.d.hi, 1);
    assert_int_equal(s.g.hi, 1);
    tu_assert_ok(cvp_impl_space_parse(&s, "N=1..2,h=3..8,K=2,P=0", &e), &e);
    assert_int_equal(s.n.lo, 1);
    assert_int_equal(s.n.hi, 2);
    assert_int_equal(s.h.lo, 3);
    assert_int_equal(s.h.hi, 8);
    assert_int_equal(s.k.lo, 2);
    assert_int_equal(s.k.hi, 2);
    assert_int_equal(s.p.hi, 0);
    tu_assert_fails(cvp_impl_space_parse(&s, "X=1", &e), &e, CVP_ERR_INPUT,
                    "expected NAME=LO..HI");
    tu_assert_fails(cvp_impl_space_parse(&s, "K=0", &e), &e, CVP_ERR_INPUT,
                    "K must be a range");
    tu_assert_fails(cvp_impl_space_parse(&s, "H=5..3", &e), &e, CVP_ERR_INPUT,
                    "LO <= HI");
    tu_assert_fails(cvp_impl_space_parse(&s, "P=1..x", &e), &e, CVP_ERR_INPUT,
                    "after '..'");
    tu_assert_fails(cvp_impl_space_parse(&s, "N=1;", &e), &e, CVP_ERR_INPUT,
                    "unexpected ';'");
    tu_assert_fails(cvp_impl_space_parse(&s, "", &e), &e, CVP_ERR_INPUT, "empty");
    cvp_impl_space_default(&s, CVP_IMPL_MAX_POOL2D, CVP_IMPL_NCHW);
    assert_false(s.square);
    assert_int_equal(s.p.hi, 1);
}

/* ---- the sweep -------------------------------------------------------- */

static void test_sweep(void **state)
{
    (void)state;
    cvp_error e;
    for (int op = 0; op < CVP_IMPL_OP_COUNT; op++)
        for (int l = 0; l < 2; l++) {
            cvp_impl_space s;
            cvp_impl_space_default(&s, (cvp_impl_op)op, (cvp_impl_layout)l);
            cvp_impl_case *cases, *again;
            size_t n, m;
            tu_assert_ok(cvp_impl_sweep(&cases, &n, (cvp_impl_op)op, &s, 40,
                                        true, 5, &e), &e);
            tu_assert_ok(cvp_impl_sweep(&again, &m, (cvp_impl_op)op, &s, 40,
                                        true, 5, &e), &e);
            assert_int_equal(n, m);
            assert_true(n >= 40);
            size_t over = 0, undivided = 0, unpadded = 0, padded = 0, ties = 0,
                   large = 0;
            const cvp_impl_op_info *info = cvp_impl_op_get((cvp_impl_op)op);
            for (size_t k = 0; k < n; k++) {
                const cvp_impl_dims *d = &cases[k].d;
                tu_assert_ok(cvp_impl_dims_check(d, (cvp_impl_op)op, &e), &e);
                /* The same seed gives the same cases. */
                assert_memory_equal(d, &again[k].d, sizeof *d);
                for (size_t i = 0; i < info->input_count; i++) {
                    int rank;
                    size_t shape[CVP_MAX_RANK];
                    cvp_impl_input_shape(&rank, shape, d, (cvp_impl_op)op, i,
                                         CVP_IMPL_NCHW);
                    assert_int_equal(cases[k].inputs[i]->rank, rank);
                    assert_memory_equal(cases[k].inputs[i]->shape, shape,
                                        (size_t)rank * sizeof *shape);
                    tu_assert_equal(cases[k].inputs[i], again[k].inputs[i]);
                }
                if (l == CVP_IMPL_NHWC)
                    assert_true(d->kernel[0] == d->kernel[1]
                                && d->stride[0] == d->stride[1]
                                && d->padding[0] == d->padding[1]
                                && d->dilation[0] == 1 && d->groups == 1);
                if (d->stride[0] > d->kernel[0])
                    over++;
                size_t span = d->dilation[0] * (d->kernel[0] - 1) + 1;
                if ((d->h + 2 * d->padding[0] - span) % d->stride[0] != 0)
                    undivided++;
                if (d->padding[0] == 0)
                    unpadded++;
                else
                    padded++;
                if (cases[k].hi == 1)
                    ties++;
                if (cases[k].hi > 1000)
                    large++;
            }
            assert_true(over > 0);
            assert_true(undivided > 0);
            assert_true(unpadded > 0);
            if (info->conv || l == CVP_IMPL_NCHW)
                assert_true(padded > 0);
            else
                assert_int_equal(padded, 0);   /* course pooling: no padding */
            assert_true(ties > 5);
            assert_true(large > 5);
            for (size_t k = 0; k < n; k++) {
                cvp_impl_case_clear(&cases[k]);
                cvp_impl_case_clear(&again[k]);
            }
            free(cases);
            free(again);
        }
    /* Ranges that admit no case. */
    cvp_impl_space s;
    cvp_impl_space_default(&s, CVP_IMPL_CONV2D, CVP_IMPL_NHWC);
    tu_assert_ok(cvp_impl_space_parse(&s, "H=1,W=1,K=3,P=0", &e), &e);
    cvp_impl_case *cases;
    size_t n;
    tu_assert_fails(cvp_impl_sweep(&cases, &n, CVP_IMPL_CONV2D, &s, 5, true, 1,
                                   &e), &e, CVP_ERR_INPUT, "no valid conv2d case");
}

/* ---- exact results and sums ----------------------------------------- */

static void test_expected_and_sums(void **state)
{
    (void)state;
    cvp_impl_case c;
    cvp_impl_case_init(&c);
    cvp_error e;
    /* y = 2 x + 1 on [[1, 2], [3, 4]]: [[3, 5], [7, 9]]. */
    tu_small_conv(&c, 1, 2, 3, 4, 2, 1);
    cvp_tensor_t out[CVP_IMPL_MAX_OUTPUTS], sums[CVP_IMPL_MAX_OUTPUTS], want;
    for (int k = 0; k < CVP_IMPL_MAX_OUTPUTS; k++) {
        cvp_tensor_init(out[k]);
        cvp_tensor_init(sums[k]);
    }
    cvp_tensor_init(want);
    tu_assert_ok(cvp_impl_expected(out, &c, &e), &e);
    tu_ints(want, 4, (size_t[]){1, 1, 2, 2}, (long[]){3, 5, 7, 9});
    tu_assert_equal(out[0], want);
    /* With x = [[-1, 2], [3, -4]], w = -2, b = 1: sum |terms| is
     * 2 |x| + 1 = [[3, 5], [7, 9]] again, with n = 1 product + the bias. */
    tu_small_conv(&c, -1, 2, 3, -4, -2, 1);
    unsigned long terms[CVP_IMPL_MAX_OUTPUTS], divisor;
    tu_assert_ok(cvp_impl_abs_sums(sums, terms, &divisor, &c, &e), &e);
    tu_assert_equal(sums[0], want);
    assert_int_equal(terms[0], 2);
    assert_int_equal(divisor, 1);
    size_t total, nonzero;
    total = cvp_impl_case_entries(&c, &nonzero);
    assert_int_equal(total, 6);
    assert_int_equal(nonzero, 6);

    /* Average pooling 2x2 over 2x3 with stride 1: terms x/4, so the
     * divisor is 4 and n = 4 + 1 (the division). */
    cvp_impl_dims d;
    memset(&d, 0, sizeof d);
    d.n = d.c = d.o = d.groups = 1;
    d.h = 2, d.w = 3;
    d.kernel[0] = d.kernel[1] = 2;
    d.stride[0] = d.stride[1] = 1;
    d.dilation[0] = d.dilation[1] = 1;
    tu_assert_ok(cvp_impl_case_fill(&c, CVP_IMPL_AVG_POOL2D, &d, -3, 3, 9, &e), &e);
    tu_ints(c.inputs[0], 4, (size_t[]){1, 1, 2, 3}, (long[]){1, -2, 3, -4, 5, -6});
    tu_assert_ok(cvp_impl_abs_sums(sums, terms, &divisor, &c, &e), &e);
    /* (1 + 2 + 4 + 5) / 4 = 3, (2 + 3 + 5 + 6) / 4 = 4 */
    tu_ints(want, 4, (size_t[]){1, 1, 1, 2}, (long[]){3, 4});
    tu_assert_equal(sums[0], want);
    assert_int_equal(terms[0], 5);
    assert_int_equal(divisor, 4);
    /* Its backward pass: each position is covered by up to
     * ceil(2/1)^2 = 4 windows, plus the division. */
    tu_assert_ok(cvp_impl_case_fill(&c, CVP_IMPL_AVG_POOL2D_BACKWARD, &d, -3, 3,
                                    9, &e), &e);
    tu_assert_ok(cvp_impl_abs_sums(sums, terms, &divisor, &c, &e), &e);
    assert_int_equal(terms[0], 5);

    /* Redimensioning keeps the entries whose index survives. */
    tu_small_conv(&c, 1, 2, 3, 4, 2, 1);
    c.lo = 7, c.hi = 7;
    cvp_impl_dims bigger = c.d;
    bigger.w = 3;
    tu_assert_ok(cvp_impl_case_redim(&c, &bigger, 1, &e), &e);
    tu_ints(want, 4, (size_t[]){1, 1, 2, 3}, (long[]){1, 2, 7, 3, 4, 7});
    tu_assert_equal(c.inputs[0], want);

    for (int k = 0; k < CVP_IMPL_MAX_OUTPUTS; k++) {
        cvp_tensor_clear(out[k]);
        cvp_tensor_clear(sums[k]);
    }
    cvp_tensor_clear(want);
    cvp_impl_case_clear(&c);
}

/* ---- judging ---------------------------------------------------------- */

/* r := the implementation "returned" these values for output 0. */
static void give_output(cvp_impl_result *r, const cvp_tensor_t t)
{
    cvp_error e;
    cvp_impl_result_reset(r);
    r->present[0] = true;
    tu_assert_ok(cvp_tensor_set(r->outputs[0], t, &e), &e);
}

static void test_judge(void **state)
{
    (void)state;
    cvp_impl_case c;
    cvp_impl_case_init(&c);
    cvp_impl_result r;
    cvp_impl_result_init(&r);
    cvp_tensor_t t;
    cvp_tensor_init(t);
    cvp_error e;
    tu_small_conv(&c, 1, 2, 3, 4, 2, 1);
    size_t shape[4] = {1, 1, 2, 2};

    tu_ints(t, 4, shape, (long[]){3, 5, 7, 9});
    give_output(&r, t);
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_AGREES);
    assert_true(r.exact_regime);
    assert_null(r.message);

    tu_ints(t, 4, shape, (long[]){3, 6, 7, 9});
    give_output(&r, t);
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_WRONG_VALUES);
    assert_int_equal(r.output, 0);
    assert_string_equal(r.differences, "out[0,0,0,1]: 6 != 5");
    assert_non_null(strstr(r.message, "out differs from the exact value at 1 of "
                                      "4 entries"));
    assert_non_null(strstr(r.message, "must be exact: this is a bug"));

    /* In nhwc the same values are expected at [n, h, w, c]. */
    tu_ints(t, 4, (size_t[]){1, 2, 2, 1}, (long[]){3, 5, 7, 9});
    give_output(&r, t);
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NHWC, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_AGREES);
    give_output(&r, t);
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_WRONG_SHAPE);
    assert_string_equal(r.message, "out has shape [1, 2, 2, 1] where "
                                   "[1, 1, 2, 2] (layout nchw) was expected");

    cvp_impl_result_reset(&r);
    r.exit_code = 1;
    cvp_set_text(&r.stderr_excerpt, "ValueError: boom");
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_CRASHED);
    assert_string_equal(r.message, "the command exited with status 1\nstderr:\n"
                                   "ValueError: boom");
    /* The exact result is there for the report even then. */
    tu_ints(t, 4, shape, (long[]){3, 5, 7, 9});
    tu_assert_equal(r.expected[0], t);

    cvp_impl_result_reset(&r);
    r.signal = SIGSEGV;
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_CRASHED);
    assert_non_null(strstr(r.message, "killed by signal 11"));

    cvp_impl_result_reset(&r);
    r.traceback = true;
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_CRASHED);
    assert_non_null(strstr(r.message, "status 0 but printed a Python traceback"));

    cvp_impl_result_reset(&r);
    r.timed_out = true;
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_TIMED_OUT);

    cvp_impl_result_reset(&r);
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_NO_OUTPUT);
    assert_non_null(strstr(r.message, "without writing out"));

    cvp_impl_result_reset(&r);
    r.present[0] = true;
    cvp_set_text(&r.read_error[0], "entry [0, 0, 0, 1] is NaN");
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_BAD_OUTPUT);
    assert_non_null(strstr(r.message, "out is not a valid output: entry "
                                      "[0, 0, 0, 1] is NaN"));

    cvp_impl_result_reset(&r);
    r.not_started = true;
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_NOT_STARTED);

    /* "unsupported": not a failure, with its reason; a crash stays a
     * crash whatever the status says; a bad status file is a bad output. */
    cvp_impl_result_reset(&r);
    r.unsupported = true;
    cvp_set_text(&r.unsupported_reason, "no groups");
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_UNSUPPORTED);
    assert_string_equal(cvp_impl_finding_name(r.finding), "unsupported");
    assert_string_equal(r.message, "the implementation does not handle this "
                        "case (it answered \"unsupported\": no groups)");
    r.exit_code = 1;
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_CRASHED);
    cvp_impl_result_reset(&r);
    cvp_set_text(&r.status_error, "status.json:1:1: not JSON");
    tu_assert_ok(cvp_impl_judge(&r, &c, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_BAD_OUTPUT);
    assert_non_null(strstr(r.message, "its status answer is not valid: "
                                      "status.json:1:1: not JSON"));

    cvp_impl_result_clear(&r);
    cvp_tensor_clear(t);
    cvp_impl_case_clear(&c);
}

static void test_judge_bounded(void **state)
{
    (void)state;
    /* out = a c + b d, one output entry, with a = 2^30 + 1, c = 2^30 + 3,
     * b = -(2^30 - 1), d = 2^30 + 5: exactly
     * (2^60 + 2^32 + 3) - (2^60 + 2^32 - 5) = 8.  In float64 both products
     * round to 2^60 + 2^32 (the spacing there is 256), so a plain
     * evaluation gives 0: an error of 8, far more than an ulp of 8, but
     * within gamma_3 * (|a c| + |b d|), about 768.  An error of 2000 is
     * outside. */
    long a = (1L << 30) + 1, c = (1L << 30) + 3, b = -((1L << 30) - 1),
         d = (1L << 30) + 5;
    cvp_impl_case k;
    cvp_impl_case_init(&k);
    cvp_impl_dims dims;
    memset(&dims, 0, sizeof dims);
    dims.n = dims.c = dims.o = dims.groups = 1;
    dims.h = 1, dims.w = 2;
    dims.kernel[0] = 1, dims.kernel[1] = 2;
    dims.stride[0] = dims.stride[1] = 1;
    dims.dilation[0] = dims.dilation[1] = 1;
    cvp_error e;
    tu_assert_ok(cvp_impl_case_fill(&k, CVP_IMPL_CONV2D, &dims, 0, 0, 1, &e), &e);
    tu_ints(k.inputs[0], 4, (size_t[]){1, 1, 1, 2}, (long[]){a, b});
    tu_ints(k.inputs[1], 4, (size_t[]){1, 1, 1, 2}, (long[]){c, d});
    tu_ints(k.inputs[2], 1, (size_t[]){1}, (long[]){0});
    volatile double p = (double)a * (double)c, q = (double)b * (double)d;
    double y = p + q;
    assert_true(y == 0.0);   /* what float64 gives, as worked out above */
    cvp_impl_result r;
    cvp_impl_result_init(&r);
    size_t one[4] = {1, 1, 1, 1};
    cvp_impl_result_reset(&r);
    r.present[0] = true;
    tu_assert_ok(cvp_tensor_from_doubles(r.outputs[0], 4, one, &y, &e), &e);
    tu_assert_ok(cvp_impl_judge(&r, &k, CVP_IMPL_NCHW, &e), &e);
    assert_false(r.exact_regime);
    assert_int_equal(r.finding, CVP_IMPL_AGREES);
    assert_true(r.max_ratio > 0.005 && r.max_ratio < 0.02);   /* 8 / 768 */

    double wrong = 2008;
    cvp_impl_result_reset(&r);
    r.present[0] = true;
    tu_assert_ok(cvp_tensor_from_doubles(r.outputs[0], 4, one, &wrong, &e), &e);
    tu_assert_ok(cvp_impl_judge(&r, &k, CVP_IMPL_NCHW, &e), &e);
    assert_int_equal(r.finding, CVP_IMPL_WRONG_VALUES);
    assert_non_null(strstr(r.message, "outside the rigorous rounding bound"));
    assert_non_null(strstr(r.message, "(n = 3)"));
    assert_string_equal(r.differences, "out[0,0,0,0]: 2008 != 8");
    cvp_impl_result_clear(&r);
    cvp_impl_case_clear(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ops_and_shapes),
        cmocka_unit_test(test_convert),
        cmocka_unit_test(test_dims),
        cmocka_unit_test(test_space_parse),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_expected_and_sums),
        cmocka_unit_test(test_judge),
        cmocka_unit_test(test_judge_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
