using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>The float32 cases of Golden/beyond_torch.json, one attribute per case, named as the case.</summary>
[ScheduleFreeAdamW(Name = "SfAdamWDefaults")]
[ScheduleFreeAdamW(Name = "SfAdamWEvery", LearningRate = 0.01, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, WeightDecay = 0.05, WarmupSteps = 5, R = 1, WeightLrPower = 1.5, DecayAtZ = true, InnerMomentum = 0.9)]
[ScheduleFreeAdamW(Name = "SfAdamWDecayAtY", LearningRate = 0.01, WeightDecay = 0.05, WarmupSteps = 5)]
[ScheduleFreeSgd(Name = "SfSgdDefaults")]
[ScheduleFreeSgd(Name = "SfSgdEvery", LearningRate = 0.1, Momentum = 0.8, WeightDecay = 0.05, WarmupSteps = 5, R = 2, WeightLrPower = 0)]
[AdEMAMix(Name = "AdEMAMixDefaults")]
[AdEMAMix(Name = "AdEMAMixEvery", LearningRate = 0.01, Beta1 = 0.8, Beta2 = 0.99, Beta3 = 0.999, Alpha = 5, AlphaWarmup = 10, Beta3Warmup = 20, Epsilon = 1e-6, WeightDecay = 0.1)]
[AdEMAMix(Name = "AdEMAMixNoFast", LearningRate = 0.01, Beta1 = 0, Beta3Warmup = 20, WeightDecay = 0.1)]
[Adopt(Name = "AdoptDefaults")]
[Adopt(Name = "AdoptEvery", LearningRate = 0.01, Beta1 = 0.3, Beta2 = 0.99, Epsilon = 1e-4, ClipExponent = 0.5, WeightDecay = 0.05, Decouple = true, Maximize = true)]
[Adopt(Name = "AdoptL2Unclipped", LearningRate = 0.01, Epsilon = 1e-3, WeightDecay = 0.05, Clipping = false)]
public sealed partial class SecondOpinionSingle
{
    public float[] A = new float[37];

    public float[,] B = new float[3, 5];
}

/// <summary>The float64 cases of Golden/beyond_torch.json.</summary>
[ScheduleFreeAdamW(Name = "SfAdamWDefaults")]
[ScheduleFreeAdamW(Name = "SfAdamWEvery", LearningRate = 0.01, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, WeightDecay = 0.05, WarmupSteps = 5, R = 1, WeightLrPower = 1.5, DecayAtZ = true, InnerMomentum = 0.9)]
[ScheduleFreeAdamW(Name = "SfAdamWDecayAtY", LearningRate = 0.01, WeightDecay = 0.05, WarmupSteps = 5)]
[ScheduleFreeSgd(Name = "SfSgdDefaults")]
[ScheduleFreeSgd(Name = "SfSgdEvery", LearningRate = 0.1, Momentum = 0.8, WeightDecay = 0.05, WarmupSteps = 5, R = 2, WeightLrPower = 0)]
[AdEMAMix(Name = "AdEMAMixDefaults")]
[AdEMAMix(Name = "AdEMAMixEvery", LearningRate = 0.01, Beta1 = 0.8, Beta2 = 0.99, Beta3 = 0.999, Alpha = 5, AlphaWarmup = 10, Beta3Warmup = 20, Epsilon = 1e-6, WeightDecay = 0.1)]
[AdEMAMix(Name = "AdEMAMixNoFast", LearningRate = 0.01, Beta1 = 0, Beta3Warmup = 20, WeightDecay = 0.1)]
[Adopt(Name = "AdoptDefaults")]
[Adopt(Name = "AdoptEvery", LearningRate = 0.01, Beta1 = 0.3, Beta2 = 0.99, Epsilon = 1e-4, ClipExponent = 0.5, WeightDecay = 0.05, Decouple = true, Maximize = true)]
[Adopt(Name = "AdoptL2Unclipped", LearningRate = 0.01, Epsilon = 1e-3, WeightDecay = 0.05, Clipping = false)]
public sealed partial class SecondOpinionDouble
{
    public double[] A = new double[37];

    public double[,] B = new double[3, 5];
}

/// <summary>
/// The generated Schedule-Free AdamW and SGD, AdEMAMix and ADOPT against a second opinion: their reference files
/// restated in torch 1.13 tensor operations by Golden/make_second_opinion.py (PyTorch 1.13 cannot import the reference
/// implementations themselves), which recorded every step's learning rate, gradients and parameters, the final state
/// under the reference's keys, and Schedule-Free's lr_max, weight_sum and eval() parameters. Python never runs here.
/// Tolerances are the golden tests' (PyTorch's AVX2 kernels fuse the multiply-adds of addcmul_, addcdiv_ and
/// add_(alpha=), the generated code does not): float32 <c>|a − b| ≤ 1e-5·|b| + 1e-7</c>, float64
/// <c>|a − b| ≤ 1e-12·|b| + 1e-15</c>, per element, parameters and state alike.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class BeyondTorchSecondOpinionTests
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "beyond_torch.json"))));

    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (JsonElement golden in CaseElements)
            {
                data.Add(golden.GetProperty("name").GetString()!, golden.GetProperty("dtype").GetString()!);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TrajectoryStateAndEvalParametersMatchTheSecondOpinion(string name, string dtype)
    {
        JsonElement golden = Case(name, dtype);
        if (dtype == "float32")
        {
            var model = new SecondOpinionSingle();
            Run(golden, model, new SecondOpinionSingle.Gradients(model), Optimizers.Create<SecondOpinionSingle, SecondOpinionSingle.Gradients>(name, model), 1e-5, 1e-7);
        }
        else
        {
            var model = new SecondOpinionDouble();
            Run(golden, model, new SecondOpinionDouble.Gradients(model), Optimizers.Create<SecondOpinionDouble, SecondOpinionDouble.Gradients>(name, model), 1e-12, 1e-15);
        }
    }

    /// <summary>Each case's hyperparameters are its attribute's, and every attribute has a case of each dtype.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void HyperparametersAreTheAttributes(string name, string dtype)
    {
        JsonElement golden = Case(name, dtype);
        Attribute attribute = Optimizers.Configuration<SecondOpinionSingle>(name);
        Assert.Equal(golden.GetProperty("attribute").GetString() + "Attribute", attribute.GetType().Name);
        Attribute fresh = (Attribute)Activator.CreateInstance(attribute.GetType())!;
        var given = golden.GetProperty("hyperparameters").EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        foreach (PropertyInfo property in attribute.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(p => p.Name != "Name"))
        {
            object? expected = given.TryGetValue(property.Name, out JsonElement value)
                ? value.ValueKind switch
                {
                    JsonValueKind.True or JsonValueKind.False => value.GetBoolean(),
                    _ when property.PropertyType == typeof(int) => value.GetInt32(),
                    _ => value.GetDouble(),
                }
                : property.GetValue(fresh);
            Assert.True(Equals(expected, property.GetValue(attribute)), $"{name}: {property.Name} is {property.GetValue(attribute)}, the script's {expected}.");
            Assert.Equal(property.GetValue(attribute), property.GetValue(Optimizers.Configuration<SecondOpinionDouble>(name)));
        }

        Assert.Equal(
            Optimizers.Names<SecondOpinionSingle>().Order(StringComparer.Ordinal),
            CaseElements.Select(c => c.GetProperty("name").GetString()!).Distinct().Order(StringComparer.Ordinal));
    }

    /// <summary>The script's cases, one per attribute and dtype.</summary>
    private static JsonElement.ArrayEnumerator CaseElements => Document.Value.RootElement.GetProperty("cases").EnumerateArray();

    private static JsonElement Case(string name, string dtype) =>
        CaseElements.Single(c => c.GetProperty("name").GetString() == name && c.GetProperty("dtype").GetString() == dtype);

    private static void Run<TGradients>(JsonElement golden, ITrainable model, TGradients gradients, Optimizer<TGradients> optimizer, double relative, double absolute)
        where TGradients : GradientsBase
    {
        string name = golden.GetProperty("name").GetString()!;
        JsonElement[] parameters = golden.GetProperty("parameters").EnumerateArray().ToArray();
        for (int i = 0; i < parameters.Length; i++)
        {
            Write(model.GetParameter(i), parameters[i].GetProperty("initial"));
        }

        var worst = 0.0;
        void Compare(TensorRef actual, JsonElement expected, string what)
        {
            double[] values = expected.EnumerateArray().Select(e => e.GetDouble()).ToArray();
            double[] ours = Read(actual);
            Assert.True(values.Length == ours.Length, $"{name}: {what} has {ours.Length} elements, the second opinion {values.Length}.");
            for (int k = 0; k < values.Length; k++)
            {
                double error = Math.Abs(ours[k] - values[k]);
                worst = Math.Max(worst, error / (Math.Abs(values[k]) + (absolute / relative)));
                Assert.True(error <= (relative * Math.Abs(values[k])) + absolute, $"{name} ({golden.GetProperty("dtype").GetString()}): {what}[{k}] is {ours[k]:R}, the second opinion {values[k]:R}.");
            }
        }

        int step = 0;
        foreach (JsonElement recorded in golden.GetProperty("steps").EnumerateArray())
        {
            optimizer.LearningRate = recorded.GetProperty("learning_rate").GetDouble();
            JsonElement[] g = recorded.GetProperty("gradients").EnumerateArray().ToArray();
            for (int i = 0; i < g.Length; i++)
            {
                Write(gradients.GetMember(i), g[i]);
            }

            optimizer.Step(gradients);
            JsonElement[] p = recorded.GetProperty("parameters").EnumerateArray().ToArray();
            for (int i = 0; i < p.Length; i++)
            {
                Compare(model.GetParameter(i), p[i], $"step {step + 1} {model.GetParameter(i).Name}");
            }

            step++;
        }

        JsonElement[] finalState = golden.GetProperty("final_state").EnumerateArray().ToArray();
        for (int i = 0; i < finalState.Length; i++)
        {
            string[] keys = finalState[i].EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal).ToArray();
            OptimizerState[] ours = Enumerable.Range(0, optimizer.StateCount).Select(optimizer.GetState).Where(s => s.ParameterIndex == i).ToArray();
            Assert.Equal(keys, ours.Select(s => s.Key).Order(StringComparer.Ordinal));
            foreach (OptimizerState state in ours)
            {
                Compare(state.Buffer, finalState[i].GetProperty(state.Key), model.GetParameter(i).Name + "." + state.Key);
            }
        }

        if (golden.TryGetProperty("group", out JsonElement group))
        {
            var values = Enumerable.Range(0, optimizer.GroupValueCount).Select(optimizer.GetGroupValue).ToDictionary(v => v.Key, v => v.Value);
            foreach (JsonProperty expected in group.EnumerateObject())
            {
                Assert.Equal(expected.Value.GetDouble(), values[expected.Name]); // Python floats: the same doubles, bit for bit
            }

            // The reference's eval(): p.copy_(state["x"]).
            optimizer.GetType().GetMethod("Eval")!.Invoke(optimizer, null);
            JsonElement[] evaluated = golden.GetProperty("eval_parameters").EnumerateArray().ToArray();
            for (int i = 0; i < evaluated.Length; i++)
            {
                Compare(model.GetParameter(i), evaluated[i], "eval " + model.GetParameter(i).Name);
            }
        }
    }

    private static void Write(TensorRef target, JsonElement values)
    {
        double[] source = values.EnumerateArray().Select(e => e.GetDouble()).ToArray();
        if (target.Element == TensorElement.Single)
        {
            Span<float> span = target.AsSingleSpan();
            for (int k = 0; k < source.Length; k++)
            {
                span[k] = (float)source[k];
            }
        }
        else
        {
            source.CopyTo(target.AsDoubleSpan());
        }
    }

    private static double[] Read(TensorRef values) => values.Element == TensorElement.Single
        ? values.AsSingleSpan().ToArray().Select(x => (double)x).ToArray()
        : values.AsDoubleSpan().ToArray();
}
