#!/usr/bin/python3
"""Merges the benchmark outputs into benchmarks/RESULTS.md. Called by benchmarks/run.sh.

    /usr/bin/python3 benchmarks/merge_results.py --artifacts benchmarks/artifacts --command "..." [--provisional NOTE]

Reads:
  ARTIFACTS/bdn/results/*-report-full.json   BenchmarkDotNet's full JSON export (Gen.Benchmarks)
  ARTIFACTS/checks.json                      Gen.Benchmarks' checks: every row against its reference, generator caching
  ARTIFACTS/torch.json                       benchmarks/peers/torch_optim.py
  ARTIFACTS/interleaved.json                 Gen.Benchmarks --interleaved (optional): the ratio targets' rows timed in turn, per placement
Writes one Markdown file: RMSProp, a table per size (ns/param and time per step for every row, bytes
allocated per step) and the ratios the targets are stated in; Precision.Fast; the parallel Step; the
optimizer family; the generator; the targets met or missed, computed from the figures (a ratio between
.NET rows from the interleaved times when the run made them); the interleaved ratios; the checks,
including the cross-check with PyTorch, which this script evaluates. Times are BenchmarkDotNet's and
PyTorch's medians. Exits 1 (after writing) when the cross-check with PyTorch fails. Uses only the
Python standard library.
"""

import argparse
import datetime
import pathlib
import glob
import json
import os
import platform
import re
import statistics
import struct

SIZES = [
    ("P4K", "4,096 parameters (one tensor; \"L1\": p, g, v are 48 KiB, the whole L1d of Zen 5, more than Zen 4's 32 KiB)", 4096),
    ("P64K", "65,536 parameters (one tensor; L2)", 65536),
    ("P1M", "1,048,576 parameters (one tensor; L3)", 1048576),
    ("P16M", "16,777,216 parameters (one tensor; DRAM)", 16777216),
    ("Mlp", "Small MLP: 8 tensors, 8,484 parameters (32×64, 64, 64×64, 64, 64×32, 32, 32×4, 4)", 8484),
]
PARAMS = {size: params for size, _, params in SIZES}
SIZE_LABEL = {"P4K": "4K", "P64K": "64K", "P1M": "1M", "P16M": "16M", "Mlp": "Small MLP"}
CONFIGS = [("Plain", "plain (PyTorch defaults)"), ("CenteredMomentum", "centered + momentum 0.9")]
RMSPROP_ROWS = [
    ("Generated", "**Generated** `Step` (default NonFinitePolicy.Throw)"),
    ("GeneratedKernel", "Generated kernel (NonFinitePolicy.Ignore)"),
    ("FastKernel", "Precision.Fast kernel (Ignore)"),
    ("NaiveScalar", "Naive scalar loop"),
    ("TensorPrimitives", "TensorPrimitives composition"),
    ("MemoryRoof", "Memory roof (same loads/stores, adds), in the kernels' order"),
    ("MemoryRoofLoadsFirst", "Memory roof, loads first"),
    ("ArithmeticRoof", "Arithmetic roof (same loads/stores, √ and ÷), in the kernels' order"),
    ("ArithmeticRoofLoadsFirst", "Arithmetic roof, loads first"),
    ("NonFiniteCheck", "Non-finite check alone (what NonFinitePolicy.Throw adds; reads g)"),
    ("ReadRoof", "Read roof (reads g once, one XOR per register: the least any check costs)"),
]
# A roof's loop shapes (Baselines/Roofs.cs, RoofShape): the roof is the faster of them. The 2-thread
# memory roof has the kernels' order only.
ROOF_SHAPES = {
    "MemoryRoof": ("MemoryRoof", "MemoryRoofLoadsFirst"),
    "ArithmeticRoof": ("ArithmeticRoof", "ArithmeticRoofLoadsFirst"),
}
PARALLEL_ROWS = [
    ("Generated", "Generated `Step`, 1 thread"),
    ("ParallelGenerated", "Generated `Step`, 2 threads"),
    ("GeneratedKernel", "Generated kernel (Ignore), 1 thread"),
    ("ParallelKernel", "Generated kernel (Ignore), 2 threads"),
    ("MemoryRoof", "Memory roof, 1 thread"),
    ("ParallelMemoryRoof", "Memory roof, 2 threads"),
]
FAMILY = [
    ("SgdMomentum", "SGD, momentum 0.9 (lr 0.01)", "p, g, b / p, b"),
    ("Adagrad", "Adagrad", "p, g, sum / p, sum"),
    ("Adam", "Adam", "p, g, m, v / p, m, v"),
    ("AdamW", "AdamW", "p, g, m, v / p, m, v"),
    ("Adadelta", "Adadelta", "p, g, v, u / p, v, u"),
    ("Lion", "Lion", "p, g, m / p, m"),
]
FAMILY_SIZES = ["P64K", "P16M"]

# The ratios of the interleaved section (Gen.Benchmarks --interleaved): label, numerator row, denominator row.
INTERLEAVED_RATIOS = [
    ("kernel ÷ memory roof", "GeneratedKernel", "MemoryRoof"),
    ("kernel ÷ arithmetic roof", "GeneratedKernel", "ArithmeticRoof"),
    ("Fast ÷ arithmetic roof", "FastKernel", "ArithmeticRoof"),
    ("Fast ÷ memory roof", "FastKernel", "MemoryRoof"),
    ("arithmetic roof ÷ memory roof", "ArithmeticRoof", "MemoryRoof"),
    ("TensorPrimitives ÷ `Step`", "TensorPrimitives", "Generated"),
]
# "Precision.Fast beats the arithmetic roof" cannot be met where that roof is within this factor of the
# memory roof in the same placements: the √ and ÷ then add no more than the spread between placements to
# the loads and stores alone, and Fast does the same loads and stores as both roofs.
ROOFS_MEET = 1.05

# The PyTorch cross-check: |generated − PyTorch| ≤ rtol·|PyTorch| + atol, element by element.
CROSS_CHECK_RTOL = 1e-5
CROSS_CHECK_ATOL = 1e-6


def load_bdn(artifacts):
    """{(config, size, method): benchmark}, the generator benchmarks, the host and the jobs."""
    rows, generator, host, jobs = {}, {}, None, {}
    for path in sorted(glob.glob(os.path.join(artifacts, "bdn", "results", "*-report-full.json"))):
        with open(path) as f:
            document = json.load(f)
        host = host or document["HostEnvironmentInfo"]
        for b in document["Benchmarks"]:
            match = re.search(r": (\w+)\((.*)\)", b["DisplayInfo"])
            if match:
                jobs[match.group(1)] = match.group(2)
            if b["Type"] == "GeneratorBenchmarks":
                generator[b["Method"]] = b
                continue
            if b["Type"] != "StepBenchmarks":
                continue
            parameters = dict(p.split("=", 1) for p in b["Parameters"].split("&") if "=" in p)
            rows[(parameters["Config"], parameters["Size"], b["Method"])] = b
    return rows, generator, host, jobs


def median_ns(b):
    s = b.get("Statistics") if b else None
    return s["Median"] if s else None


def allocated(b):
    m = b.get("Memory") if b else None
    return m["BytesAllocatedPerOperation"] if m else None


def fmt_ns_param(ns, params):
    return "—" if ns is None else f"{ns / params:.3f}"


def fmt_time(ns):
    if ns is None:
        return "—"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def fmt_ratio(x, digits=2):
    return "—" if x is None else f"{x:.{digits}f}×"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def difference(a, b):
    return None if a is None or b is None else a - b


def torch_rows(torch_doc, config, size):
    """[(label, median_ns, threads)] for one config and size."""
    out = []
    if not torch_doc:
        return out
    for r in torch_doc["results"]:
        if r["config"] == config and r["shape"] == size:
            flag = "" if r.get("finite", True) else " (non-finite!)"
            out.append((f"PyTorch {r['variant']}, {r['threads_label']}{flag}", r["median_ns"], r["threads"]))
    out.sort(key=lambda t: (t[2], t[0]))
    return out


def torch_best(torch_doc, config, size, single_thread):
    """(median_ns, label) of PyTorch's fastest row, or (None, None)."""
    candidates = [(ns, label) for label, ns, threads in torch_rows(torch_doc, config, size) if threads == 1 or not single_thread]
    return min(candidates) if candidates else (None, None)


def ulp_distance(a_bits, b_bits):
    def ordered(bits):
        return -(bits & 0x7FFFFFFF) if bits < 0 else bits
    return abs(ordered(a_bits) - ordered(b_bits))


def as_float(bits):
    return struct.unpack("<f", struct.pack("<i", bits))[0]


def cross_check(ours, theirs):
    """(elements, differing, max ulps, max |Δ|, worst share of the tolerance) of two lists of float32 bit patterns."""
    if ours is None or theirs is None or len(ours) != len(theirs):
        return None
    differing, max_ulps, max_abs, worst = 0, 0, 0.0, 0.0
    for x, y in zip(ours, theirs):
        if x == y:
            continue
        differing += 1
        max_ulps = max(max_ulps, ulp_distance(x, y))
        a, b = as_float(x), as_float(y)
        d = abs(a - b)
        if d != d:  # NaN
            d = float("inf")
        max_abs = max(max_abs, d)
        worst = max(worst, d / (CROSS_CHECK_RTOL * abs(b) + CROSS_CHECK_ATOL))
    return len(ours), differing, max_ulps, max_abs, worst


# AMD's CPUID family says the core generation when a virtual machine names the CPU only "AMD EPYC".
# Family 25 is Zen 3 and Zen 4; of the two only Zen 4 has AVX-512.
AMD_FAMILIES = {25: lambda flags: "Zen 4" if "avx512f" in flags else "Zen 3", 26: lambda flags: "Zen 5"}


def cpu_model():
    """The model name, with the CPUID family and model (and AMD's core generation) after it."""
    fields = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if not line.strip():
                    break
                fields.setdefault(key, value.strip())
    except OSError:
        pass
    name = fields.get("model name") or platform.processor() or "unknown"
    family, model = fields.get("cpu family"), fields.get("model")
    if family is None or model is None:
        return name
    generation = AMD_FAMILIES.get(int(family)) if fields.get("vendor_id") == "AuthenticAMD" else None
    generation = generation(fields.get("flags", "").split()) if generation else None
    return f"{name}, family {family} model {model}" + (f" ({generation})" if generation else "")


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = line.split(":", 1)[1].split()
                    return " ".join(x for x in ("avx2", "fma", "avx512f", "avx512vl") if x in flags)
    except OSError:
        pass
    return ""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--artifacts", default=os.path.join("benchmarks", "artifacts"))
    parser.add_argument("--out", default=os.path.join("benchmarks", "RESULTS.md"))
    parser.add_argument("--command", required=True, help="the exact command that produced the artifacts")
    parser.add_argument("--provisional", default=None, help="a note that marks the figures provisional")
    args = parser.parse_args()

    rows, generator, host, jobs = load_bdn(args.artifacts)
    any_row = next(iter(rows.values()), None)
    toolchain = "in-process emit toolchain" if any_row and "InProcess" in any_row["DisplayInfo"] else "default out-of-process toolchain"
    with open(os.path.join(args.artifacts, "checks.json")) as f:
        checks = json.load(f)
    torch_path = os.path.join(args.artifacts, "torch.json")
    torch_doc = None
    if os.path.exists(torch_path):
        with open(torch_path) as f:
            torch_doc = json.load(f)
    interleaved_path = os.path.join(args.artifacts, "interleaved.json")
    interleaved = None
    if os.path.exists(interleaved_path):
        with open(interleaved_path) as f:
            interleaved = json.load(f)
    # (config, size) → each placement's row times.
    placements = {(c["Config"], c["Size"]): c["NanosecondsPerStep"] for c in (interleaved or {}).get("Cases", [])}

    def measured_ns(config, size, method):
        return median_ns(rows.get((config, size, method)))

    def ns(config, size, method):
        """A row's median; for a roof, the faster of its two loop shapes (a roof is the fastest loop known)."""
        if method in ROOF_SHAPES:
            times = [t for t in (measured_ns(config, size, m) for m in ROOF_SHAPES[method]) if t is not None]
            return min(times) if times else None
        return measured_ns(config, size, method)

    def interleaved_ratio(config, size, numerator, denominator):
        """A ratio within each placement of the interleaved run (a roof: the faster of its shapes in that placement),
        as (median, lowest, highest) over the placements; None where the run did not make it."""
        def time(times, method):
            return min(times[m] for m in ROOF_SHAPES[method]) if method in ROOF_SHAPES else times[method]
        if (config, size) not in placements:
            return None
        values = [time(t, numerator) / time(t, denominator) for t in placements[(config, size)]]
        return statistics.median(values), min(values), max(values)

    def fmt_interleaved(r, digits=2):
        return "—" if r is None else f"{fmt_ratio(r[0], digits)} ({r[1]:.2f}–{r[2]:.2f})"

    def fmt_bandwidth(config, size, method):
        """The bytes the update moves (its traffic) per second, in GB/s."""
        t, b = ns(config, size, method), checks.get("BytesPerElement", {}).get(config)
        return "—" if t is None or b is None else f"{b * PARAMS[size] / t:.1f}"

    def per_param(config, size, method):
        t = ns(config, size, method)
        return None if t is None else t / PARAMS[size]

    lines = []
    w = lines.append
    w("# Benchmark results")
    w("")
    if args.provisional:
        w(f"> **PROVISIONAL.** {args.provisional}")
        w("")
    w("Produced by `benchmarks/run.sh` (see [README.md](README.md)); do not edit by hand.")
    w("")
    w("| | |")
    w("|---|---|")
    # When the measurements ended: the newest file in the artifacts (a later re-merge keeps the run's date).
    newest = max((f.stat().st_mtime for f in pathlib.Path(args.artifacts).rglob("*") if f.is_file()), default=None)
    ended = datetime.datetime.fromtimestamp(newest, datetime.timezone.utc) if newest else datetime.datetime.now(datetime.timezone.utc)
    w(f"| Date | {ended.strftime('%Y-%m-%d %H:%M UTC')} |")
    w(f"| Command | `{args.command}` |")
    w(f"| CPU | {cpu_model()} ({os.cpu_count()} logical cores; {cpu_flags()}) |")
    if host:
        w(f"| .NET | {host['RuntimeVersion']}, SDK {host['DotNetCliVersion']}, BenchmarkDotNet {host['BenchmarkDotNetVersion']} ({toolchain}) |")
    for job, description in sorted(jobs.items()):
        w(f"| Job `{job}` | {description} |")
    w(f"| SIMD | Vector512.IsHardwareAccelerated = {checks['Vector512']}, Vector256 = {checks['Vector256']} |")
    if torch_doc:
        w(f"| PyTorch | {torch_doc['torch_version']} (CPU capability {torch_doc['cpu_capability']}), numpy {torch_doc['numpy_version']}, Python {torch_doc['python_version']}; default threads {torch_doc['default_threads']}; run mode {torch_doc['mode']} |")
    else:
        w("| PyTorch | not run |")
    w("| Statistic | median time per `Step` (BenchmarkDotNet median; PyTorch: median of individually timed `opt.step()` calls) |")
    w("")
    w("ns/param = time per step ÷ parameter count. Everything runs on one thread except the rows that say 2 threads "
      "and PyTorch's multi-thread rows; bytes are managed bytes allocated per step (BenchmarkDotNet's MemoryDiagnoser, "
      "all threads), not measured for PyTorch. Ratios above 1 mean the generated optimizer is that many times faster, "
      "except ÷ roof, where 1.00 is the limit. A roof runs on the arrays of a generated optimizer of the same "
      "configuration and size, so its streams lie where the kernel's lie, and is timed in two loop shapes, the kernels' "
      "order (each state buffer stored as soon as it is loaded) and every load first; every ÷ roof uses the faster of "
      "the two. The roofs do not check gradients for NaN/∞, so they are compared with the "
      "generated **kernel** (NonFinitePolicy.Ignore); PyTorch, TensorPrimitives and the naive loop are compared with "
      "the `Step` users get (default NonFinitePolicy.Throw: one more read of the gradients per step).")
    w("")

    targets = []

    def target(text, value, ok):
        """ok: True, False, None (not measured), or the text that says why the target cannot be met here."""
        targets.append((text, value, ok))

    def ratio_target(text, config, size, numerator, denominator, meets, limit):
        """A target on a ratio of two .NET rows: judged on the interleaved median when the run made it (shown with its
        range over placements and BenchmarkDotNet's ratio of medians), else on BenchmarkDotNet's medians. A value that
        rounds to the target's limit is shown with three decimals, so the reader sees which side of it it lies."""
        bdn = ratio(ns(config, size, numerator), ns(config, size, denominator))
        inter = interleaved_ratio(config, size, numerator, denominator)
        judged = bdn if inter is None else inter[0]
        digits = 3 if judged is not None and round(judged, 2) == limit else 2
        if inter is None:
            target(text, fmt_ratio(bdn, digits), None if bdn is None else meets(bdn))
            return
        target(text, f"{fmt_interleaved(inter, digits)}; BenchmarkDotNet {fmt_ratio(bdn)}", meets(inter[0]))

    def measured(size, configs, methods, or_pytorch=False):
        """Whether this run measured one of these .NET rows at this size (or, if asked, a PyTorch row)."""
        dotnet = any(c in configs and s == size and m in methods for c, s, m in rows)
        return dotnet or (or_pytorch and any(torch_rows(torch_doc, c, size) for c in configs))

    # ---- RMSProp, one section per size (a size this run did not measure has none; its targets still appear, unmeasured).
    for size, title, params in SIZES:
        def checked_floor(c):
            """A checked step ends its read of every gradient before its first write, that read is no faster than the read
            roof, and its update is no faster than the arithmetic roof (the update's loads and stores, its √ and ÷)."""
            roof, read = ns(c, size, "ArithmeticRoof"), ns(c, size, "ReadRoof")
            return None if roof is None or read is None else roof + read

        if measured(size, [c for c, _ in CONFIGS], [m for m, _ in RMSPROP_ROWS], or_pytorch=True):
            w(f"## RMSProp: {title}")
            w("")
            header = "| Implementation |"
            rule = "|---|"
            for _, label in CONFIGS:
                header += f" {label}: ns/param | time/step | B/step |"
                rule += "---:|---:|---:|"
            w(header)
            w(rule)
            for method, label in RMSPROP_ROWS:
                line = f"| {label} |"
                for config, _ in CONFIGS:
                    b = rows.get((config, size, method))
                    t = median_ns(b)
                    a = allocated(b)
                    line += f" {fmt_ns_param(t, params)} | {fmt_time(t)} | {'—' if a is None else a} |"
                w(line)
            torch_labels = []
            for config, _ in CONFIGS:
                for label, _, _ in torch_rows(torch_doc, config, size):
                    if label not in torch_labels:
                        torch_labels.append(label)
            for label in torch_labels:
                line = f"| {label} |"
                for config, _ in CONFIGS:
                    t = next((t for l, t, _ in torch_rows(torch_doc, config, size) if l == label), None)
                    line += f" {fmt_ns_param(t, params)} | {fmt_time(t)} | n/a |"
                w(line)
            w("")

            def guard_cost(c):
                d = difference(per_param(c, size, "Generated"), per_param(c, size, "GeneratedKernel"))
                r = ratio(ns(c, size, "Generated"), ns(c, size, "GeneratedKernel"))
                return "—" if d is None or r is None else f"{d:+.3f} ns/param ({(r - 1) * 100:+.0f}%)"

            w("| Ratio | " + " | ".join(label for _, label in CONFIGS) + " |")
            w("|---|" + "---:|" * len(CONFIGS))
            ratios = [
                ("generated kernel ÷ memory roof", lambda c: fmt_ratio(ratio(ns(c, size, "GeneratedKernel"), ns(c, size, "MemoryRoof")))),
                ("generated kernel ÷ arithmetic roof", lambda c: fmt_ratio(ratio(ns(c, size, "GeneratedKernel"), ns(c, size, "ArithmeticRoof")))),
                ("non-finite guard: `Step` − kernel", guard_cost),
                ("non-finite check alone ÷ read roof", lambda c: fmt_ratio(ratio(ns(c, size, "NonFiniteCheck"), ns(c, size, "ReadRoof")))),
                ("floor of a checked `Step`: arithmetic roof + read roof", lambda c: fmt_time(checked_floor(c))),
                ("generated `Step` ÷ that floor", lambda c: fmt_ratio(ratio(ns(c, size, "Generated"), checked_floor(c)))),
                ("Precision.Fast ÷ arithmetic roof", lambda c: fmt_ratio(ratio(ns(c, size, "FastKernel"), ns(c, size, "ArithmeticRoof")))),
                ("Precision.Fast speedup (exact kernel ÷ Fast)", lambda c: fmt_ratio(ratio(ns(c, size, "GeneratedKernel"), ns(c, size, "FastKernel")))),
                ("PyTorch best (1 thread) ÷ generated `Step`", lambda c: fmt_ratio(ratio(torch_best(torch_doc, c, size, True)[0], ns(c, size, "Generated")))),
                ("PyTorch best (any thread count) ÷ generated `Step`", lambda c: fmt_ratio(ratio(torch_best(torch_doc, c, size, False)[0], ns(c, size, "Generated")))),
                ("TensorPrimitives ÷ generated `Step`", lambda c: fmt_ratio(ratio(ns(c, size, "TensorPrimitives"), ns(c, size, "Generated")))),
                ("naive scalar ÷ generated `Step`", lambda c: fmt_ratio(ratio(ns(c, size, "NaiveScalar"), ns(c, size, "Generated")))),
            ]
            for label, f in ratios:
                w(f"| {label} | " + " | ".join(f(c) for c, _ in CONFIGS) + " |")
            w("")

        for config, clabel in CONFIGS:
            gen = ns(config, size, "Generated")
            kernel = ns(config, size, "GeneratedKernel")
            name = SIZE_LABEL[size]
            if size == "P16M":
                ratio_target(f"16M: generated kernel ≤ 1.10 × memory roof — {clabel}", config, size, "GeneratedKernel", "MemoryRoof", lambda r: r <= 1.10, 1.10)
                r = ratio(torch_best(torch_doc, config, size, True)[0], gen)
                target(f"16M: ≥ 4× faster than PyTorch's best (1 thread) — {clabel}", fmt_ratio(r), None if r is None else r >= 4)
                # PyTorch checks nothing: the same work is the kernel with NonFinitePolicy.Ignore.
                r = ratio(torch_best(torch_doc, config, size, True)[0], kernel)
                target(f"16M: ≥ 4× faster than PyTorch's best (1 thread), same work (NonFinitePolicy.Ignore: no NaN check, as PyTorch) — {clabel}",
                       fmt_ratio(r), None if r is None else r >= 4)
            if size in ("P4K", "P64K"):
                ratio_target(f"{name}: generated kernel ≤ 1.15 × arithmetic roof — {clabel}", config, size, "GeneratedKernel", "ArithmeticRoof", lambda r: r <= 1.15, 1.15)
                roofs = interleaved_ratio(config, size, "ArithmeticRoof", "MemoryRoof")
                fast_memory = interleaved_ratio(config, size, "FastKernel", "MemoryRoof")

                def beats(r, roofs=roofs, fast_memory=fast_memory):
                    if r < 1:
                        return True
                    if roofs is not None and roofs[0] <= ROOFS_MEET:
                        return (f"not reachable here³ (arithmetic roof ÷ memory roof {fmt_interleaved(roofs)}, "
                                f"Fast ÷ memory roof {fmt_interleaved(fast_memory)})")
                    return False
                ratio_target(f"{name}: Precision.Fast beats the arithmetic roof (< 1.00×) — {clabel}", config, size, "FastKernel", "ArithmeticRoof", beats, 1.00)
            if size == "Mlp":
                r = ratio(torch_best(torch_doc, config, size, True)[0], gen)
                target(f"Small MLP: ≥ 25× faster than PyTorch's best (1 thread) per Step — {clabel}", fmt_ratio(r), None if r is None else r >= 25)
                r = ratio(torch_best(torch_doc, config, size, True)[0], checked_floor(config))
                target(f"Small MLP: ≥ 25×, reachable at all by a checked Step: PyTorch's best (1 thread) ÷ (arithmetic roof + read roof) — {clabel}",
                       fmt_ratio(r), None if r is None else r >= 25)
                r = ratio(torch_best(torch_doc, config, size, True)[0], kernel)
                target(f"Small MLP: ≥ 25× faster than PyTorch's best (1 thread) per Step, same work (NonFinitePolicy.Ignore: no NaN check, as PyTorch) — {clabel}",
                       fmt_ratio(r), None if r is None else r >= 25)
            if size in ("P1M", "P16M"):
                ratio_target(f"{name}: ≥ 2× faster than TensorPrimitives — {clabel}", config, size, "TensorPrimitives", "Generated", lambda r: r >= 2, 2.00)
            else:
                ratio_target(f"{name}: not slower than TensorPrimitives — {clabel}", config, size, "TensorPrimitives", "Generated", lambda r: r >= 1, 1.00)
            a = checks.get("GeneratedBytesPerStep", {}).get(config, {}).get(size)
            bdn = allocated(rows.get((config, size, "Generated")))
            note = "" if bdn in (None, 0) else f" (BenchmarkDotNet, all threads: {bdn} B²)"
            target(f"{name}: 0 bytes allocated per Step — {clabel}", "—" if a is None else f"{a:g} B{note}", None if a is None else a == 0)

    # ---- Precision.Fast across sizes.
    w("## Precision.Fast")
    w("")
    w("`[RmsProp(Precision = Precision.Fast)]`: the correctly rounded √, then the hardware reciprocal estimate refined by "
      "one Newton step instead of ÷ (docs/PRECISION.md). Both kernels with NonFinitePolicy.Ignore. The arithmetic roof is "
      "the limit of any exact kernel (one √ and one ÷ per element, on the same unit); Fast does no ÷, so in cache it can "
      "go below it, but never below the memory roof (the same loads and stores with adds only): where the two roofs "
      "meet, Fast has nothing left to gain.")
    w("")
    header = "| Size |"
    rule = "|---|"
    for _, label in CONFIGS:
        header += f" {label}: Fast ns/param | exact kernel | speedup | Fast ÷ arithmetic roof | Fast ÷ memory roof |"
        rule += "---:|---:|---:|---:|---:|"
    w(header)
    w(rule)
    for size, _, params in SIZES:
        if not measured(size, [c for c, _ in CONFIGS], ["FastKernel"]):
            continue
        line = f"| {SIZE_LABEL[size]} |"
        for config, _ in CONFIGS:
            fast, exact = ns(config, size, "FastKernel"), ns(config, size, "GeneratedKernel")
            line += (f" {fmt_ns_param(fast, params)} | {fmt_ns_param(exact, params)} | {fmt_ratio(ratio(exact, fast))} | "
                     f"{fmt_ratio(ratio(fast, ns(config, size, 'ArithmeticRoof')))} | {fmt_ratio(ratio(fast, ns(config, size, 'MemoryRoof')))} |")
        w(line)
    w("")
    fast_checks = [v for v in checks["Verification"] if v["Row"] == "FastKernel"]
    if fast_checks:
        worst = max(v["Measured"] for v in fast_checks)
        w(f"Accuracy, checked before timing at every size above: largest relative error of one update against the exact "
          f"kernel {worst:.2e} (bound 1e-6; see Checks).")
        w("")

    # ---- Parallel Step.
    w("## Parallel `Step` (MaxDegreeOfParallelism = 2)")
    w("")
    w(f"`optimizer.MaxDegreeOfParallelism = 2` with the default `ParallelThreshold` ({checks.get('DefaultParallelThreshold', 262144):,} elements): "
      "the tensor is cut in two contiguous halves, one updated by the caller, one by the optimizer's persistent worker. "
      "The 2-thread memory roof cuts its tensor the same way with the same kind of persistent worker (Baselines/RoofWorkers.cs), "
      "in the kernels' order (the 1-thread memory roof is the faster of its two shapes), "
      f"so its speedup is what the memory system gives a second thread. The machine has {checks.get('ProcessorCount', '?')} logical cores. "
      "The non-finite search of the default policy is split the same way (it reads every gradient once, before any write).")
    w("")
    for size, _, params in SIZES:
        if not measured(size, [c for c, _ in CONFIGS], ["ParallelGenerated", "ParallelKernel", "ParallelMemoryRoof"]):
            continue
        w(f"### {SIZE_LABEL[size]} parameters")
        w("")
        if params < 2 * checks.get("DefaultParallelThreshold", 262144):
            w(f"(Dry run: {SIZE_LABEL[size]} is below twice the default threshold, so this size runs with a threshold of half its length.)")
            w("")
        header = "| Implementation |"
        rule = "|---|"
        for _, label in CONFIGS:
            header += f" {label}: ns/param | time/step |"
            rule += "---:|---:|"
        w(header)
        w(rule)
        for method, label in PARALLEL_ROWS:
            w(f"| {label} |" + "".join(f" {fmt_ns_param(ns(c, size, method), params)} | {fmt_time(ns(c, size, method))} |" for c, _ in CONFIGS))
        w("")
        w("| Ratio | " + " | ".join(label for _, label in CONFIGS) + " |")
        w("|---|" + "---:|" * len(CONFIGS))
        w(f"| memory roof bandwidth, 1 thread → 2 threads (GB/s) | " + " | ".join(
            f"{fmt_bandwidth(c, size, 'MemoryRoof')} → {fmt_bandwidth(c, size, 'ParallelMemoryRoof')}" for c, _ in CONFIGS) + " |")
        for label, f in [
            ("`Step` speedup (1 thread ÷ 2 threads)", lambda c: ratio(ns(c, size, "Generated"), ns(c, size, "ParallelGenerated"))),
            ("kernel speedup (1 thread ÷ 2 threads)", lambda c: ratio(ns(c, size, "GeneratedKernel"), ns(c, size, "ParallelKernel"))),
            ("memory roof speedup (1 thread ÷ 2 threads)", lambda c: ratio(ns(c, size, "MemoryRoof"), ns(c, size, "ParallelMemoryRoof"))),
            ("kernel, 2 threads ÷ memory roof, 2 threads", lambda c: ratio(ns(c, size, "ParallelKernel"), ns(c, size, "ParallelMemoryRoof"))),
            ("`Step`, 2 threads ÷ memory roof, 2 threads", lambda c: ratio(ns(c, size, "ParallelGenerated"), ns(c, size, "ParallelMemoryRoof"))),
            ("PyTorch best (any thread count) ÷ generated `Step`, 2 threads", lambda c: ratio(torch_best(torch_doc, c, size, False)[0], ns(c, size, "ParallelGenerated"))),
        ]:
            w(f"| {label} | " + " | ".join(fmt_ratio(f(c)) for c, _ in CONFIGS) + " |")
        w("")

    # ---- The optimizer family.
    w("## Family")
    w("")
    w("Each optimizer with PyTorch's defaults (SGD: lr 0.01, momentum 0.9), one thread. Generated: the kernel "
      "(NonFinitePolicy.Ignore). Memory roof: the same kernel shape with that optimizer's loads/stores per element "
      "(read / write) and adds only. PyTorch best: the fastest of its for-loop, foreach and (where it exists on the CPU) "
      "fused implementations on one thread.")
    if torch_doc:
        unavailable = torch_doc.get("unavailable", {})
        notes = []
        for config, label, _ in FAMILY:
            why = unavailable.get(config, {})
            if why and len(why) == 3:
                notes.append(f"{label}: no PyTorch row ({next(iter(why.values()))})")
            elif "fused" in why:
                notes.append(f"{label} `fused=True`: {why['fused']}")
        w(" " + "; ".join(notes) + ".")
    w("")
    for size in FAMILY_SIZES:
        if not measured(size, [c for c, _, _ in FAMILY], ["GeneratedKernel", "MemoryRoof"], or_pytorch=True):
            continue
        params = PARAMS[size]
        w(f"### {SIZE_LABEL[size]} parameters")
        w("")
        w("| Optimizer | traffic (read / write) | generated ns/param | memory roof ns/param (GB/s) | generated ÷ roof | PyTorch best ns/param | PyTorch ÷ generated |")
        w("|---|---|---:|---:|---:|---:|---:|")
        for config, label, traffic in FAMILY:
            gen, roof = ns(config, size, "GeneratedKernel"), ns(config, size, "MemoryRoof")
            best, best_label = torch_best(torch_doc, config, size, True)
            best_text = "no PyTorch class" if torch_doc and not torch_rows(torch_doc, config, size) and len(torch_doc.get("unavailable", {}).get(config, {})) == 3 \
                else fmt_ns_param(best, params) + (f" ({best_label.replace('PyTorch ', '').replace(', 1 thread', '')})" if best_label else "")
            w(f"| {label} | {traffic} | {fmt_ns_param(gen, params)} | {fmt_ns_param(roof, params)} ({fmt_bandwidth(config, size, 'MemoryRoof')}) | {fmt_ratio(ratio(gen, roof))} | "
              f"{best_text} | {fmt_ratio(ratio(best, gen))} |")
        w("")

    # ---- Generator.
    w("## Generator")
    w("")
    g = checks["Generator"]
    cold, edit = generator.get("Cold"), generator.get("UnrelatedEdit")
    w(f"{g['Classes']} annotated classes of {g['ParametersPerClass']} parameters each (one file per class) plus one unrelated file; "
      "Roslyn 4.14 `CSharpGeneratorDriver`, in process.")
    w("")
    w("| Run | median time | allocated |")
    w("|---|---:|---:|")
    w(f"| Cold: new compilation, new driver (compiler code already jitted) | {fmt_time(median_ns(cold))} | {'—' if cold is None else f'{allocated(cold) / 1e6:.1f} MB'} |")
    w(f"| Cold, very first run in the process (includes jitting Roslyn; one sample) | {g['FirstRunInProcessMs']:.0f} ms | |")
    w(f"| After an unrelated edit (driver reused, one other file changed) | {fmt_time(median_ns(edit))} | {'—' if edit is None else f'{allocated(edit) / 1e3:.1f} KB'} |")
    w("")
    steps = ", ".join(f"{k}: " + ", ".join(f"{n} {r}" for r, n in v.items()) for k, v in g["UnrelatedEditStepReasons"].items() if k in ("RmsPropModels", "Models"))
    outs = ", ".join(f"{n} {r}" for v in g["UnrelatedEditOutputReasons"].values() for r, n in v.items())
    control = ", ".join(f"{n} {r}" for v in g["HyperparameterEditOutputReasons"].values() for r, n in v.items())
    w(f"- Generated files: {g['GeneratedFiles']}; generator diagnostics: {g['GeneratorDiagnostics']}; "
      f"compile errors in the generated code: {g['CompileErrors'] if g['CompileErrors'] >= 0 else 'not checked (dry run)'}; generator threw: {g['GeneratorThrew']}.")
    w(f"- Unrelated edit, tracked steps: {steps}; source outputs: {outs}. "
      f"**Re-emitted nothing: {'yes' if g['UnrelatedEditReemittedNothing'] else 'NO'}.**")
    w(f"- Control: changing `Rho` in one class gives source outputs {control} "
      f"(exactly one class re-emitted: {'yes' if g['HyperparameterEditReemittedOneClass'] else 'NO'}).")
    w("")
    r = median_ns(cold)
    target("Generator: 100 classes < 1 s cold", fmt_time(r), None if r is None else r < 1e9)
    target("Generator: unrelated edit re-emits nothing", "yes" if g["UnrelatedEditReemittedNothing"] else "no", g["UnrelatedEditReemittedNothing"])

    # ---- Targets.
    w("## Targets")
    w("")
    w("The benchmark issue's targets, each computed from the figures above (— where the figure was not measured in this run). "
      "Roof targets use the generated kernel (the roofs check nothing); the others the `Step` users get. Bytes per Step: "
      "counted on the calling thread over thousands of warmed-up steps (60 + 20 at 16M) by Gen.Benchmarks' checks.")
    if interleaved:
        w("A ratio between two .NET rows is judged on its median over the placements of the next section, where the two rows "
          "are timed in turn within each placement (shown with the lowest and highest placement, then BenchmarkDotNet's ratio "
          "of medians, whose rows are timed minutes apart: benchmarks/README.md, Interleaved ratios); the PyTorch targets on "
          "BenchmarkDotNet's medians.")
    w("")
    w("| Target | Measured | Met |")
    w("|---|---:|:---:|")
    for text, value, ok in targets:
        w(f"| {text} | {value} | {'—' if ok is None else 'yes' if ok is True else '**no**' if ok is False else ok} |")
    w("")
    if any("²" in str(v) for _, v, _ in targets):
        w("² BenchmarkDotNet's MemoryDiagnoser counts the allocations of every thread in the process and divides by the "
          "operations of one iteration; with few operations per iteration (16M: 4) a few hundred bytes allocated elsewhere "
          "(the runtime, BenchmarkDotNet itself) show up as bytes per operation. The calling-thread count is the one that "
          "says whether Step allocates.")
        w("")
    if any(isinstance(ok, str) and "³" in ok for _, _, ok in targets):
        w(f"³ Not reachable on this machine: in the same placements the arithmetic roof (the configuration's loads and "
          f"stores, √ and ÷) is within {(ROOFS_MEET - 1) * 100:.0f} % of the memory roof (the same loads and stores, adds only), "
          "so the loop is bound by its loads and stores and √ and ÷ cost next to nothing; Precision.Fast does the same loads "
          "and stores and replaces only the ÷, so it can only match that roof, not beat it (Fast ÷ memory roof shown). "
          "benchmarks/README.md (Centered + momentum is load/store-bound) has the instruction and loop measurements.")
        w("")

    # ---- Interleaved ratios (Gen.Benchmarks --interleaved), when the run made them.
    if interleaved:
        p = interleaved["Placements"]
        w("## Interleaved: the targets' ratios within one placement")
        w("")
        w(f"Gen.Benchmarks `--interleaved`: for each of {p} placement{'s' if p != 1 else ''} every row below is made afresh "
          f"(shuffled, with random padding between), then the rows take turns, {interleaved['Rounds']} rounds of a batch of "
          f"about {interleaved['BatchMilliseconds']:g} ms of steps each; a row's time in a placement is its median batch. "
          "Each ratio is taken within a placement and shown as the median over placements, with the lowest and highest. "
          "A roof is the faster of its two loop shapes in that placement, as above.")
        w("")
        w("| Size | Configuration | " + " | ".join(label for label, _, _ in INTERLEAVED_RATIOS) + " |")
        w("|---|---|" + "---:|" * len(INTERLEAVED_RATIOS))
        for case in interleaved["Cases"]:
            size, config = case["Size"], case["Config"]
            w(f"| {SIZE_LABEL.get(size, size)} | {dict(CONFIGS).get(config, config)} | "
              + " | ".join(fmt_interleaved(interleaved_ratio(config, size, n, d)) for _, n, d in INTERLEAVED_RATIOS) + " |")
        w("")

    # ---- Checks.
    w("## Checks")
    w("")
    w(f"Before anything is timed, Gen.Benchmarks runs every row and its reference {checks['VerificationSteps']} steps from the same "
      "start, at every configuration and size the row is timed at, and compares every parameter and state element "
      "(Verification.cs). A failed check stops the run.")
    w("")
    w("| Configuration | Size | Row | Reference | Rule | Elements | Differing | max ulps | max \\|Δ\\| | Measured ≤ limit |")
    w("|---|---|---|---|---|---:|---:|---:|---:|---|")
    for v in checks["Verification"]:
        # Rules with a limit of 0 count elements that differ (or plants missed); the others measure a relative error.
        measured = f"{v['Measured']:.0f} ≤ {v['Limit']:.0f}" if v["Limit"] == 0 else f"{v['Measured']:.2e} ≤ {v['Limit']:.0e}"
        rule = v["Rule"].replace("|", "\\|")
        w(f"| {v['Config']} | {v['Size']} | {v['Row']} | {v['Reference']} | {rule} | {v['Elements']:,} | {v['Differing']:,} | "
          f"{v['MaxUlps']} | {v['MaxAbsolute']:.1e} | {measured}{'' if v['Passed'] else ' **FAIL**'} |")
    w("")
    w("Norm-wise rule (TensorPrimitives, same math with other roundings: Lerp; g/d·lr instead of (−lr·g)/d): the column shows "
      "the worst buffer's max |a − b| ÷ (1e-4 · max |a|). Elementwise ulps mean nothing where a parameter crosses 0; a wrong "
      "rate, decay, centering or momentum term is off by 1e-2 or more; the naive loop, bit-identical, is the exact check. "
      "Precision.Fast: after four steps the parameters and the momentum buffer are zeroed in both optimizers and one more "
      "step runs, so the parameters hold the update itself; the column shows its largest relative error.")
    w("")
    cross_failed = False
    if torch_doc:
        w(f"Cross-check with PyTorch: the small MLP's parameters after {torch_doc['cross_check_steps']} steps (gradients A, B, A, B), "
          f"the generated optimizer against each PyTorch implementation; an element passes when "
          f"|generated − PyTorch| ≤ {CROSS_CHECK_RTOL:g} · |PyTorch| + {CROSS_CHECK_ATOL:g} (parameters lie in [−1, 1)):")
        w("")
        w("| Configuration | PyTorch | elements | differing | max ulps | max \\|Δ\\| | worst share of tolerance | passed |")
        w("|---|---|---:|---:|---:|---:|---:|:---:|")
        for config, variants in torch_doc["mlp_parameter_bits"].items():
            ours = checks["MlpParameterBitsAfterSteps"].get(config)
            if not variants:
                w(f"| {config} | — | | | | | | no PyTorch class: not checked here (tests/Gen.Optimizers.Tests checks it against a reference) |")
                continue
            for variant, theirs in variants.items():
                c = cross_check(ours, theirs)
                if c is None:
                    w(f"| {config} | torch.optim.{torch_doc['classes'][config]}, {variant} | | | | | | **missing** |")
                    cross_failed = True
                    continue
                passed = c[4] <= 1
                cross_failed |= not passed
                w(f"| {config} | torch.optim.{torch_doc['classes'][config]}, {variant} | {c[0]:,} | {c[1]:,} | {c[2]} | {c[3]:.1e} | {c[4]:.3f} | {'yes' if passed else '**FAIL**'} |")
        w("")
        w(f"PyTorch's {torch_doc['cpu_capability']} kernels fuse the multiply-adds of `addcmul_` and friends (one rounding); the generated "
          "code never uses FMA (see docs/ARCHITECTURE.md, numerical contract), hence the last-bit differences.")
        w("")

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {args.out}")
    if cross_failed:
        print("The cross-check with PyTorch FAILED; see the Checks section.")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
