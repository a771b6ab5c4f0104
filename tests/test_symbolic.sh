#!/bin/sh
# test_symbolic.sh -- `convproof eval --symbolic`: explicit matrices with
# symbolic entries, against golden outputs in tests/symbolic/ worked out by
# hand from the textbook's definitions (NNDL chapter 5, entries counted
# from 1, vec row-major):
#
#   jacobian_xcorr_3x3_2x2.txt   Y = W (x) X for a 2x2 kernel on a 3x3
#       input: y11 = w11 x11 + w12 x12 + w21 x21 + w22 x22, so row 1 of
#       dvec(Y)/dvec(X) is [w11 w12 0 w21 w22 0 0 0 0]; each step right
#       shifts it by one column, each step down by three (4 x 9 in all).
#   jacobian_xcorr_4x4_2x2.txt   the same on a 4x4 input: output (i, j)
#       (from 0) has w11 in column 4i + j, w12 in 4i + j + 1, w21 in
#       4(i + 1) + j, w22 in 4(i + 1) + j + 1 (9 x 16).
#   jacobian_wide_2x2_2x2.txt    the backward pass rot180(W) (x)~ D on a
#       2x2 gradient: the transpose of the 4 x 9 matrix above (exercise
#       5-7), which the test also checks by transposing that file.
#   jacobian_xcorr_3x3_2x2.tex   the 4 x 9 matrix as a LaTeX bmatrix.
#   xcorr_2x3_2x2.md, .html      the two outputs of a 2x2 kernel on a 2x3
#       input, w11 x11 + w12 x12 + w21 x21 + w22 x22 and the same shifted
#       by one column, as a Markdown table and an HTML table.
#   pad_2x2.txt                  a ring of zeros around x11 x12 / x21 x22.
#   rot180_3x3.tex               w33 ... w11: both axes reversed.
#
# Then the errors: a bad --shape, a bad --format, a function without
# meaning on polynomials (relu), a result too large to print: exit 2 with
# a message.
set -u

srcdir=${srcdir:-.}
# fail prints nothing of its own; each check prints what tells most.
cvp_fail_show=none
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"
golden=$srcdir/tests/symbolic

# symbolic ARGS...: runs convproof eval --symbolic ARGS (run, shell_common.sh).
symbolic() {
    run eval --symbolic "$@"
}

# golden FILE ARGS...: the output of eval --symbolic ARGS is FILE exactly.
golden() {
    file=$1
    shift
    symbolic "$@"
    if [ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$golden/$file"; then
        pass "$file"
    else
        fail "$file (exit $rc)"
        diff "$golden/$file" "$tmp/out" | head -20
        head -5 "$tmp/err"
    fi
}

# usage_error MESSAGE ARGS...: exit 2 and MESSAGE on standard error.
usage_error() {
    message=$1
    shift
    symbolic "$@"
    if [ "$rc" -eq 2 ] && grep -q -- "$message" "$tmp/err"; then
        pass "error '$message'"
    else
        fail "error '$message' (exit $rc)"
        head -5 "$tmp/err"
    fi
}

golden jacobian_xcorr_3x3_2x2.txt 'jacobian(xcorr(W, X), X)' --shape X=3x3 --shape W=2x2
golden jacobian_xcorr_4x4_2x2.txt 'jacobian(xcorr(W, X), X)' --shape X=4x4 --shape W=2x2
golden jacobian_wide_2x2_2x2.txt 'jacobian(wide(rot180(W), D), D)' --shape W=2x2 --shape D=2x2
golden jacobian_xcorr_3x3_2x2.tex 'jacobian(xcorr(W, X), X)' --shape X=3x3 --shape W=2x2 --format tex
golden xcorr_2x3_2x2.md 'xcorr(W, X)' --shape W=2x2 --shape X=2x3 --format md
golden xcorr_2x3_2x2.html 'xcorr(W, X)' --shape W=2x2 --shape X=2x3 --format=html
golden pad_2x2.txt 'pad(X, 1)' --shape X=2x2
golden rot180_3x3.tex 'rot180(W)' --shape W=3x3 --format latex

# Exercise 5-7 from the golden files themselves: the backward matrix is
# the transpose of the forward one (entries compared as words).
transpose() {
    awk '{ gsub(/[][]/, ""); for (j = 1; j <= NF; j++) m[NR, j] = $j; if (NF > n) n = NF }
         END { for (j = 1; j <= n; j++) { line = ""; for (i = 1; i <= NR; i++)
               line = line " " m[i, j]; print line } }' "$1"
}
words() { tr -d '[]' <"$1" | awk '{ $1 = $1; print " " $0 }'; }
transpose "$golden/jacobian_xcorr_3x3_2x2.txt" >"$tmp/t1"
words "$golden/jacobian_wide_2x2_2x2.txt" >"$tmp/t2"
if cmp -s "$tmp/t1" "$tmp/t2"; then
    pass "the wide convolution's matrix is the transpose (5-7)"
else
    fail "transpose"; diff "$tmp/t1" "$tmp/t2" | head
fi

# A --let input stays concrete: W = [[1, 2], [3, 4]] fills the pattern.
symbolic 'jacobian(xcorr(W, X), X)' --shape X=3x3 --let 'W=[[1, 2], [3, 4]]'
if [ "$rc" -eq 0 ] && [ "$(head -1 "$tmp/out")" = "[  1  2  0  3  4  0  0  0  0  ]" ]; then
    pass "--let keeps an input concrete"
else
    fail "--let with --symbolic (exit $rc)"; head -3 "$tmp/out" "$tmp/err"
fi

usage_error "expected NAME=SHAPE" 'X' --shape X=3by3
usage_error "expected NAME=SHAPE" 'X' --shape X=0x2
usage_error "unknown format" 'X' --shape X=2x2 --format pdf
usage_error "relu" 'relu(X)' --shape X=2x2
usage_error "symbolic printing takes 1 to 20000" 'X' --shape X=200x200
usage_error "unknown name" 'Y' --shape X=2x2
usage_error "missing the expression" --shape X=2x2

finish
