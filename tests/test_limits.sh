#!/bin/sh
# test_limits.sh -- resource limits of `convproof check` and hostile
# inputs (check/limits.h, cli/cli_limits.h):
#
#   --timeout, --max-memory, --max-terms, --max-entries, --max-shapes:
#   the claim that reaches the limit is reported "not decided: limit NAME
#   reached" (text and JSON), the other claims still run, nothing is
#   reported as passed, and the exit status is 3 (1 when another claim
#   failed);
#   a dimension of 10^9 and a .npy header declaring a huge shape are
#   refused before anything is allocated, with the location;
#   bad values of the options are usage errors (exit 2).
#
# No timing is asserted: the timeout claims take hours without it.
# Environment (the binary, its wrapper): tests/shell_common.sh.
set -u

srcdir=${srcdir:-.}
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"
python=/usr/bin/python3

# run (tests/shell_common.sh) leaves out and err here.
cd "$tmp" || exit 99

# check NAME WANT_RC: passes when $rc is WANT_RC; the caller's further
# conditions are given as the rest of a shell condition in $ok.
check() {
    if [ "$rc" -eq "$2" ] && [ "$ok" = yes ]; then
        passed=$((passed + 1))
        echo "PASS: $1"
    else
        failed=$((failed + 1))
        echo "FAIL: $1 (exit $rc, wanted $2)"
        sed 's/^/    out: /' out
        sed 's/^/    err: /' err
    fi
}

# has FILE TEXT: FILE contains TEXT (fixed string).
has() { grep -F -q -- "$2" "$1"; }

# The claim that must still run after a limit (quick even under
# valgrind, within any of the timeouts below; symbolic makes it a PASS,
# exact alone would be TESTED).
after='claim "a claim after it still runs" {
  dim M in 1..2
  tensor X[M]
  show X + X == 2 * X
  by exact, symbolic
}'

# ---- a dimension of 10^9, a fixed huge shape: refused before allocation ----
cat >big.proof <<EOF
claim "a dimension of 10^9" {
  dim M in 1..1000000000
  tensor X[M, M]
  show X + X == 2 * X
  by exact, symbolic
}
claim "a fixed shape of 10^9 by 10^9" {
  tensor X[1000000000, 1000000000]
  show X + X == 2 * X
  by exact
}
$after
EOF
run check big.proof
ok=yes
has out 'UNDECIDED "a dimension of 10^9" big.proof:1' || ok=no
# the first shape too large: M = 14143, 14143^2 > 2 * 10^8 >= 14142^2
has out 'not decided: limit max-entries reached (big.proof:3:10: X: tensor of shape [14143, 14143] has more than 200000000 entries' || ok=no
has out 'not decided: limit max-entries reached (big.proof:8:10: X: tensor of shape [1000000000, 1000000000]' || ok=no
has out 'PASS "a claim after it still runs"' || ok=no
[ "$(tail -n 1 out)" = "1 passed, 0 failed, 2 undecided" ] || ok=no
check "dimension of 10^9: not decided at the tensor's location, next claim runs" 3

# The same under a small address-space limit: nothing big is allocated
# (valgrind needs more address space than that, and so does
# AddressSanitizer, which reserves terabytes for its shadow memory: so
# only without either; ASAN_OPTIONS=help=1 makes an ASan build say so).
if [ -z "$wrapper" ] \
   && ! ASAN_OPTIONS=help=1 "$bin" --version 2>&1 | grep -q AddressSanitizer; then
    rc=$( (ulimit -v 300000 && "$bin" check big.proof >out 2>err </dev/null); echo $?)
    ok=yes
    [ "$(tail -n 1 out)" = "1 passed, 0 failed, 2 undecided" ] || ok=no
    check "dimension of 10^9 under ulimit -v 300000" 3
fi

# Constraints that exclude nearly every assignment of wide ranges: the
# search for shapes is bounded too (100 assignments per allowed shape).
cat >sparse.proof <<EOF
claim "wide ranges, few shapes" {
  dim M, N in 1..1000000000
  where M >= 999999999
  tensor X[M]
  show X == X
  by exact
}
$after
EOF
run check sparse.proof --max-shapes 10
ok=yes
has out 'not decided: limit max-shapes reached (sparse.proof:1:1: the dim ranges have more than 1000 assignments to search for at most 10 shapes' || ok=no
has out 'PASS "a claim after it still runs"' || ok=no
check "sparse constraints over 10^9 x 10^9 assignments: max-shapes" 3

# ---- --timeout -------------------------------------------------------------
# 33,489 shapes of 200x200 images: hours of work for symbolic and exact.
cat >slow.proof <<EOF
claim "a check that takes hours" {
  dim M, N in 200..260
  dim U, V in 1..3
  tensor X[M, N]
  tensor W[U, V]
  show wide(rot180(W), X) == wide(rot180(X), W)
  by symbolic, exact
}
$after
EOF
run check slow.proof --timeout 2 --report text --report json -o slow.json
ok=yes
has out 'UNDECIDED "a check that takes hours" slow.proof:1' || ok=no
has out 'symbolic    undecided' || ok=no
has out 'exact       undecided' || ok=no
has out 'not decided: limit timeout reached' || ok=no
has out 'PASS "a claim after it still runs"' || ok=no
[ "$(tail -n 1 out)" = "1 passed, 0 failed, 1 undecided" ] || ok=no
check "--timeout 2: text report says not decided, next claim runs" 3

if [ -x "$python" ]; then
    ok=yes
    "$python" - slow.json <<'PY' || ok=no
import json, sys
r = json.load(open(sys.argv[1]))
c = r["claims"][0]
assert c["outcome"] == "undecided", c["outcome"]
assert [m["outcome"] for m in c["methods"]] == ["undecided", "undecided"], c["methods"]
for m in c["methods"]:
    assert m["reason"].startswith("not decided: limit timeout reached"), m["reason"]
assert r["claims"][1]["outcome"] == "passed"
assert r["summary"] == {"passed": 1, "tested": 0, "failed": 0, "undecided": 1}, r["summary"]
PY
    check "--timeout 2: JSON report says undecided, not decided: limit timeout reached" 3
fi

# A refute under a timeout is undecided too, never passed.
sed 's/^claim "a check that takes hours"/refute "a check that takes hours"/' slow.proof \
    >slow_refute.proof
run check slow_refute.proof --timeout 2
ok=yes
has out 'UNDECIDED "a check that takes hours"' || ok=no
has out 'not decided: limit timeout reached' || ok=no
check "--timeout on a refute: undecided" 3

# ---- --max-memory -----------------------------------------------------------
# A million exact entries need about 16 MB of GMP memory for the input alone.
cat >mem.proof <<EOF
claim "a million exact entries" {
  dim M in 1000..1000
  tensor X[M, M]
  show X + X == 2 * X
  by exact
}
$after
EOF
run check mem.proof --max-memory 8M
ok=yes
has out 'UNDECIDED "a million exact entries" mem.proof:1' || ok=no
has out 'not decided: limit max-memory reached' || ok=no
has out 'PASS "a claim after it still runs"' || ok=no
check "--max-memory 8M: not decided, next claim runs" 3

run check mem.proof --max-memory 1G --quiet
ok=yes
# the million entries by exact alone: TESTED
[ "$(tail -n 1 out)" = "1 passed, 1 tested, 0 failed" ] || ok=no
check "--max-memory 1G: enough" 0

run check mem.proof --max-memory=8192K
ok=yes
has out 'not decided: limit max-memory reached' || ok=no
check "--max-memory=8192K (suffix K, = form)" 3

# ---- --max-terms: a counterexample found first still settles the claim ------
cat >terms.proof <<EOF
claim "false, and its polynomials are large" {
  dim M in 30..30
  tensor X[M]
  show sum(X) * sum(X) * sum(X) == sum(X * X * X)
  by exact, symbolic
}
claim "true, and its polynomials are large" {
  dim M in 30..30
  tensor X[M]
  show sum(X) * sum(X) == sum(X) * sum(X)
  by symbolic
}
$after
EOF
run check terms.proof --max-terms 100
ok=yes
has out 'FAIL "false, and its polynomials are large"' || ok=no
has out 'UNDECIDED "true, and its polynomials are large"' || ok=no
has out 'not decided: limit max-terms reached' || ok=no
has out 'PASS "a claim after it still runs"' || ok=no
[ "$(tail -n 1 out)" = "1 passed, 1 failed, 1 undecided" ] || ok=no
check "--max-terms 100: counterexample stands, the other claim not decided" 1

# ---- bad values --------------------------------------------------------------
for bad in "--max-memory 0" "--max-memory 8X" "--max-memory 1.5G" "--max-memory -5" \
           "--max-memory 99999999999999999999G"; do
    # shellcheck disable=SC2086  # split the option from its value
    run check mem.proof $bad
    ok=yes
    has err "convproof check: ${bad%% *}: expected a positive number" || ok=no
    [ ! -s out ] || ok=no
    check "bad value: $bad" 2
done
# --timeout: 0 is no limit; negative, not a number or past 10^6, an error.
for bad in "-1" "abc" "inf" "1000001" "1e3"; do
    run check mem.proof --timeout "$bad"
    ok=yes
    has err "convproof check: --timeout: expected a number of seconds from 0 (no limit) to 1000000, got '$bad'" || ok=no
    [ ! -s out ] || ok=no
    check "bad value: --timeout $bad" 2
done
# The size limits have maxima (a larger value would only postpone the
# crash they exist to prevent).
for case in "--max-entries 10000000001 10000000000" \
            "--max-terms 1000000001 1000000000" \
            "--max-shapes 1000000001 1000000000"; do
    # shellcheck disable=SC2086  # option, value, maximum
    set -- $case
    run check mem.proof "$1" "$2"
    ok=yes
    has err "convproof check: $1: at most $3, got '$2'" || ok=no
    [ ! -s out ] || ok=no
    check "value past the maximum: $1 $2" 2
done

# ---- .npy headers declaring huge shapes: refused before allocation ----------
if [ -x "$python" ]; then
    "$python" - <<'PY'
import struct
def npy(path, shape, data=b"\0" * 16):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }" % (shape,)
    header += " " * (64 - (10 + len(header) + 1) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header))
                + header.encode() + data)
npy("huge.npy", "(1000000000, 1000000000)")
npy("overflow.npy", "(1099511627776, 1099511627776, 1099511627776)")
npy("truncated.npy", "(10000, 10000)")
PY
    run eval X --let X=huge.npy
    ok=yes
    # The data cannot hold the shape: a truncated file (bad input), said
    # before any limit (which concerns data that is really there).
    has err "convproof: huge.npy: truncated: the data from byte 128 has 16 bytes, fewer than shape [1000000000, 1000000000] of 8-byte entries needs" || ok=no
    check ".npy header of 10^9 x 10^9 over 16 bytes: refused as truncated" 2
    run eval X --let X=overflow.npy
    ok=yes
    has err "convproof: overflow.npy: truncated: the data from byte 128 has 16 bytes, fewer than shape [1099511627776, 1099511627776, 1099511627776] of 8-byte entries needs" || ok=no
    check ".npy header whose size overflows 64 bits: refused as truncated" 2
    run eval X --let X=truncated.npy
    ok=yes
    has err "convproof: truncated.npy: truncated: the data from byte 128 has 16 bytes, but shape [10000, 10000] of 8-byte entries needs 800000000" || ok=no
    check ".npy header of 10^8 entries over 16 bytes of data: refused" 2
else
    echo "SKIP: .npy headers: $python is not there to write them"
fi

finish
