using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;

namespace Gen.Benchmarks;

/// <summary>
/// One optimizer step, every implementation, every size. A derived class fixes the configuration.
/// Each benchmark's setup builds only its own row (a 16M centered + momentum row holds ~400 MB), after
/// <see cref="Verification"/> has checked the baselines against the generated optimizer at that size.
/// </summary>
[MemoryDiagnoser]
public abstract class StepBenchmarks
{
    private IStepRow? _row;

    protected abstract Config Config { get; }

    [ParamsSource(nameof(Sizes))]
    public Size Size { get; set; }

    public static IEnumerable<Size> Sizes => BenchmarkOptions.Sizes;

    [GlobalSetup(Target = nameof(Generated))]
    public void SetupGenerated() => Setup(RowKind.Generated);

    [GlobalSetup(Target = nameof(NaiveScalar))]
    public void SetupNaiveScalar() => Setup(RowKind.NaiveScalar);

    [GlobalSetup(Target = nameof(TensorPrimitives))]
    public void SetupTensorPrimitives() => Setup(RowKind.TensorPrimitives);

    [GlobalSetup(Target = nameof(MemoryRoof))]
    public void SetupMemoryRoof() => Setup(RowKind.MemoryRoof);

    [GlobalSetup(Target = nameof(ArithmeticRoof))]
    public void SetupArithmeticRoof() => Setup(RowKind.ArithmeticRoof);

    [GlobalCleanup]
    public void Cleanup()
    {
        _row = null;
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    /// <summary>The generated optimizer's <c>Step(gradients)</c>.</summary>
    [Benchmark(Baseline = true)]
    public void Generated() => _row!.Step();

    /// <summary>A plain <c>for</c> loop with MathF.Sqrt.</summary>
    [Benchmark]
    public void NaiveScalar() => _row!.Step();

    /// <summary>One TensorPrimitives call per algebraic step.</summary>
    [Benchmark]
    public void TensorPrimitives() => _row!.Step();

    /// <summary>Same loads and stores as the update, adds only.</summary>
    [Benchmark]
    public void MemoryRoof() => _row!.Step();

    /// <summary>Same loads and stores, one square root and one division per element.</summary>
    [Benchmark]
    public void ArithmeticRoof() => _row!.Step();

    private void Setup(RowKind kind)
    {
        Verification.EnsureVerified(Config, Size);
        _row = null;
        GC.Collect();
        _row = Rows.Create(kind, Config, Size);
    }
}

/// <summary>PyTorch's defaults: lr 0.01, alpha 0.99, eps 1e-8.</summary>
public class PlainStep : StepBenchmarks
{
    protected override Config Config => Config.Plain;
}

/// <summary>The defaults with centered = True and momentum = 0.9.</summary>
public class CenteredMomentumStep : StepBenchmarks
{
    protected override Config Config => Config.CenteredMomentum;
}
