using System;
using Gen.Benchmarks.Baselines;

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

    /// <summary>A state buffer by PyTorch's name (<see cref="Workload.StateKeys"/>).</summary>
    Span<float> State(string key, int tensor);
}

/// <summary>The implementations timed. A benchmark method of <see cref="StepBenchmarks"/> has each name.</summary>
public enum RowKind
{
    /// <summary><c>optimizer.Step(gradients)</c> as users get it: the default NonFinitePolicy.Throw reads the gradients once more to reject NaN/∞.</summary>
    Generated,

    /// <summary>The same Step with NonFinitePolicy.Ignore: the fused kernel alone, what the roofs bound.</summary>
    GeneratedKernel,

    /// <summary>The Precision.Fast optimizer's Step with NonFinitePolicy.Ignore.</summary>
    FastKernel,

    /// <summary>A plain <c>for</c> loop with MathF.Sqrt (RMSProp).</summary>
    NaiveScalar,

    /// <summary>One TensorPrimitives call per algebraic step (RMSProp).</summary>
    TensorPrimitives,

    /// <summary>The update's loads and stores, adds only: the bandwidth limit. In the generated kernels' order (<see cref="RoofShape.Staged"/>).</summary>
    MemoryRoof,

    /// <summary>The update's loads and stores, one √ and one ÷ per element: the divider limit (RMSProp). <see cref="RoofShape.Staged"/>.</summary>
    ArithmeticRoof,

    /// <summary><see cref="MemoryRoof"/> with every load first (<see cref="RoofShape.LoadsFirst"/>): the roof is the faster of the two.</summary>
    MemoryRoofLoadsFirst,

    /// <summary><see cref="ArithmeticRoof"/> with every load first (<see cref="RoofShape.LoadsFirst"/>): the roof is the faster of the two.</summary>
    ArithmeticRoofLoadsFirst,

    /// <summary>The non-finite check of NonFinitePolicy.Throw alone (<see cref="NonFiniteCheckRow"/>).</summary>
    NonFiniteCheck,

    /// <summary>The check's loads with the least work per load: every gradient element XORed in (<see cref="ReadRoofRow"/>).</summary>
    ReadRoof,

    /// <summary><see cref="Generated"/> with MaxDegreeOfParallelism = 2.</summary>
    ParallelGenerated,

    /// <summary><see cref="GeneratedKernel"/> with MaxDegreeOfParallelism = 2.</summary>
    ParallelKernel,

    /// <summary><see cref="MemoryRoof"/> split in two halves on 2 threads (<see cref="RoofWorkers"/>).</summary>
    ParallelMemoryRoof,
}

public static class Rows
{
    public static IStepRow Create(RowKind kind, Config config, Size size) => kind switch
    {
        RowKind.Generated => Generated(config, size, fast: false, NonFinitePolicy.Throw, degree: 1),
        RowKind.GeneratedKernel => Generated(config, size, fast: false, NonFinitePolicy.Ignore, degree: 1),
        RowKind.FastKernel => Generated(config, size, fast: true, NonFinitePolicy.Ignore, degree: 1),
        RowKind.ParallelGenerated => Generated(config, size, fast: false, NonFinitePolicy.Throw, Workload.ParallelDegree),
        RowKind.ParallelKernel => Generated(config, size, fast: false, NonFinitePolicy.Ignore, Workload.ParallelDegree),
        RowKind.NaiveScalar => new NaiveScalarRow(config, size),
        RowKind.TensorPrimitives => new TensorPrimitivesRow(config, size),
        RowKind.MemoryRoof => new RoofRow(config, size, arithmetic: false, RoofShape.Staged, threads: 1),
        RowKind.MemoryRoofLoadsFirst => new RoofRow(config, size, arithmetic: false, RoofShape.LoadsFirst, threads: 1),
        RowKind.ParallelMemoryRoof => new RoofRow(config, size, arithmetic: false, RoofShape.Staged, Workload.ParallelDegree),
        RowKind.ArithmeticRoof => new RoofRow(config, size, arithmetic: true, RoofShape.Staged, threads: 1),
        RowKind.ArithmeticRoofLoadsFirst => new RoofRow(config, size, arithmetic: true, RoofShape.LoadsFirst, threads: 1),
        RowKind.NonFiniteCheck => NonFiniteCheckRow.Create(size),
        RowKind.ReadRoof => new ReadRoofRow(size),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// A generated optimizer of the configuration and size with its model and gradients A and B, made
    /// as <see cref="RowKind.GeneratedKernel"/>'s row is, for a roof to run on its arrays.
    /// </summary>
    public static IGeneratedArrays CreateArrays(Config config, Size size) =>
        (IGeneratedArrays)Generated(config, size, fast: false, NonFinitePolicy.Ignore, degree: 1);

    private static IStepRow Generated(Config config, Size size, bool fast, NonFinitePolicy policy, int degree)
    {
        if (size == Size.Mlp)
        {
            var mlp = new SmallMlp();
            Optimizer<SmallMlp.Gradients> mlpOptimizer = (config, fast) switch
            {
                (Config.Plain, false) => new SmallMlp.RmsPropOptimizer(mlp),
                (Config.CenteredMomentum, false) => new SmallMlp.CenteredMomentum(mlp),
                (Config.Plain, true) => new SmallMlp.Fast(mlp),
                (Config.CenteredMomentum, true) => new SmallMlp.FastCenteredMomentum(mlp),
                (Config.SgdMomentum, false) => new SmallMlp.SgdMomentum(mlp),
                (Config.Adagrad, false) => new SmallMlp.AdagradOptimizer(mlp),
                (Config.Adam, false) => new SmallMlp.AdamOptimizer(mlp),
                (Config.AdamW, false) => new SmallMlp.AdamWOptimizer(mlp),
                (Config.Adadelta, false) => new SmallMlp.AdadeltaOptimizer(mlp),
                (Config.Lion, false) => new SmallMlp.LionOptimizer(mlp),
                _ => throw new ArgumentException($"No Precision.Fast optimizer for {config}.", nameof(fast)),
            };
            Configure(mlpOptimizer, size, policy, degree);
            return new GeneratedRow<SmallMlp.Gradients>(mlp, mlpOptimizer, new SmallMlp.Gradients(mlp), new SmallMlp.Gradients(mlp));
        }

        var model = new FlatModel { W = new float[Workload.Lengths(size)[0]] };
        Optimizer<FlatModel.Gradients> optimizer = (config, fast) switch
        {
            (Config.Plain, false) => new FlatModel.RmsPropOptimizer(model),
            (Config.CenteredMomentum, false) => new FlatModel.CenteredMomentum(model),
            (Config.Plain, true) => new FlatModel.Fast(model),
            (Config.CenteredMomentum, true) => new FlatModel.FastCenteredMomentum(model),
            (Config.SgdMomentum, false) => new FlatModel.SgdMomentum(model),
            (Config.Adagrad, false) => new FlatModel.AdagradOptimizer(model),
            (Config.Adam, false) => new FlatModel.AdamOptimizer(model),
            (Config.AdamW, false) => new FlatModel.AdamWOptimizer(model),
            (Config.Adadelta, false) => new FlatModel.AdadeltaOptimizer(model),
            (Config.Lion, false) => new FlatModel.LionOptimizer(model),
            _ => throw new ArgumentException($"No Precision.Fast optimizer for {config}.", nameof(fast)),
        };
        Configure(optimizer, size, policy, degree);
        return new GeneratedRow<FlatModel.Gradients>(model, optimizer, new FlatModel.Gradients(model), new FlatModel.Gradients(model));
    }

    private static void Configure<TGradients>(Optimizer<TGradients> optimizer, Size size, NonFinitePolicy policy, int degree)
        where TGradients : GradientsBase
    {
        optimizer.NonFinitePolicy = policy;
        if (degree == 1)
        {
            return;
        }

        // The 2-thread roof splits at the same threshold; it must be the optimizer's real default.
        if (optimizer.ParallelThreshold != Workload.DefaultParallelThreshold)
        {
            throw new InvalidOperationException($"Optimizer.ParallelThreshold's default is {optimizer.ParallelThreshold}, not Workload.DefaultParallelThreshold.");
        }

        optimizer.MaxDegreeOfParallelism = degree;
        int threshold = Workload.ParallelThreshold(size);
        if (threshold != optimizer.ParallelThreshold)
        {
            optimizer.ParallelThreshold = threshold;   // the dry run's 64K only
        }
    }
}

/// <summary>The arrays of a generated row, where they lie: the streams a roof runs on (<see cref="RoofRow"/>).</summary>
public interface IGeneratedArrays
{
    int TensorCount { get; }

    Array ParameterArray(int tensor);

    /// <summary>A state buffer by PyTorch's name (<see cref="Workload.StateKeys"/>).</summary>
    Array StateArray(string key, int tensor);

    Array GradientArray(bool gradientB, int tensor);
}

/// <summary>A generated optimizer, called as a user calls it: <c>optimizer.Step(gradients)</c>.</summary>
public sealed class GeneratedRow<TGradients> : IStepRow, IGeneratedArrays
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

    public Span<float> State(string key, int tensor) => FindState(key, tensor).AsSingleSpan();

    public Array ParameterArray(int tensor) => _model.GetParameter(tensor).Array!;

    public Array StateArray(string key, int tensor) => FindState(key, tensor).Array!;

    public Array GradientArray(bool gradientB, int tensor) => (gradientB ? _b : _a).GetMember(tensor).Array!;

    private TensorRef FindState(string key, int tensor)
    {
        for (int i = 0; i < _optimizer.StateCount; i++)
        {
            OptimizerState state = _optimizer.GetState(i);
            if (state.ParameterIndex == tensor && state.Key == key)
            {
                return state.Buffer;
            }
        }

        throw new ArgumentException($"No state '{key}' for tensor {tensor}.", nameof(key));
    }
}

/// <summary>
/// The check that the default NonFinitePolicy.Throw makes before a step writes anything, alone: the
/// generated Gradients' <c>TryFindNonFinite</c>, as <c>Step</c> calls it on one thread, on gradient A,
/// then B. A checked step must finish this read of every gradient before its first write, and its
/// update cannot beat the arithmetic roof; how fast such a read can be at all is <see cref="ReadRoofRow"/>.
/// </summary>
/// <remarks>
/// It updates nothing, so <see cref="Verification"/> checks it another way: NaN, +∞ and −∞ planted at
/// the first, middle and last element of every member of gradient A, one at a time, must each be found
/// at that member and index.
/// </remarks>
public sealed class NonFiniteCheckRow : IStepRow
{
    private readonly GradientsBase _a;
    private readonly GradientsBase _b;
    private long _steps;

    private NonFiniteCheckRow(GradientsBase a, GradientsBase b)
    {
        _a = a;
        _b = b;
    }

    public static NonFiniteCheckRow Create(Size size)
    {
        (GradientsBase a, GradientsBase b) = CreateGradients(size);
        return new NonFiniteCheckRow(a, b);
    }

    /// <summary>Gradients A and B of the size's model, filled, made as the generated row makes its own.</summary>
    public static (GradientsBase A, GradientsBase B) CreateGradients(Size size)
    {
        GradientsBase a, b;
        if (size == Size.Mlp)
        {
            var mlp = new SmallMlp();
            (a, b) = (new SmallMlp.Gradients(mlp), new SmallMlp.Gradients(mlp));
        }
        else
        {
            var model = new FlatModel { W = new float[Workload.Lengths(size)[0]] };
            (a, b) = (new FlatModel.Gradients(model), new FlatModel.Gradients(model));
        }

        for (int k = 0; k < a.MemberCount; k++)
        {
            Workload.FillGradient(a.GetMember(k).AsSingleSpan(), k, negate: false);
            Workload.FillGradient(b.GetMember(k).AsSingleSpan(), k, negate: true);
        }

        return (a, b);
    }

    public int TensorCount => _a.MemberCount;

    public void Step()
    {
        if (((_steps++ & 1) == 0 ? _a : _b).TryFindNonFinite(out string? member, out int index))
        {
            throw new InvalidOperationException($"The workload's gradient {member}[{index}] is not finite.");
        }
    }

    public Span<float> Parameter(int tensor) => throw new NotSupportedException("The non-finite check updates no parameter.");

    public Span<float> State(string key, int tensor) => throw new NotSupportedException("The non-finite check has no state.");

    /// <summary>Gradient A, for <see cref="Verification"/> to plant non-finite values in.</summary>
    public GradientsBase GradientA => _a;
}

/// <summary>
/// The read roof: every element of gradient A, then B, loaded once and XORed into four registers, one
/// result per step (<see cref="Roofs.Read"/>). These are the loads of the non-finite check with the least
/// work each, so no check can be faster: check alone ÷ read roof says how close the check is to the
/// bandwidth it needs, and a checked step, which must finish that read before its first write, can be
/// no faster than the read roof plus the arithmetic roof.
/// </summary>
public sealed class ReadRoofRow : IStepRow
{
    private readonly Array[] _a;
    private readonly Array[] _b;
    private long _steps;

    /// <summary>On gradients made as <see cref="NonFiniteCheckRow"/> makes its own, so that both read streams that lie alike.</summary>
    public ReadRoofRow(Size size)
    {
        (GradientsBase a, GradientsBase b) = NonFiniteCheckRow.CreateGradients(size);
        _a = new Array[a.MemberCount];
        _b = new Array[b.MemberCount];
        for (int k = 0; k < _a.Length; k++)
        {
            _a[k] = a.GetMember(k).Array!;
            _b[k] = b.GetMember(k).Array!;
        }
    }

    /// <summary>The XOR of every gradient element's bit pattern in the last step.</summary>
    public int Bits { get; private set; }

    /// <summary>Gradient A's arrays, for <see cref="Verification"/> to change elements of.</summary>
    public Array[] GradientA => _a;

    public int TensorCount => _a.Length;

    public void Step()
    {
        int bits = 0;
        foreach (Array gradient in (_steps++ & 1) == 0 ? _a : _b)
        {
            bits ^= Roofs.Read(Roofs.Elements(gradient));
        }

        Bits = bits;
    }

    public Span<float> Parameter(int tensor) => throw new NotSupportedException("The read roof updates no parameter.");

    public Span<float> State(string key, int tensor) => throw new NotSupportedException("The read roof has no state.");
}

/// <summary>
/// The baselines' data: flat float arrays per tensor, as a hand-written optimizer would keep them: the
/// parameters, gradients A and B, and one array per state buffer of the configuration, zeroed.
/// </summary>
public abstract class FlatRow : IStepRow
{
    protected readonly Config Config;
    protected readonly float[][] P;
    protected readonly float[][] GradientA;
    protected readonly float[][] GradientB;

    /// <summary>State buffers, [buffer][tensor], in the order of <see cref="Workload.StateKeys"/>.</summary>
    protected readonly float[][][] States;
    protected readonly float LearningRate = Workload.LearningRate;
    private readonly string[] _keys;
    private long _steps;

    protected FlatRow(Config config, Size size)
    {
        Config = config;
        _keys = Workload.StateKeys(config);
        int[] lengths = Workload.Lengths(size);

        // In the order the generated optimizer's arrays come to be: the model's parameters, then each
        // tensor's state buffers together (its constructor), then gradients A and B. Arrays made one
        // after another lie next to each other in the heap, so the baselines' streams then lie at about
        // the distances modulo 4 KiB of the generated row's (the roofs run on a generated row's arrays
        // themselves: RoofRow).
        P = Allocate(lengths);
        States = new float[_keys.Length][][];
        for (int s = 0; s < _keys.Length; s++)
        {
            States[s] = new float[lengths.Length][];
        }

        for (int k = 0; k < lengths.Length; k++)
        {
            for (int s = 0; s < _keys.Length; s++)
            {
                States[s][k] = new float[lengths[k]];
            }
        }

        GradientA = Allocate(lengths);
        GradientB = Allocate(lengths);

        for (int k = 0; k < lengths.Length; k++)
        {
            Workload.FillParameter(P[k], k);
            Workload.FillGradient(GradientA[k], k, negate: false);
            Workload.FillGradient(GradientB[k], k, negate: true);
        }
    }

    public int TensorCount => P.Length;

    public void Step() => Step(gradientB: (_steps++ & 1) != 0);

    /// <summary>One step with gradient A or B.</summary>
    protected abstract void Step(bool gradientB);

    public Span<float> Parameter(int tensor) => P[tensor];

    public Span<float> State(string key, int tensor)
    {
        int s = Array.IndexOf(_keys, key);
        return s >= 0 ? States[s][tensor] : throw new ArgumentException($"No state '{key}'.", nameof(key));
    }

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

/// <summary>The RMSProp baselines' common part: square_avg, and grad_avg and momentum_buffer when centered + momentum.</summary>
public abstract class RmsPropRow : FlatRow
{
    protected RmsPropRow(Config config, Size size) : base(config, size)
    {
        if (!Workload.IsRmsProp(config))
        {
            throw new ArgumentException($"{GetType().Name} is an RMSProp baseline; {config} is not RMSProp.", nameof(config));
        }
    }

    protected bool IsPlain => Config == Config.Plain;

    protected float[][] V => States[0];

    protected float[][] M => States[1];

    protected float[][] B => States[2];
}

public sealed class NaiveScalarRow : RmsPropRow
{
    public NaiveScalarRow(Config config, Size size) : base(config, size) { }

    protected override void Step(bool gradientB)
    {
        float[][] g = gradientB ? GradientB : GradientA;
        for (int k = 0; k < P.Length; k++)
        {
            if (IsPlain)
            {
                NaiveScalar.StepPlain(P[k], g[k], V[k], LearningRate);
            }
            else
            {
                NaiveScalar.StepCenteredMomentum(P[k], g[k], V[k], M[k], B[k], LearningRate);
            }
        }
    }
}

public sealed class TensorPrimitivesRow : RmsPropRow
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

    protected override void Step(bool gradientB)
    {
        float[][] g = gradientB ? GradientB : GradientA;
        for (int k = 0; k < P.Length; k++)
        {
            if (IsPlain)
            {
                TensorPrimitivesComposition.StepPlain(P[k], g[k], V[k], _scratch, LearningRate);
            }
            else
            {
                TensorPrimitivesComposition.StepCenteredMomentum(P[k], g[k], V[k], M[k], B[k], _scratch, LearningRate);
            }
        }
    }
}

/// <summary>
/// A roof (<see cref="Roofs"/>) with the configuration's traffic: the gradient read, the parameter and
/// every state buffer read and written. On more than one thread, each tensor of at least
/// <see cref="Workload.ParallelThreshold"/> elements is cut as the generated Step cuts it (<see cref="RoofWorkers"/>).
/// </summary>
/// <remarks>
/// It runs on the arrays of a generated optimizer of the same configuration and size (never stepped),
/// made as the generated row makes its own: the model's parameters, the optimizer's state buffers, two
/// gradient containers. So the roof's streams lie where the generated kernel's lie, at the same
/// distances modulo 4 KiB and the same alignment to a cache line, on which an in-cache loop's speed here
/// depends by up to a third (benchmarks/README.md): a roof on arrays of its own would compare placements.
/// </remarks>
public sealed class RoofRow : IStepRow, IRangeStep
{
    private readonly IGeneratedArrays _arrays;
    private readonly string[] _keys;
    private readonly bool _arithmetic;
    private readonly int _threads;
    private readonly int _threshold;
    private readonly RoofShape _shape;

    // Stream lists per tensor, built once so that a step allocates nothing: [tensor] → streams.
    private readonly Array[][] _readOnlyA;
    private readonly Array[][] _readOnlyB;
    private readonly Array[][] _readWrite;
    private Array[][] _readOnly;
    private long _steps;

    public RoofRow(Config config, Size size, bool arithmetic, RoofShape shape, int threads)
    {
        _keys = Workload.StateKeys(config);
        Traffic traffic = Workload.TrafficOf(config);
        if (traffic.ReadOnly != 1 || traffic.ReadWrite != 1 + _keys.Length)
        {
            throw new InvalidOperationException($"{config}: the roof's streams do not match its traffic {traffic}.");
        }

        if (arithmetic && !Workload.IsRmsProp(config))
        {
            throw new ArgumentException("The arithmetic roof is RMSProp's (p ← p + g/√v).", nameof(arithmetic));
        }

        _arrays = Rows.CreateArrays(config, size);
        _arithmetic = arithmetic;
        _shape = shape;
        _threads = threads;
        _threshold = Workload.ParallelThreshold(size);
        int tensors = _arrays.TensorCount;
        _readOnlyA = new Array[tensors][];
        _readOnlyB = new Array[tensors][];
        _readWrite = new Array[tensors][];
        for (int k = 0; k < tensors; k++)
        {
            _readOnlyA[k] = new[] { _arrays.GradientArray(gradientB: false, k) };
            _readOnlyB[k] = new[] { _arrays.GradientArray(gradientB: true, k) };
            _readWrite[k] = new Array[1 + _keys.Length];
            _readWrite[k][0] = _arrays.ParameterArray(k);
            for (int s = 0; s < _keys.Length; s++)
            {
                _readWrite[k][1 + s] = _arrays.StateArray(_keys[s], k);
            }
        }

        _readOnly = _readOnlyA;
        if (arithmetic)
        {
            // The arithmetic roof never updates v, so it starts where the real update takes it (near
            // g², plus a margin so √v is never 0): square roots and divisions of ordinary, varied numbers.
            for (int k = 0; k < tensors; k++)
            {
                Span<float> v = Roofs.Elements(_readWrite[k][1]);
                Span<float> g = Roofs.Elements(_readOnlyA[k][0]);
                for (int i = 0; i < v.Length; i++)
                {
                    v[i] = 0.01f + g[i] * g[i];
                }
            }
        }
    }

    public int TensorCount => _readWrite.Length;

    public void Step()
    {
        _readOnly = (_steps++ & 1) != 0 ? _readOnlyB : _readOnlyA;
        for (int k = 0; k < _readWrite.Length; k++)
        {
            int length = _readWrite[k][0].Length;
            if (_threads > 1 && length >= _threshold)
            {
                RoofWorkers.Run(this, k, length, _threads);
            }
            else
            {
                Run(k, 0, length);
            }
        }
    }

    public Span<float> Parameter(int tensor) => Roofs.Elements(_readWrite[tensor][0]);

    public Span<float> State(string key, int tensor)
    {
        int s = Array.IndexOf(_keys, key);
        return s >= 0 ? Roofs.Elements(_readWrite[tensor][1 + s]) : throw new ArgumentException($"No state '{key}'.", nameof(key));
    }

    public void Run(int tensor, int start, int count)
    {
        if (_arithmetic)
        {
            Roofs.Arithmetic(_readOnly[tensor], _readWrite[tensor], start, count, _shape);
        }
        else
        {
            Roofs.Memory(_readOnly[tensor], _readWrite[tensor], start, count, _shape);
        }
    }
}
