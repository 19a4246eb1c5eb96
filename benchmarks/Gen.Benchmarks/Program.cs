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

/// <summary>How this run was asked for: full, --quick or --dry. Read by the benchmarks' parameter sources.</summary>
public static class BenchmarkOptions
{
    public static bool Dry { get; set; }

    /// <summary>Sizes to run: all of them, or in a dry run the two that take no time to set up.</summary>
    public static IEnumerable<Size> Sizes => Dry ? new[] { Size.P4K, Size.Mlp } : Workload.AllSizes;
}

public static class Program
{
    /// <summary>
    /// <c>dotnet run -c Release --project benchmarks/Gen.Benchmarks -- [--dry | --quick] [--out-of-process] [--artifacts DIR] [BenchmarkDotNet args]</c>.
    /// Without BenchmarkDotNet arguments it runs every benchmark. Before timing anything it checks the
    /// baselines against the generated optimizer and the generator's caching, and writes both to
    /// DIR/checks.json for benchmarks/merge_results.py.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--experiment")
        {
            return args.Length > 1 && args[1] == "staged"
                ? Experiments.StagedUnrollExperiment.Run(args.Skip(2).ToArray())
                : Usage("unknown experiment; the one there is: --experiment staged [sizes] [layouts]");
        }

        var rest = new List<string>();
        string artifacts = Path.Combine("benchmarks", "artifacts");
        bool quick = false, outOfProcess = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dry": BenchmarkOptions.Dry = true; break;
                case "--quick": quick = true; break;
                case "--out-of-process": outOfProcess = true; break;
                case "--artifacts": artifacts = args[++i]; break;
                default: rest.Add(args[i]); break;
            }
        }

        artifacts = Path.GetFullPath(artifacts);
        Directory.CreateDirectory(artifacts);
        Console.WriteLine($"Vector512.IsHardwareAccelerated={Vector512.IsHardwareAccelerated}, Vector256={Vector256.IsHardwareAccelerated}, artifacts: {artifacts}");

        WriteChecks(Path.Combine(artifacts, "checks.json"), compileGeneratedCode: !BenchmarkOptions.Dry);

        if (rest.Count == 0)
        {
            rest.AddRange(new[] { "--filter", "*" });
        }

        IConfig config = Config(artifacts, BenchmarkOptions.Dry ? JobKind.Dry : quick ? JobKind.Quick : JobKind.Full, outOfProcess);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.ToArray(), config).ToArray();
        bool failed = summaries.Length == 0 || summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        Console.WriteLine(failed ? "Benchmarks FAILED." : $"Benchmarks OK: {summaries.Sum(s => s.Reports.Length)} cases.");
        return failed ? 1 : 0;
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }

    private enum JobKind
    {
        Full,
        Quick,
        Dry,
    }

    private static IConfig Config(string artifacts, JobKind kind, bool outOfProcess)
    {
        Job job = kind switch
        {
            JobKind.Dry => Job.Dry,
            JobKind.Quick => Job.Default.WithWarmupCount(2).WithIterationCount(5).WithIterationTime(TimeInterval.FromMilliseconds(100)),
            _ => Job.Default.WithWarmupCount(5).WithMinIterationCount(15).WithMaxIterationCount(40).WithIterationTime(TimeInterval.FromMilliseconds(250)),
        };

        // Memory randomization: in-cache timings of a five- or six-stream in-place kernel depend on
        // where the arrays happen to sit, by up to 3x for the same code (see Experiments/). With it,
        // BenchmarkDotNet runs the global setup again before every iteration, after allocating a
        // random-sized array, so each iteration measures a new layout and the median is over layouts,
        // not one lucky or unlucky allocation. The dry job keeps one layout.
        if (kind != JobKind.Dry)
        {
            job = job.WithMemoryRandomization(true);
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
            job = job.WithToolchain(InProcessEmitToolchain.Instance);
        }

        job = job.WithId(kind.ToString());
        return DefaultConfig.Instance
            .AddJob(job)
            .AddExporter(JsonExporter.Full)
            .WithArtifactsPath(Path.Combine(artifacts, "bdn"))
            .WithOptions(ConfigOptions.DisableLogFile);
    }

    private static void WriteChecks(string path, bool compileGeneratedCode)
    {
        var results = new List<Verification.Result>();
        foreach (Config config in Enum.GetValues<Config>())
        {
            foreach (Size size in BenchmarkOptions.Sizes)
            {
                Verification.Result result = Verification.Check(config, size);
                Console.WriteLine($"  {(result.Passed ? "verified" : "FAILED")}: {result}");
                results.Add(result);
            }
        }

        var allocations = new Dictionary<string, Dictionary<string, double>>();
        foreach (Config config in Enum.GetValues<Config>())
        {
            allocations[config.ToString()] = BenchmarkOptions.Sizes.ToDictionary(size => size.ToString(), size => Verification.GeneratedBytesPerStep(config, size));
        }

        Console.WriteLine("  generated Step, bytes allocated per step (calling thread): " + JsonSerializer.Serialize(allocations));

        var mlpBits = new Dictionary<string, Dictionary<string, int[]>>();
        foreach (Config config in Enum.GetValues<Config>())
        {
            mlpBits[config.ToString()] = new Dictionary<string, int[]>
            {
                [nameof(RowKind.Generated)] = Verification.MlpParameterBits(config, RowKind.Generated),
                [nameof(RowKind.NaiveScalar)] = Verification.MlpParameterBits(config, RowKind.NaiveScalar),
                [nameof(RowKind.TensorPrimitives)] = Verification.MlpParameterBits(config, RowKind.TensorPrimitives),
            };
        }

        GeneratorCheck.Report generator = GeneratorCheck.Run(compileGeneratedCode);
        Console.WriteLine($"  generator: first run {generator.FirstRunInProcessMs} ms, {generator.GeneratedFiles} files, unrelated edit re-emitted nothing: {generator.UnrelatedEditReemittedNothing}");

        var checks = new
        {
            Vector512 = Vector512.IsHardwareAccelerated,
            Vector256 = Vector256.IsHardwareAccelerated,
            Runtime = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
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
