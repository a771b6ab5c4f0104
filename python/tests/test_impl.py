"""convproof.test_impl calling Python functions in process: correct
implementations pass, wrong ones fail with the smallest case shown."""
import os
import sys

import numpy as np
import pytest

import convproof


def conv2d_nhwc(x, weight, bias, stride, padding):
    """Course-style conv layer: x (N, H, W, C), weight (f, f, C, O), bias
    (1, 1, 1, O); square stride and padding given as ints."""
    n, h, w, _ = x.shape
    f, _, _, o = weight.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    oh = (h + 2 * padding - f) // stride + 1
    ow = (w + 2 * padding - f) // stride + 1
    out = np.zeros((n, oh, ow, o))
    for i in range(oh):
        for j in range(ow):
            window = xp[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            out[:, i, j, :] = np.tensordot(window, weight, axes=([1, 2, 3], [0, 1, 2]))
    return out + bias.reshape(1, 1, 1, o)


def conv2d_nhwc_flipped(x, weight, bias, stride, padding):
    """The textbook's true convolution: the kernel rotated by 180 degrees,
    which is not what conv2d (a cross-correlation) computes."""
    return conv2d_nhwc(x, weight[::-1, ::-1], bias, stride, padding)


def conv2d_nhwc_no_padding(x, weight, bias, stride, padding):
    """Forgets the padding."""
    return conv2d_nhwc(x, weight, bias, stride, 0)


def conv2d_nchw(x, weight, bias, stride, padding, dilation, groups):
    """PyTorch's conv2d with stride, padding, dilation and groups, all
    (height, width) pairs."""
    n, _, h, w = x.shape
    o, cg, kh, kw = weight.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    per_group = o // groups
    out = np.zeros((n, o, oh, ow))
    for oc in range(o):
        g = oc // per_group
        for u in range(kh):
            for v in range(kw):
                patch = xp[:, g * cg:(g + 1) * cg,
                           u * dh:u * dh + sh * (oh - 1) + 1:sh,
                           v * dw:v * dw + sw * (ow - 1) + 1:sw]
                out[:, oc] += np.einsum("nchw,c->nhw", patch, weight[oc, :, u, v])
        out[:, oc] += bias[oc]
    return out


def max_pool_nhwc(x, kernel_size, stride):
    n, h, w, c = x.shape
    oh, ow = (h - kernel_size) // stride + 1, (w - kernel_size) // stride + 1
    out = np.empty((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            window = x[:, i * stride:i * stride + kernel_size,
                       j * stride:j * stride + kernel_size, :]
            out[:, i, j, :] = window.max(axis=(1, 2))
    return out


def test_correct_nhwc_conv2d_passes():
    report = convproof.test_impl(conv2d_nhwc, op="conv2d", layout="nhwc", trials=12)
    claim, = report.claims
    assert claim["outcome"] == "tested"
    exact = [m for m in claim["methods"] if m["method"] == "exact"][0]
    assert exact["outcome"] == "passed" and exact["instances"] > 20
    assert "python:conv2d_nhwc" in claim["title"]


def test_the_function_runs_in_this_process():
    # test_impl calls the function itself, not a subprocess: every call
    # sees this process's id and can change its state.
    pids = []

    def recording(x, weight, bias, stride, padding):
        pids.append(os.getpid())
        return conv2d_nhwc(x, weight, bias, stride, padding)

    convproof.test_impl(recording, op="conv2d", layout="nhwc", trials=2)
    assert pids and all(pid == os.getpid() for pid in pids)


def test_flipped_kernel_fails_with_the_smallest_case():
    with pytest.raises(AssertionError) as info:
        convproof.test_impl(conv2d_nhwc_flipped, op="conv2d", layout="nhwc", trials=12)
    message = str(info.value)
    assert "FAIL" in message and "counterexample" in message
    # Shrunk to one 2x2 window (nhwc kernels are square) with one nonzero
    # image entry and one nonzero kernel entry, both at row 1, column 0:
    # the exact cross-correlation is 1 * 1 = 1, the flipped kernel puts
    # that kernel entry at row 0, column 1, where the image is 0.
    ce = [m["counterexample"] for m in info.value.report.claims[0]["methods"]
          if m["counterexample"]][0]
    assert ce["shape"] == "N=1, C=1, H=2, W=2, O=1, K=2x2, S=1x1, P=0x0"
    assert ce["differences"] == "out[0,0,0,0]: 0 != 1"


def test_forgotten_padding_is_a_wrong_shape():
    with pytest.raises(convproof.ClaimFailed) as info:
        convproof.test_impl(conv2d_nhwc_no_padding, op="conv2d", layout="nhwc", trials=12)
    message = str(info.value)
    assert "P=1x1" in message
    assert "shape" in message


def test_nchw_with_dilation_and_groups_passes():
    report = convproof.test_impl(conv2d_nchw, op="conv2d", layout="nchw", trials=12)
    assert report.claims[0]["outcome"] == "tested"


def test_max_pool_passes_and_an_exception_is_a_crash():
    report = convproof.test_impl(max_pool_nhwc, op="max_pool2d", layout="nhwc", trials=8)
    assert report.claims[0]["outcome"] == "tested"

    def broken(x, kernel_size, stride):
        raise ZeroDivisionError("the bug is here")

    with pytest.raises(convproof.ClaimFailed) as info:
        convproof.test_impl(broken, op="max_pool2d", layout="nhwc", trials=4)
    message = str(info.value)
    assert "crashed" in message
    assert "the function raised an exception" in message
    # the traceback starts in the function, not in the package
    assert "convproof/__init__.py" not in message
    assert "ZeroDivisionError: the bug is here" in message


def test_no_output_and_a_missing_parameter_are_named():
    def forgets_return(x, weight, bias, stride, padding):
        conv2d_nhwc(x, weight, bias, stride, padding)

    with pytest.raises(convproof.ClaimFailed, match="returned None for output 'out'"):
        convproof.test_impl(forgets_return, op="conv2d", layout="nhwc", trials=2)

    def no_padding_parameter(x, weight, bias, stride):
        return conv2d_nhwc(x, weight, bias, stride, 0)

    # the grid's first case with padding 1 cannot be called faithfully
    with pytest.raises(convproof.ClaimFailed, match="does not take padding"):
        convproof.test_impl(no_padding_parameter, op="conv2d", layout="nhwc", trials=2)


def test_bad_arguments():
    with pytest.raises(convproof.ConvproofError, match="unknown operation"):
        convproof.test_impl(conv2d_nhwc, op="conv3d")
    with pytest.raises(convproof.ConvproofError, match="unknown layout"):
        convproof.test_impl(conv2d_nhwc, op="conv2d", layout="nwhc")


# The course code shipped in adapters/, called in process, with one of its
# injectable bugs (adapters/numpy_course.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, "adapters"))
import numpy_course  # noqa: E402


def course_conv2d_backward(x, weight, bias, grad_output, stride, padding):
    cache = (x, weight, bias, {"stride": stride, "pad": padding})
    return numpy_course.conv_backward(grad_output, cache)


def test_course_backward_passes_and_its_stride_bug_is_shrunk():
    report = convproof.test_impl(course_conv2d_backward, op="conv2d_backward",
                                 layout="nhwc", trials=8)
    assert report.claims[0]["outcome"] == "tested"
    numpy_course.BUGS.add("backward_stride")
    try:
        with pytest.raises(convproof.ClaimFailed) as info:
            convproof.test_impl(course_conv2d_backward, op="conv2d_backward",
                                layout="nhwc", trials=8)
    finally:
        numpy_course.BUGS.discard("backward_stride")
    # as tests/test_impl.sh derives it: the windows placed at h instead of
    # h * stride need stride 2 and two output rows, so H=3, W=1, K=1; the
    # gradient of output row 1 lands on input row 1 instead of row 2
    ce = [m["counterexample"] for m in info.value.report.claims[0]["methods"]
          if m["counterexample"]][0]
    assert ce["shape"] == "N=1, C=1, H=3, W=1, O=1, K=1x1, S=2x2, P=0x0"
    assert ce["differences"] == "grad_input[0,1,0,0]: 1 != 0\ngrad_input[0,2,0,0]: 0 != 1"
