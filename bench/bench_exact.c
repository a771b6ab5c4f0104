/* bench_exact.c -- exact evaluation against PyTorch float64, in one run.
 *
 * Workloads (integer inputs in [-8, 8]):
 *   W1  conv2d, batch 1, 256 -> 256 channels, 100x100, 3x3, padding 1
 *       (exercise 5-4's layer)
 *   W2  its 1x1 bottleneck: 1x1 256 -> 64, then 3x3 64 -> 256, padding 1
 *   W3  batch 8, 16 -> 16 channels, 32x32, 3x3, padding 1: forward and
 *       the three backward passes (input, weight, bias)
 *   W4  as W3 on 31x31 with stride 2, padding 2
 *   W5  the explicit 1024-column matrix of a 32x32 input and a 3x3
 *       kernel (padding 1), and C^T vec(G) == the backward pass
 * and, for convproof alone, the explicit matrices of a 64x64 single
 * channel input and of a 16-channel 32x32 layer (built and checked
 * against the backward pass), W1 over the prime field of the `random`
 * method, a whole `random` claim at W1 through the checker (P2), and the
 * definitional operators on a smaller layer for scale.
 *
 * convproof's inputs and outputs are exact tensors in the packed form
 * (kernel/packed.h), as .npy reading and the fast kernels make them;
 * PyTorch's are float64 tensors in and out.  bench_eval.py times whole
 * `convproof eval` processes, reading and writing .npy files.
 * Each time is the best of --repeats runs.  This is a benchmark: it
 * asserts no timings, only that every result is what it must be.
 *
 * Usage: bench_exact [--repeats R] [--threads T] [--torch SCRIPT]
 *                    [--python PYTHON] [--only W1,W2,...]
 * T (default 2) is passed to PyTorch; convproof's OpenMP and BLAS threads
 * follow OMP_NUM_THREADS / OPENBLAS_NUM_THREADS (default: every core). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "check/check.h"
#include "fast/fast.h"
#include "kernel/conv2d_backward.h"
#include "kernel/packed.h"
#include "kernel/ring_small.h"
#include "kernel/rng.h"
#include "kernel/sparse.h"

static double clock_seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void) { return clock_seconds(CLOCK_MONOTONIC); }

/* CPU time of every thread of the process: less sensitive than wall time
 * to other jobs on a shared machine (but it counts threads' waiting
 * spins too). */
static double cpu_now(void) { return clock_seconds(CLOCK_PROCESS_CPUTIME_ID); }

static void die(const char *what, const cvp_error *err)
{
    fprintf(stderr, "bench_exact: %s: %s\n", what, err ? err->message : "");
    exit(3);
}

static void ok(cvp_status st, const cvp_error *err, const char *what)
{
    if (st != CVP_OK)
        die(what, err);
}

static void random_q(cvp_tensor_t t, cvp_rng *rng, int rank, const size_t *shape)
{
    cvp_error err;
    ok(cvp_tensor_resize(t, rank, shape, &err), &err, "resize");
    cvp_tensor_random_int(t, rng, -8, 8);
    if (!cvp_tensor_pack(t)) {
        fprintf(stderr, "bench_exact: small integers must pack\n");
        exit(3);
    }
}

/* ---- the workloads -------------------------------------------------------- */

typedef struct {
    cvp_tensor_t X, K, K2, G, Y, D;
    cvp_conv2d_params p, p2;
    cvp_fast_path path;
} layer;

static void layer_init(layer *L, size_t n, size_t c, size_t o, size_t h,
                       size_t k, size_t stride, size_t pad)
{
    cvp_rng rng;
    cvp_rng_seed(&rng, 7);
    cvp_tensor_init(L->X), cvp_tensor_init(L->K), cvp_tensor_init(L->K2);
    cvp_tensor_init(L->G), cvp_tensor_init(L->Y), cvp_tensor_init(L->D);
    random_q(L->X, &rng, 4, (size_t[]){n, c, h, h});
    random_q(L->K, &rng, 4, (size_t[]){o, c, k, k});
    L->p = cvp_conv2d_params_default();
    L->p.stride[0] = L->p.stride[1] = stride;
    L->p.padding[0] = L->p.padding[1] = pad;
    cvp_error err;
    ok(cvp_fast_conv2d(L->Y, L->X, L->K, NULL, &L->p, NULL, &err), &err, "shape");
    random_q(L->G, &rng, 4, L->Y->shape);
    L->p2 = cvp_conv2d_params_default();
    L->path = CVP_FAST_PATH_REFERENCE;
}

static void layer_clear(layer *L)
{
    cvp_tensor_clear(L->X), cvp_tensor_clear(L->K), cvp_tensor_clear(L->K2);
    cvp_tensor_clear(L->G), cvp_tensor_clear(L->Y), cvp_tensor_clear(L->D);
}

static void run_forward(layer *L)
{
    cvp_error err;
    ok(cvp_fast_conv2d(L->Y, L->X, L->K, NULL, &L->p, &L->path, &err), &err, "conv2d");
}

static void run_bottleneck(layer *L)
{
    cvp_error err;
    cvp_conv2d_params pad1 = cvp_conv2d_params_default();
    pad1.padding[0] = pad1.padding[1] = 1;
    ok(cvp_fast_conv2d(L->D, L->X, L->K, NULL, &L->p2, &L->path, &err), &err, "1x1");
    ok(cvp_fast_conv2d(L->Y, L->D, L->K2, NULL, &pad1, &L->path, &err), &err, "3x3");
}

static void run_all_passes(layer *L)
{
    cvp_error err;
    ok(cvp_fast_conv2d(L->Y, L->X, L->K, NULL, &L->p, &L->path, &err), &err, "fwd");
    ok(cvp_fast_conv2d_backward_input(L->D, L->X, L->K, L->G, &L->p, NULL, &err),
       &err, "bwd input");
    ok(cvp_fast_conv2d_backward_weight(L->D, L->X, L->K, L->G, &L->p, NULL, &err),
       &err, "bwd weight");
    ok(cvp_conv2d_backward_bias(L->D, L->G, &err), &err, "bwd bias");
}

/* Exercise 5-7 at size: C with vec(conv2d(X, K)) = C vec(X), then
 * C^T vec(G) against the backward pass to the input. */
static void run_matrix(layer *L)
{
    cvp_error err;
    cvp_sparse_t C, Ct;
    cvp_sparse_init(C, 0, 0);
    cvp_sparse_init(Ct, 0, 0);
    ok(cvp_fast_conv2d_matrix_input(C, L->X, L->K, &L->p, &err), &err, "matrix");
    ok(cvp_fast_sparse_transpose(Ct, C, &err), &err, "transpose");
    ok(cvp_fast_sparse_matvec(L->Y, Ct, L->G, &err), &err, "matvec");
    ok(cvp_fast_conv2d_backward_input(L->D, L->X, L->K, L->G, &L->p, &L->path, &err),
       &err, "bwd input");
    ok(cvp_tensor_reshape(L->D, L->D, 1, (size_t[]){L->D->size}, &err), &err, "reshape");
    if (!cvp_tensor_equal(L->Y, L->D)) {
        fprintf(stderr, "bench_exact: C^T vec(G) differs from the backward pass\n");
        exit(3);
    }
    cvp_sparse_clear(C);
    cvp_sparse_clear(Ct);
}

typedef struct {
    const char *name;
    const char *what;
    void (*run)(layer *);
    size_t n, c, o, h, k, stride, pad;
    bool torch;
} workload;

static const workload workloads[] = {
    {"W1", "3x3 conv 256->256, 100x100, pad 1", run_forward, 1, 256, 256, 100, 3, 1, 1, true},
    {"W2", "1x1 256->64, then 3x3 64->256", run_bottleneck, 1, 256, 64, 100, 1, 1, 0, true},
    {"W3", "batch 8, 16->16, 32x32: fwd + 3 bwd", run_all_passes, 8, 16, 16, 32, 3, 1, 1, true},
    {"W4", "as W3, 31x31, stride 2, pad 2", run_all_passes, 8, 16, 16, 31, 3, 2, 2, true},
    {"W5", "1024-column matrix, 3x3: C^T check", run_matrix, 1, 1, 1, 32, 3, 1, 1, true},
    {"M64", "matrix of 64x64, 1 channel: C^T check", run_matrix, 1, 1, 1, 64, 3, 1, 1, false},
    {"M16", "matrix of 16->16, 32x32: C^T check", run_matrix, 1, 16, 16, 32, 3, 1, 1, false},
};
#define WORKLOADS (sizeof workloads / sizeof workloads[0])

static double time_workload(const workload *w, int repeats, const char **path,
                            double *cpu)
{
    layer L;
    layer_init(&L, w->n, w->c, w->o, w->h, w->k, w->stride, w->pad);
    if (w->run == run_bottleneck) {
        cvp_rng rng;
        cvp_rng_seed(&rng, 8);
        random_q(L.K2, &rng, 4, (size_t[]){256, 64, 3, 3});
    }
    double best = 1e300;
    *cpu = 1e300;
    for (int r = 0; r < repeats; r++) {
        double start = now(), start_cpu = cpu_now();
        w->run(&L);
        double t = now() - start, c = cpu_now() - start_cpu;
        best = t < best ? t : best;
        *cpu = c < *cpu ? c : *cpu;
    }
    *path = cvp_fast_path_name(L.path);
    layer_clear(&L);
    return best;
}

/* W1 over Z/pZ, p = 2^61 - 1, random residues: what `random` evaluates. */
static double time_prime_field(int repeats, double *cpu)
{
    cvp_ring F;
    cvp_ring_fp_init(&F, CVP_FP_DEFAULT_PRIME);
    cvp_rng rng;
    cvp_rng_seed(&rng, 9);
    cvp_tensor_t X, K, Y;
    cvp_tensor_init_ring(X, &F), cvp_tensor_init_ring(K, &F), cvp_tensor_init_ring(Y, &F);
    cvp_error err;
    ok(cvp_tensor_resize(X, 4, (size_t[]){1, 256, 100, 100}, &err), &err, "resize");
    ok(cvp_tensor_resize(K, 4, (size_t[]){256, 256, 3, 3}, &err), &err, "resize");
    for (size_t k = 0; k < X->size; k++)
        cvp_fp_set(cvp_tensor_elem(X, k), cvp_rng_next(&rng) % CVP_FP_DEFAULT_PRIME);
    for (size_t k = 0; k < K->size; k++)
        cvp_fp_set(cvp_tensor_elem(K, k), cvp_rng_next(&rng) % CVP_FP_DEFAULT_PRIME);
    cvp_conv2d_params p = cvp_conv2d_params_default();
    p.padding[0] = p.padding[1] = 1;
    double best = 1e300;
    *cpu = 1e300;
    for (int r = 0; r < repeats; r++) {
        double start = now(), start_cpu = cpu_now();
        cvp_fast_path path;
        ok(cvp_fast_conv2d(Y, X, K, NULL, &p, &path, &err), &err, "conv2d mod p");
        double t = now() - start, c = cpu_now() - start_cpu;
        best = t < best ? t : best;
        *cpu = c < *cpu ? c : *cpu;
    }
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(Y);
    cvp_ring_fp_clear(&F);
    return best;
}

/* P2: a whole claim `by random` at W1's size, as `convproof check` runs
 * it: the degree bound, then one point mod a fresh prime of both sides of
 * exercise 5-7's adjoint identity (a conv2d and its backward pass). */
static const char w1_random_claim[] =
    "claim \"W1: the backward pass is the adjoint of the forward pass\" {\n"
    "  tensor X[1, 256, 100, 100]\n"
    "  tensor K[256, 256, 3, 3]\n"
    "  tensor G[1, 256, 100, 100]\n"
    "  show sum(conv2d(X, K, padding=1) * G) == "
    "sum(X * conv2d_backward_input(X, K, G, padding=1))\n"
    "  by random(trials=1)\n"
    "}\n";

static double time_random_claim(int repeats, double *cpu)
{
    cvp_proof_file file;
    cvp_proof_file_init(&file);
    cvp_lang_error lerr;
    cvp_lang_error_clear(&lerr);
    if (cvp_proof_parse(&file, w1_random_claim, strlen(w1_random_claim), "P2.proof",
                        &lerr) != CVP_OK) {
        fprintf(stderr, "bench_exact: P2: %s\n", lerr.message);
        exit(3);
    }
    double best = 1e300;
    *cpu = 1e300;
    for (int r = 0; r < repeats; r++) {
        cvp_report report;
        cvp_report_init(&report, "bench", 1);
        cvp_check_options options;
        cvp_check_options_default(&options);
        double start = now(), start_cpu = cpu_now();
        cvp_status st = cvp_check_file(&report, &file, &options, &lerr);
        double t = now() - start, c = cpu_now() - start_cpu;
        size_t passed = 0;
        cvp_report_counts(&report, &passed, NULL, NULL);
        if (st != CVP_OK || passed != 1) {
            fprintf(stderr, "bench_exact: P2: the claim did not pass\n");
            exit(3);
        }
        cvp_report_clear(&report);
        best = t < best ? t : best;
        *cpu = c < *cpu ? c : *cpu;
    }
    cvp_proof_file_clear(&file);
    return best;
}

/* Nanoseconds per multiply-add of the definitional conv2d over Q and over
 * Z/pZ, on a 1x16x32x32 layer with 16 3x3 kernels. */
static void reference_rates(double *ns_q, double *ns_fp)
{
    layer L;
    layer_init(&L, 1, 16, 16, 32, 3, 1, 1);
    const double macs = 16.0 * 32 * 32 * 16 * 9;
    cvp_error err;
    double start = now();
    ok(cvp_conv2d(L.Y, L.X, L.K, NULL, &L.p, &err), &err, "reference");
    *ns_q = 1e9 * (now() - start) / macs;
    cvp_ring F;
    cvp_ring_fp_init(&F, CVP_FP_DEFAULT_PRIME);
    cvp_tensor_t X, K, Y;
    cvp_tensor_init(X), cvp_tensor_init(K), cvp_tensor_init(Y);
    ok(cvp_tensor_lift(X, L.X, &F, &err), &err, "lift");
    ok(cvp_tensor_lift(K, L.K, &F, &err), &err, "lift");
    start = now();
    ok(cvp_conv2d(Y, X, K, NULL, &L.p, &err), &err, "reference mod p");
    *ns_fp = 1e9 * (now() - start) / macs;
    cvp_tensor_clear(X), cvp_tensor_clear(K), cvp_tensor_clear(Y);
    cvp_ring_fp_clear(&F);
    layer_clear(&L);
}

/* Runs the PyTorch side once for every selected workload; fills secs
 * (negative when unavailable). */
static void run_torch(const char *python, const char *script, int threads,
                      int repeats, const bool *selected, double *secs,
                      double *cpu)
{
    char command[4096];
    int len = snprintf(command, sizeof command, "'%s' '%s' %d %d", python, script,
                       threads, repeats);
    for (size_t w = 0; w < WORKLOADS; w++) {
        secs[w] = -1;
        if (selected[w] && workloads[w].torch)
            len += snprintf(command + len, sizeof command - (size_t)len, " %s",
                            workloads[w].name);
    }
    FILE *pipe = popen(command, "r");
    if (pipe == NULL)
        return;
    char name[64], value[64], value_cpu[64];
    while (fscanf(pipe, "%63s %63s %63s", name, value, value_cpu) == 3)
        for (size_t w = 0; w < WORKLOADS; w++)
            if (strcmp(name, workloads[w].name) == 0 && strcmp(value, "unavailable") != 0) {
                secs[w] = atof(value);
                cpu[w] = atof(value_cpu);
            }
    pclose(pipe);
}

int main(int argc, char **argv)
{
    int repeats = 3, threads = 2;
    const char *script = NULL, *python = "/usr/bin/python3", *only = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--repeats") == 0)
            repeats = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--threads") == 0)
            threads = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--torch") == 0)
            script = argv[i + 1];
        else if (strcmp(argv[i], "--python") == 0)
            python = argv[i + 1];
        else if (strcmp(argv[i], "--only") == 0)
            only = argv[i + 1];
    }
    if (repeats < 1)
        repeats = 1;
    bool selected[WORKLOADS];
    for (size_t w = 0; w < WORKLOADS; w++)
        selected[w] = only == NULL || strstr(only, workloads[w].name) != NULL;

    printf("BLAS: %s; PyTorch threads: %d; best of %d\n\n",
           cvp_fast_have_blas() ? "yes" : "no (plain loops)", threads, repeats);
    printf("| workload | what | convproof exact: s (CPU s) | path | PyTorch float64: s (CPU s) | ratio (CPU) |\n");
    printf("|---|---|---|---|---|---|\n");
    for (size_t w = 0; w < WORKLOADS; w++) {
        if (!selected[w])
            continue;
        /* PyTorch right before convproof, so both see the same machine
         * load (the shared machine's load moves over minutes). */
        double torch[WORKLOADS], torch_cpu[WORKLOADS];
        bool just_this[WORKLOADS] = {false};
        just_this[w] = true;
        for (size_t v = 0; v < WORKLOADS; v++)
            torch[v] = torch_cpu[v] = -1;
        if (script != NULL && workloads[w].torch)
            run_torch(python, script, threads, repeats, just_this, torch, torch_cpu);
        const char *path = "";
        double cpu;
        double t = time_workload(&workloads[w], repeats, &path, &cpu);
        printf("| %s | %s | %.3f (%.3f) | %s |", workloads[w].name, workloads[w].what,
               t, cpu, path);
        if (torch[w] > 0)
            printf(" %.3f (%.3f) | %.2f (%.2f) |\n", torch[w], torch_cpu[w],
                   t / torch[w], cpu / torch_cpu[w]);
        else
            printf(" - | - |\n");
        fflush(stdout);
    }
    if (only == NULL || strstr(only, "P1") != NULL) {
        double cpu, t = time_prime_field(repeats, &cpu);
        printf("| P1 | W1 mod 2^61-1 (the random method) | %.3f (%.3f) | mod p | - | - |\n",
               t, cpu);
    }
    if (only == NULL || strstr(only, "P2") != NULL) {
        double cpu, t = time_random_claim(repeats, &cpu);
        printf("| P2 | a `random` claim at W1: degree bound + conv2d and its backward "
               "pass mod a fresh prime | %.3f (%.3f) | mod p | - | - |\n", t, cpu);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double ns_q, ns_fp;
    reference_rates(&ns_q, &ns_fp);
    printf("\ndefinitional conv2d, 1x16x32x32 * 16x16x3x3: %.0f ns per multiply-add "
           "over Q, %.0f over Z/pZ\n", ns_q, ns_fp);
    printf("peak resident memory: %.0f MB\n", (double)ru.ru_maxrss / 1024.0);
    return 0;
}
