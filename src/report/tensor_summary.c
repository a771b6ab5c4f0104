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

static int compare_values(const void *a, const void *b)
{
    return mpq_cmp(*(mpq_srcptr const *)a, *(mpq_srcptr const *)b);
}

/* The index of an entry whose value the most entries share (the first
 * such entry in row-major order among equally common values), and how
 * many share it. */
static size_t most_common(const cvp_tensor_struct *t, size_t *count)
{
    mpq_srcptr *sorted = malloc(t->size * sizeof *sorted);
    CVP_ASSERT(sorted != NULL);
    for (size_t k = 0; k < t->size; k++)
        sorted[k] = cvp_tensor_at_const(t, k);
    qsort(sorted, t->size, sizeof *sorted, compare_values);
    size_t best = 0, best_count = 0;
    for (size_t start = 0; start < t->size;) {
        size_t end = start + 1;
        while (end < t->size && mpq_equal(sorted[end], sorted[start]))
            end++;
        if (end - start > best_count) {
            best = start;
            best_count = end - start;
        }
        start = end;
    }
    size_t index = 0;
    while (!mpq_equal(cvp_tensor_at_const(t, index), sorted[best]))
        index++;
    free(sorted);
    *count = best_count;
    return index;
}

static void put_entry(FILE *out, const cvp_tensor_struct *t, size_t k)
{
    char where[160];
    cvp_entry_format(where, sizeof where, "", t->rank, t->shape, k);
    gmp_fprintf(out, "\n  %s = %Qd", where, cvp_tensor_at_const(t, k));
}

/* The value most entries share, and the entries that differ from it, at
 * most CVP_SUMMARY_MAX_LISTED of them. */
static void put_values(FILE *out, const cvp_tensor_struct *t)
{
    size_t shared = 0;
    mpq_srcptr value = cvp_tensor_at_const(t, most_common(t, &shared));
    size_t others = t->size - shared;
    if (others == 0) {
        gmp_fprintf(out, ", all %Qd", value);
        return;
    }
    if (2 * shared > t->size) {
        gmp_fprintf(out, ", all %Qd except ", value);
    } else {
        gmp_fprintf(out, ", %Qd at ", value);
        put_count(out, shared);
        fputs(" of them, the other ", out);
    }
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
        if (!full && x->input_unused != NULL && x->input_unused[k]) {
            s->inputs[k] = NULL;   /* left out: it cannot change the sides */
            continue;
        }
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
