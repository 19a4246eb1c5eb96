#!/usr/bin/python3
"""Makes rmsprop.json: PyTorch's own torch.optim.RMSprop trajectories, the golden data of
tests/Gen.Optimizers.Tests/RmsPropGoldenTests.cs.

Run from the repository root, with the system Python that has Debian's python3-torch:

    /usr/bin/python3 tests/Gen.Optimizers.Tests/Golden/make_rmsprop_golden.py

Made with torch 1.13.0a0 (Debian python3-torch 1.13.1+dfsg, GCC 12.2 build, CPU capability AVX2)
and numpy 1.24.2; the JSON records torch.__version__ as "torch_version" and the CPU capability
PyTorch dispatched to as "cpu_capability". The tests never run PyTorch: commit this script together
with the rmsprop.json it writes, and rerun it only when a case is added or changed (the names and
hyperparameters here must match the [RmsProp] attributes in GoldenModels.cs; a test checks that).

The last bits depend on the CPU: with AVX2, PyTorch's addcmul_ and add_(..., alpha=) kernels fuse
their multiply-add (one rounding), which the generated optimizer does not, so the tests compare
with a tolerance. Emulating those two ops with a fused multiply-add reproduces every recorded
parameter of this file bit for bit.

Every case has two parameter tensors, "A" of shape [37] (a SIMD main loop plus tails at every
vector width) and "B" of shape [3, 5], initialised uniformly in [-1, 1], and runs 30 steps. Each
step's gradient is drawn here (standard normal; some steps scaled by 1e-3 or 10, one step all
zeros, about a tenth of the elements exactly zero in the others), recorded, written to p.grad, and
then opt.step() runs; the parameters after the step are recorded. The final optimizer state per
parameter (square_avg, and grad_avg / momentum_buffer when present) is recorded from opt.state.

Deterministic: a fixed torch.manual_seed per case, one thread, the default (single-tensor, not
foreach) RMSprop implementation. Arrays are flattened in row-major order. Every number is written
as Python's float(x), whose repr is the shortest form that round-trips; a float32 value converted to
a Python float is exact, so a reader parsing a double and rounding it to float gets the same bits.
"""

import json
import os
import re
import sys

import torch

STEPS = 30
SHAPES = (("A", (37,)), ("B", (3, 5)))
OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rmsprop.json")

# Gradient schedule, by 0-based step index.
TINY_STEPS = (3, 10, 17, 24)  # gradient scaled by 1e-3
HUGE_STEPS = (5, 12, 19, 26)  # gradient scaled by 10
ZERO_STEP = 14  # every element exactly zero
ZERO_FRACTION = 0.1  # in the other steps, about this fraction of the elements exactly zero

DEFAULTS = dict(lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0, centered=False, weight_decay=0.0, maximize=False)

# (name, dtype, seed, hyperparameters that differ from PyTorch's defaults). The names are the
# Name of the matching [RmsProp] attribute: float32 cases on GoldenSingle, float64 on GoldenDouble.
EVERYTHING = dict(lr=1e-3, alpha=0.9, momentum=0.9, centered=True, weight_decay=0.1, maximize=True)
CASES = (
    ("Default32", torch.float32, 1001, {}),
    ("LowAlpha32", torch.float32, 1002, dict(alpha=0.9)),
    ("Centered32", torch.float32, 1003, dict(centered=True)),
    ("Momentum32", torch.float32, 1004, dict(momentum=0.9)),
    ("CenteredMomentum32", torch.float32, 1005, dict(centered=True, momentum=0.9)),
    ("WeightDecay32", torch.float32, 1006, dict(weight_decay=0.1)),
    ("Maximize32", torch.float32, 1007, dict(maximize=True)),
    ("Everything32", torch.float32, 1008, EVERYTHING),
    ("Default64", torch.float64, 2001, {}),
    ("CenteredMomentumWeightDecay64", torch.float64, 2002, dict(centered=True, momentum=0.9, weight_decay=0.1)),
    ("Maximize64", torch.float64, 2003, dict(maximize=True)),
    ("Everything64", torch.float64, 2004, EVERYTHING),
)

DTYPE_NAMES = {torch.float32: "float32", torch.float64: "float64"}


def flat(tensor):
    """The tensor's elements, row-major, as exact Python floats."""
    values = [float(x) for x in tensor.detach().reshape(-1).tolist()]
    if not all(v == v and abs(v) != float("inf") for v in values):
        raise ValueError("non-finite value")
    return values


def gradient(step, shape, dtype):
    if step == ZERO_STEP:
        return torch.zeros(shape, dtype=dtype)
    g = torch.randn(shape, dtype=dtype)
    if step in TINY_STEPS:
        g = g * 1e-3
    elif step in HUGE_STEPS:
        g = g * 10
    zero = torch.rand(shape) < ZERO_FRACTION
    return g.masked_fill(zero, 0.0)


def run_case(name, dtype, seed, overrides):
    hyperparameters = dict(DEFAULTS, **overrides)
    torch.manual_seed(seed)
    params = [torch.empty(shape, dtype=dtype).uniform_(-1, 1).requires_grad_() for _, shape in SHAPES]
    initial = [flat(p) for p in params]
    opt = torch.optim.RMSprop(params, foreach=False, **hyperparameters)

    steps = []
    for step in range(STEPS):
        grads = [gradient(step, shape, dtype) for _, shape in SHAPES]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        opt.step()
        steps.append({"gradients": [flat(g) for g in grads], "parameters": [flat(p) for p in params]})

    final_state = []
    for p in params:
        state = opt.state[p]
        entry = {"step": int(state["step"]), "square_avg": flat(state["square_avg"])}
        for key in ("grad_avg", "momentum_buffer"):
            if key in state:
                entry[key] = flat(state[key])
        final_state.append(entry)

    return {
        "name": name,
        "dtype": DTYPE_NAMES[dtype],
        "seed": seed,
        "hyperparameters": hyperparameters,
        "parameters": [
            {"name": pname, "shape": list(shape), "initial": values}
            for (pname, shape), values in zip(SHAPES, initial)
        ],
        "steps": steps,
        "final_state": final_state,
    }


def dumps(value, indent=0):
    """JSON with one line per list of numbers: readable diffs, small file."""
    pad = " " * indent
    inner = " " * (indent + 1)
    if isinstance(value, dict):
        items = [inner + json.dumps(k) + ": " + dumps(v, indent + 1) for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value and all(isinstance(v, (dict, list)) for v in value):
        items = [inner + dumps(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, allow_nan=False, separators=(", ", ": "))


def cpu_capability():
    """The instruction set PyTorch's CPU kernels dispatch to, e.g. AVX2."""
    match = re.search(r"CPU capability usage: (\S+)", torch.__config__.show())
    return match.group(1) if match else "unknown"


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    document = {
        "description": "torch.optim.RMSprop trajectories; made by make_rmsprop_golden.py, read by RmsPropGoldenTests.cs",
        "torch_version": torch.__version__,
        "cpu_capability": cpu_capability(),
        "steps": STEPS,
        "cases": [run_case(*case) for case in CASES],
    }
    text = dumps(document) + "\n"
    json.loads(text)  # well-formed
    with open(OUTPUT, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    print(f"wrote {OUTPUT}: {len(CASES)} cases, {len(text)} bytes, torch {torch.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
