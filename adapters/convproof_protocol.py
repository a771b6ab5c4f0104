"""The implementation protocol of `convproof test-impl`, for Python adapters.

convproof runs an adapter once per test case (or per batch of cases with
--batch), in a fresh temporary folder: the inputs are .npy files, the JSON
request arrives on standard input (its path is also in $CONVPROOF_REQUEST),
and the adapter writes each output to the .npy path the request names.
docs/impl-protocol.md describes the request in full.

An adapter is a function handler(op, params, layout, inputs) -> outputs,
where inputs and outputs are dicts of NumPy arrays keyed by the names of
the request ("x", "weight", "bias", "grad_output"; "out", "grad_input",
"grad_weight", "grad_bias"), and then one call:

    if __name__ == "__main__":
        convproof_protocol.serve(handler)

Anything that goes wrong should raise: the traceback on stderr and the
nonzero exit status are what convproof reports.  A case the code does not
handle at all (groups, dilation, a layout it does not speak) should raise
Unsupported instead: convproof then skips the case and counts it, rather
than reporting a crash:

    raise convproof_protocol.Unsupported("no groups", layouts=["nhwc"])

Outputs are written as float64, except float32 (and float16) arrays,
which are written as float32, so that convproof can say that an output
was float32 when its values are off.
"""
import json
import sys

import numpy as np

PROTOCOL = 1


class Unsupported(Exception):
    """Raised by a handler for a case it does not handle.

    reason: what it does not handle, shown in the report;
    layouts: the layouts the code speaks ("nchw", "nhwc"), when a case is
    declined for its layout, so that convproof can name --layout."""

    def __init__(self, reason, layouts=None):
        super().__init__(reason)
        self.reason = str(reason)
        self.layouts = list(layouts) if layouts is not None else None


def unsupported(case, reason, layouts=None):
    """Writes the "unsupported" answer of a case to its status path."""
    answer = {"status": "unsupported", "reason": str(reason)}
    if layouts is not None:
        answer["layouts"] = list(layouts)
    with open(case["status"]["path"], "w") as f:
        json.dump(answer, f)


def as_output(value):
    """float32 stays float32 (and float16 becomes float32, which holds it
    exactly); anything else becomes float64."""
    a = np.asarray(value)
    if a.dtype.kind == "f" and a.dtype.itemsize <= 4:
        return a.astype(np.float32)
    return a.astype(np.float64)


def cases_of(request):
    """The cases of a request: a batch, or the request itself."""
    if request.get("protocol") != PROTOCOL:
        raise ValueError("unsupported protocol version %r" % request.get("protocol"))
    if "batch" in request:
        return request["batch"]
    return [request]


def serve(handler, stream=None):
    request = json.load(stream if stream is not None else sys.stdin)
    for case in cases_of(request):
        inputs = {name: np.load(spec["path"]) for name, spec in case["inputs"].items()}
        try:
            outputs = handler(case["op"], case["params"], case["layout"], inputs)
        except Unsupported as declined:
            unsupported(case, declined.reason, declined.layouts)
            continue
        for name, spec in case["outputs"].items():
            if name not in outputs:
                raise KeyError("the adapter computed no %r" % name)
            np.save(spec["path"], as_output(outputs[name]))
