#!/bin/sh
# test_layout.sh -- the include directions of src/ (docs/developing.md, Layout): a
# folder includes only itself and the folders below it,
#
#     kernel <- io, lang, fast <- eval <- check, allshapes <- ext, report
#     <- api <- cli
#
# and tests/, bench/ and fuzz/ include only folders of src/.  Every
# `#include "FOLDER/..."` of src/*/*.[ch] is checked against the table
# below; a folder missing from the table is itself an error, so a new
# folder has to say where it sits.  A violation is named FILE:LINE.
#
# The checker is also run on a small tree with planted violations, which
# it must name, so that a checker that stopped looking fails the test.
set -u

srcdir=${srcdir:-.}
cvp_fail_show=none
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"

# allowed FOLDER: the folders FOLDER may include besides itself; "-" for
# none, nothing at all (status 1) for a folder not in the table.
allowed() {
    case $1 in
    kernel) echo "-" ;;
    io | lang | fast) echo "kernel" ;;
    eval) echo "kernel io lang fast" ;;
    check | allshapes) echo "kernel io lang fast eval check allshapes" ;;
    ext | report) echo "kernel io lang fast eval check allshapes" ;;
    api) echo "kernel io lang fast eval check allshapes ext report" ;;
    cli) echo "kernel io lang fast eval check allshapes ext report api" ;;
    *) return 1 ;;
    esac
}

# includes FILE: "LINE FOLDER" for each #include "FOLDER/..." of FILE.
includes() {
    awk '/^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"\/]*\// {
        s = $0; sub(/^[^"]*"/, "", s); sub(/\/.*/, "", s); print FNR, s }' "$1"
}

# check_tree ROOT: prints one line per violation under ROOT, returns 1
# when there is any.
check_tree() {
    root=$1
    bad=0
    for dir in "$root"/src/*/; do
        folder=$(basename "$dir")
        if ! allowed "$folder" >/dev/null; then
            echo "src/$folder: a folder not in the include table of tests/test_layout.sh"
            bad=1
            continue
        fi
        ok="$folder $(allowed "$folder")"
        for f in "$dir"*.[ch]; do
            [ -f "$f" ] || continue
            rel=src/$folder/$(basename "$f")
            lines=$(includes "$f")
            [ -n "$lines" ] || continue
            while read -r line target; do
                case " $ok " in
                *" $target "*) ;;
                *)
                    echo "$rel:$line: src/$folder includes $target/, a folder above it or unknown (allowed: $ok)"
                    bad=1
                    ;;
                esac
            done <<EOF
$lines
EOF
        done
    done
    for top in tests bench fuzz; do
        for f in "$root/$top"/*.[ch]; do
            [ -f "$f" ] || continue
            rel=$top/$(basename "$f")
            lines=$(includes "$f")
            [ -n "$lines" ] || continue
            while read -r line target; do
                if ! allowed "$target" >/dev/null || [ ! -d "$root/src/$target" ]; then
                    echo "$rel:$line: includes $target/, not a folder of src/"
                    bad=1
                fi
            done <<EOF
$lines
EOF
        done
    done
    return $bad
}

# ---- the source tree itself ------------------------------------------------
if check_tree "$srcdir" >"$tmp/real" 2>&1; then
    count=$(cat "$srcdir"/src/*/*.[ch] | grep -c '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"/]*/')
    if [ "$count" -gt 100 ]; then
        pass "src/, tests/, bench/, fuzz/: every include goes downwards ($count checked)"
    else
        fail "src/: only $count folder includes found; is the source tree there?"
    fi
else
    fail "src/: includes against the layout"
    sed 's/^/  /' "$tmp/real"
fi

# ---- each folder's README, and the trusted kernel's table ----------------
missing=
for dir in "$srcdir"/src/*/; do
    [ -f "$dir/README.md" ] || missing="$missing src/$(basename "$dir")"
done
if [ -z "$missing" ]; then
    pass "every folder of src/ has a README.md"
else
    fail "folders without a README.md:$missing"
fi
# the section "## The trusted kernel" of docs/developing.md, up to the next
# section of its level
awk '/^## /{f = ($0 == "## The trusted kernel")} f' "$srcdir/docs/developing.md" >"$tmp/trusted"
grep -o '`src/[^`]*[^/`]`' "$tmp/trusted" | tr -d '`' | sort -u >"$tmp/named"
absent=
while read -r f; do
    [ -f "$srcdir/$f" ] || absent="$absent $f"
done <"$tmp/named"
unnamed=
for f in "$srcdir"/src/kernel/*.[ch]; do
    grep -qx "src/kernel/$(basename "$f")" "$tmp/named" || unnamed="$unnamed src/kernel/$(basename "$f")"
done
if [ "$(wc -l <"$tmp/named")" -gt 30 ] && [ -z "$absent" ] && [ -z "$unnamed" ]; then
    pass "docs/developing.md's trusted kernel names $(wc -l <"$tmp/named" | tr -d ' ') files, all there, every src/kernel file among them"
else
    fail "docs/developing.md's trusted kernel table: not there:${absent:- none}; src/kernel files it does not name:${unnamed:- none}"
fi

# ---- planted violations: the checker must name each -----------------------
t=$tmp/tree
mkdir -p "$t/src/kernel" "$t/src/eval" "$t/src/cli" "$t/tests"
printf '#include "kernel/ring.h"\n' >"$t/src/eval/good.c"
printf '#include "kernel/ring.h"\n#include "cli/cli.h"\n' >"$t/src/cli/good.c"
printf '/* kernel */\n#include <stdio.h>\n#include "kernel/ring.h"\n' >"$t/src/kernel/good.c"
printf '#include "testutil.h"\n#include "eval/eval.h"\n' >"$t/tests/good.c"
if check_tree "$t" >"$tmp/out" 2>&1; then
    pass "planted tree without violations passes"
else
    fail "planted tree without violations passes"
    sed 's/^/  /' "$tmp/out"
fi

# expect_violation NAME FILE CONTENT WANTED: FILE (under the planted tree)
# with CONTENT makes the checker fail and print WANTED.
expect_violation() {
    mkdir -p "$(dirname "$t/$2")"
    printf '%b' "$3" >"$t/$2"
    if check_tree "$t" >"$tmp/out" 2>&1; then
        fail "$1: not found"
    elif grep -qF "$4" "$tmp/out"; then
        pass "$1: $4"
    else
        fail "$1: wanted '$4'"
        sed 's/^/  /' "$tmp/out"
    fi
    rm -f "$t/$2"
}
expect_violation "kernel includes eval" src/kernel/bad.c \
    '/* one */\n#include <stdio.h>\n#include "eval/eval.h"\n' \
    "src/kernel/bad.c:3: src/kernel includes eval/"
expect_violation "eval includes check (spaced #  include)" src/eval/bad.h \
    '#ifndef X\n#  include "check/verdict.h"\n' "src/eval/bad.h:2: src/eval includes check/"
expect_violation "report includes cli" src/report/bad.c \
    '#include "report/render.h"\n#include "kernel/ring.h"\n#include "cli/cli.h"\n' \
    "src/report/bad.c:3: src/report includes cli/"
expect_violation "io includes lang (a sibling)" src/io/bad.c \
    '#include "lang/ast.h"\n' "src/io/bad.c:1: src/io includes lang/"
expect_violation "a test includes a folder outside src" tests/bad.c \
    '#include "testutil.h"\n#include "engine/eval.h"\n' "tests/bad.c:2: includes engine/"
expect_violation "a folder not in the table" src/newfolder/x.c \
    '#include "kernel/ring.h"\n' "src/newfolder: a folder not in the include table"
rmdir "$t/src/newfolder" 2>/dev/null

finish
