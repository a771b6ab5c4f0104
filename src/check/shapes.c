/* shapes.c -- enumerating the shape assignments of a claim. */
#include "check/shapes.h"
#include "kernel/interrupt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void point_clear(cvp_shape_point *p)
{
    free(p->dims);
    free(p->shapes);
}

void cvp_shape_list_clear(cvp_shape_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        point_clear(&list->points[i]);
    free(list->points);
    memset(list, 0, sizeof *list);
}

static int compare_points(const void *pa, const void *pb, void *dim_count)
{
    const cvp_shape_point *a = pa, *b = pb;
    if (a->total_entries != b->total_entries)
        return a->total_entries < b->total_entries ? -1 : 1;
    size_t n = *(size_t *)dim_count;
    for (size_t k = 0; k < n; k++)
        if (a->dims[k] != b->dims[k])
            return a->dims[k] < b->dims[k] ? -1 : 1;
    return 0;
}

/* Insertion-free stable sort without qsort_r (not in C11): merge sort. */
static void sort_points(cvp_shape_point *p, size_t n, size_t dim_count)
{
    if (n < 2)
        return;
    cvp_shape_point *tmp = malloc(n * sizeof *tmp);
    CVP_ASSERT(tmp != NULL);
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = compare_points(&p[j], &p[i], &dim_count) < 0 ? p[j++] : p[i++];
            while (i < mid)
                tmp[k++] = p[i++];
            while (j < hi)
                tmp[k++] = p[j++];
        }
        memcpy(p, tmp, n * sizeof *p);
    }
    free(tmp);
}

/* Computes the input shapes at `values`; false (with err set) on a bad
 * shape expression. */
static cvp_status shapes_at(cvp_shape_point *p, const cvp_proof_claim *claim,
                            const long *values, const char *source,
                            cvp_lang_error *err)
{
    p->total_entries = 0;
    for (size_t t = 0; t < claim->tensor_count; t++) {
        const cvp_proof_tensor *tensor = &claim->tensors[t];
        for (int a = 0; a < tensor->rank; a++) {
            long v;
            const cvp_shape_expr *e = tensor->shape[a];
            if (!cvp_shape_eval(&v, e, values))
                return cvp_lang_error_set(err, CVP_ERR_INPUT, source, e->pos,
                                          "dimension %d of tensor %s cannot be "
                                          "computed (division by zero or overflow)",
                                          a, tensor->name);
            if (v < 0)
                return cvp_lang_error_set(err, CVP_ERR_INPUT, source, e->pos,
                                          "dimension %d of tensor %s is %ld, "
                                          "below 0 (add a `where`)", a,
                                          tensor->name, v);
            p->shapes[t][a] = (size_t)v;
        }
        size_t size;
        cvp_error e;
        cvp_error_clear(&e);
        if (cvp_shape_size(&size, tensor->rank, p->shapes[t], &e) != CVP_OK)
            return cvp_lang_error_from(err, &e, source, tensor->pos, tensor->name);
        p->total_entries += size;
    }
    return CVP_OK;
}

/* Assignments of the dims searched per shape allowed (see below). */
#define SHAPES_SEARCH_FACTOR 100ULL

cvp_status cvp_shape_list_build(cvp_shape_list *list,
                                const cvp_proof_claim *claim,
                                const char *source, size_t max_shapes,
                                cvp_lang_error *err)
{
    memset(list, 0, sizeof *list);
    list->dim_count = claim->dim_count;
    list->tensor_count = claim->tensor_count;
    size_t n = claim->dim_count;
    for (size_t k = 0; k < n; k++)
        if (claim->dims[k].unbounded)
            return cvp_lang_error_set(err, CVP_ERR_INPUT, source, claim->dims[k].pos,
                                      "dim %s has no upper bound: the finite methods "
                                      "need a range (dim %s in LO..HI)",
                                      claim->dims[k].name, claim->dims[k].name);
    long *values = calloc(n ? n : 1, sizeof *values);
    CVP_ASSERT(values != NULL);
    for (size_t k = 0; k < n; k++)
        values[k] = claim->dims[k].lo;
    size_t cap = 0;
    cvp_status st = CVP_OK;
    bool done = false;
    /* Constraints that exclude nearly every assignment of wide ranges
     * (dim M, N in 1..10^9 with where M > N * N) would make the search
     * run for ages while finding few shapes: it visits at most
     * SHAPES_SEARCH_FACTOR assignments per allowed shape, and stops at a
     * --timeout (kernel/interrupt.h). */
    unsigned long long visited = 0;
    unsigned long long max_visits = (unsigned long long)(max_shapes ? max_shapes : 1)
                                    * SHAPES_SEARCH_FACTOR;
    while (!done && st == CVP_OK) {
        if (++visited > max_visits) {
            st = cvp_lang_error_set(err, CVP_ERR_LIMIT, source, claim->pos,
                                    "the dim ranges have more than %llu assignments "
                                    "to search for at most %zu shapes (narrow the dim "
                                    "ranges; see --max-shapes)", max_visits, max_shapes);
            break;
        }
        if (cvp_interrupt_poll()) {
            const char *name = cvp_interrupt_limit_name(cvp_interrupt_reached());
            st = cvp_lang_error_set(err, CVP_ERR_LIMIT, source, claim->pos,
                                    "not decided: limit %s reached (searching the "
                                    "shapes)", name != NULL ? name : "(unknown)");
            break;
        }
        bool ok = true;
        for (size_t c = 0; ok && c < claim->constraint_count; c++) {
            /* with its `or` alternatives; a constraint that cannot be
             * evaluated (a division by zero) excludes the assignment */
            bool holds = false;
            ok = cvp_proof_constraint_eval(&holds, &claim->constraints[c], values)
                 && holds;
        }
        if (ok) {
            if (list->count == max_shapes) {
                st = cvp_lang_error_set(err, CVP_ERR_LIMIT, source, claim->pos,
                                        "the claim has more than %zu shapes (narrow "
                                        "the dim ranges)", max_shapes);
                break;
            }
            if (list->count == cap) {
                cap = cap ? 2 * cap : 64;
                cvp_shape_point *grown = realloc(list->points, cap * sizeof *grown);
                CVP_ASSERT(grown != NULL);
                list->points = grown;
            }
            cvp_shape_point *p = &list->points[list->count++];
            p->dims = malloc((n ? n : 1) * sizeof *p->dims);
            p->shapes = calloc(claim->tensor_count ? claim->tensor_count : 1,
                               sizeof *p->shapes);
            CVP_ASSERT(p->dims != NULL && p->shapes != NULL);
            memcpy(p->dims, values, n * sizeof *values);
            st = shapes_at(p, claim, values, source, err);
        }
        /* next assignment: odometer over the ranges, last dim fastest */
        done = true;
        for (size_t k = n; k-- > 0;) {
            if (values[k] < claim->dims[k].hi) {
                values[k]++;
                done = false;
                break;
            }
            values[k] = claim->dims[k].lo;
        }
    }
    free(values);
    if (st != CVP_OK) {
        cvp_shape_list_clear(list);
        return st;
    }
    sort_points(list->points, list->count, n);
    return CVP_OK;
}

cvp_status cvp_shape_point_at(cvp_shape_point *p, const cvp_proof_claim *claim,
                              const long *values, const char *source_name,
                              cvp_lang_error *err)
{
    size_t n = claim->dim_count;
    p->dims = malloc((n ? n : 1) * sizeof *p->dims);
    p->shapes = calloc(claim->tensor_count ? claim->tensor_count : 1, sizeof *p->shapes);
    CVP_ASSERT(p->dims != NULL && p->shapes != NULL);
    memcpy(p->dims, values, n * sizeof *values);
    cvp_status st = shapes_at(p, claim, values, source_name, err);
    if (st != CVP_OK) {
        point_clear(p);
        memset(p, 0, sizeof *p);
    }
    return st;
}

void cvp_shape_point_clear(cvp_shape_point *p)
{
    point_clear(p);
    memset(p, 0, sizeof *p);
}

void cvp_shape_point_format(char *buf, size_t bufsize,
                            const cvp_proof_claim *claim,
                            const cvp_shape_point *p)
{
    size_t used = 0;
    buf[0] = '\0';
    if (claim->dim_count == 0) {
        snprintf(buf, bufsize, "(no dims)");
        return;
    }
    for (size_t k = 0; k < claim->dim_count && used < bufsize; k++) {
        int w = snprintf(buf + used, bufsize - used, "%s%s=%ld", k ? ", " : "",
                         claim->dims[k].name, p->dims[k]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}
