"""Writes the README's table of speed targets from `make bench`'s figures.

Usage: update_readme.py README.md EVAL.json IMPL.json [--date D] [--machine M]

EVAL.json is bench_eval.py's --json output (W1 as whole processes against
PyTorch float64, and P2), IMPL.json bench_impl.py's (the 432-shape
implementation claim).  The table replaces what stands between the lines
BEGIN and END below in README.md; nothing else in the file changes.  A
figure that is missing (PyTorch not installed, a JSON not written) is
shown as "not measured", never guessed.  --date and --machine override
today's date and the machine read from /proc/cpuinfo (the tests use
them to get a fixed text).
"""
import datetime
import json
import os
import sys

BEGIN = "<!-- bench table: written by `make bench` (bench/update_readme.py) -->"
END = "<!-- end of bench table -->"


def machine_name():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %d cores" % (model, os.cpu_count() or 1)


def ratio_row(target, goal, num, den, unit, fmt_num="%.3f"):
    """A row 'num / den <= goal', or 'not measured'."""
    if num is None or den is None or den <= 0:
        return "| %s | <= %g | not measured | - |" % (target, goal)
    r = num / den
    measured = ("%.2f (" + fmt_num + " %s / " + fmt_num + " %s)") % (r, num, unit, den, unit)
    return "| %s | <= %g | %s | %s |" % (target, goal, measured, "yes" if r <= goal else "no")


def seconds_row(target, goal, secs):
    if secs is None:
        return "| %s | <= %g s | not measured | - |" % (target, goal)
    return "| %s | <= %g s | %.2f s | %s |" % (target, goal, secs,
                                               "yes" if secs <= goal else "no")


def get(d, *keys):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def render(ev, im, date, machine):
    load = get(ev, "load_average") or get(im, "load_average")
    load_text = ("load average %.2f, %.2f, %.2f at the end" % tuple(load[:3])
                 if load else "load average not recorded")
    repeats = get(ev, "repeats")
    core = get(ev, "blas_core")
    if core:
        machine = "%s; OpenBLAS kernels %s" % (machine, core)
    default = None
    for row in (get(im, "rows") or []):
        if row.get("setting", "").startswith("default (--impl-batch"):
            default = row.get("best_s")
    lines = [
        BEGIN,
        "Measured by `make bench` on %s (%s; %s), whole processes, best of %s:"
        % (date, machine, load_text, repeats if repeats else "?"),
        "",
        "| target | goal | measured | met |",
        "|---|---|---|---|",
        ratio_row("W1, integer data: `convproof eval` process / PyTorch "
                  "float64's conv2d call", 2,
                  get(ev, "int", "convproof_s"), get(ev, "int", "torch_call_s"), "s"),
        ratio_row("W1, integer data: peak memory / the float64 tensors", 4,
                  get(ev, "int", "convproof_mb"), get(ev, "int", "float64_tensors_mb"),
                  "MB", "%.0f"),
        ratio_row("W1, float32 data, exact result: `convproof eval` process / "
                  "PyTorch float64's conv2d call", 3,
                  get(ev, "float32", "convproof_s"), get(ev, "float32", "torch_call_s"),
                  "s"),
        seconds_row("P2, a `random` claim at W1 (exercise 5-7): `convproof "
                    "check` process", 2, get(ev, "P2", "convproof_s")),
        seconds_row("the 432-shape implementation claim "
                    "(`bench/impl_course_432.proof`): `convproof check` process",
                    10, default),
        "",
        "Reproduce with `make bench` (it rewrites this table); the figures "
        "and how each was taken are in [docs/benchmarks.md](docs/benchmarks.md).",
        END,
    ]
    return "\n".join(lines)


def replace_block(text, table):
    start = text.find(BEGIN)
    end = text.find(END)
    if start < 0 or end < start or text.count(BEGIN) != 1 or text.count(END) != 1:
        raise SystemExit("update_readme.py: the README needs exactly one table "
                         "between the lines\n  %s\nand\n  %s" % (BEGIN, END))
    return text[:start] + table + text[end + len(END):]


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    readme, eval_json, impl_json = sys.argv[1:4]
    opts = dict(zip(sys.argv[4::2], sys.argv[5::2]))
    date = opts.get("--date", datetime.date.today().isoformat())
    machine = opts.get("--machine", machine_name())
    table = render(load_json(eval_json), load_json(impl_json), date, machine)
    with open(readme) as f:
        text = f.read()
    new = replace_block(text, table)
    if new != text:
        with open(readme, "w") as f:
            f.write(new)
    print(table)


if __name__ == "__main__":
    main()
