/* call.c -- binding the arguments of a call to the parameters of a
 * registered function, evaluating them, and the accessors handlers use. */
#include "eval/call.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/builtins_impl.h"
#include "eval/external.h"
#include "lang/suggest.h"

const char *cvp_kernel_message_body(const char *message)
{
    /* The kernel's own prefix is a name ("add", "conv2d") or an operator
     * ("+"): a short run without spaces, followed by ": ". */
    size_t i = 0;
    while (i < 32 && message[i] != '\0' && message[i] != ' '
           && !(message[i] == ':' && message[i + 1] == ' '))
        i++;
    if (i > 0 && message[i] == ':' && message[i + 1] == ' ')
        return message + i + 2;
    return message;
}

/* Matches each argument of the call to a parameter: positional ones in
 * order, keyword ones by name.  slot[p] receives the index of the
 * argument bound to parameter p, or -1.  Nothing is evaluated yet, so
 * these mistakes are reported before any expensive work. */
static __attribute__((noinline)) cvp_status bind_arguments(int *slot, const cvp_builtin *fn,
                                 const cvp_ast_node *node,
                                 const cvp_eval_context *context)
{
    int param_count = cvp_builtin_param_count(fn);
    for (int p = 0; p < param_count; p++)
        slot[p] = -1;
    int positional = 0;
    for (size_t i = 0; i < node->u.call.count; i++) {
        const cvp_ast_arg *arg = &node->u.call.args[i];
        int p;
        if (arg->keyword == NULL) {
            if (positional >= fn->max_positional) {
                if (fn->max_positional < param_count)
                    return cvp_eval_fail_at(context, CVP_ERR_INPUT, arg->pos,
                                            NULL, "%s takes at most %d "
                                            "positional argument%s; give '%s' "
                                            "and the rest by keyword", fn->name,
                                            fn->max_positional,
                                            fn->max_positional == 1 ? "" : "s",
                                            fn->params[positional].name);
                return cvp_eval_fail_at(context, CVP_ERR_INPUT, arg->pos, NULL,
                                        "%s takes at most %d argument%s",
                                        fn->name, fn->max_positional,
                                        fn->max_positional == 1 ? "" : "s");
            }
            p = positional++;
        } else {
            p = cvp_builtin_param_index(fn, arg->keyword);
            if (p < 0) {
                cvp_suggest suggest;
                cvp_suggest_init(&suggest, arg->keyword);
                for (int q = 0; q < param_count; q++)
                    cvp_suggest_consider(&suggest, fn->params[q].name);
                if (suggest.best != NULL)
                    return cvp_eval_fail_at(context, CVP_ERR_INPUT,
                                            arg->keyword_pos, NULL,
                                            "%s has no parameter '%s' (did you "
                                            "mean '%s'?)", fn->name,
                                            arg->keyword, suggest.best);
                return cvp_eval_fail_at(context, CVP_ERR_INPUT,
                                        arg->keyword_pos, NULL, "%s has no "
                                        "parameter '%s'", fn->name,
                                        arg->keyword);
            }
            if (slot[p] >= 0) {
                bool first_by_keyword =
                    node->u.call.args[slot[p]].keyword != NULL;
                return cvp_eval_fail_at(context, CVP_ERR_INPUT,
                                        arg->keyword_pos, NULL, "%s: argument "
                                        "'%s' given twice%s", fn->name,
                                        arg->keyword,
                                        first_by_keyword
                                            ? ""
                                            : " (by position and by keyword)");
            }
        }
        slot[p] = (int)i;
    }
    for (int p = 0; p < param_count; p++)
        if (slot[p] < 0 && fn->params[p].dflt == CVP_PARAM_REQUIRED)
            return cvp_eval_fail_at(context, CVP_ERR_INPUT, node->pos, NULL,
                                    "%s: missing argument '%s'", fn->name,
                                    fn->params[p].name);
    return CVP_OK;
}

/* Gives parameter p its default value (every bound argument has been
 * evaluated, so a SAME_AS default can copy an earlier one). */
static cvp_status fill_default(cvp_call *call, int p)
{
    const cvp_param_spec *spec = &call->builtin->params[p];
    call->arg_pos[p] = call->node->pos;
    switch (spec->dflt) {
    case CVP_PARAM_REQUIRED:
    case CVP_PARAM_NONE:
        cvp_value_reset(&call->args[p]);
        return CVP_OK;
    case CVP_PARAM_INT:
        cvp_value_set_si(&call->args[p], spec->int_value);
        return CVP_OK;
    case CVP_PARAM_BOOL:
        cvp_value_set_bool(&call->args[p], spec->int_value != 0);
        return CVP_OK;
    case CVP_PARAM_SAME_AS: {
        int source = cvp_builtin_param_index(call->builtin, spec->same_as);
        CVP_ASSERT(source >= 0 && source < p);
        cvp_error error;
        cvp_error_clear(&error);
        call->arg_pos[p] = call->arg_pos[source];
        if (cvp_value_copy(&call->args[p], &call->args[source], &error)
            != CVP_OK)
            return cvp_call_kernel_failed(call, &error);
        return CVP_OK;
    }
    }
    return CVP_OK;
}

static __attribute__((noinline)) cvp_status
unknown_function(const cvp_ast_node *node, const cvp_eval_context *context)
{
    const char *name = node->u.call.name;
    const char *close = cvp_builtin_suggest(name);
    if (close != NULL)
        return cvp_eval_fail_at(context, CVP_ERR_INPUT, node->pos, NULL,
                                "unknown function '%s' (did you mean '%s'?)",
                                name, close);
    return cvp_eval_fail_at(context, CVP_ERR_INPUT, node->pos, NULL,
                            "unknown function '%s'", name);
}

/* The first parameter of concat and stack is a sequence of tensors: a
 * list written there, [A, B], is passed as a tuple of its items instead
 * of being stacked into one tensor, so the items may differ in shape. */
static bool first_is_sequence(const cvp_builtin *fn)
{
    return fn->handler == cvp_builtin_concat
           || fn->handler == cvp_builtin_stack;
}

/* A list written as a sequence argument ([A, B] of concat): a tuple of
 * its items, which may differ in shape. */
static __attribute__((noinline)) cvp_status
eval_sequence(cvp_value *out, const cvp_ast_node *list,
              const cvp_eval_context *context)
{
    cvp_error error;
    cvp_error_clear(&error);
    if (cvp_value_make_tuple(out, list->u.items.count, &error) != CVP_OK)
        return cvp_lang_error_from(context->err, &error, context->source_name,
                                   list->pos, NULL);
    cvp_status status = CVP_OK;
    for (size_t i = 0; status == CVP_OK && i < list->u.items.count; i++)
        status = cvp_eval_node(&out->items[i], list->u.items.items[i],
                               context);
    return status;
}

cvp_status cvp_eval_call(cvp_value *out, const cvp_ast_node *node,
                         const cvp_eval_context *context)
{
    /* Derivatives need the unevaluated expression: special forms. */
    if (strcmp(node->u.call.name, "grad") == 0
        || strcmp(node->u.call.name, "jacobian") == 0)
        return cvp_eval_derivative(out, node, context);
    if (strcmp(node->u.call.name, "subgrad") == 0) {
        /* Only `show A in subgrad(L, X)` uses it, decided over Q by the
         * exact method; the other methods do not apply there. */
        bool in_q = context->ring == NULL || context->ring == &cvp_ring_q;
        return cvp_lang_error_set(context->err,
                                  in_q ? CVP_ERR_INPUT : CVP_ERR_UNSUPPORTED,
                                  context->source_name, node->pos,
                                  "subgrad(L, X) is a set, decided over Q by "
                                  "the exact method: state `show A in "
                                  "subgrad(L, X)`");
    }
    if (strcmp(node->u.call.name, "mults") == 0
        || strcmp(node->u.call.name, "size") == 0)
        return cvp_eval_cost(out, node, context);
    /* "impl.op": an operation of a declared implementation. */
    const char *dot = strchr(node->u.call.name, '.');
    const cvp_builtin *fn = dot != NULL ? cvp_external_operation(dot + 1)
                                        : cvp_builtin_find(node->u.call.name);
    if (fn == NULL)
        return unknown_function(node, context);
    int slot[CVP_BUILTIN_MAX_PARAMS];
    cvp_status status = bind_arguments(slot, fn, node, context);
    if (status != CVP_OK)
        return status;

    /* On the heap: the record holds every argument value, and calls nest
     * as deep as the tree does. */
    cvp_call *call = malloc(sizeof *call);
    if (call == NULL)
        return cvp_lang_error_set(context->err, CVP_ERR_LIMIT,
                                  context->source_name, node->pos,
                                  "out of memory");
    call->builtin = fn;
    call->node = node;
    call->context = context;
    call->param_count = cvp_builtin_param_count(fn);
    for (int p = 0; p < call->param_count; p++) {
        cvp_value_init(&call->args[p]);
        call->given[p] = slot[p] >= 0;
        call->arg_pos[p] = node->pos;
    }
    /* Evaluate in the order written, as a reader expects errors. */
    for (size_t i = 0; status == CVP_OK && i < node->u.call.count; i++) {
        int p = 0;
        while (slot[p] != (int)i)
            p++;
        const cvp_ast_arg *arg = &node->u.call.args[i];
        call->arg_pos[p] = arg->value->pos;
        if (p == 0 && first_is_sequence(fn)
            && arg->value->kind == CVP_AST_LIST)
            status = eval_sequence(&call->args[p], arg->value, context);
        else
            status = cvp_eval_node(&call->args[p], arg->value, context);
    }
    for (int p = 0; status == CVP_OK && p < call->param_count; p++)
        if (!call->given[p])
            status = fill_default(call, p);
    if (status == CVP_OK)
        status = fn->handler(out, call);
    for (int p = 0; p < call->param_count; p++)
        cvp_value_clear(&call->args[p]);
    free(call);
    return status;
}

/* ---- accessors ------------------------------------------------------ */

const char *cvp_arg_name(const cvp_call *call, int index)
{
    return call->builtin->params[index].name;
}

cvp_status cvp_call_fail(cvp_call *call, int index, const char *format, ...)
{
    char message[CVP_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    cvp_srcpos pos = index >= 0 ? call->arg_pos[index] : call->node->pos;
    return cvp_lang_error_set(call->context->err, CVP_ERR_INPUT,
                              call->context->source_name, pos, "%s: %s",
                              call->builtin->name, message);
}

cvp_status cvp_call_kernel_failed(cvp_call *call, const cvp_error *kernel_error)
{
    cvp_error body = *kernel_error;
    snprintf(body.message, sizeof body.message, "%s",
             cvp_kernel_message_body(kernel_error->message));
    return cvp_lang_error_from(call->context->err, &body,
                               call->context->source_name, call->node->pos,
                               call->builtin->name);
}

cvp_status cvp_call_finish_tensor(cvp_value *out, cvp_call *call,
                                  cvp_status status,
                                  const cvp_error *kernel_error)
{
    if (status != CVP_OK)
        return cvp_call_kernel_failed(call, kernel_error);
    cvp_value_make_tensor(out);
    return CVP_OK;
}

static void describe_arg(char *buf, size_t size, const cvp_call *call,
                         int index)
{
    cvp_value_describe(buf, size, &call->args[index]);
}

bool cvp_arg_is_none(const cvp_call *call, int index)
{
    return call->args[index].kind == CVP_VALUE_NONE;
}

cvp_status cvp_arg_tensor(cvp_call *call, int index,
                          const cvp_tensor_struct **out)
{
    if (call->args[index].kind != CVP_VALUE_TENSOR) {
        char got[96];
        describe_arg(got, sizeof got, call, index);
        return cvp_call_fail(call, index, "argument '%s' must be a tensor, "
                             "got %s", cvp_arg_name(call, index), got);
    }
    /* A rational argument (a literal) meets tensors of the evaluation's
     * ring: embed it there so the kernel sees one ring. */
    cvp_ring *R = call->context->ring;
    cvp_tensor_ptr t = call->args[index].tensor;
    if (R != NULL && R != &cvp_ring_q && t->ring == &cvp_ring_q) {
        cvp_error lift_error;
        cvp_error_clear(&lift_error);
        if (cvp_tensor_lift(t, t, R, &lift_error) != CVP_OK)
            return cvp_call_fail(call, index, "%s", lift_error.message);
    }
    *out = t;
    return CVP_OK;
}

cvp_status cvp_arg_optional_tensor(cvp_call *call, int index,
                                   const cvp_tensor_struct **out)
{
    if (cvp_arg_is_none(call, index)) {
        *out = NULL;
        return CVP_OK;
    }
    return cvp_arg_tensor(call, index, out);
}

/* Reads an integer from value v (a scalar tensor with an integer value
 * and |n| <= CVP_CALL_MAX_INT), blaming argument `index`; `what` names it
 * in the message ("stride", "entry 2 of axes"). */
static cvp_status value_to_long(cvp_call *call, int index,
                                const cvp_value *v, const char *what,
                                long *out)
{
    char got[96];
    if (!cvp_value_is_scalar(v)) {
        cvp_value_describe(got, sizeof got, v);
        return cvp_call_fail(call, index, "%s must be an integer, got %s",
                             what, got);
    }
    if (v->tensor->ring != &cvp_ring_q)
        /* an input of the claim, which only the exact method sees as a
         * number: the other methods cannot pick a size from it */
        return cvp_lang_error_set(call->context->err, CVP_ERR_UNSUPPORTED,
                                  call->context->source_name,
                                  call->arg_pos[index], "%s: %s depends on "
                                  "the inputs (over %s); it must be a "
                                  "constant integer", call->builtin->name,
                                  what, v->tensor->ring->name);
    mpq_srcptr q = cvp_tensor_at_const(v->tensor, 0);
    if (mpz_cmp_ui(mpq_denref(q), 1) != 0) {
        cvp_value_describe(got, sizeof got, v);
        return cvp_call_fail(call, index, "%s must be an integer, got %s",
                             what, got);
    }
    if (mpz_cmpabs_ui(mpq_numref(q), (unsigned long)CVP_CALL_MAX_INT) > 0) {
        cvp_value_describe(got, sizeof got, v);
        return cvp_call_fail(call, index, "%s is too large (at most %ld in "
                             "magnitude), got %s", what, CVP_CALL_MAX_INT,
                             got);
    }
    *out = mpz_get_si(mpq_numref(q));
    return CVP_OK;
}

static cvp_status value_to_size(cvp_call *call, int index,
                                const cvp_value *v, const char *what,
                                long min, size_t *out)
{
    long n;
    cvp_status status = value_to_long(call, index, v, what, &n);
    if (status != CVP_OK)
        return status;
    if (n < min)
        return cvp_call_fail(call, index, "%s must be at least %ld, got %ld",
                             what, min, n);
    *out = (size_t)n;
    return CVP_OK;
}

cvp_status cvp_arg_size(cvp_call *call, int index, long min, size_t *out)
{
    return value_to_size(call, index, &call->args[index],
                         cvp_arg_name(call, index), min, out);
}

cvp_status cvp_arg_long(cvp_call *call, int index, long *out)
{
    return value_to_long(call, index, &call->args[index],
                         cvp_arg_name(call, index), out);
}

/* A list of integers [2, 2] where a tuple (2, 2) is expected: the
 * argument (a rank-1 rational tensor) is replaced by the tuple of its
 * entries, so every accessor reads lists and tuples alike. */
static cvp_status list_to_tuple(cvp_call *call, int index, size_t max)
{
    cvp_value *v = &call->args[index];
    if (v->kind != CVP_VALUE_TENSOR || v->tensor->rank != 1
        || v->tensor->ring != &cvp_ring_q || v->tensor->size > max)
        return CVP_OK;   /* the accessor's own message describes it */
    cvp_value tuple;
    cvp_value_init(&tuple);
    cvp_error error;
    cvp_error_clear(&error);
    cvp_status status = cvp_value_make_tuple(&tuple, v->tensor->size, &error);
    for (size_t k = 0; status == CVP_OK && k < v->tensor->size; k++) {
        cvp_value_make_tensor(&tuple.items[k]);
        cvp_tensor_set_scalar(tuple.items[k].tensor,
                              cvp_tensor_at_const(v->tensor, k));
    }
    if (status == CVP_OK)
        cvp_value_swap(v, &tuple);
    cvp_value_clear(&tuple);
    return status == CVP_OK ? CVP_OK : cvp_call_kernel_failed(call, &error);
}

cvp_status cvp_arg_pair(cvp_call *call, int index, long min, size_t out[2])
{
    cvp_status listed = list_to_tuple(call, index, 2);
    if (listed != CVP_OK)
        return listed;
    const cvp_value *v = &call->args[index];
    const char *name = cvp_arg_name(call, index);
    if (v->kind != CVP_VALUE_TUPLE) {
        if (!cvp_value_is_scalar(v)) {
            char got[96];
            cvp_value_describe(got, sizeof got, v);
            return cvp_call_fail(call, index, "%s must be an integer or a "
                                 "pair (height, width), got %s", name, got);
        }
        cvp_status status = value_to_size(call, index, v, name, min, &out[0]);
        out[1] = out[0];
        return status;
    }
    if (v->count != 2)
        return cvp_call_fail(call, index, "%s must be an integer or a pair "
                             "(height, width), got a tuple of %zu value%s",
                             name, v->count, v->count == 1 ? "" : "s");
    char what[80];
    for (int k = 0; k < 2; k++) {
        snprintf(what, sizeof what, "the %s of %s", k ? "width" : "height",
                 name);
        cvp_status status = value_to_size(call, index, &v->items[k], what,
                                          min, &out[k]);
        if (status != CVP_OK)
            return status;
    }
    return CVP_OK;
}

cvp_status cvp_arg_bool(cvp_call *call, int index, bool *out)
{
    const cvp_value *v = &call->args[index];
    if (v->kind != CVP_VALUE_BOOL) {
        char got[96];
        cvp_value_describe(got, sizeof got, v);
        return cvp_call_fail(call, index, "%s must be true or false, got %s",
                             cvp_arg_name(call, index), got);
    }
    *out = v->boolean;
    return CVP_OK;
}

cvp_status cvp_arg_int_list(cvp_call *call, int index, long *out,
                            size_t max, size_t *count)
{
    cvp_status listed = list_to_tuple(call, index, max);
    if (listed != CVP_OK)
        return listed;
    const cvp_value *v = &call->args[index];
    const char *name = cvp_arg_name(call, index);
    if (v->kind != CVP_VALUE_TUPLE) {
        *count = 1;
        return value_to_long(call, index, v, name, &out[0]);
    }
    if (v->count > max)
        return cvp_call_fail(call, index, "%s has %zu entries, at most %zu "
                             "are allowed", name, v->count, max);
    char what[80];
    for (size_t k = 0; k < v->count; k++) {
        snprintf(what, sizeof what, "entry %zu of %s", k, name);
        cvp_status status = value_to_long(call, index, &v->items[k], what,
                                          &out[k]);
        if (status != CVP_OK)
            return status;
    }
    *count = v->count;
    return CVP_OK;
}
