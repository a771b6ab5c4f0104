/* impl_sweep.c -- the cases of a `convproof test-impl` sweep. */
#include "ext/impl.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/rng.h"

#define LARGE_MAGNITUDE (INT64_C(1) << 30)
#define MAX_PARAMETER 1000

void cvp_impl_space_default(cvp_impl_space *s, cvp_impl_op op,
                            cvp_impl_layout layout)
{
    bool conv = cvp_impl_op_get(op)->conv;
    bool nchw = layout == CVP_IMPL_NCHW;
    s->n = (cvp_impl_range){1, 2};
    s->c = (cvp_impl_range){1, 3};
    s->o = (cvp_impl_range){1, 3};
    s->h = (cvp_impl_range){1, 7};
    s->w = (cvp_impl_range){1, 7};
    s->k = (cvp_impl_range){1, 3};
    s->s = (cvp_impl_range){1, 3};
    s->p = conv ? (cvp_impl_range){0, 2}
                : nchw ? (cvp_impl_range){0, 1} : (cvp_impl_range){0, 0};
    s->d = conv && nchw ? (cvp_impl_range){1, 2} : (cvp_impl_range){1, 1};
    s->g = conv && nchw ? (cvp_impl_range){1, 2} : (cvp_impl_range){1, 1};
    s->values = (cvp_impl_range){CVP_RANDOM_DEFAULT_LO, CVP_RANDOM_DEFAULT_HI};
    s->square = !nchw;
}

static bool parse_long(long *v, const char *s, const char **end)
{
    char *e;
    errno = 0;
    if (!(isdigit((unsigned char)s[0])
          || (s[0] == '-' && isdigit((unsigned char)s[1]))))
        return false;
    long value = strtol(s, &e, 10);
    if (errno != 0)
        return false;
    *v = value;
    *end = e;
    return true;
}

cvp_status cvp_impl_space_parse(cvp_impl_space *s, const char *spec,
                                cvp_error *err)
{
    const char *p = spec;
    if (*p == '\0')
        return cvp_error_set(err, CVP_ERR_INPUT, "--shapes: empty");
    while (*p != '\0') {
        char key = (char)toupper((unsigned char)*p);
        cvp_impl_range *r = NULL;
        switch (key) {
        case 'N': r = &s->n; break;
        case 'C': r = &s->c; break;
        case 'O': r = &s->o; break;
        case 'H': r = &s->h; break;
        case 'W': r = &s->w; break;
        case 'K': r = &s->k; break;
        case 'S': r = &s->s; break;
        case 'P': r = &s->p; break;
        case 'D': r = &s->d; break;
        case 'G': r = &s->g; break;
        default: break;
        }
        if (r == NULL || p[1] != '=')
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "--shapes: expected NAME=LO..HI or NAME=VALUE "
                                 "at '%.20s' (names N C O H W K S P D G)", p);
        const char *q = p + 2, *end;
        long lo, hi;
        if (!parse_long(&lo, q, &end))
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "--shapes: expected a number after '%c='", key);
        hi = lo;
        if (end[0] == '.' && end[1] == '.') {
            if (!parse_long(&hi, end + 2, &end))
                return cvp_error_set(err, CVP_ERR_INPUT,
                                     "--shapes: expected a number after '..' "
                                     "for %c", key);
        }
        long min = key == 'P' ? 0 : 1;
        if (lo < min || hi < lo || hi > MAX_PARAMETER)
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "--shapes: %c must be a range within %ld..%d "
                                 "with LO <= HI", key, min, MAX_PARAMETER);
        r->lo = lo;
        r->hi = hi;
        if (*end == ',')
            end++;
        else if (*end != '\0')
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "--shapes: unexpected '%c' after %c", *end, key);
        p = end;
    }
    return CVP_OK;
}

static size_t draw(cvp_rng *rng, cvp_impl_range r)
{
    return (size_t)cvp_rng_range(rng, r.lo, r.hi);
}

/* Up to four values of r: lo, lo+1, lo+2, hi. */
static size_t interesting(long values[4], cvp_impl_range r)
{
    size_t n = 0;
    for (long v = r.lo; v <= r.hi && v <= r.lo + 2; v++)
        values[n++] = v;
    if (values[n - 1] != r.hi)
        values[n++] = r.hi;
    return n;
}

/* Channels and groups: G from its range, C and O multiples of it; G = 1
 * when no multiple fits. */
static void draw_channels(cvp_impl_dims *d, cvp_rng *rng,
                          const cvp_impl_space *s, bool conv)
{
    d->groups = 1;
    if (conv) {
        size_t g = draw(rng, s->g);
        size_t clo = ((size_t)s->c.lo + g - 1) / g, chi = (size_t)s->c.hi / g;
        size_t olo = ((size_t)s->o.lo + g - 1) / g, ohi = (size_t)s->o.hi / g;
        if (clo <= chi && olo <= ohi) {
            d->groups = g;
            d->c = g * (size_t)cvp_rng_range(rng, (int64_t)clo, (int64_t)chi);
            d->o = g * (size_t)cvp_rng_range(rng, (int64_t)olo, (int64_t)ohi);
            return;
        }
        d->c = draw(rng, s->c);
        d->o = draw(rng, s->o);
        return;
    }
    d->c = draw(rng, s->c);
    d->o = d->c;
}

/* Smallest input size along axis a with an output of at least 1. */
static long min_size(const cvp_impl_dims *d, int a)
{
    long span = (long)(d->dilation[a] * (d->kernel[a] - 1) + 1);
    return span - 2 * (long)d->padding[a];
}

/* Picks a size of range r for axis a, preferring one that the stride
 * divides (divisible) or does not; false when no size fits. */
static bool pick_size(size_t *size, const cvp_impl_dims *d, int a,
                      cvp_impl_range r, bool divisible, cvp_rng *rng)
{
    long lo = r.lo > min_size(d, a) ? r.lo : min_size(d, a);
    if (lo < 1)
        lo = 1;
    if (lo > r.hi)
        return false;
    long fits[MAX_PARAMETER + 1];
    size_t count = 0;
    long span = (long)(d->dilation[a] * (d->kernel[a] - 1) + 1);
    for (long v = lo; v <= r.hi; v++) {
        long rest = (v + 2 * (long)d->padding[a] - span) % (long)d->stride[a];
        if ((rest == 0) == divisible)
            fits[count++] = v;
    }
    if (count == 0) {
        *size = (size_t)cvp_rng_range(rng, lo, r.hi);
        return true;
    }
    *size = (size_t)fits[cvp_rng_range(rng, 0, (int64_t)count - 1)];
    return true;
}

static uint64_t case_seed(uint64_t seed, size_t index)
{
    uint64_t z = seed * 0x9E3779B97F4A7C15ull + index + 1;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

typedef struct {
    cvp_impl_case *items;
    size_t count, cap;
} case_list;

static cvp_status add_case(case_list *l, cvp_impl_op op, const cvp_impl_dims *d,
                           int64_t lo, int64_t hi, uint64_t seed, cvp_error *err)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        cvp_impl_case *items = realloc(l->items, cap * sizeof *items);
        CVP_ASSERT(items != NULL);
        l->items = items;
        l->cap = cap;
    }
    cvp_impl_case *c = &l->items[l->count];
    cvp_impl_case_init(c);
    cvp_status st = cvp_impl_case_fill(c, op, d, lo, hi, seed, err);
    if (st != CVP_OK) {
        cvp_impl_case_clear(c);
        return st;
    }
    l->count++;
    return CVP_OK;
}

cvp_status cvp_impl_sweep(cvp_impl_case **cases, size_t *count,
                          cvp_impl_op op, const cvp_impl_space *s,
                          size_t trials, bool large, uint64_t seed,
                          cvp_error *err)
{
    bool conv = cvp_impl_op_get(op)->conv;
    cvp_rng rng;
    cvp_rng_seed(&rng, seed);
    case_list list = {0};
    cvp_status st = CVP_OK;
    long kv[4], sv[4], pv[4];
    size_t nk = interesting(kv, s->k), ns = interesting(sv, s->s),
           np = interesting(pv, s->p);
    size_t grid = 0;
    int64_t tie_lo = -1, tie_hi = 1;

    /* The grid: every kernel x stride x padding combination. */
    for (size_t a = 0; a < nk && st == CVP_OK; a++)
        for (size_t b = 0; b < ns && st == CVP_OK; b++)
            for (size_t e = 0; e < np && st == CVP_OK; e++) {
                cvp_impl_dims d;
                memset(&d, 0, sizeof d);
                d.n = draw(&rng, s->n);
                draw_channels(&d, &rng, s, conv);
                for (int x = 0; x < 2; x++) {
                    bool first = x == 0 || s->square;
                    d.kernel[x] = first ? (size_t)kv[a] : draw(&rng, s->k);
                    d.stride[x] = first ? (size_t)sv[b] : draw(&rng, s->s);
                    d.padding[x] = first ? (size_t)pv[e] : draw(&rng, s->p);
                    d.dilation[x] = conv ? (x == 0 || !s->square
                                            ? draw(&rng, s->d) : d.dilation[0])
                                         : 1;
                    if (!conv && 2 * d.padding[x] > d.kernel[x])
                        d.padding[x] = d.kernel[x] / 2;
                }
                if (s->square)
                    d.dilation[1] = d.dilation[0];
                if (!conv && 2 * (size_t)pv[e] > (size_t)kv[a])
                    continue;   /* this padding does not exist for the window */
                bool divisible = grid % 2 == 1;
                if (!pick_size(&d.h, &d, 0, s->h, divisible, &rng)
                    || !pick_size(&d.w, &d, 1, s->w, (grid / 2) % 2 == 1, &rng))
                    continue;
                if (cvp_impl_dims_check(&d, op, NULL) != CVP_OK)
                    continue;
                bool ties = grid % 3 == 2;
                st = add_case(&list, op, &d, ties ? tie_lo : s->values.lo,
                              ties ? tie_hi : s->values.hi,
                              case_seed(seed, list.count), err);
                grid++;
            }

    /* Random cases; `refused` keeps why the last one drawn was not
     * valid, for the message when none is. */
    cvp_error refused;
    cvp_error_clear(&refused);
    for (size_t t = 0; t < trials && st == CVP_OK; t++) {
        cvp_impl_dims d;
        bool found = false;
        for (int attempt = 0; attempt < 200 && !found; attempt++) {
            memset(&d, 0, sizeof d);
            d.n = draw(&rng, s->n);
            draw_channels(&d, &rng, s, conv);
            for (int x = 0; x < 2; x++) {
                bool copy = x == 1 && s->square;
                d.kernel[x] = copy ? d.kernel[0] : draw(&rng, s->k);
                d.stride[x] = copy ? d.stride[0] : draw(&rng, s->s);
                d.padding[x] = copy ? d.padding[0] : draw(&rng, s->p);
                d.dilation[x] = !conv ? 1 : copy ? d.dilation[0] : draw(&rng, s->d);
            }
            d.h = draw(&rng, s->h);
            d.w = draw(&rng, s->w);
            cvp_error_clear(&refused);
            found = cvp_impl_dims_check(&d, op, &refused) == CVP_OK;
        }
        if (!found)
            continue;
        int64_t lo = s->values.lo, hi = s->values.hi;
        if (large && t % 4 == 3) {
            lo = -LARGE_MAGNITUDE;
            hi = LARGE_MAGNITUDE;
        } else if (t % 4 == 1) {
            lo = tie_lo;
            hi = tie_hi;
        }
        st = add_case(&list, op, &d, lo, hi, case_seed(seed, list.count), err);
    }
    if (st == CVP_OK && list.count == 0)
        st = cvp_error_set(err, CVP_ERR_INPUT,
                           "no valid %s case in the given ranges (the last "
                           "one drawn: %s)", cvp_impl_op_get(op)->name,
                           refused.message[0] != '\0' ? refused.message
                                                        : "none was drawn");
    if (st != CVP_OK) {
        for (size_t k = 0; k < list.count; k++)
            cvp_impl_case_clear(&list.items[k]);
        free(list.items);
        *cases = NULL;
        *count = 0;
        return st;
    }
    *cases = list.items;
    *count = list.count;
    return CVP_OK;
}
