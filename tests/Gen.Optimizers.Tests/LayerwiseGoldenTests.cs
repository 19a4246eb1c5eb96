using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>
/// [Lamb] and [Lars] against a second opinion: float32 numpy trajectories written from the published algorithms as
/// Optax composes them (Golden/make_layerwise_golden.py, run with /usr/bin/python3; Golden/layerwise.json), not Optax
/// itself (JAX is not installed). numpy's norms are float32 pairwise sums, Gen's fixed-order double sums, so the
/// trajectories agree within rounding: 1e-5 of max(|p|, 1) after 12 steps. Each configuration's attribute values are
/// checked against the JSON's, so the two cannot drift apart.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class LayerwiseGoldenTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("LambDefaults")]
    [InlineData("LambEverything")]
    [InlineData("LarsDefaults")]
    [InlineData("LarsEverything")]
    public void MatchesTheNumpyTrajectory(string name)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "layerwise.json")));
        JsonElement root = document.RootElement;
        JsonElement golden = root.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        Attribute attribute = Optimizers.Configuration<LayerwiseGoldenNet>(name);
        foreach (JsonProperty property in golden.GetProperty("config").EnumerateObject())
        {
            object? value = attribute.GetType().GetProperty(property.Name)!.GetValue(attribute);
            Assert.Equal(property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False ? property.Value.GetBoolean() : (object)property.Value.GetDouble(), value);
        }

        var model = new LayerwiseGoldenNet
        {
            W = Floats(root.GetProperty("initial").GetProperty("W")),
            Zero = Floats(root.GetProperty("initial").GetProperty("Zero")),
            Bias = Floats(root.GetProperty("initial").GetProperty("Bias")),
        };
        var gradients = new LayerwiseGoldenNet.Gradients(model);
        Optimizer<LayerwiseGoldenNet.Gradients> optimizer = Optimizers.Create<LayerwiseGoldenNet, LayerwiseGoldenNet.Gradients>(name, model);
        int steps = root.GetProperty("steps").GetInt32();
        for (int step = 0; step < steps; step++)
        {
            Floats(root.GetProperty("gradients").GetProperty("W")[step]).CopyTo(gradients.W, 0);
            Floats(root.GetProperty("gradients").GetProperty("Zero")[step]).CopyTo(gradients.Zero, 0);
            Floats(root.GetProperty("gradients").GetProperty("Bias")[step]).CopyTo(gradients.Bias, 0);
            optimizer.Step(gradients);
        }

        double worst = 0;
        foreach ((string member, float[] actual) in new[] { ("W", model.W), ("Zero", model.Zero), ("Bias", model.Bias) })
        {
            double[] expected = golden.GetProperty("final").GetProperty(member).EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(expected.Length, actual.Length);
            worst = Math.Max(worst, expected.Zip(actual, (e, a) => Math.Abs(a - e) / Math.Max(1, Math.Abs(e))).DefaultIfEmpty(0).Max());
        }

        output.WriteLine($"{name}: largest distance from numpy's float32 trajectory after {steps} steps: {worst:E2}.");
        Assert.True(worst <= 1e-5, $"{name}: {worst:E2} from numpy's float32 trajectory.");
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
}
