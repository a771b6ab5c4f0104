/* test_pool_methods.c -- max and average pooling (forward and backward)
 * against second methods over random configurations, and outputs that
 * alias inputs.
 *
 * The second methods: pooling as the maximum / sum of strided slices of
 * the padded input, the average's divisor as the same windowed sum over a
 * mask of ones, the average's backward as the transpose of its probed
 * Jacobian, and max pooling's backward as the Jacobian probed at a point
 * where ties are broken in favour of the earlier position (PyTorch's
 * rule).  test_pool.c has the hand examples. */
#include "testutil.h"

#include <string.h>

#include "kernel/pool.h"
#include "kernel/textbook.h"

#define CASES 40

/* ---- second methods over random configurations --------------------- */

typedef struct {
    int rank;
    size_t shape[4];   /* X */
    size_t H, W, Ho, Wo;
    cvp_pool2d_params p;
} pool_case;

/* PyTorch's output size, written out again: floor or ceil of span/s, + 1,
 * minus the ceil-mode window that would start in the right padding; 0
 * when the (dilated) window is larger than the padded input. */
static size_t torch_pool_size(size_t in, size_t k, size_t s, size_t pad, size_t dil,
                              bool ceil_mode)
{
    long span = (long)(in + 2 * pad) - (long)(dil * (k - 1) + 1);
    if (span < 0)
        return 0;
    long n = (ceil_mode ? (span + (long)s - 1) / (long)s : span / (long)s) + 1;
    if (ceil_mode && (n - 1) * (long)s >= (long)(in + pad))
        n--;
    return (size_t)n;
}

static void random_pool_case(pool_case *pc, cvp_rng *rng, bool is_max)
{
    do {
        memset(pc, 0, sizeof *pc);
        pc->rank = cvp_rng_range(rng, 0, 3) == 0 ? 3 : 4;
        size_t lead[2] = {(size_t)cvp_rng_range(rng, 1, 2), (size_t)cvp_rng_range(rng, 1, 3)};
        pc->H = (size_t)cvp_rng_range(rng, 1, 7);
        pc->W = (size_t)cvp_rng_range(rng, 1, 7);
        size_t full[4] = {lead[0], lead[1], pc->H, pc->W};
        memcpy(pc->shape, full + (pc->rank == 4 ? 0 : 1), (size_t)pc->rank * sizeof *full);
        for (int a = 0; a < 2; a++) {
            pc->p.kernel[a] = (size_t)cvp_rng_range(rng, 1, 3);
            pc->p.stride[a] = (size_t)cvp_rng_range(rng, 1, 3);
            pc->p.padding[a] = (size_t)cvp_rng_range(rng, 0, (int64_t)pc->p.kernel[a] / 2);
            pc->p.dilation[a] = is_max ? (size_t)cvp_rng_range(rng, 1, 2) : 1;
        }
        /* mostly ceil mode and count_include_pad: their partial windows
         * are where the divisors differ */
        pc->p.ceil_mode = cvp_rng_range(rng, 0, 2) > 0;
        pc->p.count_include_pad = cvp_rng_range(rng, 0, 2) > 0;
        pc->p.divisor_override = is_max || cvp_rng_range(rng, 0, 3) ? 0 : cvp_rng_range(rng, 1, 5);
        pc->Ho = torch_pool_size(pc->H, pc->p.kernel[0], pc->p.stride[0], pc->p.padding[0],
                                 pc->p.dilation[0], pc->p.ceil_mode);
        pc->Wo = torch_pool_size(pc->W, pc->p.kernel[1], pc->p.stride[1], pc->p.padding[1],
                                 pc->p.dilation[1], pc->p.ceil_mode);
    } while (pc->Ho == 0 || pc->Wo == 0);
}

static void print_pool_case(const pool_case *pc)
{
    const cvp_pool2d_params *p = &pc->p;
    fprintf(stderr,
            "pool case: rank %d H=%zu W=%zu k=%zux%zu stride=%zu,%zu padding=%zu,%zu "
            "dilation=%zu,%zu ceil=%d include_pad=%d divisor=%ld -> %zux%zu\n",
            pc->rank, pc->H, pc->W, p->kernel[0], p->kernel[1], p->stride[0],
            p->stride[1], p->padding[0], p->padding[1], p->dilation[0], p->dilation[1],
            (int)p->ceil_mode, (int)p->count_include_pad, p->divisor_override, pc->Ho,
            pc->Wo);
}

static void check_equal_pool(const cvp_tensor_t a, const cvp_tensor_t b,
                             const pool_case *pc)
{
    if (!cvp_tensor_equal(a, b))
        print_pool_case(pc);
    tu_assert_equal(a, b);
}

/* T zero-padded by p on the top/left and enough on the bottom/right that
 * every (ceil-mode) window fits. */
static void pad_for_windows(cvp_tensor_t out, const cvp_tensor_t T, const pool_case *pc)
{
    cvp_error err;
    const cvp_pool2d_params *p = &pc->p;
    size_t reach_h = (pc->Ho - 1) * p->stride[0] + p->dilation[0] * (p->kernel[0] - 1) + 1;
    size_t reach_w = (pc->Wo - 1) * p->stride[1] + p->dilation[1] * (p->kernel[1] - 1) + 1;
    size_t bottom = reach_h > pc->H + p->padding[0] ? reach_h - pc->H - p->padding[0] : 0;
    size_t right = reach_w > pc->W + p->padding[1] ? reach_w - pc->W - p->padding[1] : 0;
    tu_assert_ok(cvp_pad(out, T, p->padding[0], bottom, p->padding[1], right, &err), &err);
}

/* out := the slice of padded P seen by window offset (u, v) of every window. */
static void window_slice(cvp_tensor_t out, const cvp_tensor_t P, const pool_case *pc,
                         size_t u, size_t v)
{
    cvp_error err;
    const cvp_pool2d_params *p = &pc->p;
    int r = P->rank;
    size_t start[4] = {0}, stop[4], step[4] = {1, 1, 1, 1};
    memcpy(stop, P->shape, sizeof stop);
    start[r - 2] = u * p->dilation[0];
    start[r - 1] = v * p->dilation[1];
    stop[r - 2] = start[r - 2] + (pc->Ho - 1) * p->stride[0] + 1;
    stop[r - 1] = start[r - 1] + (pc->Wo - 1) * p->stride[1] + 1;
    step[r - 2] = p->stride[0];
    step[r - 1] = p->stride[1];
    tu_assert_ok(cvp_tensor_slice(out, P, start, stop, step, &err), &err);
}

/* Sum over the window offsets of window_slice(pad_for_windows(T)). */
static void windowed_sum(cvp_tensor_t out, const cvp_tensor_t T, const pool_case *pc)
{
    cvp_error err;
    cvp_tensor_t P, S;
    cvp_tensor_init(P), cvp_tensor_init(S);
    pad_for_windows(P, T, pc);
    for (size_t u = 0; u < pc->p.kernel[0]; u++)
        for (size_t v = 0; v < pc->p.kernel[1]; v++) {
            window_slice(S, P, pc, u, v);
            if (u == 0 && v == 0)
                tu_assert_ok(cvp_tensor_set(out, S, &err), &err);
            else
                tu_assert_ok(cvp_tensor_add(out, out, S, &err), &err);
        }
    cvp_tensor_clear(P), cvp_tensor_clear(S);
}

static void test_max_pool2d_equals_max_of_strided_slices(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 601);
    cvp_tensor_t X, Y, P, S, E;
    cvp_tensor_init(X), cvp_tensor_init(Y), cvp_tensor_init(P);
    cvp_tensor_init(S), cvp_tensor_init(E);
    int refused = 0;
    for (int t = 0; t < CASES; t++) {
        pool_case pc;
        random_pool_case(&pc, &rng, true);
        /* Values 91..109 so that the zero padding is below every entry. */
        tu_random(X, &rng, pc.rank, pc.shape, 91, 109);
        pad_for_windows(P, X, &pc);
        for (size_t u = 0; u < pc.p.kernel[0]; u++)
            for (size_t v = 0; v < pc.p.kernel[1]; v++) {
                window_slice(S, P, &pc, u, v);
                if (u == 0 && v == 0)
                    tu_assert_ok(cvp_tensor_set(E, S, &err), &err);
                else
                    for (size_t k = 0; k < E->size; k++)
                        if (mpq_cmp(cvp_tensor_at(S, k), cvp_tensor_at(E, k)) > 0)
                            mpq_set(cvp_tensor_at(E, k), cvp_tensor_at(S, k));
            }
        bool all_padding = false;   /* a dilated window that misses X */
        for (size_t k = 0; k < E->size; k++)
            all_padding |= mpq_sgn(cvp_tensor_at(E, k)) == 0;
        cvp_status st = cvp_max_pool2d(Y, X, &pc.p, &err);
        if (all_padding) {
            tu_assert_fails(st, &err, CVP_ERR_INPUT, "entirely in the padding");
            refused++;
            continue;
        }
        tu_assert_ok(st, &err);
        check_equal_pool(Y, E, &pc);
    }
    assert_true(refused < CASES / 3);   /* most cases are compared */
    cvp_tensor_clear(X), cvp_tensor_clear(Y), cvp_tensor_clear(P);
    cvp_tensor_clear(S), cvp_tensor_clear(E);
}

/* The average's divisor without override: the windowed sum of a mask of
 * ones over the padded input (count_include_pad) or over the input. */
static void avg_divisors(cvp_tensor_t D, const cvp_tensor_t X, const pool_case *pc)
{
    cvp_error err;
    cvp_tensor_t M;
    cvp_tensor_init(M);
    tu_assert_ok(cvp_tensor_resize_like(M, X, &err), &err);
    if (pc->p.count_include_pad) {
        /* ones over the padded extent, as a smaller tensor padded later */
        size_t shape[4];
        memcpy(shape, X->shape, sizeof shape);
        shape[X->rank - 2] += 2 * pc->p.padding[0];
        shape[X->rank - 1] += 2 * pc->p.padding[1];
        tu_zeros(M, X->rank, shape);
        for (size_t k = 0; k < M->size; k++)
            mpq_set_ui(cvp_tensor_at(M, k), 1, 1);
        pool_case shifted = *pc;   /* the padding is already part of M */
        shifted.H += 2 * pc->p.padding[0];
        shifted.W += 2 * pc->p.padding[1];
        shifted.p.padding[0] = shifted.p.padding[1] = 0;
        windowed_sum(D, M, &shifted);
    } else {
        for (size_t k = 0; k < M->size; k++)
            mpq_set_ui(cvp_tensor_at(M, k), 1, 1);
        windowed_sum(D, M, pc);
    }
    cvp_tensor_clear(M);
}

static void test_avg_pool2d_equals_windowed_sum_over_divisor(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 602);
    cvp_tensor_t X, Y, E, D;
    cvp_tensor_init(X), cvp_tensor_init(Y), cvp_tensor_init(E), cvp_tensor_init(D);
    for (int t = 0; t < 3 * CASES; t++) {
        pool_case pc;
        random_pool_case(&pc, &rng, false);
        tu_random(X, &rng, pc.rank, pc.shape, -9, 9);
        windowed_sum(E, X, &pc);
        avg_divisors(D, X, &pc);
        for (size_t k = 0; k < E->size; k++) {
            if (pc.p.divisor_override > 0)
                mpq_set_si(cvp_tensor_at(D, k), pc.p.divisor_override, 1);
            mpq_div(cvp_tensor_at(E, k), cvp_tensor_at(E, k), cvp_tensor_at(D, k));
        }
        tu_assert_ok(cvp_avg_pool2d(Y, X, &pc.p, &err), &err);
        check_equal_pool(Y, E, &pc);
    }
    cvp_tensor_clear(X), cvp_tensor_clear(Y), cvp_tensor_clear(E), cvp_tensor_clear(D);
}

static cvp_status avg_as_linear_map(cvp_tensor_t out, const cvp_tensor_t in,
                                    void *context, cvp_error *err)
{
    return cvp_avg_pool2d(out, in, context, err);
}

static void test_avg_pool2d_backward_is_jacobian_transpose(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 603);
    cvp_tensor_t X, G, dX, E;
    cvp_tensor_init(X), cvp_tensor_init(G), cvp_tensor_init(dX), cvp_tensor_init(E);
    cvp_sparse_t J;
    cvp_sparse_init(J, 0, 0);
    for (int t = 0; t < CASES; t++) {
        pool_case pc;
        random_pool_case(&pc, &rng, false);
        tu_random(X, &rng, pc.rank, pc.shape, -9, 9);
        size_t gshape[4];
        memcpy(gshape, pc.shape, sizeof gshape);
        gshape[pc.rank - 2] = pc.Ho;
        gshape[pc.rank - 1] = pc.Wo;
        tu_random(G, &rng, pc.rank, gshape, -9, 9);
        tu_jacobian_by_probing(J, avg_as_linear_map, &pc.p, X);
        tu_transpose_apply(E, J, G, X);
        tu_assert_ok(cvp_avg_pool2d_backward(dX, X, G, &pc.p, &err), &err);
        check_equal_pool(dX, E, &pc);
    }
    cvp_sparse_clear(J);
    cvp_tensor_clear(X), cvp_tensor_clear(G), cvp_tensor_clear(dX), cvp_tensor_clear(E);
}

/* Max pooling near a tie-free point X0: column k of the local Jacobian is
 * (max_pool2d(X0 + t e_k) - max_pool2d(X0)) / t for t below every gap. */
typedef struct {
    const cvp_pool2d_params *p;
    cvp_tensor_struct *X0, *Y0;
    mpq_t t;
} max_probe;

static cvp_status max_difference_quotient(cvp_tensor_t out, const cvp_tensor_t in,
                                          void *context, cvp_error *err)
{
    max_probe *mp = context;
    cvp_tensor_t Z;
    cvp_tensor_init(Z);
    cvp_status st = cvp_tensor_set(Z, in, err);
    for (size_t k = 0; st == CVP_OK && k < Z->size; k++) {
        mpq_mul(cvp_tensor_at(Z, k), cvp_tensor_at(Z, k), mp->t);
        mpq_add(cvp_tensor_at(Z, k), cvp_tensor_at(Z, k), cvp_tensor_at(mp->X0, k));
    }
    if (st == CVP_OK)
        st = cvp_max_pool2d(out, Z, mp->p, err);
    if (st == CVP_OK)
        st = cvp_tensor_sub(out, out, mp->Y0, err);
    for (size_t k = 0; st == CVP_OK && k < out->size; k++)
        mpq_div(cvp_tensor_at(out, k), cvp_tensor_at(out, k), mp->t);
    cvp_tensor_clear(Z);
    return st;
}

/* PyTorch's rule at ties equals the exact gradient at the nearby point
 * X0 = X + (S - k) / (2(S + 1)) (entry k of S): integer entries keep their
 * order, and among equal ones the earlier position becomes the larger.
 * Values -9..9 make ties common. */
static void test_max_pool2d_backward_is_jacobian_at_tie_broken_point(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 604);
    cvp_tensor_t X, X0, Y0, G, dX, dX0, E;
    cvp_tensor_init(X), cvp_tensor_init(X0), cvp_tensor_init(Y0), cvp_tensor_init(G);
    cvp_tensor_init(dX), cvp_tensor_init(dX0), cvp_tensor_init(E);
    cvp_sparse_t J;
    cvp_sparse_init(J, 0, 0);
    max_probe mp;
    mpq_init(mp.t);
    for (int t = 0; t < CASES; t++) {
        pool_case pc;
        random_pool_case(&pc, &rng, true);
        tu_random(X, &rng, pc.rank, pc.shape, -9, 9);
        size_t S = X->size;
        tu_assert_ok(cvp_tensor_set(X0, X, &err), &err);
        mpq_t offset;
        mpq_init(offset);
        for (size_t k = 0; k < S; k++) {
            mpq_set_ui(offset, S - k, 2 * (S + 1));
            mpq_canonicalize(offset);
            mpq_add(cvp_tensor_at(X0, k), cvp_tensor_at(X0, k), offset);
        }
        mpq_clear(offset);
        /* gaps of X0 are >= 1/(2(S+1)); probe with a quarter of that */
        mpq_set_ui(mp.t, 1, 8 * (S + 1));
        mpq_canonicalize(mp.t);
        cvp_status st = cvp_max_pool2d(Y0, X0, &pc.p, &err);
        if (st != CVP_OK) {   /* a dilated window that misses the input */
            tu_assert_fails(st, &err, CVP_ERR_INPUT, "entirely in the padding");
            continue;
        }
        mp.p = &pc.p, mp.X0 = X0, mp.Y0 = Y0;
        size_t gshape[4];
        memcpy(gshape, pc.shape, sizeof gshape);
        gshape[pc.rank - 2] = pc.Ho;
        gshape[pc.rank - 1] = pc.Wo;
        tu_random(G, &rng, pc.rank, gshape, -9, 9);
        tu_jacobian_by_probing(J, max_difference_quotient, &mp, X);
        tu_transpose_apply(E, J, G, X);
        tu_assert_ok(cvp_max_pool2d_backward(dX, X, G, &pc.p, &err), &err);
        check_equal_pool(dX, E, &pc);
        tu_assert_ok(cvp_max_pool2d_backward(dX0, X0, G, &pc.p, &err), &err);
        check_equal_pool(dX0, E, &pc);
    }
    mpq_clear(mp.t);
    cvp_sparse_clear(J);
    cvp_tensor_clear(X), cvp_tensor_clear(X0), cvp_tensor_clear(Y0), cvp_tensor_clear(G);
    cvp_tensor_clear(dX), cvp_tensor_clear(dX0), cvp_tensor_clear(E);
}

/* ---- outputs that alias inputs ---------------------------------------- */

static void test_pool_output_may_alias_input(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 605);
    cvp_tensor_t X, G, E, A;
    cvp_tensor_init(X), cvp_tensor_init(G), cvp_tensor_init(E), cvp_tensor_init(A);
    for (int t = 0; t < 10; t++) {
        pool_case pc;
        random_pool_case(&pc, &rng, false);
        tu_random(X, &rng, pc.rank, pc.shape, -9, 9);
        size_t gshape[4];
        memcpy(gshape, pc.shape, sizeof gshape);
        gshape[pc.rank - 2] = pc.Ho;
        gshape[pc.rank - 1] = pc.Wo;
        tu_random(G, &rng, pc.rank, gshape, -9, 9);
        for (int is_max = 0; is_max < 2; is_max++) {
            cvp_status (*fwd)(cvp_tensor_ptr, const cvp_tensor_struct *,
                              const cvp_pool2d_params *, cvp_error *) =
                is_max ? cvp_max_pool2d : cvp_avg_pool2d;
            cvp_status (*bwd)(cvp_tensor_ptr, const cvp_tensor_struct *,
                              const cvp_tensor_struct *, const cvp_pool2d_params *,
                              cvp_error *) =
                is_max ? cvp_max_pool2d_backward : cvp_avg_pool2d_backward;
            tu_assert_ok(fwd(E, X, &pc.p, &err), &err);
            tu_assert_ok(cvp_tensor_set(A, X, &err), &err);
            tu_assert_ok(fwd(A, A, &pc.p, &err), &err);
            check_equal_pool(A, E, &pc);
            tu_assert_ok(bwd(E, X, G, &pc.p, &err), &err);
            tu_assert_ok(cvp_tensor_set(A, X, &err), &err);
            tu_assert_ok(bwd(A, A, G, &pc.p, &err), &err);
            check_equal_pool(A, E, &pc);
            tu_assert_ok(cvp_tensor_set(A, G, &err), &err);
            tu_assert_ok(bwd(A, X, A, &pc.p, &err), &err);
            check_equal_pool(A, E, &pc);
        }
    }
    cvp_tensor_clear(X), cvp_tensor_clear(G), cvp_tensor_clear(E), cvp_tensor_clear(A);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_max_pool2d_equals_max_of_strided_slices),
        cmocka_unit_test(test_avg_pool2d_equals_windowed_sum_over_divisor),
        cmocka_unit_test(test_avg_pool2d_backward_is_jacobian_transpose),
        cmocka_unit_test(test_max_pool2d_backward_is_jacobian_at_tie_broken_point),
        cmocka_unit_test(test_pool_output_may_alias_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
