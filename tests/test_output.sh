#!/bin/sh
# test_output.sh -- what `convproof check` prints about failed and
# undecided claims, end to end, on tests/proofs/output/:
#
#   - a wrong count at a 1x8x56x56 input: the inputs summarised in one
#     line each ("25,088 entries, all 0"), in text, Markdown, HTML and
#     JUnit; --full prints every entry; the JSON report has every entry;
#   - a wrong identity at a 512-entry tensor: the entries that differ from
#     0 and the neighbourhood of the differing entry, the counterexample
#     printed once for two methods;
#   - symbolic and exact finding the same instance: "same counterexample
#     as symbolic";
#   - an adapter that raises a Python exception after a long log: under
#     "implementation failure:", never "differing entries:" or two equal
#     sides; the first 600 and last 1600 bytes of its standard error with
#     "[... N bytes left out ...]" between, so the exception line is shown
#     (python3 needed, else skipped);
#   - bounded sides that differ beyond 20 digits printed with more;
#   - a kink's explanation longer than an error record, shown whole;
#   - words: "1 shape", "1 instance", no "probability at most 0", no
#     "(no dims)" tail, JSON strength null for a failed method;
#   - every UNDECIDED says what to change.
#
# $CONVPROOF is the binary (set by `make check`); see tests/shell_common.sh.
set -u

srcdir=${srcdir:-.}
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"
dir=$srcdir/tests/proofs/output

# has FILE TEXT: FILE holds the line TEXT exactly.
has() {
    grep -qxF -- "$2" "$1"
}
# lacks FILE TEXT: no line of FILE contains TEXT.
lacks() {
    ! grep -qF -- "$2" "$1"
}

# ---- a wrong count at a 1x8x56x56 input ------------------------------------
run check "$dir/wrong_count.proof" --seed 1 --report text \
    --report md -o "$tmp/count.md" --report html -o "$tmp/count.html" \
    --report junit -o "$tmp/count.xml" --report json -o "$tmp/count.json"
ok=yes
[ "$rc" -eq 1 ] || ok=no
has "$tmp/out" "      X = shape [1, 8, 56, 56], 25,088 entries, all 0" || ok=no
has "$tmp/out" "      K = shape [8, 8, 3, 3], 576 entries, all 0" || ok=no
has "$tmp/out" "      left side = 1806336" || ok=no
has "$tmp/out" "      right side = 1806335" || ok=no
[ "$(wc -l <"$tmp/out")" -le 12 ] || ok=no
if [ $ok = yes ]; then
    pass "wrong count: the inputs summarised in one line each (text)"
else
    fail "wrong count: text summary"
fi
ok=yes
for f in count.md count.html count.xml; do
    grep -qF "shape [1, 8, 56, 56], 25,088 entries, all 0" "$tmp/$f" || ok=no
    [ "$(wc -c <"$tmp/$f")" -lt 30000 ] || ok=no
done
if [ $ok = yes ]; then
    pass "wrong count: Markdown, HTML and JUnit summarised too"
else
    fail "wrong count: Markdown, HTML or JUnit not summarised"
fi
# The JSON report keeps every entry: 25,088 + 576 zeros in the inputs.
zeros=$(/usr/bin/python3 -c '
import json, sys
cx = json.load(open(sys.argv[1]))["claims"][0]["methods"][0]["counterexample"]
print(sum(len([t for t in i["value"].replace("[", " ").replace("]", " ").replace(",", " ").split() if t == "0"]) for i in cx["inputs"]))
' "$tmp/count.json" 2>/dev/null)
if [ "$zeros" = 25664 ]; then
    pass "wrong count: the JSON report has all 25,664 input entries"
else
    fail "wrong count: JSON input entries: $zeros, wanted 25664"
fi
run check "$dir/wrong_count.proof" --seed 1 --full
if [ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/out")" -gt 400 ] \
   && lacks "$tmp/out" "25,088 entries"; then
    pass "wrong count: --full prints every entry"
else
    fail "wrong count: --full"
fi

# ---- a wrong identity at a 512-entry tensor ---------------------------------
run check "$dir/relu_512.proof" --seed 1 --report text --report html -o "$tmp/relu.html"
ok=yes
[ "$rc" -eq 1 ] || ok=no
[ "$(grep -c 'counterexample (show at line' "$tmp/out")" -eq 1 ] || ok=no
has "$tmp/out" "        shape [1, 2, 16, 16], 512 entries, all 0 except 1:" || ok=no
has "$tmp/out" "          [0,1,15,14] = -1" || ok=no
has "$tmp/out" "          near [0,1,15,14]: [0,1,15,12:16] = [0, 0, 0, 0]" || ok=no
has "$tmp/out" "          near [0,1,15,14]: [0,1,15,12:16] = [0, 0, -1, 0]" || ok=no
has "$tmp/out" "        entry [0,1,15,14]: 0 != -1" || ok=no
has "$tmp/out" "    a different counterexample, no smaller than exact's (--full or the JSON report shows it)" || ok=no
# HTML: no grid of 512 cells, one counterexample (it was 330 KB with a
# picture of each method's)
[ "$(wc -c <"$tmp/relu.html")" -lt 30000 ] || ok=no
[ "$(grep -o 'Counterexample (' "$tmp/relu.html" | wc -l)" -le 1 ] || ok=no
if [ $ok = yes ]; then
    pass "512 entries: differing entry, its neighbourhood, one counterexample"
else
    fail "512 entries: summary"
fi

run check "$srcdir/tests/proofs/invalid/grad_missing_two.proof"
if [ "$rc" -eq 1 ] && has "$tmp/out" "    same counterexample as symbolic" \
   && [ "$(grep -c 'counterexample (show at line' "$tmp/out")" -eq 1 ]; then
    pass "symbolic and exact: the counterexample printed once"
else
    fail "symbolic and exact: same counterexample"
fi

# ---- an adapter that raises after a long log --------------------------------
if ! command -v python3 >/dev/null 2>&1; then
    skip "an adapter's exception (no python3)"
else
    run check "$dir/crash_long.proof" --report text --report json -o "$tmp/crash.json"
    ok=yes
    [ "$rc" -eq 1 ] || ok=no
    [ "$(grep -c '^      implementation failure:$' "$tmp/out")" -eq 2 ] || ok=no
    # The count, from the adapter's own standard error run the same way
    # (its traceback names the script as given): all but 600 + 1600 bytes.
    total=$(cd "$dir" && python3 raise_long.py 2>&1 >/dev/null </dev/null | wc -c)
    has "$tmp/out" "        [... $((total - 2200)) bytes left out ...]" || ok=no
    has "$tmp/out" "        ValueError: the adapter cannot handle this shape: expected NHWC, got NCHW" || ok=no
    has "$tmp/out" "        adapter: step 00 of the conversion, nothing to see here yet" || ok=no
    lacks "$tmp/out" "differing entries" || ok=no
    lacks "$tmp/out" "left side" || ok=no
    lacks "$tmp/out" "right side" || ok=no
    if [ $ok = yes ]; then
        pass "adapter exception: own heading, head and tail kept, no sides"
    else
        fail "adapter exception"
    fi
    if grep -qF '"failure": "broken.avg_pool2d: crashed: ' "$tmp/crash.json" \
       && grep -qF 'ValueError: the adapter cannot handle this shape' "$tmp/crash.json" \
       && grep -qF '"lhs": null,' "$tmp/crash.json"; then
        pass "adapter exception: JSON failure with the exception line"
    else
        fail "adapter exception: JSON"
    fi
fi

# ---- sides that differ beyond the digits printed -------------------------------
run check "$dir/close_sides.proof"
if [ "$rc" -eq 1 ] \
   && has "$tmp/out" "      left side = [0.7310585786300048792511592418218362743651..0.7310585786300048792511592418218362743652]" \
   && has "$tmp/out" "      right side = [0.7310585786300048792511592418228362743651..0.7310585786300048792511592418228362743652]"; then
    pass "bounded: sides that differ beyond 20 digits are not shown equal"
else
    fail "bounded: equal-looking sides"
fi

# ---- a kink's explanation, longer than an error record ------------------------
run check "$dir/kink_message.proof"
if [ "$rc" -eq 1 ] \
   && grep -qF "grad: no derivative at this point: a maximum is attained by 4 entries: they tie at the value 0" "$tmp/out" \
   && grep -qF '`show A in subgrad(...)` checks a rule against it' "$tmp/out" \
   && lacks "$tmp/out" "attained twice" && lacks "$tmp/out" "more than once"; then
    pass "kink: the whole explanation, to its last sentence"
else
    fail "kink: explanation cut"
fi

# ---- how many entries share a tied maximum --------------------------------------
run check "$dir/kink_count.proof"
if [ "$rc" -eq 1 ] \
   && grep -qF "a maximum is attained by 2 entries: they tie at the value 0" "$tmp/out" \
   && lacks "$tmp/out" "attained by 3" \
   && grep -qF "a maximum is attained more than once: candidates tie at the value 0" "$tmp/out" \
   && [ "$(grep -c 'attained by' "$tmp/out")" -eq 1 ]; then
    pass "kink: a window's tie counts its entries; an elementwise maximum claims no count"
else
    fail "kink: tie count"
fi

# ---- words ------------------------------------------------------------------------
run check "$dir/wording.proof" --verbose
ok=yes
[ "$rc" -eq 0 ] || ok=no
grep -qF "evidence: 1 instance at 1 shape evaluated in Q" "$tmp/out" || ok=no
grep -qF "2 random points of Z/pZ at 1 shape (2 per shape)" "$tmp/out" || ok=no
grep -qF "each point decides the identity, with no probability of error" "$tmp/out" || ok=no
grep -qF "at 1 shape (largest polynomial: 0 terms)" "$tmp/out" || ok=no
lacks "$tmp/out" "1 shapes" || ok=no
lacks "$tmp/out" "1 instances" || ok=no
lacks "$tmp/out" "probability at most 0" || ok=no
lacks "$tmp/out" "2^60 + k/(2^54 - e) <= 0" || ok=no
if [ $ok = yes ]; then
    pass "words: 1 shape, 1 instance, no probability at most 0"
else
    fail "words"
fi
printf 'claim "shapes do not fit" {\n  tensor X[2]\n  tensor Y[3]\n  show X + Y == Y + X\n}\n' \
    >"$tmp/nofit.proof"
run check "$tmp/nofit.proof"
if [ "$rc" -eq 2 ] && lacks "$tmp/err" "no dims" && lacks "$tmp/err" "at shape"; then
    pass "words: no '(at shape (no dims))' tail"
else
    fail "words: (no dims) tail"
fi
# Claims without dims have one shape, which no message names: all_shapes
# refuting one, bounded undecided on one, exact's counterexample.
cat >"$tmp/nodims.proof" <<'EOF2'
claim "rot180 is not the identity" {
  tensor X[2]
  show rot180(X) == X
  by all_shapes, exact
}
claim "too wide at 256 bits" {
  tensor X[1] values 5..5
  show exp(exp(X)) - exp(exp(X)) == 0 * X
  by bounded
}
EOF2
run check --verbose --seed 1 "$tmp/nodims.proof" --report text --report json -o "$tmp/nodims.json"
if [ "$rc" -eq 1 ] && lacks "$tmp/out" "no dims" && lacks "$tmp/nodims.json" "no dims" \
   && has "$tmp/out" "    the two sides differ (isl), and an instance replayed in Q confirms it" \
   && grep -qF "    not decided at 256 bits (instance 1): " "$tmp/out" \
   && has "$tmp/out" "    counterexample (show at line 3):"; then
    pass "words: no '(no dims)' in all_shapes, bounded or counterexample texts"
else
    fail "words: '(no dims)' in a claim without dims"
fi
# An input the failing show does not name cannot change the difference:
# left out of the text (named), kept in the JSON and with --full.
printf 'claim "y unused" {\n  tensor X[2]\n  tensor Y[3]\n  show relu(X) == X + 1\n  by exact(trials=1)\n}\n' \
    >"$tmp/unused.proof"
run check --seed 1 "$tmp/unused.proof" --report text --report json -o "$tmp/unused.json" \
    --report html -o "$tmp/unused.html" --report junit -o "$tmp/unused.xml"
ok=yes
[ "$rc" -eq 1 ] || ok=no
has "$tmp/out" "      X = [0, 0]" || ok=no
has "$tmp/out" "      Y: not in the failing show, left out (--full or the JSON report shows it)" || ok=no
lacks "$tmp/out" "Y = " || ok=no
grep -qF '{"name": "Y", "value": "[0, 0, 0]\n", "unused": true}' "$tmp/unused.json" || ok=no
lacks "$tmp/unused.json" '"name": "X", "value": "[0, 0]\n", "unused"' || ok=no
grep -qF "Y: not in the failing show, left out" "$tmp/unused.html" || ok=no
grep -qF "Y: not in the failing show, left out" "$tmp/unused.xml" || ok=no
lacks "$tmp/unused.html" "Y =" || ok=no
run check --seed 1 --full "$tmp/unused.proof"
has "$tmp/out" "      Y = [0, 0, 0]" || ok=no
lacks "$tmp/out" "not in the failing show" || ok=no
if [ $ok = yes ]; then
    pass "an input not in the failing show: left out, named, in the JSON and with --full"
else
    fail "an input not in the failing show"
fi
# Two more kinds of UNDECIDED, each with what to change: the shape limit,
# and constraints no shape satisfies.
printf 'claim "three shapes" {\n  dim N in 1..3\n  tensor X[N]\n  show X + X == 2 * X\n  by exact\n}\nclaim "no shape" {\n  dim N in 1..3\n  where N >= 5\n  tensor X[N]\n  show X == X\n}\n' \
    >"$tmp/advice.proof"
run check --max-shapes 2 "$tmp/advice.proof"
if [ "$rc" -eq 3 ] \
   && has "$tmp/out" "    to decide it: raise --max-shapes N; or narrow dim N (now 1..3)" \
   && has "$tmp/out" "    to decide it: widen the dim ranges or relax the \`where\` constraints"; then
    pass "undecided: the shape limit and unsatisfiable constraints say what to change"
else
    fail "undecided: advice for --max-shapes and empty constraints"
fi
printf 'claim "for every M" {\n  dim M >= 1\n  tensor X[M]\n  show rot180(rot180(X)) == X\n  by all_shapes\n}\n' \
    >"$tmp/every.proof"
run check "$tmp/every.proof"
if [ "$rc" -eq 0 ] && grep -qF "all_shapes  passed     all shapes, " "$tmp/out" \
   && lacks "$tmp/out" "0 shapes"; then
    pass "words: all_shapes over an unbounded dim passes 'all shapes', not '0 shapes'"
else
    fail "words: all_shapes' count of shapes"
fi
printf 'claim "for every M, false" {\n  dim M >= 1\n  tensor X[M]\n  show sum(rot180(X)) == 2 * sum(X)\n  by all_shapes\n}\n' \
    >"$tmp/every_false.proof"
run check "$tmp/every_false.proof"
if [ "$rc" -eq 1 ] && grep -qF "all_shapes  failed     all shapes, " "$tmp/out" \
   && lacks "$tmp/out" "0 shapes"; then
    pass "words: all_shapes failing over an unbounded dim counts 'all shapes', not '0 shapes'"
else
    fail "words: all_shapes' count of shapes when it fails"
fi
strengths=$(/usr/bin/python3 -c '
import json, sys
for claim in json.load(open(sys.argv[1]))["claims"]:
    for m in claim["methods"]:
        print(m["outcome"], m["strength"])
' "$tmp/count.json" 2>/dev/null)
if [ "$strengths" = "failed None" ]; then
    pass "JSON: a failed method's strength is null"
else
    fail "JSON: strength of a failed method"
fi

# ---- every UNDECIDED says what to change -------------------------------------
run check "$dir/undecided.proof" --max-terms 100
ok=yes
[ "$rc" -eq 3 ] || ok=no
has "$tmp/out" "    to decide it: the cap of 4096 answer vectors is fixed (each kink met doubles them): fewer entries tie with a wider \`values\` range, and fewer kinks meet at a smaller shape; or narrow dim H (now 6..7)" || ok=no
has "$tmp/out" "    to decide it: raise --max-terms N (symbolic's polynomials; exact and random build none); or make the tensors smaller (X is [1, 1, 6, 6])" || ok=no
has "$tmp/out" "    to decide the claim: leave symbolic out of its \`by\` line" || ok=no
has "$tmp/out" "    to check the claim at some shapes: give dim N an upper bound (dim N in 1..8, say), so that the methods that sweep shapes can run where they apply" || ok=no
has "$tmp/out" "    to check the claim at some shapes: give dims N, H upper bounds (dim N in 1..8, dim H in 2..9, say), so that the methods that sweep shapes can run where they apply" || ok=no
lacks "$tmp/out" "leave all_shapes out" || ok=no
[ "$(grep -c '^UNDECIDED' "$tmp/out")" -eq 5 ] || ok=no
if [ $ok = yes ]; then
    pass "undecided: each says what to change"
else
    fail "undecided: advice"
fi

finish
