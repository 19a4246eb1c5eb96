#!/usr/bin/python3
"""PyTorch's torch.optim on the shapes, configurations and data of benchmarks/Gen.Benchmarks (Plan.cs, Workload.cs).

    /usr/bin/python3 benchmarks/peers/torch_optim.py [--quick | --dry] [--out FILE]

Run with Debian's python3-torch (1.13). Times opt.step() alone, call by call (assigning p.grad happens outside the
timed region), after a warm-up, and reports the median: RMSProp "Plain" and "CenteredMomentum" at every size on 1
thread and on PyTorch's default thread count (or every core, when that is 1); the family at 64K and 16M on 1 thread.
Every implementation PyTorch has on the CPU: foreach=False (1.13's CPU default), foreach=True, and fused=True where
the class accepts it (refusals are recorded). PyTorch 1.13 has neither Schedule-Free, AdEMAMix nor ADOPT: they run as
their reference files restated in torch 1.13 tensor operations (tests/Gen.Optimizers.Tests/Golden/make_second_opinion.py,
the for-loop form their references have; foreach and fused are recorded as refused). Parameters and gradient A come from the C# counter hash bit for bit,
gradient B = -A, steps alternate. Also records the MLP's parameters after four steps as float32 bit patterns, for the
cross-check in Report.cs.
"""

import argparse
import importlib.util
import json
import math
import os
import platform
import re
import statistics
import time

import numpy as np
import torch

SHAPES = {"P4K": [(4096,)], "P64K": [(65536,)], "P1M": [(1048576,)], "P16M": [(16777216,)],
          "Mlp": [(32, 64), (64,), (64, 64), (64,), (64, 32), (32,), (32, 4), (4,)]}
# Gen.Benchmarks' Config -> (torch.optim class, arguments): the hyperparameters of Models.cs.
CONFIGS = {
    "Plain": ("RMSprop", dict(lr=0.01, alpha=0.99, eps=1e-8)),
    "CenteredMomentum": ("RMSprop", dict(lr=0.01, alpha=0.99, eps=1e-8, centered=True, momentum=0.9)),
    "SgdMomentum": ("SGD", dict(lr=0.01, momentum=0.9)),
    "Adagrad": ("Adagrad", {}), "Adam": ("Adam", {}), "AdamW": ("AdamW", {}), "Adadelta": ("Adadelta", {}), "Lion": ("Lion", {}),
    "NAdam": ("NAdam", {}), "RAdam": ("RAdam", {}), "Adamax": ("Adamax", {}),
    "Rprop": ("Rprop", {}), "Asgd": ("ASGD", dict(t0=0.0)),
    "ScheduleFreeAdamW": ("ScheduleFreeAdamW", {}), "ScheduleFreeSgd": ("ScheduleFreeSgd", {}), "AdEMAMix": ("AdEMAMix", {}), "Adopt": ("Adopt", {}),
    "Lamb": ("Lamb", {}), "Lars": ("Lars", {}), "Adafactor": ("Adafactor", {}),
}
FAMILY = ["SgdMomentum", "Adagrad", "Adam", "AdamW", "Adadelta", "Lion", "NAdam", "RAdam", "Adamax", "Rprop", "Asgd", "ScheduleFreeAdamW", "ScheduleFreeSgd", "AdEMAMix", "Adopt", "Lamb", "Lars", "Adafactor"]


def restated():
    """The optimizers torch.optim lacks, restated from their reference files (the second opinion of the tests)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "Gen.Optimizers.Tests", "Golden", "make_second_opinion.py")
    spec = importlib.util.spec_from_file_location("make_second_opinion", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: getattr(module, name) for name in ("ScheduleFreeAdamW", "ScheduleFreeSgd", "AdEMAMix", "Adopt")}


RESTATED = restated()
VARIANTS = {"for-loop": dict(foreach=False), "foreach": dict(foreach=True), "fused": dict(fused=True)}


def values(count, seed):
    """Workload.Value: MurmurHash3's finalizer of i + seed*phi, as float32 in [-1, 1)."""
    h = ((np.arange(count, dtype=np.uint64) + np.uint64((seed * 0x9E3779B9) & 0xFFFFFFFF)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return (2.0 * (h.astype(np.float64) / 4294967296.0) - 1.0).astype(np.float32)


def make(shape, config, variant):
    """An optimizer over fresh parameters, and its gradients A and B (as in Workload.cs)."""
    params, grads = [], ([], [])
    for k, s in enumerate(SHAPES[shape]):
        params.append(torch.nn.Parameter(torch.from_numpy(values(math.prod(s), 1 + 10 * k).reshape(s))))
        g = torch.from_numpy(values(math.prod(s), 2 + 10 * k).reshape(s))
        grads[0].append(g)
        grads[1].append(-g)
    class_name, kwargs = CONFIGS[config]
    if class_name in RESTATED:
        if variant != "for-loop":
            raise TypeError(f"the restated {class_name} has only its reference's for-loop form")
        return RESTATED[class_name](params, **kwargs), params, grads
    return getattr(torch.optim, class_name)(params, **kwargs, **VARIANTS[variant]), params, grads


def set_grads(params, grads):
    for p, g in zip(params, grads):
        p.grad = g


def why_not(config, variant):
    """None if PyTorch runs this implementation on the CPU, else why not."""
    try:
        opt, params, grads = make("Mlp", config, variant)
        set_grads(params, grads[0])
        opt.step()
        return None
    except (AttributeError, RuntimeError, TypeError, ValueError) as e:
        return f"{type(e).__name__}: {e}"


def median_step_ns(shape, config, variant, threads, min_reps, min_seconds, max_reps):
    torch.set_num_threads(threads)
    opt, params, grads = make(shape, config, variant)
    samples, n, start = [], 0, time.perf_counter()
    while n < 3 or (time.perf_counter() - start < 0.2 and n < max_reps):   # warm-up
        set_grads(params, grads[n & 1])
        opt.step()
        n += 1
    start = time.perf_counter()
    while len(samples) < max_reps and (len(samples) < min_reps or time.perf_counter() - start < min_seconds):
        set_grads(params, grads[(n + len(samples)) & 1])
        t0 = time.perf_counter_ns()
        opt.step()
        samples.append(time.perf_counter_ns() - t0)
    return statistics.median(samples), all(bool(torch.isfinite(p).all()) for p in params)


def mlp_bits(config, variant):
    """The MLP's parameters after four steps (A, B, A, B), as int32 bit patterns in row-major order."""
    torch.set_num_threads(1)
    opt, params, grads = make("Mlp", config, variant)
    for n in range(4):
        set_grads(params, grads[n & 1])
        opt.step()
    return [b for p in params for b in p.detach().contiguous().view(-1).numpy().view(np.int32).tolist()]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="fewer repetitions, to check the pipeline")
    mode.add_argument("--dry", action="store_true", help="the dry run's shapes, three repetitions")
    parser.add_argument("--out", default=os.path.join("benchmarks", "artifacts", "torch.json"))
    args = parser.parse_args()

    default_threads, cores = torch.get_num_threads(), os.cpu_count() or 1
    threads = [("1 thread", 1)] + ([(f"default, {default_threads} threads", default_threads)] if default_threads != 1
                                   else [(f"all cores, {cores} threads", cores)] if cores > 1 else [])
    # Plan.cs: the dry run has RMSProp at 4K and the MLP, the family at 64K.
    rmsprop_shapes, family_shapes = (["P4K", "Mlp"], ["P64K"]) if args.dry else (list(SHAPES), ["P64K", "P16M"])
    reps = (3, 0.0, 3) if args.dry else (5, 0.2, 200) if args.quick else (15, 1.0, 2000)
    available = {c: {v: why_not(c, v) for v in VARIANTS} for c in CONFIGS}
    plan = [(s, c, threads) for s in rmsprop_shapes for c in ["Plain", "CenteredMomentum"]]
    plan += [(s, c, threads[:1]) for c in FAMILY for s in family_shapes]

    results = []
    for shape, config, thread_counts in plan:
        for label, count in thread_counts:
            for variant in (v for v in VARIANTS if available[config][v] is None):
                median, finite = median_step_ns(shape, config, variant, count, *reps)
                results.append(dict(shape=shape, config=config, variant=variant, threads=count, threads_label=label, median_ns=median, finite=finite))
                print(f"  {shape:5} {config:16} threads={count} {variant:8} median {median / 1e3:10.1f} us", flush=True)
    torch.set_num_threads(default_threads)

    capability = re.search(r"CPU capability usage: (\S+)", torch.__config__.show())
    document = dict(
        torch_version=torch.__version__, numpy_version=np.__version__, python_version=platform.python_version(),
        cpu_capability=capability.group(1) if capability else "unknown", default_threads=default_threads,
        mode="dry" if args.dry else "quick" if args.quick else "full", classes={c: CONFIGS[c][0] for c in CONFIGS},
        unavailable={c: {v: why for v, why in variants.items() if why} for c, variants in available.items()},
        results=results,
        mlp_parameter_bits={c: {v: mlp_bits(c, v) for v, why in variants.items() if not why} for c, variants in available.items()})
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(document, f)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
