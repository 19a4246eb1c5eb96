using System;

namespace Gen.Optimizers.Tests;

/// <summary>Deterministic inputs: parameters in [-1, 1], gradients of mixed scale with some exact zeros.</summary>
internal static class TestData
{
    public static double[] Parameters(Random random, int length)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (random.NextDouble() * 2) - 1;
        }

        return values;
    }

    public static double[] Gradients(Random random, int length)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            double scale = random.Next(8) switch { 0 => 0, 1 => 1e-3, 2 => 10, _ => 1 };
            values[i] = normal * scale;
        }

        return values;
    }

    public static float[] ToSingle(double[] values) => Array.ConvertAll(values, v => (float)v);

    public static double[] RoundToSingle(double[] values) => Array.ConvertAll(values, v => (double)(float)v);
}
