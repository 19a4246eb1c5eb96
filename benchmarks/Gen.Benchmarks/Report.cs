using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json.Nodes;
using static System.FormattableString;

namespace Gen.Benchmarks;

/// <summary>
/// Writes RESULTS.md from a run's artifacts: BenchmarkDotNet's JSON and GitHub-markdown reports, interleaved.json
/// (<see cref="Interleaved"/>) and torch.json (benchmarks/peers/torch_optim.py). It is the one place where the targets
/// are judged (<see cref="Targets"/>): a ratio of two .NET rows on its median over the interleaved placements, the
/// targets against PyTorch, which runs in another process, on both sides' medians, and the generator on BenchmarkDotNet's
/// median; the one target that is not a timing, 0 bytes per Step, is asserted by tests/Gen.Benchmarks.Tests. It also
/// checks that PyTorch, on the same data, computes what the generated optimizers compute, and fails the run when it does
/// not: the PyTorch rows would time another computation.
/// </summary>
public sealed partial class Report
{
    /// <summary>Where the arithmetic roof is within this factor of the memory roof, √ and ÷ cost next to nothing over the loads and stores, and no kernel with those loads and stores, Precision.Fast included, can beat it.</summary>
    private const double RoofsMeet = 1.05;

    /// <summary>The PyTorch cross-check, per element: |generated − PyTorch| ≤ 1e-5 · |PyTorch| + 1e-6 (parameters lie in [−1, 1)).</summary>
    private const double CrossCheckRelative = 1e-5, CrossCheckAbsolute = 1e-6;

    /// <summary>
    /// PyTorch 1.13 implementations whose update differs from their class's default single-tensor one, which Gen follows
    /// (and which their for-loop row checks): shown in the cross-check, never failed, with the reason.
    /// </summary>
    private static readonly Dictionary<(string Config, string Variant), string> OtherUpdates = new()
    {
        [("NAdam", "foreach")] = "PyTorch 1.13's foreach NAdam is another update than its default for-loop one: its next momentum product is mu_product·mu_next in double (the for-loop's is mu_product·mu·mu_next in float32) and its denominator √v / √(1 − β2ᵗ) + ε (the for-loop's √(v / (1 − β2ᵗ)) + ε)",
    };

    private static readonly (string Label, RowKind Numerator, RowKind Denominator)[] InTurnRatios =
    {
        ("kernel ÷ memory roof", RowKind.GeneratedKernel, RowKind.MemoryRoof),
        ("kernel ÷ arithmetic roof", RowKind.GeneratedKernel, RowKind.ArithmeticRoof),
        ("Fast ÷ arithmetic roof", RowKind.FastKernel, RowKind.ArithmeticRoof),
        ("Fast ÷ memory roof", RowKind.FastKernel, RowKind.MemoryRoof),
        ("arithmetic roof ÷ memory roof", RowKind.ArithmeticRoof, RowKind.MemoryRoof),
        ("TensorPrimitives ÷ `Step`", RowKind.TensorPrimitives, RowKind.Generated),
        ("`Vector<T>` kernel ÷ kernel", RowKind.PortableKernel, RowKind.GeneratedKernel),
    };

    /// <summary>The goal for every kernel against its binding roof, at 512 and at 256 bits (<see cref="BindingRoofs"/>).</summary>
    private const double BindingGoal = 1.10;

    /// <summary>Not a row: in a placement, the slower of the arithmetic and the memory roof, the one that binds (<see cref="Time"/>).</summary>
    private const RowKind Binding = (RowKind)(-1);

    /// <summary>The goal for the Vector&lt;T&gt; kernels Unity gets: at most this × the Vector256 kernel's time in cache.</summary>
    private const double PortableGoal = 1.3;

    private readonly StringBuilder _md = new();
    private readonly Dictionary<string, JsonNode> _bdn = new();   // BenchmarkDotNet's benchmarks: "Method" or "Method/Config/Size"
    private readonly Dictionary<string, JsonArray> _inTurn;   // interleaved placements: "Config/Size"
    private readonly Dictionary<string, JsonArray> _portableInTurn;   // the same from the portable run
    private readonly Dictionary<string, JsonArray> _inTurn256;   // the same from the 256-bit run (AVX-512 off)
    private readonly JsonNode? _interleaved;
    private readonly JsonNode? _portable;
    private readonly JsonNode? _torch;
    private readonly JsonNode? _lean;

    private Report(string artifacts)
    {
        foreach (string path in Directory.GetFiles(Path.Combine(artifacts, "bdn", "results"), "*-report-full.json"))
        {
            foreach (JsonNode? b in JsonNode.Parse(File.ReadAllText(path))!["Benchmarks"]!.AsArray())
            {
                string parameters = (string)b!["Parameters"]!;   // "Config=Plain&Size=P4K", or empty
                _bdn[string.Join("/", parameters.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')[1]).Prepend((string)b["Method"]!))] = b;
            }
        }

        _interleaved = Read(Path.Combine(artifacts, "interleaved.json"));
        _inTurn = Placements(_interleaved);
        _inTurn256 = Placements(Read(Path.Combine(artifacts, "interleaved-256.json")));
        _portable = Read(Path.Combine(artifacts, "interleaved-portable.json"));
        _portableInTurn = Placements(_portable);

        _torch = Read(Path.Combine(artifacts, "torch.json"));
        _lean = Read(Path.Combine(artifacts, "lean.json"));
    }

    /// <summary>Writes <paramref name="output"/>; returns 1 when the cross-check with PyTorch fails (after writing), else 0.</summary>
    public static int Write(string artifacts, string output, string command, string? provisional)
    {
        var r = new Report(artifacts);
        // lean.json, matrix.json and the distributed artifacts may come from runs of their own, which their sections date.
        DateTime ended = new DirectoryInfo(artifacts).EnumerateFiles("*", SearchOption.AllDirectories)
            .Where(f => f.Name is not ("RESULTS.md" or "lean.json" or "matrix.json" or "distributed.json" or "allreduce.jsonl" or "allreduce")
                && !f.Name.StartsWith("torch-matmul", StringComparison.Ordinal) && !f.FullName.Contains("openblas", StringComparison.Ordinal))
            .Max(f => f.LastWriteTimeUtc);
        r.W("# Benchmark results\n");
        if (provisional is not null)
        {
            r.W($"> **PROVISIONAL.** {provisional}\n");
        }

        r.W("Written by `benchmarks/run.sh` from the run's artifacts; do not edit by hand. [README.md](README.md) says what each row is and how the targets are judged.\n");
        r.W("| | |\n|---|---|");
        r.W(Invariant($"| Date | {ended:yyyy-MM-dd HH:mm} UTC |\n| Command | `{command}` |\n| CPU | {Cpu()} |"));
        r.W($"| SIMD | Vector512.IsHardwareAccelerated = {Vector512.IsHardwareAccelerated}, Vector256 = {Vector256.IsHardwareAccelerated} |");
        r.W(r._torch is { } t
            ? $"| PyTorch | {t["torch_version"]} (CPU capability {t["cpu_capability"]}), numpy {t["numpy_version"]}, Python {t["python_version"]}; default threads {t["default_threads"]}; run mode {t["mode"]} |\n"
            : "| PyTorch | not run |\n");

        r.W("## Targets\n");
        r.W("A ratio of two .NET rows is judged on its median over the placements of the next section (lowest–highest in brackets); "
            + "BenchmarkDotNet's ratio of medians, whose rows ran minutes apart, is shown beside it. A roof is the faster of its two loop "
            + "shapes. Targets against PyTorch are judged on both sides' medians. What is not a timing `dotnet test` checks "
            + "(tests/Gen.Benchmarks.Tests): the Step allocates nothing, every row computes what it claims, and an unrelated edit makes "
            + "the generator re-emit nothing.\n");
        r.W("The last column is the same target in the run at 256 bits with AVX-512 disabled (`interleaved-256.json`, an AVX2 PC's "
            + "kernels: 256-bit registers, 16 of them), timed in turn likewise; against PyTorch it divides PyTorch's median by the `Step`'s "
            + "median in that run.\n");
        r.W("| Target | Measured | Met | 256-bit (AVX-512 off) |\n|---|---:|:---:|---:|");
        var targets = r.Targets().ToList();
        r.W(string.Concat(targets.Select(t => $"| {t.Target} | {t.Measured} | {t.Met} | {t.At256} |\n")));
        if (targets.Any(t => t.Met.Contains('³') || t.At256.Contains('³')))
        {
            r.W(Invariant($"³ In the same placements the arithmetic roof is within {(RoofsMeet - 1) * 100:0} % of the memory roof: the loop is bound by its loads and stores, and Precision.Fast, which does the same loads and stores, can only match that roof.\n"));
        }


        r.BindingRoofs();
        if (r._interleaved is { } inTurn)
        {
            r.W("## Ratios timed in turn (`--interleaved`)\n");
            r.W(Invariant($"For each of {inTurn["Placements"]} placements every row is made afresh, then the rows take turns, {inTurn["Rounds"]} rounds of about {(double)inTurn["BatchMilliseconds"]!:0.#} ms of steps each; a row's time in a placement is its median batch. Median ratio over the placements (lowest–highest).\n"));
            r.W("| Size | Configuration | " + string.Join(" | ", InTurnRatios.Select(x => x.Label)) + " |\n|---|---|" + string.Concat(InTurnRatios.Select(_ => "---:|")));
            foreach (JsonNode? c in inTurn["Cases"]!.AsArray())
            {
                var (config, size) = (Enum.Parse<Config>((string)c!["Config"]!), Enum.Parse<Size>((string)c["Size"]!));
                r.W($"| {Label(size)} | {Label(config)} | " + string.Join(" | ", InTurnRatios.Select(x => Format(r.InTurn(config, size, x.Numerator, x.Denominator)))) + " |");
            }

            r.W("");
        }

        if (r._portable is { } portable)
        {
            r.Portable(portable);
        }

        if (r._lean is { } lean)
        {
            r.Lean(lean);
        }

        if (Read(Path.Combine(artifacts, "distributed.json")) is { } distributed)
        {
            r.Distributed(distributed, Path.Combine(artifacts, "allreduce.jsonl"));
        }

        // Muon's matrix products and step (--matrix, with PyTorch's torch.mm beside them): a run of its own, which its section dates.
        if (MatrixReport.Section(artifacts, Cpu()) is { } matrix)
        {
            r.W(matrix);
        }

        string monoBench = Path.Combine(artifacts, "mono-bench.txt"), dotnetBench = Path.Combine(artifacts, "dotnet-bench.txt");
        if (File.Exists(monoBench))
        {
            r.W("## Mono (`tests/Gen.Mono.Runner --bench`)\n");
            r.W("The same program built for netstandard2.1 on Debian's Mono, which stands in for Unity's (its `Vector<T>` is not accelerated there, so the "
                + "kernels run their scalar path), and built for net10.0 on .NET. RMSProp, PyTorch's defaults, one float member; ns per parameter per `Step`.\n");
            r.W($"```\n{File.ReadAllText(monoBench).Trim()}\n```\n");
            if (File.Exists(dotnetBench))
            {
                r.W($".NET:\n\n```\n{File.ReadAllText(dotnetBench).Trim()}\n```\n");
            }
        }

        bool crossCheckFailed = r._torch is not null && r.PyTorch();
        r.W("## BenchmarkDotNet\n");
        r.W("Its own reports. Ratio: a row's time ÷ the generated kernel's at the same configuration and size; a roof's below 1 is how far the kernel is above that roof.\n");
        foreach (string path in Directory.GetFiles(Path.Combine(artifacts, "bdn", "results"), "*-report-github.md").OrderByDescending(p => p, StringComparer.Ordinal))
        {
            r.W($"### {Path.GetFileName(path).Replace("Gen.Benchmarks.", "").Replace("-report-github.md", "")}\n\n{File.ReadAllText(path).Trim()}\n");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, r._md.ToString());
        Console.WriteLine($"wrote {output}" + (crossCheckFailed ? "; the cross-check with PyTorch FAILED: the generated optimizers and PyTorch's disagree on the same data." : ""));
        return crossCheckFailed ? 1 : 0;
    }

    /// <summary>Every target of the benchmark issue, judged (the one that is not a timing, by the tests).</summary>
    private IEnumerable<(string Target, string Measured, string Met, string At256)> Targets()
    {
        foreach (Size size in Workload.AllSizes)
        {
            foreach (Config config in Workload.RmsPropConfigs)
            {
                string name = $"{Label(size)}, {Label(config)}";
                if (size is Size.P4K or Size.P64K)
                {
                    yield return RatioTarget($"{name}: generated kernel ≤ 1.15 × arithmetic roof", config, size, RowKind.GeneratedKernel, RowKind.ArithmeticRoof, r => r <= 1.15, 1.15);
                    yield return RatioTarget($"{name}: Precision.Fast beats the arithmetic roof (< 1.00×)", config, size, RowKind.FastKernel, RowKind.ArithmeticRoof, r => r < 1, 1.00, unlessMemoryBound: true);
                }

                if (size == Size.P16M)
                {
                    yield return RatioTarget($"{name}: generated kernel ≤ 1.10 × memory roof", config, size, RowKind.GeneratedKernel, RowKind.MemoryRoof, r => r <= 1.10, 1.10);
                }

                double least = size is Size.P1M or Size.P16M ? 2 : 1;
                yield return RatioTarget($"{name}: " + (least == 1 ? "not slower than TensorPrimitives" : "≥ 2× faster than TensorPrimitives"),
                    config, size, RowKind.TensorPrimitives, RowKind.Generated, r => r >= least, least);
                if (size is Size.P16M or Size.Mlp)
                {
                    double times = size == Size.P16M ? 4 : 25;
                    double? peer = PeerBest(config, size);
                    yield return PeerTarget($"{name}: ≥ {times}× faster than PyTorch's best (1 thread) per `Step`", peer, config, size, RowKind.Generated, times);
                    if (size == Size.Mlp)
                    {
                        // A checked Step reads every gradient before its first write, no faster than the read roof, and its update is no faster than the arithmetic roof.
                        // (The read roof is not timed in turn, so this one has no 256-bit figure.)
                        double? floor = peer / (Median(config, size, RowKind.ArithmeticRoof) + Median(config, size, RowKind.ReadRoof));
                        yield return ($"{name}: ≥ 25×, reachable at all by a checked `Step`: PyTorch's best ÷ (arithmetic roof + read roof)", Times(floor), Met(floor is null ? null : floor >= times), "—");
                    }

                    yield return PeerTarget($"{name}: ≥ {times}× PyTorch's best, same work (the kernel: no NaN check, as PyTorch)", peer, config, size, RowKind.GeneratedKernel, times);
                }
            }
        }

        // The Vector<T> kernels (Unity) against the Vector256 kernels, in cache, from the portable run at 256 bits.
        bool at256 = _portable?["Simd"] is { } simd && !(bool)simd["Vector512"]! && (bool)simd["Vector256"]!;
        foreach (Size size in new[] { Size.P4K, Size.P64K, Size.Mlp })
        {
            foreach (Config config in Workload.RmsPropConfigs)
            {
                var ratio = InTurn(_portableInTurn, config, size, RowKind.PortableKernel, RowKind.GeneratedKernel);
                string met = ratio is null ? "—" : !at256 ? "— (the portable run was not at 256 bits)" : ratio.Value.Median <= PortableGoal ? "yes" : "**no**";
                yield return (Invariant($"{Label(size)}, {Label(config)}: `Vector<T>` kernel ≤ {PortableGoal} × Vector256 kernel"), Format(ratio), met, "(the same run)");
            }
        }

        // Not a timing: tests/Gen.Benchmarks.Tests asserts it on the calling thread. BenchmarkDotNet's figure counts every thread.
        double? most = Workload.AllSizes.SelectMany(size => Workload.RmsPropConfigs.Select(config => (double?)Benchmark(config, size, RowKind.Generated)?["Memory"]?["BytesAllocatedPerOperation"])).Max();
        yield return ("0 bytes allocated per `Step`, every size", "asserted by `dotnet test` on the calling thread; BenchmarkDotNet, all threads: " + (most is null ? "—" : Invariant($"at most {most} B")), "tested", "(the same tests)");

        double? cold = (double?)_bdn.GetValueOrDefault(nameof(GeneratorBenchmarks.Cold))?["Statistics"]?["Median"];
        yield return ("Generator: 100 classes < 1 s cold", Time(cold), Met(cold is null ? null : cold < 1e9), "—");
    }

    /// <summary>
    /// A target on a ratio of two .NET rows, judged on the interleaved median, in the main run and in the 256-bit one.
    /// <paramref name="unlessMemoryBound"/>: a miss where the arithmetic roof is within <see cref="RoofsMeet"/> of the memory
    /// roof cannot be met (Precision.Fast does the same loads and stores), and says so.
    /// </summary>
    private (string, string, string, string) RatioTarget(string target, Config config, Size size, RowKind numerator, RowKind denominator, Func<double, bool> meets, double limit, bool unlessMemoryBound = false)
    {
        string Judge(Dictionary<string, JsonArray> run, (double Median, double Low, double High) ratio)
        {
            var roofs = InTurn(run, config, size, RowKind.ArithmeticRoof, RowKind.MemoryRoof);
            return meets(ratio.Median) ? "yes"
                : unlessMemoryBound && roofs?.Median <= RoofsMeet ? $"not reachable here³ (arithmetic roof ÷ memory roof {Format(roofs)}, Fast ÷ memory roof {Format(InTurn(run, config, size, RowKind.FastKernel, RowKind.MemoryRoof))})"
                : "**no**";
        }

        // A ratio that rounds to its limit shows which side it is on.
        int Digits((double Median, double, double)? r) => r is { } v && Math.Round(v.Median, 2) == limit ? 3 : 2;
        var inTurn = InTurn(_inTurn, config, size, numerator, denominator);
        var at256 = InTurn(_inTurn256, config, size, numerator, denominator);
        string measured = $"{Format(inTurn, Digits(inTurn))}; BenchmarkDotNet {Times(Median(config, size, numerator) / Median(config, size, denominator))}";
        return (target, measured, inTurn is { } r ? Judge(_inTurn, r) : "—", at256 is { } n ? $"{Format(at256, Digits(at256))}: {Judge(_inTurn256, n)}" : "—");
    }

    /// <summary>PyTorch's best ÷ a .NET row: BenchmarkDotNet's median in the main run, the in-turn median in the 256-bit run.</summary>
    private (string, string, string, string) PeerTarget(string target, double? peer, Config config, Size size, RowKind row, double times)
    {
        double? ratio = peer / Median(config, size, row), at256 = peer / InTurnMedian(_inTurn256, config, size, row);
        return (target, Times(ratio), Met(ratio is null ? null : ratio >= times), at256 is null ? "—" : $"{Times(at256)}: {Met(at256 >= times)}");
    }

    private static string Met(bool? met) => met switch { true => "yes", false => "**no**", null => "—" };

    /// <summary>The PyTorch section: every PyTorch row against the generated one, and the cross-check. Returns whether the cross-check failed.</summary>
    private bool PyTorch()
    {
        JsonNode torch = _torch!;
        W("## PyTorch\n");
        W("`opt.step()` alone, median of individually timed calls, against the generated `Step` (RMSProp) or kernel (the family, which has no `Step` row). "
            + $"Not run: {string.Join("; ", torch["unavailable"]!.AsObject().SelectMany(c => c.Value!.AsObject().Select(v => $"{c.Key} {v.Key} ({v.Value})")))}.\n");
        W("| Configuration | Size | PyTorch | median | generated | PyTorch ÷ generated |\n|---|---|---|---:|---:|---:|");
        foreach (JsonNode? r in torch["results"]!.AsArray())
        {
            var (config, size) = (Enum.Parse<Config>((string)r!["config"]!), Enum.Parse<Size>((string)r["shape"]!));
            double theirs = (double)r["median_ns"]!;
            double? ours = Median(config, size, Workload.IsRmsProp(config) ? RowKind.Generated : RowKind.GeneratedKernel);
            W($"| {Label(config)} | {Label(size)} | {r["variant"]}, {r["threads_label"]}{((bool)r["finite"]! ? "" : " (non-finite!)")} | {Time(theirs)} | {Time(ours)} | {Times(theirs / ours)} |");
        }

        W(Invariant($"\nCross-check: the small MLP's parameters after 4 steps (gradients A, B, A, B), generated against each PyTorch implementation; an element passes when |generated − PyTorch| ≤ {CrossCheckRelative:0e0} · |PyTorch| + {CrossCheckAbsolute:0e0}. ")
            + "PyTorch's AVX2 kernels fuse multiply-adds and the generated exact kernels never do, hence last-bit differences.\n");
        W("| Configuration | PyTorch | elements | differing | max \\|Δ\\| | worst share of tolerance | passed |\n|---|---|---:|---:|---:|---:|:---:|");
        bool failed = false;
        foreach ((string config, JsonNode? variants) in torch["mlp_parameter_bits"]!.AsObject())
        {
            var row = (IUpdateRow)Rows.Create(RowKind.Generated, Enum.Parse<Config>(config), Size.Mlp);
            for (int s = 0; s < 4; s++)
            {
                row.Step();
            }

            float[] ours = Enumerable.Range(0, row.TensorCount).SelectMany(k => row.Parameter(k).ToArray()).ToArray();
            foreach ((string variant, JsonNode? bits) in variants!.AsObject())
            {
                float[] theirs = bits!.AsArray().Select(x => BitConverter.Int32BitsToSingle((int)x!)).ToArray();
                double worst = theirs.Length != ours.Length ? double.PositiveInfinity
                    : ours.Zip(theirs, (a, b) => Math.Abs((double)a - b) / (CrossCheckRelative * Math.Abs(b) + CrossCheckAbsolute)).Max(x => double.IsNaN(x) ? double.PositiveInfinity : x);
                bool other = OtherUpdates.ContainsKey((config, variant));
                failed |= !other && !(worst <= 1);
                W(Invariant($"| {config} | {torch["classes"]![config]}, {variant} | {ours.Length:N0} | {ours.Zip(theirs).Count(p => BitConverter.SingleToInt32Bits(p.First) != BitConverter.SingleToInt32Bits(p.Second)):N0} | ")
                    + Invariant($"{ours.Zip(theirs).Max(p => Math.Abs((double)p.First - p.Second)):0.0e+0} | {worst:0.000} | {(other ? "another update (below)" : worst <= 1 ? "yes" : "**FAIL**")} |"));
            }
        }

        foreach (((string config, string variant), string why) in OtherUpdates)
        {
            if (torch["mlp_parameter_bits"]![config]?[variant] is not null)
            {
                W($"\n{config}, {variant}: {why}.");
            }
        }

        W("");
        return failed;
    }

    /// <summary>
    /// The targets of the AVX2 and ARM64 issue, for both runs: every generated kernel ≤ <see cref="BindingGoal"/> × its binding roof (in
    /// each placement the slower of the arithmetic and the memory roof; Adam's arithmetic roof divides by √ of its v) in cache and at 16M,
    /// and Precision.Fast ≤ 1.00 × the arithmetic roof where that roof binds (it is more than <see cref="RoofsMeet"/> × the memory roof).
    /// </summary>
    private void BindingRoofs()
    {
        W("## Kernels against their binding roof, 512 and 256 bits\n");
        W(Invariant($"Each kernel ÷ the slower of its two roofs in the same placement (the one that binds), timed in turn: median over the placements (lowest–highest). ")
            + Invariant($"Goal: ≤ {BindingGoal:0.00}× for every kernel in cache and at 16M, and Precision.Fast ≤ 1.00× the arithmetic roof where that roof binds ")
            + Invariant($"(is more than {RoofsMeet:0.00}× the memory roof; elsewhere Fast, with the same loads and stores, can only match the memory roof). ")
            + "The 256-bit run stands for an AVX2 PC: `DOTNET_EnableAVX512=0` leaves 256-bit registers, 16 of them, and no AVX-512 instructions at any width.\n");
        W("| Target | 512-bit | 256-bit (AVX-512 off) |\n|---|---:|---:|");
        foreach (Config config in new[] { Config.Plain, Config.CenteredMomentum, Config.Adam })
        {
            foreach (Size size in new[] { Size.P4K, Size.P64K, Size.Mlp, Size.P16M })
            {
                string Kernel(Dictionary<string, JsonArray> run)
                {
                    var ratio = InTurn(run, config, size, RowKind.GeneratedKernel, Binding);
                    return ratio is { } r ? $"{Format(ratio)}: {Met(r.Median <= BindingGoal)}" : "—";
                }

                W(Invariant($"| {Label(size)}, {Label(config)}: kernel ≤ {BindingGoal:0.00} × binding roof | {Kernel(_inTurn)} | {Kernel(_inTurn256)} |"));
                if (Workload.IsRmsProp(config) && size != Size.P16M)
                {
                    string Fast(Dictionary<string, JsonArray> run)
                    {
                        var ratio = InTurn(run, config, size, RowKind.FastKernel, RowKind.ArithmeticRoof);
                        var roofs = InTurn(run, config, size, RowKind.ArithmeticRoof, RowKind.MemoryRoof);
                        return ratio is not { } r || roofs is null ? "—"
                            : roofs.Value.Median <= RoofsMeet ? $"{Format(ratio)}: does not apply (arithmetic roof ÷ memory roof {Format(roofs)})"
                            : $"{Format(ratio)}: {Met(r.Median <= 1)}";
                    }

                    W($"| {Label(size)}, {Label(config)}: Precision.Fast ≤ 1.00 × arithmetic roof where it binds | {Fast(_inTurn)} | {Fast(_inTurn256)} |");
                }
            }
        }

        W("");
    }

    /// <summary>The median over placements of a ratio taken within each placement (lowest, highest); null where the interleaved run did not time it.</summary>
    private (double Median, double Low, double High)? InTurn(Config config, Size size, RowKind numerator, RowKind denominator) =>
        InTurn(_inTurn, config, size, numerator, denominator);

    private static (double Median, double Low, double High)? InTurn(Dictionary<string, JsonArray> run, Config config, Size size, RowKind numerator, RowKind denominator)
    {
        if (!run.TryGetValue($"{config}/{size}", out JsonArray? placements) || placements.Any(p => Time(p!, numerator) is null || Time(p!, denominator) is null))
        {
            return null;
        }

        double[] ratios = placements.Select(p => Time(p!, numerator)!.Value / Time(p!, denominator)!.Value).Order().ToArray();
        return (Interleaved.Median(ratios), ratios[0], ratios[^1]);
    }

    /// <summary>A row's median time over the placements of a run, in ns per step; null where that run did not time it.</summary>
    private static double? InTurnMedian(Dictionary<string, JsonArray> run, Config config, Size size, RowKind row) =>
        run.TryGetValue($"{config}/{size}", out JsonArray? placements) && placements.All(p => Time(p!, row) is not null)
            ? Interleaved.Median(placements.Select(p => Time(p!, row)!.Value).Order().ToArray())
            : null;

    /// <summary>A row's time in one placement, in ns per step (a roof: the faster of its shapes; <see cref="Binding"/>: the slower roof); null where that run did not time it.</summary>
    private static double? Time(JsonNode placement, RowKind row) => row == Binding
        ? Math.Max(Time(placement, RowKind.ArithmeticRoof) ?? double.NaN, Time(placement, RowKind.MemoryRoof) ?? double.NaN) is var t && double.IsNaN(t) ? null : t
        : Shapes(row).Min(shape => (double?)placement[shape.ToString()]);

    /// <summary>The portable run's section: ns per parameter of the Vector&lt;T&gt; kernel beside the intrinsics kernel, and their ratio.</summary>
    private void Portable(JsonNode portable)
    {
        JsonNode simd = portable["Simd"]!;
        W("## `Vector<T>` kernels (Unity) (`--portable`)\n");
        W(Invariant($"The kernels Unity's compilations get (`System.Numerics.Vector<T>`, {simd["VectorTBits"]}-bit here) against the intrinsics kernels of the same configuration, ")
            + Invariant($"timed in turn as above ({portable["Placements"]} placements) in a run with Vector512.IsHardwareAccelerated = {simd["Vector512"]}, Vector256 = {simd["Vector256"]}. ")
            + "ns per parameter and step: the median over placements; ratios: median (lowest–highest).\n");
        W("| Size | Configuration | `Vector<T>` kernel | intrinsics kernel | `Vector<T>` ÷ intrinsics | `Vector<T>` ÷ arithmetic roof |\n|---|---|---:|---:|---:|---:|");
        foreach (JsonNode? c in portable["Cases"]!.AsArray())
        {
            var (config, size) = (Enum.Parse<Config>((string)c!["Config"]!), Enum.Parse<Size>((string)c["Size"]!));
            double parameters = Workload.Lengths(size).Sum();
            string PerParameter(RowKind row) => Invariant($"{Interleaved.Median(c["NanosecondsPerStep"]!.AsArray().Select(p => Time(p!, row)!.Value).Order().ToArray()) / parameters:0.000} ns");
            W($"| {Label(size)} | {Label(config)} | {PerParameter(RowKind.PortableKernel)} | {PerParameter(RowKind.GeneratedKernel)} | "
                + $"{Format(InTurn(_portableInTurn, config, size, RowKind.PortableKernel, RowKind.GeneratedKernel))} | {Format(InTurn(_portableInTurn, config, size, RowKind.PortableKernel, RowKind.ArithmeticRoof))} |");
        }

        W("");
    }

    /// <summary>BenchmarkDotNet's median of a row in ns (a roof: the faster of its shapes), or null where the run did not time it.</summary>
    private double? Median(Config config, Size size, RowKind row) => Shapes(row).Min(shape => (double?)Benchmark(config, size, shape)?["Statistics"]?["Median"]);

    private JsonNode? Benchmark(Config config, Size size, RowKind row) => _bdn.GetValueOrDefault($"{row}/{config}/{size}");

    /// <summary>A roof's two loop shapes: the roof is the faster, since a roof is the fastest loop known with those loads and stores.</summary>
    /// <summary>
    /// The lean-memory section (<c>--lean</c>, lean.json): Adam's step with each state precision and the fused clip at 16M,
    /// against the memory roof for the same bytes (the faster roof shape per placement), judged on the median over placements.
    /// </summary>
    private void Lean(JsonNode lean)
    {
        JsonArray placements = lean["NanosecondsPerStep"]!.AsArray();
        double Row(JsonNode placement, string row) => placement[row + "LoadsFirst"] is { } other
            ? Math.Min((double)placement[row]!, (double)other)
            : (double)placement[row]!;
        (double Median, double Low, double High) Ratio(string numerator, string denominator)
        {
            double[] ratios = placements.Select(p => Row(p!, numerator) / Row(p!, denominator)).OrderBy(v => v).ToArray();
            return (Interleaved.Median(ratios), ratios[0], ratios[^1]);
        }

        int parameters = (int)lean["Parameters"]!;
        W("## Lean memory: 16-bit state and the fused clip (`--lean`)\n");
        W(Invariant($"Run on its own: `{lean["Command"]}`, {(DateTime)lean["Started"]!:yyyy-MM-dd HH:mm}–{(DateTime)lean["Ended"]!:HH:mm} UTC, same CPU. ")
            + Invariant($"{parameters:N0} parameters, one thread, Adam (PyTorch's defaults) with `NonFinitePolicy.Ignore` (so the step moves only the update's bytes; ")
            + Invariant($"the non-finite check reads g once more at every precision); {lean["Placements"]} placements of {lean["Rounds"]} rounds, timed in turn. ")
            + "A memory roof moves the same bytes per parameter as the step it bounds (p read and written, g read, the state at its width); the clip rows use the default policy.\n");
        W("| Row | Bytes per parameter | ms per step (median, lowest–highest) | GB/s |\n|---|---:|---:|---:|");
        foreach (string row in new[] { "AdamFloat32", "AdamBFloat16", "AdamBFloat16Stochastic", "AdamFloat16", "AdamInt8", "MemoryRoof28", "MemoryRoof20", "ArithmeticRoof20", "MemoryRoof16", "ClipThenStep", "FusedClipStep", "AdamFloat32InCache", "AdamBFloat16InCache", "AdamInt8InCache" })
        {
            double[] times = placements.Select(p => Row(p!, row)).OrderBy(v => v).ToArray();
            int bytes = (int)lean["BytesPerParameter"]![row]!;
            double median = Interleaved.Median(times);
            W(Invariant($"| {row} | {bytes} | {median / 1e6:0.00} ({times[0] / 1e6:0.00}–{times[^1] / 1e6:0.00}) | {bytes * (double)parameters / median:0.0} |"));
        }

        W("");
        W("| Target | Measured | Met |\n|---|---:|:---:|");
        void Target(string label, (double Median, double Low, double High) ratio, double limit) =>
            W($"| {label} | {Format(ratio)} | {Met(ratio.Median <= limit * 1.05)} |");
        Target("Adam, bf16 state ≤ 0.75× float32 state", Ratio("AdamBFloat16", "AdamFloat32"), 0.75);
        Target("Adam, bf16 state ≤ 1.10× its memory roof", Ratio("AdamBFloat16", "MemoryRoof20"), 1.10);
        Target("Adam, float32 state ≤ 1.10× its memory roof (for comparison)", Ratio("AdamFloat32", "MemoryRoof28"), 1.10);
        Target("Adam, bf16 state ≤ 1.10× its arithmetic roof (for comparison: one √ and two ÷ per parameter on the same bytes)", Ratio("AdamBFloat16", "ArithmeticRoof20"), 1.10);
        Target("Adam, bf16 stochastic ≤ 1.10× its memory roof", Ratio("AdamBFloat16Stochastic", "MemoryRoof20"), 1.10);
        Target("Adam, fp16 state ≤ 1.10× its memory roof", Ratio("AdamFloat16", "MemoryRoof20"), 1.10);
        Target("GlobalNormClip step ≤ 0.75× ClipByGlobalNorm then Step", Ratio("FusedClipStep", "ClipThenStep"), 0.75);
        JsonNode stateBytes = lean["StateBytesPerParameter"]!;
        W(Invariant($"| State bytes per parameter, bf16 Adam = 4 | {(double)stateBytes["AdamBFloat16"]!:0.###} (float32: {(double)stateBytes["AdamFloat32"]!:0.###}) | {Met((double)stateBytes["AdamBFloat16"]! == 4)} |"));
        Target("Adam, 8-bit state ≤ 0.65× float32 state", Ratio("AdamInt8", "AdamFloat32"), 0.65);
        Target("Adam, 8-bit state ≤ 1.10× its memory roof", Ratio("AdamInt8", "MemoryRoof16"), 1.10);
        W(Invariant($"| State bytes per parameter, 8-bit Adam ≤ 2.1 | {(double)stateBytes["AdamInt8"]!:0.###} | {Met((double)stateBytes["AdamInt8"]! <= 2.1)} |\n"));
        W("A target within 5 % of its limit counts as met, as everywhere in this file.\n");
        W(Invariant($"**Compute floors.** The `InCache` rows run the same step on {Benchmarks.Lean.InCacheParameters:N0} parameters, whose state stays in L2, ")
            + "as many times as cover the 16M: the step's instructions with memory out of the way. A step at 16M cannot be faster than its floor, "
            + "so a floor above a target's limit is the measured proof that this CPU cannot meet it with that step's arithmetic.\n");
        W("| Ratio | Measured | Target |\n|---|---:|---:|");
        W($"| bf16 step in cache / float32 step at 16M | {Format(Ratio("AdamBFloat16InCache", "AdamFloat32"))} | 0.75 |");
        W($"| float32 step in cache / float32 step at 16M (Adam's arithmetic alone: its divider) | {Format(Ratio("AdamFloat32InCache", "AdamFloat32"))} | |");
        W($"| bf16 step at 16M / its floor | {Format(Ratio("AdamBFloat16", "AdamBFloat16InCache"))} | |");
        W($"| 8-bit step in cache / float32 step at 16M | {Format(Ratio("AdamInt8InCache", "AdamFloat32"))} | 0.65 |");
        W($"| 8-bit step at 16M / its floor | {Format(Ratio("AdamInt8", "AdamInt8InCache"))} | |\n");
    }

    private static RowKind[] Shapes(RowKind row) => row switch
    {
        RowKind.MemoryRoof => new[] { RowKind.MemoryRoof, RowKind.MemoryRoofLoadsFirst },
        RowKind.ArithmeticRoof => new[] { RowKind.ArithmeticRoof, RowKind.ArithmeticRoofLoadsFirst },
        _ => new[] { row },
    };

    /// <summary>PyTorch's fastest single-thread median for a configuration and size.</summary>
    private double? PeerBest(Config config, Size size) => _torch?["results"]!.AsArray()
        .Where(r => (string)r!["config"]! == config.ToString() && (string)r["shape"]! == size.ToString() && (int)r["threads"]! == 1)
        .Min(r => (double?)r!["median_ns"]);

    /// <summary>The CPU, with CPUID family and model and AMD's core generation (the VM names it only "AMD EPYC"): family 25 is Zen 3 or, with AVX-512, Zen 4; 26 is Zen 5.</summary>
    internal static string Cpu()
    {
        var info = (File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo") : Array.Empty<string>()).TakeWhile(l => l.Trim().Length > 0)
            .Select(l => l.Split(':', 2)).Where(kv => kv.Length == 2).GroupBy(kv => kv[0].Trim()).ToDictionary(g => g.Key, g => g.First()[1].Trim());
        string[] flags = info.GetValueOrDefault("flags", "").Split(' ');
        string generation = (info.GetValueOrDefault("vendor_id"), info.GetValueOrDefault("cpu family")) switch
        {
            ("AuthenticAMD", "25") => flags.Contains("avx512f") ? " (Zen 4)" : " (Zen 3)",
            ("AuthenticAMD", "26") => " (Zen 5)",
            _ => "",
        };
        return $"{info.GetValueOrDefault("model name", "unknown")}, family {info.GetValueOrDefault("cpu family", "?")} model {info.GetValueOrDefault("model", "?")}{generation} "
            + $"({Environment.ProcessorCount} logical cores; {string.Join(" ", new[] { "avx2", "fma", "avx512f", "avx512vl" }.Where(flags.Contains))})";
    }

    private void W(string text) => _md.Append(text).Append('\n');

    private static JsonNode? Read(string path) => File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) : null;

    /// <summary>An interleaved run's placements by "Config/Size" (<see cref="Interleaved"/>'s JSON); empty where the run is missing.</summary>
    private static Dictionary<string, JsonArray> Placements(JsonNode? run) =>
        (run?["Cases"]!.AsArray() ?? new JsonArray()).ToDictionary(c => $"{c!["Config"]}/{c["Size"]}", c => c!["NanosecondsPerStep"]!.AsArray());

    private static string Format((double Median, double Low, double High)? r, int digits = 2) => r is { } v ? Invariant($"{Times(v.Median, digits)} ({v.Low:0.00}–{v.High:0.00})") : "—";

    private static string Times(double? ratio, int digits = 2) => ratio is { } r ? r.ToString(digits == 3 ? "0.000" : "0.00", CultureInfo.InvariantCulture) + "×" : "—";

    private static string Time(double? ns) => ns switch
    {
        null => "—",
        >= 1e6 => Invariant($"{ns / 1e6:0.00} ms"),
        >= 1e3 => Invariant($"{ns / 1e3:0.00} µs"),
        _ => Invariant($"{ns:0} ns"),
    };

    private static string Label(Size size) => size switch { Size.P4K => "4K", Size.P64K => "64K", Size.P1M => "1M", Size.P16M => "16M", _ => "small MLP" };

    private static string Label(Config config) => config switch { Config.Plain => "plain", Config.CenteredMomentum => "centered + momentum", _ => config.ToString() };
}
