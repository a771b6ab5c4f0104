"""A max_pool2d (layout nchw, the protocol of docs/impl-protocol.md) for
tests/test_impl_batch.sh, in plain Python (no numpy).

    python3 impl_batch_pool.py [--wrong C,H | --crash C,H | --skip C,H
                                | --hang C,H | --unsupported C,H
                                | --unsupported all]

Appends "run CASES" to $COUNT_FILE for every run (CASES: the cases the
request carries).  At the case whose input has C channels and height H:
--wrong adds 1 to output entry [0, 0, 0, 0], --crash raises, --skip
writes no output (and exits 0), --hang sleeps for ten minutes,
--unsupported answers "unsupported" (at every case with `all`).
"""
import ast
import json
import os
import struct
import sys
import time


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:6] == b"\x93NUMPY" and data[6] == 1
    n = struct.unpack("<H", data[8:10])[0]
    header = ast.literal_eval(data[10:10 + n].decode("latin1"))
    assert header["descr"] == "<f8" and not header["fortran_order"]
    shape = header["shape"]
    size = 1
    for s in shape:
        size *= s
    values = struct.unpack("<%dd" % size, data[10 + n:10 + n + 8 * size])
    return shape, list(values)


def save(path, shape, values):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%s), }" % (
        "".join("%d, " % s for s in shape))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode("latin1"))
        f.write(struct.pack("<%dd" % len(values), *values))


def max_pool(shape, x, k, s):
    n, c, h, w = shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    out = []
    for b in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    out.append(max(x[((b * c + ch) * h + i * s + di) * w + j * s + dj]
                                   for di in range(k) for dj in range(k)))
    return (n, c, oh, ow), out


def main():
    mode, target = None, None
    if len(sys.argv) == 3:
        mode = sys.argv[1]
        if sys.argv[2] != "all":
            target = tuple(int(v) for v in sys.argv[2].split(","))
    request = json.load(sys.stdin)
    cases = request["batch"] if "batch" in request else [request]
    with open(os.environ["COUNT_FILE"], "a") as f:
        f.write("run %d\n" % len(cases))
    for case in cases:
        assert case["op"] == "max_pool2d" and case["layout"] == "nchw"
        shape, x = load(case["inputs"]["x"]["path"])
        k = case["params"]["kernel_size"][0]
        s = case["params"]["stride"][0]
        out_shape, out = max_pool(shape, x, k, s)
        here = (shape[1], shape[2]) == target
        if here and mode == "--crash":
            raise RuntimeError("planted crash at C=%d, H=%d" % target)
        if here and mode == "--hang":
            time.sleep(600)
        if here and mode == "--skip":
            continue
        if mode == "--unsupported" and (here or target is None):
            with open(case["status"]["path"], "w") as f:
                json.dump({"status": "unsupported",
                           "reason": "C=%d, H=%d is not handled" % tuple(shape[1:3])}, f)
            continue
        if here and mode == "--wrong":
            out[0] += 1
        save(case["outputs"]["out"]["path"], out_shape, out)


main()
