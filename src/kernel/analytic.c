/* analytic.c -- exp, log, tanh, sigmoid, softmax and cross-entropy over
 * the enclosing rings (see analytic.h). */
#include "kernel/analytic.h"
#include "kernel/alloc.h"

#include <stdlib.h>

#include "kernel/ring_interval.h"
#include "kernel/ring_jet.h"

/* ---- the operations of each enclosing ring ---------------------------- */

static void iv_div(cvp_ring *R, void *r, const void *a, const void *b)
{
    cvp_interval_div(R, r, a, b);
}
static void iv_exp(cvp_ring *R, void *r, const void *a) { cvp_interval_exp(R, r, a); }
static void iv_log(cvp_ring *R, void *r, const void *a) { cvp_interval_log(R, r, a); }
static void iv_tanh(cvp_ring *R, void *r, const void *a) { cvp_interval_tanh(R, r, a); }
static void iv_sigmoid(cvp_ring *R, void *r, const void *a)
{
    cvp_interval_sigmoid(R, r, a);
}

static const cvp_analytic_ops interval_ops = {iv_div, iv_exp, iv_log, iv_tanh,
                                              iv_sigmoid};

static void jet_div(cvp_ring *R, void *r, const void *a, const void *b)
{
    cvp_jet_div(R, r, a, b);
}
static void jet_exp(cvp_ring *R, void *r, const void *a) { cvp_jet_exp(R, r, a); }
static void jet_log(cvp_ring *R, void *r, const void *a) { cvp_jet_log(R, r, a); }
static void jet_tanh(cvp_ring *R, void *r, const void *a) { cvp_jet_tanh(R, r, a); }
static void jet_sigmoid(cvp_ring *R, void *r, const void *a) { cvp_jet_sigmoid(R, r, a); }

static const cvp_analytic_ops jet_ops = {jet_div, jet_exp, jet_log, jet_tanh,
                                         jet_sigmoid};

const cvp_analytic_ops *cvp_ring_analytic(const cvp_ring *R)
{
    if (cvp_ring_is_interval(R))
        return &interval_ops;
    if (cvp_ring_is_jet(R))
        return &jet_ops;
    return NULL;
}

const char *cvp_analytic_fn_name(cvp_analytic_fn fn)
{
    switch (fn) {
    case CVP_FN_EXP: return "exp";
    case CVP_FN_LOG: return "log";
    case CVP_FN_TANH: return "tanh";
    case CVP_FN_SIGMOID: return "sigmoid";
    }
    return "?";
}

/* The ring's operations, or the "use bounded" failure naming `fn`. */
static cvp_status need_ops(const cvp_analytic_ops **ops, cvp_ring *R,
                           const char *fn, cvp_error *err)
{
    *ops = cvp_ring_analytic(R);
    if (*ops != NULL)
        return CVP_OK;
    if (R == &cvp_ring_q)
        return cvp_error_set(err, CVP_ERR_UNSUPPORTED,
                             "%s: transcendental: use `bounded` (%s has no "
                             "exact value in Q)", fn, fn);
    return cvp_error_set(err, CVP_ERR_UNSUPPORTED,
                         "%s: transcendental: use `bounded` (%s is not a "
                         "polynomial)", fn, fn);
}

/* One scratch element of R (freed with elem_free). */
static void *elem_new(cvp_ring *R)
{
    void *x = cvp_xmalloc(R->elem_size);
    R->init(R, x);
    return x;
}

static void elem_free(cvp_ring *R, void *x)
{
    R->clear(R, x);
    free(x);
}

/* ---- the operators --------------------------------------------------- */

cvp_status cvp_tensor_analytic(cvp_tensor_t out, const cvp_tensor_t X,
                               cvp_analytic_fn fn, cvp_error *err)
{
    cvp_ring *R = X->ring;
    if (R->shape_only)
        return cvp_tensor_set(out, X, err);
    const cvp_analytic_ops *ops;
    cvp_status st = need_ops(&ops, R, cvp_analytic_fn_name(fn), err);
    if (st == CVP_OK)
        st = cvp_tensor_set(out, X, err);
    for (size_t k = 0; st == CVP_OK && k < out->size; k++) {
        void *x = cvp_tensor_elem(out, k);
        switch (fn) {
        case CVP_FN_EXP: ops->exp(R, x, x); break;
        case CVP_FN_LOG: ops->log(R, x, x); break;
        case CVP_FN_TANH: ops->tanh(R, x, x); break;
        case CVP_FN_SIGMOID: ops->sigmoid(R, x, x); break;
        }
    }
    if (st == CVP_OK)
        st = cvp_ring_check(R, err);
    return st;
}

cvp_status cvp_softmax(cvp_tensor_t out, const cvp_tensor_t X, int axis,
                       cvp_error *err)
{
    CVP_ASSERT(axis >= 0 && axis < X->rank);
    cvp_ring *R = X->ring;
    if (R->shape_only)
        return cvp_tensor_set(out, X, err);
    const cvp_analytic_ops *ops;
    cvp_status st = need_ops(&ops, R, "softmax", err);
    if (st != CVP_OK)
        return st;
    cvp_tensor_t result;
    cvp_tensor_init_ring(result, R);
    st = cvp_tensor_set(result, X, err);
    /* The entries along `axis` of one slice are j*inner apart. */
    size_t n = X->shape[axis], inner = 1;
    for (int a = axis + 1; a < X->rank; a++)
        inner *= X->shape[a];
    size_t outer = n == 0 || inner == 0 ? 0 : X->size / (n * inner);
    void *total = elem_new(R);
    for (size_t o = 0; st == CVP_OK && o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            size_t base = o * n * inner + i;
            cvp_ring_set_si(R, total, 0);
            for (size_t j = 0; j < n; j++) {
                void *e = cvp_tensor_elem(result, base + j * inner);
                ops->exp(R, e, e);
                R->add(R, total, total, e);
            }
            for (size_t j = 0; j < n; j++) {
                void *e = cvp_tensor_elem(result, base + j * inner);
                ops->div(R, e, e, total);
            }
        }
    elem_free(R, total);
    if (st == CVP_OK)
        st = cvp_ring_check(R, err);
    if (st == CVP_OK)
        cvp_tensor_swap(out, result);
    cvp_tensor_clear(result);
    return st;
}

cvp_status cvp_cross_entropy(cvp_tensor_t out, const cvp_tensor_t logits,
                             const cvp_tensor_t target, cvp_error *err)
{
    cvp_status st = cvp_tensor_check_ring("cross_entropy", logits, target, err);
    if (st != CVP_OK)
        return st;
    char a[128], b[128];
    cvp_shape_format(a, sizeof a, logits->rank, logits->shape);
    cvp_shape_format(b, sizeof b, target->rank, target->shape);
    if (logits->rank < 1 || logits->rank > 2)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "cross_entropy: the logits must have shape [C] or "
                             "[N, C], got %s", a);
    if (!cvp_tensor_same_shape(logits, target))
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "cross_entropy: the target must be class "
                             "probabilities of the logits' shape %s (write a "
                             "class index one-hot), got %s", a, b);
    size_t batch = logits->rank == 2 ? logits->shape[0] : 1;
    size_t classes = logits->shape[logits->rank - 1];
    if (batch == 0 || classes == 0)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "cross_entropy: no %s in the logits of shape %s",
                             batch == 0 ? "samples" : "classes", a);
    cvp_ring *R = logits->ring;
    cvp_tensor_t result;
    cvp_tensor_init_ring(result, R);   /* the scalar 0 */
    if (R->shape_only) {
        cvp_tensor_swap(out, result);
        cvp_tensor_clear(result);
        return CVP_OK;
    }
    const cvp_analytic_ops *ops;
    st = need_ops(&ops, R, "cross_entropy", err);
    if (st != CVP_OK) {
        cvp_tensor_clear(result);
        return st;
    }
    void *loss = cvp_tensor_elem(result, 0);
    void *lse = elem_new(R), *term = elem_new(R);
    for (size_t n = 0; n < batch; n++) {
        const size_t row = n * classes;
        /* lse = log(sum_i exp(logits[n, i])) */
        cvp_ring_set_si(R, lse, 0);
        for (size_t i = 0; i < classes; i++) {
            ops->exp(R, term, cvp_tensor_elem(logits, row + i));
            R->add(R, lse, lse, term);
        }
        ops->log(R, lse, lse);
        /* loss += sum_c target[n, c] * (lse - logits[n, c]) */
        for (size_t c = 0; c < classes; c++) {
            R->sub(R, term, lse, cvp_tensor_elem(logits, row + c));
            R->mul(R, term, cvp_tensor_elem(target, row + c), term);
            R->add(R, loss, loss, term);
        }
    }
    if (logits->rank == 2) {
        /* reduction 'mean': divide by the batch size */
        mpq_t inverse;
        mpq_init(inverse);
        mpq_set_ui(inverse, 1, (unsigned long)batch);
        R->set_q(R, term, inverse);
        R->mul(R, loss, loss, term);
        mpq_clear(inverse);
    }
    elem_free(R, lse);
    elem_free(R, term);
    st = cvp_ring_check(R, err);
    if (st == CVP_OK)
        cvp_tensor_swap(out, result);
    cvp_tensor_clear(result);
    return st;
}
