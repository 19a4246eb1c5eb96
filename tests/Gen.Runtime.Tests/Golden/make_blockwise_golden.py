#!/usr/bin/python3
"""Makes blockwise.json: bitsandbytes' 8-bit dynamic code tables and block-wise quantization of a few
known blocks, the golden data of tests/Gen.Runtime.Tests/BlockwiseQuantizationTests.cs.

Run from the repository root, with the system Python that has Debian's python3-torch:

    /usr/bin/python3 tests/Gen.Runtime.Tests/Golden/make_blockwise_golden.py

bitsandbytes is not installed here (it needs its native library); its algorithm is written out below
from its definitions in github.com/bitsandbytes-foundation/bitsandbytes (read at commit 95f9af30):

* The tables: bitsandbytes/functional.py, create_dynamic_map(signed, max_exponent_bits=7,
  total_bits=8), as bitsandbytes/optim/optimizer.py's fill_qmap calls it: "dynamic" (signed=True) for
  state1 (Adam's exp_avg), "udynamic" (signed=False) for state2 (exp_avg_sq). For each decade
  i = 0..6, torch.linspace(0.1, 1, n_i) in float32 (n_i = 2^i + 1 signed, 2^(i+1) + 1 unsigned), the
  means of neighbouring points, times the Python number 10^(i-6) (a float32 tensor times a Python
  scalar: the scalar is rounded to float32 first); signed also the negated products. Then 0 and 1.0,
  sorted: 256 entries. The values are torch's own: this script calls torch.linspace as bitsandbytes
  does.
* Quantization: csrc/kernels.cu, kQuantizeBlockwise (blocks of 256 here, as the 8-bit block-wise
  optimizers use, optimizer.py: blocksize = 256) and dQuantize<0>. absmax is fmaxf over |x| from
  -FLT_MAX (fmaxf skips NaN); each value is multiplied by 1.0f / absmax and dQuantize's 7-step binary
  search over the sorted code (pivot 127, steps 64..1) with the final midpoint test picks the index.
* Dequantization: kDequantizeBlockwise, code[index] * absmax in float32.

The tables and every float are written as their float32 bit patterns, read as signed 32-bit integers
(as C#'s BitConverter.SingleToInt32Bits gives them): exact, and NaN, -0.0 and the infinities need no
special spelling. Deterministic: fixed seeds.
"""

import json
import os

import numpy as np
import torch

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "blockwise.json")
BLOCK_SIZE = 256
F32 = np.float32


def dynamic_map(signed):
    """create_dynamic_map(signed) with max_exponent_bits=7, total_bits=8 (no extra linear items)."""
    data = []
    for i in range(7):
        count = 2 ** i + 1 if signed else 2 ** (i + 1) + 1
        points = torch.linspace(0.1, 1, count, dtype=torch.float32)
        means = (points[:-1] + points[1:]) / 2.0
        data += ((10 ** (i - 6)) * means).tolist()
        if signed:
            data += (-(10 ** (i - 6)) * means).tolist()
    data.append(0)
    data.append(1.0)
    assert len(data) == 256
    data.sort()
    return np.array(torch.tensor(data, dtype=torch.float32).numpy(), dtype=F32)


def d_quantize(code, x):
    """dQuantize<0>: the binary search of csrc/kernels.cu, in float32."""
    x = F32(x)
    pivot, upper_pivot, lower_pivot = 127, 255, 0
    lower, upper = F32(-1.0), F32(1.0)
    val = code[pivot]
    step = 64
    while step > 0:
        if x > val:
            lower_pivot, lower = pivot, val
            pivot += step
        else:
            upper_pivot, upper = pivot, val
            pivot -= step
        val = code[pivot]
        step >>= 1
    if upper_pivot == 255:
        upper = code[upper_pivot]
    if lower_pivot == 0:
        lower = code[lower_pivot]
    if x > val:
        midpoint = F32(F32(upper + val) * F32(0.5))
        return upper_pivot if x > midpoint else pivot
    midpoint = F32(F32(lower + val) * F32(0.5))
    return lower_pivot if x < midpoint else pivot


def quantize_block(code, values):
    absmax = F32(-np.finfo(np.float32).max)
    for v in values:
        a = abs(F32(v))
        if not np.isnan(a):
            absmax = max(absmax, a)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        inverse = F32(F32(1.0) / absmax)
        codes = [d_quantize(code, F32(v) * inverse) for v in values]
    return absmax, codes


def bits(values):
    return [int(b) for b in np.asarray(values, dtype=F32).view(np.int32)]


def blocks(code):
    """(name, values) pairs: the blocks every table is tested with."""
    rng = np.random.default_rng(8256)
    normal = rng.standard_normal(BLOCK_SIZE).astype(F32)
    tiny = (rng.standard_normal(BLOCK_SIZE) * 1e-7).astype(F32)
    # Every midpoint of the table and its float neighbours, scaled so absmax is exactly 1.
    mids = [F32(F32(code[j] + code[j + 1]) * F32(0.5)) for j in range(255)]
    at_mid = []
    for m in mids[::2]:
        at_mid += [np.nextafter(m, F32(-2)), m, np.nextafter(m, F32(2))]
    at_mid = np.array(at_mid[: BLOCK_SIZE - 1] + [F32(1.0)], dtype=F32)
    odd_mid = []
    for m in mids[1::2]:
        odd_mid += [np.nextafter(m, F32(-2)), m, np.nextafter(m, F32(2))]
    odd_mid = np.array(odd_mid[: BLOCK_SIZE - 1] + [F32(-1.0)], dtype=F32)
    short = (rng.standard_normal(100) * 3).astype(F32)
    huge = rng.standard_normal(BLOCK_SIZE).astype(F32)
    huge[77] = F32(1e30)
    exp_avg_sq = (rng.standard_normal(BLOCK_SIZE) ** 2 * 1e-4).astype(F32)
    return (
        ("normal", normal),
        ("tiny", tiny),
        ("even_midpoints", at_mid),
        ("odd_midpoints", odd_mid),
        ("short_last_block", short),
        ("all_zero", np.zeros(BLOCK_SIZE, dtype=F32)),
        ("negative_zeros", -np.zeros(17, dtype=F32)),
        ("one_huge_value", huge),
        ("squares", exp_avg_sq),
        ("single_value", np.array([F32(-0.3)], dtype=F32)),
    )


def main():
    tables = {"dynamic": dynamic_map(True), "udynamic": dynamic_map(False)}
    cases = []
    for table_name, code in tables.items():
        for name, values in blocks(code):
            if table_name == "udynamic":
                values = np.abs(values)
            absmax, codes = quantize_block(code, values)
            dequantized = (code[np.array(codes, dtype=np.int64)] * absmax).astype(F32)
            cases.append({
                "name": name,
                "table": table_name,
                "values": bits(values),
                "absmax": bits([absmax])[0],
                "codes": [int(c) for c in codes],
                "dequantized": bits(dequantized),
            })
    document = {
        "description": "bitsandbytes create_dynamic_map tables and kQuantizeBlockwise/dQuantize results "
        "(blocks of 256); floats as float32 bit patterns; made by make_blockwise_golden.py, read by "
        "BlockwiseQuantizationTests.cs",
        "torch_version": torch.__version__,
        "block_size": BLOCK_SIZE,
        "dynamic": bits(tables["dynamic"]),
        "udynamic": bits(tables["udynamic"]),
        "cases": cases,
    }
    with open(OUTPUT, "w", encoding="utf-8") as f:
        json.dump(document, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
