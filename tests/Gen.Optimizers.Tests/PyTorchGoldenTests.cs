using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>
/// Every generated optimizer kind that torch.optim has, against PyTorch's own implementation:
/// trajectories recorded by Golden/make_golden.py in Golden/&lt;kind&gt;.json (initial parameters, every
/// step's gradient, the parameters after every step and the final <c>opt.state</c>), for the cases
/// named by the attributes in GoldenModels.cs. PyTorch is never run here. CI runs this class again under
/// every SIMD setting (.ci/run: DOTNET_PreferredVectorBitWidth=512 and 256, DOTNET_EnableAVX2=0,
/// DOTNET_EnableHWIntrinsic=0).
/// </summary>
/// <remarks>
/// The results are close, not bit-identical: the PyTorch that made the files (CPU capability AVX2)
/// computes <c>addcmul_</c> and <c>add_(x, alpha=a)</c> with a fused multiply-add, one rounding,
/// and the generated code rounds the product and the sum separately. An element may therefore differ
/// by an ulp after a step, and the difference is carried through the later steps. Emulating
/// PyTorch's ops in IEEE arithmetic with those two fused reproduces every recorded value (parameters
/// and state, every case of every kind) bit for bit, and the same emulation unfused reproduces every
/// value the generated optimizers compute: the differences are rounding, not semantics. Values made
/// by cancellation come closest to the bound (SGD's momentum buffer with dampening: a decaying sum of
/// gradients up to ~30 that ends near 0.007, at 0.91 of it).
/// Tolerances, per element, with a = ours and b = PyTorch's, for parameters and state alike:
/// float32 <c>|a − b| ≤ 1e-5·|b| + 1e-7</c>; float64 <c>|a − b| ≤ 1e-12·|b| + 1e-15</c>.
/// </remarks>
[Trait("Category", "Numerical")]
public sealed class PyTorchGoldenTests
{
    private static readonly Tolerance SingleTolerance = new(Relative: 1e-5, Absolute: 1e-7);
    private static readonly Tolerance DoubleTolerance = new(Relative: 1e-12, Absolute: 1e-15);

    private readonly ITestOutputHelper _output;

    public PyTorchGoldenTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public static TheoryData<string> Kinds => new(GoldenKind.All.Select(k => k.File));

    /// <summary>Every case of every kind, as (kind, case name).</summary>
    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (GoldenKind kind in GoldenKind.All)
            {
                foreach (GoldenCase golden in kind.Data.Cases)
                {
                    data.Add(kind.File, golden.Name);
                }
            }

            return data;
        }
    }

    /// <summary>
    /// Steps the generated optimizer with every recorded gradient and compares every parameter element
    /// after every step, then every state buffer after the last step with PyTorch's <c>opt.state</c>:
    /// matched by parameter index and state_dict key, each side's buffers all present on the other.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void TrajectoryAndFinalStateMatchPyTorch(string kind, string name)
    {
        GoldenKind goldenKind = GoldenKind.Named(kind);
        GoldenCase golden = goldenKind.Data.Case(name);
        CaseResult result = golden.Dtype switch
        {
            GoldenCase.Float32 => Run(goldenKind, golden, SingleTolerance, new GoldenSingle(), model => new GoldenSingle.Gradients(model)),
            GoldenCase.Float64 => Run(goldenKind, golden, DoubleTolerance, new GoldenDouble(), model => new GoldenDouble.Gradients(model)),
            _ => throw new InvalidOperationException($"{name}: unknown dtype '{golden.Dtype}'."),
        };

        _output.WriteLine(result.Parameters.Summary());
        _output.WriteLine(result.State.Summary());
        Assert.True(result.Parameters.Passed, result.Parameters.Summary());
        Assert.True(result.State.Passed, result.State.Summary());
    }

    /// <summary>
    /// The model's attribute says what the script gave the torch.optim class, keyword by keyword, and
    /// every property of the attribute is either such a keyword or fixed at what PyTorch does: the model
    /// and the golden file cannot drift apart.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void HyperparametersAreTheAttributes(string kind, string name)
    {
        GoldenKind goldenKind = GoldenKind.Named(kind);
        GoldenCase golden = goldenKind.Data.Case(name);
        Attribute attribute = Optimizers.Attributes(ModelOf(golden), goldenKind.Attribute)[name];

        Assert.Equal(goldenKind.Keywords.Select(k => k.Keyword).Order(StringComparer.Ordinal), golden.Hyperparameters.Keys.Order(StringComparer.Ordinal));
        foreach ((string keyword, string[] properties) in goldenKind.Keywords)
        {
            JsonElement value = golden.Hyperparameters[keyword];
            JsonElement[] values = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToArray() : new[] { value };
            Assert.True(values.Length == properties.Length, $"{name}: {keyword} has {values.Length} values for {properties.Length} properties.");
            for (int i = 0; i < values.Length; i++)
            {
                object? actual = goldenKind.Attribute.GetProperty(properties[i])!.GetValue(attribute);
                object expected = values[i].ValueKind switch
                {
                    JsonValueKind.Number => values[i].GetDouble(),
                    JsonValueKind.True or JsonValueKind.False => values[i].GetBoolean(),
                    _ => throw new InvalidOperationException($"{name}: {keyword} is a JSON {values[i].ValueKind}."),
                };
                Assert.True(expected.Equals(actual), $"{name}: torch's {keyword} is {expected}, the attribute's {properties[i]} is {actual}.");
            }
        }

        foreach ((string property, object expected) in goldenKind.Fixed)
        {
            object? actual = goldenKind.Attribute.GetProperty(property)!.GetValue(attribute);
            Assert.True(expected.Equals(actual), $"{name}: {property} is {actual}; PyTorch does what {expected} does.");
        }

        string[] accountedFor = goldenKind.Keywords.SelectMany(k => k.Properties).Concat(goldenKind.Fixed.Select(f => f.Key)).Append("Name").Order(StringComparer.Ordinal).ToArray();
        string[] declared = goldenKind.Attribute.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(declared, accountedFor);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryCaseHasAnAttributeAndEveryAttributeACase(string kind)
    {
        GoldenKind goldenKind = GoldenKind.Named(kind);
        GoldenCase[] cases = goldenKind.Data.Cases;
        string[] singleCases = cases.Where(c => c.Dtype == GoldenCase.Float32).Select(c => c.Name).Order(StringComparer.Ordinal).ToArray();
        string[] doubleCases = cases.Where(c => c.Dtype == GoldenCase.Float64).Select(c => c.Name).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(singleCases, Optimizers.Attributes(typeof(GoldenSingle), goldenKind.Attribute).Keys.Order(StringComparer.Ordinal));
        Assert.Equal(doubleCases, Optimizers.Attributes(typeof(GoldenDouble), goldenKind.Attribute).Keys.Order(StringComparer.Ordinal));
        Assert.Equal(cases.Length, singleCases.Length + doubleCases.Length);
        Assert.True(doubleCases.Length >= 2, $"{kind}: {doubleCases.Length} float64 cases; every kind needs at least two.");
    }

    /// <summary>A new optimizer attribute needs golden data, or a reason in GoldenKind.WithoutGoldenData.</summary>
    [Fact]
    public void EveryOptimizerKindHasGoldenDataOrAReason()
    {
        Type[] optimizerAttributes = typeof(RmsPropAttribute).Assembly.GetExportedTypes()
            .Where(t => typeof(Attribute).IsAssignableFrom(t) && t.GetProperty("LearningRate") is not null && t.GetProperty("Name") is not null)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToArray();
        Type[] accountedFor = GoldenKind.All.Select(k => k.Attribute).Concat(GoldenKind.WithoutGoldenData.Keys).OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();

        Assert.Equal(optimizerAttributes, accountedFor);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void GoldenFileIsWellFormed(string kind)
    {
        GoldenFile file = GoldenKind.Named(kind).Data;
        Assert.False(string.IsNullOrWhiteSpace(file.TorchVersion), "torch_version is missing.");
        Assert.False(string.IsNullOrWhiteSpace(file.CpuCapability), "cpu_capability is missing.");
        Assert.StartsWith("torch.optim.", file.Optimizer, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(file.Kind), "kind is missing.");
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
            for (int member = 0; member < lengths.Length; member++)
            {
                GoldenState state = golden.FinalState[member];
                Assert.True(state.Step is null || state.Step == file.Steps, $"{name}: state step {state.Step}, expected {file.Steps}.");
                foreach ((string key, double[] buffer) in state.Buffers)
                {
                    Assert.True(buffer.Length == lengths[member], $"{name}: {key} of {golden.Parameters[member].Name} has {buffer.Length} elements.");
                    values.Add(buffer);
                }

                // 0-dim state is float32 in PyTorch 1.13 whatever the parameter's dtype.
                foreach ((string key, double scalar) in state.Scalars)
                {
                    Assert.True(double.IsFinite(scalar) && (double)(float)scalar == scalar, $"{name}: scalar {key} is {scalar:R}, not a finite float32 value.");
                }

                values.AddRange(state.Scalars.Values.Select(scalar => new[] { scalar }));
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

    private static Type ModelOf(GoldenCase golden) => golden.Dtype == GoldenCase.Float32 ? typeof(GoldenSingle) : typeof(GoldenDouble);

    /// <summary>Runs one case on a fresh model: every step's parameters, then the final state.</summary>
    private static CaseResult Run<TModel, TGradients>(GoldenKind kind, GoldenCase golden, Tolerance tolerance, TModel model, Func<TModel, TGradients> gradientsFor)
        where TModel : ITrainable
        where TGradients : GradientsBase
    {
        Assert.Equal(golden.Parameters.Length, model.ParameterCount);
        for (int member = 0; member < golden.Parameters.Length; member++)
        {
            TensorRef parameter = model.GetParameter(member);
            Assert.Equal(golden.Parameters[member].Name, parameter.Name);
            Assert.Equal(golden.Parameters[member].Shape, Enumerable.Range(0, parameter.Array!.Rank).Select(parameter.Array.GetLength));
            Write(parameter, golden.Parameters[member].Initial);
        }

        TGradients gradients = gradientsFor(model);
        Optimizer<TGradients> optimizer = Optimizers.Create<TModel, TGradients>(golden.Name, model);
        Assert.Equal(kind.Data.Kind, optimizer.Kind);
        Assert.Equal(golden.Hyperparameter("lr"), optimizer.LearningRate);
        Assert.Equal(golden.Hyperparameters.ContainsKey("weight_decay") ? golden.Hyperparameter("weight_decay") : 0, optimizer.WeightDecay);

        var parameters = new Comparison(golden.Name + " parameters", tolerance);
        for (int step = 0; step < golden.Steps.Length; step++)
        {
            GoldenStep expected = golden.Steps[step];
            for (int member = 0; member < golden.Parameters.Length; member++)
            {
                Write(gradients.GetMember(member), expected.Gradients[member]);
            }

            optimizer.Step(gradients);
            for (int member = 0; member < golden.Parameters.Length; member++)
            {
                parameters.Compare("parameter", step + 1, golden.Parameters[member].Name, Read(model.GetParameter(member)), expected.Parameters[member]);
            }
        }

        Assert.Equal(golden.Steps.Length, optimizer.StepCount);
        Assert.Equal(golden.Steps.Length * golden.Parameters.Sum(p => p.Initial.Length), parameters.Elements);
        return new CaseResult(parameters, CompareState(golden, optimizer, tolerance));
    }

    /// <summary>
    /// Every Gen state buffer against the PyTorch state tensor of the same parameter and key, and every
    /// PyTorch state tensor (the step count aside) must have been matched.
    /// </summary>
    private static Comparison CompareState<TGradients>(GoldenCase golden, Optimizer<TGradients> optimizer, Tolerance tolerance)
        where TGradients : GradientsBase
    {
        var state = new Comparison(golden.Name + " final state", tolerance);
        var matched = new HashSet<(int Parameter, string Key)>();
        TensorElement element = golden.Dtype == GoldenCase.Float32 ? TensorElement.Single : TensorElement.Double;
        for (int i = 0; i < optimizer.StateCount; i++)
        {
            OptimizerState buffer = optimizer.GetState(i);
            Assert.InRange(buffer.ParameterIndex, 0, golden.Parameters.Length - 1);
            string parameter = golden.Parameters[buffer.ParameterIndex].Name;
            Assert.True(matched.Add((buffer.ParameterIndex, buffer.Key)), $"{golden.Name}: Gen exposes {buffer.Key} of {parameter} twice.");
            Assert.Equal(parameter, buffer.Buffer.Name);
            if (buffer.Shape is { Length: 0 })
            {
                // A 0-dim tensor (ASGD's eta and mu; NAdam's mu_product, shared): float32, as torch.tensor(python_float) makes it, for double parameters too.
                Assert.Equal(TensorElement.Single, buffer.Buffer.Element);
                Assert.True(
                    golden.FinalState[buffer.ParameterIndex].Scalars.TryGetValue(buffer.Key, out double scalar),
                    $"{golden.Name}: Gen keeps the scalar {buffer.Key} for {parameter}; PyTorch has no such state.");
                state.Compare(buffer.Key, golden.Steps.Length, parameter, Read(buffer.Buffer), new[] { scalar });

                // Computed once per step in double and rounded to float, as PyTorch does: the same bits.
                Assert.True(Read(buffer.Buffer)[0].Equals(scalar), $"{golden.Name}: {buffer.Key} of {parameter} is {Read(buffer.Buffer)[0]:R}, PyTorch's {scalar:R}.");
                continue;
            }

            Assert.Equal(element, buffer.Buffer.Element);
            Assert.True(
                golden.FinalState[buffer.ParameterIndex].Buffers.TryGetValue(buffer.Key, out double[]? expected),
                $"{golden.Name}: Gen keeps {buffer.Key} for {parameter}; PyTorch has no such state ({string.Join(", ", golden.FinalState[buffer.ParameterIndex].Buffers.Keys)}).");
            state.Compare(buffer.Key, golden.Steps.Length, parameter, Read(buffer.Buffer), expected!);
        }

        for (int member = 0; member < golden.FinalState.Length; member++)
        {
            foreach (string key in golden.FinalState[member].Buffers.Keys.Concat(golden.FinalState[member].Scalars.Keys))
            {
                Assert.True(matched.Contains((member, key)), $"{golden.Name}: PyTorch keeps {key} for {golden.Parameters[member].Name}; Gen exposes no such state.");
            }
        }

        Assert.Equal(golden.FinalState.Sum(s => s.Buffers.Values.Sum(b => b.Length) + s.Scalars.Count), state.Elements);
        return state;
    }

    /// <summary>Writes row-major values into a float or double array (a float32 case's values are floats exactly).</summary>
    private static void Write(TensorRef tensor, double[] values)
    {
        Assert.Equal(values.Length, tensor.Length);
        if (tensor.Element == TensorElement.Single)
        {
            Span<float> target = tensor.AsSingleSpan();
            for (int i = 0; i < values.Length; i++)
            {
                target[i] = (float)values[i];
            }
        }
        else
        {
            values.CopyTo(tensor.AsDoubleSpan());
        }
    }

    /// <summary>The elements of a float or double array, row-major, as doubles (exactly).</summary>
    private static double[] Read(TensorRef tensor)
    {
        if (tensor.Element == TensorElement.Double)
        {
            return tensor.AsDoubleSpan().ToArray();
        }

        Span<float> source = tensor.AsSingleSpan();
        var values = new double[source.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = source[i];
        }

        return values;
    }

    private sealed record CaseResult(Comparison Parameters, Comparison State);

    /// <summary>A per-element bound <c>|a − b| ≤ Relative·|b| + Absolute</c>, b being PyTorch's value.</summary>
    private readonly record struct Tolerance(double Relative, double Absolute)
    {
        public double Bound(double expected) => (Relative * Math.Abs(expected)) + Absolute;
    }

    /// <summary>Worst element-wise differences over a case, and where they occurred.</summary>
    private sealed class Comparison
    {
        private readonly string _what;
        private readonly Tolerance _tolerance;
        private int _identical;
        private int _failures;
        private double _worstRatio = -1;
        private string _worstRatioAt = "nowhere";
        private double _worstAbsolute;
        private double _worstRelative;

        public Comparison(string what, Tolerance tolerance)
        {
            _what = what;
            _tolerance = tolerance;
        }

        /// <summary>Number of elements compared.</summary>
        public int Elements { get; private set; }

        public bool Passed => _failures == 0;

        public void Compare(string what, int step, string member, double[] actual, double[] expected)
        {

            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                double a = actual[i], b = expected[i];
                double error = Math.Abs(a - b);
                double ratio = error / _tolerance.Bound(b);
                Elements++;
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

        public string Summary() => Elements == 0
            ? _what + ": nothing to compare."
            : string.Create(
                CultureInfo.InvariantCulture,
                $"{_what}: {_failures} of {Elements} elements outside |a − b| ≤ {_tolerance.Relative:G3}·|b| + {_tolerance.Absolute:G3}; " +
                $"{_identical} bit-identical; worst |a − b| {_worstAbsolute:E3}, worst |a − b|/|b| {_worstRelative:E3}; " +
                $"closest to the bound ({_worstRatio:F4} of it): {_worstRatioAt}.");
    }
}
