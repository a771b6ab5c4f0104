#!/bin/sh
# test_hostile.sh -- hostile claims and values that once aborted, crashed
# or ran for ever (issue: "aborts and hangs must be limits").  Each must
# be a located limit (the claim UNDECIDED with its reason, exit 3) or a
# usage or input error (exit 2):
#
#   the explicit matrix of a 64-channel 64x64 conv2d: refused by
#   --max-entries before the sparse matrix behind it is built (it aborted
#   on an assertion when malloc failed);
#   a sparse matrix malloc cannot hold (under ulimit -v): "out of memory"
#   at the call's location;
#   a matrix power of symbolic 20x20 matrices: the polynomials of one
#   computation together are bounded (4 times --max-terms), so it stops
#   long before the machine's memory (X@X@X@X@X@X@X@X on 30x30 aborted
#   after 3.8 GB);
#   a chain of 30 lets that each use the one before twice (2^30
#   evaluations): refused before any work, at the first let past the
#   bound;
#   exact(trials=10^18) and other method options past their maxima: input
#   errors at the value's position;
#   dilate(G, 16777216) by all_shapes: decided in a moment, with no
#   16-million-entry tensor built for the cross-check;
#   an empty proof file, a file of comments, a folder with no .proof file:
#   input errors, not "0 passed";
#   --timeout 0: no limit.
#
# The runs that would take minutes or gigabytes on a regression carry a
# --timeout, and the memory cases run under ulimit -v only without
# valgrind or AddressSanitizer (both need far more address space).  No
# timing is asserted.  Environment: tests/shell_common.sh.
set -u

srcdir=${srcdir:-.}
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"

cd "$tmp" || exit 99

# check NAME WANT_RC: passes when $rc is WANT_RC and $ok is yes.
check() {
    if [ "$rc" -eq "$2" ] && [ "$ok" = yes ]; then
        pass "$1"
    else
        echo "  (exit $rc, wanted $2)"
        fail "$1"
    fi
}

# has FILE TEXT: FILE contains TEXT (fixed string).
has() { grep -F -q -- "$2" "$1"; }

# Whether address-space limits can be used (not under valgrind or ASan).
small_address_space=no
if [ -z "$wrapper" ] \
   && ! ASAN_OPTIONS=help=1 "$bin" --version 2>&1 | grep -q AddressSanitizer; then
    small_address_space=yes
fi

# run_limited KB ARGS...: like run, under ulimit -v KB when possible.
run_limited() {
    kb=$1
    shift
    if [ "$small_address_space" = yes ]; then
        rc=$( (ulimit -v "$kb" && "$bin" "$@" >out 2>err </dev/null); echo $?)
    else
        run "$@"
    fi
}

after='claim "a claim after it still runs" {
  dim M in 1..2
  tensor X[M]
  show X + X == 2 * X
  by exact
}'

# ---- the explicit matrix of a large conv2d -----------------------------------
cat >convmatrix.proof <<EOF
claim "the explicit matrix of a 64-channel conv2d" {
  tensor X[1, 64, 64, 64]
  tensor K[64, 64, 3, 3]
  show sum(conv2d_matrix_input(X, K)) == sum(conv2d_matrix_input(X, K))
  by exact
}
$after
EOF
run_limited 2000000 check convmatrix.proof --timeout 60
ok=yes
has out 'UNDECIDED "the explicit matrix of a 64-channel conv2d" convmatrix.proof:1' || ok=no
has out 'not decided: limit max-entries reached (convmatrix.proof:4:12: conv2d_matrix_input: tensor of shape [246016, 262144] has more than 200000000 entries' || ok=no
has out 'TESTED "a claim after it still runs"' || ok=no
[ ! -s err ] || ok=no
check "conv2d_matrix_input of a 64-channel 64x64 conv2d: max-entries, before building" 3

# A matrix under --max-entries whose sparse form malloc cannot hold:
# 63,536 x 70,400 dense entries, up to 25,160,256 nonzero terms (63,536
# rows of 44 * 3 * 3 taps; the zero entries of K drop out), over 700 MB
# as triples.
if [ "$small_address_space" = yes ]; then
    cat >sparse.proof <<EOF
claim "a sparse matrix malloc cannot hold" {
  tensor X[1, 44, 40, 40]
  tensor K[44, 44, 3, 3]
  show sum(conv2d_matrix_input(X, K)) == 0
  by exact
}
$after
EOF
    run_limited 1000000 check sparse.proof --max-entries 10000000000 --timeout 60
    ok=yes
    has out 'UNDECIDED "a sparse matrix malloc cannot hold" sparse.proof:1' || ok=no
    has out 'not decided: a resource limit was reached (sparse.proof:4:12: conv2d_matrix_input: out of memory (a sparse matrix of ' || ok=no
    has out 'TESTED "a claim after it still runs"' || ok=no
    check "a sparse matrix malloc cannot hold: out of memory at the call" 3
else
    skip "a sparse matrix malloc cannot hold (needs ulimit -v: not under valgrind or ASan)"
fi

# ---- polynomials that together outgrow the machine -----------------------------
# Each entry of X^4 has 8,000 terms (under --max-terms 100000), but the 400
# entries together have 3.2 million, past max(4 * 100000, 2^20).
if [ -z "$wrapper" ]; then
    cat >power.proof <<EOF
claim "a power of a symbolic 20x20 matrix" {
  tensor X[20, 20]
  show X @ X @ X @ X == X @ X @ X @ X
  by symbolic
}
$after
EOF
    run_limited 1500000 check power.proof --max-terms 100000 --timeout 120
    ok=yes
    has out 'UNDECIDED "a power of a symbolic 20x20 matrix" power.proof:1' || ok=no
    has out "not decided: limit max-terms reached (power.proof:3:" || ok=no
    has out "the polynomials of this computation need more than 1048576 terms in all (the limit: 4 times --max-terms, at least 1048576)" || ok=no
    has out 'TESTED "a claim after it still runs"' || ok=no
    check "X@X@X@X on 20x20 symbolic: all polynomials together bounded" 3
else
    skip "a power of a symbolic 20x20 matrix (seconds natively, minutes under valgrind)"
fi

# ---- lets that double ------------------------------------------------------------
{
    echo 'claim "thirty lets, each using the one before twice" {'
    echo '  tensor A_0[2, 2]'
    i=1
    while [ $i -le 30 ]; do
        echo "  let A_$i = A_$((i - 1)) * A_$((i - 1))"
        i=$((i + 1))
    done
    echo '  show A_30 == A_30'
    echo '  by exact'
    echo '}'
    echo "$after"
} >lets.proof
run check lets.proof --timeout 30
ok=yes
has out 'UNDECIDED "thirty lets, each using the one before twice" lets.proof:1' || ok=no
# A_19 is the first past 10^6: 2^20 - 1 = 1048575 nodes
has out 'not decided: a resource limit was reached (lets.proof:21:7: let A_19 expands to 1.05e+06 operations with every let inlined' || ok=no
has out 'TESTED "a claim after it still runs"' || ok=no
check "a chain of 30 doubling lets: refused at the first let past 10^6 operations" 3

# ---- method options past their maxima ----------------------------------------------
for case in "exact(trials=1000000000000000000)|6:19|option 'trials' must be at most 100000 (found 1000000000000000000)" \
            "random(trials=100001)|6:20|option 'trials' must be at most 100000 (found 100001)" \
            "exact(ties=2)|6:17|option 'ties' must be at most 1 (found 2)" \
            "bounded(prec=1000000)|6:19|option 'prec' must be at most 65536 (found 1000000)" \
            "bounded(tol=65537)|6:18|option 'tol' must be at most 65536 (found 65537)"; do
    by=${case%%|*}
    rest=${case#*|}
    where=${rest%%|*}
    message=${rest#*|}
    cat >option.proof <<EOF
claim "an option past its maximum" {
  dim M in 1..2
  tensor X[M]
  show X + X == 2 * X

  by $by
}
EOF
    run check option.proof --timeout 10
    ok=yes
    has err "convproof: option.proof:$where: $message" || ok=no
    [ ! -s out ] || ok=no
    check "by $by: input error at the value" 2
done

# ---- all_shapes with a huge stride ----------------------------------------------------
cat >stride.proof <<EOF
claim "dilation by 2^24" {
  dim N >= 1
  tensor G[1, N]
  show dilate(G, 16777216) == dilate(G, 16777216)
  by all_shapes
}
EOF
run_limited 1000000 check stride.proof --timeout 60 --verbose
ok=yes
has out 'PASS "dilation by 2^24" stride.proof:1' || ok=no
has out 'the translation agreed with the kernel in Q at N=1' || ok=no
has out '1 instance ' || ok=no
check "dilate(G, 16777216) by all_shapes: no 16-million-entry cross-check" 0

# ---- nothing to check ----------------------------------------------------------------
: >empty.proof
run check empty.proof
ok=yes
has err "convproof check: empty.proof: no claim to check" || ok=no
[ ! -s out ] || ok=no
check "an empty proof file: input error" 2

printf '# only a comment\n\n' >comments.proof
run check comments.proof empty.proof
ok=yes
has err "convproof check: no claim to check in the 2 files given" || ok=no
check "files with comments only: input error" 2

mkdir nothing
echo 'not a proof' >nothing/readme.txt
run check nothing
ok=yes
has err "convproof check: nothing: no .proof file in this folder" || ok=no
check "a folder with no .proof file: input error" 2

# ---- --timeout 0: no limit --------------------------------------------------------
printf '%s\n' "$after" >after.proof
run check after.proof --timeout 0
ok=yes
has out 'TESTED "a claim after it still runs"' || ok=no
check "--timeout 0 is accepted (no limit)" 0

run check --help
ok=yes
has out "--timeout SECONDS   per claim (default 600, 0 for none, at most" || ok=no
check "--help states the default time limit" 0

finish
