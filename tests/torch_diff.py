#!/usr/bin/env python3
"""Differential test: convproof eval against PyTorch (float64, CPU).

Every case draws small integer inputs, computes an operator (or its
backward pass through autograd) in PyTorch with float64, and evaluates the
same expression exactly with `convproof eval`.  With integer inputs this
small, every partial sum PyTorch forms is an integer below 2^53, so its
float64 result is exact; the only rounding left is the one division of
average pooling, which IEEE arithmetic rounds correctly.  So the exact
rational that convproof prints, rounded once to the nearest double, must
equal PyTorch's value bit for bit: no tolerance anywhere.

Usage: torch_diff.py CONVPROOF [--cases N] [--seed S]
Prints one line per operator and "N passed, N failed" at the end; exits 1
on any mismatch.
"""
import argparse
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile
from fractions import Fraction
from math import lcm

import numpy as np
import torch

torch.set_default_dtype(torch.float64)


def parse_exact(text):
    """Parses convproof's exact text form into nested lists of Fractions."""
    body = re.sub(r"#.*", "", text)
    if not re.fullmatch(r"[\s\[\],0-9/+-]*", body):
        raise ValueError("unexpected output: %r" % text[:200])
    body = re.sub(r"(-?\d+)/(\d+)", r"Fraction(\1, \2)", body)
    return eval(body, {"Fraction": Fraction, "__builtins__": {}})


def shape_of(value):
    shape = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0] if value else None
    return tuple(shape)


def flatten(value):
    if isinstance(value, list):
        for item in value:
            yield from flatten(item)
    else:
        yield Fraction(value)


class Runner:
    def __init__(self, convproof, workdir):
        self.convproof = convproof
        self.workdir = workdir
        self.count = 0

    def evaluate(self, expr, tensors):
        # CONVPROOF_WRAPPER (e.g. valgrind) runs in front of every call.
        wrapper = shlex.split(os.environ.get("CONVPROOF_WRAPPER", ""))
        args = wrapper + [self.convproof, "eval", expr]
        for name, array in tensors.items():
            self.count += 1
            path = os.path.join(self.workdir, "%s_%d.npy" % (name, self.count))
            np.save(path, np.asarray(array, dtype=np.float64))
            args += ["--let", "%s=%s" % (name, path)]
        proc = subprocess.run(args, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            raise RuntimeError("convproof exited %d on %s: %s"
                               % (proc.returncode, expr, proc.stderr.strip()))
        return parse_exact(proc.stdout)


def compare(exact, reference):
    """True when the exact result rounds to exactly PyTorch's doubles."""
    ref = reference.detach().numpy()
    if shape_of(exact) != ref.shape:
        return "shape %s, PyTorch %s" % (shape_of(exact), ref.shape)
    for k, (q, r) in enumerate(zip(flatten(exact), ref.reshape(-1))):
        if float(q) != float(r):
            return "entry %d (row-major): convproof %s, PyTorch %r" % (k, q, float(r))
    return None


def ints(rng, shape, lo=-9, hi=9):
    return torch.tensor(np.array([rng.randint(lo, hi) for _ in range(int(np.prod(shape)))],
                                 dtype=np.float64).reshape(shape))


def pair(a, b):
    return "(%d, %d)" % (a, b)


def conv_config(rng):
    groups = rng.choice([1, 1, 2, 3])
    c = groups * rng.randint(1, 2)
    o = groups * rng.randint(1, 2)
    k = (rng.randint(1, 3), rng.randint(1, 3))
    stride = (rng.randint(1, 3), rng.randint(1, 3))
    dil = (rng.randint(1, 2), rng.randint(1, 2))
    pad = (rng.randint(0, 2), rng.randint(0, 2))
    n = rng.randint(1, 2)
    # Input at least as large as the dilated kernel minus the padding.
    h = max(1, dil[0] * (k[0] - 1) + 1 - 2 * pad[0]) + rng.randint(0, 4)
    w = max(1, dil[1] * (k[1] - 1) + 1 - 2 * pad[1]) + rng.randint(0, 4)
    return dict(n=n, c=c, o=o, groups=groups, k=k, stride=stride, dil=dil,
                pad=pad, h=h, w=w, bias=rng.random() < 0.5)


def conv_keywords(cfg):
    return "stride=%s, padding=%s, dilation=%s, groups=%d" % (
        pair(*cfg["stride"]), pair(*cfg["pad"]), pair(*cfg["dil"]), cfg["groups"])


def case_conv2d(rng, run):
    cfg = conv_config(rng)
    X = ints(rng, (cfg["n"], cfg["c"], cfg["h"], cfg["w"]))
    K = ints(rng, (cfg["o"], cfg["c"] // cfg["groups"]) + cfg["k"])
    B = ints(rng, (cfg["o"],)) if cfg["bias"] else None
    ref = torch.nn.functional.conv2d(X, K, B, cfg["stride"], cfg["pad"], cfg["dil"],
                                     cfg["groups"])
    tensors = {"X": X, "K": K}
    bias = ""
    if B is not None:
        tensors["B"] = B
        bias = "bias=B, "
    return compare(run.evaluate("conv2d(X, K, %s%s)" % (bias, conv_keywords(cfg)),
                                tensors), ref)


def case_conv2d_backward(rng, run):
    cfg = conv_config(rng)
    X = ints(rng, (cfg["n"], cfg["c"], cfg["h"], cfg["w"])).requires_grad_()
    K = ints(rng, (cfg["o"], cfg["c"] // cfg["groups"]) + cfg["k"]).requires_grad_()
    B = ints(rng, (cfg["o"],)).requires_grad_()
    Y = torch.nn.functional.conv2d(X, K, B, cfg["stride"], cfg["pad"], cfg["dil"],
                                   cfg["groups"])
    G = ints(rng, tuple(Y.shape))
    Y.backward(G)
    tensors = {"X": X.detach(), "K": K.detach(), "G": G}
    kw = conv_keywords(cfg)
    for expr, ref in (("conv2d_backward_input(X, K, G, %s)" % kw, X.grad),
                      ("conv2d_backward_weight(X, K, G, %s)" % kw, K.grad),
                      ("conv2d_backward_bias(G)", B.grad)):
        problem = compare(run.evaluate(expr, tensors), ref)
        if problem:
            return "%s: %s" % (expr, problem)
    return None


def case_conv_transpose2d(rng, run):
    cfg = conv_config(rng)
    # output_padding must be below the stride or the dilation of its axis.
    opad = tuple(rng.randint(0, max(s, d) - 1) for s, d in zip(cfg["stride"], cfg["dil"]))
    pad = tuple(min(p, (d * (k - 1)) // 2) for p, d, k in zip(cfg["pad"], cfg["dil"], cfg["k"]))
    X = ints(rng, (cfg["n"], cfg["c"], rng.randint(1, 4), rng.randint(1, 4)))
    K = ints(rng, (cfg["c"], cfg["o"] // cfg["groups"]) + cfg["k"])
    B = ints(rng, (cfg["o"],)) if cfg["bias"] else None
    try:
        ref = torch.nn.functional.conv_transpose2d(X, K, B, cfg["stride"], pad, opad,
                                                   cfg["groups"], cfg["dil"])
    except RuntimeError:
        return "skip"
    tensors = {"X": X, "K": K}
    bias = ""
    if B is not None:
        tensors["B"] = B
        bias = "bias=B, "
    expr = ("conv_transpose2d(X, K, %sstride=%s, padding=%s, output_padding=%s, "
            "groups=%d, dilation=%s)" % (bias, pair(*cfg["stride"]), pair(*pad),
                                         pair(*opad), cfg["groups"], pair(*cfg["dil"])))
    return compare(run.evaluate(expr, tensors), ref)


def pool_config(rng, allow_dilation):
    k = (rng.randint(1, 3), rng.randint(1, 3))
    stride = (rng.randint(1, 3), rng.randint(1, 3))
    pad = (rng.randint(0, k[0] // 2), rng.randint(0, k[1] // 2))
    dil = (rng.randint(1, 2), rng.randint(1, 2)) if allow_dilation else (1, 1)
    h = dil[0] * (k[0] - 1) + 1 + rng.randint(0, 4)
    w = dil[1] * (k[1] - 1) + 1 + rng.randint(0, 4)
    return dict(k=k, stride=stride, pad=pad, dil=dil, h=h, w=w,
                ceil=rng.random() < 0.4, n=rng.randint(1, 2), c=rng.randint(1, 2))


def case_max_pool2d(rng, run):
    cfg = pool_config(rng, True)
    # A narrow value range makes tied maxima common.
    X = ints(rng, (cfg["n"], cfg["c"], cfg["h"], cfg["w"]), -2, 2).requires_grad_()
    Y = torch.nn.functional.max_pool2d(X, cfg["k"], cfg["stride"], cfg["pad"], cfg["dil"],
                                       ceil_mode=cfg["ceil"])
    G = ints(rng, tuple(Y.shape))
    Y.backward(G)
    kw = "stride=%s, padding=%s, dilation=%s, ceil_mode=%s" % (
        pair(*cfg["stride"]), pair(*cfg["pad"]), pair(*cfg["dil"]),
        "true" if cfg["ceil"] else "false")
    tensors = {"X": X.detach(), "G": G}
    problem = compare(run.evaluate("max_pool2d(X, %s, %s)" % (pair(*cfg["k"]), kw),
                                   tensors), Y)
    if problem:
        return "forward: " + problem
    problem = compare(run.evaluate("max_pool2d_backward(X, G, %s, %s)"
                                   % (pair(*cfg["k"]), kw), tensors), X.grad)
    return "backward: " + problem if problem else None


def case_avg_pool2d(rng, run):
    cfg = pool_config(rng, False)
    include = rng.random() < 0.5
    override = rng.choice([None, None, None, rng.randint(1, 5)])
    X = ints(rng, (cfg["n"], cfg["c"], cfg["h"], cfg["w"])).requires_grad_()
    Y = torch.nn.functional.avg_pool2d(X, cfg["k"], cfg["stride"], cfg["pad"],
                                       ceil_mode=cfg["ceil"], count_include_pad=include,
                                       divisor_override=override)
    # Each window sends G / divisor to its positions; multiples of every
    # possible divisor keep those shares integral, so PyTorch's sums of
    # them are exact.
    scale = lcm(*range(1, cfg["k"][0] * cfg["k"][1] + 1), override or 1)
    G = ints(rng, tuple(Y.shape)) * scale
    Y.backward(G)
    kw = "stride=%s, padding=%s, ceil_mode=%s, count_include_pad=%s" % (
        pair(*cfg["stride"]), pair(*cfg["pad"]), "true" if cfg["ceil"] else "false",
        "true" if include else "false")
    if override is not None:
        kw += ", divisor_override=%d" % override
    tensors = {"X": X.detach(), "G": G}
    problem = compare(run.evaluate("avg_pool2d(X, %s, %s)" % (pair(*cfg["k"]), kw),
                                   tensors), Y)
    if problem:
        return "forward: " + problem
    problem = compare(run.evaluate("avg_pool2d_backward(X, G, %s, %s)"
                                   % (pair(*cfg["k"]), kw), tensors), X.grad)
    return "backward: " + problem if problem else None


def case_pool_ceil_small(rng, run):
    """ceil_mode with an input no larger than the window: PyTorch still
    gives an output when the (clipped) window starts inside the input or
    the left padding, e.g. max_pool2d of a 2 x 2 input with kernel 3,
    stride 3 is its maximum.  Where PyTorch rejects the sizes, convproof
    must reject them too."""
    k = (rng.randint(1, 4), rng.randint(1, 4))
    stride = (rng.randint(1, 4), rng.randint(1, 4))
    pad = (rng.randint(0, k[0] // 2), rng.randint(0, k[1] // 2))
    h, w = rng.randint(1, k[0] + 1), rng.randint(1, k[1] + 1)
    avg = rng.random() < 0.5
    include = rng.random() < 0.5
    X = ints(rng, (1, rng.randint(1, 2), h, w)).requires_grad_()
    try:
        if avg:
            Y = torch.nn.functional.avg_pool2d(X, k, stride, pad, ceil_mode=True,
                                               count_include_pad=include)
        else:
            Y = torch.nn.functional.max_pool2d(X, k, stride, pad, ceil_mode=True)
    except RuntimeError:
        Y = None
    if avg:
        expr = "avg_pool2d(X, %s, stride=%s, padding=%s, ceil_mode=true, " \
               "count_include_pad=%s)" % (pair(*k), pair(*stride), pair(*pad),
                                          "true" if include else "false")
    else:
        expr = "max_pool2d(X, %s, stride=%s, padding=%s, ceil_mode=true)" % (
            pair(*k), pair(*stride), pair(*pad))
    if Y is None:
        try:
            run.evaluate(expr, {"X": X.detach()})
        except RuntimeError:
            return None   # both reject the sizes
        return "PyTorch rejects %s on %dx%d, convproof does not" % (expr, h, w)
    scale = lcm(*range(1, k[0] * k[1] + 1))
    G = ints(rng, tuple(Y.shape)) * scale
    Y.backward(G)
    tensors = {"X": X.detach(), "G": G}
    problem = compare(run.evaluate(expr, tensors), Y)
    if problem:
        return "forward %s on %dx%d: %s" % (expr, h, w, problem)
    back = expr.replace("_pool2d(X, ", "_pool2d_backward(X, G, ", 1)
    problem = compare(run.evaluate(back, tensors), X.grad)
    return "backward %s: %s" % (back, problem) if problem else None


def case_relu(rng, run):
    X = ints(rng, (rng.randint(1, 3), rng.randint(1, 4), rng.randint(1, 4)))
    return compare(run.evaluate("relu(X)", {"X": X}), torch.relu(X))


def nd_config(rng, axes):
    """A conv1d (axes=1) or conv3d (axes=3) layer, drawn like conv_config."""
    groups = rng.choice([1, 1, 2])
    c = groups * rng.randint(1, 2)
    o = groups * rng.randint(1, 2)
    k = tuple(rng.randint(1, 3) for _ in range(axes))
    stride = tuple(rng.randint(1, 2) for _ in range(axes))
    dil = tuple(rng.randint(1, 2) for _ in range(axes))
    pad = tuple(rng.randint(0, 1) for _ in range(axes))
    size = tuple(max(1, dil[a] * (k[a] - 1) + 1 - 2 * pad[a]) + rng.randint(0, 2)
                 for a in range(axes))
    return dict(n=rng.randint(1, 2), c=c, o=o, groups=groups, k=k,
                stride=stride, dil=dil, pad=pad, size=size,
                bias=rng.random() < 0.5)


def case_conv_nd(rng, run, axes):
    cfg = nd_config(rng, axes)
    X = ints(rng, (cfg["n"], cfg["c"]) + cfg["size"])
    K = ints(rng, (cfg["o"], cfg["c"] // cfg["groups"]) + cfg["k"])
    B = ints(rng, (cfg["o"],)) if cfg["bias"] else None
    fn = torch.nn.functional.conv1d if axes == 1 else torch.nn.functional.conv3d
    ref = fn(X, K, B, cfg["stride"], cfg["pad"], cfg["dil"], cfg["groups"])
    tensors = {"X": X, "K": K}
    bias = ""
    if B is not None:
        tensors["B"] = B
        bias = "bias=B, "
    # lists for the triples, tuples for conv1d's single entries: both
    # spellings are accepted
    text = lambda t: "[%s]" % ", ".join(str(v) for v in t) if axes == 3 else "(%d,)" % t[0]
    expr = "conv%dd(X, K, %sstride=%s, padding=%s, dilation=%s, groups=%d)" % (
        axes, bias, text(cfg["stride"]), text(cfg["pad"]), text(cfg["dil"]),
        cfg["groups"])
    return compare(run.evaluate(expr, tensors), ref)


def case_conv1d(rng, run):
    return case_conv_nd(rng, run, 1)


def case_conv3d(rng, run):
    return case_conv_nd(rng, run, 3)


def case_elementwise(rng, run):
    """max, min, abs, ** and slicing against torch.maximum & co."""
    shape = (rng.randint(1, 3), rng.randint(1, 4))
    A = ints(rng, shape, -3, 3)
    B = ints(rng, shape, -3, 3)
    for expr, ref in (("max(A, B)", torch.maximum(A, B)),
                      ("min(A, B)", torch.minimum(A, B)),
                      ("abs(A - B)", torch.abs(A - B)),
                      ("A ** 3", A ** 3),
                      ("concat([A, B], dim=1).T[::2]", torch.cat([A, B], 1).T[::2]),
                      ("stack([A, B], dim=-1)[-1]", torch.stack([A, B], -1)[-1])):
        problem = compare(run.evaluate(expr, {"A": A, "B": B}), ref)
        if problem:
            return "%s: %s" % (expr, problem)
    return None


CASES = [("conv1d", case_conv1d), ("conv3d", case_conv3d),
         ("max/min/abs/**/slices", case_elementwise),
         ("conv2d", case_conv2d), ("conv2d backward", case_conv2d_backward),
         ("conv_transpose2d", case_conv_transpose2d), ("max_pool2d", case_max_pool2d),
         ("avg_pool2d", case_avg_pool2d), ("pool ceil small", case_pool_ceil_small),
         ("relu", case_relu)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("convproof")
    parser.add_argument("--cases", type=int,
                        default=int(os.environ.get("TORCH_DIFF_CASES") or 25))
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    passed = failed = skipped = 0
    with tempfile.TemporaryDirectory() as workdir:
        run = Runner(os.path.abspath(args.convproof), workdir)
        for name, case in CASES:
            rng = random.Random("%d-%s" % (args.seed, name))
            ok = bad = 0
            for index in range(args.cases):
                try:
                    problem = case(rng, run)
                except RuntimeError as error:
                    problem = str(error)
                if problem == "skip":
                    skipped += 1
                    continue
                if problem:
                    bad += 1
                    print("FAIL %s case %d: %s" % (name, index, problem))
                else:
                    ok += 1
            print("%-18s %3d identical to PyTorch, %d different" % (name, ok, bad))
            passed += ok
            failed += bad
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
