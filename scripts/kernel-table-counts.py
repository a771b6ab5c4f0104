#!/usr/bin/env python3
"""Recounts the line counts of the trusted-code tables of docs/developing.md.

Each table row names files as `path` and gives their counts as
"a + b + ...", in the same order; this rewrites the counts from the files
on disk, the total of src/kernel/ in the sentence after the first
table, and the total of the second table (trusted code outside
src/kernel/) in the sentence before it.  Run from the top of the tree:
scripts/kernel-table-counts.py
"""
import glob
import re
import sys

def lines(path):
    with open(path, encoding="utf-8") as f:
        return sum(1 for _ in f)

readme = open("docs/developing.md", encoding="utf-8").read()
row = re.compile(r"^\| ((?:`src/[^`]+`(?:, )?)+) \| ([0-9 +]+) \|", re.M)

def recount(m):
    files = re.findall(r"`(src/[^`]+)`", m.group(1))
    counts = " + ".join(str(lines(f)) for f in files)
    return "| %s | %s |" % (m.group(1), counts)

readme = row.sub(recount, readme)
total = sum(lines(f) for f in glob.glob("src/kernel/*.[ch]"))
readme = re.sub(r"\d+ lines in `src/kernel/`", "%d lines in `src/kernel/`" % total, readme)
# the total of the second table, trusted code outside src/kernel/: the
# files its rows name, given in the sentence that introduces it
start = readme.index("Trusted code outside `src/kernel/`")
end = readme.index("Not trusted:", start)
outside = {f for m in row.finditer(readme[start:end])
           for f in re.findall(r"`(src/[^`]+)`", m.group(1))}
head = re.sub(r"\(\d+ lines\):", "(%d lines):" % sum(lines(f) for f in outside),
              readme[start:end], count=1)
readme = readme[:start] + head + readme[end:]
open("docs/developing.md", "w", encoding="utf-8").write(readme)
print("src/kernel/: %d lines" % total, file=sys.stderr)
