"""Whole-process `convproof check` of a proof file that calls an
implementation at 432 shapes (bench/impl_course_432.proof: the course
conv layer's backward pass, adapters/numpy_course_adapter.py).

Usage: bench_impl.py CONVPROOF [--repeats R] [--proof FILE] [--json FILE]

Runs, for each setting, `convproof check FILE --seed 1 --report json`
R times (default 2) and prints one Markdown table row with the best and
worst wall seconds and the adapter runs the setting starts:
  --impl-batch 1            every call runs the adapter alone, when it
                            is made (the path before batching);
  default (--impl-batch 64) the calls of a window of instances gathered
                            and answered by batched runs;
  default with --jobs 2     two batched runs at a time.
Every setting must give the report of --impl-batch 1 (times aside) and
every claim must be TESTED; the script fails otherwise.  The number of
runs is counted by the adapter's wrapper, which appends a line to a file
per run, so it is what happened, not what was planned.  With --json the
rows are also written to FILE (bench/update_readme.py reads them).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

SETTINGS = [
    ("--impl-batch 1", ["--impl-batch", "1"]),
    ("default (--impl-batch 64)", []),
    ("default, --jobs 2", ["--jobs", "2"]),
]


def strip_times(value):
    if isinstance(value, dict):
        return {k: strip_times(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [strip_times(v) for v in value]
    return value


def counted_copy(proof, workdir, count_file):
    """The proof file in workdir with its command wrapped so that each run
    appends a line to count_file (the command still runs in the original
    folder, as relative paths in it expect)."""
    folder = os.path.dirname(os.path.abspath(proof))
    with open(proof) as f:
        text = f.read()
    marker = 'command "'
    start = text.index(marker) + len(marker)
    end = text.index('"', start)
    command = text[start:end]
    wrapped = "echo run >> %s; cd %s && %s" % (count_file, folder, command)
    out = os.path.join(workdir, os.path.basename(proof))
    with open(out, "w") as f:
        f.write(text[:start] + wrapped + text[end:])
    return out


def main():
    convproof = os.path.abspath(sys.argv[1])
    args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
    repeats = int(args.get("--repeats", "2"))
    proof = args.get("--proof", os.path.join(HERE, "impl_course_432.proof"))
    workdir = tempfile.mkdtemp(prefix="bench-impl-")
    count_file = os.path.join(workdir, "runs")
    try:
        copy = counted_copy(proof, workdir, count_file)
        print("| setting | wall s (best, worst of %d) | adapter runs | claims |"
              % repeats)
        print("|---|---|---|---|")
        reference = None
        rows = []
        for name, extra in SETTINGS:
            times = []
            for _ in range(repeats):
                open(count_file, "w").close()
                report = os.path.join(workdir, "report.json")
                start = time.perf_counter()
                proc = subprocess.run([convproof, "check", copy, "--seed", "1",
                                       "--report", "json", "-o", report] + extra,
                                      stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE)
                times.append(time.perf_counter() - start)
                if proc.returncode != 0:
                    raise RuntimeError("%s: exit %d: %s" % (
                        name, proc.returncode, proc.stderr.decode()))
                with open(report) as f:
                    got = strip_times(json.load(f))
                if reference is None:
                    reference = got
                if got != reference:
                    raise RuntimeError("%s: the report differs from "
                                       "--impl-batch 1's" % name)
                with open(count_file) as f:
                    runs = sum(1 for _ in f)
            outcomes = [c["outcome"] for c in got["claims"]]
            if any(o != "tested" for o in outcomes):
                raise RuntimeError("%s: outcomes %s" % (name, outcomes))
            print("| %s | %.2f, %.2f | %d | %d tested |" % (
                name, min(times), max(times), runs, len(outcomes)), flush=True)
            rows.append({"setting": name, "best_s": min(times),
                         "worst_s": max(times), "adapter_runs": runs,
                         "claims": len(outcomes)})
        print("\nload average: %.2f %.2f %.2f" % os.getloadavg())
        if "--json" in args:
            with open(args["--json"], "w") as f:
                json.dump({"repeats": repeats, "rows": rows,
                           "load_average": list(os.getloadavg())}, f, indent=1)
    finally:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
