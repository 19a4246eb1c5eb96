using System;
using System.Collections.Generic;
using System.Linq;

namespace Gen.Runtime.Tests;

/// <summary>Deterministic data and bit-level snapshots for the tests.</summary>
internal static class TestData
{
    /// <summary>Every length 0..49 (each SIMD width's main loop, narrower-width remainder and scalar tail) and a few large ones.</summary>
    public static readonly int[] Lengths = Enumerable.Range(0, 50).Concat(new[] { 257, 1000, 4099, 65_537 }).ToArray();

    /// <summary>Gradients of a <see cref="SingleVector"/> holding exactly <paramref name="values"/> (the constructor alone gives zeros).</summary>
    public static SingleVector.Gradients SingleGradients(float[] values) =>
        new(new SingleVector { P = new float[values.Length] }) { P = values };

    /// <summary>Gradients of a <see cref="DoubleVector"/> holding exactly <paramref name="values"/>.</summary>
    public static DoubleVector.Gradients DoubleGradients(double[] values) =>
        new(new DoubleVector { P = new double[values.Length] }) { P = values };

    /// <summary>Standard normal values times <paramref name="scale"/>; about one in eight is exactly zero.</summary>
    public static void Fill(Span<float> values, Random random, double scale)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)Next(random, scale);
        }
    }

    /// <inheritdoc cref="Fill(Span{float}, Random, double)"/>
    public static void Fill(Span<double> values, Random random, double scale)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Next(random, scale);
        }
    }

    /// <summary>Fills every member of <paramref name="gradients"/>.</summary>
    public static void Fill(GradientsBase gradients, Random random, double scale = 1)
    {
        for (int i = 0; i < gradients.MemberCount; i++)
        {
            TensorRef member = gradients.GetMember(i);
            if (member.Element == TensorElement.Single)
            {
                Fill(member.AsSingleSpan(), random, scale);
            }
            else
            {
                Fill(member.AsDoubleSpan(), random, scale);
            }
        }
    }

    /// <summary>The raw bits of every element (float bits widened to long), so NaN payloads and −0 compare exactly.</summary>
    public static long[] Bits(TensorRef tensor) => tensor.Element == TensorElement.Single
        ? tensor.AsSingleSpan().ToArray().Select(x => (long)BitConverter.SingleToInt32Bits(x)).ToArray()
        : tensor.AsDoubleSpan().ToArray().Select(BitConverter.DoubleToInt64Bits).ToArray();

    /// <summary>Bits of every member of a gradient container, in declaration order.</summary>
    public static long[][] Bits(GradientsBase gradients) =>
        Enumerable.Range(0, gradients.MemberCount).Select(i => Bits(gradients.GetMember(i))).ToArray();

    /// <summary>Bits of every trainable member of a model.</summary>
    public static long[][] Bits(ITrainable model) =>
        Enumerable.Range(0, model.ParameterCount).Select(i => Bits(model.GetParameter(i))).ToArray();

    /// <summary>Bits of every state buffer of an optimizer, in GetState order.</summary>
    public static long[][] StateBits<TGradients>(Optimizer<TGradients> optimizer)
        where TGradients : GradientsBase =>
        Enumerable.Range(0, optimizer.StateCount).Select(i => Bits(optimizer.GetState(i).Buffer)).ToArray();

    /// <summary>Every element of a member as a double (exact for float).</summary>
    public static double[] Values(TensorRef tensor) => tensor.Element == TensorElement.Single
        ? tensor.AsSingleSpan().ToArray().Select(x => (double)x).ToArray()
        : tensor.AsDoubleSpan().ToArray();

    /// <summary>Every element of every member, flattened in declaration order, as doubles.</summary>
    public static double[] Values(GradientsBase gradients) =>
        Enumerable.Range(0, gradients.MemberCount).SelectMany(i => Values(gradients.GetMember(i))).ToArray();

    /// <summary>Asserts two bit snapshots are equal, naming the first member and element that differ.</summary>
    public static void AssertSameBits(long[][] expected, long[][] actual, string what)
    {
        Xunit.Assert.Equal(expected.Length, actual.Length);
        for (int m = 0; m < expected.Length; m++)
        {
            Xunit.Assert.True(expected[m].Length == actual[m].Length, $"{what}: member {m} has {actual[m].Length} elements, expected {expected[m].Length}.");
            for (int i = 0; i < expected[m].Length; i++)
            {
                if (expected[m][i] != actual[m][i])
                {
                    Xunit.Assert.Fail($"{what}: member {m}, element {i}: bits {actual[m][i]:X}, expected {expected[m][i]:X}.");
                }
            }
        }
    }

    /// <summary>A seed that is the same in every process (string.GetHashCode is not).</summary>
    public static int StableSeed(string text, int salt)
    {
        int hash = salt;
        foreach (char c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }

    private static double Next(Random random, double scale)
    {
        if (random.Next(8) == 0)
        {
            return 0;
        }

        double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return normal * scale;
    }
}
