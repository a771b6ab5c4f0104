/* impl_judge.c -- judging what an implementation returned for a case:
 * exactly when float64 arithmetic must be exact, else within the rigorous
 * bound of a sum of products (ext/compare.h). */
#include "ext/impl.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/verdict.h"
#include "ext/compare.h"

static const char *const finding_names[] = {
    [CVP_IMPL_AGREES] = "agrees",
    [CVP_IMPL_WRONG_VALUES] = "wrong values",
    [CVP_IMPL_WRONG_SHAPE] = "wrong shape",
    [CVP_IMPL_NO_OUTPUT] = "no output",
    [CVP_IMPL_BAD_OUTPUT] = "bad output",
    [CVP_IMPL_CRASHED] = "crashed",
    [CVP_IMPL_TIMED_OUT] = "timed out",
    [CVP_IMPL_NOT_STARTED] = "not started",
    [CVP_IMPL_UNSUPPORTED] = "unsupported",
};

const char *cvp_impl_finding_name(cvp_impl_finding f)
{
    CVP_ASSERT((unsigned)f <= CVP_IMPL_UNSUPPORTED);
    return finding_names[f];
}

void cvp_impl_result_init(cvp_impl_result *r)
{
    memset(r, 0, sizeof *r);
    for (int k = 0; k < CVP_IMPL_MAX_OUTPUTS; k++) {
        cvp_tensor_init(r->outputs[k]);
        cvp_tensor_init(r->expected[k]);
    }
    r->output = -1;
}

void cvp_impl_result_clear(cvp_impl_result *r)
{
    free(r->stderr_excerpt);
    free(r->start_error);
    free(r->message);
    free(r->differences);
    free(r->unsupported_reason);
    free(r->status_error);
    for (int k = 0; k < CVP_IMPL_MAX_OUTPUTS; k++) {
        free(r->read_error[k]);
        cvp_tensor_clear(r->outputs[k]);
        cvp_tensor_clear(r->expected[k]);
    }
    memset(r, 0, sizeof *r);
}

void cvp_impl_result_reset(cvp_impl_result *r)
{
    cvp_impl_result_clear(r);
    cvp_impl_result_init(r);
}

bool cvp_impl_same_failure(const cvp_impl_result *a, const cvp_impl_result *b)
{
    if (a->finding != b->finding)
        return false;
    switch (a->finding) {
    case CVP_IMPL_WRONG_VALUES:
    case CVP_IMPL_WRONG_SHAPE:
    case CVP_IMPL_NO_OUTPUT:
    case CVP_IMPL_BAD_OUTPUT:
        return a->output == b->output;
    default:
        return true;
    }
}

/* Appends "\nstderr:\n<excerpt>" to the message when there is one. */
static void set_message_with_stderr(cvp_impl_result *r, const char *message)
{
    if (r->stderr_excerpt != NULL && r->stderr_excerpt[0] != '\0')
        cvp_set_textf(&r->message, "%s\nstderr:\n%s", message, r->stderr_excerpt);
    else
        cvp_set_textf(&r->message, "%s (nothing on stderr)", message);
}

/* Does some pooling window of x hold its maximum more than once? */
static bool has_tied_maximum(const cvp_impl_case *c)
{
    const cvp_impl_dims *d = &c->d;
    const cvp_tensor_struct *x = c->inputs[0];
    size_t out[2];
    cvp_impl_dims_out(out, d, c->op);
    for (size_t n = 0; n < d->n; n++)
        for (size_t ch = 0; ch < d->c; ch++)
            for (size_t i = 0; i < out[0]; i++)
                for (size_t j = 0; j < out[1]; j++) {
                    mpq_srcptr best = NULL;
                    size_t count = 0;
                    for (size_t u = 0; u < d->kernel[0]; u++)
                        for (size_t v = 0; v < d->kernel[1]; v++) {
                            long row = (long)(i * d->stride[0] + u)
                                       - (long)d->padding[0];
                            long col = (long)(j * d->stride[1] + v)
                                       - (long)d->padding[1];
                            if (row < 0 || col < 0 || row >= (long)d->h
                                || col >= (long)d->w)
                                continue;
                            size_t index[4] = {n, ch, (size_t)row, (size_t)col};
                            mpq_srcptr e = cvp_tensor_at(x, cvp_tensor_offset(x, index));
                            int cmp = best == NULL ? 1 : mpq_cmp(e, best);
                            if (cmp > 0) {
                                best = e;
                                count = 1;
                            } else if (cmp == 0) {
                                count++;
                            }
                        }
                    if (count > 1)
                        return true;
                }
    return false;
}

/* Lists the differing entries of one output. */
static char *list_differences(const char *name, const cvp_compare_result *cr,
                              const cvp_tensor_t got,
                              const cvp_tensor_t expected)
{
    char *text = NULL;
    size_t len = 0;
    FILE *stream = open_memstream(&text, &len);
    CVP_ASSERT(stream != NULL);
    for (size_t k = 0; k < cr->listed; k++) {
        /* Room for CVP_MAX_RANK indices of 20 digits, commas, brackets. */
        char where[CVP_MAX_RANK * 21 + 2];
        cvp_entry_format(where, sizeof where, "", got->rank, got->shape,
                         cr->offsets[k]);
        fprintf(stream, "%s%s%s: ", k ? "\n" : "", name, where);
        mpq_srcptr g = cvp_tensor_at(got, cr->offsets[k]);
        mpq_srcptr e = cvp_tensor_at(expected, cr->offsets[k]);
        /* The implementation's value as it wrote it (a double: shortest
         * decimal), the exact one as a fraction. */
        bool is_double = false;
        if (mpz_cmp_ui(mpq_denref(g), 1) != 0) {
            mpq_t back;
            mpq_init(back);
            mpq_set_d(back, mpq_get_d(g));
            is_double = mpq_equal(back, g) != 0;
            mpq_clear(back);
        }
        if (is_double) {
            char gs[64];
            cvp_format_double(gs, sizeof gs, mpq_get_d(g));
            gmp_fprintf(stream, "%s != %Qd", gs, e);
        } else {
            gmp_fprintf(stream, "%Qd != %Qd", g, e);
        }
    }
    if (cr->differing > cr->listed)
        fprintf(stream, "\n... %zu of %zu entries differ", cr->differing,
                cr->compared);
    fclose(stream);
    return text;
}

static bool is_power_of_two(unsigned long v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

cvp_status cvp_impl_judge(cvp_impl_result *r, const cvp_impl_case *c,
                          cvp_impl_layout layout, cvp_error *err)
{
    const cvp_impl_op_info *info = cvp_impl_op_get(c->op);
    r->finding = CVP_IMPL_AGREES;
    r->output = -1;
    r->exact_regime = false;
    r->max_ulps = 0;
    r->max_ratio = 0;
    r->zero_errors = 0;
    cvp_set_text(&r->message, NULL);
    cvp_set_text(&r->differences, NULL);

    /* Everything it should have written, in its layout. */
    cvp_tensor_t exp_canon[CVP_IMPL_MAX_OUTPUTS], sums[CVP_IMPL_MAX_OUTPUTS];
    for (int k = 0; k < CVP_IMPL_MAX_OUTPUTS; k++) {
        cvp_tensor_init(exp_canon[k]);
        cvp_tensor_init(sums[k]);
    }
    unsigned long terms[CVP_IMPL_MAX_OUTPUTS] = {0}, divisor = 1;
    cvp_status st = cvp_impl_expected(exp_canon, c, err);
    if (st == CVP_OK)
        st = cvp_impl_abs_sums(sums, terms, &divisor, c, err);
    for (size_t k = 0; st == CVP_OK && k < info->output_count; k++) {
        st = cvp_impl_convert(r->expected[k], exp_canon[k],
                              info->output_kinds[k], layout, false, err);
        if (st == CVP_OK)
            st = cvp_impl_convert(sums[k], sums[k], info->output_kinds[k],
                                  layout, false, err);
    }
    if (st != CVP_OK)
        goto done;

    /* Must float64 be exact?  Integer inputs, terms that are multiples of
     * 1/divisor with divisor a power of two, and every sum of |terms|
     * times the divisor below 2^53: then every product and partial sum,
     * in any order, is exactly representable. */
    bool exact = is_power_of_two(divisor);
    for (size_t k = 0; exact && k < info->input_count; k++)
        exact = cvp_tensor_is_integral(c->inputs[k]);
    mpq_t limit, scaled;
    mpq_inits(limit, scaled, NULL);
    mpz_ui_pow_ui(mpq_numref(limit), 2, 53);
    for (size_t k = 0; exact && k < info->output_count; k++)
        for (size_t e = 0; exact && e < sums[k]->size; e++) {
            mpq_set_ui(scaled, divisor, 1);
            mpq_mul(scaled, scaled, cvp_tensor_at(sums[k], e));
            if (mpq_cmp(scaled, limit) >= 0)
                exact = false;
        }
    mpq_clears(limit, scaled, NULL);
    r->exact_regime = exact;

    if (r->not_started) {
        r->finding = CVP_IMPL_NOT_STARTED;
        cvp_set_textf(&r->message, "the command could not be started: %s",
                      r->start_error != NULL ? r->start_error : "unknown error");
        goto done;
    }
    if (r->timed_out) {
        r->finding = CVP_IMPL_TIMED_OUT;
        set_message_with_stderr(r, "the command did not finish within the "
                                   "time limit and was killed");
        goto done;
    }
    if (r->raised) {
        r->finding = CVP_IMPL_CRASHED;
        set_message_with_stderr(r, "the function raised an exception");
        goto done;
    }
    if (r->signal > 0 || r->exit_code != 0 || r->traceback) {
        char what[160];
        if (r->signal > 0)
            snprintf(what, sizeof what, "the command was killed by signal %d (%s)",
                     r->signal, strsignal(r->signal));
        else if (r->exit_code != 0)
            snprintf(what, sizeof what, "the command exited with status %d%s",
                     r->exit_code,
                     r->traceback ? " and printed a Python traceback" : "");
        else
            snprintf(what, sizeof what,
                     "the command exited with status 0 but printed a Python "
                     "traceback");
        r->finding = CVP_IMPL_CRASHED;
        set_message_with_stderr(r, what);
        goto done;
    }
    if (r->status_error != NULL) {
        r->finding = CVP_IMPL_BAD_OUTPUT;
        char what[CVP_ERROR_MESSAGE_MAX + 64];
        snprintf(what, sizeof what, "its status answer is not valid: %s",
                 r->status_error);
        set_message_with_stderr(r, what);
        goto done;
    }
    if (r->unsupported) {
        r->finding = CVP_IMPL_UNSUPPORTED;
        cvp_set_textf(&r->message, "the implementation does not handle this "
                      "case (it answered \"unsupported\": %s)",
                      r->unsupported_reason != NULL ? r->unsupported_reason
                                                    : "no reason given");
        goto done;
    }


    cvp_compare_result cr;
    cvp_compare_result_init(&cr);
    for (size_t k = 0; k < info->output_count; k++) {
        const char *name = info->outputs[k];
        if (!r->present[k]) {
            r->finding = CVP_IMPL_NO_OUTPUT;
            r->output = (int)k;
            char what[160];
            snprintf(what, sizeof what, "the command exited with status 0 "
                     "without writing %s", name);
            set_message_with_stderr(r, what);
            break;
        }
        if (r->read_error[k] != NULL) {
            r->finding = CVP_IMPL_BAD_OUTPUT;
            r->output = (int)k;
            char what[CVP_ERROR_MESSAGE_MAX + 64];
            snprintf(what, sizeof what, "%s is not a valid output: %s", name,
                     r->read_error[k]);
            set_message_with_stderr(r, what);
            break;
        }
        if (!cvp_tensor_same_shape(r->outputs[k], r->expected[k])) {
            char a[128], b[128];
            cvp_shape_format(a, sizeof a, r->outputs[k]->rank, r->outputs[k]->shape);
            cvp_shape_format(b, sizeof b, r->expected[k]->rank,
                             r->expected[k]->shape);
            r->finding = CVP_IMPL_WRONG_SHAPE;
            r->output = (int)k;
            cvp_set_textf(&r->message, "%s has shape %s where %s (layout %s) "
                          "was expected", name, a, b,
                          cvp_impl_layout_name(layout));
            break;
        }
        cvp_compare_bound bound = {CVP_PRECISION_DOUBLE, exact ? 0 : terms[k],
                                   sums[k]};
        st = cvp_compare(&cr, r->expected[k], r->outputs[k], &bound, err);
        if (st != CVP_OK)
            break;
        if (cr.max_ulps > r->max_ulps)
            r->max_ulps = cr.max_ulps;
        if (cr.max_ratio > r->max_ratio)
            r->max_ratio = cr.max_ratio;
        r->zero_errors += cr.zero_errors;
        if (cr.differing == 0)
            continue;
        r->finding = CVP_IMPL_WRONG_VALUES;
        r->output = (int)k;
        char *list = list_differences(name, &cr, r->outputs[k], r->expected[k]);
        cvp_set_text(&r->differences, list);
        free(list);
        bool ties = c->op == CVP_IMPL_MAX_POOL2D_BACKWARD && has_tied_maximum(c);
        const char *tie_note =
            ties ? "; the input has windows whose maximum is tied: convproof, "
                   "like PyTorch, gives a window's gradient to its first "
                   "maximum in row-major order" : "";
        /* An output of another dtype than float64 is named with it: a
         * float32 output rounds where float64 is exact, which explains
         * the finding better than the values do. */
        char subject[96], dtype_note[200] = "";
        const char *dtype = r->dtype[k];
        if (dtype[0] != '\0' && strcmp(dtype, "float64") != 0) {
            snprintf(subject, sizeof subject, "the implementation's %s output %s",
                     dtype, name);
            snprintf(dtype_note, sizeof dtype_note, "; the output was written "
                     "as %s, not float64%s", dtype,
                     strcmp(dtype, "float32") == 0
                         ? " (a float32 has a 24-bit significand: it rounds "
                           "values a float64 holds exactly)" : "");
            char *more = NULL;
            cvp_set_textf(&more, "%s\n(%s: the implementation's %s output)",
                          r->differences, name, dtype);
            free(r->differences);
            r->differences = more;
        } else {
            snprintf(subject, sizeof subject, "%s", name);
        }
        if (exact) {
            cvp_set_textf(&r->message,
                          "%s differs from the exact value at %zu of %zu "
                          "entries; the inputs are integers and every partial "
                          "sum stays below 2^53, so a float64 result must be "
                          "exact: this is a bug%s%s", subject, cr.differing,
                          cr.compared, tie_note, dtype_note);
        } else {
            char ulps[32], first[300];
            cvp_format_ulps(ulps, sizeof ulps, cr.max_ulps);
            cvp_compare_describe(first, sizeof first, &cr, name);
            cvp_set_textf(&r->message,
                          "%s is outside the rigorous rounding bound "
                          "gamma_n * sum|terms| (n = %lu) at %zu of %zu entries "
                          "(first: %s; largest error %s ulp): not rounding, a "
                          "bug%s%s", subject, terms[k], cr.differing, cr.compared,
                          first, ulps, tie_note, dtype_note);
        }
        break;
    }
    cvp_compare_result_clear(&cr);
done:
    for (int k = 0; k < CVP_IMPL_MAX_OUTPUTS; k++) {
        cvp_tensor_clear(exp_canon[k]);
        cvp_tensor_clear(sums[k]);
    }
    return st;
}
