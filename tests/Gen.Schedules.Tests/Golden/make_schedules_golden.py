#!/usr/bin/python3
"""Makes schedules.json: the learning rates PyTorch's own torch.optim.lr_scheduler classes produce,
the golden data of tests/Gen.Schedules.Tests/ScheduleGoldenTests.cs.

Run from the repository root, with the system Python that has Debian's python3-torch:

    /usr/bin/python3 tests/Gen.Schedules.Tests/Golden/make_schedules_golden.py

Made with torch 1.13.0a0 (Debian python3-torch 1.13.1+dfsg). The tests never run PyTorch: commit
this script together with the schedules.json it writes, and rerun it only when a case is added or
changed. The C# tests build each schedule from the case's "schedule" object (PyTorch's class name as
"kind" and PyTorch's argument names as keys), so the script is the single place a case is defined;
a test fails if the C# side ignores a key or if a public schedule type has no case.

Each case makes a dummy optimizer (SGD over one zero parameter with lr=base_lr; it has no gradient,
so optimizer.step() changes nothing but PyTorch's step counters) and the scheduler, then, for each
0-based step t, records optimizer.param_groups[0]["lr"] (the rate step t uses), calls
optimizer.step() and then scheduler.step() -- the order PyTorch documents, once per iteration, so
PyTorch runs its chainable (recursive) formulas, not the closed forms. ReduceLROnPlateau is stepped
with the case's recorded metric for step t instead: lr[t] is the rate after metrics[0..t-1].

Two kinds have no PyTorch class with the same meaning and are computed by the reference formula
inside a minimal _LRScheduler subclass, so the stepping is still PyTorch's:
- "InverseTimeDecay": Keras's tf.keras.optimizers.schedules.InverseTimeDecay,
  lr / (1 + decay_rate * p) with p = step / decay_steps (floored when staircase), here in float64
  (Keras computes in the learning rate's dtype, float32 by default).
- "Constant": the base rate at every step.
"LinearWarmup" is SequentialLR([LinearLR(start_factor, 1.0, warmup_steps), then], [warmup_steps]).

Every number is written as Python's float(x), whose repr is the shortest form that round-trips.
"""

import json
import math
import os
import random
import sys
import warnings

import torch
from torch.optim import lr_scheduler as S

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schedules.json")


class InverseTimeDecayLR(S._LRScheduler):
    """Keras's InverseTimeDecay formula (float64), stepped by PyTorch's scheduler machinery."""

    def __init__(self, optimizer, decay_steps, decay_rate, staircase=False):
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        super().__init__(optimizer)

    def get_lr(self):
        p = self.last_epoch / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return [base_lr / (1.0 + self.decay_rate * p) for base_lr in self.base_lrs]


class ConstantRateLR(S._LRScheduler):
    """The base rate at every step."""

    def get_lr(self):
        return list(self.base_lrs)


def build(optimizer, spec):
    """The scheduler a case's "schedule" object describes."""
    kind = spec["kind"]
    args = {k: v for k, v in spec.items() if k != "kind"}
    if kind == "Constant":
        return ConstantRateLR(optimizer)
    if kind == "InverseTimeDecay":
        return InverseTimeDecayLR(optimizer, **args)
    if kind == "LinearWarmup":
        warmup = S.LinearLR(optimizer, start_factor=args["start_factor"], end_factor=1.0, total_iters=args["warmup_steps"])
        then = build(optimizer, args["then"])
        return S.SequentialLR(optimizer, [warmup, then], milestones=[args["warmup_steps"]])
    if kind == "SequentialLR":
        schedulers = [build(optimizer, s) for s in args["schedulers"]]
        return S.SequentialLR(optimizer, schedulers, milestones=args["milestones"])
    return getattr(S, kind)(optimizer, **args)


def plateau_metrics(seed, steps, shape):
    """A deterministic metric sequence with improvements, plateaus and noise."""
    rng = random.Random(seed)
    values = []
    level = 1.0
    for t in range(steps):
        if shape == "stairs":
            # Improves for 15 steps, then flat (tiny noise) for 25.
            if t % 40 < 15:
                level *= 0.9
            values.append(level * (1 + rng.uniform(-1e-6, 1e-6)))
        elif shape == "noisy":
            values.append(1.0 / (1 + t / 20) + rng.uniform(-0.05, 0.05))
        elif shape == "rising":
            # An accuracy-like quantity for mode="max": rises, saturates, with exact repeats.
            values.append(round(1 - 0.5 * math.exp(-t / 30) + rng.uniform(-0.01, 0.01), 2))
        elif shape == "negative":
            # A negative, oscillating loss: with a relative threshold, a value up to threshold·|best|
            # worse than the best counts as an improvement, so the best drifts upwards.
            values.append(-1.0 - 0.5 * math.sin(t / 8) + rng.uniform(-0.02, 0.02))
        elif shape == "special":
            # Repeated values, a NaN (never an improvement) and an infinity.
            choices = [1.0, 1.0, 0.5, 0.5, 0.25, float("nan"), 0.125, float("inf"), 0.125]
            values.append(choices[t % len(choices)] if t < 100 else 0.1)
        else:
            raise ValueError(shape)
    return values


def run_case(name, spec, base_lr, steps, metrics=None):
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=base_lr)
    scheduler = build(optimizer, spec)
    lrs = []
    for t in range(steps):
        lrs.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        if t == steps - 1:
            # The rate after the last step is never used. Skipping this scheduler.step() changes no
            # recorded value, and OneCycleLR with pct_start=1.0 raises ZeroDivisionError in it.
            break
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[t])
    case = {"name": name, "schedule": spec, "base_lr": base_lr, "steps": steps, "lr": lrs}
    if metrics is not None:
        case["metrics"] = [m if math.isfinite(m) else str(m) for m in metrics]
    return case


def one_cycle(name, total_steps, **args):
    # OneCycleLR ignores the optimizer's lr: max_lr is its base. Steps: exactly total_steps, the
    # number of optimizer steps it covers (a further scheduler.step() raises).
    spec = dict(kind="OneCycleLR", total_steps=total_steps, cycle_momentum=False, **args)
    return run_case(name, spec, args["max_lr"], total_steps)


def plateau(name, shape, seed, steps=200, **args):
    return run_case(name, dict(kind="ReduceLROnPlateau", **args), 0.1, steps, plateau_metrics(seed, steps, shape))


def cases():
    yield run_case("Constant", dict(kind="Constant"), 0.05, 100)

    yield run_case("ConstantLR.Defaults", dict(kind="ConstantLR", factor=1.0 / 3, total_iters=5), 0.05, 100)
    yield run_case("ConstantLR.Half40", dict(kind="ConstantLR", factor=0.5, total_iters=40), 0.1, 120)
    yield run_case("ConstantLR.FactorOne", dict(kind="ConstantLR", factor=1.0, total_iters=10), 0.1, 100)
    yield run_case("ConstantLR.OneStep", dict(kind="ConstantLR", factor=0.1, total_iters=1), 0.3, 100)

    yield run_case("StepLR.Every30", dict(kind="StepLR", step_size=30, gamma=0.1), 0.1, 200)
    yield run_case("StepLR.EveryStep", dict(kind="StepLR", step_size=1, gamma=0.97), 0.1, 300)
    yield run_case("StepLR.Every7Half", dict(kind="StepLR", step_size=7, gamma=0.5), 1.0, 150)
    yield run_case("StepLR.GammaZero", dict(kind="StepLR", step_size=50, gamma=0.0), 0.1, 150)
    yield run_case("StepLR.Growth", dict(kind="StepLR", step_size=10, gamma=1.5), 1e-4, 200)

    yield run_case("MultiStepLR.Three", dict(kind="MultiStepLR", milestones=[30, 80, 150], gamma=0.1), 0.1, 200)
    yield run_case("MultiStepLR.UnsortedDuplicateZero", dict(kind="MultiStepLR", milestones=[120, 40, 40, 0], gamma=0.5), 0.2, 200)
    yield run_case("MultiStepLR.Consecutive", dict(kind="MultiStepLR", milestones=[1, 2, 3, 4], gamma=0.9), 0.01, 100)

    yield run_case("ExponentialLR.0.99", dict(kind="ExponentialLR", gamma=0.99), 0.1, 300)
    yield run_case("ExponentialLR.0.9", dict(kind="ExponentialLR", gamma=0.9), 0.1, 300)
    yield run_case("ExponentialLR.One", dict(kind="ExponentialLR", gamma=1.0), 0.1, 100)
    yield run_case("ExponentialLR.Growth", dict(kind="ExponentialLR", gamma=1.02), 1e-5, 300)

    yield run_case("PolynomialLR.Linear100", dict(kind="PolynomialLR", total_iters=100, power=1.0), 0.1, 200)
    yield run_case("PolynomialLR.Square50", dict(kind="PolynomialLR", total_iters=50, power=2.0), 0.1, 150)
    yield run_case("PolynomialLR.Sqrt80", dict(kind="PolynomialLR", total_iters=80, power=0.5), 0.1, 200)
    yield run_case("PolynomialLR.Cubic7", dict(kind="PolynomialLR", total_iters=7, power=3), 1.0, 30)
    yield run_case("PolynomialLR.OneStep", dict(kind="PolynomialLR", total_iters=1, power=1.0), 0.1, 30)
    yield run_case("PolynomialLR.Defaults", dict(kind="PolynomialLR", total_iters=5, power=1.0), 0.001, 30)

    yield run_case("CosineAnnealingLR.Tmax50", dict(kind="CosineAnnealingLR", T_max=50, eta_min=0.0), 0.1, 300)
    yield run_case("CosineAnnealingLR.Tmax20EtaMin", dict(kind="CosineAnnealingLR", T_max=20, eta_min=1e-4), 0.1, 200)
    yield run_case("CosineAnnealingLR.Tmax100", dict(kind="CosineAnnealingLR", T_max=100, eta_min=0.0), 0.01, 300)
    yield run_case("CosineAnnealingLR.Tmax1", dict(kind="CosineAnnealingLR", T_max=1, eta_min=0.001), 0.1, 30)
    yield run_case("CosineAnnealingLR.Tmax3", dict(kind="CosineAnnealingLR", T_max=3, eta_min=0.0), 0.1, 60)
    yield run_case("CosineAnnealingLR.EtaMinEqualsBase", dict(kind="CosineAnnealingLR", T_max=10, eta_min=0.1), 0.1, 50)

    yield run_case("CosineAnnealingWarmRestarts.T10", dict(kind="CosineAnnealingWarmRestarts", T_0=10, T_mult=1, eta_min=0.0), 0.1, 100)
    yield run_case("CosineAnnealingWarmRestarts.T5Mult2", dict(kind="CosineAnnealingWarmRestarts", T_0=5, T_mult=2, eta_min=1e-3), 0.1, 300)
    yield run_case("CosineAnnealingWarmRestarts.T1Mult3", dict(kind="CosineAnnealingWarmRestarts", T_0=1, T_mult=3, eta_min=0.0), 0.1, 200)
    yield run_case("CosineAnnealingWarmRestarts.T1", dict(kind="CosineAnnealingWarmRestarts", T_0=1, T_mult=1, eta_min=0.01), 0.1, 30)

    yield run_case("LinearLR.Defaults", dict(kind="LinearLR", start_factor=1.0 / 3, end_factor=1.0, total_iters=5), 0.05, 30)
    yield run_case("LinearLR.Warmup50", dict(kind="LinearLR", start_factor=0.1, end_factor=1.0, total_iters=50), 0.1, 150)
    yield run_case("LinearLR.Decay100", dict(kind="LinearLR", start_factor=1.0, end_factor=0.01, total_iters=100), 0.1, 200)
    yield run_case("LinearLR.Flat", dict(kind="LinearLR", start_factor=0.5, end_factor=0.5, total_iters=10), 0.1, 30)
    yield run_case("LinearLR.OneStep", dict(kind="LinearLR", start_factor=0.25, end_factor=0.75, total_iters=1), 0.1, 30)

    cosine = dict(kind="CosineAnnealingLR", T_max=80, eta_min=0.0)
    yield run_case("LinearWarmup.Cosine", dict(kind="LinearWarmup", start_factor=0.01, warmup_steps=20, then=cosine), 0.1, 300)
    yield run_case("LinearWarmup.Exponential", dict(kind="LinearWarmup", start_factor=0.1, warmup_steps=10, then=dict(kind="ExponentialLR", gamma=0.98)), 0.05, 200)
    yield run_case("LinearWarmup.Step", dict(kind="LinearWarmup", start_factor=0.5, warmup_steps=5, then=dict(kind="StepLR", step_size=25, gamma=0.5)), 0.1, 150)
    yield run_case("LinearWarmup.MultiStep", dict(kind="LinearWarmup", start_factor=0.2, warmup_steps=15, then=dict(kind="MultiStepLR", milestones=[0, 30, 60], gamma=0.1)), 0.1, 120)
    yield run_case("LinearWarmup.Restarts", dict(kind="LinearWarmup", start_factor=0.001, warmup_steps=10, then=dict(kind="CosineAnnealingWarmRestarts", T_0=10, T_mult=2, eta_min=1e-5)), 0.1, 160)
    yield run_case("LinearWarmup.Polynomial", dict(kind="LinearWarmup", start_factor=0.05, warmup_steps=30, then=dict(kind="PolynomialLR", total_iters=60, power=2.0)), 0.1, 120)
    yield run_case("LinearWarmup.OneStep", dict(kind="LinearWarmup", start_factor=0.5, warmup_steps=1, then=dict(kind="ExponentialLR", gamma=0.95)), 0.1, 60)
    yield run_case("SequentialLR.WarmupHoldsPastItsEnd", dict(kind="SequentialLR", schedulers=[dict(kind="LinearLR", start_factor=0.1, end_factor=1.0, total_iters=10), dict(kind="CosineAnnealingLR", T_max=40, eta_min=0.0)], milestones=[25]), 0.1, 150)
    yield run_case("SequentialLR.WarmupCutShort", dict(kind="SequentialLR", schedulers=[dict(kind="LinearLR", start_factor=0.1, end_factor=1.0, total_iters=30), dict(kind="ExponentialLR", gamma=0.97)], milestones=[12]), 0.1, 150)
    yield run_case("SequentialLR.Three", dict(kind="SequentialLR", schedulers=[dict(kind="ConstantLR", factor=0.1, total_iters=10), dict(kind="LinearLR", start_factor=0.5, end_factor=1.0, total_iters=20), dict(kind="CosineAnnealingLR", T_max=30, eta_min=1e-3)], milestones=[10, 30]), 0.1, 200)

    yield one_cycle("OneCycleLR.Cos", 100, max_lr=0.1)
    yield one_cycle("OneCycleLR.Linear", 100, max_lr=0.1, anneal_strategy="linear")
    yield one_cycle("OneCycleLR.CosThreePhase", 120, max_lr=0.5, three_phase=True)
    yield one_cycle("OneCycleLR.LinearThreePhase", 120, max_lr=0.5, three_phase=True, anneal_strategy="linear")
    yield one_cycle("OneCycleLR.Factors", 90, max_lr=1.0, pct_start=0.25, div_factor=10.0, final_div_factor=100.0)
    yield one_cycle("OneCycleLR.PctStartZero", 50, max_lr=0.1, pct_start=0.0)
    yield one_cycle("OneCycleLR.PctStartOne", 50, max_lr=0.1, pct_start=1.0)
    yield one_cycle("OneCycleLR.ThreePhaseLongPeak", 60, max_lr=0.1, pct_start=0.7, three_phase=True)
    yield one_cycle("OneCycleLR.ShortWarmup", 10, max_lr=0.1, pct_start=0.05)
    yield one_cycle("OneCycleLR.ThreeSteps", 3, max_lr=0.1, pct_start=0.5, three_phase=True, anneal_strategy="linear")
    yield one_cycle("OneCycleLR.OneStep", 1, max_lr=0.1)

    yield plateau("ReduceLROnPlateau.Defaults", "stairs", 1, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8)
    yield plateau("ReduceLROnPlateau.PatienceZero", "noisy", 2, mode="min", factor=0.5, patience=0, threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8)
    yield plateau("ReduceLROnPlateau.Cooldown", "noisy", 3, mode="min", factor=0.5, patience=2, threshold=0.01, threshold_mode="abs", cooldown=5, min_lr=0.0, eps=1e-8)
    yield plateau("ReduceLROnPlateau.MinLr", "noisy", 4, mode="min", factor=0.3, patience=1, threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0.004, eps=1e-8)
    yield plateau("ReduceLROnPlateau.LargeEps", "noisy", 5, mode="min", factor=0.5, patience=1, threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0.0, eps=0.01)
    yield plateau("ReduceLROnPlateau.MaxAbs", "rising", 6, mode="max", factor=0.2, patience=3, threshold=0.005, threshold_mode="abs", cooldown=2, min_lr=1e-5, eps=1e-8)
    yield plateau("ReduceLROnPlateau.MaxRel", "rising", 7, mode="max", factor=0.5, patience=4, threshold=0.01, threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8)
    yield plateau("ReduceLROnPlateau.NegativeRel", "negative", 8, mode="min", factor=0.5, patience=3, threshold=0.05, threshold_mode="rel", cooldown=1, min_lr=0.0, eps=1e-8)
    yield plateau("ReduceLROnPlateau.RepeatsNaNInfinity", "special", 9, steps=150, mode="min", factor=0.5, patience=2, threshold=0.0, threshold_mode="abs", cooldown=0, min_lr=0.0, eps=0.0)

    yield run_case("InverseTimeDecay.Smooth", dict(kind="InverseTimeDecay", decay_steps=10, decay_rate=0.5, staircase=False), 0.1, 200)
    yield run_case("InverseTimeDecay.Staircase", dict(kind="InverseTimeDecay", decay_steps=25, decay_rate=1.0, staircase=True), 0.1, 200)
    yield run_case("InverseTimeDecay.RateZero", dict(kind="InverseTimeDecay", decay_steps=1, decay_rate=0.0, staircase=False), 0.1, 50)


def dumps(value, indent=0):
    """JSON with one line per list of numbers and per schedule object: readable diffs, small file."""
    pad = " " * indent
    inner = " " * (indent + 1)
    if isinstance(value, dict) and indent < 3:
        items = [inner + json.dumps(k) + ": " + dumps(v, indent + 1) for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        items = [inner + dumps(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, allow_nan=False, separators=(", ", ": "))


def main():
    warnings.simplefilter("ignore")  # SequentialLR's step(0) warns that the epoch argument is deprecated
    torch.set_num_threads(1)
    document = {
        "description": "torch.optim.lr_scheduler learning rates per step; made by make_schedules_golden.py, read by ScheduleGoldenTests.cs",
        "torch_version": torch.__version__,
        "cases": list(cases()),
    }
    names = [c["name"] for c in document["cases"]]
    if len(names) != len(set(names)):
        raise ValueError("duplicate case name")
    text = dumps(document) + "\n"
    json.loads(text)  # well-formed
    with open(OUTPUT, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    print(f"wrote {OUTPUT}: {len(names)} cases, {len(text)} bytes, torch {torch.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
