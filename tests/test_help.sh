#!/bin/sh
# test_help.sh -- the command-line conventions: `convproof --help`,
# `convproof COMMAND --help`, `--version`, and the man page docs/convproof.1
# (which `make install` installs): it formats without warnings and names
# every option that some `--help` lists, every command, every exit code
# and the proof language's statements.
set -u

srcdir=${srcdir:-.}
bin=${CONVPROOF:-./convproof}
wrapper=${CONVPROOF_WRAPPER:-}
page=$srcdir/docs/convproof.1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_help.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "PASS: $1"; }
bad() { failed=$((failed + 1)); echo "FAIL: $1"; }

run() {
    # shellcheck disable=SC2086  # the wrapper is a command line
    $wrapper "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
}

run --help
if [ "$rc" -eq 0 ] && grep -q '^Usage: convproof COMMAND' "$tmp/out" \
   && grep -q -- '--version' "$tmp/out" && grep -q '^Exit status:' "$tmp/out" \
   && [ ! -s "$tmp/err" ]; then
    ok "convproof --help"
else
    bad "convproof --help (exit $rc)"
fi
run -h
[ "$rc" -eq 0 ] && grep -q '^Usage:' "$tmp/out" && ok "convproof -h" || bad "convproof -h"
run --version
if [ "$rc" -eq 0 ] && grep -q '^convproof [0-9]' "$tmp/out" && grep -q 'GMP' "$tmp/out"; then
    ok "convproof --version"
else
    bad "convproof --version (exit $rc)"
fi

# Every command has --help on standard output, exit 0; every option it
# lists is in the man page (written there as \-\-name).
for command in check eval test-impl; do
    run "$command" --help
    if [ "$rc" -ne 0 ] || [ ! -s "$tmp/out" ]; then
        bad "convproof $command --help (exit $rc)"
        continue
    fi
    ok "convproof $command --help"
    grep -q "convproof $command" "$page" 2>/dev/null \
        || grep -q "convproof $(echo "$command" | sed 's/-/\\\\-/g')" "$page" \
        || bad "the man page has no section for $command"
    missing=""
    for option in $(grep -oE -- '(^|[ ,[])--?[a-z][a-z-]*' "$tmp/out" \
                    | tr -d ' ,[' | sort -u); do
        escaped=$(printf '%s' "$option" | sed 's/-/\\\\-/g')
        grep -q -- "$escaped" "$page" || missing="$missing $option"
    done
    if [ -z "$missing" ]; then
        ok "the man page names every option of $command"
    else
        bad "the man page lacks these options of $command:$missing"
    fi
done

covered=yes
for item in 'EXIT STATUS' 'THE PROOF LANGUAGE' '^\.B 0$' '^\.B 1$' '^\.B 2$' '^\.B 3$' \
            "'claim'" "'refute'" "'dim'" "'where'" "'tensor'" "'let'" "'show'" "'by'" \
            all_shapes NO_COLOR; do
    grep -q -- "$item" "$page" || { bad "the man page lacks $item"; covered=no; }
done
[ "$covered" = yes ] && ok "the man page covers the exit codes and the proof language"

# Formats without warnings (when man-db is installed).
if command -v man >/dev/null 2>&1; then
    MANWIDTH=80 man --warnings -l "$page" >"$tmp/out" 2>"$tmp/err"
    if [ ! -s "$tmp/err" ] && grep -q 'CONVPROOF(1)' "$tmp/out"; then
        ok "man -l docs/convproof.1 formats without warnings"
    else
        bad "man page warnings"
        head -10 "$tmp/err"
    fi
else
    echo "SKIPPED: formatting the man page (install man-db)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
