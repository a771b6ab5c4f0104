"""convproof from Python: exact checks of CNN claims in a test suite.

    import convproof

    def test_my_proofs():
        convproof.check_file("my.proof")          # every claim, or AssertionError

    def test_wide_convolution():
        convproof.check('''
    claim "wide convolution commutes"
      dim M in 1..3
      tensor W[M, M], X[M, M]
      show wide(rot180(W), X) == wide(rot180(X), W)
    ''')

    def test_value():
        assert convproof.eval("sum(X) / 3", X=np.ones((2, 2))) == Fraction(4, 3)

    def test_my_conv():
        convproof.test_impl(my_conv2d, op="conv2d", layout="nhwc")

Everything is computed by libconvproof (the same checker, exact operators
and report as the `convproof` command), loaded through ctypes; the answers
come back as the JSON report of docs/report-format.md.  A claim that does
not hold raises ClaimFailed, an AssertionError whose message is the
report's counterexample, so pytest shows it.  Input convproof refuses
raises ConvproofError with the located message.
"""

import ctypes
import inspect
import json
import traceback
from fractions import Fraction

from ._lib import ANSWER_FN, ConvproofError, call, lib

__all__ = ["check", "check_file", "eval", "eval_fractions", "test_impl",
           "Report", "ClaimFailed", "ConvproofError"]


class ClaimFailed(AssertionError):
    """Some claim of a report was not verified (failed, or undecided, or
    with strict=True only tested).  `report` is the whole Report; the
    message shows each such claim with its reason and counterexample."""

    def __init__(self, message, report):
        super().__init__(message)
        self.report = report


# ---- reports ----------------------------------------------------------------

class Report:
    """A JSON report (docs/report-format.md) read back: `data` is the
    parsed document, `claims` its claims, `summary` the counts."""

    def __init__(self, text):
        self.text = text
        self.data = json.loads(text)
        self.claims = self.data["claims"]
        self.summary = self.data["summary"]
        self.seed = int(self.data["seed"])

    def unverified(self, strict=False):
        """The claims that neither passed nor (unless strict) were tested."""
        ok = ("passed",) if strict else ("passed", "tested")
        return [c for c in self.claims if c["outcome"] not in ok]

    @property
    def ok(self):
        return not self.unverified()

    def describe(self, claims=None):
        """The claims (default: all) as text, each with its methods'
        reasons and its counterexample."""
        return "\n".join(_describe_claim(c) for c in
                         (self.claims if claims is None else claims))

    def assert_verified(self, strict=False):
        __tracebackhide__ = True   # pytest shows the caller's line
        bad = self.unverified(strict)
        if bad:
            raise ClaimFailed("%d of %d claims not verified (seed %d):\n%s"
                              % (len(bad), len(self.claims), self.seed,
                                 self.describe(bad)), self)
        return self

    def __repr__(self):
        s = self.summary
        return ("<convproof.Report %d passed, %d tested, %d failed, %d undecided>"
                % (s["passed"], s["tested"], s["failed"], s["undecided"]))


_VERDICT = {"passed": "PASS", "tested": "TESTED", "failed": "FAIL",
            "undecided": "UNDECIDED", "not_applicable": "UNDECIDED"}


def _indent(text, by="    "):
    return "\n".join(by + line for line in text.rstrip("\n").split("\n"))


def _describe_claim(c):
    where = ""
    if c.get("file"):
        where = " %s:%s" % (c["file"], c["line"]) if c.get("line") else " " + c["file"]
    lines = ['%s "%s"%s' % (_VERDICT.get(c["outcome"], c["outcome"].upper()),
                            c["title"], where)]
    if c.get("statement"):
        lines.append(_indent(c["statement"], "  | "))
    shown = False
    for m in c["methods"]:
        lines.append("  %-10s %s" % (m["method"], m["outcome"]))
        if m.get("reason") and m["outcome"] != "passed":
            lines.append(_indent(m["reason"]))
        ce = m.get("counterexample")
        if ce is None or shown:
            continue
        shown = True   # one counterexample per claim, as the text report
        lines.append("    counterexample" + (" at " + ce["shape"] if ce.get("shape") else "") + ":")
        unused = []
        for inp in ce.get("inputs") or []:
            if inp.get("unused"):   # not in the failing show: left out
                unused.append(inp["name"])
                continue
            lines.append(_indent("%s = %s" % (inp["name"], inp["value"]), "      "))
        if unused:
            lines.append("      %s: not in the failing show, left out"
                         % ", ".join(unused))
        if ce.get("failure"):
            lines.append("      implementation failure:")
            lines.append(_indent(ce["failure"], "        "))
        for key, label in (("lhs", "left side"), ("rhs", "right side"),
                           ("differences", "differences")):
            if ce.get(key):
                lines.append("      %s =" % label)
                lines.append(_indent(ce[key], "        "))
    return "\n".join(lines)


def _options(**kw):
    kw = {k: v for k, v in kw.items() if v is not None}
    return json.dumps(kw) if kw else None


# ---- checking proof files ---------------------------------------------------

def check_file(path, *, seed=None, methods=None, timeout=None, strict=False,
               raise_on_failure=True):
    """Checks every claim of the .proof file at `path` and returns its
    Report.  Unless raise_on_failure is False, a claim that failed or was
    left undecided (and with strict=True one only TESTED) raises
    ClaimFailed with the counterexamples.  seed: replay a run (default:
    fresh, printed in the report); methods: run only these; timeout:
    seconds per claim (default 600, 0 for none)."""
    __tracebackhide__ = True   # pytest shows the caller's line
    report = Report(call("check_file", str(path),
                         _options(seed=seed, methods=methods, timeout=timeout)))
    return report.assert_verified(strict) if raise_on_failure else report


def check(text, *, name="<text>", seed=None, methods=None, timeout=None,
          strict=False, raise_on_failure=True):
    """Like check_file, for the text of a .proof file (one or more claims);
    `name` stands for the file in messages and the report."""
    __tracebackhide__ = True   # pytest shows the caller's line
    report = Report(call("check_text", text, name,
                         _options(seed=seed, methods=methods, timeout=timeout)))
    return report.assert_verified(strict) if raise_on_failure else report


# ---- evaluating expressions -------------------------------------------------

def _exact(x):
    """A number as the exact Fraction it denotes (a float is its double's
    exact value); NaN, infinities and other types raise ValueError."""
    if isinstance(x, bool):
        return Fraction(int(x))
    if isinstance(x, (int, Fraction)):
        return Fraction(x)
    try:
        return Fraction(x)   # float, numpy scalars, Decimal
    except (TypeError, ValueError, OverflowError) as e:
        raise ValueError("convproof: %r has no exact rational value (%s)" % (x, e))


def _tensor_text(value):
    """The text form of io/tensor_text.h: nested brackets of fractions."""
    if hasattr(value, "tolist") and not isinstance(value, (int, float)):
        value = value.tolist()   # numpy arrays and scalars
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_tensor_text(v) for v in value) + "]"
    q = _exact(value)
    return str(q.numerator) if q.denominator == 1 else "%d/%d" % (q.numerator, q.denominator)


def _nest(values, shape):
    if not shape:
        return values[0]
    step = len(values) // shape[0] if shape[0] else 0
    return [_nest(values[k * step:(k + 1) * step], shape[1:]) for k in range(shape[0])]


def _is_double(q):
    """Whether the Fraction q is exactly a (finite) double."""
    try:
        return Fraction(float(q)) == q   # float() rounds correctly
    except OverflowError:
        return False


def _decode(v, as_fractions):
    kind = v["kind"]
    if kind == "bool":
        return v["value"]
    if kind == "tuple":
        return tuple(_decode(item, as_fractions) for item in v["items"])
    if kind != "tensor":
        return None
    values = [Fraction(s) for s in v["values"]]
    shape = v["shape"]
    if not shape:
        return values[0]
    if as_fractions:
        return _nest(values, shape)
    import numpy as np
    # float64 only when every entry is that double exactly
    if all(_is_double(q) for q in values):
        return np.array([float(q) for q in values], dtype=np.float64).reshape(shape)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out.reshape(shape)


def _eval_json(expression, bindings):
    text = json.dumps({name: _tensor_text(value) for name, value in bindings.items()})
    return json.loads(call("eval", expression, text))


def eval(expression, /, **bindings):
    """Evaluates `expression` (the language of .proof files and `convproof
    eval`) exactly, each keyword binding a name to a tensor (a NumPy array,
    nested lists, a number; floats are taken at their exact value).

    Returns: a scalar as a fractions.Fraction; a tensor as a NumPy array,
    of dtype float64 when every entry is exactly a double, else of dtype
    object holding Fractions (never rounded); a boolean as bool; a tuple
    as a tuple of these.  eval_fractions never uses NumPy."""
    return _decode(_eval_json(expression, bindings), False)


def eval_fractions(expression, /, **bindings):
    """Like eval, but a tensor comes back as nested lists of Fractions."""
    return _decode(_eval_json(expression, bindings), True)


# ---- testing an implementation in process -----------------------------------

_PAIRS = ("kernel_size", "stride", "padding", "dilation")


def _arguments(fn, case, pairs_as_int):
    """The keyword arguments of one call: every parameter of the case the
    function accepts; a parameter it does not accept must have its default
    value in this case, else the call cannot be made faithfully."""
    params = dict(case["params"])
    if not case["op"].startswith("conv"):
        params.pop("ceil_mode", None)
        params.pop("count_include_pad", None)
    for key in _PAIRS:
        if key in params and pairs_as_int:
            h, w = params[key]
            params[key] = h if h == w else (h, w)
        elif key in params:
            params[key] = tuple(params[key])
    try:
        sig = inspect.signature(fn)
        takes_any = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
        accepted = set(sig.parameters)
    except (TypeError, ValueError):   # builtins without a signature
        takes_any, accepted = True, set()
    # the values a function without the parameter computes anyway
    defaults = {"dilation": (1, (1, 1)), "groups": (1,), "padding": (0, (0, 0))}
    kwargs = {}
    for key, value in params.items():
        if takes_any or key in accepted:
            kwargs[key] = value
        elif key == "kernel_size" and not case["op"].startswith("conv"):
            raise TypeError("%s does not take kernel_size, which pooling needs"
                            % getattr(fn, "__name__", fn))
        elif key in defaults and value not in defaults[key]:
            raise TypeError("%s does not take %s, and this case has %s=%r"
                            % (getattr(fn, "__name__", fn), key, key, value))
    return kwargs


def _input_arrays(case):
    import numpy as np
    arrays = []
    for name, spec in case["inputs"].items():
        vals = [float(Fraction(v)) if isinstance(v, str) else float(v)
                for v in spec["values"]]
        arrays.append(np.array(vals, dtype=np.float64).reshape(spec["shape"]))
    return arrays


def _npy_bytes(array):
    import io
    import numpy as np
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(np.asarray(array)), allow_pickle=False)
    return buf.getvalue()


def test_impl(fn, op="conv2d", layout="nchw", *, seed=None, trials=None,
              shapes=None, values=None, large=None, shrink=None,
              max_shrink_runs=None, pairs=None, raise_on_failure=True):
    """Tests the Python function `fn` as an implementation of `op` on the
    sweep of `convproof test-impl` (docs/impl-protocol.md), in process:
    each case is a call

        fn(*inputs, **params)

    with the inputs as float64 NumPy arrays in `layout` (conv2d: x, weight,
    bias; conv2d_backward adds grad_output; pooling: x, and grad_output for
    the backward ones) and, as keywords, those of stride, padding,
    dilation, groups, kernel_size, in_channels, out_channels its signature
    accepts (pairs are (height, width) tuples; with pairs="int", the
    default for layout "nhwc", whose sweep is square, one int).  It returns
    the output, or a tuple of the outputs in the protocol's order
    (grad_input, grad_weight, grad_bias).  An exception is a "crashed"
    case with its traceback.

    The outputs are compared exactly (or within the rigorous float64 bound
    where rounding is allowed), the first failure is shrunk, and a failure
    raises ClaimFailed showing the smallest case; returns the Report.
    Options as `convproof test-impl`'s: seed (default 1), trials (40),
    shapes ("N=1..2,H=3..8"), values ("-9..9"), large (True), shrink
    (True), max_shrink_runs (1000)."""
    __tracebackhide__ = True   # pytest shows the caller's line
    import numpy as np   # noqa: F401 (needed for the arrays; fail early)
    pairs_as_int = (pairs == "int") if pairs is not None else layout == "nhwc"
    interrupted = []

    def answer(_ctx, case_json, handle):
        # Nothing may propagate through ctypes: every outcome is an answer.
        h = lib()
        if interrupted:
            h.cvp_api_answer_fail(handle, b"interrupted")
            return
        try:
            case = json.loads(case_json.decode("utf-8"))
            result = fn(*_input_arrays(case), **_arguments(fn, case, pairs_as_int))
            names = list(case["outputs"])
            outs = result if len(names) > 1 else (result,)
            if len(names) > 1 and (not isinstance(result, (tuple, list))
                                   or len(result) != len(names)):
                raise TypeError("expected a tuple of %d outputs (%s), got %s"
                                % (len(names), ", ".join(names), type(result).__name__))
            for name, out in zip(names, outs):
                if out is None:
                    raise TypeError("%s returned None for output %r"
                                    % (getattr(fn, "__name__", fn), name))
                data = _npy_bytes(out)
                h.cvp_api_answer_npy(handle, name.encode(), data, len(data))
        except KeyboardInterrupt:
            interrupted.append(True)
            h.cvp_api_answer_fail(handle, b"interrupted")
        except BaseException as e:
            # from the function under test on: this wrapper's frame is noise
            tb = e.__traceback__.tb_next if e.__traceback__ is not None else None
            text = "".join(traceback.format_exception(type(e), e, tb))
            h.cvp_api_answer_fail(handle, text.encode("utf-8", "replace"))

    callback = ANSWER_FN(answer)   # kept alive for the whole call
    name = getattr(fn, "__qualname__", None) or repr(fn)
    options = _options(seed=seed, trials=trials, shapes=shapes, values=values,
                       large=large, shrink=shrink, max_shrink_runs=max_shrink_runs,
                       name="python:" + name)
    text = call("test_impl", op, layout, options, callback, ctypes.c_void_p())
    if interrupted:
        raise KeyboardInterrupt
    report = Report(text)
    return report.assert_verified() if raise_on_failure else report


test_impl.__test__ = False   # not a test itself when imported into one
