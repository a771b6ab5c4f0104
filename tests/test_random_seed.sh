#!/bin/sh
# test_random_seed.sh -- the seed of `convproof check` (issue: predictable
# primes of `random`):
#
#   without --seed every run draws its seed from the operating system, so
#   two runs print different seeds (text "seed N" line, JSON "seed");
#   --seed N replays a run: the same report, counterexample included, and
#   random's evidence says "fixed seed N";
#   every report format carries the seed (text, Markdown, JSON, HTML,
#   JUnit property).
# Environment (the binary, its wrapper): tests/shell_common.sh.
set -u

srcdir=${srcdir:-.}
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"

cd "$tmp" || exit 99
has() { grep -F -q -- "$2" "$1"; }
# the seed a text report printed
seed_of() { sed -n 's/^seed \([0-9]*\) (replay with --seed \1)$/\1/p' "$1"; }
# a report without its timings (seconds vary between runs)
untimed() { sed 's/[0-9][0-9]*\.[0-9]* s\b/T s/g' "$1"; }

cat >r.proof <<'EOF2'
claim "a false identity, found by exact" {
  dim M in 1..3
  tensor X[M]
  show sum(X * X) == sum(X) * sum(X)
  by exact
}
claim "a true identity, by random" {
  dim M in 1..2
  tensor X[M, M]
  show X * X == X * X
  by random
}
EOF2

run check r.proof --verbose
cp out first
run check r.proof --verbose
cp out second
a=$(seed_of first)
b=$(seed_of second)
if [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] && has first 'drawn from the operating system'; then
    pass "two runs without --seed draw different seeds ($a, $b)"
else
    fail "two runs without --seed draw different seeds"
fi

run check r.proof --verbose --seed "$a"
untimed first >want
untimed out >got
# The replay equals the first run except that its seed is now fixed.
sed 's/seed '"$a"', drawn from the operating system.s entropy/fixed seed '"$a"': the primes and points were predictable/' want >want_fixed
if [ "$rc" -eq 1 ] && cmp -s want_fixed got && has out "fixed seed $a:"; then
    pass "--seed $a replays the run (same counterexample, 'fixed seed')"
else
    diff want_fixed got | head -20
    fail "--seed N replays the run"
fi

ok=yes
run check r.proof --seed 77 --report json
has out '"seed": "77"' || ok=no
run check r.proof --seed 77 --report md
has out 'seed 77' || ok=no
run check r.proof --seed 77 --report html
has out 'seed 77' || ok=no
run check r.proof --seed 77 --report junit
has out '<property name="seed" value="77"/>' || ok=no
run check r.proof --seed 77 --quiet
[ "$(seed_of out)" = 77 ] || ok=no
if [ "$ok" = yes ]; then
    pass "every report format prints the seed"
else
    fail "every report format prints the seed"
fi

finish
