"""PyTorch float64 side of bench/bench_exact: times the same workloads.

Usage: bench_torch.py THREADS REPEATS WORKLOAD...
Prints one line "NAME SECONDS CPU_SECONDS" per workload (the best of
REPEATS runs; CPU time of all threads), or "NAME unavailable" when torch
cannot be imported.  Inputs are integers in
[-8, 8], as in bench_exact; building them is not timed.
"""
import sys
import time


def best_of(repeats, fn):
    """Best wall-clock time and best CPU time (all threads) of the runs."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    return best, best_cpu


def workloads(torch, F):
    def ints(*shape):
        return torch.randint(-8, 9, shape, dtype=torch.float64)

    def layer(n, c, o, h, stride, padding):
        x, k = ints(n, c, h, h), ints(o, c, 3, 3)
        y = F.conv2d(x, k, stride=stride, padding=padding)
        g = ints(*y.shape)

        def run():
            F.conv2d(x, k, stride=stride, padding=padding)
            # the three backward passes, as autograd runs them
            torch.nn.grad.conv2d_input(x.shape, k, g, stride=stride, padding=padding)
            torch.nn.grad.conv2d_weight(x, k.shape, g, stride=stride, padding=padding)
            g.sum(dim=(0, 2, 3))
        return run

    x1, k1 = ints(1, 256, 100, 100), ints(256, 256, 3, 3)
    k2a, k2b = ints(64, 256, 1, 1), ints(256, 64, 3, 3)

    def w1():
        F.conv2d(x1, k1, padding=1)

    def w2():
        F.conv2d(F.conv2d(x1, k2a), k2b, padding=1)

    def w5():
        # the explicit matrix of a 32x32 input and a 3x3 kernel: the
        # response to each of the 1024 unit inputs, then its transpose
        # applied to a gradient against the backward pass
        k = ints(1, 1, 3, 3)
        eye = torch.eye(1024, dtype=torch.float64).reshape(1024, 1, 32, 32)
        cols = F.conv2d(eye, k, padding=1).reshape(1024, 1024)
        g = ints(1, 1, 32, 32)
        via_matrix = cols @ g.reshape(1024)
        via_backward = torch.nn.grad.conv2d_input((1, 1, 32, 32), k, g, padding=1)
        assert torch.equal(via_matrix, via_backward.reshape(1024))

    return {
        "W1": w1,
        "W2": w2,
        "W3": layer(8, 16, 16, 32, 1, 1),
        "W4": layer(8, 16, 16, 31, 2, 2),
        "W5": w5,
    }


def main():
    threads, repeats = int(sys.argv[1]), int(sys.argv[2])
    names = sys.argv[3:]
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        for name in names:
            print(name, "unavailable unavailable", flush=True)
        return
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    table = workloads(torch, F)
    for name in names:
        table[name]()   # warm up (first-call allocations, thread start)
        print(name, "%.6f %.6f" % best_of(repeats, table[name]), flush=True)


if __name__ == "__main__":
    main()
