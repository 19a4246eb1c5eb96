using System;
using Gen.__Internals;

namespace Gen.Schedules.Tests;

/// <summary>A small model with a generated RMSProp optimizer, for schedules attached to a real optimizer.</summary>
[RmsProp(LearningRate = 0.01)]
public sealed partial class TinyModel
{
    public float[] Weights = new float[37];

    public double[,] Matrix = new double[3, 5];

    /// <summary>A model with deterministic values in [-1, 1].</summary>
    public static TinyModel Create(int seed)
    {
        var random = new Random(seed);
        var model = new TinyModel();
        Fill(Tensors.AsSpan(model.Weights), random);
        Fill(Tensors.AsSpan(model.Matrix), random);
        return model;
    }

    /// <summary>Fills every gradient with deterministic values in [-1, 1].</summary>
    public static void Fill(Gradients gradients, Random random)
    {
        Fill(Tensors.AsSpan(gradients.Weights), random);
        Fill(Tensors.AsSpan(gradients.Matrix), random);
    }

    /// <summary>Every parameter, for bit-exact comparisons.</summary>
    public double[] Snapshot()
    {
        var values = new double[Weights.Length + Matrix.Length];
        int i = 0;
        foreach (float x in Weights)
        {
            values[i++] = x;
        }

        foreach (double x in Tensors.AsSpan(Matrix))
        {
            values[i++] = x;
        }

        return values;
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
