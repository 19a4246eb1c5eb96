#!/usr/bin/python3
"""PyTorch's own torch.optim optimizers on the shapes and configurations of benchmarks/Gen.Benchmarks.

Run with the system Python that has Debian's python3-torch (1.13), from the repository root:

    /usr/bin/python3 benchmarks/peers/torch_optim.py [--quick | --dry] [--out FILE]

It times opt.step() for the configurations of Gen.Benchmarks' plan (Plan.cs), with the same names:
  * RMSProp, "Plain" (PyTorch's defaults lr=0.01, alpha=0.99, eps=1e-8) and "CenteredMomentum" (the
    same with centered=True, momentum=0.9), at 4,096 / 65,536 / 1,048,576 / 16,777,216 parameters in
    one tensor and the small MLP (32x64, 64, 64x64, 64, 64x32, 32, 32x4, 4: 8 tensors, 8,484 parameters);
    on 1 thread and on PyTorch's default thread count (plus every core, when the default is 1);
  * the family at 65,536 and 16,777,216 parameters, on 1 thread: "SgdMomentum" (SGD, lr=0.01,
    momentum=0.9), "Adagrad", "Adam", "AdamW", "Adadelta" with their defaults; "Lion" has no class in
    PyTorch 1.13, which the output records instead of a row;
  * every implementation PyTorch offers on the CPU: foreach=False (the per-tensor for-loop, 1.13's CPU
    default), foreach=True, and fused=True where the class accepts it for CPU tensors (each class is
    probed, and the refusal is recorded: 1.13's fused Adam is CUDA-only, its AdamW has no fused).

The data are those of the C# benchmarks, bit for bit (Workload.cs): parameters and gradient A from
the same uint32 counter hash, gradient B = -A, steps alternating A, B, A, ... Assigning p.grad
happens between steps, outside the timed region; opt.step() is timed alone, call by call, with
time.perf_counter_ns. Timing: warm-up steps first (at least 3, and at least 0.2 s), then
repetitions until both a minimum count and a minimum time are reached; the figure reported is the
median step time, with the 10th and 90th percentiles.

It also records, for the cross-check in benchmarks/merge_results.py, the MLP parameters after four
steps (A, B, A, B) as float32 bit patterns, for every configuration with a PyTorch class and every
implementation.

Output: one JSON document (default benchmarks/artifacts/torch.json).
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import statistics
import sys
import time

import numpy as np
import torch

SHAPES = {
    "P4K": [(4096,)],
    "P64K": [(65536,)],
    "P1M": [(1048576,)],
    "P16M": [(16777216,)],
    "Mlp": [(32, 64), (64,), (64, 64), (64,), (64, 32), (32,), (32, 4), (4,)],
}

# Configuration name (Gen.Benchmarks' Config enum) -> (class name in torch.optim, keyword arguments).
CONFIGS = {
    "Plain": ("RMSprop", dict(lr=0.01, alpha=0.99, eps=1e-8)),
    "CenteredMomentum": ("RMSprop", dict(lr=0.01, alpha=0.99, eps=1e-8, centered=True, momentum=0.9)),
    "SgdMomentum": ("SGD", dict(lr=0.01, momentum=0.9)),
    "Adagrad": ("Adagrad", {}),
    "Adam": ("Adam", {}),
    "AdamW": ("AdamW", {}),
    "Adadelta": ("Adadelta", {}),
    "Lion": ("Lion", {}),
}
RMSPROP = ["Plain", "CenteredMomentum"]
FAMILY = ["SgdMomentum", "Adagrad", "Adam", "AdamW", "Adadelta", "Lion"]

CROSS_CHECK_STEPS = 4


def values(count, seed):
    """Workload.Value in C#: MurmurHash3's finalizer of i + seed*phi, as float32 in [-1, 1)."""
    h = (np.arange(count, dtype=np.uint64) + np.uint64((seed * 0x9E3779B9) & 0xFFFFFFFF)) & np.uint64(0xFFFFFFFF)
    h = h.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return (2.0 * (h.astype(np.float64) / 4294967296.0) - 1.0).astype(np.float32)


def make(shape_name):
    """Parameters, gradient A and gradient B (= -A) of every tensor, as in Workload.cs."""
    params, grads_a, grads_b = [], [], []
    for k, shape in enumerate(SHAPES[shape_name]):
        count = math.prod(shape)
        p = torch.from_numpy(values(count, 1 + 10 * k).reshape(shape))
        g = torch.from_numpy(values(count, 2 + 10 * k).reshape(shape))
        params.append(torch.nn.Parameter(p))
        grads_a.append(g)
        grads_b.append(-g)
    return params, grads_a, grads_b


def set_grads(params, grads):
    for p, g in zip(params, grads):
        p.grad = g


def variant_kwargs(variant):
    return {"for-loop": dict(foreach=False), "foreach": dict(foreach=True), "fused": dict(fused=True)}[variant]


def optimizer(config_name, params, variant):
    class_name, kwargs = CONFIGS[config_name]
    return getattr(torch.optim, class_name)(params, **kwargs, **variant_kwargs(variant))


def availability():
    """{config: {variant: None if PyTorch runs it on the CPU, else why not}}, by trying each on a tiny tensor."""
    out = {}
    for config_name, (class_name, _) in CONFIGS.items():
        out[config_name] = {}
        for variant in ("for-loop", "foreach", "fused"):
            if not hasattr(torch.optim, class_name):
                out[config_name][variant] = f"PyTorch {torch.__version__} has no torch.optim.{class_name}"
                continue
            try:
                p = torch.nn.Parameter(torch.zeros(4))
                p.grad = torch.ones(4)
                optimizer(config_name, [p], variant).step()
                out[config_name][variant] = None
            except (RuntimeError, TypeError, ValueError) as e:
                out[config_name][variant] = f"{type(e).__name__}: {e}"
    return out


def time_case(shape_name, config_name, variant, threads, min_reps, min_seconds, max_reps):
    torch.set_num_threads(threads)
    params, grads_a, grads_b = make(shape_name)
    opt = optimizer(config_name, params, variant)
    grads = (grads_a, grads_b)
    step = 0

    warm_start = time.perf_counter()
    while step < 3 or (time.perf_counter() - warm_start < 0.2 and step < max_reps):
        set_grads(params, grads[step & 1])
        opt.step()
        step += 1

    samples = []
    start = time.perf_counter()
    while len(samples) < max_reps and (len(samples) < min_reps or time.perf_counter() - start < min_seconds):
        set_grads(params, grads[step & 1])
        t0 = time.perf_counter_ns()
        opt.step()
        t1 = time.perf_counter_ns()
        samples.append(t1 - t0)
        step += 1

    samples.sort()
    finite = all(bool(torch.isfinite(p).all()) for p in params)
    return {
        "shape": shape_name,
        "config": config_name,
        "variant": variant,
        "threads": threads,
        "parameters": sum(p.numel() for p in params),
        "tensors": len(params),
        "median_ns": statistics.median(samples),
        "p10_ns": samples[len(samples) // 10],
        "p90_ns": samples[(len(samples) * 9) // 10],
        "min_ns": samples[0],
        "reps": len(samples),
        "finite": finite,
    }


def cross_check(config_name, variant):
    """The MLP's parameters after four steps, as int32 bit patterns in row-major order."""
    torch.set_num_threads(1)
    params, grads_a, grads_b = make("Mlp")
    opt = optimizer(config_name, params, variant)
    for step in range(CROSS_CHECK_STEPS):
        set_grads(params, (grads_a, grads_b)[step & 1])
        opt.step()
    bits = []
    for p in params:
        bits.extend(p.detach().contiguous().view(-1).numpy().view(np.int32).tolist())
    return bits


def cpu_capability():
    match = re.search(r"CPU capability usage: (\S+)", torch.__config__.show())
    return match.group(1) if match else "unknown"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="fewer repetitions, to check the pipeline")
    mode.add_argument("--dry", action="store_true", help="the dry run's shapes, three repetitions: proves the script runs")
    parser.add_argument("--out", default=os.path.join("benchmarks", "artifacts", "torch.json"))
    args = parser.parse_args()

    default_threads = torch.get_num_threads()
    cores = os.cpu_count() or 1
    thread_counts = [("1 thread", 1)]
    if default_threads != 1:
        thread_counts.append((f"default, {default_threads} threads", default_threads))
    elif cores > 1:
        # PyTorch's default here is one thread already; add every core so a parallel run is measured too.
        thread_counts.append((f"all cores, {cores} threads", cores))

    # The shapes of Gen.Benchmarks' Plan.cs (dry: RMSProp at 4K and the MLP, the family at 64K).
    if args.dry:
        rmsprop_shapes, family_shapes, min_reps, min_seconds, max_reps = ["P4K", "Mlp"], ["P64K"], 3, 0.0, 3
    elif args.quick:
        rmsprop_shapes, family_shapes, min_reps, min_seconds, max_reps = list(SHAPES), ["P64K", "P16M"], 5, 0.2, 200
    else:
        rmsprop_shapes, family_shapes, min_reps, min_seconds, max_reps = list(SHAPES), ["P64K", "P16M"], 15, 1.0, 2000

    available = availability()
    plan = [(shape, config, thread_counts) for shape in rmsprop_shapes for config in RMSPROP]
    plan += [(shape, config, thread_counts[:1]) for config in FAMILY for shape in family_shapes]

    results = []
    for shape_name, config_name, threads_list in plan:
        for label, threads in threads_list:
            for variant in ("for-loop", "foreach", "fused"):
                if available[config_name][variant] is not None:
                    continue
                r = time_case(shape_name, config_name, variant, threads, min_reps, min_seconds, max_reps)
                r["threads_label"] = label
                results.append(r)
                print(f"  {shape_name:5} {config_name:16} threads={threads} {variant:8} "
                      f"median {r['median_ns'] / 1e3:10.1f} us  ({r['median_ns'] / r['parameters']:.3f} ns/param, {r['reps']} reps)",
                      flush=True)
    torch.set_num_threads(default_threads)

    document = {
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "cpu_capability": cpu_capability(),
        "cpu_model": cpu_model(),
        "cpu_count": cores,
        "default_threads": default_threads,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "mode": "dry" if args.dry else "quick" if args.quick else "full",
        "classes": {config: CONFIGS[config][0] for config in CONFIGS},
        "unavailable": {config: {v: why for v, why in variants.items() if why is not None} for config, variants in available.items()},
        "results": results,
        "cross_check_steps": CROSS_CHECK_STEPS,
        "mlp_parameter_bits": {
            config: {variant: cross_check(config, variant) for variant, why in variants.items() if why is None}
            for config, variants in available.items()
        },
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(document, f)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    sys.exit(main())
