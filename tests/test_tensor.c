/* test_tensor.c -- exact tensors: life cycle, access, shape operations,
 * arithmetic with broadcasting, sums, matmul, random fills and the size
 * limit.  Expected values are written out by hand. */
#include "testutil.h"

#include <string.h>

#include "kernel/interrupt.h"
#include "kernel/ring_height.h"
#include "kernel/ring_small.h"

#define S(...) ((size_t[]){__VA_ARGS__})
#define V(...) ((long[]){__VA_ARGS__})

static void init_is_scalar_zero_and_resize_zeroes(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    assert_int_equal(cvp_tensor_rank(t), 0);
    assert_int_equal(cvp_tensor_size(t), 1);
    assert_int_equal(mpq_sgn(cvp_tensor_at(t, 0)), 0);
    tu_ints(t, 3, S(2, 3, 4), (long[24]){0});
    assert_int_equal(cvp_tensor_size(t), 24);
    mpq_set_si(cvp_tensor_entry(t, S(1, 2, 3)), -7, 3);
    /* offset of [1,2,3] in a 2x3x4 row-major tensor: (1*3 + 2)*4 + 3 = 23 */
    assert_int_equal(cvp_tensor_offset(t, S(1, 2, 3)), 23);
    assert_true(mpq_cmp_si(cvp_tensor_at(t, 23), -7, 3) == 0);
    /* Resizing resets every entry to 0, also when shrinking. */
    tu_assert_ok(cvp_tensor_resize(t, 1, S(5), &err), &err);
    for (size_t k = 0; k < 5; k++)
        assert_int_equal(mpq_sgn(cvp_tensor_at(t, k)), 0);
    /* A zero dimension gives an empty tensor. */
    tu_assert_ok(cvp_tensor_resize(t, 2, S(0, 1000000), &err), &err);
    assert_int_equal(cvp_tensor_size(t), 0);
    cvp_tensor_clear(t);
}

/* The rings whose elements are plain bytes (ring.h, `plain`) copy, zero
 * and free whole arrays: the values must be those of the per-entry path. */
static void check_plain_ring(cvp_ring *R, const mpq_t one)
{
    cvp_error err;
    cvp_tensor_t t, u, w;
    cvp_tensor_init_ring(t, R), cvp_tensor_init_ring(u, R), cvp_tensor_init_ring(w, R);
    assert_true(R->plain);
    /* growing from 1 entry to 3000 (not a power of two): every entry 0 */
    tu_assert_ok(cvp_tensor_resize(t, 2, S(30, 100), &err), &err);
    for (size_t k = 0; k < t->size; k++)
        assert_true(R->is_zero(R, cvp_tensor_elem(t, k)));
    for (size_t k = 0; k < t->size; k += 7)
        R->set_q(R, cvp_tensor_elem(t, k), one);
    /* a copy has every value, also into a larger block */
    tu_assert_ok(cvp_tensor_resize(u, 1, S(5000), &err), &err);
    tu_assert_ok(cvp_tensor_set(u, t, &err), &err);
    assert_int_equal(u->size, 3000);
    for (size_t k = 0; k < 3000; k++)
        assert_true(R->equal(R, cvp_tensor_elem(u, k), cvp_tensor_elem(t, k)));
    assert_false(R->is_zero(R, cvp_tensor_elem(u, 2996)));
    assert_true(R->is_zero(R, cvp_tensor_elem(u, 2997)));
    /* resizing zeroes the old entries too, shrinking or growing */
    tu_assert_ok(cvp_tensor_resize(u, 1, S(10), &err), &err);
    for (size_t k = 0; k < 10; k++)
        assert_true(R->is_zero(R, cvp_tensor_elem(u, k)));
    R->set_q(R, cvp_tensor_elem(u, 0), one);
    tu_assert_ok(cvp_tensor_resize(u, 1, S(6000), &err), &err);
    for (size_t k = 0; k < 6000; k++)
        assert_true(R->is_zero(R, cvp_tensor_elem(u, k)));
    /* a reached limit stops the zeroing with an error, and the tensor
     * stays valid (clearing it below must not crash or leak) */
    cvp_interrupt_set_deadline(1e-9);
    while (!cvp_interrupt_poll())
        ;
    tu_assert_fails(cvp_tensor_resize(w, 1, S(100000), &err), &err, CVP_ERR_LIMIT,
                    "limit timeout");
    cvp_interrupt_clear();
    cvp_tensor_clear(t), cvp_tensor_clear(u), cvp_tensor_clear(w);
}

static void plain_rings_copy_and_zero_whole_arrays(void **state)
{
    (void)state;
    mpq_t one;
    mpq_init(one);
    mpq_set_ui(one, 1, 1);
    cvp_ring F, D, H;
    cvp_ring_fp_init(&F, 101);
    cvp_ring_degree_init(&D);
    cvp_ring_height_init(&H);
    check_plain_ring(&F, one);
    check_plain_ring(&D, one);
    check_plain_ring(&H, one);
    cvp_ring_fp_clear(&F);
    cvp_ring_degree_clear(&D);
    cvp_ring_height_clear(&H);
    mpq_clear(one);
    assert_false(cvp_ring_q.plain);
}

static void size_limit_is_an_error_not_a_crash(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t t;
    cvp_tensor_init(t);
    size_t old = cvp_tensor_max_entries();
    cvp_tensor_set_max_entries(100);
    tu_assert_ok(cvp_tensor_resize(t, 2, S(10, 10), &err), &err);
    tu_assert_fails(cvp_tensor_resize(t, 2, S(10, 11), &err), &err, CVP_ERR_LIMIT,
                    "more than 100 entries");
    cvp_tensor_set_max_entries(old);
    /* Products that overflow size_t are caught, not wrapped. */
    size_t huge = (size_t)1 << 40;
    tu_assert_fails(cvp_tensor_resize(t, 3, S(huge, huge, huge), &err), &err,
                    CVP_ERR_LIMIT, "entries");
    tu_assert_fails(cvp_tensor_resize(t, 9, S(1, 1, 1, 1, 1, 1, 1, 1, 1), &err), &err,
                    CVP_ERR_INPUT, "rank 9");
    cvp_tensor_clear(t);
}

static void equality_copy_and_swap(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t a, b;
    cvp_tensor_init(a); cvp_tensor_init(b);
    tu_ints(a, 2, S(2, 2), V(1, 2, 3, 4));
    tu_ints(b, 1, S(4), V(1, 2, 3, 4));
    assert_false(cvp_tensor_equal(a, b));      /* same entries, other shape */
    tu_assert_ok(cvp_tensor_set(b, a, &err), &err);
    assert_true(cvp_tensor_equal(a, b));
    mpq_set_si(cvp_tensor_at(b, 3), 9, 2);
    assert_false(cvp_tensor_equal(a, b));
    assert_false(cvp_tensor_is_integral(b));
    cvp_tensor_swap(a, b);
    assert_true(mpq_cmp_si(cvp_tensor_at(a, 3), 9, 2) == 0);
    assert_true(mpq_cmp_si(cvp_tensor_at(b, 3), 4, 1) == 0);
    cvp_tensor_clear(a); cvp_tensor_clear(b);
}

static void reshape_permute_transpose_slice(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t t, r, expected;
    cvp_tensor_init(t); cvp_tensor_init(r); cvp_tensor_init(expected);
    tu_ints(t, 2, S(2, 3), V(1, 2, 3, 4, 5, 6));
    tu_assert_ok(cvp_tensor_reshape(r, t, 2, S(3, CVP_INFER_DIM), &err), &err);
    tu_ints(expected, 2, S(3, 2), V(1, 2, 3, 4, 5, 6));
    tu_assert_equal(r, expected);
    tu_assert_fails(cvp_tensor_reshape(r, t, 2, S(4, CVP_INFER_DIM), &err), &err,
                    CVP_ERR_INPUT, "cannot infer");
    tu_assert_fails(cvp_tensor_reshape(r, t, 1, S(5), &err), &err, CVP_ERR_INPUT,
                    "(6 entries) to [5]");
    /* transpose of [[1,2,3],[4,5,6]] is [[1,4],[2,5],[3,6]] */
    tu_assert_ok(cvp_tensor_transpose(r, t, &err), &err);
    tu_ints(expected, 2, S(3, 2), V(1, 4, 2, 5, 3, 6));
    tu_assert_equal(r, expected);
    /* permute (2, 0, 1) of a 2x3x2 tensor T[i,j,k] = 6i + 2j + k + 1:
     * out[k, i, j] = T[i, j, k], shape 2x2x3. */
    long values[12];
    for (int k = 0; k < 12; k++)
        values[k] = k + 1;
    tu_ints(t, 3, S(2, 3, 2), values);
    tu_assert_ok(cvp_tensor_permute(r, t, (int[]){2, 0, 1}, &err), &err);
    tu_ints(expected, 3, S(2, 2, 3), V(1, 3, 5, 7, 9, 11, 2, 4, 6, 8, 10, 12));
    tu_assert_equal(r, expected);
    tu_assert_fails(cvp_tensor_permute(r, t, (int[]){0, 0, 1}, &err), &err,
                    CVP_ERR_INPUT, "permutation");
    /* slice rows 0:2:1, columns 1:3:2 of T[:, :, 0] style: take t as 2x6 */
    tu_assert_ok(cvp_tensor_reshape(t, t, 2, S(2, 6), &err), &err);
    tu_assert_ok(cvp_tensor_slice(r, t, S(0, 1), S(2, 6), S(1, 2), &err), &err);
    tu_ints(expected, 2, S(2, 3), V(2, 4, 6, 8, 10, 12));
    tu_assert_equal(r, expected);
    cvp_tensor_clear(t); cvp_tensor_clear(r); cvp_tensor_clear(expected);
}

static void arithmetic_broadcasts_like_numpy(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t a, b, r, expected;
    cvp_tensor_init(a); cvp_tensor_init(b); cvp_tensor_init(r); cvp_tensor_init(expected);
    tu_ints(a, 2, S(2, 3), V(1, 2, 3, 4, 5, 6));
    tu_ints(b, 1, S(3), V(10, 20, 30));
    tu_assert_ok(cvp_tensor_add(r, a, b, &err), &err);
    tu_ints(expected, 2, S(2, 3), V(11, 22, 33, 14, 25, 36));
    tu_assert_equal(r, expected);
    tu_ints(b, 2, S(2, 1), V(1, -1));
    tu_assert_ok(cvp_tensor_mul(r, a, b, &err), &err);
    tu_ints(expected, 2, S(2, 3), V(1, 2, 3, -4, -5, -6));
    tu_assert_equal(r, expected);
    tu_assert_ok(cvp_tensor_sub(r, b, a, &err), &err);   /* [2,1] - [2,3] */
    tu_ints(expected, 2, S(2, 3), V(0, -1, -2, -5, -6, -7));
    tu_assert_equal(r, expected);
    /* a scalar broadcasts against anything: 3/4 * a */
    cvp_tensor_set_scalar_si(b, 3, 4);
    tu_assert_ok(cvp_tensor_mul(r, b, a, &err), &err);
    assert_true(mpq_cmp_si(cvp_tensor_at(r, 1), 3, 2) == 0);   /* 3/4*2 */
    assert_true(mpq_cmp_si(cvp_tensor_at(r, 5), 9, 2) == 0);   /* 3/4*6 */
    tu_ints(b, 1, S(2), V(1, 2));
    tu_assert_fails(cvp_tensor_add(r, a, b, &err), &err, CVP_ERR_INPUT,
                    "dimension 1 of the left operand is 3");
    /* aliasing: r := r + r */
    tu_ints(r, 1, S(2), V(5, -7));
    tu_assert_ok(cvp_tensor_add(r, r, r, &err), &err);
    tu_ints(expected, 1, S(2), V(10, -14));
    tu_assert_equal(r, expected);
    tu_assert_ok(cvp_tensor_neg(r, r, &err), &err);
    tu_ints(expected, 1, S(2), V(-10, 14));
    tu_assert_equal(r, expected);
    cvp_tensor_clear(a); cvp_tensor_clear(b); cvp_tensor_clear(r); cvp_tensor_clear(expected);
}

static void sums_scale_and_matmul(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t a, b, r, expected;
    cvp_tensor_init(a); cvp_tensor_init(b); cvp_tensor_init(r); cvp_tensor_init(expected);
    tu_ints(a, 2, S(2, 3), V(1, 2, 3, 4, 5, 6));
    tu_assert_ok(cvp_tensor_sum_all(r, a, &err), &err);
    assert_int_equal(cvp_tensor_rank(r), 0);
    assert_true(mpq_cmp_si(cvp_tensor_at(r, 0), 21, 1) == 0);
    tu_assert_ok(cvp_tensor_sum_axis(r, a, 0, &err), &err);
    tu_ints(expected, 1, S(3), V(5, 7, 9));
    tu_assert_equal(r, expected);
    tu_assert_ok(cvp_tensor_sum_axis(r, a, 1, &err), &err);
    tu_ints(expected, 1, S(2), V(6, 15));
    tu_assert_equal(r, expected);
    mpq_t c;
    mpq_init(c);
    mpq_set_si(c, -1, 2);
    tu_assert_ok(cvp_tensor_scale(r, a, c, &err), &err);
    assert_true(mpq_cmp_si(cvp_tensor_at(r, 2), -3, 2) == 0);
    mpq_clear(c);
    /* [[1,2,3],[4,5,6]] @ [[1,0],[0,1],[1,1]] = [[4,5],[10,11]] */
    tu_ints(b, 2, S(3, 2), V(1, 0, 0, 1, 1, 1));
    tu_assert_ok(cvp_tensor_matmul(r, a, b, &err), &err);
    tu_ints(expected, 2, S(2, 2), V(4, 5, 10, 11));
    tu_assert_equal(r, expected);
    /* vector on the right: [[1,2,3],[4,5,6]] @ [1,1,1] = [6, 15] */
    tu_ints(b, 1, S(3), V(1, 1, 1));
    tu_assert_ok(cvp_tensor_matmul(r, a, b, &err), &err);
    tu_ints(expected, 1, S(2), V(6, 15));
    tu_assert_equal(r, expected);
    /* vector on the left: [1, -1] @ a = [-3, -3, -3]; dot of vectors */
    tu_ints(b, 1, S(2), V(1, -1));
    tu_assert_ok(cvp_tensor_matmul(r, b, a, &err), &err);
    tu_ints(expected, 1, S(3), V(-3, -3, -3));
    tu_assert_equal(r, expected);
    tu_assert_ok(cvp_tensor_matmul(r, b, b, &err), &err);
    assert_int_equal(cvp_tensor_rank(r), 0);
    assert_true(mpq_cmp_si(cvp_tensor_at(r, 0), 2, 1) == 0);
    tu_assert_fails(cvp_tensor_matmul(r, a, a, &err), &err, CVP_ERR_INPUT,
                    "inner dimensions differ");
    cvp_tensor_clear(a); cvp_tensor_clear(b); cvp_tensor_clear(r); cvp_tensor_clear(expected);
}

/* Random property tests: (A + B) == (B + A), (A B) C == A (B C),
 * (A B)^T == B^T A^T, permuting back restores the tensor. */
static void algebraic_properties_on_random_tensors(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 7);
    cvp_tensor_t A, B, C, x, y, z;
    cvp_tensor_init(A); cvp_tensor_init(B); cvp_tensor_init(C);
    cvp_tensor_init(x); cvp_tensor_init(y); cvp_tensor_init(z);
    for (int trial = 0; trial < 40; trial++) {
        size_t m = (size_t)cvp_rng_range(&rng, 1, 4), k = (size_t)cvp_rng_range(&rng, 1, 4);
        size_t n = (size_t)cvp_rng_range(&rng, 1, 4), p = (size_t)cvp_rng_range(&rng, 1, 4);
        tu_random(A, &rng, 2, S(m, k), -9, 9);
        tu_random(B, &rng, 2, S(k, n), -9, 9);
        tu_random(C, &rng, 2, S(n, p), -9, 9);
        cvp_tensor_random_rat(A, &rng, -9, 9, 5);
        tu_assert_ok(cvp_tensor_matmul(x, A, B, &err), &err);
        tu_assert_ok(cvp_tensor_matmul(x, x, C, &err), &err);
        tu_assert_ok(cvp_tensor_matmul(y, B, C, &err), &err);
        tu_assert_ok(cvp_tensor_matmul(y, A, y, &err), &err);
        tu_assert_equal(x, y);
        tu_assert_ok(cvp_tensor_matmul(x, A, B, &err), &err);
        tu_assert_ok(cvp_tensor_transpose(x, x, &err), &err);
        tu_assert_ok(cvp_tensor_transpose(y, B, &err), &err);
        tu_assert_ok(cvp_tensor_transpose(z, A, &err), &err);
        tu_assert_ok(cvp_tensor_matmul(y, y, z, &err), &err);
        tu_assert_equal(x, y);
        tu_random(B, &rng, 2, S(m, k), -9, 9);
        tu_assert_ok(cvp_tensor_add(x, A, B, &err), &err);
        tu_assert_ok(cvp_tensor_add(y, B, A, &err), &err);
        tu_assert_equal(x, y);
        tu_random(A, &rng, 4, S(m, k, n, p), -9, 9);
        tu_assert_ok(cvp_tensor_permute(x, A, (int[]){2, 0, 3, 1}, &err), &err);
        /* the inverse of (2, 0, 3, 1) is (1, 3, 0, 2) */
        tu_assert_ok(cvp_tensor_permute(x, x, (int[]){1, 3, 0, 2}, &err), &err);
        tu_assert_equal(x, A);
    }
    cvp_tensor_clear(A); cvp_tensor_clear(B); cvp_tensor_clear(C);
    cvp_tensor_clear(x); cvp_tensor_clear(y); cvp_tensor_clear(z);
}

static void random_fills_are_deterministic_and_in_range(void **state)
{
    (void)state;
    cvp_rng r1, r2;
    cvp_rng_seed(&r1, 99);
    cvp_rng_seed(&r2, 99);
    cvp_tensor_t a, b;
    cvp_tensor_init(a); cvp_tensor_init(b);
    tu_random(a, &r1, 2, S(20, 20), -9, 9);
    tu_random(b, &r2, 2, S(20, 20), -9, 9);
    tu_assert_equal(a, b);
    int zeros = 0, seen[19] = {0};
    for (size_t k = 0; k < a->size; k++) {
        long v = mpz_get_si(mpq_numref(cvp_tensor_at(a, k)));
        assert_true(v >= -9 && v <= 9);
        seen[v + 9] = 1;
        zeros += v == 0;
    }
    for (int v = 0; v < 19; v++)
        assert_int_equal(seen[v], 1);   /* 400 draws hit all 19 values */
    assert_true(zeros > 0);
    cvp_tensor_random_rat(a, &r1, -3, 3, 4);
    for (size_t k = 0; k < a->size; k++) {
        mpq_srcptr q = cvp_tensor_at(a, k);
        assert_true(mpz_cmp_ui(mpq_denref(q), 4) <= 0);
        /* canonical: gcd(num, den) == 1 */
        mpz_t g;
        mpz_init(g);
        mpz_gcd(g, mpq_numref(q), mpq_denref(q));
        assert_true(mpz_cmp_ui(g, 1) == 0 || mpq_sgn(q) == 0);
        mpz_clear(g);
    }
    /* A different seed gives a different tensor. */
    cvp_rng_seed(&r2, 100);
    tu_random(b, &r2, 2, S(20, 20), -9, 9);
    cvp_rng_seed(&r1, 99);
    tu_random(a, &r1, 2, S(20, 20), -9, 9);
    assert_false(cvp_tensor_equal(a, b));
    cvp_tensor_clear(a); cvp_tensor_clear(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_is_scalar_zero_and_resize_zeroes),
        cmocka_unit_test(plain_rings_copy_and_zero_whole_arrays),
        cmocka_unit_test(size_limit_is_an_error_not_a_crash),
        cmocka_unit_test(equality_copy_and_swap),
        cmocka_unit_test(reshape_permute_transpose_slice),
        cmocka_unit_test(arithmetic_broadcasts_like_numpy),
        cmocka_unit_test(sums_scale_and_matmul),
        cmocka_unit_test(algebraic_properties_on_random_tensors),
        cmocka_unit_test(random_fills_are_deterministic_and_in_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
