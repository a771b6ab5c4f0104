/* test_sparse.c -- exact sparse matrices and the explicit matrices of
 * conv2d (NNDL exercise 5-7).
 *
 * Expected values come from hand arithmetic (in the comments: matrices are
 * written out entry by entry and printed text compared with hand-written
 * strings) or from a second method: the Jacobian of conv2d probed column by
 * column (conv2d is linear in X and in K), conv2d itself for C vec(X), and
 * conv_transpose2d / the backward formulas for C^T vec(G). */
#include "testutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/conv2d.h"
#include "kernel/conv2d_backward.h"
#include "kernel/sparse.h"

#define CASES 25

static void append_si(cvp_sparse_t A, size_t r, size_t c, long num, unsigned long den)
{
    cvp_error err;
    mpq_t v;
    mpq_init(v);
    mpq_set_si(v, num, den);
    mpq_canonicalize(v);
    tu_assert_ok(cvp_sparse_append(A, r, c, v, &err), &err);
    mpq_clear(v);
}

/* Checks triple k of a finished matrix. */
static void assert_triple(const cvp_sparse_t A, size_t k, size_t r, size_t c, long num,
                          unsigned long den)
{
    mpq_t v;
    mpq_init(v);
    mpq_set_si(v, num, den);
    mpq_canonicalize(v);
    assert_true(k < A->nnz);
    assert_int_equal(A->row_index[k], r);
    assert_int_equal(A->col_index[k], c);
    assert_true(mpq_equal(A->values[k], v));
    mpq_clear(v);
}

/* The text cvp_sparse_print_dense writes for A. */
static char *printed(const cvp_sparse_t A)
{
    char *text = NULL;
    size_t len = 0;
    FILE *stream = open_memstream(&text, &len);
    assert_non_null(stream);
    assert_int_equal(cvp_sparse_print_dense(stream, A), 0);
    assert_int_equal(fclose(stream), 0);
    return text;
}

static void assert_printed(const cvp_sparse_t A, const char *expected)
{
    char *text = printed(A);
    if (strcmp(text, expected) != 0)
        fprintf(stderr, "printed:\n%s--- expected:\n%s---\n", text, expected);
    assert_string_equal(text, expected);
    free(text);
}

/* ---- the matrix type ----------------------------------------------- */

static void test_sparse_finish_merges_duplicates_and_drops_zeros(void **state)
{
    (void)state;
    cvp_sparse_t A;
    cvp_sparse_init(A, 3, 3);
    append_si(A, 1, 2, 3, 1);
    append_si(A, 0, 0, 1, 2);
    append_si(A, 1, 2, -3, 1);    /* cancels (1,2): dropped */
    append_si(A, 0, 1, 0, 1);     /* an explicit zero: dropped */
    append_si(A, 2, 0, 5, 1);
    append_si(A, 0, 0, 1, 3);     /* 1/2 + 1/3 = 5/6 */
    append_si(A, 1, 0, -7, 4);
    cvp_sparse_finish(A);
    /* row-major: (0,0) 5/6, (1,0) -7/4, (2,0) 5 */
    assert_int_equal(A->nnz, 3);
    assert_triple(A, 0, 0, 0, 5, 6);
    assert_triple(A, 1, 1, 0, -7, 4);
    assert_triple(A, 2, 2, 0, 5, 1);
    /* finishing again changes nothing; more appends merge with the kept */
    cvp_sparse_finish(A);
    assert_int_equal(A->nnz, 3);
    append_si(A, 2, 0, -5, 1);
    append_si(A, 0, 2, 1, 1);
    cvp_sparse_finish(A);
    assert_int_equal(A->nnz, 3);
    assert_triple(A, 0, 0, 0, 5, 6);
    assert_triple(A, 1, 0, 2, 1, 1);
    assert_triple(A, 2, 1, 0, -7, 4);
    /* width 4 = len("-7/4"), entries right-aligned, one space apart */
    assert_printed(A, " 5/6    0    1\n-7/4    0    0\n   0    0    0\n");
    cvp_sparse_clear(A);
}

static void test_sparse_finish_many_appends_past_growth(void **state)
{
    (void)state;
    /* 350 appends (past several capacity doublings) to a 10 x 10 matrix.
     * Row R = 9-r receives 10-r = R+1 twice in every column and a third
     * time in the even columns; the odd columns then get R+1 once more, so
     * every entry is 3(R+1).  The even rows then receive -3(R+1) and
     * cancel: 50 entries remain, 3(R+1) in the odd rows. */
    cvp_sparse_t A;
    cvp_sparse_init(A, 10, 10);
    for (int rep = 0; rep < 3; rep++)
        for (size_t r = 0; r < 10; r++)
            for (size_t c = 0; c < 10; c++)
                if (rep < 2 || c % 2 == 0)
                    append_si(A, 9 - r, c, (long)(10 - r), 1);
    for (size_t r = 0; r < 10; r++)
        for (size_t c = 0; c < 10; c++)
            if (c % 2 == 1)
                append_si(A, r, c, (long)(r + 1), 1);   /* odd c: 3(r+1) */
    for (size_t r = 0; r < 10; r += 2)
        for (size_t c = 0; c < 10; c++)
            append_si(A, r, c, -3 * (long)(r + 1), 1);
    cvp_sparse_finish(A);
    assert_int_equal(A->nnz, 50);
    for (size_t k = 0; k < 50; k++)
        assert_triple(A, k, 2 * (k / 10) + 1, k % 10, 3 * (long)(2 * (k / 10) + 2), 1);
    cvp_sparse_clear(A);
}

static void test_sparse_transpose_matvec_dense_equal(void **state)
{
    (void)state;
    cvp_error err;
    cvp_sparse_t A, B, C;
    cvp_sparse_init(A, 2, 3);
    cvp_sparse_init(B, 0, 0);
    cvp_sparse_init(C, 0, 0);
    /* A = [[1, 0, -2], [0, 1/2, 3]] */
    append_si(A, 1, 2, 3, 1);
    append_si(A, 0, 0, 1, 1);
    append_si(A, 1, 1, 1, 2);
    append_si(A, 0, 2, -2, 1);
    cvp_sparse_finish(A);
    tu_assert_ok(cvp_sparse_transpose(B, A, &err), &err);
    /* A^T = [[1, 0], [0, 1/2], [-2, 3]] */
    assert_int_equal(B->rows, 3);
    assert_int_equal(B->cols, 2);
    assert_int_equal(B->nnz, 4);
    assert_triple(B, 0, 0, 0, 1, 1);
    assert_triple(B, 1, 1, 1, 1, 2);
    assert_triple(B, 2, 2, 0, -2, 1);
    assert_triple(B, 3, 2, 1, 3, 1);
    tu_assert_ok(cvp_sparse_transpose(C, B, &err), &err);
    assert_true(cvp_sparse_equal(C, A));
    assert_false(cvp_sparse_equal(B, A));
    cvp_tensor_t x, y, E;
    cvp_tensor_init(x), cvp_tensor_init(y), cvp_tensor_init(E);
    /* A [4, 6, 1] = [4 - 2, 3 + 3] = [2, 6]; x of any shape with 3 entries */
    tu_ints(x, 2, (size_t[]){3, 1}, (long[]){4, 6, 1});
    tu_assert_ok(cvp_sparse_matvec(y, A, x, &err), &err);
    tu_ints(E, 1, (size_t[]){2}, (long[]){2, 6});
    tu_assert_equal(y, E);
    /* A^T [2, 6] = [2, 3, -4 + 18] = [2, 3, 14], in place (y := A^T y) */
    tu_assert_ok(cvp_sparse_matvec(y, B, y, &err), &err);
    tu_ints(E, 1, (size_t[]){3}, (long[]){2, 3, 14});
    tu_assert_equal(y, E);
    tu_ints(x, 1, (size_t[]){4}, (long[]){1, 2, 3, 4});
    tu_assert_fails(cvp_sparse_matvec(y, A, x, &err), &err, CVP_ERR_INPUT,
                    "the matrix has 3 columns but the vector has 4 entries");
    tu_assert_ok(cvp_sparse_to_dense(y, A, &err), &err);
    mpq_t half;
    mpq_init(half);
    tu_ints(E, 2, (size_t[]){2, 3}, (long[]){1, 0, -2, 0, 0, 3});
    mpq_set_si(half, 1, 2);
    mpq_set(cvp_tensor_at(E, 4), half);
    tu_assert_equal(y, E);
    mpq_clear(half);
    /* different dimensions with no entries are not equal */
    cvp_sparse_t Z1, Z2;
    cvp_sparse_init(Z1, 2, 3);
    cvp_sparse_init(Z2, 3, 2);
    assert_false(cvp_sparse_equal(Z1, Z2));
    assert_printed(Z1, "0 0 0\n0 0 0\n");
    cvp_sparse_clear(Z1), cvp_sparse_clear(Z2);
    cvp_tensor_clear(x), cvp_tensor_clear(y), cvp_tensor_clear(E);
    cvp_sparse_clear(A), cvp_sparse_clear(B), cvp_sparse_clear(C);
}

static void test_sparse_print_dense_errors_and_limit(void **state)
{
    (void)state;
    cvp_error err;
    cvp_sparse_t A;
    cvp_sparse_init(A, 2, 2);
    append_si(A, 0, 0, 1, 1);
    cvp_sparse_finish(A);
    FILE *readonly = fopen("/dev/null", "r");
    assert_non_null(readonly);
    assert_int_equal(cvp_sparse_print_dense(readonly, A), -1);
    fclose(readonly);
    cvp_sparse_clear(A);
    /* with a limit of 3 entries, the 4th append is CVP_ERR_LIMIT */
    size_t saved = cvp_tensor_max_entries();
    cvp_tensor_set_max_entries(3);
    cvp_sparse_init(A, 2, 2);
    mpq_t one;
    mpq_init(one);
    mpq_set_ui(one, 1, 1);
    cvp_status st[4];
    for (int k = 0; k < 4; k++)
        st[k] = cvp_sparse_append(A, (size_t)k / 2, (size_t)k % 2, one, &err);
    cvp_tensor_set_max_entries(saved);
    for (int k = 0; k < 3; k++)
        assert_int_equal(st[k], CVP_OK);
    tu_assert_fails(st[3], &err, CVP_ERR_LIMIT, "more than 3 stored entries");
    cvp_sparse_finish(A);
    assert_int_equal(A->nnz, 3);
    mpq_clear(one);
    cvp_sparse_clear(A);
}

/* cvp_sparse_finish on several threads at once (`convproof check
 * --jobs`): each sort must use its own matrix's keys.  Thread t fills an
 * n x n matrix, n = 40 + 7 t, in reverse row-major order with entry
 * (r, c) = r n + c + 1, then every position once more with 1, and
 * finishes it: row-major order and r n + c + 2 everywhere, by hand.
 * Matrices of different sizes make a sort with another thread's keys
 * come out wrong (or read past the end).  No cmocka assertion runs on a
 * thread: each reports a count of wrong triples. */
typedef struct {
    size_t n, rounds, wrong;
} sort_job;

static void *sort_thread(void *arg)
{
    sort_job *job = arg;
    size_t n = job->n;
    cvp_error err;
    mpq_t v;
    mpq_init(v);
    for (size_t round = 0; round < job->rounds; round++) {
        cvp_sparse_t A;
        cvp_sparse_init(A, n, n);
        for (size_t k = n * n; k-- > 0;) {
            mpq_set_ui(v, (unsigned long)k + 1, 1);
            job->wrong += cvp_sparse_append(A, k / n, k % n, v, &err) != CVP_OK;
        }
        mpq_set_ui(v, 1, 1);
        for (size_t k = 0; k < n * n; k++)
            job->wrong += cvp_sparse_append(A, k % n, k / n, v, &err) != CVP_OK;
        cvp_sparse_finish(A);
        job->wrong += A->nnz != n * n;
        for (size_t k = 0; k < A->nnz && k < n * n; k++)
            job->wrong += A->row_index[k] != k / n || A->col_index[k] != k % n
                          || mpz_cmp_ui(mpq_numref(A->values[k]), (unsigned long)k + 2) != 0
                          || mpz_cmp_ui(mpq_denref(A->values[k]), 1) != 0;
        cvp_sparse_clear(A);
    }
    mpq_clear(v);
    return NULL;
}

static void test_sparse_finish_on_threads_at_once(void **state)
{
    (void)state;
    enum { THREADS = 3 };
    pthread_t threads[THREADS];
    sort_job jobs[THREADS];
    for (size_t t = 0; t < THREADS; t++) {
        jobs[t] = (sort_job){40 + 7 * t, 20, 0};
        assert_int_equal(pthread_create(&threads[t], NULL, sort_thread, &jobs[t]), 0);
    }
    for (size_t t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_join(threads[t], NULL), 0);
        assert_int_equal(jobs[t].wrong, 0);
    }
}

/* ---- the explicit matrices of conv2d ------------------------------- */

static void test_conv2d_matrix_printed_by_hand(void **state)
{
    (void)state;
    cvp_error err;
    cvp_tensor_t X, K;
    cvp_tensor_init(X), cvp_tensor_init(K);
    cvp_sparse_t C;
    cvp_sparse_init(C, 0, 0);
    /* X 2x2 (entries x0..x3 row-major), K 1x2 = [1/2, -3]: Y[i,0] =
     * 1/2 X[i,0] - 3 X[i,1], so C = [[1/2, -3, 0, 0], [0, 0, 1/2, -3]];
     * the widest entry "1/2" sets the column width 3. */
    tu_ints(X, 4, (size_t[]){1, 1, 2, 2}, (long[]){1, 2, 3, 4});
    tu_zeros(K, 4, (size_t[]){1, 1, 1, 2});
    mpq_set_si(cvp_tensor_at(K, 0), 1, 2);
    mpq_set_si(cvp_tensor_at(K, 1), -3, 1);
    cvp_conv2d_params p = cvp_conv2d_params_default();
    tu_assert_ok(cvp_conv2d_matrix_input(C, X, K, &p, &err), &err);
    assert_printed(C, "1/2  -3   0   0\n  0   0 1/2  -3\n");
    /* Linear in K: Y[i,0] = X[i,0] K0 + X[i,1] K1 -> [[1, 2], [3, 4]] */
    tu_assert_ok(cvp_conv2d_matrix_weight(C, X, K, &p, &err), &err);
    assert_printed(C, "1 2\n3 4\n");
    /* X 2x2, K [[1,2],[3,4]], padding 1: Y is 3x3 and Y[i,j] =
     * sum K[u,v] X[i+u-1, j+v-1], i.e. C[(i,j), (h,w)] = K[h-i+1, w-j+1]
     * where both indices are in 0..1:
     *   (0,0): only (h,w)=(0,0) -> K11=4
     *   (0,1): (0,0) K10=3, (0,1) K11=4
     *   (0,2): (0,1) K10=3
     *   (1,0): (0,0) K01=2, (1,0) K11=4
     *   (1,1): K00..K11 = 1 2 3 4
     *   (1,2): (0,1) K00=1, (1,1) K10=3
     *   (2,0): (1,0) K01=2
     *   (2,1): (1,0) K00=1, (1,1) K01=2
     *   (2,2): (1,1) K00=1 */
    tu_ints(K, 4, (size_t[]){1, 1, 2, 2}, (long[]){1, 2, 3, 4});
    p.padding[0] = p.padding[1] = 1;
    tu_assert_ok(cvp_conv2d_matrix_input(C, X, K, &p, &err), &err);
    assert_printed(C, "4 0 0 0\n"
                      "3 4 0 0\n"
                      "0 3 0 0\n"
                      "2 0 4 0\n"
                      "1 2 3 4\n"
                      "0 1 0 3\n"
                      "0 0 2 0\n"
                      "0 0 1 2\n"
                      "0 0 0 1\n");
    cvp_tensor_t flat;
    cvp_tensor_init(flat);
    tu_zeros(flat, 2, (size_t[]){2, 2});
    tu_assert_fails(cvp_conv2d_matrix_input(C, flat, K, &p, &err), &err, CVP_ERR_INPUT,
                    "conv2d matrix: argument X (input) must have rank 4");
    cvp_tensor_clear(flat);
    tu_zeros(K, 4, (size_t[]){1, 2, 1, 1});
    tu_assert_fails(cvp_conv2d_matrix_weight(C, X, K, &p, &err), &err, CVP_ERR_INPUT,
                    "dimension 1 of K (weight) is 2 but the input has 1 channels");
    cvp_sparse_clear(C);
    cvp_tensor_clear(X), cvp_tensor_clear(K);
}

static void check_sparse_case(const cvp_sparse_t A, const cvp_sparse_t B,
                              const tu_conv_case *cc)
{
    if (!cvp_sparse_equal(A, B))
        tu_print_conv_case(cc);
    assert_true(cvp_sparse_equal(A, B));
}

static void check_vec_case(const cvp_tensor_t v, const cvp_tensor_t T,
                           const tu_conv_case *cc)
{
    cvp_error err;
    cvp_tensor_t flat;
    cvp_tensor_init(flat);
    tu_assert_ok(cvp_tensor_reshape(flat, T, 1, &T->size, &err), &err);
    if (!cvp_tensor_equal(v, flat))
        tu_print_conv_case(cc);
    tu_assert_equal(v, flat);
    cvp_tensor_clear(flat);
}

/* C (input matrix) equals the probed Jacobian, C vec(X) = vec(conv2d),
 * and C^T vec(G) equals conv_transpose2d(G, K) and the backward formula. */
static void test_conv2d_matrix_input_is_probed_jacobian(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 801);
    cvp_tensor_t X, K, G, Y, v, T;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G), cvp_tensor_init(Y);
    cvp_tensor_init(v), cvp_tensor_init(T);
    cvp_sparse_t C, J, Ct;
    cvp_sparse_init(C, 0, 0), cvp_sparse_init(J, 0, 0), cvp_sparse_init(Ct, 0, 0);
    for (int t = 0; t < CASES; t++) {
        tu_conv_case cc;
        tu_random_conv_operands(&cc, &rng, X, K, G);
        tu_assert_ok(cvp_conv2d_matrix_input(C, X, K, &cc.p, &err), &err);
        tu_conv_context ctx = {X, K, &cc.p};
        tu_jacobian_by_probing(J, tu_conv2d_of_input, &ctx, X);
        check_sparse_case(C, J, &cc);
        tu_assert_ok(cvp_conv2d(Y, X, K, NULL, &cc.p, &err), &err);
        tu_assert_ok(cvp_sparse_matvec(v, C, X, &err), &err);
        check_vec_case(v, Y, &cc);
        /* exercise 5-7: the backward pass is C^T vec(G) */
        tu_assert_ok(cvp_sparse_transpose(Ct, C, &err), &err);
        tu_assert_ok(cvp_sparse_matvec(v, Ct, G, &err), &err);
        tu_assert_ok(cvp_conv2d_backward_input(T, X, K, G, &cc.p, &err), &err);
        check_vec_case(v, T, &cc);
        cvp_conv2d_params p = cc.p;
        p.output_padding[0] = (cc.H + 2 * p.padding[0] - p.dilation[0] * (cc.kH - 1) - 1) %
                              p.stride[0];
        p.output_padding[1] = (cc.W + 2 * p.padding[1] - p.dilation[1] * (cc.kW - 1) - 1) %
                              p.stride[1];
        tu_assert_ok(cvp_conv_transpose2d(T, G, K, NULL, &p, &err), &err);
        check_vec_case(v, T, &cc);
    }
    cvp_sparse_clear(C), cvp_sparse_clear(J), cvp_sparse_clear(Ct);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G), cvp_tensor_clear(Y);
    cvp_tensor_clear(v), cvp_tensor_clear(T);
}

static void test_conv2d_matrix_weight_is_probed_jacobian(void **state)
{
    (void)state;
    cvp_error err;
    cvp_rng rng;
    cvp_rng_seed(&rng, 802);
    cvp_tensor_t X, K, G, Y, v, T;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(G), cvp_tensor_init(Y);
    cvp_tensor_init(v), cvp_tensor_init(T);
    cvp_sparse_t C, J, Ct;
    cvp_sparse_init(C, 0, 0), cvp_sparse_init(J, 0, 0), cvp_sparse_init(Ct, 0, 0);
    for (int t = 0; t < CASES; t++) {
        tu_conv_case cc;
        tu_random_conv_operands(&cc, &rng, X, K, G);
        tu_assert_ok(cvp_conv2d_matrix_weight(C, X, K, &cc.p, &err), &err);
        tu_conv_context ctx = {X, K, &cc.p};
        tu_jacobian_by_probing(J, tu_conv2d_of_weight, &ctx, K);
        check_sparse_case(C, J, &cc);
        tu_assert_ok(cvp_conv2d(Y, X, K, NULL, &cc.p, &err), &err);
        tu_assert_ok(cvp_sparse_matvec(v, C, K, &err), &err);
        check_vec_case(v, Y, &cc);
        tu_assert_ok(cvp_sparse_transpose(Ct, C, &err), &err);
        tu_assert_ok(cvp_sparse_matvec(v, Ct, G, &err), &err);
        tu_assert_ok(cvp_conv2d_backward_weight(T, X, K, G, &cc.p, &err), &err);
        check_vec_case(v, T, &cc);
    }
    cvp_sparse_clear(C), cvp_sparse_clear(J), cvp_sparse_clear(Ct);
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(G), cvp_tensor_clear(Y);
    cvp_tensor_clear(v), cvp_tensor_clear(T);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sparse_finish_merges_duplicates_and_drops_zeros),
        cmocka_unit_test(test_sparse_finish_many_appends_past_growth),
        cmocka_unit_test(test_sparse_finish_on_threads_at_once),
        cmocka_unit_test(test_sparse_transpose_matvec_dense_equal),
        cmocka_unit_test(test_sparse_print_dense_errors_and_limit),
        cmocka_unit_test(test_conv2d_matrix_printed_by_hand),
        cmocka_unit_test(test_conv2d_matrix_input_is_probed_jacobian),
        cmocka_unit_test(test_conv2d_matrix_weight_is_probed_jacobian),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
