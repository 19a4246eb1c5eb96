using System;
using System.Collections.Generic;
using System.Linq;
using Gen.Benchmarks.Baselines;

namespace Gen.Benchmarks;

/// <summary>
/// Checks, before anything is timed, that every row computes what it claims to, at every configuration
/// and size it is timed at (<see cref="Plan"/>): after four steps (gradients A, B, A, B) from the same
/// start, every parameter and state element is compared with a reference row.
/// <list type="bullet">
/// <item>Against the generated Step (default policy, one thread), bit for bit: the kernel alone (policy
/// Ignore), the parallel Steps (the generated code promises bit-identical results on any number of threads)
/// and the naive loop (same operations in the same order).</item>
/// <item>TensorPrimitives (same math, other roundings): per buffer, within 1e-4 of the buffer's largest value.</item>
/// <item>Precision.Fast: the relative error of one update against the exact kernel's, at most 1e-6
/// (the bound of docs/PRECISION.md).</item>
/// <item>The 2-thread memory roof against the 1-thread one, bit for bit: proof that the two halves
/// cover every element exactly once.</item>
/// <item>The non-finite check alone: NaN, +∞ and −∞ planted one at a time must each be found where they are.</item>
/// <item>The read roof: its XOR of every gradient bit pattern equals a scalar loop's, also after single
/// elements change.</item>
/// </list>
/// The memory and arithmetic roofs do other math on purpose and are not compared with the optimizer.
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

    /// <summary>docs/PRECISION.md: Precision.Fast's relative error of one update, at most.</summary>
    public const double FastRelativeErrorBound = 1e-6;

    public const string BitIdentical = "bit-identical";
    public const string NormWise = "max |Δ| ≤ 1e-4 · max |reference| per buffer";
    public const string OneUpdate = "one update: |Δ| ≤ 1e-6 · |reference|";
    public const string FindsPlanted = "finds each planted NaN/±∞ at its member and index";
    public const string ReadsEvery = "reads every element: XOR of all bits as a scalar loop's, also with changed elements";

    private static readonly Dictionary<(Config, Size), Check[]> s_results = new();

    /// <summary>
    /// One comparison of a row with its reference row. <see cref="Measured"/> is what <see cref="Rule"/>
    /// bounds: differing elements (bit-identical), the worst buffer's share of the tolerance (norm-wise),
    /// or the largest relative error (one update); it passes when at most <see cref="Limit"/>.
    /// </summary>
    public sealed record Check(
        Config Config,
        Size Size,
        RowKind Row,
        RowKind Reference,
        string Rule,
        long Elements,
        long Differing,
        long MaxUlps,
        double MaxAbsolute,
        double Measured,
        double Limit,
        bool Passed)
    {
        public override string ToString() =>
            $"{Config} {Size} {Row} vs {Reference} ({Rule}): {Elements:N0} elements, {Differing:N0} differ, max {MaxUlps} ulps, max |Δ| {MaxAbsolute:G3}, measured {Measured:G3} ≤ {Limit:G3}";
    }

    /// <summary>The checks of every row timed at a configuration and size, run once per process.</summary>
    public static Check[] Run(Config config, Size size)
    {
        lock (s_results)
        {
            if (!s_results.TryGetValue((config, size), out Check[]? checks))
            {
                checks = RunChecks(config, size);
                s_results.Add((config, size), checks);
            }

            return checks;
        }
    }

    /// <summary>Runs <see cref="Run"/>; throws when a row disagrees with its reference.</summary>
    public static void EnsureVerified(Config config, Size size)
    {
        Check? failed = Run(config, size).FirstOrDefault(c => !c.Passed);
        if (failed is not null)
        {
            throw new InvalidOperationException($"A row disagrees with its reference: {failed}");
        }
    }

    private static Check[] RunChecks(Config config, Size size)
    {
        RowKind[] rows = Plan.RowsAt(config, size);
        var checks = new List<Check>();
        IStepRow reference = Stepped(RowKind.Generated, config, size);
        foreach (RowKind row in rows)
        {
            switch (row)
            {
                case RowKind.GeneratedKernel or RowKind.NaiveScalar or RowKind.ParallelGenerated or RowKind.ParallelKernel:
                    checks.Add(Compare(config, size, row, reference, RowKind.Generated, Stepped(row, config, size), BitIdentical));
                    break;
                case RowKind.TensorPrimitives:
                    checks.Add(Compare(config, size, row, reference, RowKind.Generated, Stepped(row, config, size), NormWise));
                    break;
                case RowKind.FastKernel:
                    checks.Add(FastOneUpdate(config, size));
                    break;
                case RowKind.NonFiniteCheck:
                    checks.Add(FindsEveryPlanted(config, size));
                    break;
                case RowKind.ReadRoof:
                    checks.Add(ReadsEveryElement(config, size));
                    break;
                case RowKind.ParallelMemoryRoof or RowKind.MemoryRoofLoadsFirst:
                    checks.Add(Compare(config, size, row, Stepped(RowKind.MemoryRoof, config, size), RowKind.MemoryRoof, Stepped(row, config, size), BitIdentical));
                    break;
                case RowKind.ArithmeticRoofLoadsFirst:
                    checks.Add(Compare(config, size, row, Stepped(RowKind.ArithmeticRoof, config, size), RowKind.ArithmeticRoof, Stepped(row, config, size), BitIdentical));
                    break;
            }
        }

        return checks.ToArray();
    }

    private static IStepRow Stepped(RowKind kind, Config config, Size size)
    {
        IStepRow row = Rows.Create(kind, config, size);
        for (int s = 0; s < Steps; s++)
        {
            row.Step();
        }

        return row;
    }

    /// <summary>Every parameter and state element of <paramref name="candidate"/> against <paramref name="reference"/>.</summary>
    private static Check Compare(Config config, Size size, RowKind row, IStepRow reference, RowKind referenceKind, IStepRow candidate, string rule)
    {
        long elements = 0, differing = 0, maxUlps = 0;
        double maxAbsolute = 0, worstShare = 0;
        for (int k = 0; k < reference.TensorCount; k++)
        {
            var buffers = new List<(float[] Expected, float[] Actual)> { (reference.Parameter(k).ToArray(), candidate.Parameter(k).ToArray()) };
            buffers.AddRange(Workload.StateKeys(config).Select(key => (reference.State(key, k).ToArray(), candidate.State(key, k).ToArray())));
            foreach ((float[] expected, float[] actual) in buffers)
            {
                double scale = 0, worst = 0;
                for (int i = 0; i < expected.Length; i++)
                {
                    elements++;
                    scale = Math.Max(scale, Math.Abs((double)expected[i]));
                    if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                    {
                        differing++;
                    }

                    maxUlps = Math.Max(maxUlps, Ulps(expected[i], actual[i]));
                    double difference = Math.Abs((double)expected[i] - actual[i]);
                    worst = double.IsNaN(difference) ? double.PositiveInfinity : Math.Max(worst, difference);
                }

                maxAbsolute = Math.Max(maxAbsolute, worst);
                worstShare = Math.Max(worstShare, worst / (RelativeTolerance * Math.Max(scale, double.Epsilon)));
            }
        }

        (double measured, double limit) = rule == BitIdentical ? (differing, 0d) : (worstShare, 1d);
        return new Check(config, size, row, referenceKind, rule, elements, differing, maxUlps, maxAbsolute, measured, limit, measured <= limit);
    }

    /// <summary>
    /// Precision.Fast against the exact kernel, one update at a time: both run four steps (their
    /// square_avg and grad_avg do not depend on the precision, so they stay identical), then the
    /// parameters and the momentum buffer are set to 0 in both and one more step runs. What the
    /// parameters hold then is −lr·g/d, or −lr·b with b = g/d, rounded once: the update itself, whose
    /// relative error docs/PRECISION.md bounds by 1e-6.
    /// </summary>
    private static Check FastOneUpdate(Config config, Size size)
    {
        IStepRow exact = Stepped(RowKind.GeneratedKernel, config, size);
        IStepRow fast = Stepped(RowKind.FastKernel, config, size);
        string[] keys = Workload.StateKeys(config);
        foreach (IStepRow row in new[] { exact, fast })
        {
            for (int k = 0; k < row.TensorCount; k++)
            {
                row.Parameter(k).Clear();
                if (keys.Contains("momentum_buffer"))
                {
                    row.State("momentum_buffer", k).Clear();
                }
            }

            row.Step();
        }

        long elements = 0, differing = 0, maxUlps = 0;
        double maxAbsolute = 0, worstRelative = 0;
        for (int k = 0; k < exact.TensorCount; k++)
        {
            Span<float> expected = exact.Parameter(k), actual = fast.Parameter(k);
            for (int i = 0; i < expected.Length; i++)
            {
                elements++;
                if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                {
                    differing++;
                }

                maxUlps = Math.Max(maxUlps, Ulps(expected[i], actual[i]));
                double difference = Math.Abs((double)expected[i] - actual[i]);
                maxAbsolute = Math.Max(maxAbsolute, double.IsNaN(difference) ? double.PositiveInfinity : difference);
                double relative = difference == 0 ? 0 : expected[i] == 0 ? double.PositiveInfinity : difference / Math.Abs((double)expected[i]);
                worstRelative = double.IsNaN(relative) ? double.PositiveInfinity : Math.Max(worstRelative, relative);
            }
        }

        return new Check(config, size, RowKind.FastKernel, RowKind.GeneratedKernel, OneUpdate, elements, differing, maxUlps, maxAbsolute,
            worstRelative, FastRelativeErrorBound, worstRelative <= FastRelativeErrorBound);
    }

    /// <summary>
    /// The non-finite check row: NaN, +∞ and −∞ at the first, middle and last element of every member of
    /// gradient A, one at a time, each found at that member and index; then the workload passes. Differing
    /// counts the misses, Elements the plants.
    /// </summary>
    private static Check FindsEveryPlanted(Config config, Size size)
    {
        var row = (NonFiniteCheckRow)Rows.Create(RowKind.NonFiniteCheck, config, size);
        GradientsBase gradients = row.GradientA;
        long planted = 0, missed = 0;
        for (int k = 0; k < gradients.MemberCount; k++)
        {
            TensorRef tensor = gradients.GetMember(k);
            Span<float> values = tensor.AsSingleSpan();
            foreach (int index in new[] { 0, values.Length / 2, values.Length - 1 })
            {
                float kept = values[index];
                foreach (float value in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                {
                    values[index] = value;
                    bool found = gradients.TryFindNonFinite(out string? member, out int at);
                    values[index] = kept;
                    planted++;
                    if (!found || member != tensor.Name || at != index)
                    {
                        missed++;
                    }
                }
            }
        }

        if (!gradients.AllFinite())
        {
            missed++;
        }

        return new Check(config, size, RowKind.NonFiniteCheck, RowKind.NonFiniteCheck, FindsPlanted, planted, missed, 0, 0, missed, 0, missed == 0);
    }

    /// <summary>
    /// The read roof's result, the XOR of every bit pattern of gradient A, against a scalar loop's: as
    /// filled, then with the first, middle and last element of each tensor changed, one at a time (a
    /// register or tail that skipped an element would miss its change). Elements counts the results
    /// compared, Differing the mismatches.
    /// </summary>
    private static Check ReadsEveryElement(Config config, Size size)
    {
        var row = (ReadRoofRow)Rows.Create(RowKind.ReadRoof, config, size);
        Array[] gradients = row.GradientA;
        long compared = 0, mismatched = 0;

        void CompareWithScalarLoop()
        {
            int expected = 0;
            foreach (Array gradient in gradients)
            {
                foreach (float value in Roofs.Elements(gradient))
                {
                    expected ^= BitConverter.SingleToInt32Bits(value);
                }
            }

            row.Step();   // gradient A: the row has taken an even number of steps
            compared++;
            if (row.Bits != expected)
            {
                mismatched++;
            }

            row.Step();   // gradient B, so that the next step reads A again
        }

        CompareWithScalarLoop();
        foreach (Array array in gradients)
        {
            int length = array.Length;
            foreach (int index in new[] { 0, length / 2, length - 1 })
            {
                Span<float> gradient = Roofs.Elements(array);
                float kept = gradient[index];
                gradient[index] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(kept) ^ 0x0055_AA01);
                CompareWithScalarLoop();
                Roofs.Elements(array)[index] = kept;
            }
        }

        return new Check(config, size, RowKind.ReadRoof, RowKind.ReadRoof, ReadsEvery, compared, mismatched, 0, 0, mismatched, 0, mismatched == 0);
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
    /// process, so where a benchmark runs few operations per iteration (16M: 4) a stray allocation
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
    /// patterns, for the cross-check with PyTorch (benchmarks/peers/torch_optim.py writes the same).
    /// </summary>
    public static int[] MlpParameterBits(Config config)
    {
        IStepRow row = Stepped(RowKind.Generated, config, Size.Mlp);
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
