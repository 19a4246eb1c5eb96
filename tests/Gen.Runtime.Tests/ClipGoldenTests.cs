using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// ClipByGlobalNorm and ClipByValue against PyTorch's own <c>clip_grad_norm_</c> and
/// <c>clip_grad_value_</c>: results recorded by Golden/make_clip_golden.py in Golden/clip.json
/// (float32, float64 and mixed gradients, including NaN and ±∞). PyTorch is never run here.
/// </summary>
/// <remarks>
/// <c>clip_grad_value_</c> is a clamp, exact in any order: the results must be equal bit for bit.
/// <c>clip_grad_norm_</c> differs only in rounding: PyTorch accumulates a float32 gradient's norm in
/// float32 (Gen in double, exactly for the squares), and computes the coefficient as
/// <c>reciprocal(total + 1e-6)·max_norm</c> in the norm's dtype (Gen as <c>max_norm / (total + 1e-6)</c>
/// in double, rounded to float for float members). So the norm and the clipped values agree within
/// <c>|a − b| ≤ 1e-6·|b|</c> when a float32 gradient is involved (largest deviation measured: 2.1e-7) and
/// <c>1e-15·|b|</c> for float64 (measured: none, every value bit-identical). NaN, ±∞ and the sign of a
/// zero must match exactly: they are the semantics (a non-finite norm poisons the gradients).
/// </remarks>
[Trait("Category", "Numerical")]
public sealed class ClipGoldenTests
{
    private const double SingleTolerance = 1e-6;
    private const double DoubleTolerance = 1e-15;

    private readonly ITestOutputHelper _output;

    public ClipGoldenTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public static TheoryData<string> CaseNames => new(ClipFile.Instance.Cases.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ClipByGlobalNormMatchesPyTorch(string name)
    {
        ClipCase golden = ClipFile.Instance.Case(name);
        double tolerance = golden.Dtypes.Contains("float32") ? SingleTolerance : DoubleTolerance;
        double worst = 0;
        foreach (NormResult expected in golden.ClipGradNorm)
        {
            GradientsBase gradients = Create(golden);
            double total = gradients.ClipByGlobalNorm(expected.MaxNorm);

            string where = $"{name}, max_norm {expected.MaxNorm}";
            worst = Math.Max(worst, Compare(expected.TotalNorm, total, tolerance, where + ", total norm"));
            for (int m = 0; m < golden.Tensors.Length; m++)
            {
                double[] actual = TestData.Values(gradients.GetMember(m));
                for (int i = 0; i < actual.Length; i++)
                {
                    worst = Math.Max(worst, Compare(expected.Gradients[m][i], actual[i], tolerance, $"{where}, {golden.Tensors[m].Name}[{i}]"));
                }
            }
        }

        _output.WriteLine($"{name}: largest relative deviation from PyTorch {worst:E2} (tolerance {tolerance:E0}).");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ClipByValueMatchesPyTorchBitForBit(string name)
    {
        ClipCase golden = ClipFile.Instance.Case(name);
        foreach (ValueResult expected in golden.ClipGradValue)
        {
            GradientsBase gradients = Create(golden);
            gradients.ClipByValue(expected.ClipValue);
            for (int m = 0; m < golden.Tensors.Length; m++)
            {
                double[] actual = TestData.Values(gradients.GetMember(m));
                for (int i = 0; i < actual.Length; i++)
                {
                    double e = expected.Gradients[m][i];
                    bool same = double.IsNaN(e) ? double.IsNaN(actual[i]) : BitConverter.DoubleToInt64Bits(e) == BitConverter.DoubleToInt64Bits(actual[i]);
                    Assert.True(same, $"{name}, clip_value {expected.ClipValue}, {golden.Tensors[m].Name}[{i}]: {actual[i]:R}, PyTorch {e:R}.");
                }
            }
        }
    }

    [Fact]
    public void GoldenFileIsWellFormed()
    {
        ClipFile file = ClipFile.Instance;
        Assert.False(string.IsNullOrWhiteSpace(file.TorchVersion));
        Assert.Equal(file.Cases.Length, file.Cases.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        foreach (ClipCase golden in file.Cases)
        {
            Assert.Equal(new[] { "A", "B" }, golden.Tensors.Select(t => t.Name));
            Assert.Equal(new[] { 37 }, golden.Tensors[0].Shape);
            Assert.Equal(new[] { 3, 5 }, golden.Tensors[1].Shape);
            Assert.Equal(new[] { 37, 15 }, golden.Tensors.Select(t => t.Gradient.Length));
            Assert.Contains(golden.ClipGradNorm, r => r.MaxNorm == 0);
            Assert.All(golden.ClipGradNorm, r => Assert.Equal(new[] { 37, 15 }, r.Gradients.Select(g => g.Length)));
            Assert.All(golden.ClipGradValue, r => Assert.Equal(new[] { 37, 15 }, r.Gradients.Select(g => g.Length)));
            if (golden.Tensors.All(t => t.Gradient.All(double.IsFinite)))
            {
                // Every finite case has a max_norm that leaves the gradients unchanged.
                Assert.Contains(golden.ClipGradNorm, r => r.MaxNorm > r.TotalNorm);
            }
        }

        // Both sides of the clamp occur, in float32 and float64.
        foreach (string dtype in new[] { "float32", "float64" })
        {
            Assert.Contains(file.Cases, c => c.Dtypes.All(d => d == dtype) && c.ClipGradNorm.Any(r => r.MaxNorm > 0 && r.MaxNorm < r.TotalNorm && double.IsFinite(r.TotalNorm)));
        }

        Assert.Contains(file.Cases, c => c.Dtypes.SequenceEqual(new[] { "float32", "float64" }));
        Assert.Contains(file.Cases, c => c.Tensors.Any(t => t.Gradient.Any(double.IsNaN)));
        Assert.Contains(file.Cases, c => c.Tensors.Any(t => t.Gradient.Any(double.IsInfinity)) && !c.Tensors.Any(t => t.Gradient.Any(double.IsNaN)));
    }

    /// <summary>The relative deviation of <paramref name="actual"/> from PyTorch's value; fails above the tolerance or on any NaN, ∞ or zero-sign mismatch.</summary>
    private static double Compare(double expected, double actual, double tolerance, string where)
    {
        if (!double.IsFinite(expected) || expected == 0)
        {
            bool same = double.IsNaN(expected) ? double.IsNaN(actual) : BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual);
            Assert.True(same, $"{where}: {actual:R}, PyTorch {expected:R}.");
            return 0;
        }

        double deviation = Math.Abs(actual - expected) / Math.Abs(expected);
        Assert.True(deviation <= tolerance, $"{where}: {actual:R}, PyTorch {expected:R} (relative deviation {deviation:E2}).");
        return deviation;
    }

    private static GradientsBase Create(ClipCase golden)
    {
        double[] a = golden.Tensors[0].Gradient;
        double[] b = golden.Tensors[1].Gradient;
        GradientsBase gradients = string.Join(",", golden.Dtypes) switch
        {
            "float32,float32" => new ClipSingle.Gradients(new ClipSingle()),
            "float64,float64" => new ClipDouble.Gradients(new ClipDouble()),
            "float32,float64" => new ClipMixed.Gradients(new ClipMixed()),
            string other => throw new InvalidOperationException($"{golden.Name}: no model for dtypes {other}."),
        };

        Set(gradients.GetMember(0), a);
        Set(gradients.GetMember(1), b);
        return gradients;
    }

    private static void Set(TensorRef member, double[] values)
    {
        Assert.Equal(member.Length, values.Length);
        if (member.Element == TensorElement.Single)
        {
            Span<float> span = member.AsSingleSpan();
            for (int i = 0; i < values.Length; i++)
            {
                Assert.True(double.IsNaN(values[i]) || (double)(float)values[i] == values[i], $"{member.Name}[{i}] = {values[i]:R} is not a float32 value.");
                span[i] = (float)values[i];
            }
        }
        else
        {
            values.CopyTo(member.AsDoubleSpan());
        }
    }
}

internal sealed record ClipFile(
    [property: JsonPropertyName("torch_version")] string TorchVersion,
    [property: JsonPropertyName("cases")] ClipCase[] Cases)
{
    private static readonly Lazy<ClipFile> s_instance = new(Load);

    public static ClipFile Instance => s_instance.Value;

    public ClipCase Case(string name) => Cases.Single(c => c.Name == name);

    private static ClipFile Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", "clip.json");
        var options = new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
        return JsonSerializer.Deserialize<ClipFile>(File.ReadAllText(path), options)
            ?? throw new InvalidOperationException($"{path} is empty.");
    }
}

internal sealed record ClipCase(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("dtypes")] string[] Dtypes,
    [property: JsonPropertyName("tensors")] ClipTensor[] Tensors,
    [property: JsonPropertyName("clip_grad_norm")] NormResult[] ClipGradNorm,
    [property: JsonPropertyName("clip_grad_value")] ValueResult[] ClipGradValue);

internal sealed record ClipTensor(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("shape")] int[] Shape,
    [property: JsonPropertyName("gradient")] double[] Gradient);

internal sealed record NormResult(
    [property: JsonPropertyName("max_norm")] double MaxNorm,
    [property: JsonPropertyName("total_norm")] double TotalNorm,
    [property: JsonPropertyName("gradients")] double[][] Gradients);

internal sealed record ValueResult(
    [property: JsonPropertyName("clip_value")] double ClipValue,
    [property: JsonPropertyName("gradients")] double[][] Gradients);
