/* all_shapes_shapes.c -- shapes as points of the parameter space (the
 * dims): the point set of a shape, formatting one, membership in a set,
 * choosing the smallest shape of a set in the finite methods' order, and
 * counting the shapes of the context. */
#include "allshapes/all_shapes_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isl/point.h>
#include <isl/val.h>

/* ---- shapes ------------------------------------------------------------------------ */

/* The parameter set {dims = values}. */
isl_set *as_point_set(as_tr *tr, const long *values)
{
    isl_set *s = isl_set_universe(isl_space_params(isl_space_copy(tr->pspace)));
    for (size_t k = 0; k < tr->claim->dim_count; k++)
        s = isl_set_fix_si(s, isl_dim_param, (unsigned)k, (int)values[k]);
    return s;
}

void as_format_values(char *buf, size_t n, const cvp_proof_claim *claim,
                      const long *values)
{
    cvp_shape_point p = {(long *)values, NULL, 0};
    cvp_shape_point_format(buf, n, claim, &p);
}

/* Values of every dim fit an int for isl_set_fix_si. */
bool as_values_fit(const as_tr *tr, const long *values)
{
    for (size_t k = 0; k < tr->claim->dim_count; k++)
        if (values[k] > 1000000000L || values[k] < -1000000000L)
            return false;
    return true;
}

/* True when the dims `values` lie in the parameter set `set` (kept). */
bool as_in_set(as_tr *tr, isl_set *set, const long *values)
{
    isl_set *at = isl_set_intersect(isl_set_copy(set), as_point_set(tr, values));
    bool in = isl_set_is_empty(at) == isl_bool_false;
    isl_set_free(at);
    return in;
}

/* ---- choosing shapes ------------------------------------------------------------------ */

/* Orders shapes as the finite methods visit them (check/shapes.h): the
 * total number of input entries, then the dims in declaration order. */
typedef struct {
    const cvp_proof_claim *claim;
    long *values;         /* the best so far */
    long *scratch;
    double best_entries;
    bool found;
    long budget;
} chooser;

static double total_entries(const cvp_proof_claim *claim, const long *values)
{
    double total = 0;
    for (size_t t = 0; t < claim->tensor_count; t++) {
        double size = 1;
        for (int a = 0; a < claim->tensors[t].rank; a++) {
            long v;
            if (!cvp_shape_eval(&v, claim->tensors[t].shape[a], values) || v < 0)
                v = 0;
            size *= (double)v;
        }
        total += size;
    }
    return total;
}

static isl_stat consider_point(isl_point *pt, void *user)
{
    chooser *ch = user;
    if (--ch->budget < 0) {
        isl_point_free(pt);
        return isl_stat_error;
    }
    size_t n = ch->claim->dim_count;
    for (size_t k = 0; k < n; k++) {
        isl_val *v = isl_point_get_coordinate_val(pt, isl_dim_set, (int)k);
        ch->scratch[k] = isl_val_get_num_si(v);
        isl_val_free(v);
    }
    isl_point_free(pt);
    double entries = total_entries(ch->claim, ch->scratch);
    bool better = !ch->found || entries < ch->best_entries;
    if (ch->found && entries == ch->best_entries) {
        better = false;
        for (size_t k = 0; k < n; k++)
            if (ch->scratch[k] != ch->values[k]) {
                better = ch->scratch[k] < ch->values[k];
                break;
            }
    }
    if (better) {
        memcpy(ch->values, ch->scratch, n * sizeof *ch->values);
        ch->best_entries = entries;
        ch->found = true;
    }
    return isl_stat_ok;
}

/* Points enumerated to order a bounded set of shapes exactly. */
#define AS_ORDER_MAX_POINTS 20000L

/* The smallest shape of `params` (taken) into values: in the finite
 * methods' order when the set is bounded and small, else fewest total
 * dim units, then the dims in declaration order. */
isl_bool as_choose_shape(as_tr *tr, isl_set *params, long *values)
{
    size_t n = tr->claim->dim_count;
    isl_set *s = isl_set_from_params(isl_set_copy(params));
    s = isl_set_move_dims(s, isl_dim_set, 0, isl_dim_param, 0, (unsigned)n);
    isl_bool bounded = isl_set_is_bounded(s);
    if (bounded == isl_bool_true) {
        chooser ch = {tr->claim, values, calloc(n + 1, sizeof(long)), 0, false,
                      AS_ORDER_MAX_POINTS};
        CVP_ASSERT(ch.scratch != NULL);
        isl_stat st = isl_set_foreach_point(s, consider_point, &ch);
        free(ch.scratch);
        if (st == isl_stat_ok) {
            isl_set_free(s);
            isl_set_free(params);
            return ch.found ? isl_bool_true : isl_bool_false;
        }
    }
    isl_set_free(s);
    return as_smallest(tr, params, values);
}

/* The number of shapes of the context, when it is finite and small
 * enough to count; else 0. */
size_t as_count_shapes(as_tr *tr)
{
    size_t n = tr->claim->dim_count;
    /* count only what a quick enumeration can: a box of at most a
     * million assignments */
    double box = 1;
    for (size_t k = 0; k < n; k++) {
        if (tr->claim->dims[k].unbounded)
            return 0;
        box *= (double)(tr->claim->dims[k].hi - tr->claim->dims[k].lo + 1);
    }
    if (box > 1e6)
        return 0;
    isl_set *s = isl_set_from_params(isl_set_copy(tr->context));
    s = isl_set_move_dims(s, isl_dim_set, 0, isl_dim_param, 0, (unsigned)n);
    size_t count = 0;
    if (isl_set_is_bounded(s) == isl_bool_true) {
        isl_val *v = isl_set_count_val(s);
        if (v != NULL && isl_val_is_int(v) && isl_val_cmp_si(v, 1000000000L) < 0)
            count = (size_t)isl_val_get_num_si(v);
        isl_val_free(v);
    }
    isl_set_free(s);
    return count;
}
