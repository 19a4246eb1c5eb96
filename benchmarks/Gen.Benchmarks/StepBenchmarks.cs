using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Running;

namespace Gen.Benchmarks;

/// <summary>
/// One optimizer step: one method per <see cref="RowKind"/> (whose documentation says what each row is), for every
/// configuration and size of the <see cref="Plan"/>; <see cref="PlanFilter"/> drops the combinations it does not
/// list. Each setup builds only its own row (a 16M centered + momentum row holds ~400 MB). The kernel, timed at every
/// configuration and size, is the baseline of BenchmarkDotNet's Ratio column: a row's time ÷ the kernel's, so a
/// roof's ratio is the inverse of kernel ÷ roof and the Step's is what the non-finite guard costs.
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    private static readonly HashSet<(RowKind, Config, Size)> s_warmed = new();
    private IStepRow? _row;

    [ParamsSource(nameof(Configs))]
    public Config Config { get; set; }

    [ParamsSource(nameof(Sizes))]
    public Size Size { get; set; }

    public static IEnumerable<Config> Configs => Plan.Configs;

    public static IEnumerable<Size> Sizes => Plan.Sizes;

    [GlobalSetup(Target = nameof(Generated))] public void SetupGenerated() => Setup(RowKind.Generated);
    [GlobalSetup(Target = nameof(GeneratedKernel))] public void SetupGeneratedKernel() => Setup(RowKind.GeneratedKernel);
    [GlobalSetup(Target = nameof(FastKernel))] public void SetupFastKernel() => Setup(RowKind.FastKernel);
    [GlobalSetup(Target = nameof(TensorPrimitives))] public void SetupTensorPrimitives() => Setup(RowKind.TensorPrimitives);
    [GlobalSetup(Target = nameof(MemoryRoof))] public void SetupMemoryRoof() => Setup(RowKind.MemoryRoof);
    [GlobalSetup(Target = nameof(MemoryRoofLoadsFirst))] public void SetupMemoryRoofLoadsFirst() => Setup(RowKind.MemoryRoofLoadsFirst);
    [GlobalSetup(Target = nameof(ArithmeticRoof))] public void SetupArithmeticRoof() => Setup(RowKind.ArithmeticRoof);
    [GlobalSetup(Target = nameof(ArithmeticRoofLoadsFirst))] public void SetupArithmeticRoofLoadsFirst() => Setup(RowKind.ArithmeticRoofLoadsFirst);
    [GlobalSetup(Target = nameof(ReadRoof))] public void SetupReadRoof() => Setup(RowKind.ReadRoof);

    [Benchmark] public void Generated() => _row!.Step();
    [Benchmark(Baseline = true)] public void GeneratedKernel() => _row!.Step();
    [Benchmark] public void FastKernel() => _row!.Step();
    [Benchmark] public void TensorPrimitives() => _row!.Step();
    [Benchmark] public void MemoryRoof() => _row!.Step();
    [Benchmark] public void MemoryRoofLoadsFirst() => _row!.Step();
    [Benchmark] public void ArithmeticRoof() => _row!.Step();
    [Benchmark] public void ArithmeticRoofLoadsFirst() => _row!.Step();
    [Benchmark] public void ReadRoof() => _row!.Step();

    [GlobalCleanup]
    public void Cleanup()
    {
        _row = null;
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    /// <summary>
    /// Steps a new row until tiered compilation has nothing left to do for it, so that every row is measured in its final
    /// code. BenchmarkDotNet's warm-up alone does not ensure that: the runtime promotes a method (Tier 0, instrumented, Tier 1)
    /// only after a quiet period without new Tier-0 code and rounds of 30 calls, on a background thread that a busy machine
    /// delays; a TensorPrimitives row, first in a process, was timed in Tier 0 (12 times slower) through a whole interleaved run
    /// after one quiet round. So rounds of 35 steps (at most 0.5 s), each followed by 150 ms of quiet, until three rounds in a
    /// row compile nothing; at most 16 rounds.
    /// </summary>
    internal static void WarmUntilTheJitIsIdle(IStepRow row)
    {
        for (int round = 0, quiet = 0; round < 16 && quiet < 3; round++)
        {
            long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int s = 0; s < 35 && clock.ElapsedMilliseconds < 500; s++)
            {
                row.Step();
            }

            System.Threading.Thread.Sleep(150);
            quiet = System.Runtime.JitInfo.GetCompiledMethodCount() == compiled ? quiet + 1 : 0;
        }
    }

    private void Setup(RowKind kind)
    {
        _row = null;
        GC.Collect();
        _row = Rows.Create(kind, Config, Size);

        // Two steps (gradients A and B) before any measurement: a training loop never steps on fresh memory. Setup
        // runs again before every iteration (memory randomization), and the state buffers a row allocates come from
        // the GC untouched: without these steps the first step of an iteration would pay their page faults (tens of
        // milliseconds at 16M, where an iteration is 4 steps).
        _row.Step();
        _row.Step();
        if (!Plan.Dry && s_warmed.Add((kind, Config, Size)))   // a dry run's timings mean nothing; it stays fast
        {
            WarmUntilTheJitIsIdle(_row);
        }
    }
}

/// <summary>
/// Keeps the <see cref="StepBenchmarks"/> cases that <see cref="Plan"/> lists, each under the job meant for its size
/// (16M has its own, shorter job: <see cref="Program"/>), and every other benchmark under the main job.
/// </summary>
public sealed class PlanFilter(string mainJob, string largeJob) : IFilter
{
    public bool Predicate(BenchmarkCase benchmarkCase)
    {
        if (benchmarkCase.Descriptor.Type != typeof(StepBenchmarks))
        {
            return benchmarkCase.Job.Id == mainJob;
        }

        var size = (Size)benchmarkCase.Parameters[nameof(StepBenchmarks.Size)];
        return Plan.RowsAt((Config)benchmarkCase.Parameters[nameof(StepBenchmarks.Config)], size).Contains(Enum.Parse<RowKind>(benchmarkCase.Descriptor.WorkloadMethod.Name))
            && benchmarkCase.Job.Id == (size == Size.P16M ? largeJob : mainJob);
    }
}
