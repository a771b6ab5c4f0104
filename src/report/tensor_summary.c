/* tensor_summary.c -- a counterexample's large tensors in a few lines
 * (see tensor_summary.h). */
#include "report/tensor_summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/tensor_text.h"

/* "25,088": a count with thousands separators. */
static void put_count(FILE *out, size_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", n);
    for (int k = 0; k < len; k++) {
        if (k > 0 && (len - k) % 3 == 0)
            fputc(',', out);
        fputc(digits[k], out);
    }
}

static bool parse(cvp_tensor_t t, const char *text)
{
    if (text == NULL)
        return false;
    cvp_error e;
    cvp_error_clear(&e);
    return cvp_tensor_parse_text(t, text, strlen(text), "counterexample", &e)
           == CVP_OK;
}

/* The index of an entry whose value more than half the entries share
 * (Boyer-Moore majority vote, then a count to confirm), or SIZE_MAX. */
static size_t majority(const cvp_tensor_struct *t, size_t *count)
{
    size_t candidate = 0, votes = 0;
    for (size_t k = 0; k < t->size; k++) {
        if (votes == 0) {
            candidate = k;
            votes = 1;
        } else if (mpq_equal(cvp_tensor_at_const(t, k),
                             cvp_tensor_at_const(t, candidate))) {
            votes++;
        } else {
            votes--;
        }
    }
    size_t n = 0;
    for (size_t k = 0; k < t->size; k++)
        n += mpq_equal(cvp_tensor_at_const(t, k), cvp_tensor_at_const(t, candidate));
    *count = n;
    return 2 * n > t->size ? candidate : SIZE_MAX;
}

static void put_entry(FILE *out, const cvp_tensor_struct *t, size_t k)
{
    char where[160];
    cvp_entry_format(where, sizeof where, "", t->rank, t->shape, k);
    gmp_fprintf(out, "\n  %s = %Qd", where, cvp_tensor_at_const(t, k));
}

/* The entries that differ from the common value (all of them, in order,
 * when no value is shared by most entries), at most
 * CVP_SUMMARY_MAX_LISTED of them. */
static void put_values(FILE *out, const cvp_tensor_struct *t)
{
    size_t shared = 0;
    size_t common = majority(t, &shared);
    if (common == SIZE_MAX) {
        fputs(", no value shared by most of them; the first ", out);
        put_count(out, CVP_SUMMARY_MAX_LISTED);
        fputc(':', out);
        for (size_t k = 0; k < t->size && k < CVP_SUMMARY_MAX_LISTED; k++)
            put_entry(out, t, k);
        fputs("\n  ... (--full or the JSON report shows every entry)", out);
        return;
    }
    mpq_srcptr value = cvp_tensor_at_const(t, common);
    gmp_fprintf(out, ", all %Qd", value);
    size_t others = t->size - shared;
    if (others == 0)
        return;
    fputs(" except ", out);
    put_count(out, others);
    fputc(':', out);
    size_t listed = 0;
    for (size_t k = 0; k < t->size && listed < CVP_SUMMARY_MAX_LISTED; k++)
        if (!mpq_equal(cvp_tensor_at_const(t, k), value)) {
            put_entry(out, t, k);
            listed++;
        }
    if (others > listed) {
        fputs("\n  ... and ", out);
        put_count(out, others - listed);
        fputs(" more (--full or the JSON report shows every entry)", out);
    }
}

/* For the first entries where t and other differ: the entries of t
 * around it along the last axis. */
static void put_neighbourhoods(FILE *out, const cvp_tensor_struct *t,
                               const cvp_tensor_struct *other)
{
    if (t->rank == 0 || !cvp_tensor_same_shape(t, other))
        return;
    size_t row = t->shape[t->rank - 1], shown = 0;
    for (size_t k = 0; k < t->size && shown < CVP_SUMMARY_MAX_NEIGHBOURHOODS; k++) {
        if (mpq_equal(cvp_tensor_at_const(t, k), cvp_tensor_at_const(other, k)))
            continue;
        shown++;
        size_t at = k % row, start = k - at;
        size_t from = at >= 2 ? at - 2 : 0, to = at + 3 < row ? at + 3 : row;
        char where[160], prefix[160];
        cvp_entry_format(where, sizeof where, "", t->rank, t->shape, k);
        /* the index without its last coordinate: "[0,7,55," */
        cvp_entry_format(prefix, sizeof prefix, "", t->rank, t->shape, start);
        char *last = strrchr(prefix, ',');
        if (last != NULL)
            last[1] = '\0';
        else
            strcpy(prefix, "[");
        fprintf(out, "\n  near %s: %s%zu:%zu] = [", where, prefix, from, to);
        for (size_t j = from; j < to; j++)
            gmp_fprintf(out, "%s%Qd", j > from ? ", " : "",
                        cvp_tensor_at_const(t, start + j));
        fputc(']', out);
    }
}

char *cvp_summary_tensor(const char *text, const char *other)
{
    cvp_tensor_t t, o;
    cvp_tensor_init(t);
    cvp_tensor_init(o);
    char *summary = NULL;
    if (parse(t, text) && t->size > CVP_SUMMARY_MAX_ENTRIES) {
        size_t len = 0;
        FILE *out = open_memstream(&summary, &len);
        CVP_ASSERT(out != NULL);
        char shape[160];
        cvp_shape_format(shape, sizeof shape, t->rank, t->shape);
        fprintf(out, "shape %s, ", shape);
        put_count(out, t->size);
        fputs(" entries", out);
        put_values(out, t);
        if (other != NULL && parse(o, other))
            put_neighbourhoods(out, t, o);
        fputc('\n', out);
        CVP_ASSERT(fclose(out) == 0);
    }
    cvp_tensor_clear(t);
    cvp_tensor_clear(o);
    return summary;
}

void cvp_shown_init(cvp_shown_values *s, const cvp_counterexample *x,
                    bool full)
{
    s->input_count = x->input_count;
    size_t n = x->input_count + 2;
    s->inputs = calloc(n, sizeof *s->inputs);
    s->owned = calloc(n, sizeof *s->owned);
    CVP_ASSERT(s->inputs != NULL && s->owned != NULL);
    for (size_t k = 0; k < x->input_count; k++) {
        s->owned[k] = full ? NULL : cvp_summary_tensor(x->input_values[k], NULL);
        s->inputs[k] = s->owned[k] != NULL ? s->owned[k] : x->input_values[k];
    }
    char **lhs = &s->owned[n - 2], **rhs = &s->owned[n - 1];
    *lhs = full ? NULL : cvp_summary_tensor(x->lhs, x->rhs);
    *rhs = full ? NULL : cvp_summary_tensor(x->rhs, x->lhs);
    s->lhs = *lhs != NULL ? *lhs : x->lhs;
    s->rhs = *rhs != NULL ? *rhs : x->rhs;
}

void cvp_shown_clear(cvp_shown_values *s)
{
    for (size_t k = 0; k < s->input_count + 2; k++)
        free(s->owned[k]);
    free(s->owned);
    free(s->inputs);
    memset(s, 0, sizeof *s);
}
