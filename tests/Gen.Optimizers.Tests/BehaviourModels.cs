using System;
using Gen.__Internals;

namespace Gen.Optimizers.Tests;

/// <summary>A model like a user's: several ranks, float and double, a property, a frozen member.</summary>
[RmsProp(LearningRate = 1e-3, Rho = 0.9)]
[RmsProp(Name = "Full", Centered = true, Momentum = 0.9, InitialScale = 0.5, WeightDecay = 0.01)]
[NAdam(WeightDecay = 0.01)]
[RAdam(WeightDecay = 0.01)]
[Adamax(WeightDecay = 0.01, Maximize = true)]
public sealed partial class MixedModel
{
    public float[,] W1 = new float[16, 32];

    public float[] B1 { get; set; } = new float[32];

    public double[,,] Kernel = new double[2, 3, 5];

    [Frozen]
    public float[] Embedding = new float[10];

    /// <summary>A model with every member filled with deterministic values in [-1, 1].</summary>
    public static MixedModel Create(int seed)
    {
        var random = new Random(seed);
        var model = new MixedModel();
        Fill(Tensors.AsSpan(model.W1), random);
        Fill(Tensors.AsSpan(model.B1), random);
        Fill(Tensors.AsSpan(model.Kernel), random);
        Fill(Tensors.AsSpan(model.Embedding), random);
        return model;
    }

    /// <summary>Fills every gradient with deterministic values in [-1, 1].</summary>
    public static void Fill(Gradients gradients, Random random)
    {
        for (int i = 0; i < gradients.MemberCount; i++)
        {
            TensorRef member = gradients.GetMember(i);
            if (member.Element == TensorElement.Single)
            {
                Fill(member.AsSingleSpan(), random);
            }
            else
            {
                Fill(member.AsDoubleSpan(), random);
            }
        }
    }

    /// <summary>A copy of every member's values, for bit-exact before/after comparisons.</summary>
    public double[] Snapshot()
    {
        var values = new System.Collections.Generic.List<double>();
        foreach (float x in Tensors.AsSpan(W1)) values.Add(x);
        foreach (float x in Tensors.AsSpan(B1)) values.Add(x);
        foreach (double x in Tensors.AsSpan(Kernel)) values.Add(x);
        foreach (float x in Tensors.AsSpan(Embedding)) values.Add(x);
        return values.ToArray();
    }

    private static void Fill(Span<float> values, Random random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }
    }

    private static void Fill(Span<double> values, Random random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (random.NextDouble() * 2) - 1;
        }
    }
}

/// <summary>A property that returns another member's array: training it would update that array twice.</summary>
[RmsProp]
public sealed partial class AliasedModel
{
    public float[] Weights = new float[4];

    public float[] SameWeights => Weights;
}

/// <summary>Per-member overrides of the learning rate and weight decay.</summary>
[Adam(LearningRate = 0.01, WeightDecay = 0.1)]
[AdamW(LearningRate = 0.01, WeightDecay = 0.1)]
[Lion(LearningRate = 0.01, WeightDecay = 0.1)]
[NAdam(LearningRate = 0.01, WeightDecay = 0.1)]
[RAdam(LearningRate = 0.01, WeightDecay = 0.1, DecoupledWeightDecay = true)]
[Adamax(LearningRate = 0.01, WeightDecay = 0.1)]
[ScheduleFreeAdamW(LearningRate = 0.01, WeightDecay = 0.1, WarmupSteps = 3)]
[ScheduleFreeSgd(LearningRate = 0.1, WeightDecay = 0.1, WarmupSteps = 3)]
[AdEMAMix(LearningRate = 0.01, WeightDecay = 0.1, AlphaWarmup = 5)]
[Adopt(LearningRate = 0.01, WeightDecay = 0.1, Decouple = true)]
public sealed partial class OverridesModel
{
    public float[] Plain = new float[37];

    [NoWeightDecay]
    public float[] Bias = new float[37];

    [LearningRateScale(0.1)]
    public float[] Slow = new float[37];

    [NoWeightDecay]
    [LearningRateScale(2)]
    public double[] Both = new double[37];
}
