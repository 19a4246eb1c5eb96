using System;
using Gen.__Internals;

namespace Gen.Runtime.Tests;

/// <summary>One float vector of any length: the SIMD length sweeps run on it.</summary>
[RmsProp]
public sealed partial class SingleVector
{
    public float[] P = Array.Empty<float>();
}

/// <summary>One double vector of any length.</summary>
[RmsProp]
public sealed partial class DoubleVector
{
    public double[] P = Array.Empty<double>();
}

/// <summary>A model like a user's: several ranks, float and double, a property, a frozen member, two optimizers.</summary>
[RmsProp(Name = "Plain")]
[RmsProp(Name = "Full", Centered = true, Momentum = 0.9, WeightDecay = 0.01)]
public sealed partial class MixedModel
{
    public float[,] W1 = new float[16, 32];

    public float[] B1 { get; set; } = new float[33];

    public double[,,] Kernel = new double[2, 3, 5];

    [Frozen]
    public float[] Embedding = new float[10];

    /// <summary>A model with every member filled with deterministic values in [-1, 1].</summary>
    public static MixedModel Create(int seed)
    {
        var random = new Random(seed);
        var model = new MixedModel();
        TestData.Fill(Tensors.AsSpan(model.W1), random, 1);
        TestData.Fill(Tensors.AsSpan(model.B1), random, 1);
        TestData.Fill(Tensors.AsSpan(model.Kernel), random, 1);
        TestData.Fill(Tensors.AsSpan(model.Embedding), random, 1);
        return model;
    }
}

/// <summary>The shapes of the PyTorch clipping cases, float32.</summary>
[RmsProp]
public sealed partial class ClipSingle
{
    public float[] A = new float[37];

    public float[,] B = new float[3, 5];
}

/// <summary>The shapes of the PyTorch clipping cases, float64.</summary>
[RmsProp]
public sealed partial class ClipDouble
{
    public double[] A = new double[37];

    public double[,] B = new double[3, 5];
}

/// <summary>The shapes of the PyTorch clipping cases, float32 A and float64 B.</summary>
[RmsProp]
public sealed partial class ClipMixed
{
    public float[] A = new float[37];

    public double[,] B = new double[3, 5];
}
