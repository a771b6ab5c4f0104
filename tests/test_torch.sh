#!/bin/sh
# Runs the PyTorch differential test (tests/torch_diff.py) when Debian's
# python3-torch is importable, and says clearly that it was skipped when it
# is not (exit 77 is automake's "skipped").
srcdir=${srcdir:-.}
convproof=${CONVPROOF:-./convproof}
for py in /usr/bin/python3 python3; do
  if "$py" -c 'import torch, numpy' 2>/dev/null; then
    exec "$py" "$srcdir/tests/torch_diff.py" "$convproof" "$@"
  fi
done
echo "SKIPPED: PyTorch differential test: python3-torch (with numpy) is not installed"
exit 77
