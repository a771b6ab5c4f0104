#!/bin/sh
# test_reports.sh -- the HTML and JUnit reports of `convproof check`, end
# to end:
#
#   - the HTML report of the shipped proofs/ has every claim with its
#     verdict and its methods' badges (checked against the JSON report of
#     the same run by tests/report_html_check.py), loads nothing (no
#     script, no URL in any src/href, nothing fetched by the style sheet),
#     and draws the pictures the figures promise (SVG grids with w11...,
#     padding shaded, a counterexample's differing entries marked, bars
#     with exact counts);
#   - headless Chromium, with every host name unresolvable and every
#     connection sent to a closed port, renders it to a PNG that is not
#     blank (skipped, and says so, without Debian's chromium);
#   - the JUnit report of proofs/ and of the false claims in
#     tests/proofs/invalid validates against tests/junit.xsd with xmllint
#     (skipped without libxml2-utils), has one test case per claim and
#     method, and its failures carry the counterexample;
#   - TESTED: a claim only exact supports (here a false one, vanishing on
#     every value exact draws) is reported TESTED in text, JSON, HTML and
#     JUnit and counts as verified (exit 0); --strict makes that exit 4,
#     while a failure (1) or an undecided claim (3) still says more, and
#     a refute settled by exact is PASS;
#   - colours: only with --color=always or on a terminal; never with
#     --color=never, NO_COLOR or a file; a bad WHEN is a usage error; the
#     progress line never appears when standard error is not a terminal.
#
# $CONVPROOF is the binary (set by `make check`), $CONVPROOF_WRAPPER is
# put in front of every run (valgrind in `make check-valgrind`): see
# tests/shell_common.sh.
set -u

srcdir=${srcdir:-.}
cvp_fail_show=stderr
cvp_fail_stderr_lines=20
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"
python=/usr/bin/python3
check_py=$srcdir/tests/report_html_check.py

# ---- one run of proofs/ with every report ----------------------------------
run check "$srcdir/proofs/" --report html -o "$tmp/proofs.html" \
    --report junit -o "$tmp/proofs.xml" --report json -o "$tmp/proofs.json"
if [ "$rc" -eq 0 ] && [ -s "$tmp/proofs.html" ] && [ -s "$tmp/proofs.xml" ]; then
    pass "check proofs/ --report html --report junit --report json"
else
    fail "check proofs/ with html, junit and json reports (exit $rc)"
fi
# The progress line is for terminals only; stderr here is a file.
if [ ! -s "$tmp/err" ]; then
    pass "no progress line when standard error is not a terminal"
else
    fail "standard error not empty without a terminal"
fi

if $python "$check_py" structure "$tmp/proofs.html" "$tmp/proofs.json" >"$tmp/err" 2>&1; then
    pass "HTML: every claim of proofs/ appears with its verdict and method badges"
else
    fail "HTML structure"
fi
if $python "$check_py" offline "$tmp/proofs.html" >"$tmp/err" 2>&1; then
    pass "HTML: self-contained, no URL loads"
else
    fail "HTML offline check"
fi
# The checker itself catches a page that would load something.
sed 's|<body>|<body><img src="https://example.org/x.png">|' "$tmp/proofs.html" >"$tmp/bad.html"
if ! $python "$check_py" offline "$tmp/bad.html" >/dev/null 2>&1; then
    pass "HTML: the offline check rejects an external image"
else
    fail "HTML: the offline check missed an external image"
fi

# The pictures of exercise 5-7 (the 4x9 matrix of a 2x2 kernel on a 3x3
# input, its first row w11 w12 0 w21 w22 0 0 0 0) and of exercise 5-4.
if grep -q 'jacobian(xcorr(W, X), X) <span class="loc">(4&#215;9)' "$tmp/proofs.html" \
   && grep -q 'class="tcval">w11</text>' "$tmp/proofs.html" \
   && grep -q 'class="tcval">5,898,240,000</text>\|class="bvalue">5,898,240,000</text>' \
        "$tmp/proofs.html" \
   && grep -q 'rot180(W) <span class="loc">(2&#215;2)' "$tmp/proofs.html" \
   && grep -q 'class="cpad"' "$tmp/proofs.html"; then
    pass "HTML: explicit matrix, rot180, padding and cost pictures"
else
    fail "HTML: pictures missing"
fi

# ---- a counterexample ---------------------------------------------------------
# grad_missing_two: the sides [2] and [1] have one shape, so the entry
# that differs is marked; transpose_is_identity: shapes that differ.
run check "$srcdir/tests/proofs/invalid/grad_missing_two.proof" \
    "$srcdir/tests/proofs/invalid/transpose_is_identity.proof" \
    --report html -o "$tmp/cx.html" --report junit -o "$tmp/cx.xml"
if [ "$rc" -eq 1 ] && grep -q 'class="cdiff"' "$tmp/cx.html" \
   && grep -q 'Counterexample (exact) at shape' "$tmp/cx.html"; then
    pass "HTML: a counterexample's differing entries are highlighted"
else
    fail "HTML: counterexample picture (exit $rc)"
fi

# ---- Chromium ----------------------------------------------------------------
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
    echo "SKIPPED: headless Chromium rendering (install Debian's chromium)"
else
    # No network: every host name fails to resolve and every connection
    # goes to a proxy on a closed port; the page must not need either.
    HOME=$tmp timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
        --hide-scrollbars --no-first-run --disable-extensions \
        --host-resolver-rules='MAP * ~NOTFOUND' --proxy-server='127.0.0.1:9' \
        --window-size=1000,1400 --screenshot="$tmp/shot.png" \
        "file://$tmp/proofs.html" >"$tmp/err" 2>&1 </dev/null
    if [ -s "$tmp/shot.png" ] && $python "$check_py" png "$tmp/shot.png" >"$tmp/err" 2>&1; then
        pass "Chromium renders the HTML report offline to a non-blank PNG"
    else
        fail "Chromium screenshot"
    fi
fi

# ---- JUnit ---------------------------------------------------------------------
run check "$srcdir/tests/proofs/invalid/" --report junit -o "$tmp/invalid.xml"
cases=$(grep -c '<testcase ' "$tmp/proofs.xml")
# One case per method of each claim, and one for a claim without any.
cat >"$tmp/count.py" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
print(sum(max(1, len(claim["methods"])) for claim in report["claims"]))
EOF
methods=$($python "$tmp/count.py" "$tmp/proofs.json")
if [ "$cases" = "$methods" ]; then
    pass "JUnit: one test case per claim and method ($cases)"
else
    fail "JUnit: $cases test cases, expected $methods"
fi
if grep -q '<failure message="counterexample found" type="counterexample">show A == transpose(A)' \
        "$tmp/cx.xml" && grep -q 'A = \[\[0, 0\]\]' "$tmp/cx.xml"; then
    pass "JUnit: a failure carries the counterexample"
else
    fail "JUnit: counterexample in the failure"
fi
if command -v xmllint >/dev/null 2>&1; then
    if xmllint --noout --schema "$srcdir/tests/junit.xsd" "$tmp/proofs.xml" \
            "$tmp/invalid.xml" "$tmp/cx.xml" >"$tmp/err" 2>&1; then
        pass "JUnit: the reports validate against tests/junit.xsd"
    else
        fail "JUnit schema validation"
    fi
    # The schema is not vacuous: a test case without a name is rejected.
    sed '0,/<testcase classname="[^"]*" name="[^"]*"/s//<testcase classname="x"/' \
        "$tmp/cx.xml" >"$tmp/bad.xml"
    if ! xmllint --noout --schema "$srcdir/tests/junit.xsd" "$tmp/bad.xml" >/dev/null 2>&1; then
        pass "JUnit: the schema rejects a test case without a name"
    else
        fail "JUnit: the schema accepted a test case without a name"
    fi
else
    echo "SKIPPED: JUnit schema validation (install Debian's libxml2-utils)"
fi

# ---- colours -------------------------------------------------------------------
esc=$(printf '\033')
small=$srcdir/tests/proofs/invalid/transpose_is_identity.proof
run check "$small" --color=always
if grep -q "$esc\\[" "$tmp/out"; then pass "--color=always colours a pipe"; else fail "--color=always"; fi
run check "$small"
if ! grep -q "$esc" "$tmp/out"; then pass "no colours on a pipe by default"; else fail "colours on a pipe"; fi
run check "$small" --color
if grep -q "$esc\\[" "$tmp/out"; then pass "a bare --color means always"; else fail "--color"; fi
export NO_COLOR=1
run check "$small" --color=auto
unset NO_COLOR
if ! grep -q "$esc" "$tmp/out"; then pass "NO_COLOR"; else fail "NO_COLOR"; fi
run check "$small" --color=never
if ! grep -q "$esc" "$tmp/out"; then pass "--color=never"; else fail "--color=never"; fi
run check "$small" --color=sometimes
if [ "$rc" -eq 2 ] && grep -q "auto, always or never" "$tmp/err"; then
    pass "--color=sometimes is a usage error"
else
    fail "--color=sometimes (exit $rc)"
fi

# ---- TESTED and --strict ------------------------------------------------------
# X*(X-1)*(X+1)*(X-2)*(X+2) is 0 at each of -2..2, the only values exact
# draws, and 120 at X = 3: exact alone cannot see that the claim is false,
# so it must not say PASS.  X + X == 2 * X by exact and symbolic is a proof.
cat >"$tmp/sampled.proof" <<'EOF'
claim "vanishes on the samples" {
  tensor X[1] values -2..2
  show X * (X - 1) * (X + 1) * (X - 2) * (X + 2) == 0 * X
  by exact
}

claim "doubling is adding" {
  dim N in 1..2
  tensor X[N]
  show X + X == 2 * X
  by exact, symbolic
}

refute "relu is the identity" {
  tensor Z[2] values -3..-1
  show relu(Z) == Z
  by exact
}
EOF
run check "$tmp/sampled.proof" --report text --report json -o "$tmp/sampled.json" \
    --report junit -o "$tmp/sampled.xml" --report html -o "$tmp/sampled.html"
if [ "$rc" -eq 0 ] && grep -q '^TESTED "vanishes on the samples"' "$tmp/out" \
    && grep -q '^PASS "doubling is adding"' "$tmp/out" \
    && grep -q '^PASS (refuted as expected) "relu is the identity"' "$tmp/out" \
    && [ "$(tail -n 1 "$tmp/out")" = "2 passed, 1 tested, 0 failed" ]; then
    pass "a claim by exact alone is TESTED, not PASS (exit 0)"
else
    fail "a claim by exact alone is TESTED, not PASS (exit 0)"
fi
if [ -x "$python" ]; then
    if "$python" "$srcdir/tests/report_json_check.py" \
            "$srcdir/docs/report-schema.json" claims.0.outcome tested \
            claims.0.methods.0.outcome passed claims.1.outcome passed \
            claims.2.outcome passed summary.tested 1 summary.passed 2 \
            <"$tmp/sampled.json" >"$tmp/check" 2>&1 \
        && $python "$check_py" structure "$tmp/sampled.html" "$tmp/sampled.json" \
            >>"$tmp/check" 2>&1; then
        pass "TESTED in the JSON (outcome \"tested\") and HTML reports"
    else
        sed 's/^/    /' "$tmp/check"
        fail "TESTED in the JSON and HTML reports"
    fi
else
    echo "SKIPPED: TESTED in the JSON and HTML reports ($python is not there)"
fi
if grep -q 'name="vanishes on the samples \[exact\]".* status="tested">' "$tmp/sampled.xml" \
    && grep -q '<system-out>tested, not proved' "$tmp/sampled.xml" \
    && grep -q 'failures="0" errors="0" skipped="0"' "$tmp/sampled.xml"; then
    pass "JUnit: a TESTED claim is a passing case marked tested"
else
    fail "JUnit: a TESTED claim is a passing case marked tested"
fi
if command -v xmllint >/dev/null 2>&1; then
    if xmllint --noout --schema "$srcdir/tests/junit.xsd" "$tmp/sampled.xml" \
        >/dev/null 2>&1; then
        pass "JUnit with a TESTED claim validates against tests/junit.xsd"
    else
        fail "JUnit with a TESTED claim validates against tests/junit.xsd"
    fi
fi
run check "$tmp/sampled.proof" --strict
if [ "$rc" -eq 4 ] && [ "$(tail -n 1 "$tmp/out")" = "2 passed, 1 tested, 0 failed" ]; then
    pass "--strict: a TESTED claim makes the exit status 4"
else
    fail "--strict: a TESTED claim makes the exit status 4 (exit $rc)"
fi
# without the sampled claim everything is proved: --strict exits 0
sed '1,6d' "$tmp/sampled.proof" >"$tmp/proved.proof"
run check "$tmp/proved.proof" --strict
if [ "$rc" -eq 0 ] && [ "$(tail -n 1 "$tmp/out")" = "2 passed, 0 failed" ]; then
    pass "--strict: every claim proved, exit 0"
else
    fail "--strict: every claim proved, exit 0 (exit $rc)"
fi
# a failure (symbolic sees the X^5 term) and an undecided claim say more
cat "$tmp/sampled.proof" - >"$tmp/failing.proof" <<'EOF'

claim "vanishes everywhere" {
  tensor X[1] values -2..2
  show X * (X - 1) * (X + 1) * (X - 2) * (X + 2) == 0 * X
  by exact, symbolic
}
EOF
cat "$tmp/sampled.proof" - >"$tmp/undecided.proof" <<'EOF'

claim "relu by symbolic" {
  tensor X[2]
  show relu(X) == relu(X)
  by symbolic
}
EOF
run check "$tmp/failing.proof" --strict
rc_failing=$rc
run check "$tmp/undecided.proof" --strict
if [ "$rc_failing" -eq 1 ] && [ "$rc" -eq 3 ]; then
    pass "--strict: a failed claim still exits 1, an undecided one 3"
else
    fail "--strict: failed exits 1 (got $rc_failing), undecided 3 (got $rc)"
fi

finish
