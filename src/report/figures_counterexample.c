/* figures_counterexample.c -- pictures of counterexamples: the inputs and
 * both sides as grids, the entries where the sides differ marked.  Only
 * the counterexample the report shows in full is drawn (one per claim,
 * render_util.h), and only its tensors of at most CVP_SUMMARY_MAX_ENTRIES
 * entries: a larger one is summarised in the text (tensor_summary.h),
 * and a grid of it would be the page's bulk.
 *
 * The counterexample records hold exact text forms (verdict.h); they are
 * parsed back into tensors here, so that the comparison of entries is made
 * in the engine and the renderer only draws the marks. */
#include "report/figures_internal.h"

#include <stdint.h>
#include <string.h>

#include "io/tensor_text.h"
#include "report/render_util.h"
#include "report/tensor_summary.h"

/* Parses an exact text form into t; false when it is not a tensor text
 * (a boolean side, say) or has more than CVP_SUMMARY_MAX_ENTRIES
 * entries, which then has no picture. */
static bool parse_value(cvp_tensor_t t, const char *text)
{
    if (text == NULL)
        return false;
    cvp_error e;
    cvp_error_clear(&e);
    return cvp_tensor_parse_text(t, text, strlen(text), "counterexample", &e)
           == CVP_OK && t->size <= CVP_SUMMARY_MAX_ENTRIES;
}

static void add_counterexample(cvp_claim_result *r, const cvp_method_result *m)
{
    const cvp_counterexample *x = m->counterexample;
    char caption[512];
    int used = snprintf(caption, sizeof caption, "Counterexample (%s)",
                        cvp_method_name(m->method));
    if (x->shape != NULL && used >= 0 && (size_t)used < sizeof caption)
        used += snprintf(caption + used, sizeof caption - (size_t)used,
                         " at shape %s", x->shape);
    if (x->show_line > 0 && used >= 0 && (size_t)used < sizeof caption)
        snprintf(caption + used, sizeof caption - (size_t)used,
                 ", show at line %d", x->show_line);
    cvp_figure *f = cvp_claim_add_figure(r, CVP_FIGURE_GRIDS, caption);

    for (size_t k = 0; k < x->input_count; k++) {
        cvp_tensor_t t;
        cvp_tensor_init(t);
        if (parse_value(t, x->input_values[k]))
            cvp_figure_add_tensor_grid(f, x->input_names[k], t, 0);
        cvp_tensor_clear(t);
    }
    cvp_tensor_t lhs, rhs;
    cvp_tensor_init(lhs);
    cvp_tensor_init(rhs);
    bool have_lhs = parse_value(lhs, x->lhs), have_rhs = parse_value(rhs, x->rhs);
    cvp_figure_grid *gl = have_lhs ? cvp_figure_add_tensor_grid(f, "left side", lhs, 0)
                                   : NULL;
    cvp_figure_grid *gr = NULL;
    size_t left_index = f->grid_count - 1;
    if (have_rhs)
        gr = cvp_figure_add_tensor_grid(f, "right side", rhs, 0);
    if (gl != NULL && gr != NULL && cvp_tensor_same_shape(lhs, rhs)) {
        /* Adding the right side may have moved the grids array. */
        gl = &f->grids[left_index];
        for (size_t k = 0; k < lhs->size; k++)
            if (!mpq_equal(cvp_tensor_at_const(lhs, k), cvp_tensor_at_const(rhs, k))) {
                gl->marks[k] |= CVP_CELL_DIFFERS;
                gr->marks[k] |= CVP_CELL_DIFFERS;
            }
    }
    cvp_tensor_clear(lhs);
    cvp_tensor_clear(rhs);
    if (f->grid_count == 0)
        cvp_claim_remove_last_figure(r);
}

void figures_add_counterexamples(cvp_claim_result *result)
{
    size_t k = cvp_render_main_counterexample(result);
    if (k != SIZE_MAX)
        add_counterexample(result, &result->methods[k]);
}
