/* impl_shrink.c -- minimising a failing case of `convproof test-impl`,
 * the way a property-based tester shrinks: structure first (batch,
 * groups, channels, spatial size, kernel, stride, padding, dilation),
 * then values (fewer nonzero entries, then smaller magnitudes), accepting
 * a candidate only when it fails the same way as the original. */
#include "ext/impl.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const cvp_impl_shrinker *s;
    cvp_impl_finding finding;          /* the failure to keep */
    int output;
    cvp_impl_result target;            /* finding/output of the original */
    cvp_impl_case *cur;
    cvp_impl_result *cur_result;
    cvp_impl_shrink_stats *stats;
    uint64_t salt;
    /* Scratch for one window of candidates. */
    size_t window;
    cvp_impl_case *cand;
    cvp_impl_result *res;
    size_t *index;
    const cvp_impl_case **ptrs;
    bool stop;                         /* the run limit was reached */
} shrink_state;

/* Builds candidate `index` from st->cur into out.  Returns false past the
 * last candidate; sets *valid to false for an index to skip. */
typedef bool (*generator)(shrink_state *st, cvp_impl_case *out, size_t index,
                          void *arg, bool *valid, cvp_error *err,
                          cvp_status *status);

static void swap_results(cvp_impl_result *a, cvp_impl_result *b)
{
    cvp_impl_result t = *a;
    *a = *b;
    *b = t;
}

/* Evaluates candidates from `start` on, a window at a time, until one
 * fails the same way (it becomes the current case; its index is returned
 * in *accepted) or none is left.  Returns whether one was accepted. */
static bool try_candidates(shrink_state *st, generator gen, void *arg,
                           size_t start, size_t *accepted, cvp_status *status,
                           cvp_error *err)
{
    size_t idx = start;
    bool more = true;
    while (more && !st->stop && *status == CVP_OK) {
        size_t built = 0;
        while (built < st->window && more) {
            bool valid = true;
            more = gen(st, &st->cand[built], idx, arg, &valid, err, status);
            if (*status != CVP_OK)
                return false;
            if (more && valid)
                st->index[built++] = idx;
            if (more)
                idx++;
        }
        if (built == 0)
            return false;
        if (st->stats->runs + built > st->s->max_runs) {
            built = st->s->max_runs > st->stats->runs
                        ? st->s->max_runs - st->stats->runs : 0;
            st->stop = true;
            st->stats->limit_reached = true;
            if (built == 0)
                return false;
        }
        for (size_t k = 0; k < built; k++)
            st->ptrs[k] = &st->cand[k];
        *status = st->s->eval(st->s->ctx, st->res, st->ptrs, built, err);
        st->stats->runs += built;
        if (*status != CVP_OK)
            return false;
        for (size_t k = 0; k < built; k++)
            if (cvp_impl_same_failure(&st->target, &st->res[k])) {
                *status = cvp_impl_case_set(st->cur, &st->cand[k], err);
                swap_results(st->cur_result, &st->res[k]);
                st->stats->steps++;
                *accepted = st->index[k];
                return *status == CVP_OK;
            }
    }
    return false;
}

/* ---- structure ------------------------------------------------------ */

typedef enum {
    F_N, F_G, F_C, F_O, F_H, F_W, F_KH, F_KW, F_SH, F_SW, F_PH, F_PW, F_DH,
    F_DW, F_COUNT
} field;

static bool field_used(field f, bool conv, bool square)
{
    if (!conv && (f == F_G || f == F_O || f == F_DH || f == F_DW))
        return false;
    if (square && (f == F_KW || f == F_SW || f == F_PW || f == F_DW))
        return false;
    return true;
}

static size_t *field_ref(cvp_impl_dims *d, field f)
{
    switch (f) {
    case F_N: return &d->n;
    case F_G: return &d->groups;
    case F_C: return &d->c;
    case F_O: return &d->o;
    case F_H: return &d->h;
    case F_W: return &d->w;
    case F_KH: return &d->kernel[0];
    case F_KW: return &d->kernel[1];
    case F_SH: return &d->stride[0];
    case F_SW: return &d->stride[1];
    case F_PH: return &d->padding[0];
    case F_PW: return &d->padding[1];
    case F_DH: return &d->dilation[0];
    case F_DW: return &d->dilation[1];
    case F_COUNT: break;
    }
    CVP_ASSERT(!"bad field");
    return NULL;
}

static long field_lower(const cvp_impl_space *s, field f)
{
    switch (f) {
    case F_N: return s->n.lo;
    case F_G: return s->g.lo;
    case F_C: return s->c.lo;
    case F_O: return s->o.lo;
    case F_H: return s->h.lo;
    case F_W: return s->w.lo;
    case F_KH: case F_KW: return s->k.lo;
    case F_SH: case F_SW: return s->s.lo;
    case F_PH: case F_PW: return s->p.lo;
    case F_DH: case F_DW: return s->d.lo;
    case F_COUNT: break;
    }
    return 1;
}

/* Candidate `index` of a field: the value lower + index / 2, below the
 * current one.  Even indices cut the tensors at the end; odd indices cut
 * them at the front instead -- the part of the input that makes a case
 * fail need not sit at its start: for H and W by a multiple of the
 * stride (so the windows keep their contents), for the batch, and for
 * the channels when there is one group (so 2 channels can become 1 by
 * keeping the second). */
static bool gen_field(shrink_state *st, cvp_impl_case *out, size_t index,
                      void *arg, bool *valid, cvp_error *err,
                      cvp_status *status)
{
    field f = *(field *)arg;
    cvp_impl_dims d = st->cur->d;
    size_t *ref = field_ref(&d, f);
    long lower = field_lower(st->s->space, f);
    if (f != F_PH && f != F_PW && lower < 1)
        lower = 1;
    if (lower < 0)
        lower = 0;
    size_t value = (size_t)lower + index / 2;
    if (value >= *ref)
        return false;
    bool front = index % 2 == 1;
    cvp_impl_crop crop;
    memset(&crop, 0, sizeof crop);
    if (front) {
        int axis = f == F_H ? 0 : f == F_W ? 1 : -1;
        size_t cut = *ref - value;
        if (axis >= 0 && cut % d.stride[axis] == 0) {
            crop.in[axis] = cut;
            crop.out[axis] = cut / d.stride[axis];
        } else if (f == F_N) {
            crop.n = cut;
        } else if ((f == F_C || f == F_O) && d.groups == 1) {
            *(f == F_C ? &crop.c : &crop.o) = cut;
        } else {
            *valid = false;
            return true;
        }
    }
    *ref = value;
    bool conv = cvp_impl_op_get(st->cur->op)->conv;
    bool square = st->s->space->square;
    if (square) {   /* the axes move together */
        d.kernel[1] = d.kernel[0];
        d.stride[1] = d.stride[0];
        d.padding[1] = d.padding[0];
        d.dilation[1] = d.dilation[0];
    }
    if (!conv) {
        d.o = d.c;
        for (int a = 0; a < 2; a++)
            if (2 * d.padding[a] > d.kernel[a])
                d.padding[a] = d.kernel[a] / 2;
    }
    if (cvp_impl_dims_check(&d, st->cur->op, NULL) != CVP_OK) {
        *valid = false;
        return true;
    }
    *status = cvp_impl_case_set(out, st->cur, err);
    if (*status == CVP_OK)
        *status = cvp_impl_case_crop(out, &d, &crop, ++st->salt, err);
    return true;
}

static bool shrink_structure(shrink_state *st, cvp_status *status,
                             cvp_error *err)
{
    bool conv = cvp_impl_op_get(st->cur->op)->conv;
    bool changed = false;
    for (field f = 0; f < F_COUNT && *status == CVP_OK && !st->stop; f++) {
        if (!field_used(f, conv, st->s->space->square))
            continue;
        size_t accepted;
        if (try_candidates(st, gen_field, &f, 0, &accepted, status, err))
            changed = true;
    }
    return changed;
}

/* ---- values ---------------------------------------------------------- */

typedef struct {
    size_t slot;
} zero_arg;

/* Candidates of one input: 0 all zero, 1 first half zero, 2 second half
 * zero, 3 + e entry e zero. */
static bool gen_zero(shrink_state *st, cvp_impl_case *out, size_t index,
                     void *arg, bool *valid, cvp_error *err, cvp_status *status)
{
    size_t k = ((zero_arg *)arg)->slot;
    const cvp_tensor_struct *t = st->cur->inputs[k];
    size_t n = t->size;
    if (index >= 3 + n)
        return false;
    size_t lo, hi;
    if (index == 0)
        lo = 0, hi = n;
    else if (index == 1)
        lo = 0, hi = n / 2;
    else if (index == 2)
        lo = n / 2, hi = n;
    else
        lo = index - 3, hi = index - 2;
    if (index > 0 && index < 3 && n < 2) {
        *valid = false;
        return true;
    }
    bool any = false;
    for (size_t e = lo; e < hi; e++)
        if (mpq_sgn(cvp_tensor_at(t, e)) != 0)
            any = true;
    if (!any) {
        *valid = false;
        return true;
    }
    *status = cvp_impl_case_set(out, st->cur, err);
    for (size_t e = lo; e < hi && *status == CVP_OK; e++)
        mpq_set_ui(cvp_tensor_at(out->inputs[k], e), 0, 1);
    return true;
}

/* Is a a simpler value than b: smaller magnitude, then positive? */
static bool simpler(const mpq_t a, const mpq_t b)
{
    mpq_t x, y;
    mpq_inits(x, y, NULL);
    mpq_abs(x, a);
    mpq_abs(y, b);
    int c = mpq_cmp(x, y);
    mpq_clears(x, y, NULL);
    if (c != 0)
        return c < 0;
    return mpq_sgn(a) > 0 && mpq_sgn(b) < 0;
}

typedef struct {
    size_t slot, entry;
    size_t count;
    mpq_t values[8];
} magnitude_arg;

/* The simpler values to try for an entry, simplest first. */
static void magnitude_candidates(magnitude_arg *m, const mpq_t v)
{
    mpq_t c[7];
    size_t n = 0;
    for (int k = 0; k < 7; k++)
        mpq_init(c[k]);
    mpq_set_si(c[n++], 1, 1);
    mpq_set_si(c[n++], -1, 1);
    mpq_set_si(c[n++], 2, 1);
    mpq_set_si(c[n++], -2, 1);
    /* Half of v, toward zero, and its negation; |v|. */
    mpz_tdiv_q(mpq_numref(c[n]), mpq_numref(v), mpq_denref(v));
    mpz_tdiv_q_2exp(mpq_numref(c[n]), mpq_numref(c[n]), 1);
    mpz_set_ui(mpq_denref(c[n]), 1);
    n++;
    mpq_neg(c[n], c[n - 1]);
    n++;
    mpq_abs(c[n++], v);
    m->count = 0;
    for (size_t k = 0; k < n; k++) {
        if (mpq_sgn(c[k]) == 0 || !simpler(c[k], v))
            continue;
        bool seen = false;
        for (size_t j = 0; j < m->count; j++)
            if (mpq_equal(m->values[j], c[k]))
                seen = true;
        if (!seen)
            mpq_set(m->values[m->count++], c[k]);
    }
    /* Simplest first (insertion sort). */
    for (size_t k = 1; k < m->count; k++)
        for (size_t j = k; j > 0 && simpler(m->values[j], m->values[j - 1]); j--)
            mpq_swap(m->values[j], m->values[j - 1]);
    for (int k = 0; k < 7; k++)
        mpq_clear(c[k]);
}

static bool gen_magnitude(shrink_state *st, cvp_impl_case *out, size_t index,
                          void *arg, bool *valid, cvp_error *err,
                          cvp_status *status)
{
    magnitude_arg *m = arg;
    (void)valid;
    if (index >= m->count)
        return false;
    *status = cvp_impl_case_set(out, st->cur, err);
    if (*status == CVP_OK)
        mpq_set(cvp_tensor_at(out->inputs[m->slot], m->entry), m->values[index]);
    return true;
}

static bool shrink_values(shrink_state *st, cvp_status *status, cvp_error *err)
{
    const cvp_impl_op_info *info = cvp_impl_op_get(st->cur->op);
    bool changed = false;
    /* Fewer nonzero entries. */
    for (size_t k = 0; k < info->input_count && *status == CVP_OK && !st->stop;
         k++) {
        zero_arg z = {k};
        size_t start = 0, accepted;
        while (try_candidates(st, gen_zero, &z, start, &accepted, status, err)) {
            changed = true;
            start = accepted + 1;
        }
    }
    /* Smaller magnitudes. */
    magnitude_arg m;
    for (int k = 0; k < 8; k++)
        mpq_init(m.values[k]);
    for (size_t k = 0; k < info->input_count && *status == CVP_OK && !st->stop;
         k++)
        for (size_t e = 0; e < st->cur->inputs[k]->size && *status == CVP_OK
                           && !st->stop; e++) {
            m.slot = k;
            m.entry = e;
            for (;;) {
                mpq_srcptr v = cvp_tensor_at(st->cur->inputs[k], e);
                if (mpq_sgn(v) == 0)
                    break;
                magnitude_candidates(&m, v);
                size_t accepted;
                if (!try_candidates(st, gen_magnitude, &m, 0, &accepted, status,
                                    err))
                    break;
                changed = true;
            }
        }
    for (int k = 0; k < 8; k++)
        mpq_clear(m.values[k]);
    return changed;
}

cvp_status cvp_impl_shrink(cvp_impl_case *c, cvp_impl_result *r,
                           const cvp_impl_shrinker *s,
                           cvp_impl_shrink_stats *stats, cvp_error *err)
{
    memset(stats, 0, sizeof *stats);
    if (r->finding == CVP_IMPL_AGREES)
        return CVP_OK;
    shrink_state st;
    memset(&st, 0, sizeof st);
    st.s = s;
    st.cur = c;
    st.cur_result = r;
    st.stats = stats;
    st.salt = c->seed;
    cvp_impl_result_init(&st.target);
    st.target.finding = r->finding;
    st.target.output = r->output;
    st.window = s->window ? s->window : 1;
    st.cand = calloc(st.window, sizeof *st.cand);
    st.res = calloc(st.window, sizeof *st.res);
    st.index = calloc(st.window, sizeof *st.index);
    st.ptrs = calloc(st.window, sizeof *st.ptrs);
    CVP_ASSERT(st.cand != NULL && st.res != NULL && st.index != NULL
               && st.ptrs != NULL);
    for (size_t k = 0; k < st.window; k++) {
        cvp_impl_case_init(&st.cand[k]);
        cvp_impl_result_init(&st.res[k]);
    }
    cvp_status status = CVP_OK;
    for (int round = 0; round < 4 && status == CVP_OK && !st.stop; round++) {
        bool changed = false;
        while (status == CVP_OK && !st.stop && shrink_structure(&st, &status, err))
            changed = true;
        if (status == CVP_OK && !st.stop && shrink_values(&st, &status, err))
            changed = true;
        if (!changed)
            break;
    }
    for (size_t k = 0; k < st.window; k++) {
        cvp_impl_case_clear(&st.cand[k]);
        cvp_impl_result_clear(&st.res[k]);
    }
    cvp_impl_result_clear(&st.target);
    free(st.cand);
    free(st.res);
    free(st.index);
    free(st.ptrs);
    return status;
}
