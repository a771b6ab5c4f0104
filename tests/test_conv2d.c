/* test_conv2d.c -- conv2d and conv_transpose2d (PyTorch semantics).
 *
 * Expected values come from hand arithmetic (written in the comments) or
 * from a second method: the single-channel textbook cross-correlation on a
 * padded image, running each group separately, the 1x1 convolution as a
 * per-pixel matrix product, and the adjointness of conv_transpose2d. */
#include "testutil.h"

#include <string.h>

#include "kernel/conv2d.h"
#include "kernel/textbook.h"

#define CASES 30

static cvp_conv2d_params params(size_t stride, size_t padding, size_t dilation,
                                size_t groups)
{
    cvp_conv2d_params p = cvp_conv2d_params_default();
    p.stride[0] = p.stride[1] = stride;
    p.padding[0] = p.padding[1] = padding;
    p.dilation[0] = p.dilation[1] = dilation;
    p.groups = groups;
    return p;
}

/* out := T[a, b] as a matrix, for T of rank 4. */
static void plane(cvp_tensor_t out, const cvp_tensor_t T, size_t a, size_t b)
{
    cvp_error err;
    size_t start[4] = {a, b, 0, 0};
    size_t stop[4] = {a + 1, b + 1, T->shape[2], T->shape[3]};
    size_t step[4] = {1, 1, 1, 1};
    tu_assert_ok(cvp_tensor_slice(out, T, start, stop, step, &err), &err);
    tu_assert_ok(cvp_tensor_reshape(out, out, 2, T->shape + 2, &err), &err);
}

/* out := T[lo:hi] along axis `axis` of a rank-4 tensor (or axis 0 of rank 1). */
static void channels(cvp_tensor_t out, const cvp_tensor_t T, int axis, size_t lo,
                     size_t hi)
{
    cvp_error err;
    size_t start[4] = {0, 0, 0, 0}, step[4] = {1, 1, 1, 1}, stop[4];
    memcpy(stop, T->shape, sizeof stop);
    start[axis] = lo;
    stop[axis] = hi;
    tu_assert_ok(cvp_tensor_slice(out, T, start, stop, step, &err), &err);
}

/* conv2d by a second method: Y[n, o] = bias[o] + sum over the group's
 * channels c' of xcorr(K[o, c'], pad(X[n, g*Cg + c'], p), stride, dilation),
 * built from the textbook operators (X and Y viewed as rank 4). */
static void conv2d_by_textbook(cvp_tensor_t Y, const cvp_tensor_t X4,
                               const cvp_tensor_t K, const cvp_tensor_t bias,
                               const cvp_conv2d_params *p)
{
    cvp_error err;
    size_t N = X4->shape[0], C = X4->shape[1], O = K->shape[0];
    size_t Cg = C / p->groups, Og = O / p->groups;
    cvp_tensor_t img, ker, part;
    cvp_tensor_init(img);
    cvp_tensor_init(ker);
    cvp_tensor_init(part);
    bool sized = false;
    for (size_t n = 0; n < N; n++)
        for (size_t o = 0; o < O; o++)
            for (size_t cg = 0; cg < Cg; cg++) {
                plane(img, X4, n, (o / Og) * Cg + cg);
                tu_assert_ok(cvp_pad(img, img, p->padding[0], p->padding[0],
                                     p->padding[1], p->padding[1], &err), &err);
                plane(ker, K, o, cg);
                tu_assert_ok(cvp_xcorr(part, ker, img, p->stride[0], p->stride[1],
                                       p->dilation[0], p->dilation[1], &err), &err);
                if (!sized) {
                    size_t shape[4] = {N, O, part->shape[0], part->shape[1]};
                    tu_zeros(Y, 4, shape);
                    sized = true;
                }
                size_t ps = part->size;
                for (size_t k = 0; k < ps; k++) {
                    mpq_ptr y = cvp_tensor_at(Y, (n * O + o) * ps + k);
                    mpq_add(y, y, cvp_tensor_at(part, k));
                }
            }
    assert_true(sized);
    if (bias != NULL)
        for (size_t k = 0; k < Y->size; k++) {
            size_t o = (k / (Y->shape[2] * Y->shape[3])) % O;
            mpq_add(cvp_tensor_at(Y, k), cvp_tensor_at(Y, k), cvp_tensor_at(bias, o));
        }
    cvp_tensor_clear(img);
    cvp_tensor_clear(ker);
    cvp_tensor_clear(part);
}

/* ---- hand examples ------------------------------------------------- */

static void test_conv2d_hand_valid_with_bias(void **state)
{
    (void)state;
    /* Y[i,j] = X[i,j] - X[i+1,j+1] + 2 = -4 + 2 = -2 everywhere
     * (1-5, 2-6, 4-8, 5-9 are all -4); without bias -4 everywhere. */
    static const tu_conv_hand rows[] = {
        {.op = TU_CONV2D, .x_rank = 4, .x_shape = {1, 1, 3, 3},
         .x = "1 2 3 4 5 6 7 8 9", .k_shape = {1, 1, 2, 2}, .k = "1 0 0 -1",
         .b = "2", .y_rank = 4, .y_shape = {1, 1, 2, 2}, .y = "-2 -2 -2 -2"},
        {.op = TU_CONV2D, .x_rank = 4, .x_shape = {1, 1, 3, 3},
         .x = "1 2 3 4 5 6 7 8 9", .k_shape = {1, 1, 2, 2}, .k = "1 0 0 -1",
         .y_rank = 4, .y_shape = {1, 1, 2, 2}, .y = "-4 -4 -4 -4"},
    };
    tu_check_conv_hands(rows, sizeof rows / sizeof rows[0]);
}

static void test_conv2d_hand_stride_padding_dilation(void **state)
{
    (void)state;
    static const tu_conv_hand rows[] = {
        /* stride 2, padding 1: Xp is X framed by zeros (5 x 5), output
         * (3+2-1-1)/2+1 = 2, Y[i,j] = Xp[2i,2j] - Xp[2i+1,2j+1]:
         *   Y00 = 0 - X00 = -1   Y01 = 0 - X02 = -3
         *   Y10 = 0 - X20 = -7   Y11 = X11 - X22 = 5 - 9 = -4 */
        {.op = TU_CONV2D, .x_rank = 4, .x_shape = {1, 1, 3, 3},
         .x = "1 2 3 4 5 6 7 8 9", .k_shape = {1, 1, 2, 2}, .k = "1 0 0 -1",
         .stride = {2, 2}, .padding = {1, 1},
         .y_rank = 4, .y_shape = {1, 1, 2, 2}, .y = "-1 -3 -7 -4"},
        /* dilation 2: the kernel taps (0,0) and (2,2); output 3-2-1+1 = 1:
         * Y = X00 - X22 = 1 - 9 = -8. */
        {.op = TU_CONV2D, .x_rank = 4, .x_shape = {1, 1, 3, 3},
         .x = "1 2 3 4 5 6 7 8 9", .k_shape = {1, 1, 2, 2}, .k = "1 0 0 -1",
         .dilation = {2, 2}, .y_rank = 4, .y_shape = {1, 1, 1, 1}, .y = "-8"},
        /* stride 3 > kernel 2 on a width-5 row that 3 does not divide:
         * X = [1 2 3 4 5], K = [1 10] -> out (5-1-1)/3+1 = 2:
         *   Y0 = X0 + 10*X1 = 1 + 20 = 21, Y1 = X3 + 10*X4 = 4 + 50 = 54
         * (X2 is never read). */
        {.op = TU_CONV2D, .x_rank = 4, .x_shape = {1, 1, 1, 5}, .x = "1 2 3 4 5",
         .k_shape = {1, 1, 1, 2}, .k = "1 10", .stride = {3, 3},
         .y_rank = 4, .y_shape = {1, 1, 1, 2}, .y = "21 54"},
    };
    tu_check_conv_hands(rows, sizeof rows / sizeof rows[0]);
}

static void test_conv2d_hand_channels_groups_unbatched(void **state)
{
    (void)state;
    /* Unbatched CHW, channels c0 = [[1,2],[3,4]], c1 = [[5,6],[7,8]]. */
    static const tu_conv_hand rows[] = {
        /* One output channel, 1x1 kernel [2, -1], bias 10:
         * 2*c0 - c1 + 10 = [[2-5, 4-6], [6-7, 8-8]] + 10 = [[7, 8], [9, 10]]. */
        {.op = TU_CONV2D, .x_rank = 3, .x_shape = {2, 2, 2}, .x = "1 2 3 4 5 6 7 8",
         .k_shape = {1, 2, 1, 1}, .k = "2 -1", .b = "10",
         .y_rank = 3, .y_shape = {1, 2, 2}, .y = "7 8 9 10"},
        /* groups = 2, K [2, 1, 1, 1] = [3, -1]: channel 0 = 3*c0, 1 = -c1. */
        {.op = TU_CONV2D, .x_rank = 3, .x_shape = {2, 2, 2}, .x = "1 2 3 4 5 6 7 8",
         .k_shape = {2, 1, 1, 1}, .k = "3 -1", .groups = 2,
         .y_rank = 3, .y_shape = {2, 2, 2}, .y = "3 6 9 12 -5 -6 -7 -8"},
    };
    tu_check_conv_hands(rows, sizeof rows / sizeof rows[0]);
}

static void test_conv2d_out_dim_formula(void **state)
{
    (void)state;
    cvp_error err;
    size_t out = 0;
    /* (7 + 2*1 - 2*(3-1) - 1)/2 + 1 = 4/2 + 1 = 3 */
    tu_assert_ok(cvp_conv2d_out_dim(&out, 7, 3, 2, 1, 2, "height", &err), &err);
    assert_int_equal(out, 3);
    /* (5 - 2 - 1)/3 + 1 = 0 + 1 = 1: stride larger than what is left */
    tu_assert_ok(cvp_conv2d_out_dim(&out, 5, 3, 3, 0, 1, "height", &err), &err);
    assert_int_equal(out, 1);
    /* (6 - 1 - 1)/3 + 1 = 2: 3 does not divide 6 - 2 */
    tu_assert_ok(cvp_conv2d_out_dim(&out, 6, 2, 3, 0, 1, "width", &err), &err);
    assert_int_equal(out, 2);
    /* 2 + 0 - 2*(2-1) - 1 = -1 < 0: empty */
    tu_assert_fails(cvp_conv2d_out_dim(&out, 2, 2, 1, 0, 2, "width", &err), &err,
                    CVP_ERR_INPUT, "output width would be empty");
}

/* ---- second methods over random configurations --------------------- */

static void test_conv2d_single_channel_equals_textbook_xcorr(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 501);
    cvp_tensor_t X, K, Y, img, ker, E;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(Y);
    cvp_tensor_init(img), cvp_tensor_init(ker), cvp_tensor_init(E);
    for (int t = 0; t < CASES; t++) {
        tu_conv_case cc;
        tu_random_conv_case(&cc, &rng);
        cc.p.groups = 1;
        const cvp_conv2d_params *p = &cc.p;
        tu_random(X, &rng, 4, (size_t[]){1, 1, cc.H, cc.W}, -9, 9);
        tu_random(K, &rng, 4, (size_t[]){1, 1, cc.kH, cc.kW}, -9, 9);
        tu_assert_ok(cvp_conv2d(Y, X, K, NULL, p, &err), &err);
        /* textbook: xcorr(K, pad(X, p), s, d) on the 2-D planes */
        plane(img, X, 0, 0);
        tu_assert_ok(cvp_pad(img, img, p->padding[0], p->padding[0], p->padding[1],
                             p->padding[1], &err), &err);
        plane(ker, K, 0, 0);
        tu_assert_ok(cvp_xcorr(E, ker, img, p->stride[0], p->stride[1],
                               p->dilation[0], p->dilation[1], &err), &err);
        assert_int_equal(E->shape[0], cc.Ho);
        assert_int_equal(E->shape[1], cc.Wo);
        tu_assert_ok(cvp_tensor_reshape(E, E, 4, (size_t[]){1, 1, cc.Ho, cc.Wo}, &err),
                     &err);
        tu_assert_equal_case(Y, E, &cc);
    }
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(Y);
    cvp_tensor_clear(img), cvp_tensor_clear(ker), cvp_tensor_clear(E);
}

static void test_conv2d_equals_sum_of_textbook_xcorr(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 502);
    cvp_tensor_t X, X4, K, b, Y, E;
    cvp_tensor_init(X), cvp_tensor_init(X4), cvp_tensor_init(K);
    cvp_tensor_init(b), cvp_tensor_init(Y), cvp_tensor_init(E);
    for (int t = 0; t < CASES; t++) {
        tu_conv_case cc;
        tu_random_conv_operands(&cc, &rng, X, K, NULL);
        tu_random(b, &rng, 1, &cc.O, -9, 9);
        bool with_bias = t % 2 == 0;
        tu_assert_ok(cvp_conv2d(Y, X, K, with_bias ? b : NULL, &cc.p, &err), &err);
        tu_assert_ok(cvp_tensor_reshape(X4, X, 4, (size_t[]){cc.N, cc.C, cc.H, cc.W},
                                        &err), &err);
        conv2d_by_textbook(E, X4, K, with_bias ? b : NULL, &cc.p);
        tu_assert_ok(cvp_tensor_reshape(E, E, cc.rank, cc.y_shape, &err), &err);
        tu_assert_equal_case(Y, E, &cc);
    }
    cvp_tensor_clear(X), cvp_tensor_clear(X4), cvp_tensor_clear(K);
    cvp_tensor_clear(b), cvp_tensor_clear(Y), cvp_tensor_clear(E);
}

static void test_conv2d_groups_equal_separate_convolutions(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 503);
    cvp_tensor_t X, K, b, Y, Xg, Kg, bg, Yg, part;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(b), cvp_tensor_init(Y);
    cvp_tensor_init(Xg), cvp_tensor_init(Kg), cvp_tensor_init(bg);
    cvp_tensor_init(Yg), cvp_tensor_init(part);
    for (int t = 0; t < CASES; t++) {
        tu_conv_case cc;
        do
            tu_random_conv_case(&cc, &rng);
        while (cc.p.groups == 1 || cc.rank != 4);
        size_t G = cc.p.groups, Cg = cc.C / G, Og = cc.O / G;
        tu_random(X, &rng, 4, cc.x_shape, -9, 9);
        tu_random(K, &rng, 4, cc.k_shape, -9, 9);
        tu_random(b, &rng, 1, &cc.O, -9, 9);
        tu_assert_ok(cvp_conv2d(Y, X, K, b, &cc.p, &err), &err);
        cvp_conv2d_params one = cc.p;
        one.groups = 1;
        for (size_t g = 0; g < G; g++) {
            channels(Xg, X, 1, g * Cg, (g + 1) * Cg);
            channels(Kg, K, 0, g * Og, (g + 1) * Og);
            size_t start = g * Og, stop = (g + 1) * Og, step = 1;
            tu_assert_ok(cvp_tensor_slice(bg, b, &start, &stop, &step, &err), &err);
            tu_assert_ok(cvp_conv2d(Yg, Xg, Kg, bg, &one, &err), &err);
            channels(part, Y, 1, g * Og, (g + 1) * Og);
            tu_assert_equal_case(part, Yg, &cc);
        }
    }
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(b), cvp_tensor_clear(Y);
    cvp_tensor_clear(Xg), cvp_tensor_clear(Kg), cvp_tensor_clear(bg);
    cvp_tensor_clear(Yg), cvp_tensor_clear(part);
}

/* NNDL exercise 5-3: a [O, C, 1, 1] kernel is a fully connected layer
 * applied at every pixel: Y[n, :, h, w] = Kmat X[n, :, h, w].  Second
 * method: permute X to [N, H, W, C], flatten to [NHW, C], multiply by
 * Kmat^T [C, O], and permute back. */
static void test_conv2d_1x1_is_per_pixel_matmul(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 504);
    cvp_tensor_t X, K, Y, rows, Km, E;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(Y);
    cvp_tensor_init(rows), cvp_tensor_init(Km), cvp_tensor_init(E);
    for (int t = 0; t < 10; t++) {
        size_t N = (size_t)cvp_rng_range(&rng, 1, 2), C = (size_t)cvp_rng_range(&rng, 1, 4);
        size_t O = (size_t)cvp_rng_range(&rng, 1, 4), H = (size_t)cvp_rng_range(&rng, 1, 5);
        size_t W = (size_t)cvp_rng_range(&rng, 1, 5);
        tu_random(X, &rng, 4, (size_t[]){N, C, H, W}, -9, 9);
        tu_random(K, &rng, 4, (size_t[]){O, C, 1, 1}, -9, 9);
        cvp_conv2d_params p = cvp_conv2d_params_default();
        tu_assert_ok(cvp_conv2d(Y, X, K, NULL, &p, &err), &err);

        tu_assert_ok(cvp_tensor_permute(rows, X, (int[]){0, 2, 3, 1}, &err), &err);
        tu_assert_ok(cvp_tensor_reshape(rows, rows, 2, (size_t[]){N * H * W, C}, &err),
                     &err);
        tu_assert_ok(cvp_tensor_reshape(Km, K, 2, (size_t[]){O, C}, &err), &err);
        tu_assert_ok(cvp_tensor_transpose(Km, Km, &err), &err);
        tu_assert_ok(cvp_tensor_matmul(E, rows, Km, &err), &err);
        tu_assert_ok(cvp_tensor_reshape(E, E, 4, (size_t[]){N, H, W, O}, &err), &err);
        tu_assert_ok(cvp_tensor_permute(E, E, (int[]){0, 3, 1, 2}, &err), &err);
        tu_assert_equal(Y, E);
    }
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(Y);
    cvp_tensor_clear(rows), cvp_tensor_clear(Km), cvp_tensor_clear(E);
}

/* ---- conv_transpose2d -------------------------------------------------- */

static void test_conv_transpose2d_hand_stride2_output_padding1(void **state)
{
    (void)state;
    static const tu_conv_hand rows[] = {
        /* stride 2, no padding, output_padding 1: size (2-1)*2 + (2-1) + 1 + 1
         * = 5.  x[i,j]*K lands at rows 2i..2i+1, cols 2j..2j+1, no overlap:
         *   1*K at (0,0), 2*K at (0,2), 3*K at (2,0), 4*K at (2,2);
         * the extra last row and column receive nothing (the second row
         * below, without bias).  Plus bias 1 everywhere. */
        {.op = TU_CONV_TRANSPOSE2D, .x_rank = 4, .x_shape = {1, 1, 2, 2},
         .x = "1 2 3 4", .k_shape = {1, 1, 2, 2}, .k = "1 2 3 4", .b = "1",
         .stride = {2, 2}, .output_padding = {1, 1},
         .y_rank = 4, .y_shape = {1, 1, 5, 5},
         .y = "2 3 3 5 1   4 5 7 9 1   4 7 5 9 1   10 13 13 17 1   1 1 1 1 1"},
        /* output_padding only along the width, no bias: 4 x 5 */
        {.op = TU_CONV_TRANSPOSE2D, .x_rank = 4, .x_shape = {1, 1, 2, 2},
         .x = "1 2 3 4", .k_shape = {1, 1, 2, 2}, .k = "1 2 3 4",
         .stride = {2, 2}, .output_padding = {0, 1},
         .y_rank = 4, .y_shape = {1, 1, 4, 5},
         .y = "1 2 2 4 0   3 4 6 8 0   3 6 4 8 0   9 12 12 16 0"},
    };
    tu_check_conv_hands(rows, sizeof rows / sizeof rows[0]);
}

static void test_conv_transpose2d_hand_padding_crops_overlaps_add(void **state)
{
    (void)state;
    /* stride 2, kernel 3 of ones: x[i,j] covers rows 2i..2i+2 and cols
     * 2j..2j+2 of the uncropped 5 x 5 result F, overlapping on row/col 2:
     *   F row 0 = row 1 = [1 1 3 2 2]
     *   F row 2         = [4 4 10 6 6]   (1+3, 1+3, 1+2+3+4, 2+4, 2+4)
     *   F row 3 = row 4 = [3 3 7 4 4]
     * padding 1 crops one row/col at the top/left: Y[y,z] = F[y+1, z+1];
     * size (2-1)*2 - 2 + 2 + op + 1 = 3 + op. */
    static const tu_conv_hand rows[] = {
        {.op = TU_CONV_TRANSPOSE2D, .x_rank = 3, .x_shape = {1, 2, 2},
         .x = "1 2 3 4", .k_shape = {1, 1, 3, 3}, .k = "1 1 1 1 1 1 1 1 1",
         .stride = {2, 2}, .padding = {1, 1},
         .y_rank = 3, .y_shape = {1, 3, 3}, .y = "1 3 2   4 10 6   3 7 4"},
        /* output_padding 1 brings back F's last row and column. */
        {.op = TU_CONV_TRANSPOSE2D, .x_rank = 3, .x_shape = {1, 2, 2},
         .x = "1 2 3 4", .k_shape = {1, 1, 3, 3}, .k = "1 1 1 1 1 1 1 1 1",
         .stride = {2, 2}, .padding = {1, 1}, .output_padding = {1, 1},
         .y_rank = 3, .y_shape = {1, 4, 4},
         .y = "1 3 2 2   4 10 6 6   3 7 4 4   3 7 4 4"},
        /* output_padding 1 with stride 1 is allowed when the dilation is 2
         * (PyTorch: smaller than the stride OR the dilation).  X [1,2] as
         * one row, K = [1 1 1] dilation 2: taps at offsets 0, 2, 4.
         * F (width (2-1) + 2*2 + 1 = 6): x0 at 0,2,4 and x1 at 1,3,5
         *   = [1 2 1 2 1 2]; padding 0, output_padding 1 -> width 7, last 0. */
        {.op = TU_CONV_TRANSPOSE2D, .x_rank = 4, .x_shape = {1, 1, 1, 2},
         .x = "1 2", .k_shape = {1, 1, 1, 3}, .k = "1 1 1",
         .dilation = {2, 2}, .output_padding = {0, 1},
         .y_rank = 4, .y_shape = {1, 1, 1, 7}, .y = "1 2 1 2 1 2 0"},
    };
    tu_check_conv_hands(rows, sizeof rows / sizeof rows[0]);
}

/* <conv2d(X, K), G> == <X, conv_transpose2d(G, K)> with output_padding
 * (H + 2p - d(k-1) - 1) mod s, which gives the transpose X's shape; the
 * transpose's bias adds b[c] to every entry of channel c. */
static void test_conv_transpose2d_is_adjoint_of_conv2d(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 505);
    cvp_tensor_t X, K, G, b, Y, Z, Zb;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G), cvp_tensor_init(b);
    cvp_tensor_init(Y), cvp_tensor_init(Z), cvp_tensor_init(Zb);
    mpq_t lhs, rhs, diff;
    mpq_init(lhs), mpq_init(rhs), mpq_init(diff);
    for (int t = 0; t < CASES; t++) {
        tu_conv_case cc;
        tu_random_conv_operands(&cc, &rng, X, K, G);
        tu_random(b, &rng, 1, &cc.C, -9, 9);
        cvp_conv2d_params p = cc.p;
        p.output_padding[0] = (cc.H + 2 * p.padding[0] - p.dilation[0] * (cc.kH - 1) - 1) %
                              p.stride[0];
        p.output_padding[1] = (cc.W + 2 * p.padding[1] - p.dilation[1] * (cc.kW - 1) - 1) %
                              p.stride[1];
        tu_assert_ok(cvp_conv2d(Y, X, K, NULL, &p, &err), &err);
        tu_assert_ok(cvp_conv_transpose2d(Z, G, K, NULL, &p, &err), &err);
        if (!cvp_tensor_same_shape(Z, X))
            tu_print_conv_case(&cc);
        assert_true(cvp_tensor_same_shape(Z, X));
        tu_dot(lhs, Y, G);
        tu_dot(rhs, X, Z);
        if (!mpq_equal(lhs, rhs))
            tu_print_conv_case(&cc);
        assert_true(mpq_equal(lhs, rhs));
        tu_assert_ok(cvp_conv_transpose2d(Zb, G, K, b, &p, &err), &err);
        for (size_t k = 0; k < Z->size; k++) {
            mpq_sub(diff, cvp_tensor_at(Zb, k), cvp_tensor_at(Z, k));
            assert_true(mpq_equal(diff, cvp_tensor_at(b, (k / (cc.H * cc.W)) % cc.C)));
        }
    }
    mpq_clear(lhs), mpq_clear(rhs), mpq_clear(diff);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G), cvp_tensor_clear(b);
    cvp_tensor_clear(Y), cvp_tensor_clear(Z), cvp_tensor_clear(Zb);
}

/* ---- errors -------------------------------------------------------- */

static void test_conv2d_errors_name_the_argument(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t X, K, b, Y;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(b), cvp_tensor_init(Y);
    cvp_conv2d_params p = cvp_conv2d_params_default();
    tu_zeros(X, 4, (size_t[]){1, 3, 4, 4});
    tu_zeros(K, 4, (size_t[]){2, 2, 3, 3});
    tu_assert_fails(cvp_conv2d(Y, X, K, NULL, &p, &err), &err, CVP_ERR_INPUT,
                    "dimension 1 of K (weight) is 2 but the input has 3 channels");
    tu_zeros(K, 4, (size_t[]){3, 2, 1, 1});
    tu_zeros(X, 4, (size_t[]){1, 4, 4, 4});
    p.groups = 2;   /* divides C = 4 but not O = 3 */
    tu_assert_fails(cvp_conv2d(Y, X, K, NULL, &p, &err), &err, CVP_ERR_INPUT,
                    "groups=2 must divide");
    tu_zeros(X, 3, (size_t[]){3, 4, 4});   /* C = 3, unbatched */
    tu_zeros(K, 4, (size_t[]){2, 1, 1, 1});
    tu_assert_fails(cvp_conv2d(Y, X, K, NULL, &p, &err), &err, CVP_ERR_INPUT,
                    "input channels (3, dimension 0 of X)");
    p = cvp_conv2d_params_default();
    p.padding[0] = 1;
    tu_zeros(X, 4, (size_t[]){1, 1, 2, 2});
    tu_zeros(K, 4, (size_t[]){1, 1, 5, 1});   /* 5 > 2 + 2*1 */
    tu_assert_fails(cvp_conv2d(Y, X, K, NULL, &p, &err), &err, CVP_ERR_INPUT,
                    "output height would be empty");
    tu_zeros(K, 4, (size_t[]){1, 1, 1, 3});   /* 3 > 2 (no width padding) */
    tu_assert_fails(cvp_conv2d(Y, X, K, NULL, &p, &err), &err, CVP_ERR_INPUT,
                    "output width would be empty");
    p = params(1, 0, 2, 1);   /* 2x2 kernel dilated to 3x3 on 2x2 */
    tu_zeros(K, 4, (size_t[]){1, 1, 2, 2});
    tu_assert_fails(cvp_conv2d(Y, X, K, NULL, &p, &err), &err, CVP_ERR_INPUT,
                    "would be empty");
    p = cvp_conv2d_params_default();
    tu_zeros(K, 4, (size_t[]){2, 1, 1, 1});
    tu_zeros(b, 1, (size_t[]){3});
    tu_assert_fails(cvp_conv2d(Y, X, K, b, &p, &err), &err, CVP_ERR_INPUT,
                    "bias must have shape [2]");
    tu_zeros(b, 2, (size_t[]){2, 1});
    tu_assert_fails(cvp_conv2d(Y, X, K, b, &p, &err), &err, CVP_ERR_INPUT,
                    "bias must have shape [2]");
    tu_zeros(X, 2, (size_t[]){4, 4});
    tu_assert_fails(cvp_conv2d(Y, X, K, NULL, &p, &err), &err, CVP_ERR_INPUT,
                    "argument X (input) must have rank 4");
    tu_zeros(X, 4, (size_t[]){1, 1, 4, 4});
    tu_zeros(K, 3, (size_t[]){1, 1, 1});
    tu_assert_fails(cvp_conv2d(Y, X, K, NULL, &p, &err), &err, CVP_ERR_INPUT,
                    "argument K (weight) must have rank 4");
    tu_zeros(K, 4, (size_t[]){1, 1, 1, 1});
    p.stride[1] = 0;
    tu_assert_fails(cvp_conv2d(Y, X, K, NULL, &p, &err), &err, CVP_ERR_INPUT,
                    "stride and dilation must be at least 1");
    p = cvp_conv2d_params_default();
    p.groups = 0;
    tu_assert_fails(cvp_conv2d(Y, X, K, NULL, &p, &err), &err, CVP_ERR_INPUT,
                    "groups must be at least 1");
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(b), cvp_tensor_clear(Y);
}

static void test_conv_transpose2d_errors_name_the_argument(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t X, K, b, Y;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(b), cvp_tensor_init(Y);
    cvp_conv2d_params p = params(2, 0, 1, 1);
    tu_zeros(X, 4, (size_t[]){1, 1, 3, 3});
    tu_zeros(K, 4, (size_t[]){1, 1, 2, 2});
    p.output_padding[0] = 2;   /* not below stride 2 nor dilation 1 */
    tu_assert_fails(cvp_conv_transpose2d(Y, X, K, NULL, &p, &err), &err, CVP_ERR_INPUT,
                    "output_padding (2) along the height must be smaller than the "
                    "stride (2) or the dilation (1)");
    p = params(1, 0, 1, 1);
    p.output_padding[1] = 1;   /* stride 1, dilation 1 */
    tu_assert_fails(cvp_conv_transpose2d(Y, X, K, NULL, &p, &err), &err, CVP_ERR_INPUT,
                    "output_padding (1) along the width");
    p = cvp_conv2d_params_default();
    tu_zeros(K, 4, (size_t[]){2, 1, 2, 2});   /* K has 2 input channels, X 1 */
    tu_assert_fails(cvp_conv_transpose2d(Y, X, K, NULL, &p, &err), &err, CVP_ERR_INPUT,
                    "dimension 0 of K (weight) is 2 but the input has 1 channels");
    tu_zeros(X, 4, (size_t[]){1, 3, 3, 3});
    tu_zeros(K, 4, (size_t[]){3, 1, 2, 2});
    p.groups = 2;
    tu_assert_fails(cvp_conv_transpose2d(Y, X, K, NULL, &p, &err), &err, CVP_ERR_INPUT,
                    "groups=2 must divide the input channels (3)");
    p.groups = 3;   /* O = 1 * 3 */
    tu_zeros(b, 1, (size_t[]){1});
    tu_assert_fails(cvp_conv_transpose2d(Y, X, K, b, &p, &err), &err, CVP_ERR_INPUT,
                    "bias must have shape [3]");
    p = params(1, 1, 1, 1);   /* (1-1)*1 - 2 + 0 + 0 + 1 = -1 */
    tu_zeros(X, 4, (size_t[]){1, 1, 1, 1});
    tu_zeros(K, 4, (size_t[]){1, 1, 1, 1});
    tu_assert_fails(cvp_conv_transpose2d(Y, X, K, NULL, &p, &err), &err, CVP_ERR_INPUT,
                    "output height would be -1");
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(b), cvp_tensor_clear(Y);
}

/* ---- aliasing ------------------------------------------------------ */

static void test_conv2d_output_may_alias_any_input(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 506);
    cvp_tensor_t X, K, b, E, A;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(b);
    cvp_tensor_init(E), cvp_tensor_init(A);
    for (int t = 0; t < 10; t++) {
        tu_conv_case cc;
        tu_random_conv_operands(&cc, &rng, X, K, NULL);
        tu_random(b, &rng, 1, &cc.O, -9, 9);
        tu_assert_ok(cvp_conv2d(E, X, K, b, &cc.p, &err), &err);
        tu_assert_ok(cvp_tensor_set(A, X, &err), &err);
        tu_assert_ok(cvp_conv2d(A, A, K, b, &cc.p, &err), &err);
        tu_assert_equal_case(A, E, &cc);
        tu_assert_ok(cvp_tensor_set(A, K, &err), &err);
        tu_assert_ok(cvp_conv2d(A, X, A, b, &cc.p, &err), &err);
        tu_assert_equal_case(A, E, &cc);
        tu_assert_ok(cvp_tensor_set(A, b, &err), &err);
        tu_assert_ok(cvp_conv2d(A, X, K, A, &cc.p, &err), &err);
        tu_assert_equal_case(A, E, &cc);
        /* conv_transpose2d of Y (shape of E) with K, bias of C entries;
         * output_padding as in the adjoint test keeps its output X-shaped */
        cvp_conv2d_params p = cc.p;
        p.output_padding[0] = (cc.H + 2 * p.padding[0] - p.dilation[0] * (cc.kH - 1) - 1) %
                              p.stride[0];
        p.output_padding[1] = (cc.W + 2 * p.padding[1] - p.dilation[1] * (cc.kW - 1) - 1) %
                              p.stride[1];
        tu_random(b, &rng, 1, &cc.C, -9, 9);
        tu_assert_ok(cvp_conv_transpose2d(X, E, K, b, &p, &err), &err);
        tu_assert_ok(cvp_conv_transpose2d(E, E, K, b, &p, &err), &err);
        tu_assert_equal_case(E, X, &cc);
        tu_assert_ok(cvp_conv_transpose2d(b, A, K, b, &p, &err), &err);
        tu_assert_equal_case(b, X, &cc);
    }
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(b);
    cvp_tensor_clear(E), cvp_tensor_clear(A);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv2d_hand_valid_with_bias),
        cmocka_unit_test(test_conv2d_hand_stride_padding_dilation),
        cmocka_unit_test(test_conv2d_hand_channels_groups_unbatched),
        cmocka_unit_test(test_conv2d_out_dim_formula),
        cmocka_unit_test(test_conv2d_single_channel_equals_textbook_xcorr),
        cmocka_unit_test(test_conv2d_equals_sum_of_textbook_xcorr),
        cmocka_unit_test(test_conv2d_groups_equal_separate_convolutions),
        cmocka_unit_test(test_conv2d_1x1_is_per_pixel_matmul),
        cmocka_unit_test(test_conv_transpose2d_hand_stride2_output_padding1),
        cmocka_unit_test(test_conv_transpose2d_hand_padding_crops_overlaps_add),
        cmocka_unit_test(test_conv_transpose2d_is_adjoint_of_conv2d),
        cmocka_unit_test(test_conv2d_errors_name_the_argument),
        cmocka_unit_test(test_conv_transpose2d_errors_name_the_argument),
        cmocka_unit_test(test_conv2d_output_may_alias_any_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
