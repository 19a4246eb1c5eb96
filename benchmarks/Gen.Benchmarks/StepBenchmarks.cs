using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Running;

namespace Gen.Benchmarks;

/// <summary>
/// One optimizer step: every row kind (one method each, named after its <see cref="RowKind"/>), for
/// every configuration and size that <see cref="Plan"/> lists; <see cref="PlanFilter"/> drops the
/// combinations it does not (the family has no naive loop, the parallel rows start at 1M, ...). Each
/// benchmark's setup builds only its own row (a 16M centered + momentum row holds ~400 MB), after
/// <see cref="Verification"/> has checked every row at that configuration and size.
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    private IStepRow? _row;

    [ParamsSource(nameof(Configs))]
    public Config Config { get; set; }

    [ParamsSource(nameof(Sizes))]
    public Size Size { get; set; }

    public static IEnumerable<Config> Configs => Plan.Configs;

    public static IEnumerable<Size> Sizes => Plan.Sizes;

    [GlobalSetup(Target = nameof(Generated))]
    public void SetupGenerated() => Setup(RowKind.Generated);

    [GlobalSetup(Target = nameof(GeneratedKernel))]
    public void SetupGeneratedKernel() => Setup(RowKind.GeneratedKernel);

    [GlobalSetup(Target = nameof(FastKernel))]
    public void SetupFastKernel() => Setup(RowKind.FastKernel);

    [GlobalSetup(Target = nameof(NaiveScalar))]
    public void SetupNaiveScalar() => Setup(RowKind.NaiveScalar);

    [GlobalSetup(Target = nameof(TensorPrimitives))]
    public void SetupTensorPrimitives() => Setup(RowKind.TensorPrimitives);

    [GlobalSetup(Target = nameof(MemoryRoof))]
    public void SetupMemoryRoof() => Setup(RowKind.MemoryRoof);

    [GlobalSetup(Target = nameof(ArithmeticRoof))]
    public void SetupArithmeticRoof() => Setup(RowKind.ArithmeticRoof);

    [GlobalSetup(Target = nameof(MemoryRoofLoadsFirst))]
    public void SetupMemoryRoofLoadsFirst() => Setup(RowKind.MemoryRoofLoadsFirst);

    [GlobalSetup(Target = nameof(ArithmeticRoofLoadsFirst))]
    public void SetupArithmeticRoofLoadsFirst() => Setup(RowKind.ArithmeticRoofLoadsFirst);

    [GlobalSetup(Target = nameof(NonFiniteCheck))]
    public void SetupNonFiniteCheck() => Setup(RowKind.NonFiniteCheck);

    [GlobalSetup(Target = nameof(ReadRoof))]
    public void SetupReadRoof() => Setup(RowKind.ReadRoof);

    [GlobalSetup(Target = nameof(ParallelGenerated))]
    public void SetupParallelGenerated() => Setup(RowKind.ParallelGenerated);

    [GlobalSetup(Target = nameof(ParallelKernel))]
    public void SetupParallelKernel() => Setup(RowKind.ParallelKernel);

    [GlobalSetup(Target = nameof(ParallelMemoryRoof))]
    public void SetupParallelMemoryRoof() => Setup(RowKind.ParallelMemoryRoof);

    [GlobalCleanup]
    public void Cleanup()
    {
        _row = null;
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    /// <summary>The generated optimizer's <c>Step(gradients)</c>, default NonFinitePolicy (Throw).</summary>
    [Benchmark]
    public void Generated() => _row!.Step();

    /// <summary>The same with NonFinitePolicy.Ignore: the kernel alone.</summary>
    [Benchmark]
    public void GeneratedKernel() => _row!.Step();

    /// <summary>The Precision.Fast optimizer, NonFinitePolicy.Ignore.</summary>
    [Benchmark]
    public void FastKernel() => _row!.Step();

    /// <summary>A plain <c>for</c> loop with MathF.Sqrt.</summary>
    [Benchmark]
    public void NaiveScalar() => _row!.Step();

    /// <summary>One TensorPrimitives call per algebraic step.</summary>
    [Benchmark]
    public void TensorPrimitives() => _row!.Step();

    /// <summary>Same loads and stores as the update, adds only, in the kernels' order.</summary>
    [Benchmark]
    public void MemoryRoof() => _row!.Step();

    /// <summary>Same loads and stores, one square root and one division per element, in the kernels' order.</summary>
    [Benchmark]
    public void ArithmeticRoof() => _row!.Step();

    /// <summary><see cref="MemoryRoof"/> with every load first.</summary>
    [Benchmark]
    public void MemoryRoofLoadsFirst() => _row!.Step();

    /// <summary><see cref="ArithmeticRoof"/> with every load first.</summary>
    [Benchmark]
    public void ArithmeticRoofLoadsFirst() => _row!.Step();

    /// <summary>The non-finite check of the default policy alone, on the generated Gradients.</summary>
    [Benchmark]
    public void NonFiniteCheck() => _row!.Step();

    /// <summary>Every gradient element read once, one XOR per register: the least a check can cost.</summary>
    [Benchmark]
    public void ReadRoof() => _row!.Step();

    /// <summary><see cref="Generated"/> with MaxDegreeOfParallelism = 2.</summary>
    [Benchmark]
    public void ParallelGenerated() => _row!.Step();

    /// <summary><see cref="GeneratedKernel"/> with MaxDegreeOfParallelism = 2.</summary>
    [Benchmark]
    public void ParallelKernel() => _row!.Step();

    /// <summary>The memory roof in two halves on 2 threads.</summary>
    [Benchmark]
    public void ParallelMemoryRoof() => _row!.Step();

    private void Setup(RowKind kind)
    {
        if (!Plan.Includes(Config, Size, kind))
        {
            throw new InvalidOperationException($"{kind} at {Config}, {Size} is not in the plan (PlanFilter should have dropped it).");
        }

        Verification.EnsureVerified(Config, Size);
        _row = null;
        GC.Collect();
        _row = Rows.Create(kind, Config, Size);

        // Two steps (gradients A and B) before any measurement: a training loop never steps on fresh
        // memory. Setup runs again before every iteration (memory randomization), and the state buffers
        // a row allocates come from the GC untouched: without these steps the first step of an iteration
        // would pay their page faults (tens of milliseconds at 16M, where an iteration is 4 steps).
        _row.Step();
        _row.Step();
        if (!Plan.Dry && s_warmed.Add((kind, Config, Size)))   // a dry run's timings mean nothing; it stays fast
        {
            WarmUntilTheJitIsIdle(_row);
        }
    }

    private static readonly HashSet<(RowKind, Config, Size)> s_warmed = new();

    /// <summary>
    /// Steps a new row until tiered compilation has nothing left to do for it, so that every row is
    /// measured in its final code. BenchmarkDotNet's warm-up alone does not ensure that here: the
    /// runtime promotes a method only after a quiet period without new Tier-0 code (100 ms) and two
    /// rounds of 30 calls (instrumented Tier 0, then Tier 1), and the checks before the run (Roslyn's
    /// code, for the generator check) keep it busy; a kernel whose loop is running in its on-stack
    /// replacement code still pays Tier-0 entry and dispatch on every call. The generated rows would
    /// otherwise start tiered (the checks stepped them thousands of times) and the roofs not. Rounds of
    /// 35 steps (at most 0.5 s: at 16M the kernels' loops dominate and are optimized early anyway),
    /// each followed by 150 ms of quiet, until a round compiles nothing new; at most 12 rounds.
    /// </summary>
    internal static void WarmUntilTheJitIsIdle(IStepRow row)
    {
        for (int round = 0; round < 12; round++)
        {
            long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int s = 0; s < 35 && clock.ElapsedMilliseconds < 500; s++)
            {
                row.Step();
            }

            System.Threading.Thread.Sleep(150);
            if (round > 0 && System.Runtime.JitInfo.GetCompiledMethodCount() == compiled)
            {
                return;
            }
        }
    }
}

/// <summary>
/// Keeps the <see cref="StepBenchmarks"/> cases that <see cref="Plan"/> lists, each under the job meant
/// for its size (<see cref="Program"/>: 16M has its own, shorter job), and every other benchmark under the main job.
/// </summary>
public sealed class PlanFilter : IFilter
{
    private readonly string _mainJob;
    private readonly string _largeJob;

    public PlanFilter(string mainJob, string largeJob)
    {
        _mainJob = mainJob;
        _largeJob = largeJob;
    }

    public bool Predicate(BenchmarkCase benchmarkCase)
    {
        string job = benchmarkCase.Job.Id;
        if (benchmarkCase.Descriptor.Type != typeof(StepBenchmarks))
        {
            return job == _mainJob;
        }

        var config = (Config)benchmarkCase.Parameters[nameof(StepBenchmarks.Config)];
        var size = (Size)benchmarkCase.Parameters[nameof(StepBenchmarks.Size)];
        var row = Enum.Parse<RowKind>(benchmarkCase.Descriptor.WorkloadMethod.Name);
        return Plan.Includes(config, size, row) && job == (size == Size.P16M ? _largeJob : _mainJob);
    }
}
