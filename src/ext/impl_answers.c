/* impl_answers.c -- the gathered cases of a proof file's implementations
 * and their answers (impl_answers.h). */
#include "ext/impl_answers.h"

#include <stdlib.h>
#include <string.h>

void cvp_impl_answers_init(cvp_impl_answers *a)
{
    memset(a, 0, sizeof *a);
}

static void answer_clear(cvp_impl_answer *item)
{
    cvp_impl_case_clear(&item->c);
    if (item->answered)
        cvp_impl_result_clear(&item->r);
}

void cvp_impl_answers_clear(cvp_impl_answers *a)
{
    for (size_t i = 0; i < a->count; i++)
        answer_clear(&a->items[i]);
    free(a->items);
    cvp_impl_answers_init(a);
}

cvp_impl_answer *cvp_impl_answers_find(cvp_impl_answers *a, size_t k,
                                       const cvp_impl_case *c)
{
    for (size_t i = 0; i < a->count; i++)
        if (a->items[i].implementation == k
            && cvp_impl_case_same(&a->items[i].c, c))
            return &a->items[i];
    return NULL;
}

cvp_status cvp_impl_answers_add(cvp_impl_answers *a, size_t k,
                                const cvp_impl_case *c, cvp_error *err)
{
    if (a->count == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 16;
        cvp_impl_answer *items = realloc(a->items, cap * sizeof *items);
        if (items == NULL)
            return cvp_error_set(err, CVP_ERR_LIMIT, "out of memory");
        a->items = items;
        a->cap = cap;
    }
    cvp_impl_answer *item = &a->items[a->count];
    memset(item, 0, sizeof *item);
    item->implementation = k;
    cvp_impl_case_init(&item->c);
    cvp_status st = cvp_impl_case_set(&item->c, c, err);
    if (st != CVP_OK) {
        cvp_impl_case_clear(&item->c);
        return st;
    }
    a->count++;
    a->pending++;
    a->pending_entries += cvp_impl_case_entries(c, NULL);
    return CVP_OK;
}

/* Whether r is what a run of its case alone gives (impl_answers.h). */
static bool as_if_alone(const cvp_impl_result *r)
{
    /* An "unsupported" answer comes from the case's own status file. */
    return r->run_cases == 1 || r->finding == CVP_IMPL_AGREES
           || r->finding == CVP_IMPL_WRONG_VALUES
           || r->finding == CVP_IMPL_UNSUPPORTED;
}

/* Removes the items that are neither answered nor pending of another
 * implementation than k, keeping the order of the rest. */
static void drop_unanswered(cvp_impl_answers *a, size_t k)
{
    size_t kept = 0;
    for (size_t i = 0; i < a->count; i++) {
        cvp_impl_answer *item = &a->items[i];
        if (!item->answered && item->implementation == k) {
            answer_clear(item);
            continue;
        }
        if (kept != i)
            a->items[kept] = *item;   /* a move: tensors hold no pointer
                                         into themselves */
        kept++;
    }
    a->count = kept;
}

cvp_status cvp_impl_answers_run(cvp_impl_answers *a, size_t k,
                                cvp_impl_runner *runner, cvp_error *err)
{
    size_t count = 0;
    for (size_t i = 0; i < a->count; i++)
        count += !a->items[i].answered && a->items[i].implementation == k;
    if (count == 0)
        return CVP_OK;
    const cvp_impl_case **cases = calloc(count, sizeof *cases);
    size_t *where = calloc(count, sizeof *where);
    cvp_impl_result *results = calloc(count, sizeof *results);
    if (cases == NULL || where == NULL || results == NULL) {
        free(cases);
        free(where);
        free(results);
        return cvp_error_set(err, CVP_ERR_LIMIT, "out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < a->count; i++)
        if (!a->items[i].answered && a->items[i].implementation == k) {
            cases[n] = &a->items[i].c;
            where[n] = i;
            cvp_impl_result_init(&results[n]);
            n++;
        }
    cvp_status st = cvp_impl_run(runner, results, cases, count, err);
    for (size_t j = 0; j < count; j++) {
        cvp_impl_answer *item = &a->items[where[j]];
        if (st == CVP_OK && as_if_alone(&results[j])) {
            item->r = results[j];   /* moved */
            item->answered = true;
        } else {
            cvp_impl_result_clear(&results[j]);
        }
        a->pending--;
        a->pending_entries -= cvp_impl_case_entries(&item->c, NULL);
    }
    free(cases);
    free(where);
    free(results);
    drop_unanswered(a, k);
    return st;
}
