#!/bin/sh
# Installs the Debian 12 packages convproof needs to build and test.
# clang and libclang-rt-14-dev (libFuzzer) build the fuzz targets, gcovr
# reports coverage.  Run as root (or through sudo).  Packages already
# present are skipped by apt itself; python3-torch is optional (the
# PyTorch differential test is skipped, and says so, without it) and is
# the largest download.
set -eu
packages="build-essential autoconf automake libtool pkg-config \
  libgmp-dev libmpfr-dev libisl-dev libcmocka-dev libopenblas-dev \
  python3 python3-numpy python3-sympy python3-pytest valgrind \
  clang libclang-rt-14-dev gcovr"
# The report tests: Chromium renders the HTML report to a PNG, xmllint
# validates the JUnit report (each test says SKIPPED without them).
packages="$packages chromium libxml2-utils"
if [ "${CONVPROOF_WITH_TORCH:-yes}" = yes ]; then
  packages="$packages python3-torch"
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: not root; trying sudo" >&2
  exec sudo CONVPROOF_WITH_TORCH="${CONVPROOF_WITH_TORCH:-yes}" "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q $packages
