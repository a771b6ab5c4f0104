#!/bin/sh
# test_python.sh -- the Python package of python/ (convproof.check,
# check_file, eval, test_impl through ctypes) by its pytest suite,
# python/tests/test_*.py, and by the pytest example of README.md ("From
# Python": the ```python block whose first line is "# test_readme_example.py"),
# copied out of the README as it stands, against the library of this build
# tree.
#
# Needs Debian's python3-pytest and python3-numpy for /usr/bin/python3
# (or $CONVPROOF_PYTHON); without them the test is skipped (exit 77).
set -u

srcdir=${srcdir:-.}
py=${CONVPROOF_PYTHON:-/usr/bin/python3}
if ! "$py" -c 'import pytest, numpy' >/dev/null 2>&1; then
    echo "SKIPPED: $py lacks pytest or numpy (Debian: python3-pytest python3-numpy)"
    exit 77
fi
# The library next to the convproof binary of this build ($CONVPROOF is
# set by make check), so the package never loads an installed one.
builddir=$(dirname "${CONVPROOF:-./convproof}")
lib=$builddir/.libs/libconvproof.so.0
if [ ! -f "$lib" ]; then
    echo "FAIL: $lib not found (build the library first)"
    exit 1
fi
CONVPROOF_LIBRARY=$(cd "$(dirname "$lib")" && pwd)/$(basename "$lib")
# A library built with --enable-sanitizers needs AddressSanitizer's
# runtime loaded first, which Python is not linked with: preload it (and
# leave Python's own allocations out of the leak report).
asan=$(ldd "$lib" 2>/dev/null | sed -n 's/^[[:space:]]*libasan[^ ]* => \([^ ]*\).*/\1/p' | head -n 1)
if [ -n "$asan" ]; then
    LD_PRELOAD=$asan${LD_PRELOAD:+:$LD_PRELOAD}
    ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}
    export LD_PRELOAD ASAN_OPTIONS
fi
PYTHONPATH=$(cd "$srcdir/python" && pwd)${PYTHONPATH:+:$PYTHONPATH}
# No __pycache__ or .pytest_cache in the source tree (read-only in distcheck).
PYTHONDONTWRITEBYTECODE=1
export CONVPROOF_LIBRARY PYTHONPATH PYTHONDONTWRITEBYTECODE
# The README's example, exactly as the README shows it.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/convproof-python.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
awk '/^```python$/ { if ((getline l) > 0 && l ~ /^# test_readme_example\.py/) { f = 1; print l }; next }
     f && /^```$/ { exit }
     f' "$srcdir/README.md" >"$tmp/test_readme_example.py"
if ! grep -q '^def test_' "$tmp/test_readme_example.py"; then
    echo "FAIL: README.md has no pytest example (a \`\`\`python block starting '# test_readme_example.py')"
    exit 1
fi
"$py" -m pytest -q -p no:cacheprovider "$srcdir/python/tests" "$tmp/test_readme_example.py"
