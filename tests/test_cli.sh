#!/bin/sh
# test_cli.sh -- end-to-end tests of `convproof eval`: exit codes, output
# and the location in error messages.
#
# The binary ($CONVPROOF, else $builddir/convproof, else ./convproof) and
# $CONVPROOF_WRAPPER (e.g. valgrind), put in front of every run: see
# tests/shell_common.sh.  Expected outputs were worked out by hand; tensors are
# compared with white space removed, so the layout of the text form may
# change.
set -u

srcdir=${srcdir:-.}
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"

squeeze() {
    tr -d ' \n\t' <"$1"
}

# expect_out NAME OUTPUT ARGS...: exit 0 and stdout (white space removed)
# equal to OUTPUT.
expect_out() {
    name=$1 want=$2
    shift 2
    run "$@"
    if [ "$rc" -eq 0 ] && [ "$(squeeze "$tmp/out")" = "$want" ] \
        && [ ! -s "$tmp/err" ]; then
        pass "$name"
    else
        echo "  wanted: $want"
        fail "$name"
    fi
}

# expect_fail NAME STATUS FRAGMENT ARGS...: exit STATUS, nothing on stdout,
# and FRAGMENT (a fixed string) in stderr.
expect_fail() {
    name=$1 want_rc=$2 fragment=$3
    shift 3
    run "$@"
    if [ "$rc" -eq "$want_rc" ] && [ ! -s "$tmp/out" ] \
        && grep -F -e "$fragment" "$tmp/err" >/dev/null; then
        pass "$name"
    else
        echo "  wanted: exit $want_rc, stderr containing: $fragment"
        fail "$name"
    fi
}

# ---- results ---------------------------------------------------------------

# full convolution of [-1, 2, -1] with [1, 2, 4, 3], worked out by hand
expect_out "wide convolution" "[-1,0,-1,3,2,-3]" \
    eval 'wide(rot180(W), X)' --let W='[-1, 2, -1]' --let X='[1, 2, 4, 3]'
expect_out "exact fractions" "1" eval '2/3 + 1/3'
expect_out "precedence" "7" eval '1 + 2 * 3'
expect_out "decimals are exact" "3/10" eval '0.1 + 0.2'
expect_out "scaling by a decimal" "[[1/4,1/2],[3/4,1]]" \
    eval '0.25 * X' --let X='[[1, 2], [3, 4]]'
expect_out "keyword pairs" "[[[[6,8]]]]" \
    eval 'conv2d(X, K, stride=(2, 1))' \
    --let X='[[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]' \
    --let K='[[[[1, 0], [0, 1]]]]'
expect_out "option=value form" "[-1,-2]" eval '-X' --let=X='[1, 2]'
expect_out "expression after --" "[1,2]" eval --let X='[1, 2]' -- '--X'
expect_out "a random tensor minus itself" "[[0,0,0],[0,0,0]]" \
    eval 'X - X' --random X=2x3:7
expect_out "--range fixes the entries" "30" \
    eval 'sum(X)' --random X=2,3 --range 5..5
expect_out "boolean result" "true" eval 'true'

run eval X --random X=3x4:11
first=$(cat "$tmp/out")
run eval X --random X=3x4:11
if [ "$rc" -eq 0 ] && [ -n "$first" ] && [ "$(cat "$tmp/out")" = "$first" ]; then
    pass "the same seed gives the same tensor"
else
    fail "the same seed gives the same tensor"
fi

# Exercise 5-7: the explicit matrix of a 2x2 kernel [[1,2],[3,4]] on a 3x3
# input; row (i, j) holds the kernel at columns 3i+j, 3i+j+1, 3(i+1)+j,
# 3(i+1)+j+1 (hand-derived from the cross-correlation's definition).
expect_out "conv2d_matrix_input by hand" \
    "[[1,2,0,3,4,0,0,0,0],[0,1,2,0,3,4,0,0,0],[0,0,0,1,2,0,3,4,0],[0,0,0,0,1,2,0,3,4]]" \
    eval 'conv2d_matrix_input(X, K)' --let X='[[[[1,2,3],[4,5,6],[7,8,9]]]]' \
    --let K='[[[[1,2],[3,4]]]]'
# ... and its transpose applied to G is the backward pass to the input.
expect_out "C^T vec(G) is the backward pass" "[0,0,0,0,0,0,0,0,0]" \
    eval 'transpose(conv2d_matrix_input(X, K)) @ reshape(G, (-1,)) - reshape(conv2d_backward_input(X, K, G), (-1,))' \
    --random X=1x1x3x3 --random K=1x1x2x2 --random G=1x1x2x2
# the weight matrix: row (i, j) holds the 2x2 patch of X at (i, j)
expect_out "conv2d_matrix_weight by hand" \
    "[[1,2,4,5],[2,3,5,6],[4,5,7,8],[5,6,8,9]]" \
    eval 'conv2d_matrix_weight(X, K)' --let X='[[[[1,2,3],[4,5,6],[7,8,9]]]]' \
    --let K='[[[[1,2],[3,4]]]]'

# Two names without seeds must not get the same tensor (a false
# commutativity claim would otherwise pass on them).
run eval 'sum(X * X - X * Y)' --random X=4x4 --random Y=4x4
if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" != "0" ]; then
    pass "unseeded --random names get different tensors"
else
    fail "unseeded --random names get different tensors"
fi

printf '# a matrix\n[[1, 2],\n [3, 4]]\n' >"$tmp/a.txt"
expect_out "--let reads the text form" "[[1,3],[2,4]]" \
    eval 'transpose(A)' --let A="$tmp/a.txt"

# ---- .npy round trip -------------------------------------------------------

run eval '[[1.5, -2], [0.25, 3]] * 2' --out "$tmp/r.npy"
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/out" ] && [ -s "$tmp/r.npy" ]; then
    pass "--out writes .npy"
else
    fail "--out writes .npy"
fi
expect_out "--let reads the .npy back" "[[3,-4],[1/2,6]]" \
    eval X --let X="$tmp/r.npy"
run eval '[1/3, 1]' --out "$tmp/t.txt"
if [ "$rc" -eq 0 ] && [ "$(squeeze "$tmp/t.txt")" = "[1/3,1]" ]; then
    pass "--out writes the text form"
else
    fail "--out writes the text form"
fi
expect_fail "--out .npy refuses inexact values" 2 "not exactly representable" \
    eval '1/3' --out "$tmp/third.npy"
# --out-rounded: the nearest doubles, ties to even (2^53 + 1 -> 2^53;
# 1/3 -> 0x1.5555555555555p-2 = 6004799503160661 / 2^54, by hand)
run eval '[1/3, 9007199254740993, -1/2]' --out-rounded "$tmp/rounded.npy"
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/out" ] && [ -s "$tmp/rounded.npy" ]; then
    pass "--out-rounded writes .npy"
else
    fail "--out-rounded writes .npy"
fi
expect_out "--out-rounded rounds to nearest, ties to even" \
    "[6004799503160661/18014398509481984,9007199254740992,-1/2]" \
    eval X --let X="$tmp/rounded.npy"
expect_fail "--out-rounded takes only .npy" 2 "writes .npy files" \
    eval '1' --out-rounded "$tmp/rounded.txt"
head -c 20 "$tmp/r.npy" >"$tmp/truncated.npy"
expect_fail "truncated .npy" 2 "truncated.npy" \
    eval X --let X="$tmp/truncated.npy"
expect_fail "missing file" 2 "$tmp/missing.npy" \
    eval X --let X="$tmp/missing.npy"

# ---- errors in the expression ------------------------------------------------

expect_fail "parse error" 2 "convproof: <expr>:1:12: expected ',' or ')'" \
    eval 'conv2d(X, K'
expect_fail "parse error: dangling operator" 2 \
    "<expr>:1:5: expected an expression, found end of input" eval '-2 @'
expect_fail "unknown function" 2 \
    "<expr>:1:1: unknown function 'conv2' (did you mean 'conv2d'?)" \
    eval 'conv2(X)' --let X='[1]'
expect_fail "unknown keyword" 2 \
    "<expr>:1:14: conv2d has no parameter 'strides'" \
    eval 'conv2d(X, K, strides=2)' --random X=1x1x3x3 --random K=1x1x2x2
expect_fail "shape mismatch" 2 \
    "<expr>:1:3: '+': shapes [2, 3] and [4] do not broadcast" \
    eval 'X + Y' --random X=2x3 --random Y=4:1
expect_fail "channel mismatch names the dimension" 2 \
    "dimension 1 of K (weight) is 2" \
    eval 'conv2d(X, K)' --random X=1x3x4x4 --random K=1x2x2x2
expect_fail "division by zero" 2 "<expr>:1:3: division by zero" \
    eval 'X / 0' --let X='[1]'
expect_fail "unknown name" 2 "<expr>:1:5: unknown name 'Y'" eval '1 + Y'

# ---- bad options and inputs ------------------------------------------------

expect_fail "inline tensor syntax error" 2 "--let X:1:" eval X --let X='[1, 2'
expect_fail "name bound twice" 2 "bound twice" \
    eval X --let X=1 --random X=2
expect_fail "bad shape" 2 "--random X" eval X --random X=2xx3
expect_fail "bad range" 2 "--range" eval 1 --range 3..1
expect_fail "missing expression" 2 "missing the expression" eval
expect_fail "unknown option" 2 "unknown option '--frobnicate'" \
    eval 1 --frobnicate
expect_fail "option without value" 2 "needs a value" eval 1 --out
expect_fail "unknown command" 2 "unknown command 'evl' (did you mean 'eval'?)" \
    evl 1
expect_fail "no command" 2 "usage: convproof"

# ---- resource limits -------------------------------------------------------

expect_fail "--max-entries stops a large result" 3 "--max-entries" \
    eval 'X @ transpose(X)' --random X=30x1 --max-entries 100
expect_fail "--max-entries stops a large input" 3 "--max-entries" \
    eval X --random X=100x100 --max-entries 1000
expect_fail "default limit" 3 "entries" eval X --random X=100000x100000x100

# ---- help and version ------------------------------------------------------

run --version
if [ "$rc" -eq 0 ] && grep -q '^convproof [0-9]' "$tmp/out"; then
    pass "--version"
else
    fail "--version"
fi
run eval --help
if [ "$rc" -eq 0 ] && grep -F -q "conv2d(input, weight, [bias]" "$tmp/out"; then
    pass "eval --help lists the functions"
else
    fail "eval --help lists the functions"
fi
run --help
if [ "$rc" -eq 0 ] && grep -q "eval" "$tmp/out"; then
    pass "--help"
else
    fail "--help"
fi

# ---- hostile input exits 2, never crashes ----------------------------------

deep=$(awk 'BEGIN { for (i = 0; i < 20000; i++) printf "(" }')
expect_fail "huge exponent is a resource limit" 3 "exponent too large" \
    eval '1e999999999999'
for input in "$(printf '\001\377\200')" "$deep" \
    '[[[[[[[[[1]]]]]]]]]' '((,' 'f(=)' '1..2' 'x = 1'; do
    run eval "$input"
    if [ "$rc" -eq 2 ] && [ -s "$tmp/err" ]; then
        pass "hostile input rejected"
    else
        fail "hostile input rejected: $(printf '%s' "$input" | head -c 40)"
    fi
done

finish
