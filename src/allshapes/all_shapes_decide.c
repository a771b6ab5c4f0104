/* all_shapes_decide.c -- net coefficients of relations, the smallest
 * point of a parameter set, and relations as readable text. */
#include "allshapes/all_shapes_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isl/constraint.h>
#include <isl/local_space.h>
#include <isl/point.h>
#include <isl/val.h>

/* ---- regions ------------------------------------------------------------------ */

void as_regions_init(as_regions *r)
{
    memset(r, 0, sizeof *r);
}

void as_regions_clear(as_regions *r)
{
    for (size_t k = 0; k < r->count; k++) {
        isl_map_free(r->items[k].rel);
        mpq_clear(r->items[k].coef);
    }
    free(r->items);
    memset(r, 0, sizeof *r);
}

static void regions_push(as_regions *r, isl_map *rel, mpq_srcptr coef)
{
    if (r->count == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 8;
        as_region *grown = realloc(r->items, r->cap * sizeof *grown);
        CVP_ASSERT(grown != NULL);
        r->items = grown;
    }
    as_region *x = &r->items[r->count++];
    x->rel = isl_map_coalesce(rel);
    mpq_init(x->coef);
    mpq_set(x->coef, coef);
}

as_rc as_regions_add(as_tr *tr, as_regions *r, isl_map *rel, mpq_srcptr coef)
{
    as_regions next;
    as_regions_init(&next);
    isl_map *rest = isl_map_copy(rel);
    mpq_t sum;
    mpq_init(sum);
    as_rc rc = AS_OK;
    for (size_t k = 0; k < r->count; k++) {
        as_region *old = &r->items[k];
        if (rc != AS_OK || rest == NULL || old->rel == NULL || rel == NULL) {
            rc = AS_FAIL;
            continue;
        }
        isl_map *inter = isl_map_intersect(isl_map_copy(old->rel), isl_map_copy(rel));
        isl_bool empty = isl_map_is_empty(inter);
        if (empty < 0) {
            isl_map_free(inter);
            rc = AS_FAIL;
            continue;
        }
        if (empty) {
            isl_map_free(inter);
            regions_push(&next, isl_map_copy(old->rel), old->coef);
            continue;
        }
        rest = isl_map_subtract(rest, isl_map_copy(old->rel));
        isl_map *outside = isl_map_subtract(isl_map_copy(old->rel), isl_map_copy(rel));
        isl_bool out_empty = isl_map_is_empty(outside);
        if (out_empty < 0)
            rc = AS_FAIL;
        if (out_empty == isl_bool_false)
            regions_push(&next, outside, old->coef);
        else
            isl_map_free(outside);
        mpq_add(sum, old->coef, coef);
        if (mpq_sgn(sum) != 0)
            regions_push(&next, inter, sum);
        else
            isl_map_free(inter);
    }
    if (rc == AS_OK) {
        isl_bool empty = isl_map_is_empty(rest);
        if (empty < 0)
            rc = AS_FAIL;
        else if (!empty && mpq_sgn(coef) != 0)
            regions_push(&next, rest, coef), rest = NULL;
    }
    isl_map_free(rest);
    isl_map_free(rel);
    mpq_clear(sum);
    for (size_t k = 0; k < next.count; k++)
        if (next.items[k].rel == NULL)
            rc = AS_FAIL;
    as_regions_clear(r);
    *r = next;
    return rc == AS_OK ? AS_OK : as_fail(tr, "adding up coefficients");
}

/* ---- the smallest point ------------------------------------------------------------- */

isl_bool as_smallest(as_tr *tr, isl_set *params, long *values)
{
    isl_size n = isl_set_dim(params, isl_dim_param);
    if (n < 0) {
        isl_set_free(params);
        return isl_bool_error;
    }
    isl_set *s = isl_set_from_params(params);
    s = isl_set_move_dims(s, isl_dim_set, 0, isl_dim_param, 0, (unsigned)n);
    /* a first coordinate t = the sum of the dims, minimised first */
    s = isl_set_insert_dims(s, isl_dim_set, 0, 1);
    isl_local_space *ls = isl_local_space_from_space(isl_set_get_space(s));
    isl_aff *t = isl_aff_var_on_domain(isl_local_space_copy(ls), isl_dim_set, 0);
    for (int k = 0; k < n; k++)
        t = isl_aff_sub(t, isl_aff_var_on_domain(isl_local_space_copy(ls), isl_dim_set,
                                                 (unsigned)k + 1));
    isl_local_space_free(ls);
    s = isl_set_intersect(s, isl_set_from_basic_set(isl_aff_zero_basic_set(t)));
    s = isl_set_lexmin(s);
    isl_point *pt = isl_set_sample_point(s);
    if (pt == NULL)
        return isl_bool_error;
    if (isl_point_is_void(pt) == isl_bool_true) {
        isl_point_free(pt);
        return isl_bool_false;
    }
    for (int k = 0; k < n; k++) {
        isl_val *v = isl_point_get_coordinate_val(pt, isl_dim_set, k + 1);
        values[k] = isl_val_get_num_si(v);
        isl_val_free(v);
    }
    isl_point_free(pt);
    (void)tr;
    return isl_bool_true;
}

/* ---- readable relations --------------------------------------------------------------- */

typedef struct {
    FILE *out;
    as_tr *tr;
    const char **var;    /* names of the flattened set dims */
    int nvar;
    isl_basic_set *bset; /* the basic set being printed (for divs) */
    int printed;         /* constraints printed so far */
} printer;

/* Prints c * name with the right sign for term position first/not. */
static void put_term(FILE *out, long c, const char *name, bool *first)
{
    if (c == 0)
        return;
    if (*first) {
        if (c < 0)
            fputc('-', out);
    } else {
        fputs(c < 0 ? " - " : " + ", out);
    }
    long m = c < 0 ? -c : c;
    if (name == NULL)
        fprintf(out, "%ld", m);
    else if (m == 1)
        fputs(name, out);
    else
        fprintf(out, "%ld%s", m, name);
    *first = false;
}

/* A linear form: coefficients of the set dims, params, divs, constant. */
typedef struct {
    long set[AS_MAX_DIMS * 4];
    long par[64];
    long div[16];
    long cst;
    int nset, npar, ndiv;
    bool ok;
} linear;

static long val_si(isl_val *v, bool *ok)
{
    if (v == NULL || !isl_val_is_int(v)) {
        *ok = false;
        isl_val_free(v);
        return 0;
    }
    long x = isl_val_get_num_si(v);
    isl_val_free(v);
    return x;
}

static void print_linear(printer *p, const linear *l, int sign, bool *first);

/* floor((aff) / den) of div k of the current basic set, as text. */
static void print_div(printer *p, int k)
{
    isl_aff *aff = isl_basic_set_get_div(p->bset, k);
    linear l;
    memset(&l, 0, sizeof l);
    l.ok = aff != NULL && isl_aff_is_nan(aff) == isl_bool_false;
    long den = 1;
    if (l.ok) {
        l.nset = isl_aff_dim(aff, isl_dim_in);
        l.npar = isl_aff_dim(aff, isl_dim_param);
        l.ndiv = isl_aff_dim(aff, isl_dim_div);
        if (l.nset < 0 || l.npar < 0 || l.ndiv < 0
            || l.nset > (int)(sizeof l.set / sizeof l.set[0]) || l.npar > 64
            || l.ndiv > 16)
            l.ok = false;
    }
    if (l.ok) {
        /* the aff is numerator/den: read numerator coefficients */
        isl_ctx *ctx = isl_aff_get_ctx(aff);
        den = val_si(isl_aff_get_denominator_val(aff), &l.ok);
        struct { enum isl_dim_type type; long *dst; int n; } parts[3] = {
            {isl_dim_in, l.set, l.nset}, {isl_dim_param, l.par, l.npar},
            {isl_dim_div, l.div, l.ndiv}};
        for (int x = 0; x < 3; x++)
            for (int i = 0; i < parts[x].n; i++) {
                isl_val *v = isl_aff_get_coefficient_val(aff, parts[x].type, i);
                parts[x].dst[i] = val_si(isl_val_mul(v, isl_val_int_from_si(ctx, den)), &l.ok);
            }
        l.cst = val_si(isl_val_mul(isl_aff_get_constant_val(aff),
                                   isl_val_int_from_si(ctx, den)), &l.ok);
    }
    isl_aff_free(aff);
    if (!l.ok) {
        fprintf(p->out, "e%d", k);
        return;
    }
    bool first = true;
    fputs("floor((", p->out);
    print_linear(p, &l, 1, &first);
    if (first)
        fputc('0', p->out);
    fprintf(p->out, ")/%ld)", den);
}

static void print_linear(printer *p, const linear *l, int sign, bool *first)
{
    for (int i = 0; i < l->nset; i++)
        put_term(p->out, sign * l->set[i], i < p->nvar ? p->var[i] : "?", first);
    for (int i = 0; i < l->ndiv; i++) {
        long c = sign * l->div[i];
        if (c == 0)
            continue;
        if (*first) {
            if (c < 0)
                fputc('-', p->out);
        } else {
            fputs(c < 0 ? " - " : " + ", p->out);
        }
        if (c != 1 && c != -1)
            fprintf(p->out, "%ld*", c < 0 ? -c : c);
        print_div(p, i);
        *first = false;
    }
    for (int i = 0; i < l->npar; i++)
        put_term(p->out, sign * l->par[i], p->tr->claim->dims[i].name, first);
    put_term(p->out, sign * l->cst, NULL, first);
}

/* Prints the terms of l with positive (side > 0) or negative (side < 0)
 * coefficients, negated for the right-hand side. */
static void print_side(printer *p, const linear *l, int side, long extra)
{
    linear part = *l;
    for (int i = 0; i < part.nset; i++)
        if (part.set[i] * side <= 0)
            part.set[i] = 0;
    for (int i = 0; i < part.npar; i++)
        if (part.par[i] * side <= 0)
            part.par[i] = 0;
    for (int i = 0; i < part.ndiv; i++)
        if (part.div[i] * side <= 0)
            part.div[i] = 0;
    part.cst = part.cst * side > 0 ? part.cst : 0;
    part.cst += extra * side;
    bool first = true;
    print_linear(p, &part, side, &first);
    if (first)
        fputc('0', p->out);
}

static isl_stat print_constraint(isl_constraint *c, void *user)
{
    printer *p = user;
    linear l;
    memset(&l, 0, sizeof l);
    l.ok = true;
    l.nset = isl_constraint_dim(c, isl_dim_set);
    l.npar = isl_constraint_dim(c, isl_dim_param);
    l.ndiv = isl_constraint_dim(c, isl_dim_div);
    if (l.nset > (int)(sizeof l.set / sizeof l.set[0]) || l.npar > 64 || l.ndiv > 16)
        l.ok = false;
    for (int i = 0; l.ok && i < l.nset; i++)
        l.set[i] = val_si(isl_constraint_get_coefficient_val(c, isl_dim_set, i), &l.ok);
    for (int i = 0; l.ok && i < l.npar; i++)
        l.par[i] = val_si(isl_constraint_get_coefficient_val(c, isl_dim_param, i), &l.ok);
    for (int i = 0; l.ok && i < l.ndiv; i++)
        l.div[i] = val_si(isl_constraint_get_coefficient_val(c, isl_dim_div, i), &l.ok);
    if (l.ok)
        l.cst = val_si(isl_constraint_get_constant_val(c), &l.ok);
    bool eq = isl_constraint_is_equality(c) == isl_bool_true;
    isl_constraint_free(c);
    fputs(p->printed++ ? ", " : "", p->out);
    if (!l.ok) {
        fputs("(a constraint with large coefficients)", p->out);
        return isl_stat_ok;
    }
    /* the variable to solve for: a unit coefficient, entry indices first;
     * a dim when it is the only variable */
    int solve = -1;
    for (int i = 0; i < l.nset && solve < 0; i++)
        if (l.set[i] == 1 || l.set[i] == -1)
            solve = i;
    int nvars = 0, npars = 0, ndivs = 0, par = -1;
    for (int i = 0; i < l.nset; i++)
        nvars += l.set[i] != 0;
    for (int i = 0; i < l.npar; i++)
        if (l.par[i] != 0)
            npars++, par = i;
    for (int i = 0; i < l.ndiv; i++)
        ndivs += l.div[i] != 0;
    if (nvars == 0 && npars == 1 && ndivs == 0 && (l.par[par] == 1 || l.par[par] == -1)) {
        /* a bound on one dim: M >= 1, M <= 4, M = 3 */
        const char *name = p->tr->claim->dims[par].name;
        long bound = -l.cst * l.par[par];
        if (eq)
            fprintf(p->out, "%s = %ld", name, bound);
        else
            fprintf(p->out, "%s %s %ld", name, l.par[par] > 0 ? ">=" : "<=", bound);
        return isl_stat_ok;
    }
    if (eq && solve >= 0) {
        linear rest = l;
        long s = rest.set[solve];
        rest.set[solve] = 0;
        fprintf(p->out, "%s = ", p->var[solve]);
        bool first = true;
        print_linear(p, &rest, (int)-s, &first);
        if (first)
            fputc('0', p->out);
        return isl_stat_ok;
    }
    if (!eq && solve >= 0) {
        /* a bound on an index: v >= expr or v <= expr (v < expr + 1) */
        linear rest = l;
        long s = rest.set[solve];
        rest.set[solve] = 0;
        bool first = true;
        if (s > 0) {
            fprintf(p->out, "%s >= ", p->var[solve]);
            print_linear(p, &rest, -1, &first);
        } else {
            fprintf(p->out, "%s < ", p->var[solve]);
            rest.cst += 1;
            print_linear(p, &rest, 1, &first);
        }
        if (first)
            fputc('0', p->out);
        return isl_stat_ok;
    }
    /* positive terms on the left, the rest on the right */
    print_side(p, &l, 1, 0);
    fputs(eq ? " = " : " >= ", p->out);
    print_side(p, &l, -1, 0);
    return isl_stat_ok;
}

static isl_stat print_bset(isl_basic_set *bset, void *user)
{
    printer *p = user;
    if (p->printed < 0)
        fputs(" or ", p->out);
    p->printed = 0;
    p->bset = bset;
    /* divs without a definition are existentially quantified */
    isl_size nd = isl_basic_set_dim(bset, isl_dim_div);
    int unknown = 0;
    for (int k = 0; k < nd; k++) {
        isl_aff *aff = isl_basic_set_get_div(bset, k);
        if (aff == NULL || isl_aff_is_nan(aff) != isl_bool_false)
            fprintf(p->out, "%se%d", unknown++ ? ", " : "for some integer ", k);
        isl_aff_free(aff);
    }
    if (unknown)
        fputs(": (", p->out);
    isl_basic_set_foreach_constraint(bset, print_constraint, p);
    if (unknown)
        fputc(')', p->out);
    if (p->printed == 0)
        fputs("every index in range", p->out);
    p->bset = NULL;
    isl_basic_set_free(bset);
    p->printed = -1;
    return isl_stat_ok;
}

static const char *const out_names[] = {"i", "j", "k", "l", "m", "n"};
static const char *const in_names[] = {
    "a", "b", "c", "d", "e", "f", "g", "h", "p", "q", "r", "s", "t", "u", "v",
    "w", "x", "y", "z"};

static bool name_taken(as_tr *tr, const char *name, char (*names)[8], int n)
{
    for (size_t k = 0; k < tr->claim->dim_count; k++)
        if (strcmp(tr->claim->dims[k].name, name) == 0)
            return true;
    for (int k = 0; k < n; k++)
        if (strcmp(names[k], name) == 0)
            return true;
    return false;
}

/* Names for no entry indices and ni monomial indices. */
static void pick_names(as_tr *tr, char (*names)[8], int no, int ni)
{
    int used = 0, next_out = 0, next_in = 0;
    for (int k = 0; k < no + ni; k++) {
        bool out = k < no;
        const char *const *pool = out ? out_names : in_names;
        int pool_n = out ? 6 : 19;
        int *next = out ? &next_out : &next_in;
        names[k][0] = '\0';
        while (*next < pool_n) {
            const char *cand = pool[(*next)++];
            if (!name_taken(tr, cand, names, used)) {
                snprintf(names[k], 8, "%s", cand);
                break;
            }
        }
        for (int x = 0; names[k][0] == '\0' && x < 999; x++) {
            char cand[16];
            snprintf(cand, sizeof cand, "%s%d", out ? "o" : "x", x % 1000);
            if (!name_taken(tr, cand, names, used))
                snprintf(names[k], 8, "%.7s", cand);
        }
        used++;
    }
}

static void print_piece(as_tr *tr, FILE *out, const as_tensor *t, const as_piece *piece,
                        isl_set *domain)
{
    int no = t->ndims, ni = as_family_dims(tr, piece->family);
    if (ni < 0 || no < 0)
        return;
    char names[AS_MAX_DIMS * 4][8];
    const char *var[AS_MAX_DIMS * 4];
    if (no + ni > (int)(sizeof names / sizeof names[0])) {
        fputs("(too many indices to print)", out);
        return;
    }
    pick_names(tr, names, no, ni);
    for (int k = 0; k < no + ni; k++)
        var[k] = names[k];
    /* out[(i, j), k] */
    fputs("out", out);
    if (t->rank > 0) {
        fputc('[', out);
        for (int a = 0, d = 0; a < t->rank; a++) {
            fputs(a ? ", " : "", out);
            if (t->nsub[a] == 0) {
                fputc('0', out);   /* an axis of size 1 */
                continue;
            }
            if (t->nsub[a] != 1)
                fputc('(', out);
            for (int j = 0; j < t->nsub[a]; j++, d++)
                fprintf(out, "%s%s", j ? ", " : "", names[d]);
            if (t->nsub[a] != 1)
                fputc(')', out);
        }
        fputc(']', out);
    }
    fputs(" = ", out);
    if (mpq_cmp_si(piece->coef, -1, 1) == 0)
        fputs("-", out);
    else if (mpq_cmp_ui(piece->coef, 1, 1) != 0)
        gmp_fprintf(out, "%Qd * ", piece->coef);
    fputs("sum of ", out);
    int d = no;
    bool any = false;
    for (int tt = 0; tt < AS_MAX_TENSORS && (size_t)tt < tr->claim->tensor_count; tt++) {
        if (!(piece->family & ((uint64_t)1 << tt)))
            continue;
        fprintf(out, "%s%s", any ? " * " : "", tr->claim->tensors[tt].name);
        int r = as_tensor_rank(tr, tt);
        if (r > 0) {
            fputc('[', out);
            for (int a = 0; a < r; a++)
                fprintf(out, "%s%s", a ? ", " : "", names[d++]);
            fputc(']', out);
        }
        any = true;
    }
    if (!any)
        fputs("1", out);
    fputs(" over ", out);
    isl_map *rel = isl_map_gist_params(isl_map_copy(piece->rel), isl_set_copy(domain));
    rel = isl_map_coalesce(rel);
    isl_set *flat = isl_set_flatten(isl_map_wrap(rel));
    printer p = {out, tr, var, no + ni, NULL, 0};
    if (flat == NULL)
        fputs("(isl failed)", out);
    else
        isl_set_foreach_basic_set(flat, print_bset, &p);
    isl_set_free(flat);
}

char *as_describe(as_tr *tr, const as_tensor *t)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    CVP_ASSERT(out != NULL);
    isl_set *domain = isl_set_intersect(isl_set_copy(tr->context), isl_set_copy(tr->valid));
    /* family by family, the disjoint regions with their net coefficients:
     * each (entry, product) pair once */
    size_t printed = 0;
    for (size_t k = 0; k < t->count; k++) {
        uint64_t family = t->pieces[k].family;
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++)
            seen = t->pieces[j].family == family;
        if (seen)
            continue;
        as_regions reg;
        as_regions_init(&reg);
        as_rc rc = AS_OK;
        for (size_t j = k; j < t->count && rc == AS_OK; j++)
            if (t->pieces[j].family == family)
                rc = as_regions_add(tr, &reg, isl_map_copy(t->pieces[j].rel),
                                    t->pieces[j].coef);
        for (size_t x = 0; x < reg.count && rc == AS_OK; x++) {
            as_piece piece;
            piece.family = family;
            piece.rel = reg.items[x].rel;
            mpq_init(piece.coef);
            mpq_set(piece.coef, reg.items[x].coef);
            fputs(printed++ ? "\n  + " : "", out);
            print_piece(tr, out, t, &piece, domain);
            mpq_clear(piece.coef);
        }
        if (rc != AS_OK)
            fputs(printed++ ? "\n  + (isl failed)" : "(isl failed)", out);
        as_regions_clear(&reg);
    }
    if (printed == 0)
        fputs("out = 0 (every entry)", out);
    isl_set_free(domain);
    fclose(out);
    return text;
}

char *as_describe_set(as_tr *tr, isl_set *set)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    CVP_ASSERT(out != NULL);
    const char *var[1] = {NULL};
    printer p = {out, tr, var, 0, NULL, 0};
    isl_set *s = isl_set_coalesce(isl_set_from_params(isl_set_copy(set)));
    if (s == NULL)
        fputs("(isl failed)", out);
    else if (isl_set_plain_is_universe(s) == isl_bool_true)
        fputs("every shape", out);
    else
        isl_set_foreach_basic_set(s, print_bset, &p);
    isl_set_free(s);
    fclose(out);
    return text;
}
