#!/usr/bin/python3
"""Makes the golden data of tests/Gen.Optimizers.Tests/PyTorchGoldenTests.cs: PyTorch's own
trajectories for every optimizer kind that torch.optim has, one JSON file per kind (sgd.json,
adagrad.json, rmsprop.json, adam.json, adamw.json, adadelta.json, nadam.json, radam.json, adamax.json,
rprop.json, asgd.json).

Run from the repository root, with the system Python that has Debian's python3-torch:

    /usr/bin/python3 tests/Gen.Optimizers.Tests/Golden/make_golden.py

Made with torch 1.13.0a0 (Debian python3-torch 1.13.1+dfsg, GCC 12.2 build, CPU capability AVX2)
and numpy 1.24.2; every JSON records torch.__version__ as "torch_version" and the CPU capability
PyTorch dispatched to as "cpu_capability". The tests never run PyTorch: commit this script together
with the JSON files it writes, and rerun it only when a case is added or changed (the names and
hyperparameters here must match the attributes in GoldenModels.cs; a test checks that both ways).

The last bits depend on the CPU: with AVX2, PyTorch's addcmul_ and add_(..., alpha=) kernels fuse
their multiply-add (one rounding), which the generated optimizers do not, so the tests compare
with a tolerance. Emulating those two ops with a fused multiply-add reproduces every recorded value
of every file (parameters and state) bit for bit.

Every case has two parameter tensors, "A" of shape [37] (a SIMD main loop plus tails at every
vector width) and "B" of shape [3, 5], initialised uniformly in [-1, 1], and runs 30 steps. Each
step's gradient is drawn here (standard normal; some steps scaled by 1e-3 or 10, one step all
zeros, about a tenth of the elements exactly zero in the others), recorded, written to p.grad, and
then opt.step() runs; the parameters after the step are recorded. After the last step every tensor
in opt.state[p] is recorded under its state_dict key ("buffers", or "scalars" for 0-dim tensors
other than the step, such as NAdam's mu_product and ASGD's eta and mu), and the step count ("step") when the optimizer
keeps one (SGD does not); SGD without momentum keeps momentum_buffer = None, which is no buffer.

Deterministic: a fixed torch.manual_seed per case, one thread, the single-tensor (foreach=False)
implementations. Arrays are flattened in row-major order. Every number is written as Python's
float(x), whose repr is the shortest form that round-trips; a float32 value converted to a Python
float is exact, so a reader parsing a double and rounding it to float gets the same bits.
"""

import inspect
import json
import os
import re
import sys

import torch

STEPS = 30
SHAPES = (("A", (37,)), ("B", (3, 5)))
DIRECTORY = os.path.dirname(os.path.abspath(__file__))

# Gradient schedule, by 0-based step index.
TINY_STEPS = (3, 10, 17, 24)  # gradient scaled by 1e-3
HUGE_STEPS = (5, 12, 19, 26)  # gradient scaled by 10
ZERO_STEP = 14  # every element exactly zero
ZERO_FRACTION = 0.1  # in the other steps, about this fraction of the elements exactly zero

F32, F64 = torch.float32, torch.float64


class Kind:
    """One optimizer kind: its torch.optim class, the name Gen's optimizers report as Kind, every
    hyperparameter with the value a case uses unless it overrides it, and the cases as
    (name, dtype, seed, overrides). A case's name is the Name of its attribute: float32 cases on
    GoldenSingle, float64 on GoldenDouble."""

    def __init__(self, file, optimizer, kind, defaults, cases):
        self.file = file
        self.optimizer = optimizer
        self.kind = kind
        self.defaults = defaults
        self.cases = cases


# SGD has no default learning rate; 0.01 is this file's choice. Everything else is torch's default,
# which check_defaults() verifies, so "Default" really means PyTorch's defaults.
SGD_EVERYTHING = dict(momentum=0.9, nesterov=True, weight_decay=0.01, maximize=True)
SGD_EVERYTHING_DAMPENED = dict(momentum=0.9, dampening=0.3, weight_decay=0.01, maximize=True)
ADAGRAD_EVERYTHING = dict(eps=1e-6, lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.01, maximize=True)
RMSPROP_EVERYTHING = dict(lr=1e-3, alpha=0.9, momentum=0.9, centered=True, weight_decay=0.1, maximize=True)
# A larger step than the default 1e-3 makes a semantic difference stand out further above rounding.
ADAM_EVERYTHING = dict(lr=0.01, betas=(0.8, 0.99), amsgrad=True, weight_decay=0.01, maximize=True)
ADAMW_EVERYTHING = dict(lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True)
ADADELTA_EVERYTHING = dict(lr=0.5, rho=0.95, weight_decay=0.01, maximize=True)
NADAM_EVERYTHING = dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01, momentum_decay=0.01)
# RAdam's rectified update starts once rho_t > 5: step 6 with beta2 = 0.999, step 6 with 0.99; 30 steps run both forms.
RADAM_EVERYTHING = dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01)
ADAMAX_EVERYTHING = dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01, maximize=True)
# Rprop: both bounds reached within the 30 steps (the step sizes start at lr = 0.05 and reach the maximum 0.06 at the
# first growth, the minimum after five shrinks by 0.4), other factors than the defaults, and maximize.
RPROP_EVERYTHING = dict(lr=0.05, etas=(0.4, 1.3), step_sizes=(1e-3, 0.06), maximize=True)
# ASGD: averaging from step t0 + 3 = 13 on (ax is a copy of p before), a step size that decays visibly
# (eta = lr / (1 + lambd * lr * t)^alpha falls to 0.6 of lr by step 30), weight decay and maximize.
ASGD_EVERYTHING = dict(lr=0.05, lambd=0.5, alpha=0.9, t0=10.0, weight_decay=0.01, maximize=True)

KINDS = (
    Kind("sgd", torch.optim.SGD, "SGD",
         dict(lr=0.01, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0, maximize=False), (
             ("SgdPlain32", F32, 3001, {}),
             ("SgdMomentum32", F32, 3002, dict(momentum=0.9)),
             ("SgdDampening32", F32, 3003, dict(momentum=0.9, dampening=0.3)),
             ("SgdNesterov32", F32, 3004, dict(momentum=0.9, nesterov=True)),
             ("SgdWeightDecay32", F32, 3005, dict(weight_decay=0.01)),
             ("SgdMaximize32", F32, 3006, dict(maximize=True)),
             ("SgdEverything32", F32, 3007, SGD_EVERYTHING),
             ("SgdEverythingDampened32", F32, 3008, SGD_EVERYTHING_DAMPENED),
             ("SgdMomentum64", F64, 3101, dict(momentum=0.9)),
             ("SgdEverything64", F64, 3102, SGD_EVERYTHING),
             ("SgdEverythingDampened64", F64, 3103, SGD_EVERYTHING_DAMPENED),
         )),
    Kind("adagrad", torch.optim.Adagrad, "Adagrad",
         dict(lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10, maximize=False), (
             ("AdagradDefault32", F32, 4001, {}),
             ("AdagradLrDecay32", F32, 4002, dict(lr_decay=0.01)),
             ("AdagradInitialAccumulator32", F32, 4003, dict(initial_accumulator_value=0.1)),
             ("AdagradWeightDecay32", F32, 4004, dict(weight_decay=0.01)),
             ("AdagradMaximize32", F32, 4005, dict(maximize=True)),
             ("AdagradEverything32", F32, 4006, ADAGRAD_EVERYTHING),
             ("AdagradDefault64", F64, 4101, {}),
             ("AdagradEverything64", F64, 4102, ADAGRAD_EVERYTHING),
         )),
    # The seeds and cases of the RMSProp file from before the other kinds, so its data is unchanged.
    Kind("rmsprop", torch.optim.RMSprop, "RMSProp",
         dict(lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0, centered=False, weight_decay=0.0, maximize=False), (
             ("RmsPropDefault32", F32, 1001, {}),
             ("RmsPropLowAlpha32", F32, 1002, dict(alpha=0.9)),
             ("RmsPropCentered32", F32, 1003, dict(centered=True)),
             ("RmsPropMomentum32", F32, 1004, dict(momentum=0.9)),
             ("RmsPropCenteredMomentum32", F32, 1005, dict(centered=True, momentum=0.9)),
             ("RmsPropWeightDecay32", F32, 1006, dict(weight_decay=0.1)),
             ("RmsPropMaximize32", F32, 1007, dict(maximize=True)),
             ("RmsPropEverything32", F32, 1008, RMSPROP_EVERYTHING),
             ("RmsPropDefault64", F64, 2001, {}),
             ("RmsPropCenteredMomentumWeightDecay64", F64, 2002, dict(centered=True, momentum=0.9, weight_decay=0.1)),
             ("RmsPropMaximize64", F64, 2003, dict(maximize=True)),
             ("RmsPropEverything64", F64, 2004, RMSPROP_EVERYTHING),
         )),
    Kind("adam", torch.optim.Adam, "Adam",
         dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False), (
             ("AdamDefault32", F32, 5001, {}),
             ("AdamBetas32", F32, 5002, dict(betas=(0.8, 0.99))),
             ("AdamAmsGrad32", F32, 5003, dict(amsgrad=True)),
             ("AdamWeightDecay32", F32, 5004, dict(weight_decay=0.01)),
             ("AdamMaximize32", F32, 5005, dict(maximize=True)),
             ("AdamEverything32", F32, 5006, ADAM_EVERYTHING),
             ("AdamDefault64", F64, 5101, {}),
             ("AdamEverything64", F64, 5102, ADAM_EVERYTHING),
         )),
    Kind("adamw", torch.optim.AdamW, "AdamW",
         dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, amsgrad=False, maximize=False), (
             ("AdamWDefault32", F32, 6001, {}),
             ("AdamWAmsGrad32", F32, 6002, dict(amsgrad=True)),
             ("AdamWWeightDecay32", F32, 6003, dict(weight_decay=0.1)),
             ("AdamWMaximize32", F32, 6004, dict(maximize=True)),
             ("AdamWEverything32", F32, 6005, ADAMW_EVERYTHING),
             ("AdamWDefault64", F64, 6101, {}),
             ("AdamWEverything64", F64, 6102, ADAMW_EVERYTHING),
         )),
    Kind("adadelta", torch.optim.Adadelta, "Adadelta",
         dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False), (
             ("AdadeltaDefault32", F32, 7001, {}),
             ("AdadeltaRhoLr32", F32, 7002, dict(rho=0.95, lr=0.5)),
             ("AdadeltaWeightDecay32", F32, 7003, dict(weight_decay=0.01)),
             ("AdadeltaMaximize32", F32, 7004, dict(maximize=True)),
             ("AdadeltaEverything32", F32, 7005, ADADELTA_EVERYTHING),
             ("AdadeltaDefault64", F64, 7101, {}),
             ("AdadeltaEverything64", F64, 7102, ADADELTA_EVERYTHING),
         )),
    Kind("nadam", torch.optim.NAdam, "NAdam",
         dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3), (
             ("NAdamDefault32", F32, 8001, {}),
             ("NAdamMomentumDecay32", F32, 8002, dict(momentum_decay=0.01)),
             ("NAdamWeightDecay32", F32, 8003, dict(weight_decay=0.01)),
             ("NAdamEverything32", F32, 8004, NADAM_EVERYTHING),
             ("NAdamDefault64", F64, 8101, {}),
             ("NAdamEverything64", F64, 8102, NADAM_EVERYTHING),
         )),
    Kind("radam", torch.optim.RAdam, "RAdam",
         dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0), (
             ("RAdamDefault32", F32, 9001, {}),
             ("RAdamWeightDecay32", F32, 9002, dict(weight_decay=0.01)),
             ("RAdamEverything32", F32, 9003, RADAM_EVERYTHING),
             ("RAdamDefault64", F64, 9101, {}),
             ("RAdamEverything64", F64, 9102, RADAM_EVERYTHING),
         )),
    Kind("adamax", torch.optim.Adamax, "Adamax",
         dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False), (
             ("AdamaxDefault32", F32, 10001, {}),
             ("AdamaxWeightDecay32", F32, 10002, dict(weight_decay=0.01)),
             ("AdamaxMaximize32", F32, 10003, dict(maximize=True)),
             ("AdamaxEverything32", F32, 10004, ADAMAX_EVERYTHING),
             ("AdamaxDefault64", F64, 10101, {}),
             ("AdamaxEverything64", F64, 10102, ADAMAX_EVERYTHING),
         )),
    Kind("rprop", torch.optim.Rprop, "Rprop",
         dict(lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), maximize=False), (
             ("RpropDefault32", F32, 8001, {}),
             ("RpropEtas32", F32, 8002, dict(etas=(0.3, 1.5))),
             # lr above the maximum: the first step already clamps.
             ("RpropStepSizes32", F32, 8003, dict(lr=0.1, step_sizes=(0.02, 0.08))),
             ("RpropMaximize32", F32, 8004, dict(maximize=True)),
             ("RpropEverything32", F32, 8005, RPROP_EVERYTHING),
             # etaminus rounds to 1 as a float32: PyTorch then zeroes every gradient (grad[sign.eq(etaminus)] = 0
             # matches the factor 1 too), and the parameters never move. Gen warns (GEN210) and does the same.
             ("RpropEtaMinusOneAsFloat32", F32, 8006, dict(etas=(0.99999999, 1.2))),
             ("RpropDefault64", F64, 8101, {}),
             ("RpropEverything64", F64, 8102, RPROP_EVERYTHING),
         )),
    Kind("asgd", torch.optim.ASGD, "ASGD",
         dict(lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0, maximize=False), (
             ("AsgdDefault32", F32, 9001, {}),
             ("AsgdAveraging32", F32, 9002, dict(t0=4.0, lambd=0.01, alpha=0.5)),
             ("AsgdWeightDecay32", F32, 9003, dict(weight_decay=0.01)),
             ("AsgdMaximize32", F32, 9004, dict(maximize=True)),
             ("AsgdEverything32", F32, 9005, ASGD_EVERYTHING),
             ("AsgdDefault64", F64, 9101, {}),
             ("AsgdEverything64", F64, 9102, ASGD_EVERYTHING),
         )),
)

DTYPE_NAMES = {F32: "float32", F64: "float64"}


def check_defaults(kind):
    """Every hyperparameter of the kind is a keyword of its torch.optim class, and every default here
    is torch's (SGD's lr excepted: torch has none)."""
    signature = inspect.signature(kind.optimizer.__init__).parameters
    for key, value in kind.defaults.items():
        if key not in signature:
            raise ValueError(f"{kind.optimizer.__name__} has no keyword {key}")
        default = signature[key].default
        if kind.optimizer is torch.optim.SGD and key == "lr":
            continue
        if default != value:
            raise ValueError(f"{kind.optimizer.__name__}: {key} defaults to {default!r}, not {value!r}")


def plain(value):
    """A hyperparameter as JSON: bools stay bools, numbers become floats, tuples become lists."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    return float(value)


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


def final_state(opt, param):
    """opt.state[p]: the step count when kept, every state tensor under its state_dict key, and (under "scalars")
    every other 0-dim tensor, such as NAdam's mu_product and ASGD's eta and mu (float32 whatever the parameter's dtype)."""
    entry = {}
    buffers = {}
    scalars = {}
    for key, value in sorted(opt.state[param].items()):
        if key == "step":
            entry["step"] = int(value)
        elif isinstance(value, torch.Tensor) and value.dim() == 0:
            scalars[key] = float(value)
        elif isinstance(value, torch.Tensor):
            if value.shape != param.shape or value.dtype != param.dtype:
                raise ValueError(f"state {key}: {value.dtype}{list(value.shape)} for a {param.dtype}{list(param.shape)} parameter")
            buffers[key] = flat(value)
        elif value is not None:
            raise ValueError(f"state {key} is a {type(value).__name__}, neither a tensor nor None")
    entry["buffers"] = buffers
    if scalars:
        entry["scalars"] = scalars
    return entry


def run_case(kind, name, dtype, seed, overrides):
    unknown = set(overrides) - set(kind.defaults)
    if unknown:
        raise ValueError(f"{name}: unknown hyperparameters {sorted(unknown)}")
    hyperparameters = dict(kind.defaults, **overrides)
    torch.manual_seed(seed)
    params = [torch.empty(shape, dtype=dtype).uniform_(-1, 1).requires_grad_() for _, shape in SHAPES]
    initial = [flat(p) for p in params]
    opt = kind.optimizer(params, foreach=False, **hyperparameters)

    steps = []
    for step in range(STEPS):
        grads = [gradient(step, shape, dtype) for _, shape in SHAPES]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        opt.step()
        steps.append({"gradients": [flat(g) for g in grads], "parameters": [flat(p) for p in params]})

    return {
        "name": name,
        "dtype": DTYPE_NAMES[dtype],
        "seed": seed,
        "hyperparameters": {key: plain(value) for key, value in hyperparameters.items()},
        "parameters": [
            {"name": pname, "shape": list(shape), "initial": values}
            for (pname, shape), values in zip(SHAPES, initial)
        ],
        "steps": steps,
        "final_state": [final_state(opt, p) for p in params],
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
    names = [name for kind in KINDS for name, *_ in kind.cases]
    if len(names) != len(set(names)):
        raise ValueError("case names must be unique: each is a nested type of GoldenSingle or GoldenDouble")
    for kind in KINDS:
        check_defaults(kind)
        document = {
            "description": f"torch.optim.{kind.optimizer.__name__} trajectories; made by make_golden.py, read by PyTorchGoldenTests.cs",
            "optimizer": f"torch.optim.{kind.optimizer.__name__}",
            "kind": kind.kind,
            "torch_version": torch.__version__,
            "cpu_capability": cpu_capability(),
            "steps": STEPS,
            "cases": [run_case(kind, *case) for case in kind.cases],
        }
        text = dumps(document) + "\n"
        json.loads(text)  # well-formed
        path = os.path.join(DIRECTORY, kind.file + ".json")
        with open(path, "w", encoding="ascii", newline="\n") as f:
            f.write(text)
        print(f"wrote {path}: {len(kind.cases)} cases, {len(text)} bytes, torch {torch.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
