using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace Gen.Optimizers.Tests;

/// <summary>
/// The generated RMSProp optimizers against PyTorch's own <c>torch.optim.RMSprop</c>: trajectories
/// recorded by Golden/make_rmsprop_golden.py in Golden/rmsprop.json (initial parameters, every step's
/// gradient and the parameters after every step, for the cases named by the attributes in
/// GoldenModels.cs). PyTorch is never run here. CI runs this class again under restricted
/// instruction sets (DOTNET_EnableHWIntrinsic=0, DOTNET_PreferredVectorBitWidth=512).
/// </summary>
/// <remarks>
/// The results are close, not bit-identical: the PyTorch that made the file (CPU capability AVX2)
/// computes <c>addcmul_</c> and <c>add_(x, alpha=a)</c> with a fused multiply-add, one rounding,
/// and the generated code rounds the product and the sum separately (as RmsPropReference does). An
/// element may therefore differ by an ulp after a step, and the difference is carried through the
/// later steps. Emulating those two ops with an FMA reproduces every recorded parameter bit for bit,
/// so the differences are rounding only, not semantics.
/// Tolerances, per element, with a = ours and b = PyTorch's:
/// float32 <c>|a − b| ≤ 1e-5·|b| + 1e-7</c>; float64 <c>|a − b| ≤ 1e-12·|b| + 1e-15</c>.
/// </remarks>
[Trait("Category", "Numerical")]
public sealed class RmsPropGoldenTests
{
    private static readonly Tolerance SingleTolerance = new(Relative: 1e-5, Absolute: 1e-7);
    private static readonly Tolerance DoubleTolerance = new(Relative: 1e-12, Absolute: 1e-15);

    private readonly ITestOutputHelper _output;

    public RmsPropGoldenTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public static TheoryData<string> CaseNames => new(GoldenFile.Instance.Cases.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void TrajectoryMatchesPyTorch(string name)
    {
        GoldenCase golden = GoldenFile.Instance.Case(name);
        Comparison comparison = golden.Dtype switch
        {
            GoldenCase.Float32 => RunSingle(golden),
            GoldenCase.Float64 => RunDouble(golden),
            _ => throw new InvalidOperationException($"{name}: unknown dtype '{golden.Dtype}'."),
        };

        _output.WriteLine(comparison.Summary());
        Assert.True(comparison.Passed, comparison.Summary());
    }

    [Fact]
    public void EveryCaseHasAnAttributeAndEveryAttributeACase()
    {
        string[] singleCases = GoldenFile.Instance.Cases.Where(c => c.Dtype == GoldenCase.Float32).Select(c => c.Name).Order(StringComparer.Ordinal).ToArray();
        string[] doubleCases = GoldenFile.Instance.Cases.Where(c => c.Dtype == GoldenCase.Float64).Select(c => c.Name).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(singleCases, Optimizers.Names<GoldenSingle>().Order(StringComparer.Ordinal));
        Assert.Equal(doubleCases, Optimizers.Names<GoldenDouble>().Order(StringComparer.Ordinal));
        Assert.Equal(GoldenFile.Instance.Cases.Length, singleCases.Length + doubleCases.Length);
    }

    [Fact]
    public void GoldenFileIsWellFormed()
    {
        GoldenFile file = GoldenFile.Instance;
        Assert.False(string.IsNullOrWhiteSpace(file.TorchVersion), "torch_version is missing.");
        Assert.False(string.IsNullOrWhiteSpace(file.CpuCapability), "cpu_capability is missing.");
        Assert.Equal(file.Cases.Length, file.Cases.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        foreach (GoldenCase golden in file.Cases)
        {
            string name = golden.Name;
            Assert.True(golden.Steps.Length == file.Steps, $"{name}: {golden.Steps.Length} steps, expected {file.Steps}.");
            Assert.Equal(new[] { "A", "B" }, golden.Parameters.Select(p => p.Name));
            Assert.Equal(new[] { 37 }, golden.Parameters[0].Shape);
            Assert.Equal(new[] { 3, 5 }, golden.Parameters[1].Shape);
            int[] lengths = golden.Parameters.Select(p => p.Initial.Length).ToArray();
            Assert.Equal(golden.Parameters.Select(p => p.Shape.Aggregate(1, (a, b) => a * b)), lengths);

            var values = new List<double[]>(golden.Parameters.Select(p => p.Initial));
            foreach (GoldenStep step in golden.Steps)
            {
                Assert.Equal(lengths, step.Gradients.Select(g => g.Length));
                Assert.Equal(lengths, step.Parameters.Select(p => p.Length));
                values.AddRange(step.Gradients);
                values.AddRange(step.Parameters);
            }

            Assert.Equal(golden.Parameters.Length, golden.FinalState.Length);
            GoldenHyperparameters h = golden.Hyperparameters;
            foreach (GoldenState state in golden.FinalState)
            {
                Assert.Equal(file.Steps, state.Step);
                Assert.Equal(h.Centered, state.GradAvg is not null);
                Assert.Equal(h.Momentum > 0, state.MomentumBuffer is not null);
                values.Add(state.SquareAvg);
                values.AddRange(new[] { state.GradAvg, state.MomentumBuffer }.OfType<double[]>());
            }

            // Every number is finite, and a float32 case's numbers are float32 values (so rounding them
            // to float, as the test does, loses nothing).
            foreach (double value in values.SelectMany(v => v))
            {
                Assert.True(double.IsFinite(value), $"{name}: non-finite value {value}.");
                if (golden.Dtype == GoldenCase.Float32)
                {
                    Assert.True((double)(float)value == value, $"{name}: {value:R} is not a float32 value.");
                }
            }

            // Exact zeros, tiny and huge gradients all occur.
            double[] magnitudes = golden.Steps.SelectMany(s => s.Gradients.SelectMany(g => g)).Select(Math.Abs).ToArray();
            Assert.Contains(0.0, magnitudes);
            Assert.Contains(magnitudes, m => m > 0 && m < 1e-3);
            Assert.Contains(magnitudes, m => m > 10);
        }
    }

    /// <summary>
    /// The final optimizer state recorded from PyTorch (kept for a later checkpoint feature) agrees
    /// with the scalar reference run on the recorded gradients. The generated optimizers do not expose
    /// their state, so it is checked against the reference, which RmsPropNumericalTests proves equal to
    /// the generated kernels bit for bit.
    /// </summary>
    [Theory]
    [MemberData(nameof(CaseNames))]
    public void RecordedFinalStateMatchesReference(string name)
    {
        GoldenCase golden = GoldenFile.Instance.Case(name);
        bool single = golden.Dtype == GoldenCase.Float32;
        var config = (RmsPropAttribute)(single ? Optimizers.Configuration<GoldenSingle>(name) : Optimizers.Configuration<GoldenDouble>(name));
        var comparison = new Comparison(name, single ? SingleTolerance : DoubleTolerance);
        for (int member = 0; member < golden.Parameters.Length; member++)
        {
            GoldenTensor tensor = golden.Parameters[member];
            var reference = new RmsPropReference(config, tensor.Initial.Length, single);
            double[] parameters = (double[])tensor.Initial.Clone();
            foreach (GoldenStep step in golden.Steps)
            {
                reference.Step(parameters, step.Gradients[member], config.LearningRate, config.WeightDecay);
            }

            GoldenState state = golden.FinalState[member];
            comparison.Compare("square_avg", golden.Steps.Length, tensor.Name, reference.SquareAvg, state.SquareAvg);
            if (state.GradAvg is not null)
            {
                comparison.Compare("grad_avg", golden.Steps.Length, tensor.Name, reference.GradAvg, state.GradAvg);
            }

            if (state.MomentumBuffer is not null)
            {
                comparison.Compare("momentum_buffer", golden.Steps.Length, tensor.Name, reference.MomentumBuffer, state.MomentumBuffer);
            }
        }

        _output.WriteLine(comparison.Summary());
        Assert.True(comparison.Passed, comparison.Summary());
    }

    private static Comparison RunSingle(GoldenCase golden)
    {
        var config = (RmsPropAttribute)Optimizers.Configuration<GoldenSingle>(golden.Name);
        AssertSameHyperparameters(golden, config);
        var model = new GoldenSingle
        {
            A = ToSingle(golden.Parameters[0].Initial),
            B = ToSingle(golden.Parameters[1].Initial, golden.Parameters[1].Shape),
        };
        var gradients = new GoldenSingle.Gradients(model);
        Optimizer<GoldenSingle.Gradients> optimizer = Optimizers.Create<GoldenSingle, GoldenSingle.Gradients>(golden.Name, model);
        return Run(
            golden,
            optimizer,
            gradients,
            SingleTolerance,
            g =>
            {
                CopyTo(g[0], gradients.A);
                CopyTo(g[1], gradients.B);
            },
            () => new[] { Flatten(model.A), Flatten(model.B) });
    }

    private static Comparison RunDouble(GoldenCase golden)
    {
        var config = (RmsPropAttribute)Optimizers.Configuration<GoldenDouble>(golden.Name);
        AssertSameHyperparameters(golden, config);
        var model = new GoldenDouble
        {
            A = (double[])golden.Parameters[0].Initial.Clone(),
            B = ToDouble(golden.Parameters[1].Initial, golden.Parameters[1].Shape),
        };
        var gradients = new GoldenDouble.Gradients(model);
        Optimizer<GoldenDouble.Gradients> optimizer = Optimizers.Create<GoldenDouble, GoldenDouble.Gradients>(golden.Name, model);
        return Run(
            golden,
            optimizer,
            gradients,
            DoubleTolerance,
            g =>
            {
                CopyTo(g[0], gradients.A);
                CopyTo(g[1], gradients.B);
            },
            () => new[] { (double[])model.A.Clone(), Flatten(model.B) });
    }

    /// <summary>Steps with every recorded gradient and compares every parameter element after every step.</summary>
    private static Comparison Run<TGradients>(
        GoldenCase golden,
        Optimizer<TGradients> optimizer,
        TGradients gradients,
        Tolerance tolerance,
        Action<double[][]> setGradients,
        Func<double[][]> readParameters)
        where TGradients : GradientsBase
    {
        GoldenHyperparameters h = golden.Hyperparameters;
        Assert.Equal(h.Lr, optimizer.LearningRate);
        Assert.Equal(h.WeightDecay, optimizer.WeightDecay);

        var comparison = new Comparison(golden.Name, tolerance);
        for (int step = 0; step < golden.Steps.Length; step++)
        {
            GoldenStep expected = golden.Steps[step];
            setGradients(expected.Gradients);
            optimizer.Step(gradients);
            double[][] actual = readParameters();
            for (int member = 0; member < actual.Length; member++)
            {
                comparison.Compare("parameter", step + 1, golden.Parameters[member].Name, actual[member], expected.Parameters[member]);
            }
        }

        Assert.Equal(golden.Steps.Length, optimizer.StepCount);
        return comparison;
    }

    /// <summary>The model's attribute says what the script gave torch.optim.RMSprop, so the two cannot drift apart.</summary>
    private static void AssertSameHyperparameters(GoldenCase golden, RmsPropAttribute config)
    {
        GoldenHyperparameters h = golden.Hyperparameters;
        Assert.Equal(h.Lr, config.LearningRate);
        Assert.Equal(h.Alpha, config.Rho);
        Assert.Equal(h.Eps, config.Epsilon);
        Assert.Equal(h.Momentum, config.Momentum);
        Assert.Equal(h.Centered, config.Centered);
        Assert.Equal(h.WeightDecay, config.WeightDecay);
        Assert.Equal(h.Maximize, config.Maximize);

        // What PyTorch does and cannot be configured to do otherwise.
        Assert.Equal(EpsilonPlacement.OutsideSqrt, config.EpsilonPlacement);
        Assert.Equal(WeightDecayMode.L2, config.WeightDecayMode);
        Assert.Equal(0.0, config.InitialScale);
    }

    private static float[] ToSingle(double[] values) => Array.ConvertAll(values, v => (float)v);

    private static float[,] ToSingle(double[] values, int[] shape)
    {
        var result = new float[shape[0], shape[1]];
        CopyTo(values, result);
        return result;
    }

    private static double[,] ToDouble(double[] values, int[] shape)
    {
        var result = new double[shape[0], shape[1]];
        CopyTo(values, result);
        return result;
    }

    private static void CopyTo(double[] source, float[] target)
    {
        Assert.Equal(target.Length, source.Length);
        for (int i = 0; i < source.Length; i++)
        {
            target[i] = (float)source[i];
        }
    }

    private static void CopyTo(double[] source, double[] target)
    {
        Assert.Equal(target.Length, source.Length);
        source.CopyTo(target, 0);
    }

    /// <summary>Row-major, as PyTorch's <c>reshape(-1)</c>.</summary>
    private static void CopyTo(double[] source, float[,] target)
    {
        Assert.Equal(target.Length, source.Length);
        int columns = target.GetLength(1);
        for (int i = 0; i < source.Length; i++)
        {
            target[i / columns, i % columns] = (float)source[i];
        }
    }

    /// <summary>Row-major, as PyTorch's <c>reshape(-1)</c>.</summary>
    private static void CopyTo(double[] source, double[,] target)
    {
        Assert.Equal(target.Length, source.Length);
        int columns = target.GetLength(1);
        for (int i = 0; i < source.Length; i++)
        {
            target[i / columns, i % columns] = source[i];
        }
    }

    private static double[] Flatten(float[] values) => Array.ConvertAll(values, v => (double)v);

    private static double[] Flatten(float[,] values)
    {
        var result = new double[values.Length];
        int columns = values.GetLength(1);
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = values[i / columns, i % columns];
        }

        return result;
    }

    private static double[] Flatten(double[,] values)
    {
        var result = new double[values.Length];
        int columns = values.GetLength(1);
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = values[i / columns, i % columns];
        }

        return result;
    }

    /// <summary>A per-element bound <c>|a − b| ≤ Relative·|b| + Absolute</c>, b being PyTorch's value.</summary>
    private readonly record struct Tolerance(double Relative, double Absolute)
    {
        public double Bound(double expected) => (Relative * Math.Abs(expected)) + Absolute;
    }

    /// <summary>Worst element-wise differences over a case, and where they occurred.</summary>
    private sealed class Comparison
    {
        private readonly string _case;
        private readonly Tolerance _tolerance;
        private int _elements;
        private int _identical;
        private int _failures;
        private double _worstRatio = -1;
        private string _worstRatioAt = "nowhere";
        private double _worstAbsolute;
        private double _worstRelative;

        public Comparison(string name, Tolerance tolerance)
        {
            _case = name;
            _tolerance = tolerance;
        }

        public bool Passed => _failures == 0 && _elements > 0;

        public void Compare(string what, int step, string member, double[] actual, double[] expected)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                double a = actual[i], b = expected[i];
                double error = Math.Abs(a - b);
                double ratio = error / _tolerance.Bound(b);
                _elements++;
                if (a.Equals(b))
                {
                    _identical++;
                }

                // NaN compares false, so a NaN anywhere is a failure.
                if (!(ratio <= 1))
                {
                    _failures++;
                }

                if (!(ratio <= _worstRatio))
                {
                    _worstRatio = double.IsNaN(ratio) ? double.PositiveInfinity : ratio;
                    _worstRatioAt = string.Create(CultureInfo.InvariantCulture, $"{what} {member}[{i}] after step {step}: ours {a:R}, PyTorch {b:R}, |a − b| = {error:E3}");
                }

                _worstAbsolute = Math.Max(_worstAbsolute, error);
                if (b != 0)
                {
                    _worstRelative = Math.Max(_worstRelative, error / Math.Abs(b));
                }
            }
        }

        public string Summary() => string.Create(
            CultureInfo.InvariantCulture,
            $"{_case}: {_failures} of {_elements} elements outside |a − b| ≤ {_tolerance.Relative:G3}·|b| + {_tolerance.Absolute:G3}; " +
            $"{_identical} bit-identical; worst |a − b| {_worstAbsolute:E3}, worst |a − b|/|b| {_worstRelative:E3}; " +
            $"closest to the bound ({_worstRatio:F4} of it): {_worstRatioAt}.");
    }
}

/// <summary>Golden/rmsprop.json, as written by Golden/make_rmsprop_golden.py.</summary>
internal sealed class GoldenFile
{
    private static readonly Lazy<GoldenFile> Loaded = new(Load);

    public static GoldenFile Instance => Loaded.Value;

    public string Description { get; init; } = string.Empty;

    public string TorchVersion { get; init; } = string.Empty;

    /// <summary>The instruction set PyTorch's CPU kernels used; the last bits of the results depend on it.</summary>
    public string CpuCapability { get; init; } = string.Empty;

    public int Steps { get; init; }

    public GoldenCase[] Cases { get; init; } = Array.Empty<GoldenCase>();

    public GoldenCase Case(string name) =>
        Cases.SingleOrDefault(c => c.Name == name) ?? throw new InvalidOperationException($"No case '{name}' in Golden/rmsprop.json.");

    private static GoldenFile Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", "rmsprop.json");
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        };
        return JsonSerializer.Deserialize<GoldenFile>(File.ReadAllText(path), options)
            ?? throw new InvalidDataException($"{path} is empty.");
    }
}

/// <summary>One golden case: a configuration, its initial parameters, 30 steps and the final state.</summary>
internal sealed class GoldenCase
{
    public const string Float32 = "float32";
    public const string Float64 = "float64";

    public string Name { get; init; } = string.Empty;

    public string Dtype { get; init; } = string.Empty;

    public int Seed { get; init; }

    public GoldenHyperparameters Hyperparameters { get; init; } = new();

    public GoldenTensor[] Parameters { get; init; } = Array.Empty<GoldenTensor>();

    public GoldenStep[] Steps { get; init; } = Array.Empty<GoldenStep>();

    public GoldenState[] FinalState { get; init; } = Array.Empty<GoldenState>();
}

/// <summary>The keyword arguments given to <c>torch.optim.RMSprop</c>.</summary>
internal sealed class GoldenHyperparameters
{
    public double Lr { get; init; }

    public double Alpha { get; init; }

    public double Eps { get; init; }

    public double Momentum { get; init; }

    public bool Centered { get; init; }

    public double WeightDecay { get; init; }

    public bool Maximize { get; init; }
}

/// <summary>A parameter tensor: its name (the model member), shape and initial values, row-major.</summary>
internal sealed class GoldenTensor
{
    public string Name { get; init; } = string.Empty;

    public int[] Shape { get; init; } = Array.Empty<int>();

    public double[] Initial { get; init; } = Array.Empty<double>();
}

/// <summary>One step: the gradient given to every parameter, and every parameter after <c>opt.step()</c>.</summary>
internal sealed class GoldenStep
{
    public double[][] Gradients { get; init; } = Array.Empty<double[]>();

    public double[][] Parameters { get; init; } = Array.Empty<double[]>();
}

/// <summary>PyTorch's <c>opt.state[p]</c> after the last step; the optional buffers exist only when enabled.</summary>
internal sealed class GoldenState
{
    public int Step { get; init; }

    public double[] SquareAvg { get; init; } = Array.Empty<double>();

    public double[]? GradAvg { get; init; }

    public double[]? MomentumBuffer { get; init; }
}
