#!/usr/bin/python3
"""judge.py -- reads the JSON report of `convproof check` on soundness
variants and says whether each variant was judged as its header requires.

    judge.py named REPORT.json VARIANT.proof...
        every method on the variant's `by` line must judge it false
        (outcome "failed": a counterexample for a claim, none for a
        refute), and so must the claim as a whole;
    judge.py na REPORT.json VARIANT.proof...
        the report comes from copies whose `by` line lists the methods the
        header says are not applicable: each must say "not_applicable"
        (a "passed" is a false variant passed: a soundness bug);
    judge.py table VARIANT.proof...
        prints the Markdown table of the Testing section of
        docs/developing.md: per method, how many variants name it, how
        many it refuted (only when `named` found no problem, so every
        named method refuted every variant), and how many it cannot
        judge.

The variant headers are written by generate.py:
    # must judge it false: M1, M2 (the by line)
    # not applicable: METHOD: reason
    # not run: METHOD: reason
Prints one PASS or FAIL line per variant; exits 1 if any failed.
"""
import json
import re
import sys

METHODS = ["all_shapes", "symbolic", "random", "exact", "bounded"]


def read_header(path):
    by, na, not_run = [], {}, {}
    title = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"# not applicable: (\w+): (.*)", line)
            if m:
                na[m.group(1)] = m.group(2)
            m = re.match(r"# not run: (\w+): (.*)", line)
            if m:
                not_run[m.group(1)] = m.group(2)
            m = re.match(r'\s*(?:claim|refute)\s+"((?:[^"\\]|\\.)*)"', line)
            if m:
                title = m.group(1)
            m = re.match(r"\s*by (.*)", line)
            if m:
                by = [x.strip() for x in m.group(1).split(",")]
    return title, by, na, not_run


def claims_by_title(report_path):
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    return {c["title"]: c for c in report["claims"]}


def judge(mode, report_path, paths):
    claims = claims_by_title(report_path)
    bad = 0
    for path in paths:
        title, by, na, _ = read_header(path)
        claim = claims.get(title)
        problems = []
        if claim is None:
            problems.append("not in the report")
        else:
            outcome = {m["method"]: m for m in claim["methods"]}
            want = by if mode == "named" else sorted(na)
            expect = "failed" if mode == "named" else "not_applicable"
            for method in want:
                m = outcome.get(method)
                got = m["outcome"] if m else "not run"
                if got == "passed" and claim["kind"] == "claim":
                    problems.append("SOUNDNESS: %s passed a false claim" % method)
                elif got == "passed":
                    problems.append("SOUNDNESS: %s found a counterexample to a "
                                    "true identity" % method)
                elif got != expect:
                    problems.append("%s: %s, wanted %s%s" % (
                        method, got, expect,
                        " (%s)" % m["reason"] if m and m.get("reason") else ""))
                elif (mode == "named" and claim["kind"] == "claim"
                      and m.get("counterexample") is None):
                    problems.append("%s: failed without a counterexample" % method)
            extra = sorted(set(outcome) - set(want))
            if extra:
                problems.append("methods not asked for ran: %s" % ", ".join(extra))
            if mode == "named" and claim["outcome"] != "failed":
                problems.append("the claim is %s, wanted failed" % claim["outcome"])
        if problems:
            bad += 1
            print("FAIL: %s: %s" % (path, "; ".join(problems)))
        else:
            print("PASS: %s (%s)" % (path, ", ".join(by if mode == "named" else sorted(na))))
    return bad


def table(paths):
    named = {m: 0 for m in METHODS}
    na = {m: 0 for m in METHODS}
    not_run = {m: 0 for m in METHODS}
    for path in paths:
        _, by, n, nr = read_header(path)
        for m in by:
            named[m] += 1
        for m in n:
            na[m] += 1
        for m in nr:
            not_run[m] += 1
    print("| method | variants naming it | refuted | rate | not applicable | not run |")
    print("|---|---|---|---|---|---|")
    for m in METHODS:
        print("| `%s` | %d | %d | %s | %d | %d |" % (
            m, named[m], named[m], "100%" if named[m] else "-", na[m], not_run[m]))
    print("| claim as a whole | %d | %d | 100%% | 0 | 0 |" % (len(paths), len(paths)))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "table":
        table(sys.argv[2:])
        return 0
    if len(sys.argv) < 4 or sys.argv[1] not in ("named", "na"):
        sys.exit(__doc__)
    return 1 if judge(sys.argv[1], sys.argv[2], sys.argv[3:]) else 0


if __name__ == "__main__":
    sys.exit(main())
