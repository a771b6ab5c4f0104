#!/usr/bin/python3
"""decide.py -- decides the truth of every claim of tests/corpus outside
convproof and checks it against the manifest truth.tsv.

    /usr/bin/python3 tests/corpus/decide.py [CORPUS_DIR]

Each claim has a function below that recomputes it from the definitions:
the textbook operations (NNDL chapter 5) and PyTorch's pooling and
convolution rules are written out again here as plain loops over exact
rationals (fractions.Fraction, or SymPy symbols for identities that must
hold for every real input).  These reference loops are first compared
with torch.nn.functional in float64 on small integer data (where float is
exact), so the PyTorch semantics are PyTorch's own, not a second reading of
convproof's.

How a claim is decided (the `how` column of truth.tsv):
  sympy       every input entry a SymPy symbol, both sides expanded, at
              every shape of the claim's dim ranges: true for every real
              input (for piecewise claims, on every sign pattern that is
              enumerated as stated in the function)
  exhaustive  every input on a grid of rationals (kinks included), at
              every shape: used for piecewise-linear claims whose pieces
              change only at 0 or at ties, where the grid meets every piece
  formula     a count or size computed from the documented formula
  literal     the literal sides computed with the reference loops and
              torch
  witness     a false claim: the concrete counterexample (also in
              truth.tsv) is evaluated and the sides differ
A claim whose library is missing (SymPy, PyTorch) prints SKIPPED.

Exit status: 0 when every decided claim agrees with the manifest, 1 on any
disagreement (or a manifest row without a function, or the reverse).
"""

import itertools
import os
import sys
from fractions import Fraction as Fr

import numpy as np

try:
    import sympy
except ImportError:  # pragma: no cover
    sympy = None
try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover
    torch = None


class Skip(Exception):
    pass


def need(mod, name):
    if mod is None:
        raise Skip(name + " is not installed")


# ---- the reference operations (object arrays: Fraction or SymPy) -----------

def arr(x):
    return np.array(x, dtype=object)


def frac(x):
    return np.vectorize(lambda v: Fr(v), otypes=[object])(np.asarray(x))


def zeros(shape):
    z = np.empty(shape, dtype=object)
    z.fill(Fr(0))
    return z


def as2(x):
    """A rank-1 tensor is a row (the textbook's 1-D convolutions)."""
    x = arr(x)
    return x.reshape(1, -1) if x.ndim == 1 else x


def back(x, like):
    return x.reshape(-1) if np.asarray(like).ndim == 1 else x


def rot180(w):
    w = arr(w)
    return back(as2(w)[::-1, ::-1].copy(), w)


def pad2(x, ph, pw):
    x2 = as2(x)
    m, n = x2.shape
    out = zeros((m + 2 * ph, n + 2 * pw))
    out[ph:ph + m, pw:pw + n] = x2
    return out


def dilate2(x, s):
    x2 = as2(x)
    m, n = x2.shape
    out = zeros(((m - 1) * s + 1, (n - 1) * s + 1))
    out[::s, ::s] = x2
    return out


def xcorr(w, x, stride=1):
    """NNDL (5.6): y[i,j] = sum_uv w[u,v] x[i*s+u, j*s+v]."""
    w2, x2 = as2(w), as2(x)
    u, v = w2.shape
    m, n = x2.shape
    out = zeros(((m - u) // stride + 1, (n - v) // stride + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            s = 0
            for a in range(u):
                for b in range(v):
                    s = s + w2[a, b] * x2[i * stride + a, j * stride + b]
            out[i, j] = s
    return back(out, x)


def conv(w, x):
    """NNDL (5.4), flipped: y[i,j] = sum_uv w[u,v] x[i+U-1-u, j+V-1-v]."""
    w2, x2 = as2(w), as2(x)
    u, v = w2.shape
    m, n = x2.shape
    out = zeros((m - u + 1, n - v + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            s = 0
            for a in range(u):
                for b in range(v):
                    s = s + w2[a, b] * x2[i + u - 1 - a, j + v - 1 - b]
            out[i, j] = s
    return back(out, x)


def wide(w, x):
    """NNDL (5.12): the wide cross-correlation, X padded by U-1, V-1; an
    entry outside X is 0."""
    w2, x2 = as2(w), as2(x)
    u, v = w2.shape
    m, n = x2.shape
    out = zeros((m + u - 1, n + v - 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            s = 0
            for a in range(u):
                for b in range(v):
                    p, q = i + a - (u - 1), j + b - (v - 1)
                    if 0 <= p < m and 0 <= q < n:
                        s = s + w2[a, b] * x2[p, q]
            out[i, j] = s
    return back(out, x)


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def conv2d(x, k, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv2d, NCHW input, OIHW kernel."""
    sh, sw = pair(stride)
    ph, pw = pair(padding)
    dh, dw = pair(dilation)
    n, c, h, w = x.shape
    o, cg, r, t = k.shape
    ho = (h + 2 * ph - dh * (r - 1) - 1) // sh + 1
    wo = (w + 2 * pw - dw * (t - 1) - 1) // sw + 1
    og = o // groups
    out = zeros((n, o, ho, wo))
    for b, f, i, j in itertools.product(range(n), range(o), range(ho), range(wo)):
        g = f // og
        s = 0 if bias is None else bias[f]
        for ci, a, e in itertools.product(range(cg), range(r), range(t)):
            p, q = i * sh - ph + a * dh, j * sw - pw + e * dw
            if 0 <= p < h and 0 <= q < w:
                s = s + k[f, ci, a, e] * x[b, g * cg + ci, p, q]
        out[b, f, i, j] = s
    return out


def conv_transpose2d(g, k, stride=1, padding=0, output_padding=0, dilation=1):
    """torch.nn.functional.conv_transpose2d (groups 1): every input entry
    scatters kernel * entry to the positions conv2d would have read."""
    s, p, op, d = stride, padding, output_padding, dilation
    n, c, h, w = g.shape
    _, o, r, t = k.shape
    ho = (h - 1) * s - 2 * p + d * (r - 1) + op + 1
    wo = (w - 1) * s - 2 * p + d * (t - 1) + op + 1
    out = zeros((n, o, ho, wo))
    for b, ci, i, j in itertools.product(range(n), range(c), range(h), range(w)):
        for f, a, e in itertools.product(range(o), range(r), range(t)):
            y, z = i * s - p + a * d, j * s - p + e * d
            if 0 <= y < ho and 0 <= z < wo:
                out[b, f, y, z] = out[b, f, y, z] + g[b, ci, i, j] * k[ci, f, a, e]
    return out


def pool_out(size, k, s, p, d, ceil_mode):
    """PyTorch's pooling output size, ceil_mode's rule included: the last
    window must start inside the input or the left padding."""
    num = size + 2 * p - d * (k - 1) - 1
    o = (-(-num // s) if ceil_mode else num // s) + 1
    if ceil_mode and (o - 1) * s >= size + p:
        o -= 1
    return o


def max_pool2d(x, k, stride=None, padding=0, dilation=1, ceil_mode=False):
    kh, kw = pair(k)
    sh, sw = pair(stride if stride is not None else k)
    ph, pw = pair(padding)
    dh, dw = pair(dilation)
    n, c, h, w = x.shape
    ho = pool_out(h, kh, sh, ph, dh, ceil_mode)
    wo = pool_out(w, kw, sw, pw, dw, ceil_mode)
    out = zeros((n, c, ho, wo))
    for b, f, i, j in itertools.product(range(n), range(c), range(ho), range(wo)):
        vals = [x[b, f, i * sh - ph + a * dh, j * sw - pw + e * dw]
                for a in range(kh) for e in range(kw)
                if 0 <= i * sh - ph + a * dh < h and 0 <= j * sw - pw + e * dw < w]
        out[b, f, i, j] = max(vals)   # padding is -inf: never the maximum
    return out


def avg_pool2d(x, k, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """PyTorch's AvgPool2d (aten/src/ATen/native/AveragePool2d.cpp): the
    window is clipped to the padded input for the divisor that counts
    padding, then to the input for the sum and the other divisor."""
    kh, kw = pair(k)
    sh, sw = pair(stride if stride is not None else k)
    ph, pw = pair(padding)
    n, c, h, w = x.shape
    ho = pool_out(h, kh, sh, ph, 1, ceil_mode)
    wo = pool_out(w, kw, sw, pw, 1, ceil_mode)
    out = zeros((n, c, ho, wo))
    for b, f, i, j in itertools.product(range(n), range(c), range(ho), range(wo)):
        h0, w0 = i * sh - ph, j * sw - pw
        h1, w1 = min(h0 + kh, h + ph), min(w0 + kw, w + pw)
        pool = (h1 - h0) * (w1 - w0)
        h0, w0, h1, w1 = max(h0, 0), max(w0, 0), min(h1, h), min(w1, w)
        s = sum((x[b, f, p, q] for p in range(h0, h1) for q in range(w0, w1)), Fr(0))
        if divisor_override is not None:
            div = divisor_override
        elif count_include_pad:
            div = pool
        else:
            div = (h1 - h0) * (w1 - w0)
        out[b, f, i, j] = s / div
    return out


def relu(x):
    return np.vectorize(lambda v: v if v > 0 else Fr(0), otypes=[object])(arr(x))


def mults_conv2d(x_shape, k_shape, stride=1, padding=0, dilation=1, groups=1):
    """The usual cost model: every kernel tap at every output position."""
    n, c, h, w = x_shape
    o, cg, r, t = k_shape
    ho = (h + 2 * padding - dilation * (r - 1) - 1) // stride + 1
    wo = (w + 2 * padding - dilation * (t - 1) - 1) // stride + 1
    return n * o * ho * wo * cg * r * t, (n, o, ho, wo)


# ---- instances ---------------------------------------------------------------

RNG = np.random.default_rng(20260901)


def rint(shape, lo=-9, hi=9):
    return frac(RNG.integers(lo, hi + 1, size=shape))


def syms(name, shape):
    need(sympy, "SymPy")
    n = int(np.prod(shape)) if shape else 1
    s = sympy.symbols(f"{name}0:{n}")
    return arr(list(s)).reshape(shape)


def same(a, b):
    a, b = arr(a), arr(b)
    if a.shape != b.shape:
        return False
    if sympy is not None:
        return all(sympy.expand(p - q) == 0 for p, q in zip(a.flat, b.flat))
    return all(p == q for p, q in zip(a.flat, b.flat))


def grad(expr, xs):
    """d expr / d xs for a SymPy scalar and a symbol array."""
    return np.vectorize(lambda v: sympy.diff(expr, v), otypes=[object])(xs)


def total(a):
    return sum(arr(a).flat, Fr(0))


def dims(**ranges):
    keys = list(ranges)
    for vals in itertools.product(*(ranges[k] for k in keys)):
        yield dict(zip(keys, vals))


def r(lo, hi):
    return range(lo, hi + 1)


def for_all(shapes, check, trials=0):
    """check(point) over every shape point (a dict of dims); the first
    point where it is False is returned, else None."""
    for p in shapes:
        if not check(p):
            return p
    return None


# ---- torch cross-check of the reference loops --------------------------------

def torch_crosscheck():
    """The loops above against torch.nn.functional in float64 on integer
    data: conv2d/conv_transpose2d outputs are integers (exact in float64);
    pooling outputs are compared times their divisor... instead the
    reference values, exact rationals, are rounded to float64 and compared
    with torch's float64 results to 1e-12 (a wrong divisor or a missing
    window differs by far more)."""
    need(torch, "PyTorch")
    bad = []

    def cmp(name, ref, t):
        ref = np.array([float(v) for v in ref.flat]).reshape(ref.shape)
        t = t.numpy()
        if ref.shape != t.shape or not np.allclose(ref, t, rtol=1e-12, atol=1e-12):
            bad.append(f"{name}: reference {ref.shape} vs torch {t.shape}")

    tt = lambda a: torch.tensor(np.array([float(v) for v in a.flat]).reshape(a.shape),
                                dtype=torch.float64)
    for _ in range(20):
        h, w = RNG.integers(2, 7, size=2)
        x = rint((2, 4, h, w))
        for (r_, s, p, d, g) in [(1, 1, 0, 1, 1), (2, 2, 1, 1, 2), (3, 2, 1, 2, 1),
                                 (2, 3, 2, 1, 4), (3, 1, 1, 1, 1)]:
            if h + 2 * p < d * (r_ - 1) + 1 or w + 2 * p < d * (r_ - 1) + 1:
                continue
            k = rint((4, 4 // g, r_, r_))
            b = rint((4,))
            cmp("conv2d", conv2d(x, k, b, s, p, d, g),
                F.conv2d(tt(x), tt(k), tt(b), s, p, d, g))
        gg = rint((1, 2, h, w))
        for (r_, s, p, op, d) in [(3, 2, 1, 1, 1), (2, 1, 0, 0, 1), (3, 2, 1, 0, 2), (2, 3, 0, 2, 1)]:
            k = rint((2, 3, r_, r_))
            cmp("conv_transpose2d", conv_transpose2d(gg, k, s, p, op, d),
                F.conv_transpose2d(tt(gg), tt(k), None, s, p, op, 1, d))
        for (k_, s, p, d, cm) in [(2, 2, 0, 1, False), (3, 2, 1, 1, True), (2, 2, 1, 1, True),
                                  (3, 1, 1, 1, False), (2, 1, 0, 2, True), (3, 3, 1, 1, True)]:
            if h + 2 * p < d * (k_ - 1) + 1 or w + 2 * p < d * (k_ - 1) + 1:
                continue
            cmp("max_pool2d", max_pool2d(x, k_, s, p, d, cm),
                F.max_pool2d(tt(x), k_, s, p, d, cm))
        for (k_, s, p, cm, cip, dv) in [(2, 2, 0, False, True, None), (3, 2, 1, True, True, None),
                                        (3, 2, 1, True, False, None), (2, 2, 1, True, False, None),
                                        (3, 1, 1, False, False, None), (2, 2, 0, True, True, 2),
                                        (3, 3, 1, True, True, None)]:
            if h + 2 * p < k_ or w + 2 * p < k_:
                continue
            cmp("avg_pool2d", avg_pool2d(x, k_, s, p, cm, cip, dv),
                F.avg_pool2d(tt(x), k_, s, p, cm, cip, dv))
    return bad


# ---- the claims ----------------------------------------------------------------
# Each function returns (truth, witness): witness is "" for a true claim and
# the counterexample (as written in truth.tsv) for a false one.

CLAIMS = {}


def claim(name):
    def reg(fn):
        CLAIMS[name] = fn
        return fn
    return reg


def sym_identity(ranges, build):
    """build(point) -> (left, right) with SymPy inputs; True when equal at
    every shape."""
    need(sympy, "SymPy")
    return for_all(dims(**ranges), lambda p: same(*build(p))) is None


@claim("c01_wide_rot180_commutes")
def _():
    def b(p):
        X, W = syms("x", (p["M"], p["N"])), syms("w", (p["U"], p["V"]))
        return wide(rot180(W), X), wide(rot180(X), W)
    return sym_identity(dict(M=r(1, 4), N=r(1, 4), U=r(1, 3), V=r(1, 3)), b), ""


@claim("c02_wide_commutes_without_rot180")
def _():
    X, W = frac([[1, 0]]), frac([[1]])
    return same(wide(W, X), wide(X, W)), "M=1 N=2 U=V=1: X=[[1,0]] W=[[1]]: [[1,0]] vs [[0,1]]"


@claim("c03_wide_is_full_padding")
def _():
    def b(p):
        X, W = syms("x", (p["M"], p["N"])), syms("w", (p["U"], p["V"]))
        return wide(W, X), xcorr(W, pad2(X, p["U"] - 1, p["V"] - 1))
    return sym_identity(dict(M=r(1, 4), N=r(1, 4), U=r(1, 3), V=r(1, 3)), b), ""


@claim("c04_wide_rotates_kernel")
def _():
    X, W = frac([[1]]), frac([[1, 0]])
    return (same(wide(W, X), xcorr(rot180(W), pad2(X, 0, 1))),
            "M=N=1 U=1 V=2: X=[[1]] W=[[1,0]]: [[0,1]] vs [[1,0]]")


@claim("c05_conv_is_xcorr_rot180")
def _():
    def b(p):
        X, W = syms("x", (p["M"], p["N"])), syms("w", (p["U"], p["V"]))
        return conv(W, X), xcorr(rot180(W), X)
    pts = [p for p in dims(M=r(1, 4), N=r(1, 4), U=r(1, 3), V=r(1, 3))
           if p["U"] <= p["M"] and p["V"] <= p["N"]]
    need(sympy, "SymPy")
    return for_all(pts, lambda p: same(*b(p))) is None, ""


@claim("c06_conv_equals_xcorr")
def _():
    X, W = frac([[1, 0], [0, 0]]), frac([[1, 0]])
    return same(conv(W, X), xcorr(W, X)), "M=N=2 U=1 V=2: X=[[1,0],[0,0]] W=[[1,0]]"


@claim("c07_full_conv_1d_example")
def _():
    return same(wide(rot180(frac([-1, 2, -1])), frac([1, 2, 4, 3])), frac([-1, 0, -1, 3, 2, -3])), ""


@claim("c08_symmetric_kernel_needs_no_rotation")
def _():
    return same(wide(frac([-1, 2, -1]), frac([1, 2, 4, 3])), frac([-1, 0, -1, 3, 2, -3])), ""


@claim("c09_asymmetric_kernel_needs_rotation")
def _():
    a = wide(frac([1, 2, 3]), frac([1, 2]))
    b = wide(rot180(frac([1, 2, 3])), frac([1, 2]))
    return same(a, b), f"literals: {[int(v) for v in a]} vs {[int(v) for v in b]}"


@claim("c10_xcorr_linear")
def _():
    def b(p):
        X, Y = syms("x", (p["M"], p["N"])), syms("y", (p["M"], p["N"]))
        W = syms("w", (p["U"], p["V"]))
        return xcorr(W, X + Y), xcorr(W, X) + xcorr(W, Y)
    pts = [p for p in dims(M=r(1, 4), N=r(1, 4), U=r(1, 2), V=r(1, 2))
           if p["U"] <= p["M"] and p["V"] <= p["N"]]
    need(sympy, "SymPy")
    return for_all(pts, lambda p: same(*b(p))) is None, ""


@claim("c11_xcorr_multiplicative")
def _():
    X, Y, W = frac([[1]]), frac([[1]]), frac([[2]])
    return same(xcorr(W, X * Y), xcorr(W, X) * xcorr(W, Y)), "M=N=U=V=1: X=Y=[[1]] W=[[2]]: 2 vs 4"


def conv_sym_pts(ranges, ok=lambda p: True):
    return [p for p in dims(**ranges) if ok(p)]


@claim("c12_stride_is_subsampling")
def _():
    def b(p):
        X, K = syms("x", (1, 1, p["H"], p["W"])), syms("k", (1, 1, p["R"], p["T"]))
        one = frac([[[[1]]]])
        return conv2d(X, K, stride=2), conv2d(conv2d(X, K), one, stride=2)
    pts = conv_sym_pts(dict(H=r(2, 5), W=r(2, 5), R=r(1, 2), T=r(1, 2)),
                       lambda p: p["R"] <= p["H"] and p["T"] <= p["W"])
    need(sympy, "SymPy")
    return for_all(pts, lambda p: same(*b(p))) is None, ""


@claim("c13_dilation_is_zero_inserted_kernel")
def _():
    def b(p):
        X, K = syms("x", (1, 1, p["H"], p["W"])), syms("k", (1, 1, p["R"], p["T"]))
        lhs = conv2d(X, K, dilation=2).reshape(p["H"] - 2 * p["R"] + 2, p["W"] - 2 * p["T"] + 2)
        return lhs, xcorr(dilate2(K.reshape(p["R"], p["T"]), 2), X.reshape(p["H"], p["W"]))
    need(sympy, "SymPy")
    return for_all(conv_sym_pts(dict(H=r(3, 5), W=r(3, 5), R=r(1, 2), T=r(1, 2))),
                   lambda p: same(*b(p))) is None, ""


@claim("c14_dilation_with_flipped_kernel")
def _():
    X = frac([[[[1, 0, 0], [0, 0, 0], [0, 0, 0]]]])
    K = frac([[[[1, 0]]]])
    lhs = conv2d(X, K, dilation=2).reshape(3, 1)
    rhs = xcorr(rot180(dilate2(K.reshape(1, 2), 2)), X.reshape(3, 3))
    return same(lhs, rhs), "H=W=3 R=1 T=2: X=e(0,0) K=[[1,0]]"


@claim("c15_one_by_one_is_matmul")
def _():
    def b(p):
        C, D, H, W = p["C"], p["D"], p["H"], p["W"]
        X, K = syms("x", (1, C, H, W)), syms("k", (D, C, 1, 1))
        return conv2d(X, K).reshape(D, H * W), K.reshape(D, C).dot(X.reshape(C, H * W))
    need(sympy, "SymPy")
    return for_all(dims(C=r(1, 3), D=r(1, 3), H=r(1, 3), W=r(1, 3)), lambda p: same(*b(p))) is None, ""


@claim("c16_one_by_one_wrong_reshape")
def _():
    X = frac(np.array([1, 0]).reshape(1, 2, 1, 1))
    K = frac(np.array([1, 2, 3, 4]).reshape(2, 2, 1, 1))
    lhs = conv2d(X, K).reshape(2, 1)
    rhs = K.reshape(2, 2).T.dot(X.reshape(2, 1))
    return same(lhs, rhs), "C=D=2 H=W=1: X=[1,0] K=[[1,2],[3,4]]: [1,3] vs [1,2]"


@claim("c17_one_by_one_bias")
def _():
    def b(p):
        C, D, H, W = p["C"], p["D"], p["H"], p["W"]
        X, K, B = syms("x", (1, C, H, W)), syms("k", (D, C, 1, 1)), syms("b", (D,))
        return (conv2d(X, K, bias=B).reshape(D, H * W),
                K.reshape(D, C).dot(X.reshape(C, H * W)) + B.reshape(D, 1))
    need(sympy, "SymPy")
    return for_all(dims(C=r(1, 2), D=r(1, 2), H=r(1, 3), W=r(1, 3)), lambda p: same(*b(p))) is None, ""


@claim("c18_one_by_one_compose")
def _():
    def b(p):
        C, D, E, H, W = p["C"], p["D"], p["E"], p["H"], p["W"]
        X = syms("x", (1, C, H, W))
        K1, K2 = syms("k", (D, C, 1, 1)), syms("m", (E, D, 1, 1))
        Km = K2.reshape(E, D).dot(K1.reshape(D, C)).reshape(E, C, 1, 1)
        return conv2d(conv2d(X, K1), K2), conv2d(X, Km)
    need(sympy, "SymPy")
    return for_all(dims(C=r(1, 2), D=r(1, 2), E=r(1, 2), H=r(1, 2), W=r(1, 2)),
                   lambda p: same(*b(p))) is None, ""


@claim("c19_ex5_4_direct_mults")
def _():
    m, shape = mults_conv2d((1, 256, 100, 100), (256, 256, 3, 3), padding=1)
    return m == 5898240000 and int(np.prod(shape)) == 2560000, ""


@claim("c20_ex5_4_bottleneck_forgets_1x1")
def _():
    m1, s1 = mults_conv2d((1, 256, 100, 100), (64, 256, 1, 1))
    m3, _ = mults_conv2d(s1, (256, 64, 3, 3), padding=1)
    return m1 + m3 == 1474560000, f"1x1 {m1} + 3x3 {m3} = {m1 + m3}"


@claim("c21_ex5_4_ratio")
def _():
    m, _ = mults_conv2d((1, 256, 100, 100), (256, 256, 3, 3), padding=1)
    m1, s1 = mults_conv2d((1, 256, 100, 100), (64, 256, 1, 1))
    m3, _ = mults_conv2d(s1, (256, 64, 3, 3), padding=1)
    return Fr(m, m1 + m3) == Fr(18, 5), ""


@claim("c22_ex5_4_ratio_four")
def _():
    m, _ = mults_conv2d((1, 8, 1, 1), (8, 8, 3, 3), padding=1)
    m1, s1 = mults_conv2d((1, 8, 1, 1), (2, 8, 1, 1))
    m3, _ = mults_conv2d(s1, (8, 2, 3, 3), padding=1)
    return Fr(m, m1 + m3) == 4, f"H=W=1: {m}/({m1}+{m3}) = {Fr(m, m1 + m3)}"


@claim("c23_cost_formula_padded")
def _():
    return all(mults_conv2d((1, p["C"], p["H"], p["W"]), (p["C"], p["C"], 3, 3), padding=1)[0]
               == 9 * p["C"] ** 2 * p["H"] * p["W"]
               for p in dims(C=r(1, 3), H=r(1, 3), W=r(1, 3))), ""


@claim("c24_cost_formula_unpadded")
def _():
    m, _ = mults_conv2d((1, 1, 3, 3), (1, 1, 3, 3))
    return m == 81, f"C=1 H=W=3: {m} vs 81"


@claim("c25_output_size_stride2")
def _():
    ok = True
    for p in dims(D=r(1, 2), H=r(1, 5), W=r(1, 5)):
        if p["H"] % 2 == 0 or p["W"] % 2 == 0:
            continue
        _, s = mults_conv2d((1, 1, p["H"], p["W"]), (p["D"], 1, 3, 3), stride=2, padding=1)
        ok &= Fr(int(np.prod(s))) == p["D"] * Fr(p["H"] + 1, 2) * Fr(p["W"] + 1, 2)
    return ok, ""


@claim("c26_output_size_stride2_floor")
def _():
    _, s = mults_conv2d((1, 1, 2, 3), (1, 1, 3, 3), stride=2, padding=1)
    return Fr(int(np.prod(s))) == Fr(2, 2) * Fr(3, 2), f"D=1 H=2 W=3: {int(np.prod(s))} vs 3/2"


def backprop_pts(ranges):
    return [p for p in dims(**ranges) if p["U"] <= p["M"] and p["V"] <= p["N"]]


def lsum(g, y):
    return sum((a * b for a, b in zip(arr(g).flat, arr(y).flat)), 0)


@claim("c27_backprop_input")
def _():
    def b(p):
        M, N, U, V = p["M"], p["N"], p["U"], p["V"]
        X, W, G = syms("x", (M, N)), syms("w", (U, V)), syms("g", (M - U + 1, N - V + 1))
        return grad(lsum(G, xcorr(W, X)), X), wide(rot180(W), G)
    need(sympy, "SymPy")
    return for_all(backprop_pts(dict(M=r(1, 4), N=r(1, 4), U=r(1, 3), V=r(1, 3))),
                   lambda p: same(*b(p))) is None, ""


@claim("c28_backprop_input_unrotated")
def _():
    need(sympy, "SymPy")
    X, W, G = syms("x", (1, 2)), frac([[1, 0]]), frac([[1]])
    return same(grad(lsum(G, xcorr(W, X)), X), wide(W, G)), "M=1 N=2 U=1 V=2: W=[[1,0]] G=[[1]]: [1,0] vs [0,1]"


@claim("c29_backprop_weight")
def _():
    def b(p):
        M, N, U, V = p["M"], p["N"], p["U"], p["V"]
        X, W, G = syms("x", (M, N)), syms("w", (U, V)), syms("g", (M - U + 1, N - V + 1))
        return grad(lsum(G, xcorr(W, X)), W), xcorr(G, X)
    need(sympy, "SymPy")
    return for_all(backprop_pts(dict(M=r(1, 4), N=r(1, 4), U=r(1, 3), V=r(1, 3))),
                   lambda p: same(*b(p))) is None, ""


@claim("c30_backprop_weight_flipped")
def _():
    need(sympy, "SymPy")
    X, W, G = frac([[1, 0]]), syms("w", (1, 1)), frac([[1, 0]])
    return same(grad(lsum(G, xcorr(W, X)), W), conv(G, X)), "M=1 N=2 U=V=1: X=[[1,0]] G=[[1,0]]: 1 vs 0"


def jac(y, x):
    """d vec(y) / d vec(x), row-major vec."""
    return arr([[sympy.diff(a, b) for b in arr(x).flat] for a in arr(y).flat])


@claim("c31_backward_is_transpose")
def _():
    def b(p):
        M, N, U, V = p["M"], p["N"], p["U"], p["V"]
        X, W, D = syms("x", (M, N)), syms("w", (U, V)), syms("d", (M - U + 1, N - V + 1))
        return jac(xcorr(W, X), X).T, jac(wide(rot180(W), D), D)
    need(sympy, "SymPy")
    return for_all(backprop_pts(dict(M=r(1, 4), N=r(1, 4), U=r(1, 2), V=r(1, 2))),
                   lambda p: same(*b(p))) is None, ""


@claim("c32_backward_is_transpose_unrotated")
def _():
    need(sympy, "SymPy")
    X, W, D = syms("x", (1, 2)), frac([[1, 0]]), syms("d", (1, 1))
    return (same(jac(xcorr(W, X), X).T, jac(wide(W, D), D)),
            "M=1 N=2 U=1 V=2: W=[[1,0]]: [[1],[0]] vs [[0],[1]]")


@claim("c33_stride_dilated_gradient")
def _():
    def b(p):
        M, N, U, V, S = p["M"], p["N"], p["U"], p["V"], p["S"]
        X, W = syms("x", (M, N)), syms("w", (U, V))
        G = syms("g", ((M - U) // S + 1, (N - V) // S + 1))
        return grad(lsum(G, xcorr(W, X, stride=S)), X), wide(rot180(W), dilate2(G, S))
    pts = [p for p in backprop_pts(dict(M=r(1, 5), N=r(1, 5), U=r(1, 2), V=r(1, 2), S=r(1, 2)))
           if (p["M"] - p["U"]) % p["S"] == 0 and (p["N"] - p["V"]) % p["S"] == 0]
    need(sympy, "SymPy")
    return for_all(pts, lambda p: same(*b(p))) is None, ""


@claim("c34_backward_is_conv_transpose")
def _():
    def b(p):
        C, O, H, W = p["C"], p["O"], p["H"], p["W"]
        X, K = syms("x", (1, C, H, W)), syms("k", (O, C, 3, 3))
        G = syms("g", (1, O, (H - 1) // 2 + 1, (W - 1) // 2 + 1))
        return (grad(lsum(G, conv2d(X, K, stride=2, padding=1)), X),
                conv_transpose2d(G, K, stride=2, padding=1))
    pts = [p for p in dims(C=r(1, 2), O=r(1, 2), H=r(3, 5), W=r(3, 5)) if p["H"] % 2 and p["W"] % 2]
    need(sympy, "SymPy")
    return for_all(pts, lambda p: same(*b(p))) is None, ""


@claim("c35_backward_needs_output_padding")
def _():
    X, K, G = rint((1, 1, 2, 2)), rint((1, 1, 3, 3)), rint((1, 1, 1, 1))
    a = conv_transpose2d(G, K, stride=2, padding=1)
    return a.shape == X.shape, f"H=W=2: conv_transpose2d is {a.shape[2]}x{a.shape[3]}, the gradient 2x2"


@claim("c36_bias_gradient")
def _():
    def b(p):
        N, O, H, W = p["N"], p["O"], p["H"], p["W"]
        X, K, B = syms("x", (N, 1, H, W)), syms("k", (O, 1, 2, 2)), syms("b", (O,))
        G = syms("g", (N, O, H - 1, W - 1))
        return grad(lsum(G, conv2d(X, K, bias=B)), B), G.sum(axis=3).sum(axis=2).sum(axis=0)
    need(sympy, "SymPy")
    return for_all(dims(N=r(1, 2), O=r(1, 2), H=r(2, 3), W=r(2, 3)), lambda p: same(*b(p))) is None, ""


@claim("c37_bias_gradient_mean")
def _():
    need(sympy, "SymPy")
    X, K, B = rint((1, 1, 2, 3)), rint((1, 1, 2, 2)), syms("b", (1,))
    G = frac([[[[1, 1]]]])
    return same(grad(lsum(G, conv2d(X, K, bias=B)), B), arr([Fr(2, 2)])), "H=2 W=3: G=[[1,1]]: 2 vs 1"


BLOCK = frac(np.array([1, 0, 0, 1]).reshape(2, 2, 1, 1))
ANTI = frac(np.array([0, 1, 1, 0]).reshape(2, 2, 1, 1))


@claim("c38_groups_block_diagonal")
def _():
    def b(p):
        X, K = syms("x", (1, 2, p["H"], p["W"])), syms("k", (2, 1, 2, 2))
        return conv2d(X, K, groups=2), conv2d(X, K * BLOCK)
    need(sympy, "SymPy")
    return for_all(dims(H=r(2, 3), W=r(2, 3)), lambda p: same(*b(p))) is None, ""


@claim("c39_groups_swapped")
def _():
    X = frac(np.array([1, 0, 0, 0, 0, 0, 0, 0]).reshape(1, 2, 2, 2))
    K = frac(np.array([1, 0, 0, 0, 0, 0, 0, 0]).reshape(2, 1, 2, 2))
    return same(conv2d(X, K, groups=2), conv2d(X, K * ANTI)), \
        "H=W=2: X=e(0,0,0,0) K=e(0,0,0,0): [1,0] vs [0,1] over the channels"


@claim("c40_conv_transpose_adjoint")
def _():
    def b(p):
        H, W = p["H"], p["W"]
        X, K = syms("x", (1, 1, H, W)), syms("k", (1, 1, 3, 3))
        G = syms("g", (1, 1, (H - 1) // 2 + 1, (W - 1) // 2 + 1))
        return (arr([lsum(conv2d(X, K, stride=2, padding=1), G)]),
                arr([lsum(X, conv_transpose2d(G, K, stride=2, padding=1))]))
    pts = [p for p in dims(H=r(3, 5), W=r(3, 5)) if p["H"] % 2 and p["W"] % 2]
    need(sympy, "SymPy")
    return for_all(pts, lambda p: same(*b(p))) is None, ""


@claim("c41_conv_transpose_is_full_conv")
def _():
    def b(p):
        M, N, R, T = p["M"], p["N"], p["R"], p["T"]
        G, K = syms("g", (1, 1, M, N)), syms("k", (1, 1, R, T))
        return (conv_transpose2d(G, K).reshape(M + R - 1, N + T - 1),
                wide(rot180(K.reshape(R, T)), G.reshape(M, N)))
    need(sympy, "SymPy")
    return for_all(dims(M=r(1, 3), N=r(1, 3), R=r(1, 3), T=r(1, 3)), lambda p: same(*b(p))) is None, ""


@claim("c42_conv_transpose_is_wide_unrotated")
def _():
    G, K = frac([[[[1]]]]), frac([[[[1, 0]]]])
    return (same(conv_transpose2d(G, K).reshape(1, 2), wide(K.reshape(1, 2), G.reshape(1, 1))),
            "M=N=1 R=1 T=2: G=[[1]] K=[[1,0]]: [1,0] vs [0,1]")


@claim("c43_conv_transpose_output_size")
def _():
    ok = True
    for p in dims(H=r(1, 3), R=r(2, 3)):
        H, R = p["H"], p["R"]
        o = conv_transpose2d(zeros((1, 1, H, H)), zeros((1, 2, R, R)), 2, 1, 1, 2)
        ok &= o.size == 2 * (2 * H + 2 * R - 4) ** 2
        if torch is not None:
            t = F.conv_transpose2d(torch.zeros(1, 1, H, H, dtype=torch.float64),
                                   torch.zeros(1, 2, R, R, dtype=torch.float64), None, 2, 1, 1, 1, 2)
            ok &= t.numel() == o.size
    return ok, ""


@claim("c44_conv_output_size_without_dilation")
def _():
    _, s = mults_conv2d((1, 1, 5, 5), (1, 1, 2, 2), dilation=2)
    return int(np.prod(s)) == 16, f"H=5 R=2: {int(np.prod(s))} vs 16"


def values(lo, hi, den=1):
    """Rationals lo..hi in steps of 1/den."""
    return [Fr(k, den) for k in range(lo * den, hi * den + 1)]


def exhaustive(shape, grid, check):
    """check(X) for every X with entries in grid; the first failure."""
    n = int(np.prod(shape))
    for t in itertools.product(grid, repeat=n):
        x = arr(list(t)).reshape(shape)
        if not check(x):
            return x
    return None


ONE = frac([[[[1]]]])


@claim("c45_maxpool_padding_is_zero_padding")
def _():
    X = frac([[[[-1]]]])
    return (same(max_pool2d(X, 3, 1, 1), max_pool2d(conv2d(X, ONE, padding=1), 3, 1)),
            "H=1: X=[[-1]]: -1 vs 0")


@claim("c46_maxpool_padding_of_relu")
def _():
    # Piecewise linear with kinks at 0 and at ties: a grid holding 0 and
    # values on both sides meets every order pattern for H <= 2; H = 3 on
    # random instances.
    g = [Fr(-1), Fr(0), Fr(1), Fr(2)]
    ok = lambda X: same(max_pool2d(relu(X), 3, 1, 1), max_pool2d(conv2d(relu(X), ONE, padding=1), 3, 1))
    bad = exhaustive((1, 1, 1, 1), g, ok) or exhaustive((1, 1, 2, 2), g, ok)
    return bad is None and all(ok(rint((1, 1, 3, 3))) for _ in range(300)), ""


def grid_all(shapes, grid, ok, rand_shapes=(), n=300):
    for s in shapes:
        if exhaustive(s, grid, ok) is not None:
            return False
    for s in rand_shapes:
        for _ in range(n):
            if not ok(rint(s)):
                return False
    return True


G4 = [Fr(-1), Fr(0), Fr(1), Fr(2)]


@claim("c47_relu_commutes_with_maxpool")
def _():
    ok = lambda X: same(relu(max_pool2d(X, 2)), max_pool2d(relu(X), 2))
    return grid_all([(1, 1, 2, 2), (1, 1, 2, 3)], G4, ok,
                    [(1, 1, h, w) for h in r(2, 4) for w in r(2, 4)]), ""


@claim("c48_relu_commutes_with_avgpool")
def _():
    X = frac([[[[1, -1], [0, 0]]]])
    return same(relu(avg_pool2d(X, 2)), avg_pool2d(relu(X), 2)), "H=W=2: X=[[1,-1],[0,0]]: 0 vs 1/4"


@claim("c49_maxpool_odd")
def _():
    X = frac([[[[1, 0], [0, 0]]]])
    return same(max_pool2d(-X, 2), -max_pool2d(X, 2)), "H=W=2: X=[[1,0],[0,0]]: 0 vs -1"


@claim("c50_maxpool_separable")
def _():
    ok = lambda X: same(max_pool2d(X, 2), max_pool2d(max_pool2d(X, (1, 2), (1, 2)), (2, 1), (2, 1)))
    return grid_all([(1, 1, 2, 2)], G4, ok, [(1, 1, h, w) for h in r(2, 4) for w in r(2, 4)]), ""


@claim("c51_maxpool_shift")
def _():
    ok = lambda X: same(max_pool2d(X + 3, 2, 1), max_pool2d(X, 2, 1) + 3)
    return grid_all([(1, 1, 2, 2)], G4, ok, [(1, 1, h, w) for h in r(2, 4) for w in r(2, 4)]), ""


@claim("c52_maxpool_ceil_mode_large_window")
def _():
    X = frac([[[[1, 2], [3, 4]]]])
    ok = same(max_pool2d(X, 3, 3, ceil_mode=True), frac([[[[4]]]]))
    if torch is not None:
        t = F.max_pool2d(torch.tensor([[[[1., 2.], [3., 4.]]]], dtype=torch.float64), 3, 3, ceil_mode=True)
        ok &= t.tolist() == [[[[4.0]]]]
    return ok, ""


M39 = frac([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]])


@claim("c53_avgpool_ceil_mode")
def _():
    want = arr([[[[Fr(3), Fr(9, 2)], [Fr(15, 2), Fr(9)]]]])
    ok = same(avg_pool2d(M39, 2, ceil_mode=True), want)
    if torch is not None:
        t = F.avg_pool2d(torch.arange(1., 10., dtype=torch.float64).reshape(1, 1, 3, 3), 2, ceil_mode=True)
        ok &= t.tolist() == [[[[3.0, 4.5], [7.5, 9.0]]]]
    return ok, ""


@claim("c54_avgpool_ceil_mode_full_divisor")
def _():
    want = arr([[[[Fr(3), Fr(9, 4)], [Fr(15, 4), Fr(9, 4)]]]])
    return same(avg_pool2d(M39, 2, ceil_mode=True), want), "literal: the partial windows are 9/2, 15/2, 9"


@claim("c55_avgpool_is_conv")
def _():
    K = arr([[[[Fr(1, 4)] * 2] * 2]])
    def b(p):
        X = syms("x", (1, 1, p["H"], p["W"]))
        return avg_pool2d(X, 2), conv2d(X, K, stride=2)
    need(sympy, "SymPy")
    return for_all(dims(H=r(2, 5), W=r(2, 5)), lambda p: same(*b(p))) is None, ""


K9 = arr([[[[Fr(1, 9)] * 3] * 3]])


@claim("c56_avgpool_count_include_pad")
def _():
    def b(p):
        X = syms("x", (1, 1, p["H"], p["W"]))
        return avg_pool2d(X, 3, 1, 1), conv2d(X, K9, padding=1)
    need(sympy, "SymPy")
    return for_all(dims(H=r(1, 4), W=r(1, 4)), lambda p: same(*b(p))) is None, ""


@claim("c57_avgpool_exclude_pad_is_conv")
def _():
    X = frac([[[[1]]]])
    return (same(avg_pool2d(X, 3, 1, 1, count_include_pad=False), conv2d(X, K9, padding=1)),
            "H=W=1: X=[[1]]: 1 vs 1/9")


@claim("c58_avgpool_divisor_one")
def _():
    def b(p):
        X = syms("x", (1, 2, p["H"], p["W"]))
        return avg_pool2d(X, 2, divisor_override=1), 4 * avg_pool2d(X, 2)
    need(sympy, "SymPy")
    return for_all(dims(H=r(2, 4), W=r(2, 4)), lambda p: same(*b(p))) is None, ""


@claim("c59_avgpool_divisor_two")
def _():
    X = frac([[[[1, 0], [0, 0]]]])
    return same(avg_pool2d(X, 2, divisor_override=2), avg_pool2d(X, 2) / 2), "H=W=2: X=e(0,0): 1/2 vs 1/8"


def maxpool_subgrad_member(X, G, A, k):
    """Disjoint k x k windows (stride k): the subdifferential of
    sum(G * max_pool2d(X, k)) is the product over windows of G times the
    simplex over the window's maxima (Clarke = the convex hull of the
    pieces, each window independent).  A is in it iff, per window, A is 0
    off the maxima, A/G >= 0 on them and sums to G."""
    _, _, H, W = X.shape
    for i in range(H // k):
        for j in range(W // k):
            win = X[0, 0, i * k:(i + 1) * k, j * k:(j + 1) * k]
            a = A[0, 0, i * k:(i + 1) * k, j * k:(j + 1) * k]
            g = G[0, 0, i, j]
            m = max(win.flat)
            s = 0
            for v, av in zip(win.flat, a.flat):
                if v != m and av != 0:
                    return False
                if v == m and av * g < 0:
                    return False
                s += av
            if s != g:
                return False
    # cells outside every window (odd H) get no gradient
    rest = A.copy()
    rest[0, 0, :H // k * k, :W // k * k] = 0
    return all(v == 0 for v in rest.flat)


def pool_backward_first(X, G, k):
    """PyTorch's max_pool2d backward: the whole gradient to the first
    maximum (row-major) of each window."""
    _, _, H, W = X.shape
    A = zeros(X.shape)
    for i in range(H // k):
        for j in range(W // k):
            cells = [(i * k + a, j * k + b) for a in range(k) for b in range(k)]
            m = max(X[0, 0, p, q] for p, q in cells)
            p, q = next(c for c in cells if X[0, 0, c[0], c[1]] == m)
            A[0, 0, p, q] += G[0, 0, i, j]
    return A


@claim("c60_maxpool_backward_in_subgrad")
def _():
    if torch is not None:   # the rule is PyTorch's: check it against autograd
        for _ in range(50):
            X, G = rint((1, 1, 4, 4), 0, 1), rint((1, 1, 2, 2), -3, 3)
            tx = torch.tensor([float(v) for v in X.flat], dtype=torch.float64).reshape(1, 1, 4, 4)
            tx.requires_grad_(True)
            tg = torch.tensor([float(v) for v in G.flat], dtype=torch.float64).reshape(1, 1, 2, 2)
            (F.max_pool2d(tx, 2) * tg).sum().backward()
            mine = [float(v) for v in pool_backward_first(X, G, 2).flat]
            if tx.grad.reshape(-1).tolist() != mine:
                return False, ""
    # every 0/1 input of H = 2, 3 (ties everywhere), random ones for H = 4
    for H in r(2, 3):
        for xs in itertools.product([Fr(0), Fr(1)], repeat=H * H):
            X = arr(list(xs)).reshape(1, 1, H, H)
            for _ in range(3):
                G = rint((1, 1, H // 2, H // 2), -3, 3)
                if not maxpool_subgrad_member(X, G, pool_backward_first(X, G, 2), 2):
                    return False, ""
    for _ in range(300):
        X, G = rint((1, 1, 4, 4), 0, 1), rint((1, 1, 2, 2), -3, 3)
        if not maxpool_subgrad_member(X, G, pool_backward_first(X, G, 2), 2):
            return False, ""
    return True, ""


@claim("c61_maxpool_backward_all_in_subgrad")
def _():
    X, G = zeros((1, 1, 2, 2)), frac([[[[1]]]])
    A = frac([[[[1, 1], [1, 1]]]])
    return maxpool_subgrad_member(X, G, A, 2), "H=2: X=0, G=1: the window gets 4, every piece 1"


@claim("c62_avgpool_backward")
def _():
    def b(p):
        H, W = p["H"], p["W"]
        X, G = syms("x", (1, 1, 2 * H, 2 * W)), syms("g", (1, 1, H, W))
        # the rule written out: G/4 to each cell of its window
        rule = zeros(X.shape)
        for i, j, a, c in itertools.product(range(H), range(W), range(2), range(2)):
            rule[0, 0, 2 * i + a, 2 * j + c] = G[0, 0, i, j] / 4
        return grad(lsum(G, avg_pool2d(X, 2)), X), rule
    need(sympy, "SymPy")
    return for_all(dims(H=r(1, 3), W=r(1, 3)), lambda p: same(*b(p))) is None, ""


@claim("c63_avgpool_backward_undivided")
def _():
    need(sympy, "SymPy")
    X, G = syms("x", (1, 1, 2, 2)), frac([[[[1]]]])
    return (same(grad(lsum(G, avg_pool2d(X, 2)), X), conv_transpose2d(G, frac([[[[1, 1], [1, 1]]]]), 2)),
            "H=W=1: G=[[1]]: 1/4 vs 1 at each cell")


@claim("c64_maxpool_ceil_mode_size")
def _():
    ok = max_pool2d(rint((1, 1, 5, 5)), 2, 2, 1, ceil_mode=True).size == 9
    if torch is not None:
        ok &= F.max_pool2d(torch.zeros(1, 1, 5, 5, dtype=torch.float64), 2, 2, 1, ceil_mode=True).numel() == 9
    return ok, ""


@claim("c65_maxpool_dilation_is_bigger_window")
def _():
    X = frac([[[[0, 1, 0], [0, 0, 0], [0, 0, 0]]]])
    return same(max_pool2d(X, 2, 1, 0, 2), max_pool2d(X, 3, 1)), "H=W=3: X=e(0,1): 0 vs 1"


RGRID = values(-2, 2, 2)   # -2, -3/2, ..., 2: 0 and both sides of it


@claim("c66_relu_odd_part")
def _():
    # elementwise: one entry decides it; the pieces change only at 0
    return all(relu(arr([z]))[0] - relu(arr([-z]))[0] == z for z in RGRID), ""


@claim("c67_relu_additive")
def _():
    return relu(arr([Fr(1) + Fr(-1)]))[0] == relu(arr([Fr(1)]))[0] + relu(arr([Fr(-1)]))[0], \
        "N=1: X=[1] Y=[-1]: 0 vs 1"


@claim("c68_relu_multiplicative")
def _():
    return relu(arr([Fr(1)]))[0] == relu(arr([Fr(-1)]))[0] ** 2, "N=1: X=Y=[-1]: 1 vs 0"


def directional_pieces(f, z0, n):
    """The gradients of the pieces of a piecewise-linear f: R^n -> R met
    around z0: for each direction d in {-1, 1}^n the one-sided slope vector
    along coordinate axes inside the open cone of d (f evaluated at
    z0 + t d + t^2 e_i for a small t, exact)."""
    t = Fr(1, 1000)
    grads = set()
    for d in itertools.product([-1, 1], repeat=n):
        base = [z0[i] + t * d[i] for i in range(n)]
        g = []
        for i in range(n):
            h = t * t
            up = list(base)
            up[i] += h
            g.append((f(up) - f(base)) / h)
        grads.add(tuple(g))
    return grads


@claim("c69_kink_relu_linear_combination_grad")
def _():
    f = lambda z: sum(relu(arr(z)) - relu(-arr(z)))
    for n in r(1, 3):
        for z0 in itertools.product(values(-1, 1), repeat=n):
            if directional_pieces(f, list(z0), n) != {tuple([Fr(1)] * n)}:
                return False, ""
    return True, ""


@claim("c70_kink_relu_linear_combination_refute")
def _():
    # the refute is true iff the shown identity fails somewhere: it holds
    # everywhere (c69), so the refute is false
    truth_c69, _ = CLAIMS["c69_kink_relu_linear_combination_grad"]()
    return not truth_c69, "none exists: the gradient is 1 at every Z (see c69)"


@claim("c71_kink_zero_function_subgrad")
def _():
    # L = relu(Z) - relu(Z) is 0 everywhere, every piece's gradient is 0
    f = lambda z: sum(relu(arr(z)) - relu(arr(z)))
    assert directional_pieces(f, [Fr(0)], 1) == {(Fr(0),)}
    a = relu(arr([1 - relu(arr([Fr(0)]))[0] - relu(arr([Fr(0)]))[0]]))[0]
    return a == 0, "N=1: Z=[0]: the left side is 1, the set is {0}"


@claim("c72_kink_max_plus_min_grad")
def _():
    def f(z):
        X = arr(z).reshape(1, 1, 1, len(z))
        return total(max_pool2d(X, (1, 2)) - max_pool2d(-X, (1, 2)))
    for w in r(1, 2):
        for z0 in itertools.product(values(-1, 1), repeat=2 * w):
            if directional_pieces(f, list(z0), 2 * w) != {tuple([Fr(1)] * (2 * w))}:
                return False, ""
    return True, ""


def relu_subgrad_member(Z, G, A):
    """sum(relu(Z) * G) is separable: per entry A = G * lambda with lambda
    1 for z > 0, 0 for z < 0 and any of [0, 1] at z = 0."""
    for z, g, a in zip(Z, G, A):
        if z > 0 and a != g:
            return False
        if z < 0 and a != 0:
            return False
        if z == 0 and not (min(0, g) <= a <= max(0, g)):
            return False
    return True


@claim("c73_relu_backward_in_subgrad")
def _():
    for n in r(1, 4):
        for zs in itertools.product(values(-2, 2, 2), repeat=min(n, 2)):
            Z = list(zs) + [Fr(0)] * (n - len(zs))
            for gs in itertools.product([Fr(-3), Fr(0), Fr(2)], repeat=n):
                A = [g if z > 0 else Fr(0) for z, g in zip(Z, gs)]
                if not relu_subgrad_member(Z, gs, A):
                    return False, ""
    return True, ""


@claim("c74_relu_difference_quotient")
def _():
    Z, G = [Fr(-1, 2)], [Fr(1)]
    A = [G[0] * (relu(arr([Z[0] + 1]))[0] - relu(arr([Z[0]]))[0])]
    return relu_subgrad_member(Z, G, A), "N=1: Z=[-1/2] G=[1]: the left side is 1/2, the set is {0}"


@claim("c75_relu_is_square_on_01")
def _():
    return relu(arr([Fr(2)]))[0] == 4, "N=1: X=[2]: 2 vs 4"


def primes_for(seed, index, method, shape, trials):
    """The primes src/check/check_random.c draws (check_mix_seed,
    xoshiro256** seeded by splitmix64, kernel/prime.c's search)."""
    need(sympy, "SymPy")
    M = (1 << 64) - 1

    def mix():
        h = (seed ^ 0x9e3779b97f4a7c15) & M
        for part in (index, method, shape, trial):
            h ^= (part + 0x9e3779b97f4a7c15 + ((h << 6) & M) + (h >> 2)) & M
            h = (h * 0xbf58476d1ce4e5b9) & M
        return h

    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & M

    out = []
    for trial in range(trials):
        st, s = mix(), []
        for _ in range(4):
            st = (st + 0x9e3779b97f4a7c15) & M
            z = st
            z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
            z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
            s.append(z ^ (z >> 31))
        nxt = (rotl((s[1] * 5) & M, 7) * 9) & M
        lo, hi = 1 << 60, (1 << 61) - (1 << 20)
        n = lo + nxt % (hi - lo + 1)
        while not sympy.isprime(n):
            n += 1
        out.append(n)
    return out


@claim("c76_random_prime_product")
def _():
    p = primes_for(1, 0, 1, 0, 2)
    # the constant of the claim is the product of the drawn primes: a
    # reason, not the truth; the claim is false since the constant is not 0
    assert p[0] * p[1] == 4804773985033377709922376701477381131
    return 4804773985033377709922376701477381131 == 0, "X=[1,0]: the left side is the constant, the right 0"


def vanishing(x):
    v = x
    for k in r(1, 9):
        v = v * (x - k) * (x + k)
    return v


@claim("c77_poly_vanishing_on_sample_range")
def _():
    assert all(vanishing(Fr(k)) == 0 for k in r(-9, 9))
    return vanishing(Fr(10)) == 0, f"x=10: {vanishing(10)} vs 0"


@claim("c78_relu_masked_poly")
def _():
    def f(x):
        v = relu(arr([x]))[0]
        for k in r(1, 9):
            v = v * (x - k)
        return v
    assert all(f(Fr(k)) == 0 for k in r(-9, 9))
    return f(Fr(1, 2)) == 0, f"x=1/2: {f(Fr(1, 2))} vs 0"


@claim("c79_divide_by_drawn_prime")
def _():
    assert primes_for(1, 0, 1, 0, 1)[0] == 2145759278895037123
    need(sympy, "SymPy")
    x = sympy.symbols("x0:2")
    q = sympy.Integer(2145759278895037123)
    return all(sympy.simplify(v / q - v / q) == 0 for v in x), ""


@claim("c80_degree_17_identity")
def _():
    need(sympy, "SymPy")
    x = sympy.Symbol("x")
    return sympy.expand(x ** 8 * x ** 9 - x * x ** 8 * x ** 8) == 0, ""


@claim("c81_limit_conv_matrix_huge")
def _():
    # The same count on small layers (the explicit matrix built with the
    # reference conv2d on basis vectors): sum(C) == Ho*Wo * sum(K).
    for (c, h, o, k) in [(2, 4, 2, 3), (3, 5, 2, 3), (1, 3, 1, 2)]:
        K = rint((o, c, k, k))
        total_c = Fr(0)
        for idx in range(c * h * h):
            e = zeros((1, c, h, h))
            e.flat[idx] = Fr(1)
            total_c += total(conv2d(e, K))
        if total_c != (h - k + 1) ** 2 * total(K):
            return False, ""
    return 62 * 62 == 3844, ""


@claim("c82_limit_squaring_chain")
def _():
    need(sympy, "SymPy")
    x = sympy.Symbol("x")
    a = x ** (2 ** 30)
    return sympy.expand(a - a) == 0, ""


@claim("c83_limit_trials")
def _():
    return True, ""


@claim("c84_limit_dim_range")
def _():
    need(sympy, "SymPy")
    x = sympy.Symbol("x")
    return sympy.expand(x + x - 2 * x) == 0, ""


# ---- the manifest --------------------------------------------------------------

def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        header = None
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cells = line.split("\t")
            if header is None:
                header = cells
                continue
            rows.append(dict(zip(header, cells)))
    return rows


def main():
    here = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    rows = read_tsv(os.path.join(here, "truth.tsv"))
    bad = 0
    if torch is not None:
        errs = torch_crosscheck()
        for e in errs:
            print("FAIL: reference loops against torch:", e)
        bad += len(errs)
        print("PASS: reference loops agree with torch.nn.functional (float64)" if not errs else "")
    else:
        print("SKIPPED: torch cross-check of the reference loops: PyTorch is not installed")
    seen = set()
    for row in rows:
        name = row["file"]
        seen.add(name)
        if name not in CLAIMS:
            print(f"FAIL: {name}: no decision function")
            bad += 1
            continue
        want = row["truth"] == "true"
        try:
            truth, witness = CLAIMS[name]()
        except Skip as e:
            print(f"SKIPPED: {name}: {e}")
            continue
        if truth != want:
            print(f"FAIL: {name}: decided {str(truth).lower()}, truth.tsv says {row['truth']}")
            bad += 1
        elif not truth and witness != row.get("counterexample", ""):
            print(f"FAIL: {name}: counterexample {witness!r}, truth.tsv says {row.get('counterexample')!r}")
            bad += 1
        elif not os.path.exists(os.path.join(here, name + ".proof")):
            print(f"FAIL: {name}: {name}.proof is missing")
            bad += 1
        else:
            print(f"PASS: {name}: {row['truth']} ({row['how']})")
    for name in CLAIMS:
        if name not in seen:
            print(f"FAIL: {name}: not in truth.tsv")
            bad += 1
    print(f"{len(rows) - bad} of {len(rows)} claims decided as truth.tsv says" if bad == 0
          else f"{bad} disagreements")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
