/* check_advice.c -- what to change so that an undecided claim can be
 * decided: every UNDECIDED method's reason gets a line saying which option
 * raises the limit it met (or that the cap is fixed, and which method has
 * none), and which dims to narrow or tensors to make smaller. */
#include "check/check_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/subgrad.h"
#include "kernel/ring_poly.h"

_Static_assert(CVP_SUBGRAD_MAX_EVALUATIONS == 4096,
               "the advice on answer vectors names the cap");
_Static_assert(CVP_POLY_MAX_DEGREE > 0, "symbolic has a degree cap");

/* What raises the limit a reason names, and whether a smaller shape
 * would help too; NULL when the reason names none this file knows (it
 * then says what to change itself, or nothing can). */
static const char *option_advice(const char *reason, bool *shrink)
{
    static const struct {
        const char *says, *advice;
        bool shrink;   /* a smaller shape would help too */
    } table[] = {
        {"limit timeout reached", "raise --timeout SECONDS (0: no limit)", true},
        {"limit max-memory reached", "raise --max-memory BYTES", true},
        {"limit max-entries reached", "raise --max-entries N (at most 10^10)", true},
        {"limit max-terms reached",
         "raise --max-terms N (symbolic's polynomials; exact and random build "
         "none)", true},
        {"limit max-shapes reached", "raise --max-shapes N", true},
        {"degree cap",
         "the cap is fixed; random and exact have none (by random, exact)", false},
        {"answer vectors",
         "the cap of 4096 answer vectors is fixed (each kink met doubles them): fewer entries tie "
         "with a wider `values` range, and fewer kinks meet at a smaller "
         "shape", true},
        {"too large for a useful error bound",
         "symbolic and exact need no error bound (by symbolic, exact)", false},
        {"operations with every let inlined",
         "the cap of 10^6 operations is fixed: use each let fewer times in "
         "the next (a let is evaluated where it is used)", false},
        {"no shape satisfies",
         "widen the dim ranges or relax the `where` constraints", false},
        {"out of memory",
         "more memory (raise --max-memory BYTES if it was set, or run on a "
         "larger machine)", true},
    };
    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
        if (strstr(reason, table[k].says) != NULL) {
            *shrink = table[k].shrink;
            return table[k].advice;
        }
    return NULL;
}

/* "narrow dim H (2..64), dim C (1..8)", or for a claim whose shapes are
 * fixed "make the tensors smaller (X is [1, 8, 56, 56])", into stream. */
static void put_shrink_advice(FILE *s, const claim_context *c)
{
    const cvp_proof_claim *claim = c->claim;
    size_t ranged = 0;
    for (size_t k = 0; k < claim->dim_count; k++) {
        const cvp_proof_dim *d = &claim->dims[k];
        if (d->unbounded || d->hi <= d->lo)
            continue;
        fprintf(s, "%s dim %s (now %ld..%ld)", ranged++ ? "," : "narrow", d->name,
                d->lo, d->hi);
    }
    if (ranged > 0 || c->shapes.count == 0 || claim->tensor_count == 0)
        return;
    /* The largest input at the (only) shape. */
    const cvp_shape_point *p = &c->shapes.points[0];
    size_t largest = 0, largest_size = 0;
    for (size_t t = 0; t < claim->tensor_count; t++) {
        size_t size = 1;
        for (int a = 0; a < claim->tensors[t].rank; a++)
            size *= p->shapes[t][a];
        if (size > largest_size) {
            largest = t;
            largest_size = size;
        }
    }
    char shape[160];
    cvp_shape_format(shape, sizeof shape, claim->tensors[largest].rank,
                     p->shapes[largest]);
    fprintf(s, "make the tensors smaller (%s is %s)", claim->tensors[largest].name,
            shape);
}

/* all_shapes alone speaks for a claim with a dim without upper bound;
 * when it cannot judge the claim, bounding the dim lets the methods that
 * sweep shapes run (they decide it at those shapes only). */
static void advise_unbounded(cvp_method_result *m, const claim_context *c)
{
    char *names = NULL, *ranges = NULL;
    size_t names_len = 0, ranges_len = 0;
    FILE *n = open_memstream(&names, &names_len);
    FILE *r = open_memstream(&ranges, &ranges_len);
    CVP_ASSERT(n != NULL && r != NULL);
    size_t count = 0;
    for (size_t k = 0; k < c->claim->dim_count; k++) {
        const cvp_proof_dim *d = &c->claim->dims[k];
        if (!d->unbounded)
            continue;
        fprintf(n, "%s%s", count ? ", " : "", d->name);
        fprintf(r, "%sdim %s in %ld..%ld", count ? ", " : "", d->name, d->lo,
                d->lo + 7);
        count++;
    }
    CVP_ASSERT(fclose(n) == 0 && fclose(r) == 0);
    if (count > 0)
        cvp_set_textf(&m->reason, "%s\nto check the claim at some shapes: give "
                      "%s %s %s (%s, say), so that the methods that sweep "
                      "shapes can run where they apply",
                      m->reason != NULL ? m->reason : "not applicable",
                      count == 1 ? "dim" : "dims", names,
                      count == 1 ? "an upper bound" : "upper bounds", ranges);
    free(names);
    free(ranges);
}

static bool claim_unbounded(const claim_context *c)
{
    for (size_t k = 0; k < c->claim->dim_count; k++)
        if (c->claim->dims[k].unbounded)
            return true;
    return false;
}

static void advise(cvp_method_result *m, const claim_context *c)
{
    bool shrink = false;
    const char *advice = option_advice(m->reason, &shrink);
    if (advice == NULL)
        return;
    char *text = NULL;
    size_t len = 0;
    FILE *s = open_memstream(&text, &len);
    CVP_ASSERT(s != NULL);
    fprintf(s, "%s\nto decide it: %s", m->reason, advice);
    long pos = ftell(s);
    fputs("; or ", s);
    long before = ftell(s);
    if (shrink)
        put_shrink_advice(s, c);
    if (ftell(s) == before)   /* nothing to shrink: drop the "; or " */
        fseek(s, pos, SEEK_SET);
    fputc('\0', s);
    CVP_ASSERT(fclose(s) == 0);
    cvp_set_text(&m->reason, text);
    free(text);
}

void check_advise_undecided(const claim_context *c, cvp_claim_result *cr,
                            bool named)
{
    if (cr->outcome != CVP_OUTCOME_UNDECIDED)
        return;
    for (size_t k = 0; k < cr->method_count; k++) {
        cvp_method_result *m = &cr->methods[k];
        if (m->outcome == CVP_OUTCOME_UNDECIDED && m->reason != NULL)
            advise(m, c);
        else if (m->outcome == CVP_OUTCOME_NOT_APPLICABLE
                 && m->method == CVP_METHOD_ALL_SHAPES && claim_unbounded(c))
            /* Without all_shapes nothing decides an unbounded claim:
             * "leave it out" would leave no method; a range would. */
            advise_unbounded(m, c);
        else if (m->outcome == CVP_OUTCOME_NOT_APPLICABLE && named)
            /* The claim asked for this method, which cannot judge it. */
            cvp_set_textf(&m->reason, "%s\nto decide the claim: leave %s out of "
                          "its `by` line", m->reason != NULL ? m->reason
                                                              : "not applicable",
                          cvp_method_name(m->method));
    }
}
