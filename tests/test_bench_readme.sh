#!/bin/sh
# test_bench_readme.sh -- bench/update_readme.py, which `make bench` runs
# to write the README's table of speed targets.  No timing is measured
# here: fixed figures go in, and the rows must be the ratios worked out by
# hand below; a missing figure reads "not measured"; nothing outside the
# table changes; the README holds exactly one table, already filled.
set -u

srcdir=${srcdir:-.}
cvp_fail_show=none   # each failure prints its own evidence
. "$srcdir/tests/shell_common.sh"
py=${CONVPROOF_PYTHON:-/usr/bin/python3}
if ! "$py" -c 'import json' >/dev/null 2>&1; then
    echo "SKIPPED: no $py"
    exit 77
fi
script=$srcdir/bench/update_readme.py
begin='<!-- bench table: written by `make bench` (bench/update_readme.py) -->'
end='<!-- end of bench table -->'

# ---- the committed README ---------------------------------------------------
if [ "$(grep -cxF "$begin" "$srcdir/README.md")" -eq 1 ] \
   && [ "$(grep -cxF "$end" "$srcdir/README.md")" -eq 1 ] \
   && sed -n "/^<!-- bench table/,/^<!-- end of bench table/p" "$srcdir/README.md" \
      | grep -q '^| W1, integer data: `convproof eval` process'; then
    pass "README: one table of speed targets, filled"
else
    fail "README: the bench table is missing, doubled or empty"
fi

# ---- fixed figures --------------------------------------------------------------
cat >"$tmp/eval.json" <<'EOF'
{"repeats": 3, "threads": 2,
 "int": {"torch_call_s": 1.375, "torch_process_s": 3.5, "torch_process_mb": 455,
         "convproof_s": 1.403, "convproof_mb": 102, "float64_tensors_mb": 44},
 "float32": {"torch_call_s": 1.621, "torch_process_s": 3.1, "torch_process_mb": 454,
             "convproof_s": 6.482, "convproof_mb": 180, "float64_tensors_mb": 44},
 "P2": {"convproof_s": 5.75, "convproof_mb": 269},
 "load_average": [0.5, 0.4, 0.3], "blas_core": "Prescott"}
EOF
cat >"$tmp/impl.json" <<'EOF'
{"repeats": 2, "rows": [
 {"setting": "--impl-batch 1", "best_s": 80.9, "worst_s": 90.0, "adapter_runs": 432, "claims": 1},
 {"setting": "default (--impl-batch 64)", "best_s": 3.1, "worst_s": 3.4, "adapter_runs": 7, "claims": 1},
 {"setting": "default, --jobs 2", "best_s": 2.9, "worst_s": 3.0, "adapter_runs": 7, "claims": 1}],
 "load_average": [0.5, 0.4, 0.3]}
EOF
printf 'intro\n%s\nold table\n%s\nafter\n' "$begin" "$end" >"$tmp/README.md"
"$py" "$script" "$tmp/README.md" "$tmp/eval.json" "$tmp/impl.json" \
    --date 2026-12-07 --machine "test CPU, 2 cores" >/dev/null 2>"$tmp/err"
rc=$?
ok=yes
[ "$rc" -eq 0 ] || ok=no
has() { grep -qxF "$2" "$1" || { echo "  missing: $2"; ok=no; }; }
# 1.403 / 1.375 = 1.0204; 102 / 44 = 2.318; 6.482 / 1.621 = 3.9988
has "$tmp/README.md" 'Measured by `make bench` on 2026-12-07 (test CPU, 2 cores; OpenBLAS kernels Prescott; load average 0.50, 0.40, 0.30 at the end), whole processes, best of 3:'
has "$tmp/README.md" '| W1, integer data: `convproof eval` process / PyTorch float64'"'"'s conv2d call | <= 2 | 1.02 (1.403 s / 1.375 s) | yes |'
has "$tmp/README.md" '| W1, integer data: peak memory / the float64 tensors | <= 4 | 2.32 (102 MB / 44 MB) | yes |'
has "$tmp/README.md" '| W1, float32 data, exact result: `convproof eval` process / PyTorch float64'"'"'s conv2d call | <= 3 | 4.00 (6.482 s / 1.621 s) | no |'
has "$tmp/README.md" '| P2, a `random` claim at W1 (exercise 5-7): `convproof check` process | <= 2 s | 5.75 s | no |'
has "$tmp/README.md" '| the 432-shape implementation claim (`bench/impl_course_432.proof`): `convproof check` process | <= 10 s | 3.10 s | yes |'
[ "$(head -n 1 "$tmp/README.md")" = intro ] || ok=no
[ "$(tail -n 1 "$tmp/README.md")" = after ] || ok=no
grep -q 'old table' "$tmp/README.md" && ok=no
if [ $ok = yes ]; then
    pass "update_readme: ratios, verdicts and the text around the table"
else
    cat "$tmp/err"
    fail "update_readme: rendered table"
fi

# ---- a missing figure is not guessed ----------------------------------------------
printf 'intro\n%s\n%s\n' "$begin" "$end" >"$tmp/README2.md"
"$py" "$script" "$tmp/README2.md" "$tmp/absent.json" "$tmp/impl.json" \
    --date 2026-12-07 --machine m >/dev/null 2>&1
if [ "$(grep -c '| not measured | - |' "$tmp/README2.md")" -eq 4 ] \
   && grep -q '| 3.10 s | yes |' "$tmp/README2.md"; then
    pass "update_readme: figures not measured say so"
else
    fail "update_readme: missing figures"
fi

# ---- a README without its markers is an error, not a silent append ----------------
printf 'no table here\n' >"$tmp/README3.md"
if ! "$py" "$script" "$tmp/README3.md" "$tmp/eval.json" "$tmp/impl.json" \
        >/dev/null 2>&1 && [ "$(cat "$tmp/README3.md")" = "no table here" ]; then
    pass "update_readme: no markers, no change and a failure"
else
    fail "update_readme: README without markers"
fi

finish
