#!/bin/sh
# test_corpus.sh -- the independent soundness corpus (tests/corpus/, see its
# README.md): claims written from NNDL chapter 5 and PyTorch's
# documentation, each one's truth decided outside convproof.
#
#   1. tests/corpus/decide.py recomputes the truth of every claim (SymPy,
#      exact rational loops checked against PyTorch float64, exhaustive
#      grids at kinks) and must agree with tests/corpus/truth.tsv.  Without
#      /usr/bin/python3 and NumPy this step says SKIPPED.
#   2. `convproof check` on each claim, default options: a true claim must
#      exit 0, a false one 1; the `limit` column of truth.tsv lists the
#      other exit codes a documented limit allows (3; 2 for an option value
#      refused).  A claim convproof decides wrong today is listed in
#      tests/corpus/known_wrong.tsv with the issue-14 item that fixes it:
#      it is reported XFAIL; when it is decided right the test fails so the
#      list is kept current ("now decided right: remove it from
#      known_wrong.tsv"), except for rows marked `seed` (their verdict
#      depends on the instances drawn).  A wrong decision not in the list
#      fails.
#
# Limit claims (a non-empty `limit` column) run with at most 2 GB of virtual
# memory and 10 s of wall time (timeout(1)); a run killed by the timeout
# exits 124 and counts as a hang.  Under a wrapper (valgrind) the limit
# claims and the ones marked `# large:` are skipped, and of the others only
# every fourth runs, as in test_soundness.sh.  Environment (the binary, its
# wrapper): tests/shell_common.sh.
set -u

srcdir=${srcdir:-.}
cvp_fail_show=none
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"
corpus=$srcdir/tests/corpus
python=/usr/bin/python3
xfail=0
limit_seconds=${CONVPROOF_CORPUS_TIMEOUT:-10}

# ---- 1. the truth, decided outside convproof -------------------------------
if [ -x "$python" ] && "$python" -c 'import numpy' 2>/dev/null; then
    if "$python" "$corpus/decide.py" "$corpus" >"$tmp/decide" 2>&1; then
        pass "decide.py: $(tail -n 1 "$tmp/decide")"
    else
        fail "decide.py disagrees with truth.tsv"
        grep -v '^PASS' "$tmp/decide" | sed 's/^/    /'
    fi
    grep '^SKIPPED' "$tmp/decide" | sed 's/^/  /'
else
    skip "decide.py: $python with NumPy is not there"
fi

# ---- 2. convproof on every claim ------------------------------------------
# truth.tsv: file, title, truth, how, limit, counterexample (tab-separated).
grep -v '^#' "$corpus/truth.tsv" | tail -n +2 >"$tmp/rows"
grep -v '^#' "$corpus/known_wrong.tsv" | tail -n +2 >"$tmp/known"
total=$(wc -l <"$tmp/rows")
if [ "$total" -lt 60 ]; then
    fail "only $total claims in $corpus/truth.tsv (60 or more expected)"
fi
n=0
# An address-space limit for the limit claims, except under ASan, whose
# shadow memory needs far more address space (as in test_limits.sh).
address_space=2000000
if ASAN_OPTIONS=help=1 "$bin" --version 2>&1 | grep -q AddressSanitizer; then
    address_space=unlimited
fi
tab=$(printf '\t')
while IFS="$tab" read -r file title truth how limit cex; do
    n=$((n + 1))
    proof=$corpus/$file.proof
    if [ ! -f "$proof" ]; then
        fail "$file: $proof is missing"
        continue
    fi
    if [ -n "$wrapper" ]; then
        if [ "$limit" != "-" ] || grep -q '^# large:' "$proof"; then
            continue
        fi
        [ $((n % 4)) -eq 1 ] || continue
    fi
    if [ "$truth" = true ]; then want=0; else want=1; fi
    accepted=" $want "
    [ "$limit" = "-" ] || accepted="$accepted$(echo "$limit" | tr ',' ' ') "
    if [ "$limit" != "-" ]; then
        # shellcheck disable=SC2086  # the wrapper is empty here
        ( ulimit -v "$address_space"
          exec timeout -k 2 "$limit_seconds" "$bin" check "$proof" ) \
            >"$tmp/out" 2>"$tmp/err" </dev/null
        rc=$?
    else
        run check "$proof"
    fi
    verdict=$(head -n 1 "$tmp/out" | cut -d' ' -f1)
    [ -n "$verdict" ] || verdict=$(head -n 1 "$tmp/err" | cut -c1-100)
    [ "$rc" -ne 124 ] || verdict="killed after ${limit_seconds} s (a hang)"
    [ "$rc" -lt 128 ] || verdict="killed by signal $((rc - 128)) (a crash or abort)"
    known=$(awk -F "$tab" -v f="$file" '$1 == f' "$tmp/known")
    case $accepted in
    *" $rc "*)
        if [ -z "$known" ]; then
            pass "$file: $truth, exit $rc ($verdict)"
        elif [ "$(echo "$known" | cut -f4)" = seed ]; then
            pass "$file: $truth, exit $rc ($verdict; listed in known_wrong.tsv, decided right with these instances)"
        else
            fail "$file: $truth, exit $rc ($verdict): now decided right, remove it from known_wrong.tsv"
        fi
        ;;
    *)
        if [ -n "$known" ]; then
            xfail=$((xfail + 1))
            echo "XFAIL: $file: $truth, exit $rc ($verdict); known wrong, issue 14 item $(echo "$known" | cut -f2)"
        else
            fail "$file: $truth, but exit $rc ($verdict), wanted$(echo "$accepted" | sed 's/ $//')"
            cvp_show "$tmp/out" "    " 12
            cvp_show "$tmp/err" "    " 6
        fi
        ;;
    esac
done <"$tmp/rows"

# every known-wrong row names a claim of the corpus
while IFS="$tab" read -r file rest; do
    grep -q "^$file$tab" "$tmp/rows" || fail "known_wrong.tsv: $file is not in truth.tsv"
done <"$tmp/known"

echo "$xfail known wrong (tests/corpus/known_wrong.tsv)"
finish
