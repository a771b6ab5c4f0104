#!/bin/sh
# test_soundness.sh -- the soundness corpus: false variants of every claim
# in proofs/nndl5 (tests/soundness/*/*.proof, written by
# tests/soundness/generate.py; see tests/soundness/README.md).
#
#   1. `convproof check` on every variant: each method on the variant's
#      `by` line must judge it false (a counterexample for a claim, none
#      for a refute turned true), and the claim as a whole too.  A method
#      that passes a variant is a soundness bug.
#   2. The methods the variant's header lists as not applicable are run on
#      copies whose `by` line names just them: each must say
#      not_applicable, so the listed reasons are the checker's own.
#
# Both run with --seed 1, the seed the refutation rates in docs/developing.md were
# measured with, so the sampling methods' instances are the same in every
# run (tests/test_corpus.sh and tests/test_random_seed.sh run with seeds
# from the operating system).
#
# Under a wrapper (valgrind) the variants marked `# large:` are skipped:
# they fill inputs of millions of entries; and only every fourth variant
# runs (a sample across every folder), since the run is about memory
# errors there and the whole corpus under valgrind would take longer than
# the rest of the suite together.  Needs /usr/bin/python3 to read
# the JSON reports (SKIPs without it).  Environment (the binary, its wrapper):
# tests/shell_common.sh.
set -u

srcdir=${srcdir:-.}
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"
python=/usr/bin/python3
corpus=$srcdir/tests/soundness

if [ ! -x "$python" ]; then
    echo "SKIP: $python is not there to read the JSON reports"
    exit 77
fi

# failed is a flag here: the corpus passes or fails as a whole.

# The variants to run, one path a line.
: >"$tmp/list"
skipped=0
for proof in "$corpus"/*/*.proof; do
    [ -f "$proof" ] || continue
    if [ -n "$wrapper" ] && grep -q '^# large:' "$proof"; then
        skipped=$((skipped + 1))
        continue
    fi
    echo "$proof" >>"$tmp/list"
done
total=$(wc -l <"$tmp/list")
if [ "$total" -lt 150 ]; then
    echo "FAIL: only $total variants under $corpus (150 or more expected)"
    exit 1
fi
if [ -n "$wrapper" ]; then
    awk 'NR % 4 == 1' "$tmp/list" >"$tmp/sample"
    mv "$tmp/sample" "$tmp/list"
    echo "SKIP: under $wrapper only every fourth variant runs ($(wc -l <"$tmp/list") of $total)"
    total=$(wc -l <"$tmp/list")
fi
[ "$skipped" -eq 0 ] || echo "SKIP: $skipped large variants under $wrapper"

# ---- 1. every named method judges every variant false ---------------------
# shellcheck disable=SC2046  # paths have no blanks
run check $(cat "$tmp/list") --seed 1 --quiet --report json -o "$tmp/named.json"
if [ "$rc" -ne 1 ] || [ -s "$tmp/err" ]; then
    echo "FAIL: convproof check on the variants: exit $rc (wanted 1, every claim failed)"
    sed 's/^/    /' "$tmp/err"
    failed=1
fi
if [ -f "$tmp/named.json" ]; then
    # shellcheck disable=SC2046
    "$python" "$corpus/judge.py" named "$tmp/named.json" $(cat "$tmp/list") \
        >"$tmp/judged" || failed=1
    grep -v '^PASS' "$tmp/judged"
    echo "$(grep -c '^PASS' "$tmp/judged") of $total variants judged false by every method they name"
else
    failed=1
fi

# ---- 2. the methods listed as not applicable say so ------------------------
: >"$tmp/na_list"
mkdir "$tmp/na"
while read -r proof; do
    methods=$(sed -n 's/^# not applicable: \([a-z_]*\): .*/\1/p' "$proof" | paste -sd, - \
              | sed 's/,/, /g')
    [ -n "$methods" ] || continue
    copy="$tmp/na/$(basename "$(dirname "$proof")")_$(basename "$proof")"
    sed "s/^  by .*/  by $methods/" "$proof" >"$copy"
    echo "$copy" >>"$tmp/na_list"
done <"$tmp/list"
if [ -s "$tmp/na_list" ]; then
    # shellcheck disable=SC2046
    run check $(cat "$tmp/na_list") --seed 1 --quiet --report json -o "$tmp/na.json"
    # every claim is undecided (only inapplicable methods ran): exit 3
    if [ "$rc" -ne 3 ] || [ -s "$tmp/err" ]; then
        echo "FAIL: convproof check with the inapplicable methods: exit $rc (wanted 3)"
        sed 's/^/    /' "$tmp/err"
        failed=1
    fi
    # shellcheck disable=SC2046
    "$python" "$corpus/judge.py" na "$tmp/na.json" $(cat "$tmp/na_list") \
        >"$tmp/judged" || failed=1
    grep -v '^PASS' "$tmp/judged"
    echo "$(grep -c '^PASS' "$tmp/judged") of $(wc -l <"$tmp/na_list") variants with" \
         "inapplicable methods: each says not_applicable"
fi

if [ "$failed" -ne 0 ]; then
    echo "FAIL: soundness corpus"
    exit 1
fi
echo "PASS: soundness corpus ($total variants)"
exit 0
