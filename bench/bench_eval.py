"""Whole-process `convproof eval` of exercise 5-4's layer W1 against PyTorch.

Usage: bench_eval.py CONVPROOF [--repeats R] [--threads T] [--dir DIR]
                     [--json FILE]

W1 is conv2d of a 1x256x100x100 input with 256 3x3 kernels, padding 1.
Two kinds of data, written once as .npy files into DIR:
  int     integers in [-8, 8] stored as float64 (what a float64 model
          holding small integers saves);
  float32 standard normal float32 values (the data of anyone testing a
          real implementation); the exact result is computed and written
          correctly rounded (--out-rounded).
For each kind this runs, in one go so that both see the same machine load:
  - PyTorch float64: the conv2d call alone (in this process, tensors
    already in memory; best of R), and a whole process that loads the
    .npy files, calls conv2d and saves the result (best of R);
  - convproof: the whole process `convproof eval 'conv2d(X, K, padding=1)'
    --let X=x.npy --let K=k.npy --out y.npy` (best of R wall seconds, and
    its peak resident memory from wait4).
It checks that convproof's result is PyTorch's bit for bit on integer data,
and, on float32 data, that the correctly rounded exact result is within
PyTorch's float64 rounding error of PyTorch's result.
Then P2: the whole process `convproof check` of a claim `by
random(trials=1)` at W1's size, exercise 5-7's adjoint identity (best of
R, peak memory).
Prints one Markdown table row per data kind, P2, and the load average;
with --json, also writes every figure to FILE (bench/update_readme.py
makes the README's table from it).
"""
import json
import os
import subprocess
import sys
import time

import numpy as np


def run_child(argv):
    """Wall seconds and peak RSS (MB) of one child process; raises on a
    non-zero exit.  The child runs under /usr/bin/time: a child forked
    from this (large) Python process would count the parent's pages in
    its own peak."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "@@ %M"] + argv,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    err = proc.stderr.decode()
    if proc.returncode != 0:
        raise RuntimeError("%s exited with %d: %s" % (argv[0], proc.returncode, err))
    kb = [line for line in err.splitlines() if line.startswith("@@ ")][-1]
    return wall, int(kb.split()[1]) / 1024.0


TORCH_PROCESS = r"""
import sys
import numpy as np
import torch
import torch.nn.functional as F
torch.set_num_threads(int(sys.argv[1]))
x = torch.from_numpy(np.load(sys.argv[2]).astype(np.float64))
k = torch.from_numpy(np.load(sys.argv[3]).astype(np.float64))
np.save(sys.argv[4], F.conv2d(x, k, padding=1).numpy())
"""


P2_PROOF = """claim "W1: the backward pass is the adjoint of the forward pass" {
  tensor X[1, 256, 100, 100]
  tensor K[256, 256, 3, 3]
  tensor G[1, 256, 100, 100]
  show sum(conv2d(X, K, padding=1) * G) == sum(X * conv2d_backward_input(X, K, G, padding=1))
  by random(trials=1)
}
"""


def main():
    convproof = sys.argv[1]
    args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
    repeats = int(args.get("--repeats", "2"))
    threads = int(args.get("--threads", "2"))
    workdir = args.get("--dir", "bench-data")
    os.makedirs(workdir, exist_ok=True)
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(threads)

    rng = np.random.default_rng(5)
    kinds = {
        "int": (rng.integers(-8, 9, (1, 256, 100, 100)).astype(np.float64),
                rng.integers(-8, 9, (256, 256, 3, 3)).astype(np.float64)),
        "float32": (rng.standard_normal((1, 256, 100, 100)).astype(np.float32),
                    rng.standard_normal((256, 256, 3, 3)).astype(np.float32)),
    }
    script = os.path.join(workdir, "torch_w1.py")
    with open(script, "w") as f:
        f.write(TORCH_PROCESS)
    print("| W1 data | PyTorch float64 conv2d call: s | PyTorch float64 whole "
          "process: s, MB | convproof eval whole process: s, MB | ratio to the "
          "call | ratio to the process | memory / float64 tensors |")
    print("|---|---|---|---|---|---|---|")
    figures = {"repeats": repeats, "threads": threads}
    for kind, (x, k) in kinds.items():
        xp, kp = os.path.join(workdir, "x_%s.npy" % kind), os.path.join(workdir, "k_%s.npy" % kind)
        np.save(xp, x)
        np.save(kp, k)
        # PyTorch: the call, then the whole process
        xt, kt = torch.from_numpy(x.astype(np.float64)), torch.from_numpy(k.astype(np.float64))
        F.conv2d(xt, kt, padding=1)   # warm up
        call = min(timed(lambda: F.conv2d(xt, kt, padding=1)) for _ in range(repeats))
        expected = F.conv2d(xt, kt, padding=1).numpy()
        yt = os.path.join(workdir, "y_torch_%s.npy" % kind)
        tp = [run_child([sys.executable, script, str(threads), xp, kp, yt])
              for _ in range(repeats)]
        torch_proc, torch_mb = min(t for t, _ in tp), max(m for _, m in tp)
        # convproof
        yc = os.path.join(workdir, "y_convproof_%s.npy" % kind)
        out = ["--out", yc] if kind == "int" else ["--out-rounded", yc]
        runs = [run_child([convproof, "eval", "conv2d(X, K, padding=1)",
                           "--let", "X=" + xp, "--let", "K=" + kp] + out)
                for _ in range(repeats)]
        secs, mb = min(t for t, _ in runs), max(m for _, m in runs)
        got = np.load(yc)
        if kind == "int":
            assert np.array_equal(got, expected), "W1 int: results differ"
        else:
            # PyTorch's float64 sums of 2304 products of float32 values:
            # error below 2304 * 2^-53 * sum|products|, far above the
            # exact result's half-ulp rounding.
            bound = 2304 * 2.0 ** -52 * F.conv2d(xt.abs(), kt.abs(), padding=1).numpy()
            assert np.all(np.abs(got - expected) <= bound), "W1 float32: results differ"
        tensors_mb = (x.size + k.size + expected.size) * 8 / 2 ** 20
        print("| %s | %.3f | %.3f, %.0f | %.3f, %.0f | %.2f | %.2f | %.1f |" % (
            kind, call, torch_proc, torch_mb, secs, mb, secs / call,
            secs / torch_proc, mb / tensors_mb), flush=True)
        figures[kind] = {"torch_call_s": call, "torch_process_s": torch_proc,
                         "torch_process_mb": torch_mb, "convproof_s": secs,
                         "convproof_mb": mb, "float64_tensors_mb": tensors_mb}
    p2 = os.path.join(workdir, "p2.proof")
    with open(p2, "w") as f:
        f.write(P2_PROOF)
    runs = [run_child([convproof, "check", p2]) for _ in range(repeats)]
    p2_secs, p2_mb = min(t for t, _ in runs), max(m for _, m in runs)
    print("\nP2, a `random` claim at W1 (whole `convproof check` process): "
          "%.3f s, %.0f MB" % (p2_secs, p2_mb))
    figures["P2"] = {"convproof_s": p2_secs, "convproof_mb": p2_mb}
    figures["load_average"] = list(os.getloadavg())
    figures["blas_core"] = blas_core()
    print("OpenBLAS kernels: %s" % figures["blas_core"])
    print("\nload average: %.2f %.2f %.2f; float64 tensors X, K, Y: %.0f MB"
          % (os.getloadavg() + (tensors_mb,)))
    if "--json" in args:
        with open(args["--json"], "w") as f:
            json.dump(figures, f, indent=1)


def blas_core():
    """The kernels OpenBLAS chose on this machine (PyTorch and convproof
    load the same library, so both run them), or None.  OpenBLAS picks
    them from the CPU it recognises, or from OPENBLAS_CORETYPE; a CPU newer
    than the library falls back to generic ones, several times slower."""
    try:
        import ctypes
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return None


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
