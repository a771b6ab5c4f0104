#!/bin/sh
# test_regions.sh -- the method `regions` (src/check/check_regions.c,
# src/kernel/cells.h) on the claims of tests/regions/, whose truth and
# counts are worked out by hand in their comments:
#
#   true.proof    seven piecewise claims that hold for every real input:
#                 PASS, with the cell counts 3 + 9 + 27 = 39 (25 on ties)
#                 for relu(z) - relu(-z) = z at N = 1..3, and backward
#                 rules `in subgrad` and grad through cancelling kinks
#                 proved on the tie cells too, and two shows whose
#                 cells add up (81 + 81) under a cap they would pass
#                 together (81 * 81);
#   false.proof   six that fail: the counterexample is a point inside the
#                 failing cell, confirmed in Q and shrunk: X = [1/4] where
#                 no integer fails, X = -1 for PyTorch's -inf padding,
#                 Z = [0], G = [1] on a tie cell, grad at Z = 0, and
#                 Z = [-1/2] for the forward difference in the set,
#                 X = Y = [-1] for relu(x y) = relu(x) relu(y); and a
#                 refute (the whole gradient to every tie) refuted;
#   jumps.proof   functions that jump (relu_backward, max_pool2d_backward
#                 in their first argument): their pieces' gradients agree,
#                 but there is no derivative at the jump: grad and jacobian
#                 fail there, subgrad is not applicable;
#   limits.proof  the cap (UNDECIDED, exit 3, with the count), a kink at a
#                 product of inputs (not applicable, with the term), and by
#                 default the cap leaving the claim TESTED by exact.
set -u

srcdir=${srcdir:-.}
cvp_fail_show=both
cvp_fail_stdout_lines=40
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"
dir=$srcdir/tests/regions

# has TEXT NAME: passes NAME when the last run's stdout holds TEXT.
has() {
    if grep -qF -- "$1" "$tmp/out"; then pass "$2"; else fail "$2 (no '$1')"; fi
}

run check --seed 1 --verbose "$dir/true.proof"
[ "$rc" -eq 0 ] && pass "true.proof: exit 0" || fail "true.proof: exit 0"
has "7 passed, 0 failed" "true.proof: every claim PASS"
has "1 shape, 162 instances" "two shows: 81 + 81 cells, each under the cap of 100"
has "3 shapes, 39 instances" "relu splits z: 3 + 9 + 27 cells walked"
has "39 cells of the kinks (25 of them ties" "relu splits z: 25 cells on ties"

run check --seed 1 "$dir/false.proof"
[ "$rc" -eq 1 ] && pass "false.proof: exit 1" || fail "false.proof: exit 1"
has "1 passed, 6 failed" "false.proof: every claim FAIL, the refute refuted"
has 'PASS (refuted as expected) "the whole gradient to every tie (refuted)"' \
    "the whole gradient to every tie: outside the set"
has "Z = [-1/2]" "the forward difference: Z = -1/2 on the open cell (-1, 0)"
has "Y = [-1]" "relu(x y): the cell x < 0, y < 0"
has "X = [1/4]" "a point no integer reaches: 1/4 in (0, 1/3)"
has "X = [[[[-1]]]]" "-inf padding: the 1x1 input -1"
has "Z = [0]" "a tie cell: Z = 0"
has "G = [1]" "the tie cell's G shrunk to 1"
has "grad: no derivative at this point" "grad at the cell Z = 0"

# Other seeds move the cells' witnesses, not the verdicts or the shrunk points.
for seed in 2 3; do
    run check --seed "$seed" "$dir/false.proof"
    [ "$rc" -eq 1 ] && pass "false.proof, seed $seed: exit 1" \
        || fail "false.proof, seed $seed: exit 1"
    has "X = [1/4]" "seed $seed: X = [1/4]"
done

run check --seed 1 "$dir/jumps.proof"
[ "$rc" -eq 1 ] && pass "jumps.proof: exit 1" || fail "jumps.proof: exit 1"
has "1 passed, 3 failed, 1 undecided" "jumps.proof: three FAIL, subgrad n/a, the control PASS"
has "grad: no derivative at this point: L is not continuous here" \
    "a step's grad: no derivative at the jump"
has "its value is 1 at the point but tends to 2" "max pooling's backward rule jumps at the tie"
has "regions: L jumps at this cell" "subgrad of a function that jumps: not defined"

run check --seed 1 "$dir/limits.proof"
[ "$rc" -eq 3 ] && pass "limits.proof: exit 3 (undecided)" \
    || fail "limits.proof: exit 3 (undecided)"
has "not decided: more than 10 cells at shape N=3" "the cap names the shape"
has "12 cells held before" "the cells before the cap: 3 + 9"
has "this one compares a value with the term X[0]*W[0]" \
    "a sum of products of inputs: not applicable, with the term"
has 'TESTED "default methods past the cap"' "by default the cap leaves exact's TESTED"

# --method regions on a whole file: the other methods do not run.
run check --seed 1 --method regions "$dir/true.proof"
[ "$rc" -eq 0 ] && pass "--method regions" || fail "--method regions"

finish
