using System;
using System.Collections.Generic;

namespace Gen.Benchmarks;

/// <summary>The parameter counts benchmarked. The names are what BenchmarkDotNet prints.</summary>
public enum Size
{
    /// <summary>4,096 parameters: p, g and v fit in L2 (48 KiB; Zen 4's L1d is 32 KiB).</summary>
    P4K,

    /// <summary>65,536 parameters: 256 KiB per array, L2.</summary>
    P64K,

    /// <summary>1,048,576 parameters: 4 MiB per array, L3.</summary>
    P1M,

    /// <summary>16,777,216 parameters: 64 MiB per array, DRAM.</summary>
    P16M,

    /// <summary>The small MLP of <see cref="SmallMlp"/>: 8 tensors, 8,484 parameters.</summary>
    Mlp,
}

/// <summary>Which of the two generated optimizers (and the matching baselines) runs.</summary>
public enum Config
{
    /// <summary>PyTorch's defaults: lr 0.01, alpha 0.99, eps 1e-8.</summary>
    Plain,

    /// <summary>The defaults with centered = True and momentum = 0.9.</summary>
    CenteredMomentum,
}

/// <summary>Shapes and deterministic data shared by every row, and by benchmarks/peers/torch_rmsprop.py.</summary>
public static class Workload
{
    public const float LearningRate = 0.01f;
    public const float Alpha = 0.99f;
    public const float OneMinusAlpha = 0.01f;   // (float)(1 - 0.99), as the generator rounds it
    public const float Epsilon = 1E-08f;
    public const float Momentum = 0.9f;

    /// <summary>The tensor lengths of a size, in declaration order.</summary>
    public static int[] Lengths(Size size) => size switch
    {
        Size.P4K => new[] { 4_096 },
        Size.P64K => new[] { 65_536 },
        Size.P1M => new[] { 1_048_576 },
        Size.P16M => new[] { 16_777_216 },
        Size.Mlp => new[] { 32 * 64, 64, 64 * 64, 64, 64 * 32, 32, 32 * 4, 4 },
        _ => throw new ArgumentOutOfRangeException(nameof(size)),
    };

    public static long ParameterCount(Size size)
    {
        long total = 0;
        foreach (int length in Lengths(size))
        {
            total += length;
        }

        return total;
    }

    /// <summary>
    /// Initial parameter k: values in [-1, 1) from a counter hash, identical in C# and in the Python
    /// peer (uint32 arithmetic, then a double rounded once to float).
    /// </summary>
    public static void FillParameter(Span<float> destination, int tensor) => Fill(destination, (uint)(1 + 10 * tensor), 1f);

    /// <summary>Gradient A of tensor k; gradient B is its negation.</summary>
    /// <remarks>
    /// Steps alternate A, B, A, B, ... With one fixed gradient the centered variance v − m² would
    /// decay to rounding noise within a few thousand steps and turn into NaN; with ±g it stays near
    /// g², so every step runs on ordinary numbers (no NaN, no subnormals) however long it runs.
    /// </remarks>
    public static void FillGradient(Span<float> destination, int tensor, bool negate) => Fill(destination, (uint)(2 + 10 * tensor), negate ? -1f : 1f);

    private static void Fill(Span<float> destination, uint seed, float sign)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = sign * Value((uint)i, seed);
        }
    }

    /// <summary>MurmurHash3's finalizer of i + seed·φ, as a float in [-1, 1).</summary>
    public static float Value(uint index, uint seed)
    {
        uint h = unchecked(index + seed * 0x9E3779B9u);
        h ^= h >> 16;
        h = unchecked(h * 0x85EBCA6Bu);
        h ^= h >> 13;
        h = unchecked(h * 0xC2B2AE35u);
        h ^= h >> 16;
        return (float)(2.0 * (h / 4294967296.0) - 1.0);
    }

    public static IReadOnlyList<Size> AllSizes { get; } = new[] { Size.P4K, Size.P64K, Size.P1M, Size.P16M, Size.Mlp };
}
