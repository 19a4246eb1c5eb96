using System;
using System.Collections.Generic;

namespace Gen.Benchmarks;

/// <summary>The parameter counts benchmarked. The names are what BenchmarkDotNet prints.</summary>
public enum Size
{
    /// <summary>4,096 parameters: p, g and v are 48 KiB, Zen 5's whole L1d (Zen 4's is 32 KiB: L2 there).</summary>
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

/// <summary>
/// Every optimizer configuration benchmarked: the two RMSProp configurations that every row kind
/// runs, and the optimizer family (one configuration each, PyTorch's defaults unless stated).
/// </summary>
public enum Config
{
    /// <summary>RMSProp, PyTorch's defaults: lr 0.01, alpha 0.99, eps 1e-8.</summary>
    Plain,

    /// <summary>RMSProp, the defaults with centered = True and momentum = 0.9.</summary>
    CenteredMomentum,

    /// <summary>SGD with lr 0.01 and momentum 0.9 (dampening 0, no Nesterov).</summary>
    SgdMomentum,

    /// <summary>Adagrad, defaults: lr 0.01, eps 1e-10.</summary>
    Adagrad,

    /// <summary>Adam, defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8.</summary>
    Adam,

    /// <summary>AdamW, defaults: Adam's, with decoupled weight decay 0.01.</summary>
    AdamW,

    /// <summary>Adadelta, defaults: lr 1.0, rho 0.9, eps 1e-6.</summary>
    Adadelta,

    /// <summary>Lion, defaults: lr 1e-4, betas (0.9, 0.99). PyTorch 1.13 has no Lion.</summary>
    Lion,
}

/// <summary>
/// The memory traffic of one update per element: streams only read (the gradient) and streams read
/// and written (the parameter and every state buffer). A memory roof with the same counts moves the
/// same bytes.
/// </summary>
public readonly record struct Traffic(int ReadOnly, int ReadWrite)
{
    /// <summary>Bytes moved per float32 element and step: one load per stream, one store per read-write stream.</summary>
    public int BytesPerElement => 4 * (ReadOnly + 2 * ReadWrite);
}

/// <summary>Shapes and deterministic data shared by every row, and by benchmarks/peers/torch_optim.py.</summary>
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

    /// <summary>The RMSProp configurations: every row kind, every size.</summary>
    public static IReadOnlyList<Config> RmsPropConfigs { get; } = new[] { Config.Plain, Config.CenteredMomentum };

    /// <summary>The optimizer family: generated kernel, memory roof and PyTorch.</summary>
    public static IReadOnlyList<Config> FamilyConfigs { get; } = new[] { Config.SgdMomentum, Config.Adagrad, Config.Adam, Config.AdamW, Config.Adadelta, Config.Lion };

    public static bool IsRmsProp(Config config) => config is Config.Plain or Config.CenteredMomentum;

    /// <summary>What one update reads and writes per element (the generated kernels load and store exactly these).</summary>
    public static Traffic TrafficOf(Config config) => config switch
    {
        Config.Plain => new(1, 2),              // g / p, square_avg
        Config.CenteredMomentum => new(1, 4),   // g / p, square_avg, grad_avg, momentum_buffer
        Config.SgdMomentum => new(1, 2),        // g / p, momentum_buffer
        Config.Adagrad => new(1, 2),            // g / p, sum
        Config.Adam or Config.AdamW => new(1, 3),   // g / p, exp_avg, exp_avg_sq
        Config.Adadelta => new(1, 3),           // g / p, square_avg, acc_delta
        Config.Lion => new(1, 2),               // g / p, exp_avg
        _ => throw new ArgumentOutOfRangeException(nameof(config)),
    };

    /// <summary>The state buffers by PyTorch's names, in the order the roofs keep them.</summary>
    public static string[] StateKeys(Config config) => config switch
    {
        Config.Plain => new[] { "square_avg" },
        Config.CenteredMomentum => new[] { "square_avg", "grad_avg", "momentum_buffer" },
        Config.SgdMomentum => new[] { "momentum_buffer" },
        Config.Adagrad => new[] { "sum" },
        Config.Adam or Config.AdamW => new[] { "exp_avg", "exp_avg_sq" },
        Config.Adadelta => new[] { "square_avg", "acc_delta" },
        Config.Lion => new[] { "exp_avg" },
        _ => throw new ArgumentOutOfRangeException(nameof(config)),
    };

    /// <summary>
    /// The <c>ParallelThreshold</c> of the parallel rows: the optimizer's default (262,144) at 1M and 16M,
    /// as a user gets it. Only the dry run uses a smaller size (64K), where half the length makes both
    /// threads run, so that the dry run exercises the parallel path at all.
    /// </summary>
    public static int ParallelThreshold(Size size) => Math.Min(DefaultParallelThreshold, Lengths(size)[0] / 2);

    /// <summary><c>Optimizer.ParallelThreshold</c>'s default.</summary>
    public const int DefaultParallelThreshold = 1 << 18;

    /// <summary>Degree of the parallel rows: the machine this suite is written for has 2 cores.</summary>
    public const int ParallelDegree = 2;

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
