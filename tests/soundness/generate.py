#!/usr/bin/python3
"""generate.py -- writes the soundness corpus: false variants of the claims
in proofs/nndl5, one .proof file each, and MANIFEST.md.

Every variant is the shipped claim's text with a few exact edits (each
edit must match exactly once, so a change to proofs/ that moves the text
makes this script stop instead of writing a silently different variant).
The edits are the mutations of issue "Trust": an off-by-one padding, a
missing or extra rot180, transposed arguments, a changed stride or
dilation, a dropped bias or normalisation term, a wrong output-size
formula, a sign flip, height and width swapped.  A `refute` of the
library (a statement expected to be false) is mutated into a true
statement, so the refute itself becomes false.

Each variant says why it is false (`why`), checked by reading, and its
`by` line names the methods that must judge it false; the methods that
cannot judge it are listed with the reason (`not applicable`).
tests/test_soundness.sh checks both: every named method must find it false
and, run with every method, each other method must say it does not apply.

Usage: generate.py [SRCDIR]   (writes SRCDIR/tests/soundness/*/*.proof)
The output is committed; rerun after editing the table and review the diff.
Mutations that turned out to leave the claim true are kept at the end of
this file (TRUE_MUTATIONS) with the reason, and not generated.
"""
import os
import re
import sys

ALL = ["all_shapes", "symbolic", "random", "exact", "bounded"]
FINITE = ["symbolic", "random", "exact", "bounded"]

# Reasons a method cannot judge a claim, by kind of claim.
# A reason starting with NOT_RUN marks a method that could judge the
# variant but is too costly to run on it; the test does not run it.
NOT_RUN = "not run: "
NA_UNBOUNDED = "a dim has no upper bound; the finite methods need a range (dim M in LO..HI)"
NA_STRIDE_DIM = "the stride is a dim (S), which multiplies indices: not affine, outside all_shapes"
NA_COUNT_RATIO = "a quotient of counts (mults/size) is not a polynomial in the dims"
NA_LITERAL = "tensor literals are outside the class all_shapes handles"
NA_POOL = "pooling is not a multilinear map with affine indices"
NA_MAX = "max pooling is not a polynomial map"

NA_GRAD_RANDOM = ("grad and jacobian are computed over Q or over polynomials, not in the "
                  "degree semiring random uses to bound the degree")
NA_MATRIX_Q = "the explicit conv matrices are built over Q only, not over Q[x] or intervals"
NA_TRANSCENDENTAL = ("sigmoid, tanh, exp, log, softmax and cross_entropy are transcendental: "
                     "only bounded encloses them")

UNBOUNDED = {"by": ["all_shapes"],
             "na": {m: NA_UNBOUNDED for m in FINITE}}
BOUNDED = {"by": ALL, "na": {}}
TRANSCENDENTAL = {"by": ["bounded"], "na": {m: NA_TRANSCENDENTAL for m in ALL if m != "bounded"}}
COUNTS = {"by": ALL, "na": {}}
RATIO = {"by": FINITE, "na": {"all_shapes": NA_COUNT_RATIO}}
LITERAL = {"by": FINITE, "na": {"all_shapes": NA_LITERAL}}
GRAD = {"by": ["all_shapes", "symbolic", "exact", "bounded"], "na": {"random": NA_GRAD_RANDOM}}
GRAD_STRIDE_DIM = {"by": ["symbolic", "exact", "bounded"],
                   "na": {"all_shapes": NA_STRIDE_DIM, "random": NA_GRAD_RANDOM}}
MATRIX_STRIDE_DIM = {"by": ["exact"],
                     "na": {"all_shapes": NA_STRIDE_DIM, "symbolic": NA_MATRIX_Q,
                            "random": NA_GRAD_RANDOM, "bounded": NA_MATRIX_Q}}
AVG_POOL = {"by": ["symbolic", "exact", "bounded"],
            "na": {"all_shapes": NA_POOL, "random": NA_GRAD_RANDOM}}
MAX_POOL = {"by": ["exact", "bounded"],
            "na": {"all_shapes": NA_POOL, "symbolic": NA_MAX, "random": NA_GRAD_RANDOM}}

# Titles of the shipped claims, by the short names used below.
SOURCES = {
    # ex5_2_wide_convolution.proof
    "w13": "NNDL (5.13): wide convolution commutes up to rot180",
    "w13all": "NNDL (5.13) for every M, N, U, V >= 1",
    "wpad": "the wide cross-correlation is xcorr with X padded by U-1 and V-1",
    "wpadall": "the wide cross-correlation is xcorr with X padded by U-1 and V-1, for every shape",
    "full": "the flipped (true) full convolution commutes outright",
    "fullall": "the flipped (true) full convolution commutes outright, for every shape",
    "ex1d": "rot180(W) (x)~ X is the full convolution: the 1-D example [-1, 2, -1] * [1, 2, 4, 3]",
    "rnorot": "without rot180 the wide convolution does not commute",
    "rkernel": "rotating only the kernel is not enough",
    "rhalf": "half the padding, (U-1)/2 as in a 'same' convolution, is not enough",
    # ex5_3_one_by_one.proof
    "mm": "a 1x1 convolution is a per-pixel matrix product over channels",
    "mmall": "a 1x1 convolution is a per-pixel matrix product, for every channel count and image size",
    "mmb": "a 1x1 convolution with bias adds the bias at every pixel",
    "mmball": "a 1x1 convolution with bias, for every channel count and image size",
    "chan": "a 1x1 convolution changes only the channel count",
    "cost": "cost per pixel: C*D multiplications for 1x1, 9*C*D for 3x3",
    # ex5_4_bottleneck_cost.proof
    "direct": "exercise 5-4: the direct 3x3 convolution",
    "bneck": "exercise 5-4: the 1x1 bottleneck to 64 channels first",
    "ratio": "exercise 5-4: the bottleneck needs 18/5 times fewer multiplications",
    "formulas": "the cost formulas for every size: C*C*9*H*W against C*B*H*W + B*C*9*H*W",
    "formulasall": "the cost formulas for every size, by all_shapes",
    "strideall": "a strided layer: N O ((H + 2P - R)//2 + 1) ((W + 2P - S)//2 + 1) C R S for every shape",
    # ex5_7_transpose.proof
    "t57": "exercise 5-7: the backward pass is the transpose of the forward matrix",
    "t57all": "exercise 5-7 for every shape: the backward pass is the transpose of the forward matrix",
    "t57c": "exercise 5-7 for conv2d: the explicit matrix's transpose is the backward formula",
    "t57s1": "exercise 5-7 for conv2d, stride 1, every shape: the explicit matrix's transpose is the backward formula",
    "t57s2": "exercise 5-7 for conv2d, stride 2, every shape: the explicit matrix's transpose is the backward formula",
    "t57s3": "exercise 5-7 for conv2d, stride 3, every shape: the explicit matrix's transpose is the backward formula",
    "dil": "with stride S the backward pass is rot180(W) (x)~ of the S-dilated gradient",
    "dil2": "with stride 2 the backward pass is rot180(W) (x)~ of the 2-dilated gradient, for every shape",
    "dil3": "with stride 3 the backward pass is rot180(W) (x)~ of the 3-dilated gradient, for every shape",
    "ct": "with stride and padding, backward to the input is conv_transpose2d of the gradient",
    "ctall": "with stride 2 and padding, backward to the input is conv_transpose2d, for every shape",
    # backprop_conv.proof
    "gx": "(5.39): the gradient to the input is rot180(W) (x)~ delta",
    "gxall": "(5.39) for every shape",
    "gw": "(5.36): the gradient to the weights is delta (x) X",
    "gwall": "(5.36) for every shape",
    "gb": "(5.37): the gradient to the bias is the sum of delta",
    "gball": "(5.37) for every shape",
    "mc": "multi-channel conv2d with stride, padding and groups: the library's backward formulas equal grad",
    "mc1": "multi-channel conv2d, stride 1, every shape: the backward formulas equal grad",
    "mc2": "multi-channel conv2d, stride 2, every shape: the backward formulas equal grad",
    "mcg": "multi-channel conv2d with 2 groups, stride 2, every shape: the backward formulas equal grad",
    "rgx": "the gradient to the input is not W (x)~ delta (the rotation matters)",
    # backprop_pooling.proof
    "avg": "average pooling spreads the gradient evenly over each window",
    "avgpad": "average pooling with overlapping windows and padding: the backward formula equals grad",
    "max": "max pooling routes the gradient to the maximum of each window",
    # activations_bounded.proof
    "dsig": "sigmoid'(z) = sigmoid(z) (1 - sigmoid(z))",
    "dtanh": "tanh'(z) = 1 - tanh(z)^2",
    "dexp": "exp' = exp, and log'(x) x = 1 for x > 0",
    "sigsym": "sigmoid and tanh: sigmoid(-z) = 1 - sigmoid(z), tanh(z) = 2 sigmoid(2z) - 1",
    "smjac": "softmax Jacobian: diag(p) - p p^T",
    "cemean": "cross_entropy is the mean of -sum y log softmax(z)",
    "cegrad": "softmax + cross-entropy: dL/dz = (p - y) / N",
    "ceonehot": "softmax + cross-entropy with one-hot targets: dL/dz = (p - y) / N",
    "ceunnorm": "cross-entropy with unnormalised targets: dL/dz = (p sum(y) - y) / N",
    "rce": "p - y is wrong when the targets do not sum to 1",
    "net": "whole network with a sigmoid layer: backprop layer by layer equals grad",
    "rdsig": "sigmoid'(z) = sigmoid(z) (1 + sigmoid(z)) is false",
    "rdtanh": "tanh'(z) = 1 - tanh(z) is false",
    "rdelta": "a conv delta without the sigmoid derivative is wrong",
    # kinks.proof
    "kfirst": "max pooling: PyTorch's rule (the first maximum takes the gradient) is in the subdifferential",
    "ksplit": "max pooling: splitting the gradient evenly among tied maxima is in the subdifferential",
    "koverlap": "overlapping windows (2x2, stride 1): both rules stay in the set",
    "rkall": "giving the whole gradient to every tied maximum is outside the set",
    "rkgrad": "max pooling has a gradient at ties",
    "krelu": "ReLU: relu'(0) = 0 (PyTorch, the textbook) and relu'(0) = 1 are both in [0, 1]",
    "kaway": "away from kinks the rules are the gradient",
    # backprop_network.proof
    "netchain": "the chain rule through conv, relu, max pool, conv, avg pool, a dense layer and a squared error",
    "netlin": "the same network without ReLU and max: the chain is the gradient, for every real input",
    "netdelta": "each layer's delta from the next (the pooled layer's input taken as the variable)",
    "rnetrelu": "a delta that forgets the ReLU derivative is wrong",
}

# The kind of each source claim: which methods judge its variants.
KIND = {
    "w13": BOUNDED, "w13all": UNBOUNDED, "wpad": BOUNDED, "wpadall": UNBOUNDED,
    "full": BOUNDED, "fullall": UNBOUNDED, "ex1d": LITERAL,
    "rnorot": BOUNDED, "rkernel": BOUNDED, "rhalf": BOUNDED,
    "mm": BOUNDED, "mmall": UNBOUNDED, "mmb": BOUNDED, "mmball": UNBOUNDED,
    "chan": COUNTS, "cost": COUNTS,
    "direct": COUNTS, "bneck": COUNTS, "ratio": RATIO, "formulas": COUNTS,
    "formulasall": UNBOUNDED, "strideall": UNBOUNDED,
    "t57": GRAD, "t57all": UNBOUNDED, "t57c": MATRIX_STRIDE_DIM,
    "t57s1": UNBOUNDED, "t57s2": UNBOUNDED, "t57s3": UNBOUNDED,
    "dil": GRAD_STRIDE_DIM, "dil2": UNBOUNDED, "dil3": UNBOUNDED,
    "ct": GRAD_STRIDE_DIM, "ctall": UNBOUNDED,
    "gx": GRAD, "gxall": UNBOUNDED, "gw": GRAD, "gwall": UNBOUNDED,
    "gb": GRAD, "gball": UNBOUNDED, "mc": GRAD_STRIDE_DIM,
    "mc1": UNBOUNDED, "mc2": UNBOUNDED, "mcg": UNBOUNDED, "rgx": GRAD,
    "avg": AVG_POOL, "avgpad": AVG_POOL, "max": MAX_POOL,
}
NA_SUBGRAD = {"all_shapes": "max, relu and subgrad are outside the multilinear class",
              "symbolic": "max and relu need an ordered ring; Q[x] is not",
              "random": "max and relu need an ordered ring; the degree semiring is not",
              "bounded": "subgrad(L, X) is a set, decided over Q by exact"}
for _src in ("kfirst", "ksplit", "koverlap", "rkall", "krelu", "netchain", "rnetrelu"):
    KIND[_src] = {"by": ["exact"], "na": NA_SUBGRAD}
KIND["kaway"] = {"by": ["exact", "bounded"], "na": {k: v for k, v in NA_SUBGRAD.items()
                                                   if k != "bounded"}}
for _src in ("netlin", "netdelta"):
    KIND[_src] = {"by": ["symbolic", "exact", "bounded"],
                  "na": {"all_shapes": NA_POOL, "random": NA_GRAD_RANDOM}}
for _src in ("dsig", "dtanh", "dexp", "sigsym", "smjac", "cemean", "cegrad", "ceonehot",
             "ceunnorm", "rce", "net", "rdsig", "rdtanh", "rdelta"):
    KIND[_src] = TRANSCENDENTAL

# Claims about exercise 5-4's real layer: their inputs have millions of
# entries, which takes seconds to fill and far longer under valgrind.
LARGE = {"direct", "bneck", "ratio"}

# Claims whose shipped text is being rewritten (max pooling becomes an
# `in subgrad` claim): their committed variants stay as they are.
FROZEN = {"max"}

# Folder of each source file in tests/soundness.
FOLDER = {
    "ex5_2_wide_convolution.proof": "ex5_2",
    "ex5_3_one_by_one.proof": "ex5_3",
    "ex5_4_bottleneck_cost.proof": "ex5_4",
    "ex5_7_transpose.proof": "ex5_7",
    "backprop_conv.proof": "backprop_conv",
    "backprop_pooling.proof": "backprop_pooling",
    "activations_bounded.proof": "activations",
    "kinks.proof": "kinks",
    "backprop_network.proof": "backprop_network",
}

VARIANTS = []


def v(src, name, mutation, edits, why, by=None, na=None):
    """One variant of claim `src`: `edits` are (old, new) pairs applied to
    the claim's text, each old string occurring exactly once."""
    VARIANTS.append(dict(src=src, name=name, mutation=mutation, edits=edits,
                         why=why, by=by, na=na))


# Shorthands for the edits that many variants share.
def show(old, new):
    return ("show " + old, "show " + new)


sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from variants_table import define  # noqa: E402  (the table, next to this file)

define(v, show)

TRUE_MUTATIONS = """
Mutations tried and dropped because the mutated claim is still true:
- ex1d, rot180 dropped: the kernel [-1, 2, -1] is symmetric, rot180 changes nothing.
- ex1d, arguments exchanged: wide(rot180(x), k) == wide(rot180(k), x) is (5.13) itself.
- t57, transposed arguments wide(rot180(D), W): equal to wide(rot180(W), D) by (5.13).
- gx, transposed arguments wide(rot180(G), W): equal to wide(rot180(W), G) by (5.13).
- dil, transposed arguments wide(rot180(dilate(G, S)), W): equal by (5.13).
- mm, dilation=2 on a 1x1 kernel: a single tap has nothing to spread.
- max, height and width swapped on both the input and the gradient and back:
  max pooling with a square window commutes with the transpose (away from
  ties, which exact skips because the derivative does not exist there).
- avg, the 2x2 window of ones transposed: it is symmetric.
"""


def claim_blocks(text):
    """(title, start_line, block_text) of every claim/refute in a file."""
    lines = text.split("\n")
    out = []
    k = 0
    while k < len(lines):
        m = re.match(r'\s*(claim|refute)\s+"((?:[^"\\]|\\.)*)"\s*\{', lines[k])
        if m:
            start = k
            while not lines[k].strip() == "}":
                k += 1
            out.append((m.group(2), start + 1, "\n".join(lines[start:k + 1])))
        k += 1
    return out


def main():
    srcdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..")
    proofs = os.path.join(srcdir, "proofs", "nndl5")
    found = {}
    for fname in sorted(os.listdir(proofs)):
        if not fname.endswith(".proof"):
            continue
        with open(os.path.join(proofs, fname), encoding="utf-8") as f:
            for title, line, block in claim_blocks(f.read()):
                found[title] = (fname, line, block)
    by_title = {t: k for k, t in SOURCES.items()}
    # Claims added to proofs/ since the table was written: listed in the
    # manifest as not covered yet.
    missing = sorted("%s: %s" % (found[t][0], t) for t in found if t not in by_title)
    for t in missing:
        print("not covered yet: %s" % t)
    out_root = os.path.join(srcdir, "tests", "soundness")
    names = set()
    manifest = []
    counts = {}
    for var in VARIANTS:
        title = SOURCES[var["src"]]
        fname, line, block = found[title]
        kind = KIND[var["src"]]
        by = var["by"] or kind["by"]
        na = dict(kind["na"])
        na.update(var["na"] or {})
        for m in by:
            na.pop(m, None)
        assert sorted(set(by) | set(na)) == sorted(ALL), var["name"]
        text = block
        folder = FOLDER[fname]
        fid = var["src"] + "_" + var["name"]
        path = os.path.join(out_root, folder, fid + ".proof")
        stale = [old for old, new in var["edits"] if text.count(old) != 1]
        if var["src"] in FROZEN and os.path.exists(path):
            stale = ["(frozen)"]
        if stale:
            # The shipped claim changed since the table was written: the
            # committed variant (a false claim on its own) stays as it is
            # until the table catches up; a new one cannot be made.
            if not os.path.exists(path):
                sys.exit("%s: edit %r does not match exactly once" % (fid, stale[0]))
            print("kept as committed (the source claim changed): %s" % fid)
            names.add(path)
            manifest.append((folder + "/" + fid, var["mutation"], by, na))
            counts[folder] = counts.get(folder, 0) + 1
            continue
        for old, new in var["edits"]:
            text = text.replace(old, new)
        assert text != block, var["name"]
        is_refute = text.lstrip().startswith("refute")
        vtitle = "%s_%s: %s" % (var["src"], var["name"], var["mutation"])
        header = re.match(r'\s*(claim|refute)\s+"(?:[^"\\]|\\.)*"\s*\{', text)
        text = '%s "%s" {%s' % (header.group(1), vtitle.replace('"', "'"),
                                text[header.end():])
        # the methods that must judge it false replace any by line
        text = re.sub(r"\n\s*by [^\n]*", "", text)
        text = text.replace("\n}", "\n  by %s\n}" % ", ".join(by))
        assert path not in names, path
        names.add(path)
        lines = [
            "# A false variant of a shipped claim, for tests/test_soundness.sh.",
            "# Generated by tests/soundness/generate.py from the table in",
            "# tests/soundness/variants_table.py; edit those, not this file.",
            "# source: proofs/nndl5/%s:%d" % (fname, line),
            '#   %s "%s"' % ("refute" if is_refute else "claim", title),
            "# mutation: %s" % var["mutation"],
        ]
        for old, new in var["edits"]:
            lines.append("#   %s  ->  %s" % (" / ".join(l.strip() for l in old.split("\n")),
                                           " / ".join(l.strip() for l in new.split("\n"))))
        lines.append("# false because: %s" % var["why"])
        lines.append("# must judge it false: %s (the by line)" % ", ".join(by))
        if var["src"] in LARGE:
            lines.append("# large: inputs of millions of entries (skipped under valgrind)")
        for m in ALL:
            if m in na and na[m].startswith(NOT_RUN):
                lines.append("# not run: %s: %s" % (m, na[m][len(NOT_RUN):]))
            elif m in na:
                lines.append("# not applicable: %s: %s" % (m, na[m]))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n\n" + text + "\n")
        manifest.append((folder + "/" + fid, var["mutation"], by, na))
        counts[folder] = counts.get(folder, 0) + 1
    # stale files from an earlier table
    for folder in FOLDER.values():
        d = os.path.join(out_root, folder)
        for f in os.listdir(d) if os.path.isdir(d) else []:
            if f.endswith(".proof") and os.path.join(d, f) not in names:
                os.remove(os.path.join(d, f))
    write_manifest(out_root, manifest, missing)
    print("%d variants: %s" % (len(VARIANTS), ", ".join(
        "%s %d" % kv for kv in sorted(counts.items()))))


def write_manifest(out_root, manifest, missing):
    reasons = {}
    with open(os.path.join(out_root, "MANIFEST.md"), "w", encoding="utf-8") as f:
        f.write("# Soundness corpus manifest\n\n"
                "Generated by `generate.py`.  One row per variant: the "
                "mutation, the methods that must judge it false, and the "
                "methods that cannot judge it (reasons below the table).\n\n"
                "| variant | mutation | must refute | not applicable |\n"
                "|---|---|---|---|\n")
        for name, mutation, by, na in manifest:
            cells = []
            for m in ALL:
                if m in na:
                    key = reasons.setdefault(na[m], len(reasons) + 1)
                    cells.append("%s (%d)" % (m, key))
            f.write("| `%s` | %s | %s | %s |\n" % (
                name, mutation.replace("|", "\\|"), ", ".join(by),
                ", ".join(cells) or "-"))
        f.write("\nReasons a method does not apply:\n\n")
        for reason, key in sorted(reasons.items(), key=lambda kv: kv[1]):
            f.write("%d. %s\n" % (key, reason))
        f.write("\n" + TRUE_MUTATIONS.strip() + "\n")
        if missing:
            f.write("\nClaims in proofs/nndl5 without variants yet:\n\n")
            for t in missing:
                f.write("- %s\n" % t)


if __name__ == "__main__":
    main()
