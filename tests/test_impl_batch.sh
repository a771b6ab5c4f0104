#!/bin/sh
# test_impl_batch.sh -- the implementations of a proof file answered in
# batches (`convproof check --impl-batch N`, docs/impl-protocol.md "From a
# proof file"):
#
#   - a claim at 100 shapes runs the command a bounded number of times:
#     exactly the runs the batch size and --jobs give (counted by the
#     command itself), each case exactly once, and with --impl-batch 1
#     once per call, as before;
#   - a wrong answer, a crash and a missing output in one case of a batch
#     are each found at that case's shape (C=3, H=7), with that case's
#     own finding;
#   - every report is the one --impl-batch 1 gives (times aside);
#   - a claim's --timeout stops a batched run that hangs;
#   - two implementations in one claim each get their own answers;
#   - nested calls (one taking another's result) are gathered in two
#     passes, so they too run in batches;
#   - bad values of --impl-batch are refused.
#
# The command is tests/data/impl_batch_pool.py (max_pool2d in plain
# Python); it appends "run CASES" to $COUNT_FILE for each run.  The
# binary ($CONVPROOF, else $builddir/convproof, else ./convproof) and
# $CONVPROOF_WRAPPER are those of tests/shell_common.sh.
set -u

srcdir=${srcdir:-.}
cvp_fail_stdout_lines=40
cvp_fail_stderr_lines=40
cvp_count_skips=yes
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"
python=/usr/bin/python3

if [ ! -x "$python" ]; then
    skip "no $python"
    finish
fi
cp "$srcdir/tests/data/impl_batch_pool.py" "$tmp/pool.py" || exit 99
COUNT_FILE=$tmp/count
export COUNT_FILE

# write_proof IMPLEMENTATION_LINES SHOW: $tmp/many.proof, a claim over
# C in 1..10 and H in 2..11 (100 shapes, one instance each).
write_proof() {
    cat >"$tmp/many.proof" <<EOF
$1

claim "max pooling at 100 shapes" {
  dim C in 1..10
  dim H in 2..11
  tensor X[1, C, H, H] values -3..3
  show $2
  by exact(trials=1)
}
EOF
}

# check_runs NAME ARGS...: runs check on $tmp/many.proof with a fresh run
# log, the JSON report in $tmp/ARGS-free name $tmp/NAME.json.
check_runs() {
    name=$1
    shift
    rm -f "$COUNT_FILE"
    : >"$COUNT_FILE"
    run check "$tmp/many.proof" --seed 1 --report json -o "$tmp/$name.json" "$@"
}

# runs_are NAME EXPECTED: the run log, one "run CASES" a line, is EXPECTED.
runs_are() {
    printf '%s\n' $2 | sed 's/^/run /' >"$tmp/want_runs"
    if cmp -s "$tmp/want_runs" "$COUNT_FILE"; then
        pass "$1"
    else
        echo "  wanted the runs (cases each): $2; got:"
        sed 's/^/    /' "$COUNT_FILE" | head -20
        rc=-; fail "$1"
    fi
}

# same_report NAME A B: two JSON reports equal once times are stripped.
same_report() {
    cvp_strip_times "$tmp/$2.json" >"$tmp/same.a"
    cvp_strip_times "$tmp/$3.json" >"$tmp/same.b"
    if cmp -s "$tmp/same.a" "$tmp/same.b"; then
        pass "$1"
    else
        diff "$tmp/same.a" "$tmp/same.b" | head -20 | sed 's/^/    /'
        rc=-; fail "$1"
    fi
}

# counterexample NAME REPORT SHAPE DIFFERENCES: the report's claim failed
# with a counterexample at SHAPE whose differences (or, for an
# implementation that failed to answer, its failure) start with
# DIFFERENCES.
counterexample() {
    if "$python" - "$tmp/$2.json" "$3" "$4" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
method = report["claims"][0]["methods"][0]
cx = method["counterexample"]
ok = (report["claims"][0]["outcome"] == "failed" and cx is not None
      and cx["shape"] == sys.argv[2]
      and ((cx["differences"] or "").startswith(sys.argv[3])
           # an implementation's failure has its own key (schema 3)
           or (cx.get("failure") or "").startswith(sys.argv[3])))
if not ok:
    print("  got:", json.dumps(method, indent=1)[:1500])
sys.exit(0 if ok else 1)
PY
    then
        pass "$1"
    else
        rc=-; fail "$1"
    fi
}

pool='implementation pool = command "/usr/bin/python3 pool.py'

# ---- "unsupported": skipped, counted, never a silent pass ----------------
# undecided_with NAME REPORT INSTANCES FRAGMENT: the claim is undecided,
# its exact method counted INSTANCES instances and its reason holds
# FRAGMENT.
undecided_with() {
    if "$python" - "$tmp/$2.json" "$3" "$4" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
claim = report["claims"][0]
method = claim["methods"][0]
ok = (claim["outcome"] == "undecided" and method["outcome"] == "undecided"
      and method["instances"] == int(sys.argv[2])
      and sys.argv[3] in (method["reason"] or ""))
if not ok:
    print("  got:", json.dumps(method, indent=1)[:1500])
sys.exit(0 if ok else 1)
PY
    then
        pass "$1"
    else
        rc=-; fail "$1"
    fi
}

write_proof "$pool --unsupported 3,7\" layout nchw timeout 30" \
    "pool.max_pool2d(X, 2) == max_pool2d(X, 2)"
check_runs unsupported_one --impl-batch 1
[ "$rc" -eq 3 ] && pass "one case unsupported: exit 3" || fail "one case unsupported: exit 3"
undecided_with "one case unsupported: the claim is undecided, 99 instances" \
    unsupported_one 99 'skipped 1 of the 100 instances: an implementation answered "unsupported" (first: '
undecided_with "one case unsupported: its reason is quoted" \
    unsupported_one 99 'C=3, H=7 is not handled'
check_runs unsupported_b16 --impl-batch 16
runs_are "one case unsupported, batch 16: 7 runs" "16 16 16 16 16 16 4"
same_report "one case unsupported, batch 16: the report of batch 1" \
    unsupported_one unsupported_b16

write_proof "$pool --unsupported all\" layout nchw timeout 30" \
    "pool.max_pool2d(X, 2) == max_pool2d(X, 2)"
check_runs unsupported_all
[ "$rc" -eq 3 ] && pass "every case unsupported: exit 3" || fail "every case unsupported: exit 3"
undecided_with "every case unsupported: undecided, no instance" \
    unsupported_all 0 'skipped all 100 instances: an implementation answered "unsupported"'

# ---- a passing claim: a bounded number of runs, each case once -----------
write_proof "$pool\" layout nchw timeout 30" \
    "pool.max_pool2d(X, 2) == max_pool2d(X, 2)"
check_runs one --impl-batch 1
[ "$rc" -eq 0 ] && pass "batch 1: exit 0" || fail "batch 1: exit 0"
# 100 runs of one case each: every call runs when it is made
runs_are "batch 1: one run per call" "$(yes 1 | head -100)"

check_runs b16 --impl-batch 16
[ "$rc" -eq 0 ] && pass "batch 16: exit 0" || fail "batch 16: exit 0"
runs_are "batch 16: 7 runs" "16 16 16 16 16 16 4"
same_report "batch 16: the report of batch 1" one b16

check_runs default
[ "$rc" -eq 0 ] && pass "default batch: exit 0" || fail "default batch: exit 0"
runs_are "default batch (64): 2 runs" "64 36"
same_report "default batch: the report of batch 1" one default

# --jobs 2: windows of 2 x 16 cases, two runs at a time (in either order)
check_runs j2 --impl-batch 16 --jobs 2
sort "$COUNT_FILE" >"$tmp/sorted" && mv "$tmp/sorted" "$COUNT_FILE"
[ "$rc" -eq 0 ] && pass "jobs 2: exit 0" || fail "jobs 2: exit 0"
runs_are "jobs 2: 7 runs" "16 16 16 16 16 16 4"
same_report "jobs 2: the report of batch 1" one j2

# ---- one bad case inside a batch is found at its own shape ----------------
# The claim's shapes run in the order of their sizes; shape C=3, H=7 is
# neither the first nor the last case of its batch of 16.
write_proof "$pool --wrong 3,7\" layout nchw timeout 30" \
    "pool.max_pool2d(X, 2) == max_pool2d(X, 2)"
check_runs wrong1 --impl-batch 1
check_runs wrong --impl-batch 16
[ "$rc" -eq 1 ] && pass "wrong values: exit 1" || fail "wrong values: exit 1"
# shrunk to all zeros: max pooling gives 0, the command 0 + 1 at [0,0,0,0]
counterexample "wrong values: at C=3, H=7, entry [0,0,0,0]" wrong "C=3, H=7" \
    "entry [0,0,0,0]: 1 != 0"
if head -1 "$COUNT_FILE" | grep -qx 'run 16'; then
    pass "wrong values: answered by batches"
else
    rc=-; fail "wrong values: answered by batches"
fi
same_report "wrong values: the report of batch 1" wrong1 wrong

write_proof "$pool --crash 3,7\" layout nchw timeout 30" \
    "pool.max_pool2d(X, 2) == max_pool2d(X, 2)"
check_runs crash1 --impl-batch 1
check_runs crash --impl-batch 16
[ "$rc" -eq 1 ] && pass "crash: exit 1" || fail "crash: exit 1"
counterexample "crash: at C=3, H=7" crash "C=3, H=7" "pool.max_pool2d: crashed"
if grep -q 'planted crash at C=3, H=7' "$tmp/crash.json"; then
    pass "crash: its own traceback"
else
    rc=-; fail "crash: its own traceback"
fi
# The batch that crashed is run again one case at a time: 16 runs of one
# right after the crashed run of 16.
if awk '/^run 16$/ { n16++; ones = 0; next } { ones++ }
        END { exit !(n16 >= 1 && ones >= 16) }' "$COUNT_FILE"; then
    pass "crash: the crashed batch run again case by case"
else
    rc=-; fail "crash: the crashed batch run again case by case"
fi
same_report "crash: the report of batch 1" crash1 crash

write_proof "$pool --skip 3,7\" layout nchw timeout 30" \
    "pool.max_pool2d(X, 2) == max_pool2d(X, 2)"
check_runs skip1 --impl-batch 1
check_runs skip --impl-batch 16
[ "$rc" -eq 1 ] && pass "no output: exit 1" || fail "no output: exit 1"
counterexample "no output: at C=3, H=7" skip "C=3, H=7" \
    "pool.max_pool2d: no output: the command exited with status 0 without writing out"
same_report "no output: the report of batch 1" skip1 skip

# ---- a claim's --timeout stops a batched run --------------------------------
# The first case hangs; the run's own limit is 30 s, the claim's 2 s: the
# claim is not decided, and the batch is not run again case by case.
write_proof "$pool --hang 1,2\" layout nchw timeout 30" \
    "pool.max_pool2d(X, 2) == max_pool2d(X, 2)"
check_runs hang --impl-batch 16 --timeout 2
if [ "$rc" -eq 3 ] && grep -q 'limit timeout reached' "$tmp/hang.json"; then
    pass "hang: the claim's --timeout leaves it undecided"
else
    rc=-; fail "hang: the claim's --timeout leaves it undecided"
fi
runs_are "hang: one run, stopped" "16"

# ---- two implementations: each case answered by its own -------------------
write_proof "$pool\" layout nchw timeout 30
implementation other = command \"/usr/bin/python3 pool.py --wrong 3,7\" layout nchw timeout 30" \
    "pool.max_pool2d(X, 2) == other.max_pool2d(X, 2)"
check_runs two1 --impl-batch 1
check_runs two --impl-batch 16
[ "$rc" -eq 1 ] && pass "two implementations: exit 1" \
    || fail "two implementations: exit 1"
# the right side is the wrong one now: 0 != 1
counterexample "two implementations: at C=3, H=7" two "C=3, H=7" \
    "entry [0,0,0,0]: 0 != 1"
same_report "two implementations: the report of batch 1" two1 two

# ---- nested calls: gathered again with the inner answers ------------------
# Pass 1 asks for the inner calls (and, with stand-in inputs, for outer
# cases nobody needs), pass 2 for the outer calls on the real answers:
# 25 runs instead of 200.
write_proof "$pool\" layout nchw timeout 30" \
    "pool.max_pool2d(pool.max_pool2d(X, 2), 1) == max_pool2d(max_pool2d(X, 2), 1)"
check_runs nested1 --impl-batch 1
runs=$(wc -l <"$COUNT_FILE")
[ "$rc" -eq 0 ] && [ "$runs" -eq 200 ] && pass "nested, batch 1: 200 runs" \
    || fail "nested, batch 1: 200 runs (got $runs)"
check_runs nested --impl-batch 16
runs=$(wc -l <"$COUNT_FILE")
if [ "$rc" -eq 0 ] && [ "$runs" -le 30 ]; then
    pass "nested, batch 16: at most 30 runs"
else
    rc=-; fail "nested, batch 16: at most 30 runs (got $runs)"
fi
same_report "nested: the report of batch 1" nested1 nested

write_proof "$pool --wrong 3,7\" layout nchw timeout 30" \
    "pool.max_pool2d(pool.max_pool2d(X, 2), 1) == max_pool2d(max_pool2d(X, 2), 1)"
check_runs nestedw1 --impl-batch 1
check_runs nestedw --impl-batch 16
counterexample "nested, wrong inner value: at C=3, H=7" nestedw "C=3, H=7" \
    "entry [0,0,0,0]: 1 != 0"
same_report "nested, wrong inner value: the report of batch 1" nestedw1 nestedw

# ---- bad values of --impl-batch -------------------------------------------
for bad in 0 4097 x ''; do
    run check "$tmp/many.proof" --impl-batch "$bad"
    if [ "$rc" -eq 2 ] && grep -q -- '--impl-batch' "$tmp/err"; then
        pass "--impl-batch '$bad' refused"
    else
        fail "--impl-batch '$bad' refused"
    fi
done

finish
