#!/bin/sh
# Replays the fuzz targets' seed corpora (tests/fuzz/TARGET/) and every
# input that once made a target fail (tests/fuzz/regressions/TARGET/)
# through the harnesses, built as ordinary programs (fuzz/replay_TARGET).
# A harness aborts, or a sanitizer stops it, when a property fails, so a
# zero exit means every input was handled.  Under check-valgrind each
# replay runs under memcheck (CONVPROOF_WRAPPER).
set -u
srcdir=${srcdir:-.}
cvp_test_name=fuzz_replay
cvp_fail_show=none
# shellcheck source=tests/shell_common.sh
. "$srcdir/tests/shell_common.sh"
top=$(dirname "$bin")
for t in proof tensor_text npy json; do
  prog=$top/fuzz/replay_$t
  for dir in "$srcdir/tests/fuzz/$t" "$srcdir/tests/fuzz/regressions/$t"; do
    # Empty folders are kept in git by a README, which is not an input.
    set --
    for f in "$dir"/*; do
      case $f in */README*) continue ;; esac
      [ -f "$f" ] && set -- "$@" "$f"
    done
    [ $# -eq 0 ] && continue
    # shellcheck disable=SC2086  # the wrapper is a command line
    if $wrapper "$prog" "$@" > "$tmp/out" 2>&1; then
      pass "$t: $# input(s) of ${dir#"$srcdir"/}"
    else
      fail "$t: an input of ${dir#"$srcdir"/} failed:"
      cat "$tmp/out"
    fi
  done
done
finish
