#!/usr/bin/env python3
"""convproof adapter for numpy_course.py (layout nhwc).

    convproof test-impl --layout nhwc --op all \
        --command '/usr/bin/python3 adapters/numpy_course_adapter.py'

--bug NAME (repeatable) switches on one of the bugs listed in
numpy_course.py, e.g. --bug backward_stride.  The course code has square
windows, one stride and one padding for both axes, no dilation, no groups
and unpadded pooling; anything else is answered "unsupported"
(convproof_protocol.Unsupported), which convproof skips and counts.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import convproof_protocol  # noqa: E402
import numpy_course  # noqa: E402


def square(params, key):
    a, b = params[key]
    if a != b:
        raise convproof_protocol.Unsupported("%s %r: the course code is square"
                                             % (key, params[key]))
    return a


def handler(op, params, layout, inputs):
    if layout != "nhwc":
        raise convproof_protocol.Unsupported("the course code is NHWC",
                                             layouts=["nhwc"])
    f = square(params, "kernel_size")
    stride = square(params, "stride")
    pad = square(params, "padding")
    x = inputs["x"]
    if op.startswith("conv2d"):
        if params["groups"] != 1 or params["dilation"] != [1, 1]:
            raise convproof_protocol.Unsupported("no groups or dilation in the "
                                                 "course code")
        hparameters = {"stride": stride, "pad": pad}
        W, b = inputs["weight"], inputs["bias"]
        if op == "conv2d":
            Z, _ = numpy_course.conv_forward(x, W, b, hparameters)
            return {"out": Z}
        dA, dW, db = numpy_course.conv_backward(inputs["grad_output"],
                                                (x, W, b, hparameters))
        return {"grad_input": dA, "grad_weight": dW, "grad_bias": db}
    if pad != 0:
        raise convproof_protocol.Unsupported("the course code's pooling has no "
                                             "padding")
    mode = "max" if op.startswith("max") else "average"
    hparameters = {"f": f, "stride": stride}
    if op.endswith("_backward"):
        dA = numpy_course.pool_backward(inputs["grad_output"], (x, hparameters), mode)
        return {"grad_input": dA}
    A, _ = numpy_course.pool_forward(x, hparameters, mode)
    return {"out": A}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bug", action="append", default=[],
                        choices=numpy_course.KNOWN_BUGS,
                        help="switch on a typical bug (repeatable)")
    args = parser.parse_args()
    numpy_course.BUGS.update(args.bug)
    convproof_protocol.serve(handler)


if __name__ == "__main__":
    main()
