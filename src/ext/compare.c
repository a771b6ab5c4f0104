/* compare.c -- conversions from C buffers, rounding with MPFR, and exact
 * or bounded comparison of results. */
#include "ext/compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpfr.h>

/* ---- buffers -------------------------------------------------------- */

static void index_format(char *buf, size_t n, int rank, const size_t *shape,
                         size_t flat)
{
    size_t index[CVP_MAX_RANK];
    for (int a = rank; a-- > 0;) {
        index[a] = flat % shape[a];
        flat /= shape[a];
    }
    int used = snprintf(buf, n, "[");
    for (int a = 0; a < rank && used >= 0 && (size_t)used < n; a++)
        used += snprintf(buf + used, n - (size_t)used, "%s%zu", a ? "," : "",
                         index[a]);
    if (used >= 0 && (size_t)used < n)
        snprintf(buf + used, n - (size_t)used, "]");
}

static cvp_status from_doubles(cvp_tensor_t out, int rank, const size_t *shape,
                               const double *d, const float *f,
                               cvp_error *err)
{
    cvp_status st = cvp_tensor_resize(out, rank, shape, err);
    if (st != CVP_OK)
        return st;
    if (out->ring != &cvp_ring_q)
        return cvp_error_set(err, CVP_ERR_INPUT, "not a tensor over Q");
    for (size_t k = 0; k < out->size; k++) {
        double v = d != NULL ? d[k] : (double)f[k];
        if (!isfinite(v)) {
            char where[160];
            index_format(where, sizeof where, rank, shape, k);
            return cvp_error_set(err, CVP_ERR_INPUT, "entry %s is %s", where,
                                 isnan(v) ? "NaN" : "infinite");
        }
        mpq_set_d(cvp_tensor_at(out, k), v);
    }
    return CVP_OK;
}

cvp_status cvp_tensor_from_doubles(cvp_tensor_t out, int rank,
                                   const size_t *shape, const double *data,
                                   cvp_error *err)
{
    return from_doubles(out, rank, shape, data, NULL, err);
}

cvp_status cvp_tensor_from_floats(cvp_tensor_t out, int rank,
                                  const size_t *shape, const float *data,
                                  cvp_error *err)
{
    return from_doubles(out, rank, shape, NULL, data, err);
}

/* q := v for any int64_t, whatever the width of long. */
static void mpq_set_int64(mpq_t q, int64_t v)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    mpz_ptr num = mpq_numref(q);
    mpz_set_ui(num, (unsigned long)(mag >> 32));
    mpz_mul_2exp(num, num, 32);
    mpz_add_ui(num, num, (unsigned long)(mag & 0xFFFFFFFFu));
    if (v < 0)
        mpz_neg(num, num);
    mpz_set_ui(mpq_denref(q), 1);
}

static cvp_status from_ints(cvp_tensor_t out, int rank, const size_t *shape,
                            const int32_t *i32, const int64_t *i64,
                            cvp_error *err)
{
    cvp_status st = cvp_tensor_resize(out, rank, shape, err);
    if (st != CVP_OK)
        return st;
    if (out->ring != &cvp_ring_q)
        return cvp_error_set(err, CVP_ERR_INPUT, "not a tensor over Q");
    for (size_t k = 0; k < out->size; k++)
        mpq_set_int64(cvp_tensor_at(out, k), i32 != NULL ? (int64_t)i32[k] : i64[k]);
    return CVP_OK;
}

cvp_status cvp_tensor_from_int32s(cvp_tensor_t out, int rank,
                                  const size_t *shape, const int32_t *data,
                                  cvp_error *err)
{
    return from_ints(out, rank, shape, data, NULL, err);
}

cvp_status cvp_tensor_from_int64s(cvp_tensor_t out, int rank,
                                  const size_t *shape, const int64_t *data,
                                  cvp_error *err)
{
    return from_ints(out, rank, shape, NULL, data, err);
}

cvp_status cvp_tensor_abs(cvp_tensor_t out, const cvp_tensor_t t,
                          cvp_error *err)
{
    if (t->ring != &cvp_ring_q)
        return cvp_error_set(err, CVP_ERR_INPUT, "abs: not a tensor over Q");
    if (out != t) {
        cvp_status st = cvp_tensor_set(out, t, err);
        if (st != CVP_OK)
            return st;
    }
    for (size_t k = 0; k < out->size; k++)
        mpq_abs(cvp_tensor_at(out, k), cvp_tensor_at(out, k));
    return CVP_OK;
}

/* ---- formats -------------------------------------------------------- */

typedef struct {
    mpfr_exp_t emin_subnormal;  /* MPFR exponent of the smallest subnormal */
    mpfr_exp_t emin_normal;     /* MPFR exponent of the smallest normal */
    mpfr_exp_t emax;            /* MPFR exponent of the largest finite */
} format_range;

/* MPFR writes x = m * 2^e with 1/2 <= |m| < 1. */
static format_range range_of(int precision)
{
    format_range f;
    if (precision == CVP_PRECISION_DOUBLE) {
        f.emin_normal = -1021;
        f.emax = 1024;
    } else {
        CVP_ASSERT(precision == CVP_PRECISION_FLOAT);
        f.emin_normal = -125;
        f.emax = 128;
    }
    f.emin_subnormal = f.emin_normal - precision + 1;
    return f;
}

bool cvp_round_nearest(mpq_t out, const mpq_t q, int precision)
{
    format_range f = range_of(precision);
    mpfr_exp_t old_emin = mpfr_get_emin(), old_emax = mpfr_get_emax();
    mpfr_set_emin(f.emin_subnormal);
    mpfr_set_emax(f.emax);
    mpfr_t x;
    mpfr_init2(x, precision);
    int inexact = mpfr_set_q(x, q, MPFR_RNDN);
    inexact = mpfr_check_range(x, inexact, MPFR_RNDN);
    mpfr_subnormalize(x, inexact, MPFR_RNDN);
    bool finite = mpfr_number_p(x) != 0;
    if (finite)
        mpfr_get_q(out, x);
    mpfr_clear(x);
    mpfr_set_emin(old_emin);
    mpfr_set_emax(old_emax);
    return finite;
}

void cvp_ulp(mpq_t out, const mpq_t x, int precision)
{
    format_range f = range_of(precision);
    mpfr_exp_t e = f.emin_normal;
    if (mpq_sgn(x) != 0) {
        /* Rounding toward zero keeps the binade of x, so the exponent is
         * that of x itself. */
        mpfr_t r;
        mpfr_init2(r, precision);
        mpfr_set_q(r, x, MPFR_RNDZ);
        if (mpfr_get_exp(r) > e)
            e = mpfr_get_exp(r);
        mpfr_clear(r);
    }
    long shift = (long)e - precision;   /* ulp = 2^shift */
    mpq_set_ui(out, 1, 1);
    if (shift >= 0)
        mpz_mul_2exp(mpq_numref(out), mpq_numref(out), (mp_bitcnt_t)shift);
    else
        mpz_mul_2exp(mpq_denref(out), mpq_denref(out), (mp_bitcnt_t)-shift);
}

void cvp_gamma(mpq_t out, unsigned long n, int precision)
{
    mpz_t den;
    mpz_init(den);
    mpz_ui_pow_ui(den, 2, (unsigned long)precision);
    CVP_ASSERT(mpz_cmp_ui(den, n) > 0);
    mpz_sub_ui(den, den, n);
    mpz_set_ui(mpq_numref(out), n);
    mpz_set(mpq_denref(out), den);
    mpq_canonicalize(out);
    mpz_clear(den);
}

/* ---- comparison ----------------------------------------------------- */

void cvp_compare_result_init(cvp_compare_result *r)
{
    memset(r, 0, sizeof *r);
    mpq_init(r->expected);
    mpq_init(r->got);
}

void cvp_compare_result_clear(cvp_compare_result *r)
{
    mpq_clear(r->expected);
    mpq_clear(r->got);
    memset(r, 0, sizeof *r);
}

/* |diff| in ulps of nearest(expected). */
static double ulps_of(const mpq_t diff, const mpq_t expected, int precision,
                      mpq_t scratch)
{
    if (!cvp_round_nearest(scratch, expected, precision))
        mpq_set(scratch, expected);   /* beyond the format: its own scale */
    cvp_ulp(scratch, scratch, precision);
    mpq_div(scratch, diff, scratch);
    return mpq_get_d(scratch);
}

cvp_status cvp_compare(cvp_compare_result *r, const cvp_tensor_t expected,
                       const cvp_tensor_t got, const cvp_compare_bound *bound,
                       cvp_error *err)
{
    if (expected->ring != &cvp_ring_q || got->ring != &cvp_ring_q)
        return cvp_error_set(err, CVP_ERR_INPUT, "compare: tensors must be over Q");
    if (!cvp_tensor_same_shape(expected, got)) {
        char a[128], b[128];
        cvp_shape_format(a, sizeof a, got->rank, got->shape);
        cvp_shape_format(b, sizeof b, expected->rank, expected->shape);
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "compare: shape %s where %s was expected", a, b);
    }
    int precision = bound != NULL ? bound->precision : CVP_PRECISION_DOUBLE;
    unsigned long terms = bound != NULL ? bound->terms : 0;
    if (terms > 0 && (bound->abs_sum == NULL
                      || !cvp_tensor_same_shape(bound->abs_sum, expected)
                      || bound->abs_sum->ring != &cvp_ring_q))
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "compare: the sums of |terms| must have the "
                             "expected tensor's shape");
    if (precision != CVP_PRECISION_DOUBLE && precision != CVP_PRECISION_FLOAT)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "compare: precision must be 53 or 24");

    r->compared = expected->size;
    r->differing = 0;
    r->listed = 0;
    r->rank = expected->rank;
    r->max_ulps = 0;
    r->max_ratio = 0;
    r->zero_errors = 0;
    r->first_ulps = r->first_allowed_ulps = 0;
    mpq_t gamma, diff, allowed, scratch;
    mpq_inits(gamma, diff, allowed, scratch, NULL);
    if (terms > 0)
        cvp_gamma(gamma, terms, precision);
    for (size_t k = 0; k < expected->size; k++) {
        mpq_srcptr e = cvp_tensor_at(expected, k), g = cvp_tensor_at(got, k);
        if (mpq_equal(e, g))
            continue;
        mpq_sub(diff, g, e);
        mpq_abs(diff, diff);
        if (terms > 0)
            mpq_mul(allowed, gamma, cvp_tensor_at(bound->abs_sum, k));
        else
            mpq_set_ui(allowed, 0, 1);
        bool zero = mpq_sgn(e) == 0;
        double ulps = zero ? mpq_get_d(diff) : ulps_of(diff, e, precision, scratch);
        if (zero)
            r->zero_errors++;
        else if (ulps > r->max_ulps)
            r->max_ulps = ulps;
        double ratio = INFINITY;
        if (mpq_sgn(allowed) > 0) {
            mpq_div(scratch, diff, allowed);
            ratio = mpq_get_d(scratch);
        }
        if (ratio > r->max_ratio)
            r->max_ratio = ratio;
        if (mpq_cmp(diff, allowed) <= 0)
            continue;
        if (r->differing == 0) {
            size_t flat = k;
            for (int a = expected->rank; a-- > 0;) {
                r->index[a] = flat % expected->shape[a];
                flat /= expected->shape[a];
            }
            mpq_set(r->expected, e);
            mpq_set(r->got, g);
            r->first_ulps = ulps;
            r->first_allowed_ulps =
                mpq_sgn(allowed) == 0 ? 0
                : zero ? mpq_get_d(allowed)
                       : ulps_of(allowed, e, precision, scratch);
        }
        if (r->listed < CVP_COMPARE_LISTED)
            r->offsets[r->listed++] = k;
        r->differing++;
    }
    mpq_clears(gamma, diff, allowed, scratch, NULL);
    return CVP_OK;
}

void cvp_format_double(char *buf, size_t size, double x)
{
    if (size == 0)
        return;
    if (isnan(x)) {
        snprintf(buf, size, "nan");
        return;
    }
    if (isinf(x)) {
        snprintf(buf, size, x < 0 ? "-inf" : "inf");
        return;
    }
    char tmp[64];
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(tmp, sizeof tmp, "%.*g", digits, x);
        if (strtod(tmp, NULL) == x)
            break;
    }
    /* Whatever the locale, the decimal point is '.'. */
    for (char *p = tmp; *p != '\0'; p++)
        if (!(*p >= '0' && *p <= '9') && *p != '-' && *p != '+' && *p != 'e')
            *p = '.';
    snprintf(buf, size, "%s", tmp);
}

void cvp_format_ulps(char *buf, size_t size, double x)
{
    if (size == 0)
        return;
    if (!isfinite(x)) {
        cvp_format_double(buf, size, x);
        return;
    }
    snprintf(buf, size, "%.3g", x);
    for (char *p = buf; *p != '\0'; p++)
        if (!(*p >= '0' && *p <= '9') && *p != '-' && *p != '+' && *p != 'e')
            *p = '.';
}

/* A rational for a report line: a double as its shortest decimal when it
 * is one exactly, else the exact fraction. */
static void format_q(char *buf, size_t size, const mpq_t q)
{
    double d;
    mpq_t back;
    mpq_init(back);
    d = mpq_get_d(q);
    bool exact = isfinite(d);
    if (exact) {
        mpq_set_d(back, d);
        exact = mpq_equal(back, q) != 0;
    }
    mpq_clear(back);
    if (exact && mpz_cmp_ui(mpq_denref(q), 1) != 0)
        cvp_format_double(buf, size, d);
    else if (mpz_sizeinbase(mpq_numref(q), 10) + mpz_sizeinbase(mpq_denref(q), 10)
             < size - 4)
        gmp_snprintf(buf, size, "%Qd", q);
    else
        snprintf(buf, size, "(a %zu-digit fraction)",
                 mpz_sizeinbase(mpq_numref(q), 10));
}

void cvp_compare_describe(char *buf, size_t size, const cvp_compare_result *r,
                          const char *name)
{
    if (size == 0)
        return;
    buf[0] = '\0';
    if (r->differing == 0)
        return;
    char where[200], got[96], expected[96], ulps[32], allowed[32];
    int used = snprintf(where, sizeof where, "%s", name != NULL ? name : "");
    for (int a = 0; a < r->rank && used >= 0 && (size_t)used < sizeof where; a++)
        used += snprintf(where + used, sizeof where - (size_t)used, "%s%zu%s",
                         a ? "," : "[", r->index[a], a + 1 == r->rank ? "]" : "");
    format_q(got, sizeof got, r->got);
    format_q(expected, sizeof expected, r->expected);
    cvp_format_ulps(ulps, sizeof ulps, r->first_ulps);
    cvp_format_ulps(allowed, sizeof allowed, r->first_allowed_ulps);
    const char *unit = mpq_sgn(r->expected) == 0 ? "" : " ulp";
    snprintf(buf, size, "%s: got %s, expected %s (error %s%s, allowed %s%s)",
             where, got, expected, ulps, unit, allowed, unit);
}
