#!/bin/sh
# test_streaming.sh -- `convproof check` prints its text report claim by
# claim as the claims are decided, in file order with or without --jobs;
# an input error in one claim is that claim's verdict (ERROR, located)
# and the other claims still run (exit 2); in a refute, a statement that
# does not fit its shapes at some shape has that shape as counterexample.
#
# Incremental output is shown without timing: the slow claim calls an
# implementation that waits until this script opens a gate (a file), and
# the script opens it only once the fast claim's block is in the output.
# Without streaming, the block would come only after the gate opened.
#
# The binary ($CONVPROOF, else $builddir/convproof, else ./convproof) and
# $CONVPROOF_WRAPPER: see tests/shell_common.sh.
set -u

srcdir=${srcdir:-.}
cvp_fail_stdout_lines=40
cvp_fail_stderr_lines=40
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"

# wait_for PATTERN FILE: waits (at most about 5 minutes, for slow
# wrappers) until FILE has a line matching PATTERN; false if it never did.
wait_for() {
    tries=0
    while [ "$tries" -lt 3000 ]; do
        if grep -q -- "$1" "$2" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
        tries=$((tries + 1))
    done
    return 1
}

# wait_for_file PATH: the same for a file to exist.
wait_for_file() {
    tries=0
    while [ "$tries" -lt 3000 ]; do
        if [ -e "$1" ]; then
            return 0
        fi
        sleep 0.1
        tries=$((tries + 1))
    done
    return 1
}

# ---- (b) a block is out before the run ends ---------------------------------
gate=$tmp/gate
cat >"$tmp/gated.proof" <<EOF
implementation waits = command "while [ ! -e '$gate' ]; do sleep 0.05; done; touch '$tmp/slow-ran'; exit 1" layout nchw timeout 600

claim "fast" {
  tensor X[2]
  show X + X == 2 * X
}

claim "waits for the gate" {
  dim H in 2..2
  tensor X[1, 1, H, H]
  show waits.avg_pool2d(X, 2) == avg_pool2d(X, 2)
  by exact
}
EOF
for jobs in 1 2; do
    for sink in file pipe; do
        rm -f "$gate" "$tmp/slow-ran" "$tmp/stream.out"
        : >"$tmp/stream.out"
        if [ "$sink" = file ]; then
            # shellcheck disable=SC2086  # the wrapper is a command line
            $wrapper "$bin" check "$tmp/gated.proof" --seed 1 --jobs $jobs \
                >"$tmp/stream.out" 2>"$tmp/stream.err" </dev/null &
        else
            # shellcheck disable=SC2086
            $wrapper "$bin" check "$tmp/gated.proof" --seed 1 --jobs $jobs \
                2>"$tmp/stream.err" </dev/null | cat >"$tmp/stream.out" &
        fi
        pid=$!
        if wait_for '^PASS "fast"' "$tmp/stream.out"; then
            early=yes
        else
            early=no
        fi
        # The slow claim cannot have ended: its implementation still waits.
        if [ -e "$tmp/slow-ran" ] || grep -q 'waits for the gate\|^seed ' "$tmp/stream.out"; then
            early=no
        fi
        : >"$gate"
        wait "$pid"
        if [ "$early" = yes ] && grep -q '^FAIL "waits for the gate"' "$tmp/stream.out" \
            && [ "$(tail -n 1 "$tmp/stream.out")" = "1 passed, 1 failed" ]; then
            pass "--jobs $jobs, to a $sink: the fast claim's block is out while the slow claim runs"
        else
            echo "  output:"; sed 's/^/    /' "$tmp/stream.out"
            echo "  stderr:"; sed 's/^/    /' "$tmp/stream.err"
            fail "--jobs $jobs, to a $sink: the fast claim's block is out while the slow claim runs"
        fi
    done
done

# ---- (a) file order with --jobs, also when a later claim ends first ---------
# The first claim waits for the gate; with --jobs 2 the second runs on the
# other thread and ends first, yet nothing is printed before the first.
cat >"$tmp/order.proof" <<EOF
implementation waits = command "while [ ! -e '$gate' ]; do sleep 0.05; done; exit 1" layout nchw timeout 600
implementation marks = command "touch '$tmp/second-ran'; exit 1" layout nchw

claim "first, waits for the gate" {
  dim H in 2..2
  tensor X[1, 1, H, H]
  show waits.avg_pool2d(X, 2) == avg_pool2d(X, 2)
  by exact
}

claim "second, quick" {
  dim H in 2..2
  tensor X[1, 1, H, H]
  show marks.avg_pool2d(X, 2) == avg_pool2d(X, 2)
  by exact
}

claim "third, a pass" {
  dim M in 1..3
  tensor X[M]
  show X + X == 2 * X
}
EOF
rm -f "$gate" "$tmp/second-ran"
: >"$tmp/order2.out"
# shellcheck disable=SC2086
$wrapper "$bin" check "$tmp/order.proof" --seed 1 --jobs 2 \
    >"$tmp/order2.out" 2>"$tmp/order2.err" </dev/null &
pid=$!
held=no
if wait_for_file "$tmp/second-ran"; then
    held=yes
fi
# the second claim ran (its block may or may not be ready): nothing may
# be out before the first claim's
sleep 1
if [ -s "$tmp/order2.out" ]; then
    held=no
fi
: >"$gate"
wait "$pid"
rc2=$?
run check "$tmp/order.proof" --seed 1 --jobs 1
if [ "$held" = yes ] && [ "$rc2" -eq 1 ] && [ "$rc" -eq 1 ] \
    && cvp_strip_times "$tmp/out" >"$tmp/order1.t" \
    && cvp_strip_times "$tmp/order2.out" >"$tmp/order2.t" \
    && cmp -s "$tmp/order1.t" "$tmp/order2.t" \
    && [ "$(grep -c '^\(PASS\|FAIL\) ' "$tmp/out")" -eq 3 ] \
    && [ "$(grep '^\(PASS\|FAIL\) ' "$tmp/out" | cut -c1-14)" = "$(printf 'FAIL "first, w\nFAIL "second, \nPASS "third, a')" ]; then
    pass "--jobs 2: blocks in file order although the second claim ended first, as with --jobs 1"
else
    diff "$tmp/order1.t" "$tmp/order2.t" | sed 's/^/    /'
    fail "--jobs 2: blocks in file order although the second claim ended first, as with --jobs 1"
fi

# The streamed text is the report: the same run's text written to a file
# at the end is byte for byte what was streamed, nothing twice.
run check "$tmp/order.proof" --seed 1 --jobs 2 --report text --report text -o "$tmp/order.txt"
if [ "$rc" -eq 1 ] && cmp -s "$tmp/out" "$tmp/order.txt" \
    && [ "$(grep -c '^seed ' "$tmp/out")" -eq 1 ] \
    && [ "$(grep -c 'second, quick' "$tmp/out")" -eq 1 ]; then
    pass "streamed text = the text report of the same run, each block once"
else
    fail "streamed text = the text report of the same run, each block once"
fi

# ---- (c) an input error between two good claims ------------------------------
cat >"$tmp/error.proof" <<'EOF'
claim "before" {
  tensor X[2]
  show X + X == 2 * X
}
claim "shapes do not fit" {
  tensor X[2]
  tensor Y[3]
  show X + Y == Y + X
}
claim "after" {
  dim M in 1..2
  tensor X[M]
  show X * 3 == X + X + X
}
EOF
for jobs in 1 2; do
    run check "$tmp/error.proof" --seed 1 --jobs $jobs --report text \
        --report json -o "$tmp/error$jobs.json"
    heads=$(grep '^[A-Z]* "' "$tmp/out" | cut -d'"' -f1-2)
    if [ "$rc" -eq 2 ] \
        && [ "$heads" = "$(printf 'PASS "before\nERROR "shapes do not fit\nPASS "after')" ] \
        && grep -q "^  input error: $tmp/error.proof:8:10: '+': shapes \[2\] and \[3\] do not broadcast" "$tmp/out" \
        && [ "$(tail -n 1 "$tmp/out")" = "2 passed, 0 failed, 1 undecided (1 with an input error)" ] \
        && [ "$(wc -l <"$tmp/err")" -eq 1 ] \
        && grep -q "^convproof: $tmp/error.proof:8:10: '+': shapes \[2\] and \[3\] do not broadcast" "$tmp/err" \
        && grep -q "\"error\": \"$tmp/error.proof:8:10: '+': shapes" "$tmp/error$jobs.json" \
        && [ "$(grep -c '"error"' "$tmp/error$jobs.json")" -eq 1 ]; then
        pass "--jobs $jobs: a bad claim between two good ones: both decided, its located error, exit 2"
    else
        fail "--jobs $jobs: a bad claim between two good ones: both decided, its located error, exit 2"
    fi
done
# The JSON report validates against the schema, "error" in its place.
if command -v python3 >/dev/null 2>&1; then
    if python3 "$srcdir/tests/report_json_check.py" "$srcdir/docs/report-schema.json" \
        claims.1.outcome undecided claims.2.outcome passed \
        <"$tmp/error1.json" >/dev/null 2>"$tmp/check.err" \
        && grep -q '"error": "[^"]*error.proof:8:10: ' "$tmp/error1.json"; then
        pass "json: the error validates against the schema"
    else
        sed 's/^/  /' "$tmp/check.err"
        fail "json: the error validates against the schema"
    fi
else
    skip "json: the error validates against the schema (no python3)"
fi
# JUnit: the error is a case of its own, type "input"
run check "$tmp/error.proof" --seed 1 --report junit
if [ "$rc" -eq 2 ] && grep -q 'name="shapes do not fit \[input error\]"' "$tmp/out" \
    && grep -q "<error message=\"input error: $tmp/error.proof:8:10: " "$tmp/out"; then
    pass "junit: an input error is an error case"
else
    fail "junit: an input error is an error case"
fi
# The shards of the run: each exits as its part says, and merge-reports
# exits 2 with the error kept.
run check "$tmp/error.proof" --seed 7 --shard 1/2 --report json -o "$tmp/s1.json"
rc1=$rc
run check "$tmp/error.proof" --seed 7 --shard 2/2 --report json -o "$tmp/s2.json"
rc2=$rc
run merge-reports "$tmp/s1.json" "$tmp/s2.json"
if [ "$rc1" -eq 0 ] && [ "$rc2" -eq 2 ] && [ "$rc" -eq 2 ] \
    && grep -q '^ERROR "shapes do not fit"' "$tmp/out" \
    && grep -q "^  input error: $tmp/error.proof:8:10: " "$tmp/out"; then
    pass "shards: the error is kept by merge-reports, exit 2"
else
    echo "  shard exits: $rc1 $rc2"
    fail "shards: the error is kept by merge-reports, exit 2"
fi

# ---- (d) a refute whose statement does not fit at some shape ----------------
cat >"$tmp/refute.proof" <<'EOF'
refute "vectors of any lengths add" {
  dim M, N in 2..3
  tensor X[M]
  tensor Y[N]
  show X + Y == Y + X
}
EOF
run check "$tmp/refute.proof" --seed 1
if [ "$rc" -eq 0 ] && grep -q '^PASS (refuted as expected) "vectors of any lengths add"' "$tmp/out" \
    && grep -q '^    counterexample at shape M=2, N=3 (show at line 5):$' "$tmp/out" \
    && grep -q "not defined at this shape, so it does not hold for every shape: $tmp/refute.proof:5:10: '+': shapes \[2\] and \[3\] do not broadcast" "$tmp/out" \
    && [ "$(tail -n 1 "$tmp/out")" = "1 passed, 0 failed" ]; then
    pass "refute: a shape where the statement does not fit is a counterexample"
else
    fail "refute: a shape where the statement does not fit is a counterexample"
fi
# the same statement as a claim: an input error, exit 2
sed 's/^refute/claim/' "$tmp/refute.proof" >"$tmp/claim.proof"
run check "$tmp/claim.proof" --seed 1
if [ "$rc" -eq 2 ] && grep -q '^ERROR "vectors of any lengths add"' "$tmp/out" \
    && grep -q "(at shape M=2, N=3)" "$tmp/out"; then
    pass "the same statement as a claim: an input error, exit 2"
else
    fail "the same statement as a claim: an input error, exit 2"
fi

finish
