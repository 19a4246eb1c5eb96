using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Gen.Benchmarks;

public static class Program
{
    /// <summary>
    /// <c>dotnet run -c Release --project benchmarks/Gen.Benchmarks -- [--dry | --quick] [--artifacts DIR] MODE</c>: with no MODE
    /// (or <c>--out-of-process</c>, or BenchmarkDotNet's own arguments) every benchmark of the <see cref="Plan"/>, to DIR/bdn/results;
    /// <c>--interleaved</c>: <see cref="Interleaved"/>, to DIR/interleaved.json, or with <c>--width 256</c> (which checks that the runtime's
    /// widest accelerated registers are 256-bit: run it with AVX-512 disabled) to DIR/interleaved-256.json; <c>--portable</c>: the Vector&lt;T&gt; kernel against
    /// the intrinsics kernel and the arithmetic roof, interleaved, to DIR/interleaved-portable.json (run it at 256 bits); <c>--lean</c>:
    /// <see cref="Lean"/> (16-bit state and the fused clip at 16M), to DIR/lean.json; <c>--matrix</c>: <see cref="Matrix"/> (Muon's matrix
    /// products, its orthogonalization and its step, on one thread), to DIR/matrix.json, and <c>--report-matrix [--out FILE]</c> its section
    /// alone, put into FILE in place of the old one (<see cref="MatrixReport"/>); <c>--distributed allreduce|step</c>
    /// under mpirun: <see cref="Distributed"/>, to DIR/allreduce.jsonl and DIR/distributed.json, and <c>--report-distributed --out FILE</c>:
    /// their section of RESULTS.md alone; <c>--report --command "…" [--out FILE]
    /// [--provisional NOTE]</c>: RESULTS.md from DIR (<see cref="Report"/>).
    /// </summary>
    public static int Main(string[] args)
    {
        var rest = new List<string>();
        string artifacts = Path.Combine("benchmarks", "artifacts"), output = Path.Combine("benchmarks", "RESULTS.md");
        string? command = null, provisional = null;   // --report only
        bool outOfProcess = false, interleaved = false, portable = false, lean = false, matrix = false, report = false, reportMatrix = false;
        string? distributed = null;   // --distributed allreduce|step, under mpirun
        bool reportDistributed = false;
        int? width = null;   // --interleaved only
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dry": Plan.Run = RunKind.Dry; break;
                case "--quick": Plan.Run = RunKind.Quick; break;
                case "--out-of-process": outOfProcess = true; break;
                case "--interleaved": interleaved = true; break;
                case "--portable": portable = true; break;
                case "--lean": lean = true; break;
                case "--distributed": distributed = args[++i]; break;
                case "--report-distributed": reportDistributed = true; break;
                case "--matrix": matrix = true; break;
                case "--width": width = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--report": report = true; break;
                case "--report-matrix": reportMatrix = true; break;
                case "--command": command = args[++i]; break;
                case "--out": output = args[++i]; break;
                case "--provisional": provisional = args[++i]; break;
                case "--artifacts": artifacts = args[++i]; break;
                default: rest.Add(args[i]); break;
            }
        }

        artifacts = Path.GetFullPath(artifacts);
        if (reportDistributed)
        {
            return Report.WriteDistributed(artifacts, output);
        }

        if (reportMatrix)
        {
            return MatrixReport.Splice(artifacts, output, Report.Cpu());
        }

        if (report)
        {
            return Report.Write(artifacts, output, command ?? throw new ArgumentException("--report needs --command, the command that made the artifacts."), provisional);
        }

        Directory.CreateDirectory(artifacts);
        if (distributed is not null)
        {
            // Under mpirun (benchmarks/distributed/run.sh): every rank runs this; rank 0 writes the artifacts.
            return Benchmarks.Distributed.Run(distributed, artifacts, Plan.Run == RunKind.Dry, command ?? "dotnet run -c Release --project benchmarks/Gen.Benchmarks -- " + string.Join(" ", args));
        }

        Console.WriteLine($"Vector512.IsHardwareAccelerated={Vector512.IsHardwareAccelerated}, Vector256={Vector256.IsHardwareAccelerated}, artifacts: {artifacts}");
        if (interleaved)
        {
            (int placements, int rounds, double batch) = Plan.Run switch
            {
                RunKind.Dry => (1, 3, 0.2),
                RunKind.Quick => (3, 5, 1.0),
                _ => (7, 9, 2.0),
            };
            string file = "interleaved.json";
            if (width is not null)
            {
                // The 256-bit run stands for an AVX2 PC: 256-bit registers at most, and (with AVX-512 disabled) 16 of them.
                if (width != 256 || Vector512.IsHardwareAccelerated || !Vector256.IsHardwareAccelerated)
                {
                    Console.Error.WriteLine($"--width {width}: only 256 is a width of its own, and its run needs the runtime at 256 bits (Vector512.IsHardwareAccelerated={Vector512.IsHardwareAccelerated}, Vector256={Vector256.IsHardwareAccelerated}): set DOTNET_EnableAVX512=0.");
                    return 2;
                }

                file = "interleaved-256.json";
            }

            // The Vector<T> kernel's row at 256 bits is the portable run's (--portable).
            RowKind[] kinds = width is null ? Interleaved.AllKinds : Interleaved.AllKinds.Where(k => k != RowKind.PortableKernel).ToArray();
            Interleaved.Run(Path.Combine(artifacts, file), kinds, Plan.InterleavedConfigs, Plan.RmsPropSizes, placements, rounds, batch);
            return 0;
        }

        if (lean)
        {
            (int placements, int rounds, double batch, int parameters) = Plan.Run switch
            {
                RunKind.Dry => (1, 3, 0.2, 1 << 16),
                RunKind.Quick => (3, 3, 1.0, 1 << 24),
                _ => (5, 5, 1.0, 1 << 24),
            };
            Lean.Run(Path.Combine(artifacts, "lean.json"), parameters, placements, rounds, batch, command ?? "dotnet run -c Release --project benchmarks/Gen.Benchmarks -- " + string.Join(" ", args));
            return 0;
        }

        if (matrix)
        {
            (int placements, int rounds, double batch) = Plan.Run switch
            {
                RunKind.Dry => (1, 3, 0.2),
                RunKind.Quick => (2, 3, 50.0),
                _ => (3, 5, 400.0),
            };
            Matrix.Run(Path.Combine(artifacts, "matrix.json"), placements, rounds, batch, command ?? "dotnet run -c Release --project benchmarks/Gen.Benchmarks -- " + string.Join(" ", args));
            return 0;
        }

        if (portable)
        {
            (int placements, int rounds, double batch) = Plan.Run switch
            {
                RunKind.Dry => (1, 3, 0.2),
                RunKind.Quick => (3, 5, 1.0),
                _ => (5, 9, 2.0),
            };
            Interleaved.Run(Path.Combine(artifacts, "interleaved-portable.json"), Interleaved.PortableKinds, Workload.RmsPropConfigs, Plan.RmsPropSizes.Where(s => s != Size.P16M).ToArray(), placements, rounds, batch);
            return 0;
        }

        if (rest.Count == 0)
        {
            rest.AddRange(new[] { "--filter", "*" });
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.ToArray(), Config(artifacts, Plan.Run, outOfProcess)).ToArray();
        bool failed = summaries.Length == 0 || summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        Console.WriteLine(failed ? "Benchmarks FAILED." : $"Benchmarks OK: {summaries.Sum(s => s.Reports.Length)} cases.");
        return failed ? 1 : 0;
    }

    private static IConfig Config(string artifacts, RunKind kind, bool outOfProcess)
    {
        // The 16M job: a 16M step takes 15 to 250 ms, so a few steps dwarf the timer; BenchmarkDotNet's pilot would run 16
        // per iteration and up to 40 iterations, each after a new 16M setup. So 4 steps (an even count: gradients A and B
        // alike), 3 warm-up and 10 measured iterations; the figure is the median of the 10 iteration means.
        (Job main, Job large) = kind switch
        {
            RunKind.Dry => (Job.Dry, Job.Dry),
            RunKind.Quick => (
                Job.Default.WithWarmupCount(2).WithIterationCount(5).WithIterationTime(TimeInterval.FromMilliseconds(100)),
                Job.Default.WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(2).WithUnrollFactor(1)),
            _ => (
                Job.Default.WithWarmupCount(5).WithMinIterationCount(15).WithMaxIterationCount(40).WithIterationTime(TimeInterval.FromMilliseconds(250)),
                Job.Default.WithWarmupCount(3).WithIterationCount(10).WithInvocationCount(4).WithUnrollFactor(1)),
        };
        string mainId = kind.ToString(), largeId = kind == RunKind.Dry ? mainId : kind + "16M";

        // Memory randomization: in-cache timings of a five- or six-stream in-place kernel depend on where the arrays sit, by
        // up to 3× for the same code (loads falsely waiting on older stores to another stream whose address matches in the
        // low 12 bits). With it the setup runs again before every iteration after a random-sized allocation, so the median
        // is over layouts. The dry job keeps one layout.
        if (kind != RunKind.Dry)
        {
            (main, large) = (main.WithMemoryRandomization(true), large.WithMemoryRandomization(true));
        }

        // BenchmarkDotNet 0.14.0 predates .NET 10: no net10.0 moniker, and its out-of-process toolchains build a copy of this
        // project through a fallback for unknown versions. The in-process emit toolchain builds nothing and runs on exactly
        // the runtime that runs this program; --out-of-process uses the default one where isolation matters more than time.
        if (!outOfProcess)
        {
            (main, large) = (main.WithToolchain(InProcessEmitToolchain.Instance), large.WithToolchain(InProcessEmitToolchain.Instance));
        }

        IConfig config = DefaultConfig.Instance
            .AddJob(main.WithId(mainId))
            .AddFilter(new PlanFilter(mainId, largeId))
            .AddColumn(StatisticColumn.Median)   // the figure every target uses
            .HideColumns(Column.AllocRatio)   // every row allocates nothing
            .AddExporter(JsonExporter.Full)   // read by Report
            .WithSummaryStyle(SummaryStyle.Default.WithTimeUnit(TimeUnit.Microsecond))   // one unit from 100 ns to 100 ms
            .WithArtifactsPath(Path.Combine(artifacts, "bdn"))
            .WithOptions(ConfigOptions.DisableLogFile);
        return largeId == mainId ? config : config.AddJob(large.WithId(largeId));
    }
}
