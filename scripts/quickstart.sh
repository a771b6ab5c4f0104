#!/bin/sh
# The README's first quick-start command: install what is missing (when
# run as root, or through sudo), build convproof, and check the shipped
# proofs (proofs/, NNDL chapter 5).  Safe to run again.
set -eu
cd "$(dirname "$0")/.."
if [ "${CONVPROOF_SKIP_DEPS:-no}" != yes ]; then
  if [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null 2>&1; then
    scripts/install-deps.sh
  else
    echo "quickstart: not root and no sudo: assuming the packages of scripts/install-deps.sh are installed" >&2
  fi
fi
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure
make -j"$(nproc 2>/dev/null || echo 2)"
make proofs
