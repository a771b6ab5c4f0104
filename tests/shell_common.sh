# shell_common.sh -- the part every shell test of convproof shares; a test
# sources it after setting srcdir:
#
#     srcdir=${srcdir:-.}
#     . "$srcdir/tests/shell_common.sh"
#
# (`make check` sets srcdir, relative to the build folder it runs the tests
# in, CONVPROOF and CONVPROOF_WRAPPER: TESTS_ENVIRONMENT in Makefile.am.)
#
# It sets:
#   builddir  ${builddir:-.}
#   bin       the binary: $CONVPROOF (set by `make check`), else
#             $builddir/convproof, else ./convproof
#   wrapper   $CONVPROOF_WRAPPER, put in front of every run (valgrind under
#             `make check-valgrind`; a command line, split at blanks)
#   tmp       a fresh folder "${TMPDIR:-/tmp}/NAME.XXXXXX", removed on exit
#             (the EXIT, INT and TERM traps); exit 99 when mktemp fails
#   passed, failed, skipped   the counters, 0
# and defines:
#   run ARGS...   runs $wrapper "$bin" ARGS with no input, leaving the exit
#                 status in $rc, stdout in $tmp/out and stderr in $tmp/err
#   pass NAME     counts a pass and prints "PASS: NAME"
#   fail NAME     counts a failure, prints "FAIL: NAME" and then what
#                 $cvp_fail_show says of the last run
#   skip NAME     counts a skip and prints "SKIPPED: NAME"
#   finish        prints "P passed, F failed" and exits: 1 when anything
#                 failed, else 0 (with cvp_count_skips=yes, see below)
#   cvp_strip_times FILE
#                 FILE on stdout with every measured duration of a report
#                 replaced by T (reports of two runs differ only there)
#
# Variables a test may set before sourcing it:
#   cvp_test_name       NAME of the temporary folder (default: the script's
#                       name without .sh)
#   cvp_fail_show       what fail prints after its FAIL line:
#                         both (default)  "  exit status RC; stdout:", the
#                                         stdout of the last run indented by
#                                         4, "  stderr:", its stderr so too
#                         stderr          the stderr of the last run
#                                         indented by 2, nothing else
#                         none            nothing (the test prints what it
#                                         wants after calling fail)
#   cvp_fail_stdout_lines, cvp_fail_stderr_lines
#                       at most this many lines of the last run's stdout,
#                       stderr in what fail prints (default: all of them)
#   cvp_count_skips     yes: the summary is "P passed, F failed, S skipped",
#                       and a run where nothing passed (all skipped) exits
#                       77, automake's "skipped", when nothing failed
set -u

builddir=${builddir:-.}
if [ -n "${CONVPROOF:-}" ]; then
    bin=$CONVPROOF
elif [ -x "$builddir/convproof" ]; then
    bin=$builddir/convproof
else
    bin=./convproof
fi
wrapper=${CONVPROOF_WRAPPER:-}

cvp_test_name=${cvp_test_name:-$(basename "$0" .sh)}
cvp_fail_show=${cvp_fail_show:-both}
cvp_fail_stdout_lines=${cvp_fail_stdout_lines:-}
cvp_fail_stderr_lines=${cvp_fail_stderr_lines:-}
cvp_count_skips=${cvp_count_skips:-no}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/$cvp_test_name.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

passed=0
failed=0
skipped=0
rc=0

# run ARGS...: runs convproof, leaving $rc, $tmp/out and $tmp/err.
run() {
    # shellcheck disable=SC2086  # the wrapper is a command line
    $wrapper "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
}

pass() {
    passed=$((passed + 1))
    echo "PASS: $1"
}

# cvp_show FILE INDENT LINES: FILE with INDENT in front of each line, the
# first LINES lines of it (all when LINES is empty).
cvp_show() {
    if [ -n "$3" ]; then
        sed "s/^/$2/" "$1" 2>/dev/null | head -n "$3"
    else
        sed "s/^/$2/" "$1" 2>/dev/null
    fi
}

fail() {
    failed=$((failed + 1))
    echo "FAIL: $1"
    case $cvp_fail_show in
    both)
        echo "  exit status $rc; stdout:"
        cvp_show "$tmp/out" "    " "$cvp_fail_stdout_lines"
        echo "  stderr:"
        cvp_show "$tmp/err" "    " "$cvp_fail_stderr_lines"
        ;;
    stderr)
        cvp_show "$tmp/err" "  " "$cvp_fail_stderr_lines"
        ;;
    esac
    return 0
}

# cvp_strip_times FILE: every measured duration replaced by T: "0.014 s"
# (text, Markdown, HTML), "| 0.014 |" (Markdown tables), <td
# class="n">0.014</td> (HTML tables), "seconds": 0.014000 (JSON),
# time="0.014" (JUnit).  Text pads the seconds to a width, so the padding
# goes too.
cvp_strip_times() {
    sed -e 's/ *[0-9][0-9]*\.[0-9][0-9]* s\([^A-Za-z]\|$\)/ T s\1/g' \
        -e 's/| [0-9][0-9]*\.[0-9][0-9]* |$/| T |/' \
        -e 's|<td class="n">[0-9][0-9]*\.[0-9]*</td>|<td class="n">T</td>|g' \
        -e 's/"seconds": [0-9][0-9]*\.[0-9]*/"seconds": T/g' \
        -e 's/time="[0-9][0-9]*\.[0-9]*"/time="T"/g' "$1"
}

skip() {
    skipped=$((skipped + 1))
    echo "SKIPPED: $1"
}

finish() {
    if [ "$cvp_count_skips" = yes ]; then
        echo "$passed passed, $failed failed, $skipped skipped"
    else
        echo "$passed passed, $failed failed"
    fi
    [ "$failed" -eq 0 ] || exit 1
    if [ "$cvp_count_skips" = yes ] && [ "$passed" -eq 0 ]; then
        exit 77
    fi
    exit 0
}
