#!/bin/sh
# test_impl.sh -- `convproof test-impl` end to end: the shipped adapters
# (adapters/numpy_course_adapter.py with each of its injectable bugs, and
# adapters/torch_adapter.py), commands that crash, hang or write garbage,
# processes that leave the process group (setsid) or are orphaned, which
# must not outlive their run, "unsupported" answers (skipped and counted;
# all of them: UNDECIDED), --layout missing for an nhwc-only command (a
# usage error), float32 outputs named in the finding, the report formats,
# and usage errors.
#
# Each bug must be found and shrunk to the smallest failing case derived
# by hand from the bug (see adapters/numpy_course.py):
#   pad_edge         [pad:-pad] is empty when pad == 0: a crash on the
#                    smallest case of all, every size 1, K=1, S=1, P=0
#   backward_stride  windows placed at h instead of h*stride: needs stride
#                    2 and two output positions, so H=3, W=1, K=1, S=2
#   max_ties         the gradient to every tied maximum: one 2x2 window of
#                    equal values, so H=W=2, K=2, S=1
#   avg_norm         dz/f instead of dz/(f*f): visible from f=2 on, one
#                    2x2 window
#
# Python parts use Debian's /usr/bin/python3 (numpy, torch) and say
# SKIPPED when it lacks them.  $CONVPROOF_WRAPPER (valgrind in
# make check-valgrind) goes in front of every convproof run; the sweeps are
# smaller then.
set -u

srcdir=${srcdir:-.}
cvp_fail_stdout_lines=80
cvp_fail_stderr_lines=40
cvp_count_skips=yes
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"
py=/usr/bin/python3
adapters=$(cd "$srcdir/adapters" && pwd)
schema=$srcdir/docs/report-schema.json
checker=$srcdir/tests/report_json_check.py

trials=40
[ -n "$wrapper" ] && trials=6

# contains FILE TEXT: TEXT (a fixed string) is in FILE.
contains() {
    grep -F -e "$2" "$1" >/dev/null
}

# json_check NAME [PATH EXPECTED]...: the JSON report $tmp/report.json is
# valid against the schema and holds the expected values.
json_check() {
    name=$1
    shift
    if "$py" "$checker" "$schema" "$@" <"$tmp/report.json" >"$tmp/check" 2>&1; then
        pass "$name"
    else
        sed 's/^/    /' "$tmp/check"
        fail "$name"
    fi
}

have_numpy=no
have_torch=no
if "$py" -c 'import numpy' 2>/dev/null; then have_numpy=yes; fi
if "$py" -c 'import torch, numpy' 2>/dev/null; then have_torch=yes; fi

numpy_cmd="$py $adapters/numpy_course_adapter.py"
torch_cmd="$py $adapters/torch_adapter.py"

# ---- the correct numpy implementation passes every operation ------------
if [ "$have_numpy" = yes ]; then
    start=$(date +%s)
    run test-impl --command "$numpy_cmd" --op all --layout nhwc --batch 8 \
        --trials "$trials" --brief
    end=$(date +%s)
    # a clean sweep samples, so every operation is TESTED, none PASS
    if [ "$rc" -eq 0 ] && contains "$tmp/out" "0 passed, 6 tested, 0 failed" \
        && contains "$tmp/out" "TESTED \"conv2d by '$numpy_cmd', layout nhwc\""; then
        pass "numpy course code passes every operation ($((end - start)) s)"
    else
        fail "numpy course code passes every operation"
    fi
else
    skip "numpy course code: /usr/bin/python3 cannot import numpy"
fi

# ---- each injected bug is found and shrunk ------------------------------
# bug BUG OP SHAPE WHAT [PATH EXPECTED]...: exit 1, the exact method
# fails, the counterexample has the given shape, WHAT (its first differing
# entries, or for a crash a fragment of the reason) is in the JSON report,
# which holds the given values; the Markdown report is in $tmp/report.md.
bug() {
    name=$1 op=$2 shape=$3 what=$4
    shift 4
    if [ "$have_numpy" != yes ]; then
        skip "bug $name: /usr/bin/python3 cannot import numpy"
        return
    fi
    run test-impl --command "$numpy_cmd --bug $name" --op "$op" --layout nhwc \
        --trials "$trials" --report json -o "$tmp/report.json" \
        --report md -o "$tmp/report.md" --report text
    if [ "$rc" -eq 1 ] && contains "$tmp/out" "0 passed, 1 failed" \
        && contains "$tmp/out" "counterexample at shape $shape:" \
        && contains "$tmp/report.json" "$what" \
        && contains "$tmp/report.md" "$shape"; then
        pass "bug $name is found and shrunk to $shape"
    else
        echo "  wanted: exit 1, shape $shape, and in the JSON: $what"
        fail "bug $name is found and shrunk to $shape"
    fi
    json_check "bug $name: JSON report" \
        claims.0.outcome failed claims.0.methods.0.method exact \
        claims.0.methods.0.outcome failed \
        claims.0.methods.0.counterexample.shape "$shape" "$@"
}

bug pad_edge conv2d_backward "N=1, C=1, H=1, W=1, O=1, K=1x1, S=1x1, P=0x0" \
    'ValueError: could not broadcast input array from shape (0,0,1) into shape (1,1,1)'
# The smallest inputs, by hand: only the second output position carries
# gradient, through a kernel of 1.
bug backward_stride conv2d_backward "N=1, C=1, H=3, W=1, O=1, K=1x1, S=2x2, P=0x0" \
    'grad_input[0,1,0,0]: 1 != 0\ngrad_input[0,2,0,0]: 0 != 1' \
    claims.0.methods.0.counterexample.inputs.1.name weight \
    claims.0.methods.0.counterexample.inputs.1.value "[[[[1]]]]
" \
    claims.0.methods.0.counterexample.inputs.3.name grad_output \
    claims.0.methods.0.counterexample.inputs.3.value "[[[[0]],
  [[1]]]]
"
bug max_ties max_pool2d_backward "N=1, C=1, H=2, W=2, K=2x2, S=1x1, P=0x0" \
    'grad_input[0,0,1,0]: 1 != 0\ngrad_input[0,1,0,0]: 1 != 0\ngrad_input[0,1,1,0]: 1 != 0'
if [ "$have_numpy" = yes ]; then
    if contains "$tmp/report.md" "first maximum in row-major order"; then
        pass "the report explains tied maxima"
    else
        rc=1
        fail "the report explains tied maxima"
    fi
fi
bug avg_norm avg_pool2d_backward "N=1, C=1, H=2, W=2, K=2x2, S=1x1, P=0x0" \
    'grad_input[0,0,0,0]: 0.5 != 1/4'

# ---- PyTorch passes everything -------------------------------------------
if [ "$have_torch" = yes ]; then
    start=$(date +%s)
    run test-impl --command "$torch_cmd" --op all --layout nchw --batch 32 \
        --trials "$trials" --brief
    end=$(date +%s)
    if [ "$rc" -eq 0 ] && contains "$tmp/out" "0 passed, 6 tested, 0 failed"; then
        pass "PyTorch passes every operation, nchw ($((end - start)) s)"
    else
        fail "PyTorch passes every operation, nchw"
    fi
    run test-impl --command "$torch_cmd" --op conv2d_backward,avg_pool2d_backward \
        --layout nhwc --batch 32 --trials "$trials" --brief
    if [ "$rc" -eq 0 ] && contains "$tmp/out" "0 passed, 2 tested, 0 failed"; then
        pass "PyTorch passes in layout nhwc too"
    else
        fail "PyTorch passes in layout nhwc too"
    fi
else
    skip "PyTorch adapter: /usr/bin/python3 cannot import torch"
fi

# ---- misbehaving commands are findings, not failures of convproof --------
# finding NAME FRAGMENT CONVPROOF-ARGS...: exit 1 with FRAGMENT in stdout.
finding() {
    name=$1 fragment=$2
    shift 2
    run test-impl --trials 2 --brief "$@"
    if [ "$rc" -eq 1 ] && contains "$tmp/out" "$fragment" \
        && contains "$tmp/out" "0 passed, 1 failed"; then
        pass "$name"
    else
        echo "  wanted: exit 1 and in stdout: $fragment"
        fail "$name"
    fi
}

finding "a crash is a finding" "the command exited with status 3" \
    --op conv2d --command 'echo "it broke" >&2; exit 3'
contains "$tmp/out" "it broke" || fail "a crash's stderr is in the report"
finding "a missing command is a finding" "exited with status 127" \
    --op max_pool2d --command '/nonexistent/implementation'
finding "a signal is a finding" "killed by signal 9" \
    --op avg_pool2d --command 'kill -KILL $$'
finding "writing nothing is a finding" "without writing out" \
    --op conv2d --command 'cat >/dev/null'
finding "garbage output is a finding" "out is not a valid output: not a .npy file" \
    --op conv2d --command 'printf "%s" "$(head -c 300 /dev/urandom | od -An -tx1)" > "$(dirname "$CONVPROOF_REQUEST")/out.npy"'
finding "a huge output file is not read" "too large for" \
    --op max_pool2d --command 'head -c 300000 /dev/zero > "$(dirname "$CONVPROOF_REQUEST")/out.npy"'

# A hang is killed after --timeout with its process group, quickly.
start=$(date +%s)
finding "a hang is a finding" "did not finish within the time limit" \
    --op conv2d --timeout 0.5 --jobs 2 \
    --command "sleep 60 & echo \$! >> '$tmp/pids'; wait"
end=$(date +%s)
if [ $((end - start)) -lt 30 ]; then
    pass "a hang costs the time limit, not the hang ($((end - start)) s)"
else
    rc=0
    fail "a hang costs the time limit, not the hang ($((end - start)) s)"
fi
# SIGKILL takes effect asynchronously: allow a busy machine some time.
count_alive() {
    alive=0
    if [ -f "$tmp/pids" ]; then
        while read -r pid; do
            # A zombie waiting for init is dead enough.
            if kill -0 "$pid" 2>/dev/null \
                && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$pid/stat" 2>/dev/null; then
                alive=$((alive + 1))
            fi
        done <"$tmp/pids"
    fi
}
count_alive
tries=0
while [ "$alive" -gt 0 ] && [ "$tries" -lt 20 ]; do
    sleep 0.1
    tries=$((tries + 1))
    count_alive
done
if [ "$alive" -eq 0 ]; then
    pass "the process group of a hung command is killed"
else
    rc=0
    fail "the process group of a hung command is killed ($alive left)"
fi

# Processes that leave the process group (setsid) or are orphaned by a
# double fork end with the run too: the keeper of each run is a child
# subreaper and kills whatever is left (docs/impl-protocol.md, One run).
# The sleeps carry a marker no other process has.
marker="4321.$$"
sleeps_left() {
    left=$(ps -eo args 2>/dev/null | grep -c "^sleep $1\$")
}
m1="${marker}1" m2="${marker}2" m3="${marker}3"
run test-impl --op conv2d --trials 1 --no-shrink --brief --jobs 2 \
    --command "setsid sleep $m1 >/dev/null 2>&1 & exit 0"
run test-impl --op max_pool2d --trials 1 --no-shrink --brief --batch 3 \
    --command "( (setsid sleep $m2 >/dev/null 2>&1 &) & ); (sleep $m3 </dev/null >/dev/null 2>&1 &); exit 0"
for m in "$m1" "$m2" "$m3"; do
    sleeps_left "$m"
    tries=0
    while [ "$left" -gt 0 ] && [ "$tries" -lt 20 ]; do
        sleep 0.1
        tries=$((tries + 1))
        sleeps_left "$m"
    done
    if [ "$left" -eq 0 ]; then
        pass "no 'sleep $m' outlives its run"
    else
        fail "no 'sleep $m' outlives its run ($left left)"
        ps -eo pid,args | grep "sleep $m" | awk '{print $1}' | while read -r p; do
            kill "$p" 2>/dev/null
        done
    fi
done

# Interrupted (SIGINT): the running commands are killed, their folders
# removed, and convproof exits 3.
mkdir "$tmp/t"
settle=1
[ -n "$wrapper" ] && settle=5
# shellcheck disable=SC2086  # the wrapper is a command line
TMPDIR="$tmp/t" $wrapper "$bin" test-impl --op conv2d --timeout 120 --jobs 2 \
    --command "sleep 60 & echo \$! >> '$tmp/pids2'; wait" \
    >"$tmp/out" 2>"$tmp/err" </dev/null &
cpid=$!
sleep "$settle"
kill -INT "$cpid"
wait "$cpid"
rc=$?
pids_file=$tmp/pids2
count_alive2() {
    alive=0
    if [ -f "$pids_file" ]; then
        while read -r pid; do
            if kill -0 "$pid" 2>/dev/null \
                && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$pid/stat" 2>/dev/null; then
                alive=$((alive + 1))
            fi
        done <"$pids_file"
    fi
}
count_alive2
tries=0
while [ "$alive" -gt 0 ] && [ "$tries" -lt 20 ]; do
    sleep 0.1
    tries=$((tries + 1))
    count_alive2
done
if [ "$rc" -eq 3 ] && contains "$tmp/err" "interrupted" && [ "$alive" -eq 0 ] \
    && [ -z "$(ls -A "$tmp/t")" ]; then
    pass "an interrupted run kills its commands and removes its folders"
else
    echo "  $alive commands left; in TMPDIR: $(ls -A "$tmp/t")"
    fail "an interrupted run kills its commands and removes its folders"
fi

if [ "$have_numpy" = yes ]; then
    # A NaN, a wrong shape, and a traceback with exit status 0.
    cat >"$tmp/bad.py" <<'PY'
import json, sys
import numpy as np
mode = sys.argv[1]
request = json.load(sys.stdin)
out = request["outputs"]["out"]
if mode == "nan":
    a = np.zeros(out["shape"]); a.flat[-1] = np.nan
elif mode == "shape":
    a = np.zeros(out["shape"][::-1] + [2])
else:
    import traceback
    try:
        raise RuntimeError("caught and printed")
    except RuntimeError:
        traceback.print_exc()
    a = np.zeros(out["shape"])
np.save(out["path"], a)
PY
    finding "a NaN is a finding" "is NaN" \
        --op max_pool2d --command "$py $tmp/bad.py nan"
    finding "a wrong shape is a finding" "out has shape" \
        --op conv2d --layout nhwc --command "$py $tmp/bad.py shape"
    finding "a printed traceback is a finding" "status 0 but printed a Python traceback" \
        --op avg_pool2d --command "$py $tmp/bad.py traceback"
fi

# ---- "unsupported" answers, --layout, float32 ------------------------------
if [ "$have_numpy" = yes ]; then
    # The course code answers "unsupported" with layouts ["nhwc"] to an
    # nchw request: without --layout that is a usage error naming it.
    usage_layout() {
        name=$1 fragment=$2
        shift 2
        run test-impl --command "$numpy_cmd" --op conv2d --trials 2 "$@"
        if [ "$rc" -eq 2 ] && contains "$tmp/err" "$fragment" && [ ! -s "$tmp/out" ]; then
            pass "$name"
        else
            echo "  wanted: exit 2 and in stderr: $fragment"
            fail "$name"
        fi
    }
    usage_layout "an nhwc-only implementation without --layout: a usage error" \
        "the implementation speaks only layout nhwc, and without --layout the layout is nchw: give --layout nhwc"
    usage_layout "an nhwc-only implementation with --layout nchw: a usage error" \
        "--layout nchw: the implementation speaks only layout nhwc" --layout nchw

    # Padded pooling is not in the course code: those cases are skipped
    # and counted, the others decide (TESTED).
    run test-impl --command "$numpy_cmd" --op max_pool2d --layout nhwc \
        --shapes P=0..1 --trials 8 --batch 4
    if [ "$rc" -eq 0 ] && contains "$tmp/out" "0 passed, 1 tested, 0 failed" \
        && grep -E '^      [0-9]+ cases unsupported: the implementation answered "unsupported" and they were skipped' \
            "$tmp/out" >/dev/null; then
        pass "unsupported cases are skipped and counted, in batches"
    else
        fail "unsupported cases are skipped and counted, in batches"
    fi
    # Every case padded: nothing is tested, UNDECIDED with the reason.
    run test-impl --command "$numpy_cmd" --op avg_pool2d --layout nhwc \
        --shapes P=1,K=2..3 --trials 4 --brief
    if [ "$rc" -eq 3 ] && contains "$tmp/out" "0 passed, 0 failed, 1 undecided" \
        && contains "$tmp/out" "answered \"unsupported\" for every one of the" \
        && contains "$tmp/out" "first reason: the course code's pooling has no padding"; then
        pass "every case unsupported: UNDECIDED, not TESTED"
    else
        fail "every case unsupported: UNDECIDED, not TESTED"
    fi

    # A handler that returns float32: the large cases (shrunk to one entry
    # above 2^24, still exact in float64) round, and the finding says
    # float32.
    cat >"$tmp/f32.py" <<PY
import sys
sys.path.insert(0, "$adapters")
import numpy as np
import convproof_protocol
import numpy_course_adapter


def handler(op, params, layout, inputs):
    out = numpy_course_adapter.handler(op, params, layout, inputs)
    return {k: np.asarray(v, dtype=np.float32) for k, v in out.items()}


convproof_protocol.serve(handler)
PY
    finding "a float32 output is named float32" \
        "the implementation's float32 output out differs from the exact value" \
        --op conv2d --layout nhwc --trials 8 --command "$py $tmp/f32.py"
    contains "$tmp/out" "(out: the implementation's float32 output)" \
        || fail "a float32 output: the differences say float32"
fi

# ---- usage errors ----------------------------------------------------------
usage() {
    name=$1 fragment=$2
    shift 2
    run test-impl "$@"
    if [ "$rc" -eq 2 ] && contains "$tmp/err" "$fragment" && [ ! -s "$tmp/out" ]; then
        pass "$name"
    else
        echo "  wanted: exit 2 and in stderr: $fragment"
        fail "$name"
    fi
}
usage "--command is required" "--command is required" --op conv2d
usage "--op is required" "--op is required" --command true
usage "unknown operation" "unknown operation 'conv3d'" --command true --op conv3d
usage "unknown layout" "unknown layout 'NHWC'" --command true --op conv2d --layout NHWC
usage "bad --shapes" "--shapes: expected NAME=LO..HI" --command true --op conv2d --shapes Q=1
usage "bad --timeout" "--timeout: expected seconds" --command true --op conv2d --timeout 0
usage "ranges without a case" "no valid conv2d case" --command true --op conv2d \
    --shapes H=1,W=1,K=3,P=0
usage "ranges without a case say why" "no valid max_pool2d case in the given ranges (the last one drawn: pooling padding 2 is more than half the window 2)" \
    --command true --op max_pool2d --shapes K=2,P=2
run test-impl --help
if [ "$rc" -eq 0 ] && contains "$tmp/out" "usage: convproof test-impl"; then
    pass "--help"
else
    fail "--help"
fi

finish
