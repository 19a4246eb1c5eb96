using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>
/// [Adafactor] against golden trajectories from real PyTorch operations (Golden/make_adafactor_golden.py, run with
/// /usr/bin/python3; Golden/adafactor.json). PyTorch 1.13, the torch this machine has, cannot run 2.5's
/// <c>torch.optim.Adafactor</c> (it first appeared in 2.5), so the script is 2.5's single-tensor algorithm expressed in
/// the 1.13 tensor operations it is made of (vector_norm, lerp_, matmul, mean, clamp_min_, rsqrt_, add_ with alpha).
/// Every case runs in float32 and float64, on a matrix, a rank-3 member, a one-column matrix and vectors (one from 0,
/// one [NoWeightDecay]) for 12 steps; final parameters and every state tensor (PyTorch's shapes) are compared.
/// </summary>
/// <remarks>
/// PyTorch sums its norms in the element type in its own order and its <c>add_(alpha=)</c> fuses the multiply-add; Gen
/// sums in double in a fixed order and rounds each operation. Measured largest distances over every case: the
/// parameters within 2.98e-7 (float32) and 5.6e-16 (float64) of max(|p|, 1), the running averages within 2.2e-7 and
/// 2.8e-16 of their own magnitude (they are about 1e-3); the bounds are 1e-6 and 2e-15, 1e-6 and 1e-15. Elementwise
/// the two compute the same operations in the same precision, so only the norms' rounding separates them.
/// </remarks>
[Trait("Category", "Numerical")]
public sealed class AdafactorGoldenTests(ITestOutputHelper output)
{
    private const double ParameterBoundSingle = 1e-6, ParameterBoundDouble = 2e-15, StateBoundSingle = 1e-6, StateBoundDouble = 1e-15;

    private static readonly string[] MemberNames = { "W", "Heads", "Column", "V", "Zero", "Bias" };

    public static IEnumerable<object[]> Cases()
    {
        using JsonDocument document = Load();
        return document.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => new object[] { c.GetProperty("name").GetString()!, c.GetProperty("dtype").GetString()! })
            .ToArray();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchsTrajectory(string name, string dtype)
    {
        using JsonDocument document = Load();
        JsonElement root = document.RootElement;
        JsonElement golden = root.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name && c.GetProperty("dtype").GetString() == dtype);
        bool single = dtype == "float32";
        var attribute = (AdafactorAttribute)(single ? Optimizers.Configuration<AdafactorGoldenNet>(name) : Optimizers.Configuration<AdafactorGoldenDoubleNet>(name));
        var defaults = new AdafactorAttribute();
        foreach (string property in new[] { "LearningRate", "Beta2Decay", "Epsilon1", "Epsilon2", "ClipThreshold", "WeightDecay", "Maximize" })
        {
            object? expected = golden.GetProperty("config").TryGetProperty(property, out JsonElement value)
                ? (value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : value.GetDouble())
                : typeof(AdafactorAttribute).GetProperty(property)!.GetValue(defaults);
            Assert.Equal(expected, typeof(AdafactorAttribute).GetProperty(property)!.GetValue(attribute));
        }

        Assert.Equal(new[] { "Bias" }, root.GetProperty("no_weight_decay").EnumerateArray().Select(e => e.GetString()));
        int steps = root.GetProperty("steps").GetInt32();
        (Dictionary<string, double[]> parameters, Func<int, OptimizerState> state, int stateCount, Func<int, string> memberOf) = single
            ? RunSingle(name, root, steps)
            : RunDouble(name, root, steps);

        double worstParameter = 0, worstState = 0;
        foreach (string member in MemberNames)
        {
            double[] expected = golden.GetProperty("final").GetProperty(member).EnumerateArray().Select(e => e.GetDouble()).ToArray();
            worstParameter = Math.Max(worstParameter, Distance(expected, parameters[member]));
        }

        Assert.Equal(golden.GetProperty("state").EnumerateObject().Count(), stateCount);
        for (int s = 0; s < stateCount; s++)
        {
            OptimizerState actual = state(s);
            JsonElement expected = golden.GetProperty("state").GetProperty(memberOf(actual.ParameterIndex) + "." + actual.Key);
            int[] shape = expected.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(shape, actual.Shape ?? Shape(memberOf(actual.ParameterIndex), root));
            double[] values = single ? actual.Buffer.AsSingleSpan().ToArray().Select(x => (double)x).ToArray() : actual.Buffer.AsDoubleSpan().ToArray();
            worstState = Math.Max(worstState, RelativeDistance(expected.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToArray(), values));
        }

        output.WriteLine($"{name} ({dtype}): largest distance from PyTorch after {steps} steps: parameters {worstParameter:E2}, state {worstState:E2} (relative).");
        Assert.True(worstParameter <= (single ? ParameterBoundSingle : ParameterBoundDouble), $"{name} ({dtype}): parameters {worstParameter:E2} from PyTorch's.");
        Assert.True(worstState <= (single ? StateBoundSingle : StateBoundDouble), $"{name} ({dtype}): state {worstState:E2} from PyTorch's.");
    }

    private static (Dictionary<string, double[]>, Func<int, OptimizerState>, int, Func<int, string>) RunSingle(string name, JsonElement root, int steps)
    {
        var model = new AdafactorGoldenNet();
        var gradients = new AdafactorGoldenNet.Gradients(model);
        Array[] members = { model.W, model.Heads, model.Column, model.V, model.Zero, model.Bias };
        Array[] grads = { gradients.W, gradients.Heads, gradients.Column, gradients.V, gradients.Zero, gradients.Bias };
        for (int m = 0; m < members.Length; m++)
        {
            Copy(root.GetProperty("initial").GetProperty(MemberNames[m]), members[m], single: true);
        }

        Optimizer<AdafactorGoldenNet.Gradients> optimizer = Optimizers.Create<AdafactorGoldenNet, AdafactorGoldenNet.Gradients>(name, model);
        for (int step = 0; step < steps; step++)
        {
            for (int m = 0; m < grads.Length; m++)
            {
                Copy(root.GetProperty("gradients").GetProperty(MemberNames[m])[step], grads[m], single: true);
            }

            optimizer.Step(gradients);
        }

        var parameters = MemberNames.Select((n, m) => (n, Values(members[m], single: true))).ToDictionary(p => p.n, p => p.Item2);
        return (parameters, optimizer.GetState, optimizer.StateCount, i => optimizer.Model.GetParameter(i).Name);
    }

    private static (Dictionary<string, double[]>, Func<int, OptimizerState>, int, Func<int, string>) RunDouble(string name, JsonElement root, int steps)
    {
        var model = new AdafactorGoldenDoubleNet();
        var gradients = new AdafactorGoldenDoubleNet.Gradients(model);
        Array[] members = { model.W, model.Heads, model.Column, model.V, model.Zero, model.Bias };
        Array[] grads = { gradients.W, gradients.Heads, gradients.Column, gradients.V, gradients.Zero, gradients.Bias };
        for (int m = 0; m < members.Length; m++)
        {
            Copy(root.GetProperty("initial").GetProperty(MemberNames[m]), members[m], single: false);
        }

        Optimizer<AdafactorGoldenDoubleNet.Gradients> optimizer = Optimizers.Create<AdafactorGoldenDoubleNet, AdafactorGoldenDoubleNet.Gradients>(name, model);
        for (int step = 0; step < steps; step++)
        {
            for (int m = 0; m < grads.Length; m++)
            {
                Copy(root.GetProperty("gradients").GetProperty(MemberNames[m])[step], grads[m], single: false);
            }

            optimizer.Step(gradients);
        }

        var parameters = MemberNames.Select((n, m) => (n, Values(members[m], single: false))).ToDictionary(p => p.n, p => p.Item2);
        return (parameters, optimizer.GetState, optimizer.StateCount, i => optimizer.Model.GetParameter(i).Name);
    }

    private static int[] Shape(string member, JsonElement root) =>
        root.GetProperty("shapes").GetProperty(member).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    /// <summary>The largest distance relative to the expected value itself: the running averages are small (about 1e-3).</summary>
    private static double RelativeDistance(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        return expected.Zip(actual, (e, a) => Math.Abs(a - e) / Math.Max(Math.Abs(e), 1e-30)).DefaultIfEmpty(0).Max();
    }

    private static double Distance(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        return expected.Zip(actual, (e, a) => Math.Abs(a - e) / Math.Max(1, Math.Abs(e))).DefaultIfEmpty(0).Max();
    }

    /// <summary>The JSON's float64 values into a model array (float32: rounded, as the script's float32 tensors are).</summary>
    private static void Copy(JsonElement values, Array target, bool single)
    {
        double[] wide = values.EnumerateArray().Select(e => e.GetDouble()).ToArray();
        if (single)
        {
            Buffer.BlockCopy(wide.Select(x => (float)x).ToArray(), 0, target, 0, wide.Length * sizeof(float));
        }
        else
        {
            Buffer.BlockCopy(wide, 0, target, 0, wide.Length * sizeof(double));
        }
    }

    private static double[] Values(Array array, bool single)
    {
        if (!single)
        {
            var values = new double[array.Length];
            Buffer.BlockCopy(array, 0, values, 0, values.Length * sizeof(double));
            return values;
        }

        var floats = new float[array.Length];
        Buffer.BlockCopy(array, 0, floats, 0, floats.Length * sizeof(float));
        return floats.Select(x => (double)x).ToArray();
    }

    private static JsonDocument Load() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "adafactor.json")));
}
