"""A second opinion on [Lamb] and [Lars]: their trajectories computed in float32 numpy, written from the published
algorithms as Optax's lamb and lars compose them (google-deepmind/optax optax/_src/alias.py; You et al. 2019,
arXiv:1904.00962; You, Gitman and Ginsburg 2017, arXiv:1708.03888). Not Optax itself: JAX is not installed here.
Every array is float32 and every Python scalar is converted to float32 where it meets one, as JAX's weak typing does;
the bias corrections 1 - beta**t are computed in float64 and rounded (Optax: float32 pow; Gen: double, rounded).
The norms are numpy's float32 np.linalg.norm (pairwise summation), so this differs from Gen's fixed-order double sums
by rounding: LayerwiseGoldenTests compares within 1e-5 of max(|p|, 1).

Run with /usr/bin/python3 from the repository root; writes tests/Gen.Optimizers.Tests/Golden/layerwise.json.
"""
import json
import os

import numpy as np

F = np.float32
STEPS = 12
SIZES = {"W": 40, "Zero": 13, "Bias": 7}  # Bias: [NoWeightDecay] (neither decay nor trust ratio)


def values(count, seed, scale):
    """Deterministic float32 values in [-scale, scale): a simple LCG, the same numbers on every machine."""
    out, state = [], seed
    for _ in range(count):
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        out.append((state >> 11) / float(1 << 53))
    return (np.array(out, dtype=np.float64) * 2 - 1).astype(F) * F(scale)


def initial():
    return {"W": values(40, 1, 1.0), "Zero": np.zeros(13, dtype=F), "Bias": values(7, 2, 0.5)}


def gradient(name, step):
    return values(SIZES[name], 100 + 10 * step + len(name), 0.1)


def trust_ratio(u, p, coefficient, eps):
    pn, un = np.linalg.norm(p), np.linalg.norm(u)
    if pn == 0 or un == 0:
        return F(1)
    return F(coefficient) * pn / (un + F(eps))


def lamb(case):
    lr, b1, b2, eps, wd = case["LearningRate"], case["Beta1"], case["Beta2"], case["Epsilon"], case["WeightDecay"]
    params = initial()
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(x) for k, x in params.items()}
    for step in range(STEPS):
        t = step + 1
        bc1, bc2 = F(1 - b1 ** t), F(1 - b2 ** t)
        for name, p in params.items():
            g = gradient(name, step)
            m[name] = F(1 - b1) * g + F(b1) * m[name]
            v[name] = F(1 - b2) * (g * g) + F(b2) * v[name]
            u = (m[name] / bc1) / (np.sqrt(v[name] / bc2) + F(eps))
            if name != "Bias":
                u = u + F(wd) * p
                u = u * trust_ratio(u, p, 1.0, 0.0)
            params[name] = p + F(-lr) * u
    return params


def lars(case):
    lr, wd, c, eps, mu, nesterov = (case["LearningRate"], case["WeightDecay"], case["TrustCoefficient"], case["Epsilon"],
                                    case["Momentum"], case["Nesterov"])
    params = initial()
    trace = {k: np.zeros_like(v) for k, v in params.items()}
    for step in range(STEPS):
        for name, p in params.items():
            u = gradient(name, step)
            if name != "Bias":
                u = u + F(wd) * p
                u = u * trust_ratio(u, p, c, eps)
            u = F(-lr) * u
            trace[name] = u + F(mu) * trace[name]
            params[name] = p + (u + F(mu) * trace[name] if nesterov else trace[name])
    return params


CASES = [
    ("Lamb", "LambDefaults", dict(LearningRate=1e-3, Beta1=0.9, Beta2=0.999, Epsilon=1e-6, WeightDecay=0.0), lamb),
    ("Lamb", "LambEverything", dict(LearningRate=0.01, Beta1=0.8, Beta2=0.99, Epsilon=1e-8, WeightDecay=0.05), lamb),
    ("Lars", "LarsDefaults", dict(LearningRate=0.01, WeightDecay=0.0, TrustCoefficient=0.001, Epsilon=0.0, Momentum=0.9, Nesterov=False), lars),
    ("Lars", "LarsEverything", dict(LearningRate=0.5, WeightDecay=1e-3, TrustCoefficient=0.02, Epsilon=1e-6, Momentum=0.8, Nesterov=True), lars),
]


def main():
    document = dict(
        description="make_layerwise_golden.py: float32 numpy trajectories of LAMB and LARS written from Optax's composition (not Optax).",
        numpy_version=np.__version__, steps=STEPS,
        initial={k: v.tolist() for k, v in initial().items()},
        gradients={k: [gradient(k, s).tolist() for s in range(STEPS)] for k in SIZES},
        cases=[dict(kind=kind, name=name, config=config, final={k: v.astype(np.float64).tolist() for k, v in fn(config).items()})
               for kind, name, config, fn in CASES])
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layerwise.json")
    with open(path, "w") as f:
        json.dump(document, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
