/* all_shapes_layer.h -- the conv layer as the all_shapes translation
 * sees it, shared by all_shapes_ops_conv.c (conv2d, conv_transpose2d,
 * and the functions below) and all_shapes_ops_conv_backward.c (the
 * backward passes and explicit matrices).  Internal to src/allshapes. */
#ifndef CVP_ALL_SHAPES_LAYER_H
#define CVP_ALL_SHAPES_LAYER_H

#include "allshapes/all_shapes_ops.h"

/* The layer's dims (conv2d.h's cvp_conv2d_dims), as functions of the
 * dims of the claim. */
typedef struct {
    bool batched;
    isl_pw_aff *N, *C, *H, *W, *O, *Cg, *kH, *kW, *Ho, *Wo;   /* borrowed, except Ho, Wo */
    long s[2], d[2], G;
    isl_pw_aff *p[2];
    isl_pw_aff *Og;    /* owned: O / G */
    isl_pw_aff *one;   /* owned */
} layer;

/* Frame dims of an image index starting at frame dim f0: n (if batched),
 * channel, row, column. */
typedef struct { int n, c, h, w; } image_dims;

void as_layer_clear(layer *L);

/* Reads stride, padding, dilation, groups (parameter positions ps, pp,
 * pd, pg) and the shapes of X and K; records conv2d_check's
 * preconditions. */
as_rc as_layer_setup(as_tr *tr, layer *L, args *a, as_tensor *X, as_tensor *K,
                     int ps, int pp, int pd, int pg, cvp_srcpos pos);

/* conv2d_check's group and output-size conditions; sets L->Ho, L->Wo. */
as_rc as_layer_forward_sizes(as_tr *tr, layer *L);

/* The frame dims of an image index from frame dim f0. */
image_dims as_image_at(const layer *L, int f0);

/* The index of an image operand: n (frame dim, if batched), then c, h, w. */
void as_image_index(frame *f, const layer *L, operand *op, int n,
                    isl_pw_aff *c, isl_pw_aff *h, isl_pw_aff *w);

/* g*width <= v < (g+1)*width for a frame variable v. */
void as_in_group(frame *f, isl_pw_aff *v, isl_pw_aff *width, long g);

#endif
