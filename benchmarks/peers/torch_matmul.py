#!/usr/bin/python3
"""PyTorch's matrix products on the shapes of Muon's Newton-Schulz iteration (benchmarks/Gen.Benchmarks/Matrix.cs).

    /usr/bin/python3 benchmarks/peers/torch_matmul.py [--quick | --dry] [--label LABEL] [--out FILE]

Run with Debian's python3-torch (1.13) on one thread. For an m x n member (m <= n): the iteration's three products as
torch.mm computes them, X @ X.T (m x m, depth n), A @ A (m x m, depth m) and B @ X (m x n, depth m), and the whole
orthogonalization as PyTorch 2.9's Muon writes it (_zeropower_via_newtonschulz with use_addmm=False), in float32 where
Muon casts to bfloat16 (1.13 has no fast bfloat16 matmul on the CPU, and Gen iterates in float32). Times each call after
a warm-up and reports the median.

torch.mm calls the BLAS libtorch_cpu.so was linked against: on Debian that is libblas.so.3, which the alternatives system
points at the reference BLAS (libblas3) unless an optimized one is installed. The script records the BLAS library the
process actually loaded (/proc/self/maps), so the same script run with LD_LIBRARY_PATH pointing at OpenBLAS's directory
(libopenblas0-pthread, unpacked without installing it, so the machine's default stays as it is) makes a second row.
"""

import argparse
import json
import os
import platform
import re
import statistics
import time

import numpy as np
import torch

SHAPES = [(256, 1024), (512, 512), (1024, 1024)]
DRY_SHAPES = [(16, 64), (32, 32)]
A, B, C, EPS, STEPS = 3.4445, -4.7750, 2.0315, 1e-7, 5


def newton_schulz(g):
    """PyTorch 2.9's _zeropower_via_newtonschulz (use_addmm=False), in float32."""
    x = g.float()
    if g.size(0) > g.size(1):
        x = x.T
    x = x.div(x.norm().clamp(min=EPS))
    for _ in range(STEPS):
        gram = x @ x.T
        update = B * gram + C * gram @ gram
        x = A * x + update @ x
    if g.size(0) > g.size(1):
        x = x.T
    return x


def rows(m, n, rng):
    """The timed calls for an m x n member, each a zero-argument function."""
    def matrix(r, c):
        return torch.from_numpy(rng.uniform(-1, 1, size=(r, c)).astype(np.float32))
    x, gram, update, g = matrix(m, n), matrix(m, m), matrix(m, m), matrix(m, n)
    return {
        "Gram": lambda: torch.mm(x, x.T),
        "GramSquare": lambda: torch.mm(gram, gram),
        "Apply": lambda: torch.mm(update, x),
        "NewtonSchulz": lambda: newton_schulz(g),
    }


def flops(row, m, n):
    return {"Gram": 2 * m * m * n, "GramSquare": 2 * m ** 3, "Apply": 2 * m * m * n, "NewtonSchulz": STEPS * (4 * m * m * n + 2 * m ** 3)}[row]


def median_ns(call, min_reps, min_seconds, max_reps):
    for _ in range(2):   # warm-up
        call()
    samples, start = [], time.perf_counter()
    while len(samples) < max_reps and (len(samples) < min_reps or time.perf_counter() - start < min_seconds):
        t0 = time.perf_counter_ns()
        call()
        samples.append(time.perf_counter_ns() - t0)
    return statistics.median(samples), len(samples)


def loaded_blas():
    """The BLAS and LAPACK libraries this process mapped, as paths."""
    with open("/proc/self/maps") as maps:
        return sorted({line.split()[-1] for line in maps if re.search(r"blas|lapack|mkl", line.split()[-1] if line.split() else "")})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="fewer repetitions, to check the pipeline")
    mode.add_argument("--dry", action="store_true", help="small shapes, three repetitions")
    parser.add_argument("--label", default=None, help="names the BLAS in the report (default: from the loaded library)")
    parser.add_argument("--out", default=os.path.join("benchmarks", "artifacts", "torch-matmul.json"))
    args = parser.parse_args()

    torch.set_num_threads(1)
    shapes = DRY_SHAPES if args.dry else SHAPES
    reps = (3, 0.0, 3) if args.dry else (3, 1.0, 50) if args.quick else (5, 4.0, 500)
    rng = np.random.default_rng(20261207)
    with open("/proc/loadavg") as f:
        load_before = " ".join(f.read().split()[:3])
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    results = []
    for m, n in shapes:
        for row, call in rows(m, n, rng).items():
            median, count = median_ns(call, *reps)
            results.append(dict(rows=m, columns=n, row=row, median_ns=median, samples=count, flops=flops(row, m, n)))
            print(f"  {m}x{n} {row:12} median {median / 1e6:10.3f} ms  {flops(row, m, n) / median:7.2f} GFLOP/s", flush=True)

    with open("/proc/loadavg") as f:
        load_after = " ".join(f.read().split()[:3])
    blas = loaded_blas()
    label = args.label or ("OpenBLAS" if any("openblas" in path for path in blas) else "reference BLAS" if blas else "unknown BLAS")
    capability = re.search(r"CPU capability usage: (\S+)", torch.__config__.show())
    document = dict(
        label=label, blas=blas, ld_library_path=os.environ.get("LD_LIBRARY_PATH", ""),
        openblas_num_threads=os.environ.get("OPENBLAS_NUM_THREADS", ""), torch_version=torch.__version__,
        cpu_capability=capability.group(1) if capability else "unknown", threads=torch.get_num_threads(),
        python_version=platform.python_version(), numpy_version=np.__version__, mode="dry" if args.dry else "quick" if args.quick else "full",
        started=started, ended=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), load_average_before=load_before,
        load_average_after=load_after, cpus=os.cpu_count(), results=results)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(document, f, indent=1)
    print(f"wrote {args.out} ({label}: {', '.join(blas) or 'no BLAS mapped'})")


if __name__ == "__main__":
    main()
