#!/bin/sh
# test_jobs.sh -- `convproof check --jobs N`: the same reports, exit codes
# and messages for any N, claims reported in file order whatever order
# they finish in, and bad values of --jobs refused.
#
# Reports carry measured seconds, which differ from run to run; they are
# replaced by T before comparing (strip_times below), and nothing else is.
#
# The binary ($CONVPROOF, else $builddir/convproof, else ./convproof) and
# $CONVPROOF_WRAPPER (e.g. valgrind), put in front of every run: see
# tests/shell_common.sh.  Under a wrapper the shipped proofs are replaced by four
# of their quick files (the whole library takes minutes per run there).
set -u

srcdir=${srcdir:-.}
cvp_fail_stdout_lines=40
cvp_fail_stderr_lines=40
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"

# strip_times FILE: FILE with every measured duration replaced by T:
# "0.014 s" (text, Markdown, HTML), "| 0.014 |" (Markdown tables),
# <td class="n">0.014</td> (HTML tables), "seconds": 0.014000 (JSON),
# time="0.014" (JUnit).  Text pads the seconds to a width, so the
# padding goes too.
strip_times() {
    sed -e 's/ *[0-9][0-9]*\.[0-9][0-9]* s\([^A-Za-z]\|$\)/ T s\1/g' \
        -e 's/| [0-9][0-9]*\.[0-9][0-9]* |$/| T |/' \
        -e 's|<td class="n">[0-9][0-9]*\.[0-9]*</td>|<td class="n">T</td>|g' \
        -e 's/"seconds": [0-9][0-9]*\.[0-9]*/"seconds": T/g' \
        -e 's/time="[0-9][0-9]*\.[0-9]*"/time="T"/g' "$1"
}

# same NAME A B: A and B are equal once their times are stripped.
same() {
    strip_times "$2" >"$tmp/same.a"
    strip_times "$3" >"$tmp/same.b"
    if cmp -s "$tmp/same.a" "$tmp/same.b"; then
        pass "$1"
    else
        failed=$((failed + 1))
        echo "FAIL: $1"
        diff "$tmp/same.a" "$tmp/same.b" | head -20 | sed 's/^/    /'
    fi
}

# ---- the shipped proofs: every report the same for 1, 2 and 3 jobs -------
if [ -z "$wrapper" ]; then
    corpus=$srcdir/proofs/
    claims=$(cat "$srcdir"/proofs/*/*.proof | grep -c '^ *\(claim\|refute\) ')
else
    corpus=
    claims=0
    for f in backprop_pooling kinks ex5_3_one_by_one activations_bounded; do
        corpus="$corpus $srcdir/proofs/nndl5/$f.proof"
        n=$(grep -c '^ *\(claim\|refute\) ' "$srcdir/proofs/nndl5/$f.proof")
        claims=$((claims + n))
    done
fi
# --seed 1 everywhere reports are compared: without it each run draws its
# own seed from the operating system.
for jobs in 1 2 3; do
    d=$tmp/j$jobs
    mkdir "$d"
    # shellcheck disable=SC2086  # $corpus is a list of paths
    run check $corpus --seed 1 --jobs $jobs --report text --report json -o "$d/a.json" \
        --report junit -o "$d/a.xml" --report md -o "$d/a.md" \
        --report html -o "$d/a.html"
    echo "$rc" >"$d/rc"
    cp "$tmp/out" "$d/out"
    cp "$tmp/err" "$d/err"
    # "P passed, T tested, 0 failed" with P + T = claims (which claims
    # are TESTED, tests/test_check_proofs.sh checks)
    summary=$(tail -n 1 "$tmp/out")
    proved=$(echo "$summary" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) tested, 0 failed$/\1/p')
    tested=$(echo "$summary" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) tested, 0 failed$/\2/p')
    if [ -z "$proved" ]; then   # no claim TESTED: "P passed, 0 failed"
        proved=$(echo "$summary" | sed -n 's/^\([0-9]*\) passed, 0 failed$/\1/p')
        tested=0
    fi
    if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] && [ -n "$proved" ] \
        && [ $((proved + tested)) -eq "$claims" ]; then
        pass "--jobs $jobs: proofs pass ($claims claims)"
    else
        echo "  wanted: exit 0, \"P passed, T tested, 0 failed\" with P + T = $claims"
        fail "--jobs $jobs: proofs pass"
    fi
done
# the comparison is worth something only if the reports say something
if [ "$(grep -c '"outcome": "\(passed\|tested\)"' "$tmp/j1/a.json")" -ge "$claims" ] \
    && grep -q '<testcase ' "$tmp/j1/a.xml" \
    && [ "$(grep -c '^\(PASS\|TESTED\) ' "$tmp/j1/out")" -eq "$claims" ]; then
    pass "the --jobs 1 reports list every claim"
else
    failed=$((failed + 1))
    echo "FAIL: the --jobs 1 reports list every claim"
fi
for jobs in 2 3; do
    for f in out a.json a.xml a.md a.html err rc; do
        same "--jobs $jobs: $f as with --jobs 1" "$tmp/j1/$f" "$tmp/j$jobs/$f"
    done
done
# A stripped time must really be a time: the JSON keeps its seconds.
if grep -q '"seconds": [0-9]' "$tmp/j2/a.json"; then
    pass "reports carry their seconds (the only thing stripped)"
else
    failed=$((failed + 1))
    echo "FAIL: reports carry their seconds"
fi

# ---- a failed, an undecided and a passed claim: file order, exit 1 --------
# The first claim runs until its --timeout (seconds), the others finish
# at once: with two jobs they are done long before it, and are reported
# after it all the same.  A failure outranks an undecided claim: exit 1.
cat >"$tmp/mixed.proof" <<'EOF'
claim "a check that takes hours" {
  dim M, N in 200..260
  dim U, V in 1..3
  tensor X[M, N]
  tensor W[U, V]
  show wide(rot180(W), X) == wide(rot180(X), W)
  by symbolic, exact
}

claim "doubling is not tripling" {
  dim M in 1..2
  tensor X[M]
  show X + X == 3 * X
  by exact
}

claim "doubling is adding" {
  dim M in 1..2
  tensor X[M]
  show X + X == 2 * X
  by exact, symbolic
}
EOF
run check "$tmp/mixed.proof" --seed 1 --timeout 2 --jobs 2 --report text \
    --report json -o "$tmp/mixed2.json"
cp "$tmp/out" "$tmp/mixed2.out"
order=$(grep -E '^(PASS|FAIL|UNDECIDED) "' "$tmp/out" | cut -d'"' -f2 | tr '\n' '|')
if [ "$rc" -eq 1 ] \
    && [ "$order" = "a check that takes hours|doubling is not tripling|doubling is adding|" ] \
    && grep -q '^UNDECIDED "a check that takes hours"' "$tmp/out" \
    && grep -q 'not decided: limit timeout reached' "$tmp/out" \
    && grep -q '^FAIL "doubling is not tripling"' "$tmp/out" \
    && grep -q '^      X = \[1\]$' "$tmp/out" \
    && grep -q '^PASS "doubling is adding"' "$tmp/out" \
    && [ "$(tail -n 1 "$tmp/out")" = "1 passed, 1 failed, 1 undecided" ]; then
    pass "--jobs 2: undecided, failed, passed reported in file order, exit 1"
else
    echo "  wanted: exit 1, order undecided|failed|passed, got: $order"
    fail "--jobs 2: undecided, failed, passed reported in file order, exit 1"
fi
# Against --jobs 1: how far the timed-out claim got (its shapes, where it
# stopped) depends on the speed of the moment, so its record is left out
# of the text; the outcomes of every claim and method are compared.
run check "$tmp/mixed.proof" --seed 1 --timeout 2 --jobs 1 --report text \
    --report json -o "$tmp/mixed1.json"
if [ "$rc" -eq 1 ]; then
    sed -n '/^FAIL "doubling is not tripling"/,$p' "$tmp/out" >"$tmp/mixed1.tail"
    sed -n '/^FAIL "doubling is not tripling"/,$p' "$tmp/mixed2.out" >"$tmp/mixed2.tail"
    same "mixed claims: text after the timed-out claim as with --jobs 1" \
        "$tmp/mixed1.tail" "$tmp/mixed2.tail"
    grep '"outcome"' "$tmp/mixed1.json" >"$tmp/mixed1.outcomes"
    grep '"outcome"' "$tmp/mixed2.json" >"$tmp/mixed2.outcomes"
    same "mixed claims: JSON outcomes as with --jobs 1" \
        "$tmp/mixed1.outcomes" "$tmp/mixed2.outcomes"
else
    fail "mixed claims with --jobs 1: exit 1"
fi

# ---- an input error in a claim is its verdict, for any N ------------------
# (exit 2, its located message in the report and on stderr, the claims
# after it checked; the same report for any N)
cat >"$tmp/error.proof" <<'EOF'
claim "fine" {
  tensor X[2]
  show X == X
}
claim "shapes do not fit" {
  tensor X[2]
  tensor Y[3]
  show X + Y == Y + X
}
claim "still checked" {
  tensor X[2]
  show X == X
}
EOF
for jobs in 1 3; do
    run check "$tmp/error.proof" --seed 1 --jobs $jobs --report text \
        --report json -o "$tmp/error$jobs.json"
    cp "$tmp/out" "$tmp/error$jobs.out"
    if [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] \
        && grep -q "error.proof:8:10: '+': shapes \[2\] and \[3\] do not broadcast" "$tmp/err" \
        && grep -q '^ERROR "shapes do not fit"' "$tmp/out" \
        && grep -q '^PASS "still checked"' "$tmp/out" \
        && grep -q '"error": ' "$tmp/error$jobs.json"; then
        pass "--jobs $jobs: an input error in a claim: exit 2, its message, the others checked"
    else
        fail "--jobs $jobs: an input error in a claim: exit 2, its message, the others checked"
    fi
done
same "an input error: text as with --jobs 1" "$tmp/error1.out" "$tmp/error3.out"
same "an input error: JSON as with --jobs 1" "$tmp/error1.json" "$tmp/error3.json"

# ---- the spellings of the option, and values it refuses -------------------
printf 'claim "one" {\n  tensor X[2]\n  show X + X == 2 * X\n}\n' >"$tmp/one.proof"
for spelling in "--jobs 2" "--jobs=2" "-j 2" "-j2" "-j 64" "--jobs 1"; do
    # shellcheck disable=SC2086  # the spelling is one or two arguments
    run check "$tmp/one.proof" $spelling
    if [ "$rc" -eq 0 ] && [ "$(tail -n 1 "$tmp/out")" = "1 passed, 0 failed" ]; then
        pass "check $spelling"
    else
        fail "check $spelling"
    fi
done
for bad in "--jobs 0" "--jobs -1" "--jobs abc" "--jobs 65" "--jobs 1.5" \
           "--jobs= " "-j0" "-j 100000000000000000000" "--jobs=+2" "-jx"; do
    # shellcheck disable=SC2086  # the value is one or two arguments
    run check "$tmp/one.proof" $bad
    if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] \
        && grep -q -- '--jobs takes a number of threads from 1 to 64' "$tmp/err"; then
        pass "check $bad: usage error"
    else
        fail "check $bad: usage error (exit 2, a message)"
    fi
done
run check "$tmp/one.proof" --jobs
if [ "$rc" -eq 2 ] && grep -q -- '--jobs needs a value' "$tmp/err"; then
    pass "check --jobs without a value: usage error"
else
    fail "check --jobs without a value: usage error"
fi
run check "$tmp/one.proof" --jobs 2 --max-memory 1G
if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] \
    && grep -q -- '--max-memory counts the memory of the whole process and needs --jobs 1' "$tmp/err"; then
    pass "--max-memory with --jobs 2: usage error"
else
    fail "--max-memory with --jobs 2: usage error"
fi
run check "$tmp/one.proof" --jobs 1 --max-memory 1G
if [ "$rc" -eq 0 ]; then
    pass "--max-memory with --jobs 1"
else
    fail "--max-memory with --jobs 1"
fi
run check --help
if [ "$rc" -eq 0 ] && grep -q -- '-j, --jobs N' "$tmp/out"; then
    pass "check --help documents --jobs"
else
    fail "check --help documents --jobs"
fi

finish
