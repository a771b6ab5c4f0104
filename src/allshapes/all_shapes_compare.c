/* all_shapes_compare.c -- comparing the two sides of a show as parametric
 * relations (where their shapes differ, where some entry differs, where
 * they cannot be compared index by index) and finding a witness: one
 * monomial that differs at a given shape, described for the report (see
 * all_shapes.c for how the run uses them). */
#include "allshapes/all_shapes_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isl/point.h>
#include <isl/val.h>

/* ---- comparing the sides of a show ------------------------------------------------------------- */

void as_show_cmp_clear(show_cmp *s)
{
    as_tensor_free(s->own[0]);
    as_tensor_free(s->own[1]);
    isl_set_free(s->shape_differs);
    isl_set_free(s->differs);
    isl_set_free(s->uncertain);
    free(s->why_uncertain);
    memset(s, 0, sizeof *s);
}

static isl_set *params_empty(as_tr *tr)
{
    return isl_set_empty(isl_space_params(isl_space_copy(tr->pspace)));
}

/* Compares two scalar-like sides (NUM or one-factor SYM). */
static as_rc compare_scalars(as_tr *tr, show_cmp *s, as_value *l, as_value *r,
                             cvp_srcpos pos)
{
    /* a count or a product of dims: quasi-polynomials (all_shapes_cost.c) */
    if (l->kind == AV_QP || r->kind == AV_QP || (l->kind == AV_SYM && l->nf != 1)
        || (r->kind == AV_SYM && r->nf != 1))
        return as_compare_counts(tr, s, l, r, pos);
    isl_pw_aff *a = l->kind == AV_NUM ? as_pconst_q(tr, l->num) : isl_pw_aff_copy(l->factor[0]);
    isl_pw_aff *b = r->kind == AV_NUM ? as_pconst_q(tr, r->num) : isl_pw_aff_copy(r->factor[0]);
    s->differs = isl_set_params(isl_pw_aff_ne_set(a, b));
    s->differs = isl_set_intersect(s->differs, isl_set_copy(tr->context));
    s->shape_differs = params_empty(tr);
    s->uncertain = params_empty(tr);
    return s->differs ? AS_OK : as_fail(tr, "comparing the sides");
}

/* The sides cannot be compared where `where` holds (taken). */
static void set_uncertain(as_tr *tr, show_cmp *s, isl_set *where)
{
    s->uncertain = isl_set_union(s->uncertain, where);
    if (s->why_uncertain == NULL) {
        char *text = NULL;
        cvp_set_textf(&text, "%s:%d:%d: %s", tr->source ? tr->source : "<input>",
                      tr->where.line, tr->where.col, tr->why);
        s->why_uncertain = text;
    }
}

static as_rc side_tensor(as_tr *tr, show_cmp *s, int k, as_value *v, cvp_srcpos pos)
{
    if (v->kind == AV_TENSOR) {
        s->t[k] = v->t;
        return AS_OK;
    }
    if (v->kind == AV_NUM) {
        as_rc rc = as_constant(tr, &s->own[k], v->num);
        s->t[k] = s->own[k];
        return rc;
    }
    return as_na(tr, pos, "a side is a dim expression and the other a tensor");
}

/* Fills s for show `index`. */
as_rc as_compare_show(cvp_all_shapes *a, size_t index, show_cmp *s)
{
    as_tr *tr = &a->tr;
    const cvp_proof_show *show = &tr->claim->shows[index];
    as_value *l = &a->sides[2 * index], *r = &a->sides[2 * index + 1];
    memset(s, 0, sizeof *s);
    if (l->kind != AV_TENSOR && r->kind != AV_TENSOR)
        return compare_scalars(tr, s, l, r, show->pos);
    as_rc rc = side_tensor(tr, s, 0, l, show->pos);
    if (rc == AS_OK)
        rc = side_tensor(tr, s, 1, r, show->pos);
    for (int k = 0; k < 2 && rc == AS_OK; k++)
        rc = as_drop_units(tr, s->t[k]);
    if (rc != AS_OK)
        return rc;
    as_tensor *L = s->t[0], *R = s->t[1];
    s->shape_differs = params_empty(tr);
    s->differs = params_empty(tr);
    s->uncertain = params_empty(tr);
    if (L->rank != R->rank) {
        /* different ranks: the shapes differ at every shape */
        isl_set_free(s->shape_differs);
        s->shape_differs = isl_set_copy(tr->context);
        return AS_OK;
    }
    for (int k = 0; k < L->rank; k++)
        if (L->nsub[k] != R->nsub[k]) {
            rc = as_make_plain(tr, L, k, show->pos);
            if (rc == AS_OK)
                rc = as_make_plain(tr, R, k, show->pos);
            if (rc == AS_NA) {
                /* flattened differently, not comparable index by index */
                set_uncertain(tr, s, isl_set_copy(tr->context));
                return AS_OK;
            }
            if (rc != AS_OK)
                return rc;
        }
    for (int d = 0; d < L->ndims; d++) {
        isl_set *ne = isl_set_params(isl_pw_aff_ne_set(isl_pw_aff_copy(L->size[d]),
                                                       isl_pw_aff_copy(R->size[d])));
        ne = isl_set_intersect(ne, isl_set_copy(tr->context));
        isl_bool empty = isl_set_is_empty(ne);
        if (empty < 0) {
            isl_set_free(ne);
            return as_fail(tr, "comparing shapes");
        }
        int k = 0, acc = 0;
        while (acc + L->nsub[k] <= d)
            acc += L->nsub[k++];
        if (!empty && L->nsub[k] != 1) {
            /* a flattened axis made of different sizes: its length may
             * still agree */
            as_na(tr, show->pos, "the sides flatten an axis from different shapes");
            set_uncertain(tr, s, ne);
            continue;
        }
        s->shape_differs = isl_set_union(s->shape_differs, ne);
    }
    /* family by family: the net coefficient of every (entry, monomial) */
    uint64_t families[2 * AS_MAX_PIECES];
    size_t nfam = 0;
    for (int k = 0; k < 2; k++)
        for (size_t p = 0; p < s->t[k]->count; p++) {
            uint64_t f = s->t[k]->pieces[p].family;
            bool seen = false;
            for (size_t j = 0; j < nfam && !seen; j++)
                seen = families[j] == f;
            if (!seen)
                families[nfam++] = f;
        }
    mpq_t neg;
    mpq_init(neg);
    for (size_t j = 0; j < nfam && rc == AS_OK; j++) {
        as_regions reg;
        as_regions_init(&reg);
        for (int k = 0; k < 2 && rc == AS_OK; k++)
            for (size_t p = 0; p < s->t[k]->count && rc == AS_OK; p++) {
                const as_piece *piece = &s->t[k]->pieces[p];
                if (piece->family != families[j])
                    continue;
                mpq_set(neg, piece->coef);
                if (k == 1)
                    mpq_neg(neg, neg);
                rc = as_regions_add(tr, &reg, isl_map_copy(piece->rel), neg);
            }
        for (size_t x = 0; x < reg.count && rc == AS_OK; x++)
            s->differs = isl_set_union(s->differs,
                                       isl_map_params(isl_map_copy(reg.items[x].rel)));
        as_regions_clear(&reg);
    }
    mpq_clear(neg);
    if (rc == AS_OK) {
        /* where the sides are not comparable index by index, their
         * regions say nothing */
        s->differs = isl_set_intersect(s->differs, isl_set_copy(tr->context));
        s->differs = isl_set_subtract(s->differs, isl_set_copy(s->uncertain));
        s->shape_differs = isl_set_subtract(s->shape_differs, isl_set_copy(s->uncertain));
        s->differs = isl_set_coalesce(s->differs);
        if (s->differs == NULL || s->shape_differs == NULL || s->uncertain == NULL)
            rc = as_fail(tr, "comparing the sides");
    }
    return rc;
}

/* A monomial that differs at shape `values` for show s (shapes equal
 * there): from a family of smallest degree.  Also describes it. */
bool as_find_witness(cvp_all_shapes *a, show_cmp *s, const long *values,
                     witness *w, char **text)
{
    as_tr *tr = &a->tr;
    isl_set *at = as_point_set(tr, values);
    bool found = false;
    uint64_t best_family = 0;
    int best_degree = 1 << 30;
    isl_map *best = NULL;
    mpq_t best_coef, neg;
    mpq_init(best_coef);
    mpq_init(neg);
    uint64_t families[2 * AS_MAX_PIECES];
    size_t nfam = 0;
    for (int k = 0; k < 2; k++)
        for (size_t p = 0; p < s->t[k]->count; p++) {
            uint64_t f = s->t[k]->pieces[p].family;
            bool seen = false;
            for (size_t j = 0; j < nfam && !seen; j++)
                seen = families[j] == f;
            if (!seen)
                families[nfam++] = f;
        }
    for (size_t j = 0; j < nfam; j++) {
        int degree = __builtin_popcountll(families[j]);
        if (found && degree >= best_degree)
            continue;
        as_regions reg;
        as_regions_init(&reg);
        as_rc rc = AS_OK;
        for (int k = 0; k < 2 && rc == AS_OK; k++)
            for (size_t p = 0; p < s->t[k]->count && rc == AS_OK; p++) {
                const as_piece *piece = &s->t[k]->pieces[p];
                if (piece->family != families[j])
                    continue;
                mpq_set(neg, piece->coef);
                if (k == 1)
                    mpq_neg(neg, neg);
                rc = as_regions_add(tr, &reg, isl_map_intersect_params(
                                                  isl_map_copy(piece->rel),
                                                  isl_set_copy(at)), neg);
            }
        for (size_t x = 0; x < reg.count && rc == AS_OK; x++) {
            isl_bool empty = isl_map_is_empty(reg.items[x].rel);
            if (empty == isl_bool_false) {
                isl_map_free(best);
                best = isl_map_copy(reg.items[x].rel);
                mpq_set(best_coef, reg.items[x].coef);
                best_family = families[j];
                best_degree = degree;
                found = true;
                break;
            }
        }
        as_regions_clear(&reg);
    }
    isl_set_free(at);
    mpq_clear(neg);
    if (!found) {
        mpq_clear(best_coef);
        return false;
    }
    const as_tensor *L = s->t[0];
    isl_point *pt = isl_set_sample_point(isl_set_flatten(isl_map_wrap(best)));
    found = pt != NULL && isl_point_is_void(pt) == isl_bool_false;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    CVP_ASSERT(out != NULL);
    w->count = 0;
    if (found) {
        /* the entry, axis by axis: 0 for an axis of size 1, a tuple for a
         * flattened axis */
        fputs("entry [", out);
        for (int k = 0, d = 0; k < L->rank; k++) {
            fputs(k ? ", " : "", out);
            if (L->nsub[k] == 0)
                fputc('0', out);
            if (L->nsub[k] > 1)
                fputc('(', out);
            for (int j = 0; j < L->nsub[k]; j++, d++) {
                isl_val *v = isl_point_get_coordinate_val(pt, isl_dim_set, d);
                fprintf(out, "%s%ld", j ? ", " : "", isl_val_get_num_si(v));
                isl_val_free(v);
            }
            if (L->nsub[k] > 1)
                fputc(')', out);
        }
        fprintf(out, "]%s: left - right = ", L->rank ? "" : " (scalar)");
        if (mpq_cmp_si(best_coef, -1, 1) == 0)
            fputs("-", out);
        else if (mpq_cmp_ui(best_coef, 1, 1) != 0)
            gmp_fprintf(out, "%Qd * ", best_coef);
        int d = L->ndims;
        bool first_factor = true;
        for (size_t t = 0; t < tr->claim->tensor_count; t++) {
            if (!(best_family & ((uint64_t)1 << t)))
                continue;
            int rank = as_tensor_rank(tr, (int)t);
            w->tensor[w->count] = (int)t;
            fprintf(out, "%s%s", first_factor ? "" : " * ", tr->claim->tensors[t].name);
            first_factor = false;
            for (int k = 0; k < rank; k++, d++) {
                isl_val *v = isl_point_get_coordinate_val(pt, isl_dim_set, d);
                w->index[w->count][k] = isl_val_get_num_si(v);
                isl_val_free(v);
                fprintf(out, "%s%ld%s", k ? ", " : "[", w->index[w->count][k],
                        k + 1 == rank ? "]" : "");
            }
            w->count++;
        }
        if (first_factor)
            fputs("1", out);
        fputs(" + ...", out);
    }
    fclose(out);
    isl_point_free(pt);
    mpq_clear(best_coef);
    if (found)
        *text = buf;
    else
        free(buf);
    return found;
}
