/* verdict.c -- building and freeing the verdict records of verdict.h.
 *
 * Every string a record holds is a private copy, so the engine may pass
 * pointers into its own (shorter-lived) buffers.  Allocation failure is a
 * fatal assertion, like cvp_tensor_init's: the builders return no status,
 * and a report quietly missing a counterexample would mislead its reader.
 */
#include "check/verdict.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/status.h"

/* ---- names -------------------------------------------------------------- */

static const char *const method_names[CVP_METHOD_COUNT] = {
    [CVP_METHOD_EXACT] = "exact",
    [CVP_METHOD_RANDOM] = "random",
    [CVP_METHOD_SYMBOLIC] = "symbolic",
    [CVP_METHOD_ALL_SHAPES] = "all_shapes",
    [CVP_METHOD_BOUNDED] = "bounded",
    [CVP_METHOD_REGIONS] = "regions",
};

/* DESIGN.md's "what a pass means" column, shortened to one line each. */
static const char *const method_strengths[CVP_METHOD_COUNT] = {
    [CVP_METHOD_EXACT] = "holds on the instances checked, exactly",
    [CVP_METHOD_RANDOM] = "holds up to the stated Schwartz-Zippel failure "
                          "probability per trial",
    [CVP_METHOD_SYMBOLIC] = "holds for every real value, for each shape checked",
    [CVP_METHOD_ALL_SHAPES] = "holds for every shape satisfying the constraints",
    [CVP_METHOD_BOUNDED] = "holds within the stated rigorous error bound at the instances checked",
    [CVP_METHOD_REGIONS] = "holds for every real value on every cell of the "
                           "kinks, for each shape checked",
};

const char *cvp_method_name(cvp_method m)
{
    CVP_ASSERT((unsigned)m < CVP_METHOD_COUNT);
    return method_names[m];
}

const char *cvp_method_strength(cvp_method m)
{
    CVP_ASSERT((unsigned)m < CVP_METHOD_COUNT);
    return method_strengths[m];
}

bool cvp_method_proves(cvp_method m)
{
    CVP_ASSERT((unsigned)m < CVP_METHOD_COUNT);
    /* bounded encloses both sides rigorously, but only at the instances
     * it draws (as exact does): its pass is evidence at those points, not
     * a proof for every input. */
    return m != CVP_METHOD_EXACT && m != CVP_METHOD_BOUNDED;
}

const char *cvp_outcome_name(cvp_outcome o)
{
    switch (o) {
    case CVP_OUTCOME_PASSED:
        return "passed";
    case CVP_OUTCOME_FAILED:
        return "failed";
    case CVP_OUTCOME_UNDECIDED:
        return "undecided";
    case CVP_OUTCOME_NOT_APPLICABLE:
        return "not_applicable";
    case CVP_OUTCOME_TESTED:
        return "tested";
    }
    CVP_ASSERT(!"cvp_outcome out of range");
    return NULL;
}

/* ---- allocation helpers ----------------------------------------------- */

static char *copy_text(const char *text)
{
    if (text == NULL)
        return NULL;
    char *copy = strdup(text);
    CVP_ASSERT(copy != NULL);
    return copy;
}

/* Makes room for one more element in a growable array. */
static void *grow_for_one(void *array, size_t count, size_t *capacity,
                          size_t element_size)
{
    if (count < *capacity)
        return array;
    size_t grown = *capacity ? 2 * *capacity : 4;
    CVP_ASSERT(grown <= SIZE_MAX / element_size);
    void *bigger = realloc(array, grown * element_size);
    CVP_ASSERT(bigger != NULL);
    *capacity = grown;
    return bigger;
}

/* ---- freeing ------------------------------------------------------------ */

static void counterexample_free(cvp_counterexample *c)
{
    if (c == NULL)
        return;
    for (size_t k = 0; k < c->input_count; k++) {
        free(c->input_names[k]);
        free(c->input_values[k]);
    }
    free(c->input_names);
    free(c->input_values);
    free(c->input_unused);
    free(c->shape);
    free(c->lhs);
    free(c->rhs);
    free(c->differences);
    free(c->first_term);
    free(c->failure);
    free(c);
}

static void method_result_clear(cvp_method_result *m)
{
    free(m->evidence);
    free(m->reason);
    counterexample_free(m->counterexample);
}

void cvp_figure_drop_grids(cvp_figure *f, size_t keep)
{
    while (f->grid_count > keep) {
        cvp_figure_grid *grid = &f->grids[--f->grid_count];
        for (size_t k = 0; k < grid->rows * grid->cols; k++)
            free(grid->cells[k]);
        free(grid->cells);
        free(grid->marks);
        free(grid->label);
    }
}

static void figure_clear(cvp_figure *f)
{
    cvp_figure_drop_grids(f, 0);
    free(f->grids);
    for (size_t b = 0; b < f->bar_count; b++) {
        free(f->bars[b].label);
        free(f->bars[b].value);
    }
    free(f->bars);
    free(f->caption);
}

static void claim_result_clear(cvp_claim_result *c)
{
    for (size_t k = 0; k < c->method_count; k++)
        method_result_clear(&c->methods[k]);
    free(c->methods);
    for (size_t k = 0; k < c->figure_count; k++)
        figure_clear(&c->figures[k]);
    free(c->figures);
    free(c->title);
    free(c->file);
    free(c->statement);
    free(c->error);
}

/* ---- the report --------------------------------------------------------- */

void cvp_report_init(cvp_report *r, const char *tool_version,
                     unsigned long long seed)
{
    memset(r, 0, sizeof *r);
    r->tool_version = copy_text(tool_version);
    r->seed = seed;
}

void cvp_report_clear(cvp_report *r)
{
    for (size_t k = 0; k < r->claim_count; k++)
        claim_result_clear(&r->claims[k]);
    free(r->claims);
    free(r->tool_version);
    memset(r, 0, sizeof *r);
}

cvp_claim_result *cvp_report_add_claim(cvp_report *r, const char *title,
                                       bool is_refute, const char *file,
                                       int line, const char *statement)
{
    r->claims = grow_for_one(r->claims, r->claim_count, &r->claim_cap,
                             sizeof *r->claims);
    cvp_claim_result *c = &r->claims[r->claim_count++];
    memset(c, 0, sizeof *c);
    c->title = copy_text(title);
    c->is_refute = is_refute;
    c->file = copy_text(file);
    c->line = line;
    c->statement = copy_text(statement);
    c->outcome = CVP_OUTCOME_UNDECIDED;
    return c;
}

void cvp_report_move_claims(cvp_report *to, cvp_report *from)
{
    for (size_t k = 0; k < from->claim_count; k++) {
        to->claims = grow_for_one(to->claims, to->claim_count, &to->claim_cap,
                                  sizeof *to->claims);
        /* a shallow copy: the strings and arrays change owner */
        to->claims[to->claim_count++] = from->claims[k];
    }
    free(from->claims);
    from->claims = NULL;
    from->claim_count = from->claim_cap = 0;
}

void cvp_report_take_claim(cvp_report *to, cvp_report *from, size_t index)
{
    CVP_ASSERT(index < from->claim_count);
    to->claims = grow_for_one(to->claims, to->claim_count, &to->claim_cap,
                              sizeof *to->claims);
    to->claims[to->claim_count++] = from->claims[index];
    /* the emptied slot owns nothing, so clearing `from` later is safe */
    memset(&from->claims[index], 0, sizeof from->claims[index]);
}

cvp_method_result *cvp_claim_add_method(cvp_claim_result *c, cvp_method m)
{
    CVP_ASSERT((unsigned)m < CVP_METHOD_COUNT);
    /* The claim record has no capacity field, and a claim has at most a
     * handful of methods, so the array grows to exactly the new count. */
    size_t n = c->method_count + 1;
    CVP_ASSERT(n <= SIZE_MAX / sizeof *c->methods);
    cvp_method_result *methods = realloc(c->methods, n * sizeof *methods);
    CVP_ASSERT(methods != NULL);
    c->methods = methods;
    cvp_method_result *result = &c->methods[c->method_count++];
    memset(result, 0, sizeof *result);
    result->method = m;
    result->outcome = CVP_OUTCOME_UNDECIDED;
    return result;
}

cvp_outcome cvp_claim_decide(cvp_claim_result *c)
{
    bool any_passed = false, any_proved = false, any_failed = false;
    for (size_t k = 0; k < c->method_count; k++) {
        bool passed = c->methods[k].outcome == CVP_OUTCOME_PASSED;
        any_passed |= passed;
        any_proved |= passed && cvp_method_proves(c->methods[k].method);
        any_failed |= c->methods[k].outcome == CVP_OUTCOME_FAILED;
    }
    /* A counterexample settles a question that no number of passing
     * instances can: it is FAILED for a claim and PASSED for a refute.
     * Passing instances alone leave a claim TESTED, not proved. */
    if (!c->is_refute)
        c->outcome = any_failed ? CVP_OUTCOME_FAILED
                   : any_proved ? CVP_OUTCOME_PASSED
                   : any_passed ? CVP_OUTCOME_TESTED
                   : CVP_OUTCOME_UNDECIDED;
    else
        c->outcome = any_passed ? CVP_OUTCOME_PASSED
                   : any_failed ? CVP_OUTCOME_FAILED
                   : CVP_OUTCOME_UNDECIDED;
    return c->outcome;
}

cvp_counterexample *cvp_method_add_counterexample(cvp_method_result *m)
{
    counterexample_free(m->counterexample);
    m->counterexample = calloc(1, sizeof *m->counterexample);
    CVP_ASSERT(m->counterexample != NULL);
    return m->counterexample;
}

void cvp_counterexample_add_input(cvp_counterexample *c, const char *name,
                                  const char *value)
{
    /* Both arrays grow together to exactly input_count + 1 entries: inputs
     * are few (the tensors of one `show`), so simplicity beats doubling. */
    size_t n = c->input_count + 1;
    CVP_ASSERT(n <= SIZE_MAX / sizeof(char *));
    char **names = realloc(c->input_names, n * sizeof *names);
    CVP_ASSERT(names != NULL);
    c->input_names = names;
    char **values = realloc(c->input_values, n * sizeof *values);
    CVP_ASSERT(values != NULL);
    c->input_values = values;
    bool *unused = realloc(c->input_unused, n * sizeof *unused);
    CVP_ASSERT(unused != NULL);
    c->input_unused = unused;
    c->input_names[c->input_count] = copy_text(name);
    c->input_values[c->input_count] = copy_text(value);
    c->input_unused[c->input_count] = false;
    c->input_count = n;
}

void cvp_counterexample_mark_unused(cvp_counterexample *c, size_t k)
{
    CVP_ASSERT(k < c->input_count);
    c->input_unused[k] = true;
}

/* Figures, grids and bars are few per claim, so their arrays grow to
 * exactly the new count, like the methods'. */
static void *grow_exact(void *array, size_t count, size_t element_size)
{
    CVP_ASSERT(count + 1 <= SIZE_MAX / element_size);
    void *bigger = realloc(array, (count + 1) * element_size);
    CVP_ASSERT(bigger != NULL);
    memset((char *)bigger + count * element_size, 0, element_size);
    return bigger;
}

cvp_figure *cvp_claim_add_figure(cvp_claim_result *c, cvp_figure_kind kind,
                                 const char *caption)
{
    c->figures = grow_exact(c->figures, c->figure_count, sizeof *c->figures);
    cvp_figure *f = &c->figures[c->figure_count++];
    f->kind = kind;
    f->caption = copy_text(caption);
    return f;
}

cvp_figure_grid *cvp_figure_add_grid(cvp_figure *f, const char *label,
                                     size_t rows, size_t cols)
{
    CVP_ASSERT(cols == 0 || rows <= SIZE_MAX / sizeof(char *) / cols);
    f->grids = grow_exact(f->grids, f->grid_count, sizeof *f->grids);
    cvp_figure_grid *g = &f->grids[f->grid_count++];
    g->label = copy_text(label);
    g->rows = rows;
    g->cols = cols;
    size_t n = rows * cols;
    g->cells = calloc(n ? n : 1, sizeof *g->cells);
    g->marks = calloc(n ? n : 1, 1);
    CVP_ASSERT(g->cells != NULL && g->marks != NULL);
    for (size_t k = 0; k < n; k++)
        g->cells[k] = copy_text("");
    return g;
}

void cvp_figure_add_bar(cvp_figure *f, const char *label, const char *value,
                        double magnitude)
{
    f->bars = grow_exact(f->bars, f->bar_count, sizeof *f->bars);
    cvp_figure_bar *b = &f->bars[f->bar_count++];
    b->label = copy_text(label);
    b->value = copy_text(value);
    b->magnitude = magnitude;
}

void cvp_claim_remove_last_figure(cvp_claim_result *c)
{
    CVP_ASSERT(c->figure_count > 0);
    figure_clear(&c->figures[--c->figure_count]);
}

void cvp_report_counts(const cvp_report *r, size_t *passed, size_t *failed,
                       size_t *undecided)
{
    size_t counts[3] = {0, 0, 0};
    for (size_t k = 0; k < r->claim_count; k++) {
        switch (r->claims[k].outcome) {
        case CVP_OUTCOME_PASSED:
            counts[0]++;
            break;
        case CVP_OUTCOME_FAILED:
            counts[1]++;
            break;
        case CVP_OUTCOME_UNDECIDED:
        case CVP_OUTCOME_NOT_APPLICABLE:
            counts[2]++;
            break;
        case CVP_OUTCOME_TESTED:
            break;
        }
    }
    if (passed != NULL)
        *passed = counts[0];
    if (failed != NULL)
        *failed = counts[1];
    if (undecided != NULL)
        *undecided = counts[2];
}

size_t cvp_report_tested_count(const cvp_report *r)
{
    size_t tested = 0;
    for (size_t k = 0; k < r->claim_count; k++)
        tested += r->claims[k].outcome == CVP_OUTCOME_TESTED;
    return tested;
}

size_t cvp_report_error_count(const cvp_report *r)
{
    size_t n = 0;
    for (size_t k = 0; k < r->claim_count; k++)
        n += r->claims[k].error != NULL;
    return n;
}
