using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics;
using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Gen.Benchmarks;

public static class Program
{
    /// <summary>
    /// <c>dotnet run -c Release --project benchmarks/Gen.Benchmarks -- [--dry | --quick] [--out-of-process | --interleaved] [--artifacts DIR] [BenchmarkDotNet args]</c>.
    /// Without BenchmarkDotNet arguments it runs every benchmark of the <see cref="Plan"/>; with
    /// <c>--interleaved</c> it runs <see cref="Interleaved"/> instead and writes DIR/interleaved.json. Before timing
    /// anything it checks every row against its reference (<see cref="Verification"/>) and the
    /// generator's caching, and writes both to DIR/checks.json for benchmarks/merge_results.py.
    /// </summary>
    public static int Main(string[] args)
    {
        var rest = new List<string>();
        string artifacts = Path.Combine("benchmarks", "artifacts");
        bool outOfProcess = false;
        bool interleaved = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dry": Plan.Run = RunKind.Dry; break;
                case "--quick": Plan.Run = RunKind.Quick; break;
                case "--out-of-process": outOfProcess = true; break;
                case "--interleaved": interleaved = true; break;
                case "--artifacts": artifacts = args[++i]; break;
                default: rest.Add(args[i]); break;
            }
        }

        artifacts = Path.GetFullPath(artifacts);
        Directory.CreateDirectory(artifacts);
        Console.WriteLine($"Vector512.IsHardwareAccelerated={Vector512.IsHardwareAccelerated}, Vector256={Vector256.IsHardwareAccelerated}, artifacts: {artifacts}");

        if (interleaved)
        {
            // The RMSProp sizes of the plan, verified rows only, as in the BenchmarkDotNet run; a dry run stays within seconds.
            IReadOnlyList<Size> sizes = Plan.RmsPropSizes;
            (int placements, int rounds, double batch) = Plan.Run switch
            {
                RunKind.Dry => (1, 3, 0.2),
                RunKind.Quick => (3, 5, 1.0),
                _ => (7, 9, 2.0),
            };
            foreach (Size size in sizes)
            {
                foreach (Config rmsProp in Workload.RmsPropConfigs)
                {
                    Verification.EnsureVerified(rmsProp, size);
                }
            }

            Interleaved.Run(Path.Combine(artifacts, "interleaved.json"), sizes, placements, rounds, batch);
            return 0;
        }

        WriteChecks(Path.Combine(artifacts, "checks.json"), compileGeneratedCode: !Plan.Dry);

        if (rest.Count == 0)
        {
            rest.AddRange(new[] { "--filter", "*" });
        }

        IConfig config = Config(artifacts, Plan.Run, outOfProcess);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.ToArray(), config).ToArray();
        bool failed = summaries.Length == 0 || summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        Console.WriteLine(failed ? "Benchmarks FAILED." : $"Benchmarks OK: {summaries.Sum(s => s.Reports.Length)} cases.");
        return failed ? 1 : 0;
    }

    /// <summary>The main job of a run kind, and the job of the 16M cases.</summary>
    private static (Job Main, Job Large) Jobs(RunKind kind)
    {
        // The 16M job. A 16M step takes 15 to 250 ms, so one iteration needs no more than a few steps
        // to dwarf the timer and call overhead; BenchmarkDotNet's pilot would instead run 16 steps per
        // iteration (its unroll factor), and 15 to 40 iterations, each after a new 16M setup. So: 4
        // steps per iteration (an even count: gradients A and B alike), 3 warm-up and 10 measured
        // iterations, each on a new memory layout; the figure is the median of the 10 iteration means.
        // Out of cache the layout matters far less than in cache, and the spread of the 10 is what
        // BenchmarkDotNet's error column reports (artifacts/bdn/results).
        return kind switch
        {
            RunKind.Dry => (Job.Dry, Job.Dry),
            RunKind.Quick => (
                Job.Default.WithWarmupCount(2).WithIterationCount(5).WithIterationTime(TimeInterval.FromMilliseconds(100)),
                Job.Default.WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(2).WithUnrollFactor(1)),
            _ => (
                Job.Default.WithWarmupCount(5).WithMinIterationCount(15).WithMaxIterationCount(40).WithIterationTime(TimeInterval.FromMilliseconds(250)),
                Job.Default.WithWarmupCount(3).WithIterationCount(10).WithInvocationCount(4).WithUnrollFactor(1)),
        };
    }

    private static IConfig Config(string artifacts, RunKind kind, bool outOfProcess)
    {
        (Job main, Job large) = Jobs(kind);
        string mainId = kind.ToString(), largeId = kind == RunKind.Dry ? mainId : kind + "16M";

        // Memory randomization: in-cache timings of a five- or six-stream in-place kernel depend on
        // where the arrays happen to sit, by up to 3x for the same code (loads falsely waiting on older
        // stores to another stream whose address matches in the low bits). With it, BenchmarkDotNet
        // runs the global setup again before every iteration, after allocating a random-sized array,
        // so each iteration measures a new layout and the median is over layouts, not one lucky or
        // unlucky allocation. The dry job keeps one layout.
        if (kind != RunKind.Dry)
        {
            main = main.WithMemoryRandomization(true);
            large = large.WithMemoryRandomization(true);
        }

        // Toolchain. BenchmarkDotNet 0.14.0 predates .NET 10: it has no net10.0 moniker, so a job cannot
        // name the runtime (`--runtimes net10.0` is rejected as invalid) and its out-of-process
        // toolchains rely on generating and building a copy of this project for "the host's TFM"
        // through a fallback for unknown versions. The in-process emit toolchain needs no moniker and
        // builds nothing: it runs the benchmarks on exactly the runtime that runs this net10.0 program,
        // in seconds for --dry. What it gives up is process isolation, so each benchmark's setup
        // allocates only its own row, and cleanup drops it and collects; BenchmarkDotNet's warm-up
        // still lets tiered compilation reach its final code before measuring. Runtime knobs
        // (DOTNET_PreferredVectorBitWidth=256, ...) are set on the whole process instead of per job.
        // --out-of-process uses the default toolchain (it works on .NET 10 as long as no runtime is
        // named), for a run where isolation matters more than time; it adds a ~20 s build and a process per case.
        if (!outOfProcess)
        {
            main = main.WithToolchain(InProcessEmitToolchain.Instance);
            large = large.WithToolchain(InProcessEmitToolchain.Instance);
        }

        IConfig config = DefaultConfig.Instance
            .AddJob(main.WithId(mainId))
            .AddFilter(new PlanFilter(mainId, largeId))
            .AddExporter(JsonExporter.Full)
            .WithArtifactsPath(Path.Combine(artifacts, "bdn"))
            .WithOptions(ConfigOptions.DisableLogFile);
        return largeId == mainId ? config : config.AddJob(large.WithId(largeId));
    }

    private static void WriteChecks(string path, bool compileGeneratedCode)
    {
        var results = new List<Verification.Check>();
        foreach ((Config config, Size size) in Plan.Pairs())
        {
            foreach (Verification.Check check in Verification.Run(config, size))
            {
                Console.WriteLine($"  {(check.Passed ? "verified" : "FAILED")}: {check}");
                results.Add(check);
            }
        }

        var allocations = new Dictionary<string, Dictionary<string, double>>();
        foreach (Config config in Workload.RmsPropConfigs)
        {
            allocations[config.ToString()] = Plan.RmsPropSizes.ToDictionary(size => size.ToString(), size => Verification.GeneratedBytesPerStep(config, size));
        }

        Console.WriteLine("  generated Step, bytes allocated per step (calling thread): " + JsonSerializer.Serialize(allocations));

        var mlpBits = Plan.Configs.ToDictionary(config => config.ToString(), Verification.MlpParameterBits);

        GeneratorCheck.Report generator = GeneratorCheck.Run(compileGeneratedCode);
        Console.WriteLine($"  generator: first run {generator.FirstRunInProcessMs} ms, {generator.GeneratedFiles} files, unrelated edit re-emitted nothing: {generator.UnrelatedEditReemittedNothing}");

        var checks = new
        {
            Vector512 = Vector512.IsHardwareAccelerated,
            Vector256 = Vector256.IsHardwareAccelerated,
            Runtime = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            Environment.ProcessorCount,
            Workload.ParallelDegree,
            Workload.DefaultParallelThreshold,
            Run = Plan.Run,
            BytesPerElement = Plan.Configs.ToDictionary(config => config.ToString(), config => Workload.TrafficOf(config).BytesPerElement),
            VerificationSteps = Verification.Steps,
            Verification = results,
            GeneratedBytesPerStep = allocations,
            MlpParameterBitsAfterSteps = mlpBits,
            Generator = generator,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(checks, new JsonSerializerOptions { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } }));
        if (results.Any(r => !r.Passed) || allocations.Values.Any(a => a.Values.Any(b => b != 0)) || generator.GeneratorThrew || generator.CompileErrors > 0 || !generator.UnrelatedEditReemittedNothing)
        {
            throw new InvalidOperationException("A check failed; see " + path);
        }
    }
}
