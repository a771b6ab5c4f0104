#!/bin/sh
# test_check_proofs.sh -- end-to-end tests of `convproof check` on the proof
# corpora in tests/proofs and on the shipped proofs:
#
#   valid/*.proof      true claims (and refutes of false ones): exit 0;
#   invalid/*.proof    false claims: exit 1, and the JSON report holds the
#                      counterexample in the .expected file beside it
#                      (worked out by hand; format below);
#   malformed/*.proof  parse errors: exit 2 and exactly the message in the
#                      .expected file on stderr (see malformed/README.md;
#                      convproof names the file by the path it was given,
#                      so that path's directory is put in front);
#   proofs/            the shipped library: exit 0, "P passed, T tested,
#                      0 failed" with P + T the number of claims and
#                      refutes in it, and exactly the claims listed in
#                      $tested_claims below TESTED (only sampling supports
#                      them: a claim that today only exact can judge).
#
# An invalid/NAME.expected file holds one item a line:
#   shape: M=1, N=2       the counterexample's shape string (`shape:
#                         none` for a claim without dims: null in JSON)
#   X = [[0, 0]]          each input (all of them), in the text form
#   lhs: [[0, 0]]         optional: the two sides
#   rhs: [[0], [0]]
# or the single line `no counterexample` (a refute of a true identity).
# Every method that reports a counterexample must report this one;
# tensors are compared with white space removed.
#
# The binary ($CONVPROOF, else $builddir/convproof, else ./convproof) and
# $CONVPROOF_WRAPPER (e.g. valgrind), put in front of every run: see
# tests/shell_common.sh.
set -u

srcdir=${srcdir:-.}
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"
python=/usr/bin/python3
corpus=$srcdir/tests/proofs

# ---- valid: every claim passes --------------------------------------------
found=0
for proof in "$corpus"/valid/*.proof; do
    [ -f "$proof" ] || continue
    found=$((found + 1))
    name=valid/$(basename "$proof")
    run check "$proof" --seed 1 --quiet
    if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]; then
        pass "$name"
    else
        echo "  wanted: exit 0"
        fail "$name"
    fi
done
[ "$found" -gt 0 ] || { rc=-; fail "no valid/*.proof found under $corpus"; }

# ---- invalid: exit 1 and the expected counterexample ----------------------
# compare JSON EXPECTED: exit 0 when the report matches, else 1 with the
# reason on stderr.
compare() {
    "$python" - "$1" "$2" <<'PY'
import json
import sys

def squeeze(text):
    return "".join(str(text).split())

report_path, expected_path = sys.argv[1], sys.argv[2]
with open(report_path, encoding="utf-8") as f:
    report = json.load(f)
want_shape, want_inputs, want_sides, none_expected = None, {}, {}, False
with open(expected_path, encoding="utf-8") as f:
    for line in f:
        line = line.rstrip("\n")
        if not line.strip():
            continue
        if line.strip() == "no counterexample":
            none_expected = True
        elif line.startswith("shape:"):
            want_shape = line[len("shape:"):].strip()
            if want_shape == "none":
                want_shape = None
        elif line.startswith("lhs:") or line.startswith("rhs:"):
            want_sides[line[:3]] = squeeze(line[4:])
        elif " = " in line:
            name, value = line.split(" = ", 1)
            want_inputs[name.strip()] = squeeze(value)
        else:
            sys.exit("%s: cannot read the line %r" % (expected_path, line))

problems = []
claims = report.get("claims", [])
if not claims:
    problems.append("the report has no claims")
seen = 0
for claim in claims:
    title = claim.get("title")
    if claim.get("outcome") != "failed":
        problems.append("claim %r: outcome %r, wanted 'failed'"
                        % (title, claim.get("outcome")))
    for method in claim.get("methods", []):
        cx = method.get("counterexample")
        if cx is None:
            continue
        seen += 1
        where = "claim %r, method %s" % (title, method.get("method"))
        if none_expected:
            problems.append("%s: unexpected counterexample" % where)
            continue
        if cx.get("shape") != want_shape:
            problems.append("%s: shape %r, wanted %r"
                            % (where, cx.get("shape"), want_shape))
        got = {i.get("name"): squeeze(i.get("value")) for i in cx.get("inputs", [])}
        if got != want_inputs:
            problems.append("%s: inputs %r, wanted %r" % (where, got, want_inputs))
        for side, value in want_sides.items():
            if squeeze(cx.get(side)) != value:
                problems.append("%s: %s %r, wanted %r"
                                % (where, side, squeeze(cx.get(side)), value))
if not none_expected and seen == 0:
    problems.append("no method reported a counterexample")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}

if [ -x "$python" ]; then
    found=0
    for proof in "$corpus"/invalid/*.proof; do
        [ -f "$proof" ] || continue
        found=$((found + 1))
        base=${proof%.proof}
        name=invalid/$(basename "$proof")
        rm -f "$tmp/report.json"
        run check "$proof" --seed 1 --report json -o "$tmp/report.json"
        if [ "$rc" -ne 1 ] || [ -s "$tmp/err" ]; then
            echo "  wanted: exit 1, nothing on stderr"
            fail "$name"
        elif [ ! -f "$base.expected" ]; then
            echo "  missing: $base.expected"
            fail "$name"
        elif compare "$tmp/report.json" "$base.expected" 2>"$tmp/err"; then
            pass "$name"
        else
            echo "  the report differs from $base.expected:"
            fail "$name"
        fi
    done
    [ "$found" -gt 0 ] || { rc=-; fail "no invalid/*.proof found under $corpus"; }
else
    echo "SKIP: invalid/*.proof: $python is not there to read the JSON reports"
fi

# ---- malformed: exit 2 and exactly the expected message -------------------
found=0
for proof in "$corpus"/malformed/*.proof; do
    [ -f "$proof" ] || continue
    found=$((found + 1))
    base=${proof%.proof}
    name=malformed/$(basename "$proof")
    run check "$proof"
    # The .expected line starts with the base name; convproof writes the
    # path it was given.
    printf 'convproof: %s/%s\n' "$(dirname "$proof")" "$(cat "$base.expected")" \
        >"$tmp/want"
    if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && cmp -s "$tmp/err" "$tmp/want"; then
        pass "$name"
    else
        echo "  wanted: exit 2, nothing on stdout, stderr exactly:"
        sed 's/^/    /' "$tmp/want"
        fail "$name"
    fi
done
[ "$found" -gt 0 ] || { rc=-; fail "no malformed/*.proof found under $corpus"; }

# ---- the shipped proofs -----------------------------------------------------
claims=$(cat "$srcdir"/proofs/*/*.proof "$srcdir"/proofs/*.proof 2>/dev/null \
         | grep -c -E '^[[:space:]]*(claim|refute)[[:space:]]+"')
# The claims that only exact can judge, so that they are TESTED and not
# proved: the implementation calls (only exact runs them), the kink and
# max-pooling claims (piecewise: no polynomial method applies), the
# exercise 5-4 costs at 100x100x256 (too large for symbolic) and the
# finite conv2d_matrix_input claim (over Q only; all_shapes proves the
# same claims for every shape), and the transcendental claims that only
# bounded judges (rigorous enclosures, but at drawn instances only).  A claim leaving this list, or joining
# it, is a change of evidence to look at.
tested_claims='proofs/impl/numpy_course.proof:13
proofs/impl/numpy_course.proof:26
proofs/impl/numpy_course.proof:42
proofs/impl/numpy_course.proof:55
proofs/nndl5/activations_bounded.proof:8
proofs/nndl5/activations_bounded.proof:15
proofs/nndl5/activations_bounded.proof:22
proofs/nndl5/activations_bounded.proof:31
proofs/nndl5/activations_bounded.proof:39
proofs/nndl5/activations_bounded.proof:46
proofs/nndl5/activations_bounded.proof:58
proofs/nndl5/activations_bounded.proof:67
proofs/nndl5/activations_bounded.proof:76
proofs/nndl5/activations_bounded.proof:97
proofs/nndl5/backprop_network.proof:15
proofs/nndl5/backprop_pooling.proof:27
proofs/nndl5/ex5_4_bottleneck_cost.proof:35
proofs/nndl5/ex5_7_transpose.proof:32
proofs/nndl5/kinks.proof:11
proofs/nndl5/kinks.proof:19
proofs/nndl5/kinks.proof:27
proofs/nndl5/kinks.proof:60
proofs/nndl5/kinks.proof:71'
tested=$(printf '%s\n' "$tested_claims" | grep -c .)
proved=$((claims - tested))
# One run writes both the text report (checked here) and the JSON one
# (checked below): the library is the slowest part of the suite,
# especially under valgrind.
run check "$srcdir/proofs/" --quiet --report text --report json -o "$tmp/proofs.json"
summary=$(tail -n 1 "$tmp/out")
if [ "$rc" -eq 0 ] && [ "$claims" -gt 0 ] \
    && [ "$summary" = "$proved passed, $tested tested, 0 failed" ] && [ ! -s "$tmp/err" ]; then
    pass "proofs/ ($claims claims)"
else
    echo "  wanted: exit 0 and the summary line \"$proved passed, $tested tested, 0 failed\""
    fail "proofs/"
fi
# The README and the man page quote that summary line: they must say what
# the binary says.
line="$proved passed, $tested tested, 0 failed"
if grep -qF "    $line" "$srcdir/README.md" && grep -qF "\`$line\`" "$srcdir/README.md" \
   && grep -qF ".BR \"$line\"" "$srcdir/docs/convproof.1"; then
    pass "README.md and the man page quote the summary line of proofs/"
else
    echo "  wanted \"$line\" in README.md (quick start and check section) and docs/convproof.1"
    fail "README.md and the man page quote the summary line of proofs/"
fi
# --quiet keeps the TESTED claims (they are not proved): their headers end
# with the location, relative to $srcdir.
sed -n 's/^TESTED ".*" \([^ ]*\)$/\1/p' "$tmp/out" | sed "s|^$srcdir/||; s|^\./||" \
    >"$tmp/tested"
if printf '%s\n' "$tested_claims" | cmp -s - "$tmp/tested"; then
    pass "proofs/: exactly the expected claims are TESTED"
else
    echo "  TESTED claims, wanted (<) and reported (>):"
    printf '%s\n' "$tested_claims" | diff - "$tmp/tested" | sed 's/^/    /'
    fail "proofs/: exactly the expected claims are TESTED"
fi

# The JSON report of the shipped proofs validates against its documented
# schema (docs/report-schema.json), checked independently of the C code.
if [ -x "$python" ]; then
    if [ -s "$tmp/proofs.json" ] && "$python" "$srcdir/tests/report_json_check.py" \
        "$srcdir/docs/report-schema.json" <"$tmp/proofs.json" >/dev/null; then
        pass "proofs/ JSON report validates against the schema"
    else
        fail "proofs/ JSON report validates against the schema"
    fi
else
    echo "SKIP: JSON schema check: $python is not there"
fi

finish
