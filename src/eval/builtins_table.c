/* builtins_table.c -- the registry: one entry per callable function.
 *
 * Parameter names follow PyTorch where PyTorch has the function
 * (torch.nn.functional.conv2d(input, weight, bias, stride, padding,
 * dilation, groups), ...), the textbook notation of NNDL chapter 5
 * (W, X) for the single-channel operators, and NumPy for axis/axes.
 */
#include "eval/builtins.h"

#include <stdio.h>
#include <string.h>

#include "eval/builtins_analytic.h"
#include "eval/builtins_impl.h"
#include "lang/suggest.h"

#define REQUIRED(n) {n, CVP_PARAM_REQUIRED, 0, NULL}
#define OPTIONAL(n) {n, CVP_PARAM_NONE, 0, NULL}
#define INT(n, v) {n, CVP_PARAM_INT, v, NULL}
#define BOOL(n, v) {n, CVP_PARAM_BOOL, v, NULL}
#define SAME_AS(n, other) {n, CVP_PARAM_SAME_AS, 0, other}
#define END {NULL, CVP_PARAM_REQUIRED, 0, NULL}

/* The hyper-parameters shared by conv2d and its backward formulas. */
#define CONV_HYPER INT("stride", 1), INT("padding", 0), INT("dilation", 1), \
    INT("groups", 1)

static const cvp_builtin registry[] = {
    /* single-channel textbook operators */
    {"xcorr", cvp_builtin_xcorr, 4,
     {REQUIRED("W"), REQUIRED("X"), INT("stride", 1), INT("dilation", 1), END},
     "valid cross-correlation W (x) X"},
    {"conv", cvp_builtin_conv, 2, {REQUIRED("W"), REQUIRED("X"), END},
     "valid (flipped) convolution W * X"},
    {"wide", cvp_builtin_wide, 2, {REQUIRED("W"), REQUIRED("X"), END},
     "wide cross-correlation: X zero-padded by the kernel size minus 1"},
    {"rot180", cvp_builtin_rot180, 1, {REQUIRED("X"), END},
     "rotation by 180 degrees of the last two axes"},
    {"pad", cvp_builtin_pad, 2,
     {REQUIRED("X"), OPTIONAL("p"), OPTIONAL("top"), OPTIONAL("bottom"),
      OPTIONAL("left"), OPTIONAL("right"), END},
     "zero padding of the last two axes: p or (ph, pw), or top=/bottom=/"
     "left=/right="},
    {"dilate", cvp_builtin_dilate, 2, {REQUIRED("X"), REQUIRED("s"), END},
     "s-1 zeros between neighbouring entries of the last two axes"},

    /* framework layers (PyTorch semantics, NCHW / OIHW) */
    {"conv2d", cvp_builtin_conv2d, 7,
     {REQUIRED("input"), REQUIRED("weight"), OPTIONAL("bias"), CONV_HYPER,
      END},
     "torch.nn.functional.conv2d (a cross-correlation)"},
    {"conv1d", cvp_builtin_conv1d, 7,
     {REQUIRED("input"), REQUIRED("weight"), OPTIONAL("bias"), CONV_HYPER,
      END},
     "torch.nn.functional.conv1d: input [N, C, L], weight [O, C/groups, kL]"},
    {"conv3d", cvp_builtin_conv3d, 7,
     {REQUIRED("input"), REQUIRED("weight"), OPTIONAL("bias"), CONV_HYPER,
      END},
     "torch.nn.functional.conv3d: input [N, C, D, H, W], weight "
     "[O, C/groups, kD, kH, kW]"},
    {"conv_transpose2d", cvp_builtin_conv_transpose2d, 8,
     {REQUIRED("input"), REQUIRED("weight"), OPTIONAL("bias"),
      INT("stride", 1), INT("padding", 0), INT("output_padding", 0),
      INT("groups", 1), INT("dilation", 1), END},
     "torch.nn.functional.conv_transpose2d"},
    {"max_pool2d", cvp_builtin_max_pool2d, 6,
     {REQUIRED("input"), REQUIRED("kernel_size"),
      SAME_AS("stride", "kernel_size"), INT("padding", 0),
      INT("dilation", 1), BOOL("ceil_mode", 0), END},
     "torch.nn.functional.max_pool2d"},
    {"avg_pool2d", cvp_builtin_avg_pool2d, 7,
     {REQUIRED("input"), REQUIRED("kernel_size"),
      SAME_AS("stride", "kernel_size"), INT("padding", 0),
      BOOL("ceil_mode", 0), BOOL("count_include_pad", 1),
      OPTIONAL("divisor_override"), END},
     "torch.nn.functional.avg_pool2d"},
    {"relu", cvp_builtin_relu, 1, {REQUIRED("input"), END},
     "max(x, 0) elementwise"},

    /* backpropagation formulas */
    {"conv2d_backward_input", cvp_builtin_conv2d_backward_input, 7,
     {REQUIRED("input"), REQUIRED("weight"), REQUIRED("grad_output"),
      CONV_HYPER, END},
     "dL/d input of conv2d (input is used for its shape)"},
    {"conv2d_backward_weight", cvp_builtin_conv2d_backward_weight, 7,
     {REQUIRED("input"), REQUIRED("weight"), REQUIRED("grad_output"),
      CONV_HYPER, END},
     "dL/d weight of conv2d (weight is used for its shape)"},
    {"conv2d_backward_bias", cvp_builtin_conv2d_backward_bias, 1,
     {REQUIRED("grad_output"), END},
     "dL/d bias of conv2d"},
    {"conv2d_matrix_input", cvp_builtin_conv2d_matrix_input, 6,
     {REQUIRED("input"), REQUIRED("weight"), CONV_HYPER, END},
     "the explicit matrix C with vec(conv2d(input, weight)) = C vec(input)"},
    {"conv2d_matrix_weight", cvp_builtin_conv2d_matrix_weight, 6,
     {REQUIRED("input"), REQUIRED("weight"), CONV_HYPER, END},
     "the explicit matrix C with vec(conv2d(input, weight)) = C vec(weight)"},
    {"max_pool2d_backward", cvp_builtin_max_pool2d_backward, 7,
     {REQUIRED("input"), REQUIRED("grad_output"), REQUIRED("kernel_size"),
      SAME_AS("stride", "kernel_size"), INT("padding", 0),
      INT("dilation", 1), BOOL("ceil_mode", 0), END},
     "dL/d input of max_pool2d (to the first maximum of each window)"},
    {"relu_backward", cvp_builtin_relu_backward, 2,
     {REQUIRED("input"), REQUIRED("grad_output"), END},
     "dL/d input of relu: grad_output where input > 0, else 0"},
    {"max_pool2d_backward_split", cvp_builtin_max_pool2d_backward_split, 7,
     {REQUIRED("input"), REQUIRED("grad_output"), REQUIRED("kernel_size"),
      SAME_AS("stride", "kernel_size"), INT("padding", 0),
      INT("dilation", 1), BOOL("ceil_mode", 0), END},
     "max_pool2d_backward with each window's gradient split evenly among "
     "its tied maxima"},
    {"max_pool2d_backward_all", cvp_builtin_max_pool2d_backward_all, 7,
     {REQUIRED("input"), REQUIRED("grad_output"), REQUIRED("kernel_size"),
      SAME_AS("stride", "kernel_size"), INT("padding", 0),
      INT("dilation", 1), BOOL("ceil_mode", 0), END},
     "max_pool2d_backward with each window's whole gradient to every tied "
     "maximum (mask = x == max(x))"},
    {"avg_pool2d_backward", cvp_builtin_avg_pool2d_backward, 8,
     {REQUIRED("input"), REQUIRED("grad_output"), REQUIRED("kernel_size"),
      SAME_AS("stride", "kernel_size"), INT("padding", 0),
      BOOL("ceil_mode", 0), BOOL("count_include_pad", 1),
      OPTIONAL("divisor_override"), END},
     "dL/d input of avg_pool2d"},

    /* tensor algebra */
    {"transpose", cvp_builtin_transpose, 2,
     {REQUIRED("input"), OPTIONAL("axes"), END},
     "matrix transpose, or axes permuted to the order given"},
    {"reshape", cvp_builtin_reshape, 2,
     {REQUIRED("input"), REQUIRED("shape"), END},
     "same entries, new shape (one -1 is inferred)"},
    {"sum", cvp_builtin_sum, 2, {REQUIRED("input"), OPTIONAL("axis"), END},
     "sum of all entries, or along one axis (negative counts from the end)"},
    {"matmul", cvp_builtin_matmul, 2,
     {REQUIRED("input"), REQUIRED("other"), END},
     "matrix product, the same as input @ other"},

    /* the language's sugar: X ** n, X[...], and shapes */
    {"shape", cvp_builtin_shape, 1, {REQUIRED("input"), END},
     "the dims of input as a vector of integers, e.g. [2, 3]"},
    {"pow", cvp_builtin_pow, 2, {REQUIRED("input"), REQUIRED("exponent"), END},
     "input ** exponent elementwise, for a natural exponent (exact)"},
    {"index", cvp_builtin_index, 9,
     {REQUIRED("input"), OPTIONAL("i0"), OPTIONAL("i1"), OPTIONAL("i2"),
      OPTIONAL("i3"), OPTIONAL("i4"), OPTIONAL("i5"), OPTIONAL("i6"),
      OPTIONAL("i7"), END},
     "input[i0, i1, ...]: an integer picks and drops an axis (negative "
     "counts from the end), a slice start:stop:step keeps it"},
    {"floordiv", cvp_builtin_floordiv, 2,
     {REQUIRED("input"), REQUIRED("other"), END},
     "input // other: floor of the exact quotient, elementwise (rational "
     "values only)"},
    {"slice", cvp_builtin_slice, 3,
     {OPTIONAL("start"), OPTIONAL("stop"), OPTIONAL("step"), END},
     "the subscript start:stop:step (write X[a:b] instead)"},
    {"concat", cvp_builtin_concat, 2, {REQUIRED("tensors"), INT("dim", 0), END},
     "torch.cat: a list of tensors joined along an existing axis dim"},
    {"cat", cvp_builtin_concat, 2, {REQUIRED("tensors"), INT("dim", 0), END},
     "the same as concat (torch.cat)"},
    {"stack", cvp_builtin_stack, 2, {REQUIRED("tensors"), INT("dim", 0), END},
     "torch.stack: a list of equal-shaped tensors along a new axis dim"},
    {"max", cvp_builtin_max, 2, {REQUIRED("input"), OPTIONAL("other"), END},
     "elementwise maximum of input and other (broadcast), or the largest "
     "entry of input"},
    {"min", cvp_builtin_min, 2, {REQUIRED("input"), OPTIONAL("other"), END},
     "elementwise minimum of input and other (broadcast), or the smallest "
     "entry of input"},
    {"abs", cvp_builtin_abs, 1, {REQUIRED("input"), END},
     "absolute value elementwise"},

    /* transcendental functions: enclosures in the `bounded` method only */
    {"sigmoid", cvp_builtin_sigmoid, 1, {REQUIRED("input"), END},
     "1 / (1 + exp(-x)) elementwise (bounded method only)"},
    {"tanh", cvp_builtin_tanh, 1, {REQUIRED("input"), END},
     "tanh elementwise (bounded method only)"},
    {"exp", cvp_builtin_exp, 1, {REQUIRED("input"), END},
     "exp elementwise (bounded method only)"},
    {"log", cvp_builtin_log, 1, {REQUIRED("input"), END},
     "natural logarithm elementwise, of positive entries (bounded method only)"},
    {"softmax", cvp_builtin_softmax, 2, {REQUIRED("input"), INT("axis", -1), END},
     "exp(x) / sum(exp(x)) along axis, the last by default (bounded method only)"},
    {"cross_entropy", cvp_builtin_cross_entropy, 2,
     {REQUIRED("input"), REQUIRED("target"), END},
     "torch.nn.functional.cross_entropy of logits [C] or [N, C] against class "
     "probabilities of the same shape, mean over N (bounded method only)"},
};

#define REGISTRY_SIZE (sizeof registry / sizeof registry[0])

size_t cvp_builtin_count(void)
{
    return REGISTRY_SIZE;
}

const cvp_builtin *cvp_builtin_at(size_t i)
{
    CVP_ASSERT(i < REGISTRY_SIZE);
    return &registry[i];
}

const cvp_builtin *cvp_builtin_find(const char *name)
{
    for (size_t i = 0; i < REGISTRY_SIZE; i++)
        if (strcmp(registry[i].name, name) == 0)
            return &registry[i];
    return NULL;
}

int cvp_builtin_param_count(const cvp_builtin *fn)
{
    int n = 0;
    while (n < CVP_BUILTIN_MAX_PARAMS && fn->params[n].name != NULL)
        n++;
    return n;
}

int cvp_builtin_param_index(const cvp_builtin *fn, const char *name)
{
    int n = cvp_builtin_param_count(fn);
    for (int p = 0; p < n; p++)
        if (strcmp(fn->params[p].name, name) == 0)
            return p;
    return -1;
}

void cvp_builtin_signature(char *buf, size_t bufsize, const cvp_builtin *fn)
{
    if (bufsize == 0)
        return;
    size_t used = 0;
    int n = snprintf(buf, bufsize, "%s(", fn->name);
    used = n > 0 ? (size_t)n : 0;
    int count = cvp_builtin_param_count(fn);
    for (int p = 0; p < count && used < bufsize; p++) {
        const cvp_param_spec *spec = &fn->params[p];
        /* Python's "*": the parameters after it are keyword-only. */
        const char *sep = p == 0 ? ""
                          : p == fn->max_positional ? ", *, " : ", ";
        switch (spec->dflt) {
        case CVP_PARAM_REQUIRED:
            n = snprintf(buf + used, bufsize - used, "%s%s", sep, spec->name);
            break;
        case CVP_PARAM_NONE:
            /* optional without a default: the language has no `none` */
            n = snprintf(buf + used, bufsize - used, "%s[%s]", sep,
                         spec->name);
            break;
        case CVP_PARAM_INT:
            n = snprintf(buf + used, bufsize - used, "%s%s=%ld", sep,
                         spec->name, spec->int_value);
            break;
        case CVP_PARAM_BOOL:
            n = snprintf(buf + used, bufsize - used, "%s%s=%s", sep,
                         spec->name, spec->int_value ? "true" : "false");
            break;
        case CVP_PARAM_SAME_AS:
            n = snprintf(buf + used, bufsize - used, "%s%s=%s", sep,
                         spec->name, spec->same_as);
            break;
        }
        used += n > 0 ? (size_t)n : 0;
    }
    if (used < bufsize)
        snprintf(buf + used, bufsize - used, ")");
}

const char *cvp_builtin_suggest(const char *name)
{
    cvp_suggest suggest;
    cvp_suggest_init(&suggest, name);
    for (size_t i = 0; i < REGISTRY_SIZE; i++)
        cvp_suggest_consider(&suggest, registry[i].name);
    return suggest.best;
}
