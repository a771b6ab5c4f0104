/* bench_kernel.c -- speed of the definitional operators on GMP rationals.
 *
 * The trusted kernel is written for clarity, not speed; this program
 * measures what that costs, per multiply-add, so that the table of docs/benchmarks.md
 * and any later fast path have a baseline.  It is a benchmark, not a test:
 * it asserts nothing about time.
 *
 * Usage: bench_kernel [REPEATS]   (default 3; the best time is reported) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kernel/conv2d.h"
#include "kernel/conv2d_backward.h"
#include "kernel/pool.h"
#include "kernel/rng.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void random_tensor(cvp_tensor_t t, cvp_rng *rng, int rank, const size_t *shape)
{
    cvp_error err;
    if (cvp_tensor_resize(t, rank, shape, &err) != CVP_OK) {
        fprintf(stderr, "bench_kernel: %s\n", err.message);
        exit(3);
    }
    cvp_tensor_random_int(t, rng, -9, 9);
}

typedef enum { FORWARD, BACKWARD_INPUT, BACKWARD_WEIGHT, MAX_POOL } bench_op;

static void run(const char *label, bench_op op, size_t n, size_t c, size_t h,
                size_t o, size_t k, int repeats)
{
    cvp_rng rng;
    cvp_rng_seed(&rng, 1);
    cvp_tensor_t X, K, G, Y;
    cvp_tensor_init(X); cvp_tensor_init(K); cvp_tensor_init(G); cvp_tensor_init(Y);
    random_tensor(X, &rng, 4, (size_t[]){n, c, h, h});
    random_tensor(K, &rng, 4, (size_t[]){o, c, k, k});
    cvp_conv2d_params p = cvp_conv2d_params_default();
    p.padding[0] = p.padding[1] = k / 2;
    cvp_pool2d_params pool = cvp_pool2d_params_default(2, 2);
    random_tensor(G, &rng, 4, (size_t[]){n, o, h, h});
    double work = (double)(n * o * h * h) * (double)(c * k * k);
    if (op == MAX_POOL)
        work = (double)(n * c * h * h);   /* one comparison per input entry */
    double best = 1e300;
    cvp_error err;
    for (int r = 0; r < repeats; r++) {
        double start = now();
        cvp_status st = CVP_OK;
        switch (op) {
        case FORWARD: st = cvp_conv2d(Y, X, K, NULL, &p, &err); break;
        case BACKWARD_INPUT: st = cvp_conv2d_backward_input(Y, X, K, G, &p, &err); break;
        case BACKWARD_WEIGHT: st = cvp_conv2d_backward_weight(Y, X, K, G, &p, &err); break;
        case MAX_POOL: st = cvp_max_pool2d(Y, X, &pool, &err); break;
        }
        double elapsed = now() - start;
        if (st != CVP_OK) {
            fprintf(stderr, "bench_kernel: %s\n", err.message);
            exit(3);
        }
        if (elapsed < best)
            best = elapsed;
    }
    printf("| %-44s | %12.0f | %9.3f | %8.1f |\n", label, work, best, 1e9 * best / work);
    cvp_tensor_clear(X); cvp_tensor_clear(K); cvp_tensor_clear(G); cvp_tensor_clear(Y);
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 3;
    if (repeats < 1)
        repeats = 1;
    printf("| operator (values in -9..9)                   |   work units |  best (s) | ns/unit  |\n");
    printf("|----------------------------------------------|--------------|-----------|----------|\n");
    run("conv2d 1x16x32x32, 16 3x3 kernels, pad 1", FORWARD, 1, 16, 32, 16, 3, repeats);
    run("conv2d_backward_input, same layer", BACKWARD_INPUT, 1, 16, 32, 16, 3, repeats);
    run("conv2d_backward_weight, same layer", BACKWARD_WEIGHT, 1, 16, 32, 16, 3, repeats);
    run("conv2d 1x64x16x16, 64 3x3 kernels, pad 1", FORWARD, 1, 64, 16, 64, 3, repeats);
    run("max_pool2d 2x2 on 8x16x64x64", MAX_POOL, 8, 16, 64, 16, 3, repeats);
    return 0;
}
