/* fast_winograd_layout.h -- the geometry shared by the two ways of running
 * F(4x4, 3x3): modulo a prime (fast_winograd.c) and exactly over the
 * integers (fast_winograd_exact.c).  A pass of a layer is a set of planes
 * (one per image and group), each convolved with a strided view of the
 * kernel stack; the forward pass and the gradient to the input differ only
 * in that view and the padding (winograd_layout). */
#ifndef CVP_FAST_WINOGRAD_LAYOUT_H
#define CVP_FAST_WINOGRAD_LAYOUT_H

#include "fast/fast_internal.h"

/* The positions of one transformed tile, and of one output tile. */
#define TILE 6
#define OUT 4
#define POS (TILE * TILE)

/* A 3x3 kernel stack read through strides: entry (out, in, u, v) is entry
 * (out so + in si + u su + v sv) of base (negative su, sv read it
 * rotated). */
typedef struct {
    const void *base;
    int64_t offset, so, si, su, sv;
    size_t Cout, Cin;
} kernel_view;

/* y (Cout planes of Ho x Wo from entry y_at, all written) := the
 * convolution of x (Cin planes of H x W from entry x_at) with the kernels
 * whose transforms are V, output (i, j) reading inputs (i + u - ph,
 * j + v - pw), zero outside. */
typedef struct {
    const void *x;
    size_t x_at, Cin, H, W;
    int64_t ph, pw;
    size_t Cout, Ho, Wo;
    void *y;
    size_t y_at;
} plane_job;

/* Every image and group: Cin input channels per group (planes of H x W),
 * Cout output channels per group. */
typedef struct {
    size_t N, G, Cin, Cout, H, W, Ho, Wo;
    int64_t ph, pw;
} layer_shape;

/* The shape and kernel view of the forward pass of L (backward false)
 * or of its gradient to the input (backward true), and the step of the
 * kernel view from one group to the next.
 *
 * Forward: K[o][c][u][v], o the output channel within the group.
 * Backward: dX[c][h][w] = sum over o, u, v of Gr[o][h + ph - u][w + pw - v]
 * K[o][c][u][v]; with u' = 2 - u that is a correlation of Gr padded by
 * 2 - ph with K[o][c][2 - u'][2 - v'] as the kernel from input channel o
 * to output channel c. */
static inline void winograd_layout(const fast_layer *L, bool backward, layer_shape *S,
                                   kernel_view *kv, int64_t *group_step)
{
    if (!backward) {
        *S = (layer_shape){L->N, L->G, L->Cg, L->Og, L->H, L->W, L->Ho, L->Wo,
                           L->ph, L->pw};
        *kv = (kernel_view){NULL, 0, (int64_t)L->Cg * 9, 9, 3, 1, L->Og, L->Cg};
    } else {
        *S = (layer_shape){L->N, L->G, L->Og, L->Cg, L->Ho, L->Wo, L->H, L->W,
                           2 - L->ph, 2 - L->pw};
        *kv = (kernel_view){NULL, 8, 9, (int64_t)L->Cg * 9, -3, -1, L->Cg, L->Og};
    }
    *group_step = (int64_t)(L->Og * L->Cg * 9);
}

#endif
