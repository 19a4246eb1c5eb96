#!/usr/bin/python3
"""Makes clip.json: PyTorch's own torch.nn.utils.clip_grad_norm_ and clip_grad_value_ results, the
golden data of tests/Gen.Runtime.Tests/ClipGoldenTests.cs.

Run from the repository root, with the system Python that has Debian's python3-torch:

    /usr/bin/python3 tests/Gen.Runtime.Tests/Golden/make_clip_golden.py

Made with torch 1.13.0a0 (Debian python3-torch 1.13.1+dfsg); the JSON records torch.__version__.
The tests never run PyTorch: commit this script together with the clip.json it writes, and rerun it
only when a case is added or changed.

Every case has two gradient tensors, "A" of shape [37] (SIMD main loops and tails at every vector
width) and "B" of shape [3, 5], with the dtypes the case names (the mixed case has a float32 A and a
float64 B, as in ClipMixed in the tests). For each case the same gradients go through
clip_grad_norm_ with several max_norm values (recording the returned total norm and the clipped
gradients) and through clip_grad_value_ with several clip values (recording the clamped gradients),
each time starting from the recorded gradients.

Deterministic: a fixed torch.manual_seed per case, one thread. Arrays are flattened in row-major
order. Finite numbers are written as Python's float(x), whose repr is the shortest form that
round-trips (a float32 value converted to a Python float is exact); NaN and +-infinity, which JSON
cannot hold, are written as the strings "NaN", "Infinity" and "-Infinity"; -0.0 is written as -0.0.
"""

import json
import math
import os

import torch
from torch.nn.utils import clip_grad_norm_, clip_grad_value_

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "clip.json")
SHAPES = (("A", (37,)), ("B", (3, 5)))
MAX_NORMS = (0.0, 0.5, 1.0, 5.0, 1e3)
CLIP_VALUES = (0.0, 0.1, 0.5, 2.0)

F32 = torch.float32
F64 = torch.float64

# (name, dtype of A, dtype of B, seed, gradient scale, {(tensor name, flat index): planted value})
CASES = (
    ("Normal32", F32, F32, 2001, 1.0, {}),
    ("Large32", F32, F32, 2002, 100.0, {}),
    ("Tiny32", F32, F32, 2003, 1e-4, {}),
    ("Normal64", F64, F64, 2004, 1.0, {}),
    ("Large64", F64, F64, 2005, 100.0, {}),
    ("Tiny64", F64, F64, 2006, 1e-4, {}),
    ("Mixed", F32, F64, 2007, 1.0, {}),
    ("NaN32", F32, F32, 2008, 1.0, {("A", 33): math.nan}),
    ("Infinity32", F32, F32, 2009, 1.0, {("B", 7): math.inf}),
    ("NegativeInfinity64", F64, F64, 2010, 1.0, {("A", 0): -math.inf}),
    ("InfinityAndNaN64", F64, F64, 2011, 1.0, {("A", 36): math.inf, ("B", 14): math.nan}),
)


def number(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def flat(tensor):
    return [number(x) for x in tensor.detach().reshape(-1).tolist()]


def parameters(grads):
    result = []
    for g in grads:
        p = torch.nn.Parameter(torch.zeros_like(g))
        p.grad = g.clone()
        result.append(p)
    return result


def make_case(name, dtype_a, dtype_b, seed, scale, planted):
    torch.manual_seed(seed)
    dtypes = {"A": dtype_a, "B": dtype_b}
    grads = []
    for tensor_name, shape in SHAPES:
        g = (torch.randn(shape, dtype=torch.float64) * scale).to(dtypes[tensor_name])
        g.view(-1)[torch.randperm(g.numel())[: g.numel() // 10]] = 0.0  # some exact zeros
        for (planted_name, index), value in planted.items():
            if planted_name == tensor_name:
                g.view(-1)[index] = value
        grads.append(g)

    norm_results = []
    for max_norm in MAX_NORMS:
        params = parameters(grads)
        total = clip_grad_norm_(params, max_norm)
        norm_results.append(dict(
            max_norm=max_norm,
            total_norm=number(total.item()),
            total_norm_dtype=str(total.dtype).replace("torch.", ""),
            gradients=[flat(p.grad) for p in params]))

    value_results = []
    for clip_value in CLIP_VALUES:
        params = parameters(grads)
        clip_grad_value_(params, clip_value)
        value_results.append(dict(clip_value=clip_value, gradients=[flat(p.grad) for p in params]))

    return dict(
        name=name,
        dtypes=[str(dtypes[n]).replace("torch.", "") for n, _ in SHAPES],
        seed=seed,
        tensors=[dict(name=n, shape=list(s), gradient=flat(g)) for (n, s), g in zip(SHAPES, grads)],
        clip_grad_norm=norm_results,
        clip_grad_value=value_results)


def main():
    torch.set_num_threads(1)
    data = dict(
        description="torch.nn.utils.clip_grad_norm_ / clip_grad_value_ results; made by make_clip_golden.py, read by ClipGoldenTests.cs",
        torch_version=torch.__version__,
        cases=[make_case(*case) for case in CASES])
    with open(OUTPUT, "w") as f:
        json.dump(data, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {OUTPUT}: {len(data['cases'])} cases")


if __name__ == "__main__":
    main()
