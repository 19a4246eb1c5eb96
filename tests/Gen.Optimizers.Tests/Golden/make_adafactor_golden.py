"""Golden trajectories for [Adafactor]: PyTorch 2.5's single-tensor torch.optim.Adafactor (torch/optim/_adafactor.py,
Shazeer and Stern 2018, arXiv:1804.04235), step by step in real torch tensor operations.

torch 1.13, the torch this machine has, cannot run 2.5's class (torch.optim.Adafactor does not exist before 2.5), so
this script is 2.5's single-tensor algorithm expressed in the 1.13 operations it is made of: linalg.vector_norm,
lerp_, matmul, mean, clamp_min_, rsqrt_, mul_, add_ with a Python-float alpha, and .item() for the Python scalars.
Every scalar (the step, rho, alpha, the denominator) is a Python float, as in 2.5; the step is a float32 tensor.

Cases: float32 and float64; a matrix, a rank-3 member (its leading dimension a batch dimension), a one-column
matrix, vectors (one starting at 0), a [NoWeightDecay] vector; the defaults, weight decay, maximize, d > 1, an
explicit eps1, and a learning rate above 1/sqrt(t) for the first steps, so rho = min(lr, 1/sqrt(t)) switches.

Run with /usr/bin/python3 (which has torch) from the repository root; writes
tests/Gen.Optimizers.Tests/Golden/adafactor.json. AdafactorGoldenTests holds Gen to it.
"""
import json
import os

import torch

STEPS = 12
SHAPES = {"W": [6, 10], "Heads": [2, 3, 4], "Column": [5, 1], "V": [11], "Zero": [7], "Bias": [5]}
NO_DECAY = {"Bias"}  # [NoWeightDecay]: skips the decay only

CASES = [
    {"name": "Defaults", "config": {}},
    {"name": "Decay", "config": {"WeightDecay": 0.1, "LearningRate": 0.02}},
    {"name": "Maximized", "config": {"Maximize": True, "Beta2Decay": -0.5}},
    {"name": "Clipped", "config": {"ClipThreshold": 1.5, "Epsilon2": 1e-2}},
    {"name": "ExplicitEpsilon1", "config": {"Epsilon1": 1e-4}},
    # lr = 0.5: rho = min(lr, 1/sqrt(t)) is the cap 0.5 for t <= 4, then 1/sqrt(t).
    {"name": "Switching", "config": {"LearningRate": 0.5, "WeightDecay": 0.01}},
]

DEFAULTS = {"LearningRate": 1e-2, "Beta2Decay": -0.8, "Epsilon1": None, "Epsilon2": 1e-3, "ClipThreshold": 1.0, "WeightDecay": 0.0, "Maximize": False}


def values(count, seed, scale):
    """Deterministic values in [-scale, scale): a simple LCG, the same numbers on every machine, as float64."""
    out, state = [], seed
    for _ in range(count):
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        out.append(((state >> 11) / float(1 << 53) * 2 - 1) * scale)
    return out


def count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def initial(name, dtype):
    if name == "Zero":
        return torch.zeros(SHAPES[name], dtype=dtype)
    return torch.tensor(values(count(SHAPES[name]), 7 + len(name), 1.0), dtype=dtype).reshape(SHAPES[name])


def gradient(name, step, dtype):
    return torch.tensor(values(count(SHAPES[name]), 1000 + 31 * step + len(name), 0.1), dtype=dtype).reshape(SHAPES[name])


def adafactor_step(param, grad, state, lr, beta2_decay, eps1, eps2, d, weight_decay, maximize):
    """One step of 2.5's _single_tensor_adafactor for one parameter, in torch 1.13 operations."""
    grad = grad if not maximize else -grad
    step_t = state["step"]
    if eps1 is None:
        eps1 = torch.finfo(param.dtype).eps

    step_t += 1
    step_float = step_t.item()
    one_minus_beta2_t = step_float ** beta2_decay
    rho_t = min(lr, 1 / (step_float ** 0.5))
    alpha = max(eps2, param.norm(2).item() / (param.numel() ** 0.5)) * rho_t

    if weight_decay != 0:
        param.mul_(1 - lr * weight_decay)

    if grad.dim() > 1:
        row_mean = torch.linalg.vector_norm(grad, dim=-1, keepdim=True).square_().div_(grad.size(-1))
        state["row_var"].lerp_(row_mean, one_minus_beta2_t)
        col_mean = torch.linalg.vector_norm(grad, dim=-2, keepdim=True).square_().div_(grad.size(-2))
        state["col_var"].lerp_(col_mean, one_minus_beta2_t)
        var_estimate = state["row_var"] @ state["col_var"]
        var_estimate.div_(state["row_var"].mean(dim=-2, keepdim=True).clamp_min_(eps1))
    else:
        grad_squared = grad * grad
        state["variance"].lerp_(grad_squared, one_minus_beta2_t)
        var_estimate = state["variance"].clone()

    update = var_estimate.clamp_min_(eps1 * eps1).rsqrt_()
    update.mul_(grad)
    denom = max(1.0, update.norm(2).item() / ((update.numel() ** 0.5) * d))
    param.add_(update, alpha=-alpha / denom)


def new_state(param):
    state = {"step": torch.tensor(0.0, dtype=torch.float32)}
    if param.dim() > 1:
        row_shape = list(param.shape[:-1]) + [1]
        col_shape = list(param.shape[:-2]) + [1, param.shape[-1]]
        state["row_var"] = torch.zeros(row_shape, dtype=param.dtype)
        state["col_var"] = torch.zeros(col_shape, dtype=param.dtype)
    else:
        state["variance"] = torch.zeros_like(param)
    return state


def run(case, dtype):
    config = dict(DEFAULTS)
    config.update(case["config"])
    params = {name: initial(name, dtype) for name in SHAPES}
    states = {name: new_state(p) for name, p in params.items()}
    for step in range(STEPS):
        for name, p in params.items():
            wd = 0.0 if name in NO_DECAY else config["WeightDecay"]
            adafactor_step(p, gradient(name, step, dtype), states[name], config["LearningRate"], config["Beta2Decay"],
                           config["Epsilon1"], config["Epsilon2"], config["ClipThreshold"], wd, config["Maximize"])
    final = {name: p.reshape(-1).tolist() for name, p in params.items()}
    state = {}
    for name, s in states.items():
        for key, value in s.items():
            if key != "step":
                state[name + "." + key] = {"shape": list(value.shape), "values": value.reshape(-1).tolist()}
    return {"final": final, "state": state}


def main():
    torch.set_num_threads(1)
    out = {
        "description": "make_adafactor_golden.py: PyTorch 2.5's single-tensor Adafactor algorithm in torch "
                       + torch.__version__ + " tensor operations (1.13 has no torch.optim.Adafactor).",
        "torch_version": torch.__version__,
        "steps": STEPS,
        "shapes": SHAPES,
        "no_weight_decay": sorted(NO_DECAY),
        "initial": {name: initial(name, torch.float64).reshape(-1).tolist() for name in SHAPES},
        "gradients": {name: [gradient(name, step, torch.float64).reshape(-1).tolist() for step in range(STEPS)] for name in SHAPES},
        "cases": [],
    }
    for case in CASES:
        config = {k: v for k, v in case["config"].items()}
        for dtype, label in ((torch.float32, "float32"), (torch.float64, "float64")):
            result = run(case, dtype)
            out["cases"].append({"name": case["name"], "dtype": label, "config": config, **result})

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "adafactor.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
