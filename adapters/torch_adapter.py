#!/usr/bin/env python3
"""convproof adapter for PyTorch (torch.nn.functional and autograd, float64,
CPU), for either layout.

    convproof test-impl --layout nchw --op all --batch 16 \
        --command '/usr/bin/python3 adapters/torch_adapter.py'

Importing torch takes a second or two, so give it several cases per run
with --batch (the adapter handles batched requests).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import convproof_protocol  # noqa: E402

torch.set_num_threads(1)


def to_torch(name, array, layout):
    t = torch.from_numpy(array).to(torch.float64)
    if layout == "nchw":
        return t
    if name == "weight":                  # HWIO -> OIHW
        return t.permute(3, 2, 0, 1).contiguous()
    if name == "bias":                    # (1, 1, 1, O) -> (O,)
        return t.reshape(-1)
    return t.permute(0, 3, 1, 2).contiguous()     # NHWC -> NCHW


def from_torch(name, t, layout):
    t = t.detach()
    if layout == "nhwc":
        if name == "grad_weight":
            t = t.permute(2, 3, 1, 0)
        elif name == "grad_bias":
            t = t.reshape(1, 1, 1, -1)
        else:
            t = t.permute(0, 2, 3, 1)
    return t.contiguous().numpy()


def handler(op, params, layout, inputs):
    t = {name: to_torch(name, array, layout) for name, array in inputs.items()}
    k = tuple(params["kernel_size"])
    stride = tuple(params["stride"])
    padding = tuple(params["padding"])
    backward = op.endswith("_backward")
    x = t["x"].requires_grad_(backward)
    if op.startswith("conv2d"):
        w = t["weight"].requires_grad_(backward)
        b = t["bias"].requires_grad_(backward)
        y = F.conv2d(x, w, b, stride=stride, padding=padding,
                     dilation=tuple(params["dilation"]), groups=params["groups"])
        if not backward:
            return {"out": from_torch("out", y, layout)}
        y.backward(t["grad_output"])
        return {"grad_input": from_torch("grad_input", x.grad, layout),
                "grad_weight": from_torch("grad_weight", w.grad, layout),
                "grad_bias": from_torch("grad_bias", b.grad, layout)}
    if op.startswith("max_pool2d"):
        y = F.max_pool2d(x, k, stride=stride, padding=padding, ceil_mode=False)
    else:
        y = F.avg_pool2d(x, k, stride=stride, padding=padding, ceil_mode=False,
                         count_include_pad=True)
    if not backward:
        return {"out": from_torch("out", y, layout)}
    y.backward(t["grad_output"])
    return {"grad_input": from_torch("grad_input", x.grad, layout)}


if __name__ == "__main__":
    convproof_protocol.serve(handler)
