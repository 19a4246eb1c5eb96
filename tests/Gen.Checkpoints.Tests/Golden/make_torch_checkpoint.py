#!/usr/bin/python3
"""Makes the PyTorch interop data of tests/Gen.Checkpoints.Tests/TorchInteropTests.cs: Gen checkpoints
written from torch.optim, and the training PyTorch continued from checkpoints in both directions.

Run from anywhere, with the system Python that has Debian's python3-torch:

    /usr/bin/python3 tests/Gen.Checkpoints.Tests/Golden/make_torch_checkpoint.py

Made with torch 1.13.0a0 (Debian python3-torch 1.13.1+dfsg) and numpy 1.24.2; the JSON records
torch.__version__, numpy.__version__ and the CPU capability PyTorch dispatched to. The tests never run
PyTorch: commit this script with everything it writes, and rerun it when a case changes or when the
Python snippets in docs/CHECKPOINTS.md change (a test compares their hash with the one recorded here).

It reads, writes and converts checkpoints only with the four snippets of docs/CHECKPOINTS.md
(read_checkpoint, write_checkpoint, load_into_torch, save_from_torch), which it executes as they
appear there, so the documentation is what is tested. The safetensors package is not used.

Each case is one torch.optim optimizer over two parameters, "A" of shape [37] and "B" of shape [3, 5],
matching an optimizer of the same name on TorchNet (float32) or TorchNet64 (float64) in Models.cs,
with the same hyperparameters. Two directions per case:

- source "torch": PyTorch initialises the parameters (uniform in [-1, 1], fixed seed), takes 4 steps,
  writes torch_<case>.model.safetensors and torch_<case>.optimizer.safetensors with save_from_torch,
  then takes 5 more steps.
- source "gen": PyTorch reads gen_<case>.model.safetensors and gen_<case>.optimizer.safetensors,
  which the C# test GenFixturesAreWhatGenWrites wrote (4 Gen steps; run it with
  GEN_UPDATE_FIXTURES=1 to rewrite them), loads them into torch.optim with load_into_torch, and
  takes 5 steps.

For the 5 continued steps the JSON records each gradient (drawn here: standard normal, some steps
scaled by 1e-3 or 10, about a tenth of the elements exactly zero) and the parameters after the step.
The C# tests load the same files into Gen and must continue the same trajectory. Deterministic: fixed
seeds, one thread, the single-tensor (foreach=False) implementations. Arrays are flattened row-major;
numbers are written as Python's float(x), exact for float32 and float64.
"""

import hashlib
import json
import os
import re
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.join(HERE, "..", "..", "..", "docs", "CHECKPOINTS.md")
OUTPUT = os.path.join(HERE, "torch_checkpoints.json")
SNIPPETS = ("read_checkpoint", "write_checkpoint", "load_into_torch", "save_from_torch")

STEPS_BEFORE = 4
STEPS_AFTER = 5
SHAPES = (("A", (37,)), ("B", (3, 5)))
TINY_STEP, HUGE_STEP = 1, 3  # continued steps whose gradient is scaled by 1e-3 and by 10
ZERO_FRACTION = 0.1

ADAM_CONFIGURATION = {"Beta1": "0.9", "Beta2": "0.999", "Epsilon": "1E-08", "Maximize": "false"}

# (name, Gen kind, torch.optim class, dtype, seed, keyword arguments, Gen configuration text).
# The name is the Name of the matching attribute on TorchNet / TorchNet64, and the configuration is
# that optimizer's Configuration, which a load checks against the file.
CASES = (
    ("RMSprop", "RMSProp", torch.optim.RMSprop, torch.float32, 3001,
     dict(lr=0.01, alpha=0.9, eps=1e-8, momentum=0.9, centered=True, weight_decay=0.01),
     {"Rho": "0.9", "Epsilon": "1E-08", "EpsilonPlacement": "OutsideSqrt", "Momentum": "0.9", "Centered": "true",
      "WeightDecayMode": "L2", "Maximize": "false", "InitialScale": "0", "Precision": "Exact"}),
    ("Adam", "Adam", torch.optim.Adam, torch.float32, 3002,
     dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, amsgrad=False),
     dict(ADAM_CONFIGURATION, AmsGrad="false")),
    ("AdamW", "AdamW", torch.optim.AdamW, torch.float32, 3003,
     dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.05, amsgrad=True),
     dict(ADAM_CONFIGURATION, AmsGrad="true")),
    ("SGD", "SGD", torch.optim.SGD, torch.float32, 3004,
     dict(lr=0.05, momentum=0.9, dampening=0.0, nesterov=True, weight_decay=0.01),
     {"Momentum": "0.9", "Dampening": "0", "Nesterov": "true", "Maximize": "false"}),
    ("Adagrad", "Adagrad", torch.optim.Adagrad, torch.float32, 3005,
     dict(lr=0.05, lr_decay=0.01, initial_accumulator_value=0.1, eps=1e-10, weight_decay=0.01),
     {"LearningRateDecay": "0.01", "InitialAccumulatorValue": "0.1", "Epsilon": "1E-10", "Maximize": "false"}),
    ("Adadelta", "Adadelta", torch.optim.Adadelta, torch.float32, 3006,
     dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.01),
     {"Rho": "0.9", "Epsilon": "1E-06", "Maximize": "false"}),
    ("Adam64", "Adam", torch.optim.Adam, torch.float64, 3007,
     dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=True),
     dict(ADAM_CONFIGURATION, AmsGrad="true")),
    # NAdam's mu_product is a float32 scalar tensor whatever the parameters' dtype (the float64 case keeps it so);
    # RAdam's checkpoint is taken before its rectified update starts (step 6), and the continued steps cross it.
    ("NAdam", "NAdam", torch.optim.NAdam, torch.float32, 3008,
     dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, momentum_decay=0.01),
     {"Beta1": "0.9", "Beta2": "0.999", "Epsilon": "1E-08", "MomentumDecay": "0.01", "DecoupledWeightDecay": "false"}),
    ("RAdam", "RAdam", torch.optim.RAdam, torch.float32, 3009,
     dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01),
     {"Beta1": "0.9", "Beta2": "0.999", "Epsilon": "1E-08", "DecoupledWeightDecay": "false"}),
    ("Adamax", "Adamax", torch.optim.Adamax, torch.float32, 3010,
     dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, maximize=True),
     {"Beta1": "0.9", "Beta2": "0.999", "Epsilon": "1E-08", "Maximize": "true"}),
    ("NAdam64", "NAdam", torch.optim.NAdam, torch.float64, 3011,
     dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, momentum_decay=4e-3),
     {"Beta1": "0.9", "Beta2": "0.999", "Epsilon": "1E-08", "MomentumDecay": "0.004", "DecoupledWeightDecay": "false"}),
    # Rprop has no weight decay; its step sizes and previous gradients continue across the checkpoint.
    ("Rprop", "Rprop", torch.optim.Rprop, torch.float32, 3008,
     dict(lr=0.05, etas=(0.4, 1.3), step_sizes=(1e-4, 1.0)),
     {"EtaMinus": "0.4", "EtaPlus": "1.3", "MinStepSize": "0.0001", "MaxStepSize": "1", "Maximize": "false"}),
    # ASGD averaging from step 4 on (t0 = 1), so ax differs from the parameters at the checkpoint; eta and mu are
    # 0-dim float32 tensors on both sides.
    ("ASGD", "ASGD", torch.optim.ASGD, torch.float32, 3009,
     dict(lr=0.05, lambd=0.1, alpha=0.6, t0=1.0, weight_decay=0.01),
     {"Lambda": "0.1", "Alpha": "0.6", "T0": "1", "Maximize": "false"}),
)

DTYPE_NAMES = {torch.float32: "float32", torch.float64: "float64"}
NAMES = [name for name, _ in SHAPES]


def doc_snippets():
    """The Python blocks of docs/CHECKPOINTS.md that follow a '<!-- python: NAME -->' marker."""
    with open(DOCS, encoding="utf-8") as f:
        text = f.read().replace("\r\n", "\n")
    blocks = []
    for name in SNIPPETS:
        match = re.search(r"<!-- python: %s -->\n```python\n(.*?)```" % name, text, re.S)
        if match is None:
            raise SystemExit(f"{DOCS}: no '<!-- python: {name} -->' block")
        blocks.append(match.group(1))
    return blocks


SNIPPET_BLOCKS = doc_snippets()
for block in SNIPPET_BLOCKS:
    exec(block)  # defines DTYPES, read_checkpoint, write_checkpoint, load_into_torch, save_from_torch


def snippets_sha256():
    """What TorchInteropTests recomputes from the docs: SHA-256 of the blocks joined by newlines."""
    return hashlib.sha256("\n".join(SNIPPET_BLOCKS).encode("utf-8")).hexdigest()


def flat(tensor):
    values = [float(x) for x in tensor.detach().reshape(-1).tolist()]
    if not all(v == v and abs(v) != float("inf") for v in values):
        raise ValueError("non-finite value")
    return values


def gradient(step, shape, dtype):
    g = torch.randn(shape, dtype=dtype)
    if step == TINY_STEP:
        g = g * 1e-3
    elif step == HUGE_STEP:
        g = g * 10
    return g.masked_fill(torch.rand(shape) < ZERO_FRACTION, 0.0)


def make_optimizer(cls, params, kwargs):
    return cls(params, foreach=False, **kwargs)


def continue_training(optimizer, params, dtype):
    steps = []
    for step in range(STEPS_AFTER):
        grads = [gradient(step, shape, dtype) for _, shape in SHAPES]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        optimizer.step()
        steps.append({"gradients": [flat(g) for g in grads], "parameters": [flat(p) for p in params]})
    return steps


def from_torch(name, kind, cls, dtype, seed, kwargs, configuration):
    """PyTorch trains, saves in Gen's format, and trains on."""
    torch.manual_seed(seed)
    params = [torch.empty(shape, dtype=dtype).uniform_(-1, 1).requires_grad_() for _, shape in SHAPES]
    optimizer = make_optimizer(cls, params, kwargs)
    for step in range(STEPS_BEFORE):
        for p, (_, shape) in zip(params, SHAPES):
            p.grad = torch.randn(shape, dtype=dtype)
        optimizer.step()

    model_file, optimizer_file = f"torch_{name}.model.safetensors", f"torch_{name}.optimizer.safetensors"
    write_checkpoint(os.path.join(HERE, model_file), {"format": "gen.checkpoint", "format_version": "1", "content": "model"},
                     {n: p.detach().numpy() for n, p in zip(NAMES, params)})
    save_from_torch(os.path.join(HERE, optimizer_file), optimizer, NAMES, kind, configuration, STEPS_BEFORE)

    # What was written reads back as what PyTorch holds.
    metadata, tensors = read_checkpoint(os.path.join(HERE, optimizer_file))
    for n, p in zip(NAMES, params):
        for key, value in optimizer.state[p].items():
            expected = np.array(float(value), np.float32) if key == "step" else value.detach().numpy()
            assert np.array_equal(tensors[f"{n}.{key}"], expected) and tensors[f"{n}.{key}"].dtype == expected.dtype, (name, n, key)
    return model_file, optimizer_file, continue_training(optimizer, params, dtype)


def from_gen(name, kind, cls, dtype, seed, kwargs, configuration):
    """PyTorch loads what Gen saved, and trains on."""
    torch.manual_seed(seed + 500)
    model_file, optimizer_file = f"gen_{name}.model.safetensors", f"gen_{name}.optimizer.safetensors"
    model_metadata, model_tensors = read_checkpoint(os.path.join(HERE, model_file))
    metadata, tensors = read_checkpoint(os.path.join(HERE, optimizer_file))
    assert model_metadata["content"] == "model" and metadata["content"] == "optimizer", name
    assert metadata["optimizer"] == kind, (name, metadata["optimizer"])
    recorded = {k[len("config."):]: v for k, v in metadata.items() if k.startswith("config.")}
    assert recorded == configuration, (name, recorded, configuration)
    assert metadata["step"] == str(STEPS_BEFORE), (name, metadata["step"])
    assert float(metadata["lr"]) == kwargs["lr"] and float(metadata["weight_decay"]) == kwargs.get("weight_decay", 0.0), name

    names = metadata["parameters"].split(",")
    assert names == NAMES, names
    params = [torch.from_numpy(model_tensors[n].copy()).requires_grad_() for n in names]
    assert all(p.dtype == dtype for p in params), name
    optimizer = make_optimizer(cls, params, kwargs)
    load_into_torch(optimizer, metadata, tensors)
    for p in params:
        for key, value in optimizer.state[p].items():
            if key != "step" and value.dim() == 0:  # NAdam's mu_product: float32, as an uninterrupted run keeps it
                assert value.dtype == torch.float32, (name, key, value.dtype)
    return model_file, optimizer_file, continue_training(optimizer, params, dtype)


def run_case(source, name, kind, cls, dtype, seed, kwargs, configuration):
    make = from_torch if source == "torch" else from_gen
    model_file, optimizer_file, steps = make(name, kind, cls, dtype, seed, kwargs, configuration)
    return {
        "name": name,
        "source": source,
        "kind": kind,
        "dtype": DTYPE_NAMES[dtype],
        "torch_optimizer": cls.__name__,
        "hyperparameters": {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()},
        "configuration": configuration,
        "model_file": model_file,
        "optimizer_file": optimizer_file,
        "step_count": STEPS_BEFORE,
        "steps": steps,
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
    match = re.search(r"CPU capability usage: (\S+)", torch.__config__.show())
    return match.group(1) if match else "unknown"


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    cases = [run_case(source, *case) for case in CASES for source in ("torch", "gen")]
    document = {
        "description": "Gen checkpoints to and from torch.optim; made by make_torch_checkpoint.py, read by TorchInteropTests.cs",
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "cpu_capability": cpu_capability(),
        "docs_snippets_sha256": snippets_sha256(),
        "steps_before_checkpoint": STEPS_BEFORE,
        "steps_after_checkpoint": STEPS_AFTER,
        "cases": cases,
    }
    text = dumps(document) + "\n"
    json.loads(text)
    with open(OUTPUT, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    print(f"wrote {OUTPUT}: {len(cases)} cases, torch {torch.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
