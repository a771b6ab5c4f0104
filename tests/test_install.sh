#!/bin/sh
# test_install.sh -- `make install` puts the adapters' protocol helper,
# convproof_protocol, where Python finds it, and the README's adapter
# example runs against the installed copy.
#
# The helper is installed into a staging folder (DESTDIR) by the automake
# target that installs it alone, install-pythonPYTHON: a whole `make
# install` would also rewrite python/convproof/_paths.py, which
# test_python.sh may be importing at the same moment under `make -j`.
# Then:
#   - the staged file is adapters/convproof_protocol.py byte for byte;
#   - with the configured prefix /usr/local or /usr, its folder (without
#     the staging prefix) is on /usr/bin/python3's own sys.path, so an
#     installed helper is found with no PYTHONPATH at all;
#   - the README's adapter (step 2 of "Checking your own implementation"),
#     copied out of the README as it stands, over the course-style layers of
#     adapters/numpy_course.py saved as my_conv.py, imports the staged
#     helper (PYTHONPATH holds only the staging folder) and passes the
#     README's own test-impl command (step 3).
#
# Needs make and /usr/bin/python3 with NumPy; skipped (77) without them.
set -u

srcdir=${srcdir:-.}
cvp_fail_show=none   # each failure prints its own evidence
. "$srcdir/tests/shell_common.sh"
py=${CONVPROOF_PYTHON:-/usr/bin/python3}
builddir=$(dirname "$bin")
if ! "$py" -c 'import numpy' >/dev/null 2>&1; then
    echo "SKIPPED: $py lacks numpy (Debian: python3-numpy)"
    exit 77
fi
if ! command -v make >/dev/null 2>&1; then
    echo "SKIPPED: no make"
    exit 77
fi
if ! grep -q '^pythondir = ' "$builddir/Makefile" 2>/dev/null \
   || grep -q '^PYTHON = :' "$builddir/Makefile"; then
    echo "SKIPPED: configured without Python (no pythondir)"
    exit 77
fi

# ---- install the helper into a staging folder ---------------------------------
if ! make -C "$builddir" -s install-pythonPYTHON DESTDIR="$tmp/stage" \
        >"$tmp/make.out" 2>&1; then
    cat "$tmp/make.out"
    fail "install: make install-pythonPYTHON"
    finish
fi
staged=$(find "$tmp/stage" -name convproof_protocol.py -type f | head -n 1)
if [ -n "$staged" ] && cmp -s "$staged" "$srcdir/adapters/convproof_protocol.py"; then
    pass "install: convproof_protocol.py is installed as it is in adapters/"
else
    fail "install: convproof_protocol.py not installed (found: '$staged')"
    finish
fi
stage_dir=$(dirname "$staged")
installed_dir=${stage_dir#"$tmp/stage"}

# ---- the folder is one python3 reads by itself ----------------------------------
case $installed_dir in
/usr/local/*|/usr/lib/*)
    if "$py" -c 'import sys; sys.exit(sys.argv[1] not in sys.path)' "$installed_dir"; then
        pass "install: $installed_dir is on $py's own sys.path"
    else
        fail "install: $installed_dir is not on $py's sys.path: an installed helper would not be found"
    fi ;;
*)
    echo "SKIPPED (one check): prefix gives $installed_dir, not a folder python3 reads by default" ;;
esac

# ---- the README's adapter, over the installed helper ------------------------------
mkdir "$tmp/work"
cp "$srcdir/adapters/numpy_course.py" "$tmp/work/my_conv.py"
# Step 2's indented block: from "import convproof_protocol" to the serve() call.
awk '/^       import convproof_protocol$/ { f = 1 }
     f { sub(/^       /, ""); print }
     f && /convproof_protocol\.serve\(handler\)/ { exit }' \
    "$srcdir/README.md" >"$tmp/work/my_adapter.py"
if ! grep -q 'serve(handler)' "$tmp/work/my_adapter.py"; then
    fail "README: no adapter example (an indented block from 'import convproof_protocol' to 'convproof_protocol.serve(handler)')"
    finish
fi
where=$(cd "$tmp/work" && PYTHONPATH=$stage_dir PYTHONDONTWRITEBYTECODE=1 \
        "$py" -c 'import convproof_protocol; print(convproof_protocol.__file__)' 2>&1)
if [ "$where" = "$staged" ]; then
    pass "install: the adapter's 'import convproof_protocol' loads the installed file"
else
    fail "install: convproof_protocol came from '$where', not $staged"
fi
# Step 3's command, with this build's binary.
(cd "$tmp/work" && PYTHONPATH=$stage_dir PYTHONDONTWRITEBYTECODE=1 \
    $wrapper "$bin" test-impl --command "$py my_adapter.py" \
    --op conv2d,conv2d_backward --layout nhwc --batch 8 --seed 1) \
    >"$tmp/impl.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ "$(grep -c '^TESTED' "$tmp/impl.out")" -eq 2 ]; then
    pass "README adapter over the installed helper: conv2d and conv2d_backward TESTED"
else
    cat "$tmp/impl.out"
    fail "README adapter over the installed helper (exit $rc)"
fi

finish
