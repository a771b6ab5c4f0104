#!/bin/sh
# test_shards.sh -- `convproof check --shard K/N` and `convproof
# merge-reports` (src/cli/cli_shard.h): the shipped proofs of the textbook
# (proofs/nndl5/) checked in 1, 2 and 3 shards and merged give the reports
# of one whole run, byte for byte
# but for measured seconds (cvp_strip_times), in json, text, md, junit and
# html (html without pictures: the JSON carries none, so the whole run's
# <figure> elements are removed before comparing); the merged exit status
# is the whole run's; bad shard specs, malformed reports and sets of
# reports that are not one run are refused with exit 2 and a message.
#
# proofs/impl/ is left out: its claims run a Python implementation, which
# takes three quarters of the time of all shipped proofs, and a shard
# treats them like any claim (test_jobs.sh checks them on threads).
# Under a wrapper (valgrind) the corpus is three quick files of
# proofs/nndl5/, as in test_jobs.sh.
set -u

srcdir=${srcdir:-.}
cvp_fail_stdout_lines=20
cvp_fail_stderr_lines=20
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"

# same NAME A B: A and B are equal once their times are stripped.
same() {
    cvp_strip_times "$2" >"$tmp/same.a"
    cvp_strip_times "$3" >"$tmp/same.b"
    if cmp -s "$tmp/same.a" "$tmp/same.b"; then
        pass "$1"
    else
        failed=$((failed + 1))
        echo "FAIL: $1"
        diff "$tmp/same.a" "$tmp/same.b" | head -20 | sed 's/^/    /'
    fi
}

# refused NAME PATTERN ARGS...: convproof ARGS exits 2 with PATTERN (a
# fixed string) in its standard error and nothing on standard output.
refused() {
    name=$1
    pattern=$2
    shift 2
    run "$@"
    if [ "$rc" -eq 2 ] && grep -qF -- "$pattern" "$tmp/err" && [ ! -s "$tmp/out" ]; then
        pass "$name: exit 2, $pattern"
    else
        echo "  wanted: exit 2, '$pattern' on stderr, nothing on stdout"
        fail "$name"
    fi
}

if [ -z "$wrapper" ]; then
    corpus=$srcdir/proofs/nndl5/
else
    corpus=
    # three quick files (about a second in all without a wrapper; the
    # regions claims of kinks.proof took most of CI's valgrind step)
    for f in ex5_2_wide_convolution ex5_3_one_by_one activations_bounded; do
        corpus="$corpus $srcdir/proofs/nndl5/$f.proof"
    done
fi
formats="json text md junit html"
ext_json=json ext_text=txt ext_md=md ext_junit=xml ext_html=html

# ---- the whole run, every format --------------------------------------------
mkdir "$tmp/whole"
# shellcheck disable=SC2086  # $corpus is a list of paths
run check $corpus --seed 5 --report json -o "$tmp/whole/r.json" --report text \
    -o "$tmp/whole/r.txt" --report md -o "$tmp/whole/r.md" \
    --report junit -o "$tmp/whole/r.xml" --report html -o "$tmp/whole/r.html"
whole_rc=$rc
claims=$(grep -c '^    {$' "$tmp/whole/r.json")
if [ "$rc" -eq 0 ] && [ "$claims" -gt 10 ] && grep -q '"shard": null,' "$tmp/whole/r.json"; then
    pass "whole run: exit 0, $claims claims, \"shard\": null"
else
    fail "whole run: exit 0, more than 10 claims, \"shard\": null"
fi
# The merged page has no pictures; the whole run's has some, which go.
if grep -q '<figure>' "$tmp/whole/r.html"; then
    pass "whole run: the HTML report has pictures"
else
    failed=$((failed + 1))
    echo "FAIL: whole run: the HTML report has pictures (nothing to compare)"
fi
sed 's|<figure>.*</figure>||' "$tmp/whole/r.html" >"$tmp/whole/r.nofig.html"

# ---- 1, 2 and 3 shards, merged in every format ------------------------------
# (under a wrapper such as valgrind, 2 shards: the same code, a third of
# the runs)
counts="1 2 3"
[ -n "$wrapper" ] && counts=2
for n in $counts; do
    d=$tmp/n$n
    mkdir "$d"
    shards=
    total=0
    k=1
    while [ "$k" -le "$n" ]; do
        # shellcheck disable=SC2086
        run check $corpus --seed 5 --shard "$k/$n" --report json -o "$d/s$k.json" --report text
        c=$(grep -c '^    {$' "$d/s$k.json")
        total=$((total + c))
        if [ "$rc" -eq 0 ] && grep -q "\"shard\": {\"index\": $k, \"count\": $n, \"claims\": $claims}" "$d/s$k.json" \
            && tail -n 1 "$tmp/out" | grep -Eq "^[0-9]+ passed, ([0-9]+ tested, )?0 failed\$" \
            && [ "$(tail -n 1 "$tmp/out" | tr -cs '0-9' ' ' | awk '{print $1 + ($3 == "" ? 0 : $2)}')" = "$c" ]; then
            pass "--shard $k/$n: exit 0, $c claims, says which shard"
        else
            fail "--shard $k/$n: exit 0, says which shard"
        fi
        shards="$d/s$k.json $shards"   # given in reverse: order must not matter
        k=$((k + 1))
    done
    if [ "$total" -eq "$claims" ]; then
        pass "$n shards: $total claims in all"
    else
        failed=$((failed + 1))
        echo "FAIL: $n shards: $total claims in all, not $claims"
    fi
    for f in $formats; do
        eval "e=\$ext_$f"
        # shellcheck disable=SC2086
        run merge-reports $shards --report "$f" -o "$d/m.$e"
        if [ "$rc" -ne "$whole_rc" ] || [ -s "$tmp/err" ]; then
            fail "$n shards merged, $f: exit $whole_rc as the whole run"
        fi
        if [ "$f" = html ]; then
            same "$n shards merged, html (no pictures) = whole run without pictures" \
                "$tmp/whole/r.nofig.html" "$d/m.$e"
        else
            same "$n shards merged, $f = whole run" "$tmp/whole/r.$e" "$d/m.$e"
        fi
    done
done
# The comparison is worth something only if the seconds are really there.
if grep -q '"seconds": [0-9]' "$tmp/n2/m.json"; then
    pass "merged reports carry their seconds (the only thing stripped)"
else
    failed=$((failed + 1))
    echo "FAIL: merged reports carry their seconds"
fi

# ---- a failed, an undecided and a passed claim: the whole run's exit ------
cat >"$tmp/mixed.proof" <<'EOF'
claim "doubling is adding" {
  dim M in 1..2
  tensor X[M]
  show X + X == 2 * X
  by exact, symbolic
}

claim "doubling is not tripling" {
  dim M in 1..2
  tensor X[M]
  show X + X == 3 * X
  by exact
}

claim "sigmoid is not symbolic" {
  dim M in 1..2
  tensor X[M]
  show sigmoid(X) == sigmoid(X)
  by symbolic
}
EOF
run check "$tmp/mixed.proof" --seed 7 --report json -o "$tmp/mixed.json" --report text
mixed_rc=$rc
cp "$tmp/out" "$tmp/mixed.txt"
run check "$tmp/mixed.proof" --seed 7 --shard 1/2 --report json -o "$tmp/mixed1.json"
rc1=$rc
run check "$tmp/mixed.proof" --seed 7 --shard 2/2 --report json -o "$tmp/mixed2.json"
rc2=$rc
run merge-reports "$tmp/mixed1.json" "$tmp/mixed2.json"
# shard 1/2: claims 0 (passes) and 2 (undecided); 2/2: claim 1 (fails)
if [ "$mixed_rc" -eq 1 ] && [ "$rc1" -eq 3 ] && [ "$rc2" -eq 1 ] && [ "$rc" -eq 1 ] \
    && grep -q '"seed": "7"' "$tmp/mixed1.json"; then
    pass "shards exit 3 (undecided) and 1 (failed), merged 1 as the whole run"
else
    echo "  whole $mixed_rc, shards $rc1 and $rc2"
    fail "merged exit status is the whole run's (1)"
fi
same "mixed claims merged, text = whole run" "$tmp/mixed.txt" "$tmp/out"
# a single report of a whole run passes through merge-reports unchanged
run merge-reports "$tmp/mixed.json" --report json
cp "$tmp/out" "$tmp/again.json"
same "a whole run's report through merge-reports, json = itself" "$tmp/mixed.json" "$tmp/again.json"
# an undecided claim and nothing failed: 3
sed -n '/^claim "sigmoid/,$p' "$tmp/mixed.proof" >"$tmp/undecided.proof"
run check "$tmp/undecided.proof" --seed 5 --shard 1/1 --report json -o "$tmp/u.json"
u_rc=$rc
run merge-reports "$tmp/u.json"
if [ "$u_rc" -eq 3 ] && [ "$rc" -eq 3 ]; then
    pass "an undecided claim: shard and merged exit 3"
else
    echo "  shard $u_rc, merged $rc"
    fail "an undecided claim: exit 3"
fi
# a shard with no claims at all (more shards than claims)
run check "$tmp/mixed.proof" --seed 7 --shard 5/5 --report json -o "$tmp/empty.json"
if [ "$rc" -eq 0 ] && grep -q '"claims": \[\]' "$tmp/empty.json"; then
    pass "--shard 5/5 of 3 claims: no claims, exit 0"
else
    fail "--shard 5/5 of 3 claims: no claims, exit 0"
fi

# ---- bad shard specs ------------------------------------------------------
for spec in 0/2 3/2 1/0; do
    refused "--shard $spec" "K must be from 1 to N" check "$tmp/mixed.proof" --shard "$spec"
done
for spec in x 1/ /2 1/2/3 -1/2 "1 /2" 1/1000001; do
    refused "--shard '$spec'" "--shard wants K/N" check "$tmp/mixed.proof" --shard "$spec"
done
refused "--shard without a value" "needs a value" check "$tmp/mixed.proof" --shard
refused "--shard without --seed" "--shard needs --seed N" check "$tmp/mixed.proof" --shard 1/2

# ---- malformed reports: located errors ------------------------------------
bad() {
    printf '%s' "$2" >"$tmp/bad.json"
    refused "malformed: $1" "$3" merge-reports "$tmp/bad.json"
}
bad "not JSON" 'hello' "bad.json:1:1: not a JSON value"
bad "trailing comma" '{"a": [1, 2,]}' "bad.json:1:13: a comma before the end of an array"
bad "cut short" '{"schema_version": 2, "claims": [' "bad.json:1:34: a value is missing"
bad "two values" '{} {}' "bad.json:1:4: more text after the JSON value"
bad "duplicate key" '{"a": 1,
 "a": 2}' "bad.json:2:2: a member name given twice"
bad "raw control character" "$(printf '{"a": "x\001"}')" "bad.json:1:9: a control character"
bad "lone surrogate" '{"a": "\udc00"}' "bad.json:1:8: an unpaired surrogate"
bad "leading zero" '[01]' "bad.json:1:3: a number with a leading zero"
bad "not an object" '[]' "bad.json:1:1: report: an array where an object belongs"
bad "no schema_version" '{}' "bad.json:1:1: the key \"schema_version\" is missing"
bad "schema 4" '{"schema_version": 4}' "bad.json:1:20: schema_version: version 4; this convproof reads 2 and 3"
deep=$(i=0; while [ $i -lt 70 ]; do printf '['; i=$((i + 1)); done)
bad "nested too deeply" "$deep" "values nested too deeply"
# edits of a real report
sed 's/"outcome": "passed"/"outcome": "proved"/' "$tmp/mixed1.json" >"$tmp/edit.json"
refused "unknown outcome" 'edit.json:' merge-reports "$tmp/edit.json"
grep -qF 'unknown outcome "proved" (known: passed, tested, failed, undecided, not_applicable)' "$tmp/err" \
    && grep -qF 'claims[0].outcome' "$tmp/err" \
    && pass "unknown outcome: named, with its place and the known words" \
    || fail "unknown outcome: named, with its place and the known words"
sed 's/"passed": 1,/"passed": 5,/' "$tmp/mixed1.json" >"$tmp/edit.json"
refused "summary that disagrees" "summary: passed is 5, but 1 claims are passed" \
    merge-reports "$tmp/edit.json"
sed 's/"line": 1,/"line": "1",/' "$tmp/mixed1.json" >"$tmp/edit.json"
refused "line of the wrong type" "claims[0].line: a string where a number belongs" \
    merge-reports "$tmp/edit.json"
sed 's/"method": "exact"/"method": "guess"/' "$tmp/mixed1.json" >"$tmp/edit.json"
refused "unknown method" 'claims[0].methods[0].method: unknown method "guess"' \
    merge-reports "$tmp/edit.json"
sed '/"statement":/d' "$tmp/mixed1.json" >"$tmp/edit.json"
refused "missing key" 'claims[0]: the key "statement" is missing' \
    merge-reports "$tmp/edit.json"
sed 's/"seed": "7"/"seed": "07"/' "$tmp/mixed1.json" >"$tmp/edit.json"
refused "seed with a leading zero" 'seed: "07" is not a seed' merge-reports "$tmp/edit.json"
refused "a file that is not there" "$tmp/none.json: No such file" merge-reports "$tmp/none.json"
refused "no report given" "no report given" merge-reports
refused "unknown option" "unknown option '--frobnicate'" merge-reports --frobnicate "$tmp/mixed1.json"
refused "unknown format" "" merge-reports --report pdf "$tmp/mixed1.json"
# keys a later release may add are ignored (docs/report-format.md)
sed 's/"seed": "7",/"seed": "7", "future": {"x": [1, 2]},/' "$tmp/mixed2.json" >"$tmp/edit.json"
run merge-reports "$tmp/mixed1.json" "$tmp/edit.json"
if [ "$rc" -eq 1 ]; then
    pass "an unknown key is ignored"
else
    fail "an unknown key is ignored"
fi

# ---- sets of reports that are not one run -------------------------------
refused "a shard missing" "1 report given, but the run has 2 shards" \
    merge-reports "$tmp/mixed1.json"
refused "a shard given twice" "are both shard 1/2" \
    merge-reports "$tmp/mixed1.json" "$tmp/mixed1.json"
run check "$tmp/mixed.proof" --seed 8 --shard 2/2 --report json -o "$tmp/seed8.json"
refused "shards with different seeds" "the shards of one run share its seed" \
    merge-reports "$tmp/mixed1.json" "$tmp/seed8.json"
refused "a shard and a whole run" "give the shards of one run, or whole runs" \
    merge-reports "$tmp/mixed1.json" "$tmp/mixed.json"
run check "$tmp/mixed.proof" --seed 7 --shard 2/3 --report json -o "$tmp/of3.json"
refused "shards of different counts" "not one run" \
    merge-reports "$tmp/mixed1.json" "$tmp/of3.json"
# a shard cut short: its last claim removed (and the summary kept honest)
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
r["claims"].pop()
r["summary"] = {"passed": 1, "tested": 0, "failed": 0, "undecided": 0}
json.dump(r, open(sys.argv[2], "w"))
' "$tmp/mixed1.json" "$tmp/short.json" 2>/dev/null
if [ -s "$tmp/short.json" ]; then
    refused "a shard cut short" "has 1 claims, not 2" \
        merge-reports "$tmp/short.json" "$tmp/mixed2.json"
fi

finish
