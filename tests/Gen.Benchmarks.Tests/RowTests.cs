using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace Gen.Benchmarks.Tests;

/// <summary>
/// Every row that benchmarks/Gen.Benchmarks times computes what it claims, at every configuration and size of its plan
/// but 16M (the same code paths as 1M, main loop and tails alike, with 16 times the memory: about 0.8 GB for a centered +
/// momentum pair). Rows step from the same start with gradients A, B, A, B; then every parameter and state element is
/// compared with a reference row.
/// </summary>
public sealed class RowTests
{
    private const int Steps = 4;

    public static TheoryData<Config, Size> Timed => Data(Workload.RmsPropConfigs.Concat(Workload.FamilyConfigs));

    public static TheoryData<Config, Size> TimedRmsProp => Data(Workload.RmsPropConfigs);

    public static TheoryData<Size> Sizes => new(Workload.AllSizes.Where(s => s != Size.P16M));

    /// <summary>NonFinitePolicy.Ignore only skips the check: the kernel alone gives the same bits as the Step users call.</summary>
    [Theory]
    [MemberData(nameof(Timed))]
    public void KernelMatchesStepBitForBit(Config config, Size size) =>
        AssertBitIdentical(config, Stepped(RowKind.Generated, config, size), Stepped(RowKind.GeneratedKernel, config, size));

    /// <summary>The Vector&lt;T&gt; kernels (Gen.Benchmarks.Portable) compute the intrinsics kernels' bits: the row times the same update.</summary>
    [Theory]
    [MemberData(nameof(TimedRmsProp))]
    public void PortableKernelMatchesTheKernelBitForBit(Config config, Size size) =>
        AssertBitIdentical(config, Stepped(RowKind.GeneratedKernel, config, size), Stepped(RowKind.PortableKernel, config, size));

    /// <summary>
    /// Every roof, in both loop shapes, does its whole traffic and math: after one step with gradient A the memory roof has
    /// added g to the parameter and to every state buffer (zero at the start), the arithmetic roof has added g/√v (Adam's:
    /// g/√v/v) to the parameter and stored every state buffer back unchanged. One step, since over an even number of steps ±g cancel, and a
    /// skipped store would go unseen.
    /// </summary>
    [Theory]
    [MemberData(nameof(Timed))]
    public void RoofsDoTheirTrafficAndMath(Config config, Size size)
    {
        RowKind[] roofs = { RowKind.MemoryRoof, RowKind.MemoryRoofLoadsFirst, RowKind.ArithmeticRoof, RowKind.ArithmeticRoofLoadsFirst };
        string? root = Workload.RootKey(config);
        foreach (RowKind kind in roofs.Take(root is null ? 2 : 4))
        {
            var roof = (IUpdateRow)Rows.Create(kind, config, size);
            string[] keys = Workload.StateKeys(config);
            float[][] p0 = Enumerable.Range(0, roof.TensorCount).Select(k => roof.Parameter(k).ToArray()).ToArray();
            float[][] v = Enumerable.Range(0, roof.TensorCount).Select(k => roof.State(root ?? keys[0], k).ToArray()).ToArray();
            roof.Step();
            for (int k = 0; k < roof.TensorCount; k++)
            {
                float[] g = new float[v[k].Length];
                Workload.FillGradient(g, k, negate: false);
                bool memory = kind is RowKind.MemoryRoof or RowKind.MemoryRoofLoadsFirst;
                float[] p = memory ? p0[k].Zip(g, (a, b) => a + b).ToArray() : p0[k].Select((a, i) => a + (Workload.Divisions(config) == 2 ? g[i] / MathF.Sqrt(v[k][i]) / v[k][i] : g[i] / MathF.Sqrt(v[k][i]))).ToArray();
                AssertEqualBits(p, roof.Parameter(k), $"{kind} {config} {size} parameter {k}");
                foreach (string key in keys)
                {
                    float[] expected = memory ? g : key == root ? v[k] : new float[g.Length];
                    AssertEqualBits(expected, roof.State(key, k), $"{kind} {config} {size} {key} {k}");
                }
            }
        }
    }

    /// <summary>
    /// TensorPrimitives rounds differently (Lerp; g/d·lr), and the differences grow through the steps, most where the
    /// momentum buffer cancels; elementwise they mean nothing where a value crosses 0. So per buffer, max |Δ| ≤ 1e-4 · max
    /// |reference| (measured: under 1e-5). A wrong rate, decay, centering or momentum term is off by 1e-2 or more.
    /// </summary>
    [Theory]
    [MemberData(nameof(TimedRmsProp))]
    public void TensorPrimitivesAgreesWithStep(Config config, Size size)
    {
        IUpdateRow expected = Stepped(RowKind.Generated, config, size), actual = Stepped(RowKind.TensorPrimitives, config, size);
        foreach ((string name, float[] e, float[] a) in Buffers(config, expected, actual))
        {
            double worst = e.Zip(a, (x, y) => Math.Abs((double)x - y)).Max(), scale = e.Max(x => Math.Abs((double)x));
            Assert.True(worst <= 1e-4 * scale, $"{config} {size} {name}: max |Δ| {worst:G3} > 1e-4 · {scale:G3}");
        }
    }

    /// <summary>
    /// Precision.Fast, one update at a time: after four steps (square_avg and grad_avg do not depend on the precision) the
    /// parameters and the momentum buffer are zeroed in both and one more step runs, so the parameters hold the update
    /// itself, whose relative error docs/PRECISION.md bounds by 1e-6 (measured here: 4.1e-7).
    /// </summary>
    [Theory]
    [MemberData(nameof(TimedRmsProp))]
    public void FastIsWithinItsBoundOfOneExactUpdate(Config config, Size size)
    {
        IUpdateRow exact = Stepped(RowKind.GeneratedKernel, config, size), fast = Stepped(RowKind.FastKernel, config, size);
        foreach (IUpdateRow row in new[] { exact, fast })
        {
            for (int k = 0; k < row.TensorCount; k++)
            {
                row.Parameter(k).Clear();
                if (config == Config.CenteredMomentum)
                {
                    row.State("momentum_buffer", k).Clear();
                }
            }

            row.Step();
        }

        for (int k = 0; k < exact.TensorCount; k++)
        {
            float[] e = exact.Parameter(k).ToArray(), f = fast.Parameter(k).ToArray();
            double worst = e.Zip(f, (x, y) => x == y ? 0 : Math.Abs((double)x - y) / Math.Abs((double)x)).Max();
            Assert.True(worst <= 1e-6, $"{config} {size} tensor {k}: relative error {worst:G3} > 1e-6");
        }
    }

    /// <summary>The read roof reads every element: its XOR of all bit patterns is a scalar loop's, also after the first, middle or last element of a tensor changes.</summary>
    [Theory]
    [MemberData(nameof(Sizes))]
    public void ReadRoofReadsEveryElement(Size size)
    {
        var row = (ReadRoofRow)Rows.Create(RowKind.ReadRoof, Config.Plain, size);
        void AssertMatchesScalarLoop(string what)
        {
            row.Step();   // gradient A: the row has taken an even number of steps
            int expected = row.GradientA.SelectMany(a => Roofs.Elements(a).ToArray()).Aggregate(0, (bits, x) => bits ^ BitConverter.SingleToInt32Bits(x));
            Assert.True(expected == row.Bits, $"{size}, {what}: the read roof's XOR is {row.Bits:X8}, a scalar loop's {expected:X8}.");
            row.Step();   // gradient B, so that the next step reads A again
        }

        AssertMatchesScalarLoop("as filled");
        foreach (Array array in row.GradientA)
        {
            foreach (int index in new[] { 0, array.Length / 2, array.Length - 1 })
            {
                float kept = Roofs.Elements(array)[index];
                Roofs.Elements(array)[index] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(kept) ^ 0x0055_AA01);
                AssertMatchesScalarLoop($"element {index} changed");
                Roofs.Elements(array)[index] = kept;
            }
        }
    }

    private static TheoryData<Config, Size> Data(IEnumerable<Config> configs)
    {
        var data = new TheoryData<Config, Size>();
        foreach ((Config config, Size size) in Plan.Cases().Where(c => configs.Contains(c.Config) && c.Size != Size.P16M).Select(c => (c.Config, c.Size)).Distinct())
        {
            data.Add(config, size);
        }

        return data;
    }

    private static IUpdateRow Stepped(RowKind kind, Config config, Size size)
    {
        var row = (IUpdateRow)Rows.Create(kind, config, size);
        for (int s = 0; s < Steps; s++)
        {
            row.Step();
        }

        return row;
    }

    /// <summary>Every parameter and state buffer of two rows, tensor by tensor: (name, expected, actual).</summary>
    private static IEnumerable<(string Name, float[] Expected, float[] Actual)> Buffers(Config config, IUpdateRow expected, IUpdateRow actual)
    {
        Assert.Equal(expected.TensorCount, actual.TensorCount);
        for (int k = 0; k < expected.TensorCount; k++)
        {
            yield return ($"parameter {k}", expected.Parameter(k).ToArray(), actual.Parameter(k).ToArray());
            foreach (string key in Workload.StateKeys(config))
            {
                yield return ($"{key} {k}", expected.State(key, k).ToArray(), actual.State(key, k).ToArray());
            }
        }
    }

    private static void AssertBitIdentical(Config config, IUpdateRow expected, IUpdateRow actual)
    {
        foreach ((string name, float[] e, float[] a) in Buffers(config, expected, actual))
        {
            AssertEqualBits(e, a, $"{config} {name}");
        }
    }

    private static void AssertEqualBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R}.");
            }
        }
    }
}
