#!/usr/bin/python3
"""A second opinion on the optimizers Gen has beyond torch.optim: Schedule-Free AdamW and SGD, AdEMAMix and ADOPT,
written here from their published algorithms and run with torch 1.13 float32 and float64 tensors. Writes
beyond_torch.json, which BeyondTorchSecondOpinionTests.cs reads; the tests never run Python.

Run from the repository root, with the system Python that has Debian's python3-torch:

    /usr/bin/python3 tests/Gen.Optimizers.Tests/Golden/make_second_opinion.py

PyTorch 1.13 cannot import the reference implementations (they need torch 2.x), so each is restated below in the
tensor operations of its reference file, in that file's order:

- Schedule-Free (Defazio et al. 2024, "The Road Less Scheduled"): facebookresearch/schedule_free,
  schedulefree/adamw_schedulefree_reference.py and sgd_schedulefree_reference.py at commit 70785b5.
- AdEMAMix (Pagliardini et al. 2024): apple/ml-ademamix, pytorch/ademamix.py at commit c3d73c0.
- ADOPT (Taniguchi et al. 2024): iShohei220/adopt, src/adopt/adopt.py (_single_tensor_adopt) at commit 6468572.

This checks the reading of the algorithms (the C# scalar references in BeyondTorchReferences.cs are a first one) and
the generated kernels against PyTorch's own tensor arithmetic. As for make_golden.py, the last bits differ where
PyTorch 1.13's AVX2 kernels fuse the multiply-add of addcmul_, addcdiv_ and add_(..., alpha=); the tests compare
with the golden tests' tolerances.

Every case has two parameters, "A" of shape [37] and "B" of shape [3, 5], uniform in [-1, 1], and runs 30 steps;
the learning rate halves after step 15 (so Schedule-Free's lr_max keeps the larger one). Gradients are standard
normal, some steps scaled by 1e-3 or 10, about a tenth of the elements exactly zero. Recorded: every step's
learning rate, gradients and parameters, the final state under the reference's keys, Schedule-Free's lr_max and
weight_sum and the parameters its eval() puts in the model (x).
"""

import json
import math
import os
import re
import sys

import torch

STEPS = 30
SHAPES = (("A", (37,)), ("B", (3, 5)))
HALVE_AT = 15
TINY_STEPS = (3, 10, 17, 24)
HUGE_STEPS = (5, 12, 19, 26)
ZERO_FRACTION = 0.1
DIRECTORY = os.path.dirname(os.path.abspath(__file__))


class ScheduleFreeAdamW:
    """AdamWScheduleFreeReference.step."""

    def __init__(self, params, LearningRate=0.0025, Beta1=0.9, Beta2=0.999, Epsilon=1e-8, WeightDecay=0.0, WarmupSteps=0,
                 R=0.0, WeightLrPower=2.0, DecayAtZ=False, InnerMomentum=0.0):
        self.params, self.lr = params, LearningRate
        self.h = dict(beta1=Beta1, beta2=Beta2, eps=Epsilon, decay=WeightDecay, warmup=WarmupSteps, r=R, power=WeightLrPower,
                      at_z=DecayAtZ, mu=InnerMomentum)
        self.k, self.lr_max, self.weight_sum = 0, -1.0, 0.0
        self.state = [dict() for _ in params]

    def averaging(self):
        h, k = self.h, self.k
        sched = (k + 1) / h["warmup"] if k < h["warmup"] else 1.0
        lr = self.lr * sched
        self.lr_max = max(lr, self.lr_max)
        weight = ((k + 1) ** h["r"]) * (self.lr_max ** h["power"])
        self.weight_sum = self.weight_sum + weight
        try:
            ckp1 = weight / self.weight_sum
        except ZeroDivisionError:
            ckp1 = 0
        return lr, ckp1

    @torch.no_grad()
    def step(self):
        h, k = self.h, self.k
        lr, ckp1 = self.averaging()
        bias_correction2 = 1 - h["beta2"] ** (k + 1)
        for p, state in zip(self.params, self.state):
            grad = p.grad
            if not state:
                state["z"] = torch.clone(p)
                state["exp_avg_sq"] = torch.zeros_like(p)
                state["x"] = torch.clone(p)
                state["y"] = torch.clone(p)
                if h["mu"] != 0:
                    state["exp_avg"] = torch.zeros_like(p)
            z, v, x, y = state["z"], state["exp_avg_sq"], state["x"], state["y"]
            if h["decay"] != 0:
                z.sub_(z if h["at_z"] else y, alpha=lr * h["decay"])
            v.mul_(h["beta2"]).addcmul_(grad, grad, value=1 - h["beta2"])
            denom = v.div(bias_correction2).sqrt_().add_(h["eps"])
            if h["mu"] != 0:
                m = state["exp_avg"]
                m.mul_(h["mu"]).add_(grad, alpha=1 - h["mu"])
                numerator = m.div(1 - h["mu"] ** (k + 1))
            else:
                numerator = grad
            z.addcdiv_(numerator, denom, value=-lr)
            x.mul_(1 - ckp1).add_(z, alpha=ckp1)
            y.copy_(x.mul(h["beta1"]).add_(z, alpha=1 - h["beta1"]))
            p.copy_(y)
        self.k = k + 1


class ScheduleFreeSgd(ScheduleFreeAdamW):
    """SGDScheduleFreeReference.step."""

    def __init__(self, params, LearningRate=1.0, Momentum=0.9, WeightDecay=0.0, WarmupSteps=0, R=0.0, WeightLrPower=2.0):
        super().__init__(params, LearningRate=LearningRate, Beta1=Momentum, WeightDecay=WeightDecay, WarmupSteps=WarmupSteps,
                         R=R, WeightLrPower=WeightLrPower)

    @torch.no_grad()
    def step(self):
        h = self.h
        lr, ckp1 = self.averaging()
        for p, state in zip(self.params, self.state):
            grad = p.grad
            if not state:
                state["z"], state["x"], state["y"] = torch.clone(p), torch.clone(p), torch.clone(p)
            z, x, y = state["z"], state["x"], state["y"]
            if h["decay"] != 0:
                grad.add_(y, alpha=h["decay"])
            z.sub_(grad, alpha=lr)
            x.mul_(1 - ckp1).add_(z, alpha=ckp1)
            y.copy_(x.mul(h["beta1"]).add_(z, alpha=1 - h["beta1"]))
            p.copy_(y)
        self.k += 1


def alpha_schedule(step, alpha, warmup):
    if step < warmup:
        a = step / float(warmup)
        return (1.0 - a) * 0 + a * alpha
    return alpha


def beta3_schedule(step, beta1, beta3, warmup):
    def half_life(beta):
        return math.log(0.5) / math.log(beta + 1e-8) - 1

    if step < warmup:
        a = step / float(warmup)
        return math.pow(0.5, 1 / ((1.0 - a) * half_life(beta1) + a * half_life(beta3) + 1))
    return beta3


class AdEMAMix:
    """apple/ml-ademamix AdEMAMix.step; a warm-up of 0 is the reference's None."""

    def __init__(self, params, LearningRate=1e-3, Beta1=0.9, Beta2=0.999, Beta3=0.9999, Alpha=2.0, AlphaWarmup=0,
                 Beta3Warmup=0, Epsilon=1e-8, WeightDecay=0.0):
        self.params, self.lr = params, LearningRate
        self.h = dict(beta1=Beta1, beta2=Beta2, beta3=Beta3, alpha=Alpha, alpha_warmup=AlphaWarmup, beta3_warmup=Beta3Warmup,
                      eps=Epsilon, decay=WeightDecay)
        self.state = [dict() for _ in params]

    @torch.no_grad()
    def step(self):
        h = self.h
        for p, state in zip(self.params, self.state):
            grad = p.grad
            if not state:
                state["step"] = 0
                state["exp_avg_fast"] = torch.zeros_like(p) if h["beta1"] != 0.0 else None
                state["exp_avg_slow"] = torch.zeros_like(p)
                state["exp_avg_sq"] = torch.zeros_like(p)
            fast, slow, v = state["exp_avg_fast"], state["exp_avg_slow"], state["exp_avg_sq"]
            state["step"] += 1
            t = state["step"]
            bias_correction1 = 1 - h["beta1"] ** t
            bias_correction2 = 1 - h["beta2"] ** t
            alpha = alpha_schedule(t, h["alpha"], h["alpha_warmup"]) if h["alpha_warmup"] else h["alpha"]
            beta3 = beta3_schedule(t, h["beta1"], h["beta3"], h["beta3_warmup"]) if h["beta3_warmup"] else h["beta3"]
            if h["beta1"] != 0.0:
                fast.mul_(h["beta1"]).add_(grad, alpha=1 - h["beta1"])
            else:
                fast = grad
            slow.mul_(beta3).add_(grad, alpha=1 - beta3)
            v.mul_(h["beta2"]).addcmul_(grad, grad, value=1 - h["beta2"])
            denom = (v.sqrt() / math.sqrt(bias_correction2)).add_(h["eps"])
            update = (fast.div(bias_correction1) + alpha * slow) / denom
            update.add_(p, alpha=h["decay"])
            p.add_(-self.lr * update)


class Adopt:
    """iShohei220/adopt _single_tensor_adopt; clip_lambda is step ** ClipExponent, or None without Clipping."""

    def __init__(self, params, LearningRate=1e-3, Beta1=0.9, Beta2=0.9999, Epsilon=1e-6, Clipping=True, ClipExponent=0.25,
                 WeightDecay=0.0, Decouple=False, Maximize=False):
        self.params, self.lr = params, LearningRate
        self.h = dict(beta1=Beta1, beta2=Beta2, eps=Epsilon, decay=WeightDecay, decouple=Decouple, maximize=Maximize)
        self.clip_lambda = (lambda step: step ** ClipExponent) if Clipping else None
        self.state = [dict() for _ in params]

    @torch.no_grad()
    def step(self):
        h, lr = self.h, self.lr
        for param, state in zip(self.params, self.state):
            if not state:
                state["step"] = torch.tensor(0.0)
                state["exp_avg"] = torch.zeros_like(param)
                state["exp_avg_sq"] = torch.zeros_like(param)
            grad = param.grad if not h["maximize"] else -param.grad
            m, v, step_t = state["exp_avg"], state["exp_avg_sq"], state["step"]
            step = step_t.item()
            if h["decay"] != 0 and not h["decouple"]:
                grad = grad.add(param, alpha=h["decay"])
            if step == 0:
                v.addcmul_(grad, grad)
                step_t += 1
                continue
            if h["decay"] != 0 and h["decouple"]:
                param.add_(param, alpha=-lr * h["decay"])
            denom = torch.clamp(v.sqrt(), h["eps"])
            normed = grad.div(denom)
            if self.clip_lambda is not None:
                clip = self.clip_lambda(step)
                normed.clamp_(-clip, clip)
            m.lerp_(normed, 1 - h["beta1"])
            param.add_(m, alpha=-lr)
            v.mul_(h["beta2"]).addcmul_(grad, grad, value=1 - h["beta2"])
            step_t += 1


# (kind, class, Gen's Kind, cases as (name, seed, hyperparameters by Gen's attribute property names)).
KINDS = [
    ("ScheduleFreeAdamW", ScheduleFreeAdamW, [
        ("SfAdamWDefaults", 101, {}),
        ("SfAdamWEvery", 102, dict(LearningRate=0.01, Beta1=0.8, Beta2=0.99, Epsilon=1e-6, WeightDecay=0.05, WarmupSteps=5, R=1.0,
                                   WeightLrPower=1.5, DecayAtZ=True, InnerMomentum=0.9)),
        ("SfAdamWDecayAtY", 103, dict(LearningRate=0.01, WeightDecay=0.05, WarmupSteps=5)),
    ]),
    ("ScheduleFreeSgd", ScheduleFreeSgd, [
        ("SfSgdDefaults", 201, {}),
        ("SfSgdEvery", 202, dict(LearningRate=0.1, Momentum=0.8, WeightDecay=0.05, WarmupSteps=5, R=2.0, WeightLrPower=0.0)),
    ]),
    ("AdEMAMix", AdEMAMix, [
        ("AdEMAMixDefaults", 301, {}),
        ("AdEMAMixEvery", 302, dict(LearningRate=0.01, Beta1=0.8, Beta2=0.99, Beta3=0.999, Alpha=5.0, AlphaWarmup=10, Beta3Warmup=20,
                                    Epsilon=1e-6, WeightDecay=0.1)),
        ("AdEMAMixNoFast", 303, dict(LearningRate=0.01, Beta1=0.0, Beta3Warmup=20, WeightDecay=0.1)),
    ]),
    ("Adopt", Adopt, [
        ("AdoptDefaults", 401, {}),
        ("AdoptEvery", 402, dict(LearningRate=0.01, Beta1=0.3, Beta2=0.99, Epsilon=1e-4, ClipExponent=0.5, WeightDecay=0.05,
                                 Decouple=True, Maximize=True)),
        ("AdoptL2Unclipped", 403, dict(LearningRate=0.01, Epsilon=1e-3, WeightDecay=0.05, Clipping=False)),
    ]),
]


def flat(tensor):
    values = [float(x) for x in tensor.detach().reshape(-1).tolist()]
    if not all(v == v and abs(v) != float("inf") for v in values):
        raise ValueError("non-finite value")
    return values


def gradient(step, shape, dtype):
    g = torch.randn(shape, dtype=dtype)
    if step in TINY_STEPS:
        g = g * 1e-3
    elif step in HUGE_STEPS:
        g = g * 10
    return g.masked_fill(torch.rand(shape) < ZERO_FRACTION, 0.0)


def run_case(attribute, cls, name, seed, hyperparameters, dtype):
    torch.manual_seed(seed)
    params = [torch.empty(shape, dtype=dtype).uniform_(-1, 1) for _, shape in SHAPES]
    initial = [flat(p) for p in params]
    opt = cls(params, **hyperparameters)
    base = opt.lr
    steps = []
    for step in range(STEPS):
        opt.lr = base if step < HALVE_AT else base * 0.5
        grads = [gradient(step, shape, dtype) for _, shape in SHAPES]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        opt.step()
        steps.append({"learning_rate": opt.lr, "gradients": [flat(g) for g in grads], "parameters": [flat(p) for p in params]})
    final = []
    for state in opt.state:
        final.append({key: flat(value) for key, value in sorted(state.items()) if isinstance(value, torch.Tensor) and value.dim() > 0})
    case = {
        "name": name,
        "attribute": attribute,
        "dtype": "float32" if dtype == torch.float32 else "float64",
        "hyperparameters": hyperparameters,
        "parameters": [{"name": n, "shape": list(s), "initial": v} for (n, s), v in zip(SHAPES, initial)],
        "steps": steps,
        "final_state": final,
    }
    if isinstance(opt, ScheduleFreeAdamW):
        case["group"] = {"lr_max": opt.lr_max, "weight_sum": opt.weight_sum}
        case["eval_parameters"] = [flat(state["x"]) for state in opt.state]  # the reference's eval(): p.copy_(state["x"])
    return case


def dumps(value, indent=0):
    pad, inner = " " * indent, " " * (indent + 1)
    if isinstance(value, dict):
        return "{\n" + ",\n".join(inner + json.dumps(k) + ": " + dumps(v, indent + 1) for k, v in value.items()) + "\n" + pad + "}"
    if isinstance(value, list) and value and all(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(inner + dumps(v, indent + 1) for v in value) + "\n" + pad + "]"
    return json.dumps(value, allow_nan=False, separators=(", ", ": "))


def cpu_capability():
    match = re.search(r"CPU capability usage: (\S+)", torch.__config__.show())
    return match.group(1) if match else "unknown"


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    cases = [run_case(attribute, cls, name, seed, hyperparameters, dtype)
             for attribute, cls, kind_cases in KINDS for name, seed, hyperparameters in kind_cases
             for dtype in (torch.float32, torch.float64)]
    document = {
        "description": "Schedule-Free AdamW and SGD, AdEMAMix and ADOPT restated from their reference files in torch 1.13 tensor operations; made by make_second_opinion.py, read by BeyondTorchSecondOpinionTests.cs",
        "torch_version": torch.__version__,
        "cpu_capability": cpu_capability(),
        "steps": STEPS,
        "cases": cases,
    }
    text = dumps(document) + "\n"
    json.loads(text)
    path = os.path.join(DIRECTORY, "beyond_torch.json")
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    print(f"wrote {path}: {len(cases)} cases, {len(text)} bytes, torch {torch.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
