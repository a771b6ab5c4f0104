#!/bin/sh
# test_help.sh -- the command-line conventions: `convproof --help`,
# `convproof COMMAND --help`, `--version`, and the man page docs/convproof.1
# (which `make install` installs): it formats without warnings and names
# every option that some `--help` lists, every command, every exit code
# and the proof language's statements.
set -u

srcdir=${srcdir:-.}
cvp_fail_show=none
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"
page=$srcdir/docs/convproof.1

run --help
if [ "$rc" -eq 0 ] && grep -q '^Usage: convproof COMMAND' "$tmp/out" \
   && grep -q -- '--version' "$tmp/out" && grep -q '^Exit status:' "$tmp/out" \
   && [ ! -s "$tmp/err" ]; then
    pass "convproof --help"
else
    fail "convproof --help (exit $rc)"
fi
run -h
[ "$rc" -eq 0 ] && grep -q '^Usage:' "$tmp/out" && pass "convproof -h" || fail "convproof -h"
run --version
if [ "$rc" -eq 0 ] && grep -q '^convproof [0-9]' "$tmp/out" && grep -q 'GMP' "$tmp/out"; then
    pass "convproof --version"
else
    fail "convproof --version (exit $rc)"
fi

# Every command has --help on standard output, exit 0; every option it
# lists is in the man page (written there as \-\-name).
for command in check eval test-impl merge-reports; do
    run "$command" --help
    if [ "$rc" -ne 0 ] || [ ! -s "$tmp/out" ]; then
        fail "convproof $command --help (exit $rc)"
        continue
    fi
    pass "convproof $command --help"
    grep -q "convproof $command" "$page" 2>/dev/null \
        || grep -q "convproof $(echo "$command" | sed 's/-/\\\\-/g')" "$page" \
        || fail "the man page has no section for $command"
    missing=""
    for option in $(grep -oE -- '(^|[ ,[])--?[a-z][a-z-]*' "$tmp/out" \
                    | tr -d ' ,[' | sort -u); do
        escaped=$(printf '%s' "$option" | sed 's/-/\\\\-/g')
        grep -q -- "$escaped" "$page" || missing="$missing $option"
    done
    if [ -z "$missing" ]; then
        pass "the man page names every option of $command"
    else
        fail "the man page lacks these options of $command:$missing"
    fi
done

covered=yes
for item in 'EXIT STATUS' 'THE PROOF LANGUAGE' '^\.B 0$' '^\.B 1$' '^\.B 2$' '^\.B 3$' '^\.B 4$' \
            "'claim'" "'refute'" "'dim'" "'where'" "'tensor'" "'let'" "'show'" "'by'" \
            all_shapes NO_COLOR; do
    grep -q -- "$item" "$page" || { fail "the man page lacks $item"; covered=no; }
done
[ "$covered" = yes ] && pass "the man page covers the exit codes and the proof language"

# One list of methods everywhere: the parser's (its message for an unknown
# method) is the reference; `check --help`, the man page (the grammar and
# --method), README (the grammar and the table of "Methods and what a pass
# means") and `check --method`'s own message must name the same methods.
printf 'claim "t" {\n  tensor X[]\n  show X == X\n  by magic\n}\n' >"$tmp/m.proof"
run check "$tmp/m.proof"
methods=$(sed -n 's/.*the methods are \([a-z_, ]*\)).*/\1/p' "$tmp/err" | tr -d ' ')
if [ -z "$methods" ]; then
    fail "the parser's message lists the methods"
else
    pass "the parser's message lists the methods: $methods"
    run check --help
    listed=$(sed -n '/--method M/,/repeatable/p' "$tmp/out" | tr -d '\n' \
             | sed 's/.*(\([a-z_, ]*\)).*/\1/' | tr -d ' ')
    [ "$listed" = "$methods" ] && pass "check --help lists the same methods" \
        || fail "check --help lists '$listed', the parser '$methods'"
    grammar=$(sed -n 's/^METHOD *:= *//p' "$page" | tr -d ' ' | tr '|' ',')
    [ "$grammar" = "$methods" ] && pass "the man page's grammar names the same methods" \
        || fail "the man page's METHOD is '$grammar', the parser's '$methods'"
    option=$(sed -n 's/^(\([a-z_, ]*\)); repeatable\.$/\1/p' "$page" | tr -d ' ')
    [ "$option" = "$methods" ] && pass "the man page's --method names the same methods" \
        || fail "the man page's --method lists '$option', the parser '$methods'"
    readme=$srcdir/README.md
    grammar=$(sed -n 's/^ *METHOD *:= *//p' "$readme" | tr -d ' ' | tr '|' ',')
    [ "$grammar" = "$methods" ] && pass "README's grammar names the same methods" \
        || fail "README's METHOD is '$grammar', the parser's '$methods'"
    rows=$(sed -n '/^## Methods and what a pass means/,/^\*\*Verdicts/p' "$readme" \
           | sed -n 's/^| `\([a-z_]*\)` |.*/\1/p' | sort | tr '\n' ',' | sed 's/,$//')
    sorted=$(echo "$methods" | tr ',' '\n' | sort | tr '\n' ',' | sed 's/,$//')
    [ "$rows" = "$sorted" ] && pass "README's methods table has a row for each method" \
        || fail "README's methods table has '$rows', the parser '$sorted'"
    run check --method magic "$tmp/m.proof"
    usage=$(sed -n "s/.*unknown method 'magic' (\([a-z_, ]*\)).*/\1/p" "$tmp/err" | tr -d ' ')
    [ "$usage" = "$methods" ] && pass "check --method's message names the same methods" \
        || fail "check --method's message lists '$usage', the parser '$methods'"
fi

# Statements the binary once contradicted stay out of the documents: the
# fixed prime of random (now a fresh prime of [2^60, 2^61) per point),
# kink instances skipped (a grad at a kink now fails the instance).
if grep -qF "primes of [2^60, 2^61)" "$page" && ! grep -qF '2^61 \- 1' "$page" \
   && ! grep -qF "2^61 - 1 (the" "$srcdir/README.md" \
   && ! grep -qF "such instances are skipped" "$srcdir/README.md"; then
    pass "README and man page: random's primes and kink instances as the binary has them"
else
    fail "README or man page: a statement the binary contradicts (fixed prime, skipped kinks)"
fi

# Formats without warnings (when man-db is installed).
if command -v man >/dev/null 2>&1; then
    MANWIDTH=80 man --warnings -l "$page" >"$tmp/out" 2>"$tmp/err"
    if [ ! -s "$tmp/err" ] && grep -q 'CONVPROOF(1)' "$tmp/out"; then
        pass "man -l docs/convproof.1 formats without warnings"
    else
        fail "man page warnings"
        head -10 "$tmp/err"
    fi
else
    echo "SKIPPED: formatting the man page (install man-db)"
fi

finish
