using System;
using System.Collections.Generic;
using System.Linq;

namespace Gen.Benchmarks;

/// <summary>
/// Checks, before anything is timed, that the baselines compute what the generated optimizer
/// computes: after four steps (gradients A, B, A, B) from the same start, the naive scalar loop must
/// match it bit for bit (same operations, same order) and the TensorPrimitives composition within
/// 1e-4 of each buffer's largest value (same math, other roundings). Every parameter and state element is compared. The
/// roofs do other math on purpose and are not compared.
/// </summary>
public static class Verification
{
    public const int Steps = 4;

    /// <summary>
    /// TensorPrimitives rounds differently (Lerp, g/d·lr), and the differences grow through the
    /// steps, most where the momentum buffer cancels (0.9·10 − 7); elementwise they are meaningless
    /// where a value crosses 0 (many ulps for 1e-9). So the check is norm-wise, per buffer:
    /// max |a − b| ≤ 1e-4 · max |a|. Measured here: under 1e-5 after four steps. A wrong learning
    /// rate, decay, centering or momentum term is off by 1e-2 or more; a misplaced eps (1e-8)
    /// would not show, which is why the naive loop must match bit for bit and the composition is
    /// reviewed by reading.
    /// </summary>
    public const double RelativeTolerance = 1e-4;

    private static readonly Dictionary<(Config, Size), Result> s_results = new();

    public sealed record Result(
        Config Config,
        Size Size,
        long Elements,
        bool ScalarBitIdentical,
        long ScalarMismatches,
        long TensorPrimitivesMaxUlps,
        double TensorPrimitivesMaxAbsolute,
        double TensorPrimitivesToleranceUsed,
        bool Passed);

    /// <summary>The check for a configuration and size, run once per process.</summary>
    public static Result Check(Config config, Size size)
    {
        lock (s_results)
        {
            if (!s_results.TryGetValue((config, size), out Result? result))
            {
                result = Run(config, size);
                s_results.Add((config, size), result);
            }

            return result;
        }
    }

    /// <summary>Runs <see cref="Check"/>; throws when the baselines disagree with the generated optimizer.</summary>
    public static void EnsureVerified(Config config, Size size)
    {
        Result result = Check(config, size);
        if (!result.Passed)
        {
            throw new InvalidOperationException($"Baselines disagree with the generated optimizer: {result}");
        }
    }

    public static Result Run(Config config, Size size)
    {
        IStepRow generated = Rows.Create(RowKind.Generated, config, size);
        IStepRow scalar = Rows.Create(RowKind.NaiveScalar, config, size);
        IStepRow primitives = Rows.Create(RowKind.TensorPrimitives, config, size);
        foreach (IStepRow row in new[] { generated, scalar, primitives })
        {
            for (int s = 0; s < Steps; s++)
            {
                row.Step();
            }
        }

        string[] keys = config == Config.Plain
            ? new[] { "square_avg" }
            : new[] { "square_avg", "grad_avg", "momentum_buffer" };
        long elements = 0, scalarMismatches = 0, maxUlps = 0;
        double maxAbsolute = 0, maxToleranceUsed = 0;
        for (int k = 0; k < generated.TensorCount; k++)
        {
            var pairs = new List<(float[] Expected, float[] Scalar, float[] Primitives)>
            {
                (generated.Parameter(k).ToArray(), scalar.Parameter(k).ToArray(), primitives.Parameter(k).ToArray()),
            };
            pairs.AddRange(keys.Select(key => (generated.State(key, k).ToArray(), scalar.State(key, k).ToArray(), primitives.State(key, k).ToArray())));
            foreach ((float[] expected, float[] fromScalar, float[] fromPrimitives) in pairs)
            {
                double scale = 0, worst = 0;
                foreach (float value in expected)
                {
                    scale = Math.Max(scale, Math.Abs((double)value));
                }

                for (int i = 0; i < expected.Length; i++)
                {
                    elements++;
                    if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(fromScalar[i]))
                    {
                        scalarMismatches++;
                    }

                    maxUlps = Math.Max(maxUlps, Ulps(expected[i], fromPrimitives[i]));
                    double difference = Math.Abs((double)expected[i] - fromPrimitives[i]);
                    maxAbsolute = Math.Max(maxAbsolute, difference);
                    worst = double.IsNaN(difference) ? double.PositiveInfinity : Math.Max(worst, difference);
                }

                maxToleranceUsed = Math.Max(maxToleranceUsed, worst / (RelativeTolerance * Math.Max(scale, double.Epsilon)));
            }
        }

        bool passed = scalarMismatches == 0 && maxToleranceUsed <= 1;
        return new Result(config, size, elements, scalarMismatches == 0, scalarMismatches, maxUlps, maxAbsolute, maxToleranceUsed, passed);
    }

    /// <summary>Distance in units in the last place between two finite floats (of either sign).</summary>
    public static long Ulps(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b))
        {
            return float.IsNaN(a) && float.IsNaN(b) ? 0 : long.MaxValue;
        }

        static long Ordered(float x)
        {
            int bits = BitConverter.SingleToInt32Bits(x);
            return bits < 0 ? int.MinValue - (long)bits : bits;
        }

        return Math.Abs(Ordered(a) - Ordered(b));
    }

    /// <summary>
    /// Managed bytes the generated optimizer's <c>Step</c> allocates, per step, counted on the calling
    /// thread only (<see cref="GC.GetAllocatedBytesForCurrentThread"/>) after a warm-up long enough for
    /// tiered compilation to finish. BenchmarkDotNet's MemoryDiagnoser counts every thread of the
    /// process, so where a benchmark runs few operations per iteration (16M: ~10) a stray allocation
    /// elsewhere in the process shows up as bytes per operation; this count cannot.
    /// </summary>
    public static double GeneratedBytesPerStep(Config config, Size size)
    {
        IStepRow row = Rows.Create(RowKind.Generated, config, size);
        bool large = Workload.ParameterCount(size) > 1_000_000;
        int warmup = large ? 60 : 2_000, measured = large ? 20 : 10_000;
        for (int s = 0; s < warmup; s++)
        {
            row.Step();
        }

        System.Threading.Thread.Sleep(200);   // let the tiered JIT install the optimized code
        for (int s = 0; s < warmup; s++)
        {
            row.Step();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int s = 0; s < measured; s++)
        {
            row.Step();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)measured;
    }

    /// <summary>
    /// The generated optimizer's parameters after <see cref="Steps"/> steps on the MLP, as float bit
    /// patterns, for the cross-check with PyTorch (benchmarks/peers/torch_rmsprop.py writes the same).
    /// </summary>
    public static int[] MlpParameterBits(Config config, RowKind kind)
    {
        IStepRow row = Rows.Create(kind, config, Size.Mlp);
        for (int s = 0; s < Steps; s++)
        {
            row.Step();
        }

        var bits = new List<int>();
        for (int k = 0; k < row.TensorCount; k++)
        {
            foreach (float value in row.Parameter(k))
            {
                bits.Add(BitConverter.SingleToInt32Bits(value));
            }
        }

        return bits.ToArray();
    }
}
