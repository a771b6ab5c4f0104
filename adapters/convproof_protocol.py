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
nonzero exit status are what convproof reports.
"""
import json
import sys

import numpy as np

PROTOCOL = 1


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
        outputs = handler(case["op"], case["params"], case["layout"], inputs)
        for name, spec in case["outputs"].items():
            if name not in outputs:
                raise KeyError("the adapter computed no %r" % name)
            np.save(spec["path"], np.asarray(outputs[name], dtype=np.float64))
