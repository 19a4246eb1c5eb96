using System;
using Gen.Benchmarks.Baselines;
using Gen.Runtime;

namespace Gen.Benchmarks;

/// <summary>One implementation of one configuration at one size, with its own data, ready to step.</summary>
/// <remarks>
/// Every row starts from the same parameters and gradients (<see cref="Workload"/>) and alternates
/// gradient A and its negation B, one per step. Each owns its arrays, so no row warms another's cache.
/// </remarks>
public interface IStepRow
{
    int TensorCount { get; }

    /// <summary>One optimizer step over every tensor.</summary>
    void Step();

    Span<float> Parameter(int tensor);

    /// <summary>A state buffer by PyTorch's name: square_avg, grad_avg or momentum_buffer.</summary>
    Span<float> State(string key, int tensor);
}

public enum RowKind
{
    Generated,
    NaiveScalar,
    TensorPrimitives,
    MemoryRoof,
    ArithmeticRoof,
}

public static class Rows
{
    public static IStepRow Create(RowKind kind, Config config, Size size) => kind switch
    {
        RowKind.Generated => size == Size.Mlp ? GeneratedMlp(config) : GeneratedFlat(config, size),
        RowKind.NaiveScalar => new NaiveScalarRow(config, size),
        RowKind.TensorPrimitives => new TensorPrimitivesRow(config, size),
        RowKind.MemoryRoof => new MemoryRoofRow(config, size),
        RowKind.ArithmeticRoof => new ArithmeticRoofRow(config, size),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static IStepRow GeneratedFlat(Config config, Size size)
    {
        var model = new FlatModel { W = new float[Workload.Lengths(size)[0]] };
        Optimizer<FlatModel.Gradients> optimizer = config == Config.Plain
            ? new FlatModel.RmsPropOptimizer(model)
            : new FlatModel.CenteredMomentum(model);
        return new GeneratedRow<FlatModel.Gradients>(model, optimizer, new FlatModel.Gradients(model), new FlatModel.Gradients(model));
    }

    private static IStepRow GeneratedMlp(Config config)
    {
        var model = new SmallMlp();
        Optimizer<SmallMlp.Gradients> optimizer = config == Config.Plain
            ? new SmallMlp.RmsPropOptimizer(model)
            : new SmallMlp.CenteredMomentum(model);
        return new GeneratedRow<SmallMlp.Gradients>(model, optimizer, new SmallMlp.Gradients(model), new SmallMlp.Gradients(model));
    }
}

/// <summary>The generated optimizer, called as a user calls it: <c>optimizer.Step(gradients)</c>.</summary>
public sealed class GeneratedRow<TGradients> : IStepRow
    where TGradients : GradientsBase
{
    private readonly ITrainable _model;
    private readonly Optimizer<TGradients> _optimizer;
    private readonly TGradients _a;
    private readonly TGradients _b;
    private long _steps;

    public GeneratedRow(ITrainable model, Optimizer<TGradients> optimizer, TGradients a, TGradients b)
    {
        _model = model;
        _optimizer = optimizer;
        _a = a;
        _b = b;
        for (int k = 0; k < model.ParameterCount; k++)
        {
            Workload.FillParameter(model.GetParameter(k).AsSingleSpan(), k);
            Workload.FillGradient(a.GetMember(k).AsSingleSpan(), k, negate: false);
            Workload.FillGradient(b.GetMember(k).AsSingleSpan(), k, negate: true);
        }
    }

    public int TensorCount => _model.ParameterCount;

    public void Step() => _optimizer.Step((_steps++ & 1) == 0 ? _a : _b);

    public Span<float> Parameter(int tensor) => _model.GetParameter(tensor).AsSingleSpan();

    public Span<float> State(string key, int tensor)
    {
        for (int i = 0; i < _optimizer.StateCount; i++)
        {
            OptimizerState state = _optimizer.GetState(i);
            if (state.ParameterIndex == tensor && state.Key == key)
            {
                return state.Buffer.AsSingleSpan();
            }
        }

        throw new ArgumentException($"No state '{key}' for tensor {tensor}.", nameof(key));
    }
}

/// <summary>The baselines' data: flat float arrays per tensor, as a hand-written optimizer would keep them.</summary>
public abstract class FlatRow : IStepRow
{
    protected readonly float[][] P;
    protected readonly float[][] GradientA;
    protected readonly float[][] GradientB;
    protected readonly float[][] V;
    protected readonly float[][] M;
    protected readonly float[][] B;
    protected readonly bool IsPlain;
    protected readonly float LearningRate = Workload.LearningRate;
    private long _steps;

    protected FlatRow(Config config, Size size)
    {
        IsPlain = config == Config.Plain;
        int[] lengths = Workload.Lengths(size);
        P = Allocate(lengths);
        GradientA = Allocate(lengths);
        GradientB = Allocate(lengths);
        V = Allocate(lengths);
        M = IsPlain ? Array.Empty<float[]>() : Allocate(lengths);
        B = IsPlain ? Array.Empty<float[]>() : Allocate(lengths);
        for (int k = 0; k < lengths.Length; k++)
        {
            Workload.FillParameter(P[k], k);
            Workload.FillGradient(GradientA[k], k, negate: false);
            Workload.FillGradient(GradientB[k], k, negate: true);
        }
    }

    public int TensorCount => P.Length;

    public void Step()
    {
        float[][] g = (_steps++ & 1) == 0 ? GradientA : GradientB;
        if (IsPlain)
        {
            StepPlain(g);
        }
        else
        {
            StepCenteredMomentum(g);
        }
    }

    protected abstract void StepPlain(float[][] g);

    protected abstract void StepCenteredMomentum(float[][] g);

    public Span<float> Parameter(int tensor) => P[tensor];

    public Span<float> State(string key, int tensor) => key switch
    {
        "square_avg" => V[tensor],
        "grad_avg" when !IsPlain => M[tensor],
        "momentum_buffer" when !IsPlain => B[tensor],
        _ => throw new ArgumentException($"No state '{key}'.", nameof(key)),
    };

    private static float[][] Allocate(int[] lengths)
    {
        var arrays = new float[lengths.Length][];
        for (int k = 0; k < lengths.Length; k++)
        {
            arrays[k] = new float[lengths[k]];
        }

        return arrays;
    }
}

public sealed class NaiveScalarRow : FlatRow
{
    public NaiveScalarRow(Config config, Size size) : base(config, size) { }

    protected override void StepPlain(float[][] g)
    {
        for (int k = 0; k < P.Length; k++)
        {
            NaiveScalar.StepPlain(P[k], g[k], V[k], LearningRate);
        }
    }

    protected override void StepCenteredMomentum(float[][] g)
    {
        for (int k = 0; k < P.Length; k++)
        {
            NaiveScalar.StepCenteredMomentum(P[k], g[k], V[k], M[k], B[k], LearningRate);
        }
    }
}

public sealed class TensorPrimitivesRow : FlatRow
{
    private readonly float[] _scratch;

    public TensorPrimitivesRow(Config config, Size size) : base(config, size)
    {
        int longest = 0;
        foreach (float[] p in P)
        {
            longest = Math.Max(longest, p.Length);
        }

        _scratch = new float[longest];
    }

    protected override void StepPlain(float[][] g)
    {
        for (int k = 0; k < P.Length; k++)
        {
            TensorPrimitivesComposition.StepPlain(P[k], g[k], V[k], _scratch, LearningRate);
        }
    }

    protected override void StepCenteredMomentum(float[][] g)
    {
        for (int k = 0; k < P.Length; k++)
        {
            TensorPrimitivesComposition.StepCenteredMomentum(P[k], g[k], V[k], M[k], B[k], _scratch, LearningRate);
        }
    }
}

public sealed class MemoryRoofRow : FlatRow
{
    public MemoryRoofRow(Config config, Size size) : base(config, size) { }

    protected override void StepPlain(float[][] g)
    {
        for (int k = 0; k < P.Length; k++)
        {
            Roofs.MemoryPlain(P[k], g[k], V[k]);
        }
    }

    protected override void StepCenteredMomentum(float[][] g)
    {
        for (int k = 0; k < P.Length; k++)
        {
            Roofs.MemoryCenteredMomentum(P[k], g[k], V[k], M[k], B[k]);
        }
    }
}

public sealed class ArithmeticRoofRow : FlatRow
{
    public ArithmeticRoofRow(Config config, Size size) : base(config, size)
    {
        // The roof never updates v, so it starts where the real update takes it (near g², plus a
        // margin so √v is never 0): square roots and divisions of ordinary, varied numbers.
        for (int k = 0; k < V.Length; k++)
        {
            for (int i = 0; i < V[k].Length; i++)
            {
                V[k][i] = 0.01f + GradientA[k][i] * GradientA[k][i];
            }
        }
    }

    protected override void StepPlain(float[][] g)
    {
        for (int k = 0; k < P.Length; k++)
        {
            Roofs.ArithmeticPlain(P[k], g[k], V[k]);
        }
    }

    protected override void StepCenteredMomentum(float[][] g)
    {
        for (int k = 0; k < P.Length; k++)
        {
            Roofs.ArithmeticCenteredMomentum(P[k], g[k], V[k], M[k], B[k]);
        }
    }
}
