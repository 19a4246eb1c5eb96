extern alias Portable;

using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace Gen.Benchmarks;

/// <summary>The implementations timed; <see cref="StepBenchmarks"/> has a method of each name.</summary>
public enum RowKind
{
    /// <summary><c>optimizer.Step(gradients)</c> as users get it: the default NonFinitePolicy.Throw reads the gradients once more to reject NaN/∞ before writing anything.</summary>
    Generated,

    /// <summary>The same Step with NonFinitePolicy.Ignore: the fused kernel alone, what the roofs bound.</summary>
    GeneratedKernel,

    /// <summary>The Precision.Fast optimizer (docs/PRECISION.md) with NonFinitePolicy.Ignore.</summary>
    FastKernel,

    /// <summary>
    /// <see cref="GeneratedKernel"/> with the System.Numerics.Vector&lt;T&gt; kernels Unity's compilations get
    /// (Gen.Benchmarks.Portable, built with GenKernels=Portable); RMSProp only.
    /// </summary>
    PortableKernel,

    /// <summary>The RMSProp update composed from System.Numerics.Tensors, one call per algebraic step (<see cref="TensorPrimitivesRow"/>).</summary>
    TensorPrimitives,

    /// <summary>The update's loads and stores, adds only: the bandwidth limit, in the kernels' loop shape (<see cref="Roofs"/>).</summary>
    MemoryRoof,

    /// <summary><see cref="MemoryRoof"/> with every load first; the roof is the faster of the two shapes.</summary>
    MemoryRoofLoadsFirst,

    /// <summary>RMSProp's loads and stores, one √ and one ÷ per element: the divider limit, in the kernels' loop shape.</summary>
    ArithmeticRoof,

    /// <summary><see cref="ArithmeticRoof"/> with every load first; the roof is the faster of the two shapes.</summary>
    ArithmeticRoofLoadsFirst,

    /// <summary>Every gradient read once, with the least work per load (<see cref="ReadRoofRow"/>): the floor of NonFinitePolicy.Throw's check.</summary>
    ReadRoof,
}

/// <summary>One implementation of one configuration at one size, with its own data, ready to step.</summary>
/// <remarks>Every row starts from the same parameters and gradients (<see cref="Workload"/>) and alternates gradient A and its negation B, one per step.</remarks>
public interface IStepRow
{
    void Step();
}

/// <summary>A row that updates parameters and state: every row but the read roof.</summary>
public interface IUpdateRow : IStepRow
{
    int TensorCount { get; }

    Span<float> Parameter(int tensor);

    /// <summary>A state buffer by PyTorch's name (<see cref="Workload.StateKeys"/>).</summary>
    Span<float> State(string key, int tensor);
}

/// <summary>A generated optimizer's row, whose arrays other rows run on (<see cref="OnGeneratedArrays"/>).</summary>
public interface IGeneratedRow : IUpdateRow
{
    /// <summary>Gradients A and B, [tensor]; and [tensor][the parameter, then the state buffers named by <paramref name="keys"/>], where they lie.</summary>
    (Array[] A, Array[] B, Array[][] Streams) Arrays(string[] keys);
}

public static class Rows
{
    public static IStepRow Create(RowKind kind, Config config, Size size) => kind switch
    {
        RowKind.Generated => Generated(config, size, fast: false, NonFinitePolicy.Throw),
        RowKind.GeneratedKernel => Generated(config, size, fast: false, NonFinitePolicy.Ignore),
        RowKind.FastKernel => Generated(config, size, fast: true, NonFinitePolicy.Ignore),
        RowKind.PortableKernel => PortableRow(config, size),
        RowKind.TensorPrimitives => new TensorPrimitivesRow(config, size),
        RowKind.MemoryRoof => new RoofRow(config, size, arithmetic: false, RoofShape.Staged),
        RowKind.MemoryRoofLoadsFirst => new RoofRow(config, size, arithmetic: false, RoofShape.LoadsFirst),
        RowKind.ArithmeticRoof => new RoofRow(config, size, arithmetic: true, RoofShape.Staged),
        RowKind.ArithmeticRoofLoadsFirst => new RoofRow(config, size, arithmetic: true, RoofShape.LoadsFirst),
        RowKind.ReadRoof => new ReadRoofRow(size),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>A generated optimizer made as <see cref="RowKind.GeneratedKernel"/>'s row is, for a roof to run on its arrays.</summary>
    public static IGeneratedRow CreateArrays(Config config, Size size) => Generated(config, size, fast: false, NonFinitePolicy.Ignore);

    private static IGeneratedRow PortableRow(Config config, Size size) => size == Size.Mlp
        ? Generated(new Portable::Gen.Benchmarks.SmallMlp(), m => new Portable::Gen.Benchmarks.SmallMlp.Gradients(m), config, fast: false, NonFinitePolicy.Ignore)
        : Generated(new Portable::Gen.Benchmarks.FlatModel { W = new float[Workload.Lengths(size)[0]] }, m => new Portable::Gen.Benchmarks.FlatModel.Gradients(m), config, fast: false, NonFinitePolicy.Ignore);

    private static IGeneratedRow Generated(Config config, Size size, bool fast, NonFinitePolicy policy) => size == Size.Mlp
        ? Generated(new SmallMlp(), m => new SmallMlp.Gradients(m), config, fast, policy)
        : Generated(new FlatModel { W = new float[Workload.Lengths(size)[0]] }, m => new FlatModel.Gradients(m), config, fast, policy);

    private static IGeneratedRow Generated<TModel, TGradients>(TModel model, Func<TModel, TGradients> gradients, Config config, bool fast, NonFinitePolicy policy)
        where TModel : ITrainable
        where TGradients : GradientsBase
    {
        // Models.cs names each optimizer class after its configuration.
        string name = (config, fast) switch
        {
            (Config.Plain, false) => "RmsPropOptimizer",
            (Config.Plain or Config.CenteredMomentum, true) => "Fast" + (config == Config.Plain ? "" : config),
            (Config.Plain or Config.CenteredMomentum or Config.SgdMomentum, false) => config.ToString(),
            (_, false) => config + "Optimizer",
            _ => throw new ArgumentException($"No Precision.Fast optimizer for {config}.", nameof(fast)),
        };
        var optimizer = (Optimizer<TGradients>)Activator.CreateInstance(typeof(TModel).GetNestedType(name)!, model)!;
        optimizer.NonFinitePolicy = policy;
        return new GeneratedRow<TGradients>(model, optimizer, gradients(model), gradients(model));
    }
}

/// <summary>A generated optimizer, called as a user calls it: <c>optimizer.Step(gradients)</c>.</summary>
public sealed class GeneratedRow<TGradients> : IGeneratedRow
    where TGradients : GradientsBase
{
    private readonly ITrainable _model;
    private readonly Optimizer<TGradients> _optimizer;
    private readonly TGradients _a;
    private readonly TGradients _b;
    private long _steps;

    public GeneratedRow(ITrainable model, Optimizer<TGradients> optimizer, TGradients a, TGradients b)
    {
        (_model, _optimizer, _a, _b) = (model, optimizer, a, b);
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

    public Span<float> State(string key, int tensor) => StateBuffer(key, tensor).AsSingleSpan();

    public (Array[] A, Array[] B, Array[][] Streams) Arrays(string[] keys) => (
        Enumerable.Range(0, TensorCount).Select(k => _a.GetMember(k).Array!).ToArray(),
        Enumerable.Range(0, TensorCount).Select(k => _b.GetMember(k).Array!).ToArray(),
        Enumerable.Range(0, TensorCount).Select(k => keys.Select(key => StateBuffer(key, k).Array!).Prepend(_model.GetParameter(k).Array!).ToArray()).ToArray());

    private TensorRef StateBuffer(string key, int tensor) =>
        Enumerable.Range(0, _optimizer.StateCount).Select(_optimizer.GetState).Single(state => state.ParameterIndex == tensor && state.Key == key).Buffer;
}

/// <summary>
/// The read roof: every element of gradient A, then B, loaded once and XORed into four registers (<see cref="Roofs.Read"/>),
/// on gradients made as the generated row makes its own. These are the loads of the default NonFinitePolicy.Throw's check
/// with the least work each, so no check is faster; a checked step must finish that read before its first write, and its
/// update cannot beat the arithmetic roof, so no checked step beats arithmetic roof + read roof.
/// </summary>
public sealed class ReadRoofRow : IStepRow
{
    private readonly Array[] _a;   // the streams, taken once: a step calls nothing else
    private readonly Array[] _b;
    private long _steps;

    public ReadRoofRow(Size size)
    {
        (GradientsBase a, GradientsBase b) = size == Size.Mlp ? Pair(new SmallMlp(), m => new SmallMlp.Gradients(m)) : Pair(new FlatModel { W = new float[Workload.Lengths(size)[0]] }, m => new FlatModel.Gradients(m));
        for (int k = 0; k < a.MemberCount; k++)
        {
            Workload.FillGradient(a.GetMember(k).AsSingleSpan(), k, negate: false);
            Workload.FillGradient(b.GetMember(k).AsSingleSpan(), k, negate: true);
        }

        _a = Enumerable.Range(0, a.MemberCount).Select(k => a.GetMember(k).Array!).ToArray();
        _b = Enumerable.Range(0, b.MemberCount).Select(k => b.GetMember(k).Array!).ToArray();

        static (GradientsBase, GradientsBase) Pair<TModel>(TModel model, Func<TModel, GradientsBase> gradients) => (gradients(model), gradients(model));
    }

    /// <summary>Gradient A's arrays, for a test to change elements of; B is its negation.</summary>
    public Array[] GradientA => _a;

    /// <summary>The XOR of every gradient element's bit pattern in the last step.</summary>
    public int Bits { get; private set; }

    public void Step()
    {
        int bits = 0;
        foreach (Array gradient in (_steps++ & 1) == 0 ? _a : _b)
        {
            bits ^= Roofs.Read(Roofs.Elements(gradient));
        }

        Bits = bits;
    }
}

/// <summary>
/// A row on the arrays of a generated optimizer of the same configuration and size (never stepped): its parameters,
/// state buffers and gradients A and B, so the row's streams lie where the kernel's lie, at the same distances modulo
/// 4 KiB, on which an in-cache loop's speed here depends by up to a third: a row on arrays of its own would compare
/// placements.
/// </summary>
public abstract class OnGeneratedArrays : IUpdateRow
{
    private readonly string[] _keys;
    private readonly Array[] _gradientA;   // [tensor]
    private readonly Array[] _gradientB;
    private long _steps;

    protected OnGeneratedArrays(Config config, Size size)
    {
        _keys = Workload.StateKeys(config);
        (_gradientA, _gradientB, Streams) = Rows.CreateArrays(config, size).Arrays(_keys);
    }

    public int TensorCount => Streams.Length;

    /// <summary>[tensor][p, then the state buffers in the order of <see cref="Workload.StateKeys"/>], built once so that a step allocates nothing.</summary>
    protected Array[][] Streams { get; }

    public abstract void Step();

    public Span<float> Parameter(int tensor) => Roofs.Elements(Streams[tensor][0]);

    public Span<float> State(string key, int tensor) => Roofs.Elements(Streams[tensor][1 + Array.IndexOf(_keys, key)]);

    protected Span<float> GradientA(int tensor) => Roofs.Elements(_gradientA[tensor]);

    /// <summary>Gradient A or B, in turn: [tensor].</summary>
    protected Array[] NextGradient() => (_steps++ & 1) == 0 ? _gradientA : _gradientB;
}

/// <summary>
/// The update a .NET user would compose today from System.Numerics.Tensors' TensorPrimitives: one vectorized call per
/// algebraic step (the composition in the project's research notes on RMSprop, optimizer anchors §6), with a scratch buffer
/// allocated once. Each call is its own pass over memory: 6 passes and 15 streams for plain RMSProp, 10 passes and 27
/// streams for centered + momentum, against 5 and 9 streams for one fused loop. Same math, not the same roundings: Lerp
/// computes v·(1−w) + t·w, and the last step multiplies g/d by −lr where PyTorch and the generated code divide (−lr·g) by d.
/// </summary>
public sealed class TensorPrimitivesRow : OnGeneratedArrays
{
    private readonly float[] _scratch;

    public TensorPrimitivesRow(Config config, Size size) : base(config, size) =>
        _scratch = Workload.IsRmsProp(config) ? new float[Workload.Lengths(size).Max()] : throw new ArgumentException($"{config} is not RMSProp.", nameof(config));

    public override void Step()
    {
        Array[] gradient = NextGradient();
        for (int k = 0; k < Streams.Length; k++)
        {
            Span<float> p = Roofs.Elements(Streams[k][0]), v = Roofs.Elements(Streams[k][1]), t = _scratch.AsSpan(0, p.Length);
            ReadOnlySpan<float> g = Roofs.Elements(gradient[k]);
            float lr = Workload.LearningRate;
            TensorPrimitives.Multiply(g, g, t);                                   // t = g²
            TensorPrimitives.Lerp(v, t, Workload.OneMinusAlpha, v);               // v = α·v + (1−α)·g²
            if (Streams[k].Length == 2)
            {
                TensorPrimitives.Sqrt(v, t);                                      // t = √v
                TensorPrimitives.Add(t, Workload.Epsilon, t);                     // t = √v + ε
                TensorPrimitives.Divide(g, t, t);                                 // t = g / t
                TensorPrimitives.MultiplyAdd(t, -lr, p, p);                       // p = p − lr·t
            }
            else
            {
                Span<float> m = Roofs.Elements(Streams[k][2]), b = Roofs.Elements(Streams[k][3]);
                TensorPrimitives.Lerp(m, g, Workload.OneMinusAlpha, m);           // m = α·m + (1−α)·g
                TensorPrimitives.Multiply(m, m, t);                               // t = m²
                TensorPrimitives.Subtract(v, t, t);                               // t = v − m²
                TensorPrimitives.Sqrt(t, t);                                      // t = √(v − m²)
                TensorPrimitives.Add(t, Workload.Epsilon, t);                     // t = d
                TensorPrimitives.Divide(g, t, t);                                 // t = g / d
                TensorPrimitives.MultiplyAdd(b, Workload.Momentum, t, b);         // b = μ·b + g/d
                TensorPrimitives.MultiplyAdd(b, -lr, p, p);                       // p = p − lr·b
            }
        }
    }
}

/// <summary>A roof (<see cref="Roofs"/>) with the configuration's traffic: the gradient read, the parameter and every state buffer read and written.</summary>
public sealed class RoofRow : OnGeneratedArrays
{
    private readonly bool _arithmetic;
    private readonly RoofShape _shape;
    private readonly Array[][] _run;   // the streams in Roofs.Run's order: p, then (arithmetic) v first
    private readonly int _divisions;

    public RoofRow(Config config, Size size, bool arithmetic, RoofShape shape) : base(config, size)
    {
        string? root = Workload.RootKey(config);
        if (arithmetic && root is null)
        {
            throw new ArgumentException("An arithmetic roof is RMSProp's or Adam's (p ← p + g/√v).", nameof(arithmetic));
        }

        (_arithmetic, _shape, _divisions) = (arithmetic, shape, Workload.Divisions(config));
        _run = Streams.Select(streams => (Array[])streams.Clone()).ToArray();
        for (int k = 0; arithmetic && k < TensorCount; k++)
        {
            // Roofs.Run takes the root of its first state stream: v goes there (Adam's is its second; the order of the
            // others changes nothing, each is loaded and stored back alike).
            int index = 1 + Array.IndexOf(Workload.StateKeys(config), root);
            (_run[k][1], _run[k][index]) = (_run[k][index], _run[k][1]);

            // v is never updated, so it starts where the real update takes it (near g², plus a margin so √v is never
            // 0): square roots and divisions of ordinary, varied numbers.
            Span<float> v = Roofs.Elements(_run[k][1]), g = GradientA(k);
            for (int i = 0; i < v.Length; i++)
            {
                v[i] = 0.01f + g[i] * g[i];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // the roof's whole path, as Roofs.Run
    public override void Step()
    {
        Array[] gradient = NextGradient();
        for (int k = 0; k < gradient.Length; k++)
        {
            Roofs.Run(gradient[k], _run[k], _arithmetic, _shape, _divisions);
        }
    }
}
