/* fast_conv.c -- choosing the arithmetic and running the fast kernels
 * (see fast.h for the rules and the guarantees).
 *
 * Whatever cannot take a fast path -- another ring, a shape error, an
 * operand too large for int64, a failed check of a BLAS product -- is
 * handed to the definitional operator, which then also produces the
 * error message, so callers see exactly the kernel's behaviour. */
#include "fast/fast_internal.h"
#include "kernel/alloc.h"
#include "kernel/packed.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/conv2d_backward.h"
#include "kernel/ring_small.h"

/* ---- switches and counters --------------------------------------------- */

static atomic_bool enabled = true;
static atomic_int min_path = CVP_FAST_PATH_REFERENCE;
atomic_bool cvp_fast_fault_pending = false;
atomic_uint_fast64_t cvp_fast_check_count, cvp_fast_check_failure_count;
extern atomic_uint_fast64_t cvp_fast_winograd_count;   /* fast_winograd.c */
extern atomic_uint_fast64_t cvp_fast_winograd_exact_count;   /* fast_winograd_exact.c */
static atomic_uint_fast64_t threaded_count;   /* fast_conv_impl.h */
static atomic_uint_fast64_t path_calls[CVP_FAST_PATH_COUNT];

void cvp_fast_set_enabled(bool on) { atomic_store(&enabled, on); }
bool cvp_fast_enabled(void) { return atomic_load(&enabled); }
void cvp_fast_set_min_path(cvp_fast_path path) { atomic_store(&min_path, (int)path); }
void cvp_fast_inject_fault(bool inject) { atomic_store(&cvp_fast_fault_pending, inject); }

void cvp_fast_stats(cvp_fast_stats_t *stats)
{
    for (int k = 0; k < CVP_FAST_PATH_COUNT; k++)
        stats->calls[k] = atomic_load(&path_calls[k]);
    stats->winograd = atomic_load(&cvp_fast_winograd_count);
    stats->winograd_exact = atomic_load(&cvp_fast_winograd_exact_count);
    stats->threaded = atomic_load(&threaded_count);
    stats->checks = atomic_load(&cvp_fast_check_count);
    stats->check_failures = atomic_load(&cvp_fast_check_failure_count);
}

const char *cvp_fast_path_name(cvp_fast_path path)
{
    static const char *const names[CVP_FAST_PATH_COUNT] = {
        "reference", "float32", "float64", "int64", "CRT", "mod p", "uniform degree",
        "uniform height"};
    return path < CVP_FAST_PATH_COUNT ? names[path] : "?";
}

/* ---- geometry helpers used by fast_conv_impl.h ------------------------- */

static bool fast_direct_1x1(const fast_layer *L)
{
    return L->kH == 1 && L->kW == 1 && L->sh == 1 && L->sw == 1 && L->ph == 0 &&
           L->pw == 0;
}

/* Entries of one im2col block (a few MB: the buffer stays in the outer
 * caches and the memory overhead small). */
static atomic_size_t block_entries = (size_t)1 << 20;

void cvp_fast_set_block_entries(size_t entries)
{
    atomic_store(&block_entries, entries ? entries : ((size_t)1 << 20));
}

size_t fast_block_entries(void) { return atomic_load(&block_entries); }

static size_t fast_block_columns(size_t rows, size_t P)
{
    size_t nb = atomic_load(&block_entries) / (rows ? rows : 1);
    if (nb < 1)
        nb = 1;
    return nb < P ? nb : P;
}

static inline uint64_t add_mod(const fast_ctx *ctx, uint64_t a, uint64_t b)
{
    uint64_t s = a + b;   /* a, b < p < 2^62 */
    return s >= ctx->p ? s - ctx->p : s;
}

#define FT float
#define FN(name) name##_f32
#define FT_GEMM fast_gemm_f32
#define FT_ADD(ctx, a, b) ((a) + (b))
#define FT_BLOCKS_ON_THREADS 1
#define FT_GEMM_LEFT fast_gemm_f32_left_shared
#define FT_SINGLE true
#include "fast/fast_conv_impl.h"
#undef FT
#undef FN
#undef FT_GEMM
#undef FT_ADD
#undef FT_GEMM_LEFT
#undef FT_SINGLE

#define FT double
#define FN(name) name##_f64
#define FT_GEMM fast_gemm_f64
#define FT_ADD(ctx, a, b) ((a) + (b))
#define FT_GEMM_LEFT fast_gemm_f64_left_shared
#define FT_SINGLE false
#include "fast/fast_conv_impl.h"
#undef FT
#undef FN
#undef FT_GEMM
#undef FT_ADD
#undef FT_BLOCKS_ON_THREADS
#undef FT_GEMM_LEFT
#undef FT_SINGLE

#define FT int64_t
#define FN(name) name##_i64
#define FT_GEMM fast_gemm_i64
#define FT_ADD(ctx, a, b) ((a) + (b))
#include "fast/fast_conv_impl.h"
#undef FT
#undef FN
#undef FT_GEMM
#undef FT_ADD

#define FT uint64_t
#define FN(name) name##_modp
#define FT_GEMM fast_gemm_modp
#define FT_ADD(ctx, a, b) add_mod((ctx), (a), (b))
#define FT_FORWARD_BY_ROWS 1
#include "fast/fast_conv_impl.h"
#undef FT
#undef FN
#undef FT_GEMM
#undef FT_ADD
#undef FT_FORWARD_BY_ROWS

/* ---- one operation -------------------------------------------------------- */

typedef enum { OP_FORWARD, OP_BACKWARD_INPUT, OP_BACKWARD_WEIGHT, OP_MATMUL } fast_op;

typedef struct {
    fast_op op;
    fast_layer L;          /* conv operations */
    size_t m, n, k;        /* matmul: [m, k] @ [k, n] */
    size_t out_size;       /* entries of the result */
    uint64_t reduction;    /* products added into one result entry, at most */
} fast_job;

/* Runs the job on arrays of one element type.  A and B are the job's two
 * operands in the order of the kernel's arguments (X, K), (K, G), (X, G)
 * or (A, B); R is the zeroed result. */
#define DEFINE_RUN(suffix, T)                                                 \
    static bool run_##suffix(fast_ctx *ctx, const fast_job *job, const T *A, \
                             const T *B, T *R)                               \
    {                                                                        \
        switch (job->op) {                                                   \
        case OP_FORWARD: return forward_##suffix(ctx, &job->L, A, B, R);     \
        case OP_BACKWARD_INPUT:                                              \
            return backward_input_##suffix(ctx, &job->L, A, B, R);          \
        case OP_BACKWARD_WEIGHT:                                             \
            return backward_weight_##suffix(ctx, &job->L, A, B, R);         \
        case OP_MATMUL:                                                      \
            return fast_gemm_##suffix(ctx, false, false, job->m, job->n,     \
                                      job->k, A, job->k, B, job->n, R,       \
                                      job->n, false);                        \
        }                                                                    \
        return false;                                                        \
    }
DEFINE_RUN(f32, float)
DEFINE_RUN(f64, double)
DEFINE_RUN(i64, int64_t)
DEFINE_RUN(modp, uint64_t)

/* run_modp, or Winograd's F(4x4, 3x3) for the 3x3 stride-1 passes it
 * covers (a quarter of the multiplications). */
static bool run_residues(fast_ctx *ctx, const fast_job *job, const uint64_t *A,
                         const uint64_t *B, uint64_t *R)
{
    if ((job->op == OP_FORWARD || job->op == OP_BACKWARD_INPUT) &&
        fast_winograd_applies(&job->L, ctx->p))
        return fast_winograd_modp(ctx, job->op == OP_BACKWARD_INPUT, &job->L, A, B, R);
    return run_modp(ctx, job, A, B, R);
}

static bool run_modp_job(fast_ctx *ctx, const void *job, const uint64_t *A,
                         const uint64_t *B, uint64_t *R)
{
    return run_residues(ctx, (const fast_job *)job, A, B, R);
}

/* A float64 product, or, for a residue product of the float64 basis
 * (ctx->p its prime), Winograd's F(4x4, 3x3) where it applies. */
static bool run_f64_job(fast_ctx *ctx, const void *job_, const double *A,
                        const double *B, double *R)
{
    const fast_job *job = job_;
    if (ctx->p != 0 && (job->op == OP_FORWARD || job->op == OP_BACKWARD_INPUT) &&
        fast_winograd_applies(&job->L, ctx->p))
        return fast_winograd_f64(ctx, ctx->p, job->op == OP_BACKWARD_INPUT, &job->L,
                                 A, B, R);
    return run_f64(ctx, job, A, B, R);
}

/* The verification of a whole result, for the operations that have one
 * (the others never start from an unchecked product). */
static bool verify_job(const void *job_, const fast_operand *a,
                       const fast_operand *b, const __int128 *r)
{
    const fast_job *job = job_;
    switch (job->op) {
    case OP_FORWARD: return fast_verify_conv_forward(&job->L, a->v, b->v, r);
    case OP_MATMUL: return fast_verify_matmul(job->m, job->k, job->n, a->v, b->v, r);
    default: return false;
    }
}

/* The split's sparse products (fast_split.c), for the forward pass. */
static bool sparse_forward(const void *job_, __int128 *r, const int64_t *X, int sx,
                           size_t nnz_x, const int64_t *K, int sk)
{
    const fast_job *job = job_;
    return job->op == OP_FORWARD &&
           fast_split_conv_forward(&job->L, r, X, sx, nnz_x, K, sk);
}

/* Winograd's exact pass (fast_winograd_exact.c) for the forward pass,
 * operands (X, K), and the gradient to the input, operands (K, G): the
 * pass takes the data (X or G) first. */
static bool exact_fits(const void *job_, uint64_t amax, uint64_t bmax)
{
    const fast_job *job = job_;
    const bool back = job->op == OP_BACKWARD_INPUT;
    return (back || job->op == OP_FORWARD) &&
           fast_winograd_exact_fits(&job->L, back, back ? bmax : amax, back ? amax : bmax);
}

static bool exact_run(const void *job_, const fast_operand *a, int sa,
                      const fast_operand *b, int sb, __int128 *r)
{
    const fast_job *job = job_;
    const bool back = job->op == OP_BACKWARD_INPUT;
    fast_ctx ctx;
    fast_ctx_init(&ctx, 0);
    return (back || job->op == OP_FORWARD) &&
           (back ? fast_winograd_exact(&ctx, true, &job->L, b, sb, a, sa, r)
                 : fast_winograd_exact(&ctx, false, &job->L, a, sa, b, sb, r));
}

static const fast_exact_op winograd_exact = {exact_fits, exact_run};

static void *to_float_array(const int64_t *v, size_t n, bool single)
{
    void *out = cvp_xmalloc((n ? n : 1) * (single ? sizeof(float) : sizeof(double)));
    FAST_OMP(omp parallel for schedule(static) if (n > FAST_PARALLEL_MIN))
    for (size_t k = 0; k < n; k++) {
        if (single)
            ((float *)out)[k] = (float)v[k];
        else
            ((double *)out)[k] = (double)v[k];
    }
    return out;
}

static cvp_fast_path choose_path(unsigned __int128 bound)
{
    cvp_fast_path path = CVP_FAST_PATH_REFERENCE;
    if (bound < ((unsigned __int128)1 << 24))
        path = CVP_FAST_PATH_FLOAT32;
    else if (bound < ((unsigned __int128)1 << 53))
        path = CVP_FAST_PATH_FLOAT64;
    else if (bound < ((unsigned __int128)1 << 63))
        path = CVP_FAST_PATH_INT64;
    else if (bound < ((unsigned __int128)1 << 127))   /* 2^127: saturated */
        path = CVP_FAST_PATH_CRT;
    int floor = atomic_load(&min_path);
    if (path != CVP_FAST_PATH_REFERENCE && (int)path < floor)
        path = (cvp_fast_path)floor;
    return path;
}

/* Evaluates the job over Q into Y, giving it the shape.  False when no
 * fast path applies or a product failed its check; Y is then unchanged
 * and the caller falls back. */
static bool run_q(cvp_tensor_t Y, const fast_job *job, int rank,
                  const size_t *shape, const cvp_tensor_t A,
                  const cvp_tensor_t B, cvp_fast_path *chosen)
{
    fast_operand a, b;
    fast_operand_init(&a);
    fast_operand_init(&b);
    bool ok = fast_operand_scale(&a, A) && fast_operand_scale(&b, B);
    cvp_fast_path path = CVP_FAST_PATH_REFERENCE;
    unsigned __int128 bound = 0;
    if (ok) {
        bound = fast_bound(job->reduction, a.max, b.max);
        path = choose_path(bound);
    }
    ok = ok && path != CVP_FAST_PATH_REFERENCE &&
         (path != CVP_FAST_PATH_MODP);   /* forced modp means nothing over Q */
    if (ok && path == CVP_FAST_PATH_CRT) {
        const bool verifiable = job->op == OP_FORWARD || job->op == OP_MATMUL;
        const bool cheap = (job->op == OP_FORWARD || job->op == OP_BACKWARD_INPUT) &&
                           fast_winograd_layer(&job->L);
        ok = fast_crt_make_q(Y, rank, shape, &a, &b, bound, job->reduction,
                             run_modp_job, run_f64_job,
                             verifiable ? verify_job : NULL,
                             job->op == OP_FORWARD ? sparse_forward : NULL,
                             cheap ? &winograd_exact : NULL, cheap, job);
        if (ok)
            *chosen = path;
        fast_operand_clear(&a);
        fast_operand_clear(&b);
        return ok;
    }
    /* The integer result is computed straight into the numerators of the
     * packed output (zeros to start with); Y may be A or B, so it is
     * swapped in only at the end. */
    cvp_tensor_t out;
    cvp_tensor_init(out);
    int64_t *R = NULL;
    ok = ok && cvp_tensor_pack_start(out, rank, shape, NULL) == CVP_OK;
    if (ok) {
        fast_ctx ctx;
        fast_ctx_init(&ctx, 0);
        CVP_ASSERT(out->size == job->out_size);
        R = cvp_tensor_packed_num(out);
        if (path == CVP_FAST_PATH_INT64) {
            ok = run_i64(&ctx, job, a.v, b.v, R);
        } else {
            bool single = path == CVP_FAST_PATH_FLOAT32;
            void *fa = to_float_array(a.v, a.n, single);
            void *fb = to_float_array(b.v, b.n, single);
            void *fr = cvp_xcalloc(job->out_size ? job->out_size : 1,
                              single ? sizeof(float) : sizeof(double));
            ok = single ? run_f32(&ctx, job, fa, fb, fr)
                        : run_f64(&ctx, job, fa, fb, fr);
            /* Integers below 2^53 (2^24): the conversion is exact. */
            FAST_OMP(omp parallel for schedule(static) if (job->out_size > FAST_PARALLEL_MIN))
            for (size_t k = 0; k < job->out_size; k++)
                R[k] = single ? (int64_t)((float *)fr)[k] : (int64_t)((double *)fr)[k];
            free(fa);
            free(fb);
            free(fr);
        }
    }
    if (ok) {
        mpz_mul(cvp_tensor_packed_den(out), a.den, b.den);
        cvp_tensor_pack_finish(out);
        cvp_tensor_swap(Y, out);
        *chosen = path;
    }
    cvp_tensor_clear(out);
    fast_operand_clear(&a);
    fast_operand_clear(&b);
    return ok;
}

static bool is_prime_field(const cvp_ring *R)
{
    return !R->shape_only && strcmp(R->name, "F_p") == 0;
}

/* Evaluates the job over the prime field of Y's ring. */
static bool run_fp(cvp_tensor_t Y, const fast_job *job, const cvp_tensor_t A,
                   const cvp_tensor_t B)
{
    fast_ctx ctx;
    fast_ctx_init(&ctx, cvp_ring_fp_modulus(Y->ring));
    /* Elements of Z/pZ are stored as uint64_t residues (ring_small.h). */
    return run_residues(&ctx, job, (const uint64_t *)A->data,
                    (const uint64_t *)B->data, (uint64_t *)Y->data);
}

/* Shapes Y for the job, runs it, and swaps the result into out.  False
 * (out untouched) when the caller must use the definitional operator. */
static bool run_job(cvp_tensor_t out, const fast_job *job, int rank,
                    const size_t *shape, const cvp_tensor_t A,
                    const cvp_tensor_t B, const cvp_tensor_struct *bias,
                    cvp_fast_path *path)
{
    cvp_ring *R = A->ring;
    if (!atomic_load(&enabled) || B->ring != R ||
        (bias != NULL && bias->ring != R))
        return false;
    bool q = R == &cvp_ring_q;
    if (!q && !is_prime_field(R))
        return false;
    cvp_tensor_t Y;
    cvp_tensor_init_ring(Y, R);
    cvp_fast_path chosen = CVP_FAST_PATH_MODP;
    bool ok = q ? run_q(Y, job, rank, shape, A, B, &chosen)
                : fast_make_fp(Y, R, rank, shape) && run_fp(Y, job, A, B);
    if (ok && bias != NULL && q)
        fast_add_bias(Y, bias, job->L.N, job->L.O, job->L.Ho * job->L.Wo);
    if (ok && bias != NULL && !q) {
        const size_t plane = job->L.Ho * job->L.Wo;
        const uint64_t p = cvp_ring_fp_modulus(R);
        uint64_t *y = (uint64_t *)Y->data;
        const uint64_t *b = (const uint64_t *)bias->data;
        for (size_t k = 0; k < Y->size; k++) {
            uint64_t s = y[k] + b[(k / plane) % job->L.O];
            y[k] = s >= p ? s - p : s;
        }
    }
    if (ok) {
        cvp_tensor_swap(out, Y);
        atomic_fetch_add(&path_calls[chosen], 1);
        if (path != NULL)
            *path = chosen;
    }
    cvp_tensor_clear(Y);
    return ok;
}

/* The job of a conv layer whose shapes the kernel accepted. */
static fast_job conv_job(fast_op op, const cvp_conv2d_dims *d,
                         const cvp_conv2d_params *p)
{
    fast_job job;
    memset(&job, 0, sizeof job);
    job.op = op;
    fast_layer *L = &job.L;
    L->N = d->N, L->C = d->C, L->H = d->H, L->W = d->W;
    L->O = d->O, L->Cg = d->Cg, L->G = p->groups, L->Og = d->O / p->groups;
    L->kH = d->kH, L->kW = d->kW, L->Ho = d->Ho, L->Wo = d->Wo;
    L->sh = (int64_t)p->stride[0], L->sw = (int64_t)p->stride[1];
    L->ph = (int64_t)p->padding[0], L->pw = (int64_t)p->padding[1];
    L->dh = (int64_t)p->dilation[0], L->dw = (int64_t)p->dilation[1];
    switch (op) {
    case OP_FORWARD:
        job.out_size = d->N * d->O * d->Ho * d->Wo;
        job.reduction = d->Cg * d->kH * d->kW;
        break;
    case OP_BACKWARD_INPUT:
        job.out_size = d->N * d->C * d->H * d->W;
        job.reduction = L->Og * d->kH * d->kW;
        break;
    case OP_BACKWARD_WEIGHT:
        job.out_size = d->O * d->Cg * d->kH * d->kW;
        job.reduction = d->N * d->Ho * d->Wo;
        break;
    case OP_MATMUL:
        break;
    }
    return job;
}

static void set_degree(cvp_fast_path *path)
{
    atomic_fetch_add(&path_calls[CVP_FAST_PATH_DEGREE], 1);
    if (path != NULL)
        *path = CVP_FAST_PATH_DEGREE;
}

static void set_height(cvp_fast_path *path)
{
    atomic_fetch_add(&path_calls[CVP_FAST_PATH_HEIGHT], 1);
    if (path != NULL)
        *path = CVP_FAST_PATH_HEIGHT;
}

static void set_reference(cvp_fast_path *path)
{
    atomic_fetch_add(&path_calls[CVP_FAST_PATH_REFERENCE], 1);
    if (path != NULL)
        *path = CVP_FAST_PATH_REFERENCE;
}

cvp_status cvp_fast_conv2d(cvp_tensor_t out, const cvp_tensor_t X,
                           const cvp_tensor_t K, const cvp_tensor_struct *bias,
                           const cvp_conv2d_params *params,
                           cvp_fast_path *path, cvp_error *err)
{
    cvp_conv2d_dims d;
    if (cvp_conv2d_check(&d, "conv2d", X, K, bias, params, NULL) == CVP_OK) {
        if (atomic_load(&enabled) && fast_degree_conv2d(out, &d, params, X, K, bias)) {
            set_degree(path);
            return CVP_OK;
        }
        if (atomic_load(&enabled) && fast_height_conv2d(out, &d, params, X, K, bias)) {
            set_height(path);
            return CVP_OK;
        }
        fast_job job = conv_job(OP_FORWARD, &d, params);
        size_t shape[4] = {d.N, d.O, d.Ho, d.Wo};
        const size_t *s = d.batched ? shape : shape + 1;
        if (run_job(out, &job, d.batched ? 4 : 3, s, X, K, bias, path)) {
            cvp_ring_note_mults(X->ring, 7,
                                (size_t[]){d.N, d.O, d.Ho, d.Wo, d.Cg, d.kH, d.kW});
            return CVP_OK;
        }
    }
    set_reference(path);
    return cvp_conv2d(out, X, K, bias, params, err);
}

/* The gradient G must have the shape of conv2d's output (else the
 * definitional operator reports the error). */
static bool gradient_fits(const cvp_conv2d_dims *d, const cvp_tensor_t X,
                          const cvp_tensor_t G)
{
    size_t want[4] = {d->N, d->O, d->Ho, d->Wo};
    const size_t *w = d->batched ? want : want + 1;
    if (G->rank != X->rank)
        return false;
    for (int k = 0; k < G->rank; k++)
        if (G->shape[k] != w[k])
            return false;
    return true;
}

cvp_status cvp_fast_conv2d_backward_input(cvp_tensor_t out,
                                          const cvp_tensor_t X,
                                          const cvp_tensor_t K,
                                          const cvp_tensor_t G,
                                          const cvp_conv2d_params *params,
                                          cvp_fast_path *path, cvp_error *err)
{
    cvp_conv2d_dims d;
    if (cvp_conv2d_check(&d, "conv2d_backward_input", X, K, NULL, params, NULL) ==
            CVP_OK &&
        X->ring == G->ring && gradient_fits(&d, X, G)) {
        if (atomic_load(&enabled) &&
            fast_degree_conv2d_backward_input(out, &d, params, X, K, G)) {
            set_degree(path);
            return CVP_OK;
        }
        if (atomic_load(&enabled) &&
            fast_height_conv2d_backward_input(out, &d, params, X, K, G)) {
            set_height(path);
            return CVP_OK;
        }
        fast_job job = conv_job(OP_BACKWARD_INPUT, &d, params);
        if (run_job(out, &job, X->rank, X->shape, K, G, NULL, path))
            return CVP_OK;
    }
    set_reference(path);
    return cvp_conv2d_backward_input(out, X, K, G, params, err);
}

cvp_status cvp_fast_conv2d_backward_weight(cvp_tensor_t out,
                                           const cvp_tensor_t X,
                                           const cvp_tensor_t K,
                                           const cvp_tensor_t G,
                                           const cvp_conv2d_params *params,
                                           cvp_fast_path *path, cvp_error *err)
{
    cvp_conv2d_dims d;
    if (cvp_conv2d_check(&d, "conv2d_backward_weight", X, K, NULL, params, NULL) ==
            CVP_OK &&
        X->ring == G->ring && gradient_fits(&d, X, G)) {
        if (atomic_load(&enabled) &&
            fast_degree_conv2d_backward_weight(out, &d, params, X, K, G)) {
            set_degree(path);
            return CVP_OK;
        }
        if (atomic_load(&enabled) &&
            fast_height_conv2d_backward_weight(out, &d, params, X, K, G)) {
            set_height(path);
            return CVP_OK;
        }
        fast_job job = conv_job(OP_BACKWARD_WEIGHT, &d, params);
        if (run_job(out, &job, K->rank, K->shape, X, G, NULL, path))
            return CVP_OK;
    }
    set_reference(path);
    return cvp_conv2d_backward_weight(out, X, K, G, params, err);
}

cvp_status cvp_fast_matmul(cvp_tensor_t out, const cvp_tensor_t A,
                           const cvp_tensor_t B, cvp_fast_path *path,
                           cvp_error *err)
{
    if (A->rank == 2 && B->rank == 2 && A->shape[1] == B->shape[0] &&
        A->ring == B->ring && !A->ring->shape_only) {
        if (atomic_load(&enabled) && fast_degree_matmul(out, A, B)) {
            set_degree(path);
            return CVP_OK;
        }
        if (atomic_load(&enabled) && fast_height_matmul(out, A, B)) {
            set_height(path);
            return CVP_OK;
        }
        fast_job job;
        memset(&job, 0, sizeof job);
        job.op = OP_MATMUL;
        job.m = A->shape[0], job.k = A->shape[1], job.n = B->shape[1];
        job.out_size = job.m * job.n;
        job.reduction = job.k;
        size_t shape[2] = {job.m, job.n};
        if (run_job(out, &job, 2, shape, A, B, NULL, path)) {
            cvp_ring_note_mults(A->ring, 3, (size_t[]){job.m, job.k, job.n});
            return CVP_OK;
        }
    }
    set_reference(path);
    return cvp_tensor_matmul(out, A, B, err);
}
