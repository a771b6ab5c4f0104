/* fast_conv_impl.h -- the conv layer's three passes as matrix products,
 * written once and included by fast_conv.c for each element type.
 *
 * The including file defines:
 *   FT               the element type (float, double, int64_t, uint64_t)
 *   FN(name)         name with the type's suffix
 *   FT_GEMM          the type's matrix product (fast_internal.h)
 *   FT_ADD(ctx,a,b)  a + b in the type's arithmetic
 *   FT_FORWARD_BY_ROWS  (optional) the forward pass multiplies by the
 *                    transposed im2col matrix (im2row) instead
 *   FT_BLOCKS_ON_THREADS  (optional) FT_GEMM is a checked BLAS product:
 *                    the forward pass runs its blocks on threads and
 *                    checks them with FT_GEMM_LEFT (a fast_shared_check
 *                    of each group's kernels; FT_SINGLE: the type is
 *                    float)
 *
 * With Kd = Cg*kH*kW rows (c, u, v) and P = Ho*Wo output positions, the
 * im2col matrix of image n and group g has entry
 *   col[(c, u, v)][(i, j)] = Xp[n, g*Cg + c, i*sh + u*dh, j*sw + v*dw]
 * (Xp zero-padded), so that, with K_g the Og x Kd rows of group g's
 * kernels and G_g the Og x P gradient rows of that group,
 *   forward          Y_g  = K_g col
 *   backward input   dX   = col2im(K_g^T G_g)   (col2im adds each entry of
 *                           the product back to the input entry it came
 *                           from: the adjoint of im2col)
 *   backward weight  dK_g = sum over n of G_g col^T.
 * Columns are taken in blocks so that the im2col buffer stays a few MB.
 * A 1x1 kernel with stride 1 and no padding needs no im2col: the image
 * planes are the matrix. */

static void FN(im2col)(FT *col, const FT *x, const fast_layer *L, size_t p0,
                       size_t cols)
{
    /* One thread: the copy is cheap beside the product, and threads of
     * OpenMP waiting between blocks would compete with the BLAS's own. */
    const size_t rows = L->Cg * L->kH * L->kW;
    for (size_t r = 0; r < rows; r++) {
        const size_t c = r / (L->kH * L->kW), u = (r / L->kW) % L->kH,
                     v = r % L->kW;
        const FT *plane = x + c * L->H * L->W;
        FT *dst = col + r * cols;
        size_t i = p0 / L->Wo, j = p0 % L->Wo;
        for (size_t jj = 0; jj < cols; jj++) {
            int64_t h = (int64_t)i * L->sh + (int64_t)u * L->dh - L->ph;
            int64_t w = (int64_t)j * L->sw + (int64_t)v * L->dw - L->pw;
            dst[jj] = (h >= 0 && h < (int64_t)L->H && w >= 0 && w < (int64_t)L->W)
                          ? plane[(size_t)h * L->W + (size_t)w]
                          : 0;
            if (++j == L->Wo) {
                j = 0;
                i++;
            }
        }
    }
}

#ifdef FT_FORWARD_BY_ROWS
/* The transpose of im2col: one contiguous row of Kd entries (the patch)
 * per output position, for products that read both operands along rows
 * (the residues' dot-product kernel). */
static void FN(im2row)(FT *out, const FT *x, const fast_layer *L, size_t p0,
                       size_t cols)
{
    const size_t Kd = L->Cg * L->kH * L->kW;
    FAST_OMP(omp parallel for schedule(static) if (Kd * cols > FAST_PARALLEL_MIN))
    for (size_t jj = 0; jj < cols; jj++) {
        const size_t i = (p0 + jj) / L->Wo, j = (p0 + jj) % L->Wo;
        FT *dst = out + jj * Kd;
        for (size_t c = 0; c < L->Cg; c++) {
            const FT *plane = x + c * L->H * L->W;
            for (size_t u = 0; u < L->kH; u++) {
                int64_t h = (int64_t)i * L->sh + (int64_t)u * L->dh - L->ph;
                bool row_in = h >= 0 && h < (int64_t)L->H;
                for (size_t v = 0; v < L->kW; v++) {
                    int64_t w = (int64_t)j * L->sw + (int64_t)v * L->dw - L->pw;
                    *dst++ = (row_in && w >= 0 && w < (int64_t)L->W)
                                 ? plane[(size_t)h * L->W + (size_t)w]
                                 : 0;
                }
            }
        }
    }
}
#endif

/* x[...] += col[...] at the positions im2col read them from (one thread,
 * as im2col). */
static void FN(col2im)(fast_ctx *ctx, FT *x, const FT *col,
                       const fast_layer *L, size_t p0, size_t cols)
{
    const size_t taps = L->kH * L->kW;
    for (size_t c = 0; c < L->Cg; c++) {
        FT *plane = x + c * L->H * L->W;
        for (size_t t = 0; t < taps; t++) {
            const size_t u = t / L->kW, v = t % L->kW;
            const FT *src = col + (c * taps + t) * cols;
            size_t i = p0 / L->Wo, j = p0 % L->Wo;
            for (size_t jj = 0; jj < cols; jj++) {
                int64_t h = (int64_t)i * L->sh + (int64_t)u * L->dh - L->ph;
                int64_t w = (int64_t)j * L->sw + (int64_t)v * L->dw - L->pw;
                if (h >= 0 && h < (int64_t)L->H && w >= 0 && w < (int64_t)L->W) {
                    FT *d = plane + (size_t)h * L->W + (size_t)w;
                    *d = FT_ADD(ctx, *d, src[jj]);
                }
                if (++j == L->Wo) {
                    j = 0;
                    i++;
                }
            }
        }
    }
    (void)ctx;
}

/* Block t of the forward pass (image n, group g, columns p0..): Y's
 * columns of the block := K_g col.  `col` is the caller's buffer of
 * Kd x nb entries (unused for a direct 1x1 layer); lc, when not NULL,
 * the left checks of the groups' kernels (FT_BLOCKS_ON_THREADS). */
static bool FN(forward_block)(fast_ctx *ctx, const fast_layer *L, const FT *X,
                              const FT *K, FT *Y, size_t t, size_t nb,
                              size_t blocks, FT *col, const fast_shared_check *lc)
{
    const size_t Kd = L->Cg * L->kH * L->kW, P = L->Ho * L->Wo;
    const size_t n = t / (L->G * blocks), g = t / blocks % L->G,
                 p0 = t % blocks * nb;
    const size_t cols = P - p0 < nb ? P - p0 : nb;
    const FT *x = X + (n * L->C + g * L->Cg) * L->H * L->W;
    FT *y = Y + (n * L->O + g * L->Og) * P + p0;
    const FT *b = x + p0;
    size_t ldb = P;
    if (!fast_direct_1x1(L)) {
#ifdef FT_FORWARD_BY_ROWS
        FN(im2row)(col, x, L, p0, cols);
        return FT_GEMM(ctx, false, true, L->Og, cols, Kd, K + g * L->Og * Kd, Kd,
                       col, Kd, y, P, false);
#else
        FN(im2col)(col, x, L, p0, cols);
        b = col;
        ldb = cols;
#endif
    }
#ifdef FT_BLOCKS_ON_THREADS
    if (lc != NULL)
        return FT_GEMM_LEFT(ctx, cols, K + g * L->Og * Kd, Kd, b, ldb, y, P, &lc[g]);
#else
    (void)lc;
#endif
    return FT_GEMM(ctx, false, false, L->Og, cols, Kd, K + g * L->Og * Kd, Kd, b,
                   ldb, y, P, false);
}

/* Y (N x O x P, fully written) := conv2d(X, K), block by block.  With
 * FT_BLOCKS_ON_THREADS (the BLAS types), blocks run side by side, one per
 * OpenMP thread, each with its own buffer and the BLAS on one thread: the
 * im2col copy and the check, serial inside one block, then keep every
 * core busy too; and the blocks of a group share one left check of its
 * kernels (fast_shared_check), made before any of their products. */
static bool FN(forward)(fast_ctx *ctx, const fast_layer *L, const FT *X,
                        const FT *K, FT *Y)
{
    const size_t Kd = L->Cg * L->kH * L->kW, P = L->Ho * L->Wo;
    const bool direct = fast_direct_1x1(L);
    const size_t nb = direct ? P : fast_block_columns(Kd, P);
    const size_t blocks = nb != 0 ? (P + nb - 1) / nb : 0;
    const size_t items = L->N * L->G * blocks;
    bool ok = true;
#ifdef FT_BLOCKS_ON_THREADS
    fast_shared_check *lc = NULL;
    if (!ctx->unchecked && items > 0) {
        lc = cvp_xmalloc(L->G * sizeof *lc);
        for (size_t g = 0; g < L->G; g++)
            fast_shared_check_make(&lc[g], ctx, L->Og, Kd, K + g * L->Og * Kd, Kd,
                                 FT_SINGLE);
    }
    const bool threaded = fast_threads_for_blocks(items);
    const int saved = threaded ? fast_blas_single_thread() : 0;
    FAST_OMP(omp parallel reduction(&&: ok) if (threaded))
    {
        fast_ctx local;
        fast_ctx_init(&local, ctx->p);
        local.unchecked = ctx->unchecked;
        FT *col = direct ? NULL : malloc((Kd * nb > 0 ? Kd * nb : 1) * sizeof *col);
        CVP_ASSERT(direct || col != NULL);
        FAST_OMP(omp for schedule(dynamic))
        for (size_t t = 0; t < items; t++)
            ok = ok && FN(forward_block)(&local, L, X, K, Y, t, nb, blocks, col, lc);
        free(col);
    }
    for (size_t g = 0; lc != NULL && g < L->G; g++)
        fast_shared_check_clear(&lc[g]);
    free(lc);
    if (threaded) {
        fast_blas_restore_threads(saved);
        atomic_fetch_add(&threaded_count, 1);
    }
    if (!ok)
        ctx->check_failed = true;
#else
    FT *col = direct ? NULL : malloc((Kd * nb > 0 ? Kd * nb : 1) * sizeof *col);
    CVP_ASSERT(direct || col != NULL);
    for (size_t t = 0; ok && t < items; t++)
        ok = FN(forward_block)(ctx, L, X, K, Y, t, nb, blocks, col, NULL);
    free(col);
#endif
    return ok;
}

/* dX (N x C x H x W, zeroed by the caller) := the gradient to the input. */
static bool FN(backward_input)(fast_ctx *ctx, const fast_layer *L,
                               const FT *K, const FT *Gr, FT *dX)
{
    const size_t Kd = L->Cg * L->kH * L->kW, P = L->Ho * L->Wo;
    const bool direct = fast_direct_1x1(L);
    const size_t nb = direct ? P : fast_block_columns(Kd, P);
    FT *dcol = direct ? NULL : malloc(Kd * nb * sizeof *dcol);
    CVP_ASSERT(direct || dcol != NULL);
    bool ok = true;
    for (size_t n = 0; ok && n < L->N; n++)
        for (size_t g = 0; ok && g < L->G; g++) {
            FT *x = dX + (n * L->C + g * L->Cg) * L->H * L->W;
            const FT *grad = Gr + (n * L->O + g * L->Og) * P;
            const FT *Kg = K + g * L->Og * Kd;
            if (direct) {
                /* Each input entry meets exactly one output position. */
                ok = FT_GEMM(ctx, true, false, Kd, P, L->Og, Kg, Kd, grad, P,
                             x, P, false);
                continue;
            }
            for (size_t p0 = 0; ok && p0 < P; p0 += nb) {
                const size_t cols = P - p0 < nb ? P - p0 : nb;
                ok = FT_GEMM(ctx, true, false, Kd, cols, L->Og, Kg, Kd,
                             grad + p0, P, dcol, cols, false);
                if (ok)
                    FN(col2im)(ctx, x, dcol, L, p0, cols);
            }
        }
    free(dcol);
    return ok;
}

/* dK (O x Kd, zeroed by the caller) := the gradient to the weights. */
static bool FN(backward_weight)(fast_ctx *ctx, const fast_layer *L,
                                const FT *X, const FT *Gr, FT *dK)
{
    const size_t Kd = L->Cg * L->kH * L->kW, P = L->Ho * L->Wo;
    const bool direct = fast_direct_1x1(L);
    const size_t nb = direct ? P : fast_block_columns(Kd, P);
    FT *col = direct ? NULL : malloc(Kd * nb * sizeof *col);
    CVP_ASSERT(direct || col != NULL);
    bool ok = true;
    for (size_t g = 0; ok && g < L->G; g++)
        for (size_t n = 0; ok && n < L->N; n++) {
            const FT *x = X + (n * L->C + g * L->Cg) * L->H * L->W;
            const FT *grad = Gr + (n * L->O + g * L->Og) * P;
            for (size_t p0 = 0; ok && p0 < P; p0 += nb) {
                const size_t cols = P - p0 < nb ? P - p0 : nb;
                const FT *b = x + p0;
                size_t ldb = P;
                if (!direct) {
                    FN(im2col)(col, x, L, p0, cols);
                    b = col;
                    ldb = cols;
                }
                ok = FT_GEMM(ctx, false, true, L->Og, Kd, cols, grad + p0, P,
                             b, ldb, dK + g * L->Og * Kd, Kd, true);
            }
        }
    free(col);
    return ok;
}
