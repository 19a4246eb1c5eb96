#!/usr/bin/python3
"""Merges the benchmark outputs into benchmarks/RESULTS.md. Called by benchmarks/run.sh.

    /usr/bin/python3 benchmarks/merge_results.py --artifacts benchmarks/artifacts --command "..." [--provisional NOTE]

Reads:
  ARTIFACTS/bdn/results/*-report-full.json   BenchmarkDotNet's full JSON export (Gen.Benchmarks)
  ARTIFACTS/checks.json                      Gen.Benchmarks' checks: baselines vs generated, generator caching
  ARTIFACTS/torch.json                       benchmarks/peers/torch_rmsprop.py
Writes one Markdown file: a table per size (ns/param and time per step for every row, bytes
allocated per step), the ratios the targets are stated in, the targets met or missed, the checks.
Times are BenchmarkDotNet's and PyTorch's medians. Uses only the Python standard library.
"""

import argparse
import datetime
import glob
import json
import os
import platform
import struct
import subprocess

SIZES = [
    ("P4K", "4,096 parameters (one tensor; \"L1\": p, g, v are 48 KiB, so L2 on Zen 4's 32 KiB L1d)", 4096),
    ("P64K", "65,536 parameters (one tensor; L2)", 65536),
    ("P1M", "1,048,576 parameters (one tensor; L3)", 1048576),
    ("P16M", "16,777,216 parameters (one tensor; DRAM)", 16777216),
    ("Mlp", "Small MLP: 8 tensors, 8,484 parameters (32×64, 64, 64×64, 64, 64×32, 32, 32×4, 4)", 8484),
]
CONFIGS = [("Plain", "plain (PyTorch defaults)"), ("CenteredMomentum", "centered + momentum 0.9")]
DOTNET_ROWS = [
    ("Generated", "**Generated** `RmsPropOptimizer.Step`"),
    ("NaiveScalar", "Naive scalar loop"),
    ("TensorPrimitives", "TensorPrimitives composition"),
    ("MemoryRoof", "Memory roof (same loads/stores, adds)"),
    ("ArithmeticRoof", "Arithmetic roof (same loads/stores, √ and ÷)"),
]


def load_bdn(artifacts):
    """{(config, size, method): benchmark} and the host environment of the step benchmarks."""
    rows, generator, host = {}, {}, None
    for path in sorted(glob.glob(os.path.join(artifacts, "bdn", "results", "*-report-full.json"))):
        with open(path) as f:
            document = json.load(f)
        for b in document["Benchmarks"]:
            if b["Type"] == "GeneratorBenchmarks":
                generator[b["Method"]] = b
                continue
            config = {"PlainStep": "Plain", "CenteredMomentumStep": "CenteredMomentum"}.get(b["Type"])
            if config is None:
                continue
            size = b["Parameters"].split("=", 1)[1] if "=" in b["Parameters"] else b["Parameters"]
            rows[(config, size, b["Method"])] = b
            host = document["HostEnvironmentInfo"]
        host = host or document["HostEnvironmentInfo"]
    return rows, generator, host


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


def fmt_ratio(x):
    return "—" if x is None else f"{x:.2f}×"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def torch_rows(torch_doc, config, size):
    """[(label, median_ns, threads)] for one config and size."""
    out = []
    if not torch_doc:
        return out
    for r in torch_doc["results"]:
        if r["config"] == config and r["shape"] == size:
            kind = "foreach" if r["foreach"] else "for-loop"
            threads = r["threads_label"]
            flag = "" if r.get("finite", True) else " (non-finite!)"
            out.append((f"PyTorch {kind}, {threads}{flag}", r["median_ns"], r["threads"]))
    out.sort(key=lambda t: (t[2], t[0]))
    return out


def torch_best(torch_doc, config, size, single_thread):
    candidates = [ns for _, ns, threads in torch_rows(torch_doc, config, size) if threads == 1 or not single_thread]
    return min(candidates) if candidates else None


def ulp_distance(a_bits, b_bits):
    def ordered(bits):
        return -(bits & 0x7FFFFFFF) if bits < 0 else bits
    return abs(ordered(a_bits) - ordered(b_bits))


def as_float(bits):
    return struct.unpack("<f", struct.pack("<i", bits))[0]


def compare_bits(a, b):
    """(elements, differing, max ulps, max |a-b|) of two equally long lists of float32 bit patterns."""
    if a is None or b is None or len(a) != len(b):
        return None
    differing = sum(1 for x, y in zip(a, b) if x != y)
    max_ulps = max((ulp_distance(x, y) for x, y in zip(a, b)), default=0)
    max_abs = max((abs(as_float(x) - as_float(y)) for x, y in zip(a, b)), default=0.0)
    return len(a), differing, max_ulps, max_abs


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


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

    rows, generator, host = load_bdn(args.artifacts)
    any_row = next(iter(rows.values()), None)
    toolchain = "in-process emit toolchain" if any_row and "InProcess" in any_row["DisplayInfo"] else "default out-of-process toolchain"
    with open(os.path.join(args.artifacts, "checks.json")) as f:
        checks = json.load(f)
    torch_path = os.path.join(args.artifacts, "torch.json")
    torch_doc = None
    if os.path.exists(torch_path):
        with open(torch_path) as f:
            torch_doc = json.load(f)

    def ns(config, size, method):
        return median_ns(rows.get((config, size, method)))

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
    w(f"| Date | {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} |")
    w(f"| Command | `{args.command}` |")
    w(f"| CPU | {cpu_model()} ({os.cpu_count()} logical cores; {cpu_flags()}) |")
    if host:
        w(f"| .NET | {host['RuntimeVersion']}, SDK {host['DotNetCliVersion']}, BenchmarkDotNet {host['BenchmarkDotNetVersion']} ({toolchain}) |")
    w(f"| SIMD | Vector512.IsHardwareAccelerated = {checks['Vector512']}, Vector256 = {checks['Vector256']} |")
    if torch_doc:
        w(f"| PyTorch | {torch_doc['torch_version']} (CPU capability {torch_doc['cpu_capability']}), numpy {torch_doc['numpy_version']}, Python {torch_doc['python_version']}; default threads {torch_doc['default_threads']}; run mode {torch_doc['mode']} |")
    else:
        w("| PyTorch | not run |")
    w("| Statistic | median time per `Step` (BenchmarkDotNet median; PyTorch: median of individually timed `opt.step()` calls) |")
    w("")
    w("ns/param = time per step ÷ parameter count. Generated, baselines and roofs run on one thread; "
      "bytes are managed bytes allocated per step (BenchmarkDotNet's MemoryDiagnoser), not measured for PyTorch. "
      "Ratios above 1 mean the generated optimizer is that many times faster, except generated ÷ roof, where 1.00 is the limit.")
    w("")

    targets = []
    for size, title, params in SIZES:
        w(f"## {title}")
        w("")
        header = "| Implementation |"
        rule = "|---|"
        for _, label in CONFIGS:
            header += f" {label}: ns/param | time/step | B/step |"
            rule += "---:|---:|---:|"
        w(header)
        w(rule)
        for method, label in DOTNET_ROWS:
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

        w("| Ratio | " + " | ".join(label for _, label in CONFIGS) + " |")
        w("|---|" + "---:|" * len(CONFIGS))
        ratios = [
            ("generated ÷ memory roof", lambda c: ratio(ns(c, size, "Generated"), ns(c, size, "MemoryRoof"))),
            ("generated ÷ arithmetic roof", lambda c: ratio(ns(c, size, "Generated"), ns(c, size, "ArithmeticRoof"))),
            ("PyTorch best (1 thread) ÷ generated", lambda c: ratio(torch_best(torch_doc, c, size, True), ns(c, size, "Generated"))),
            ("PyTorch best (any thread count) ÷ generated", lambda c: ratio(torch_best(torch_doc, c, size, False), ns(c, size, "Generated"))),
            ("TensorPrimitives ÷ generated", lambda c: ratio(ns(c, size, "TensorPrimitives"), ns(c, size, "Generated"))),
            ("naive scalar ÷ generated", lambda c: ratio(ns(c, size, "NaiveScalar"), ns(c, size, "Generated"))),
        ]
        for label, f in ratios:
            w(f"| {label} | " + " | ".join(fmt_ratio(f(c)) for c, _ in CONFIGS) + " |")
        w("")

        for config, clabel in CONFIGS:
            gen = ns(config, size, "Generated")
            def target(text, value, ok):
                targets.append((f"{text} — {clabel}", value, ok))
            if size == "P16M":
                r = ratio(gen, ns(config, size, "MemoryRoof"))
                target("16M: generated ≤ 1.10 × memory roof", fmt_ratio(r), None if r is None else r <= 1.10)
                r = ratio(torch_best(torch_doc, config, size, True), gen)
                target("16M: ≥ 4× faster than PyTorch's best (1 thread)", fmt_ratio(r), None if r is None else r >= 4)
            if size in ("P4K", "P64K"):
                r = ratio(gen, ns(config, size, "ArithmeticRoof"))
                target(f"{size[1:]}: generated ≤ 1.15 × arithmetic roof", fmt_ratio(r), None if r is None else r <= 1.15)
            if size == "Mlp":
                r = ratio(torch_best(torch_doc, config, size, True), gen)
                target("Small MLP: ≥ 25× faster than PyTorch's best (1 thread) per Step", fmt_ratio(r), None if r is None else r >= 25)
            r = ratio(ns(config, size, "TensorPrimitives"), gen)
            if size in ("P1M", "P16M"):
                target(f"{size[1:]}: ≥ 2× faster than TensorPrimitives", fmt_ratio(r), None if r is None else r >= 2)
            else:
                target(f"{size[1:] if size != 'Mlp' else 'Small MLP'}: not slower than TensorPrimitives", fmt_ratio(r), None if r is None else r >= 1)
            a = checks.get("GeneratedBytesPerStep", {}).get(config, {}).get(size)
            bdn = allocated(rows.get((config, size, "Generated")))
            note = "" if bdn in (None, 0) else f" (BenchmarkDotNet, all threads: {bdn} B²)"
            target(f"{size[1:] if size != 'Mlp' else 'Small MLP'}: 0 bytes allocated per Step", "—" if a is None else f"{a:g} B{note}", None if a is None else a == 0)

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
    targets.append(("Generator: 100 classes < 1 s cold", fmt_time(r), None if r is None else r < 1e9))
    targets.append(("Generator: unrelated edit re-emits nothing", "yes" if g["UnrelatedEditReemittedNothing"] else "no", g["UnrelatedEditReemittedNothing"]))

    w("## Targets")
    w("")
    w("Single-thread targets, checked against the figures above. Bytes per Step: counted on the calling thread "
      "over thousands of warmed-up steps (60 + 20 at 16M) by Gen.Benchmarks' checks.")
    w("")
    w("| Target | Measured | Met |")
    w("|---|---:|:---:|")
    for text, value, ok in targets:
        w(f"| {text} | {value} | {'—' if ok is None else 'yes' if ok else '**no**'} |")
    w("")
    if any("²" in str(v) for _, v, _ in targets):
        w("² BenchmarkDotNet's MemoryDiagnoser counts the allocations of every thread in the process and divides by the "
          "operations of one iteration; with ~10 operations per iteration (16M) a few hundred bytes allocated elsewhere "
          "(the runtime, BenchmarkDotNet itself) show up as bytes per operation. The calling-thread count is the one that "
          "says whether Step allocates.")
        w("")

    w("## Checks")
    w("")
    w(f"Before anything is timed, Gen.Benchmarks runs every baseline and the generated optimizer {checks['VerificationSteps']} steps "
      "from the same start and compares every parameter and state element:")
    w("")
    w("| Configuration | Size | Elements | Naive scalar = generated, bit for bit | TensorPrimitives: max \\|Δ\\| | share of tolerance¹ |")
    w("|---|---|---:|:---:|---:|:---:|")
    for v in checks["Verification"]:
        w(f"| {v['Config']} | {v['Size']} | {v['Elements']:,} | {'yes' if v['ScalarBitIdentical'] else 'NO (' + str(v['ScalarMismatches']) + ')'} | "
          f"{v['TensorPrimitivesMaxAbsolute']:.2e} | {v['TensorPrimitivesToleranceUsed']:.2f}{'' if v['TensorPrimitivesToleranceUsed'] <= 1 else ' **FAIL**'} |")
    w("")
    w("¹ Per buffer (parameters and each state buffer): max |a − b| ≤ 1e-4 · max |a|; the column shows the worst buffer's "
      "max |a − b| ÷ (1e-4 · max |a|), so ≤ 1 passes. TensorPrimitives computes the same math with other roundings "
      "(Lerp; g/d·lr instead of (−lr·g)/d), and elementwise ulps mean nothing where a parameter crosses 0. A wrong rate, decay, centering or momentum term is off by 1e-2 or more; the naive loop, bit-identical, is the exact check.")
    w("")
    if torch_doc:
        w(f"PyTorch cross-check: the small MLP's parameters after {torch_doc['cross_check_steps']} steps, PyTorch against the generated optimizer:")
        w("")
        w("| Configuration | PyTorch path | elements | differing | max ulps | max \\|Δ\\| |")
        w("|---|---|---:|---:|---:|---:|")
        for config, _ in CONFIGS:
            ours = checks["MlpParameterBitsAfterSteps"][config]["Generated"]
            for path, theirs in torch_doc["mlp_parameter_bits"][config].items():
                c = compare_bits(ours, theirs)
                if c:
                    w(f"| {config} | {path} | {c[0]:,} | {c[1]:,} | {c[2]} | {c[3]:.1e} |")
        w("")
        w(f"PyTorch's {torch_doc['cpu_capability']} kernels fuse the multiply-add of `addcmul_` (one rounding); the generated code never "
          "uses FMA (see docs/ARCHITECTURE.md, numerical contract), hence the last-bit differences.")
        w("")

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
