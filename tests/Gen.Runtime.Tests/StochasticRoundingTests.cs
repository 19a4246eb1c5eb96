using System;
using System.Numerics;
using Gen.__Internals;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// Stochastic rounding of both 16-bit formats: the random bits are the documented counter-based ones, the result
/// is always one of the two neighbors of the value (exact values unchanged), the same stream and index give the
/// same bits on every path, and the rounding is unbiased. CI runs this class again under each SIMD setting.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class StochasticRoundingTests
{
    [Fact]
    public void BitsAreLowbias32OfStreamPlusIndex()
    {
        var random = new Random(201);
        for (int i = 0; i < 10_000; i++)
        {
            uint stream = (uint)random.Next() ^ ((uint)random.Next(2) << 31);
            uint index = (uint)random.Next();
            Assert.Equal(Lowbias32(unchecked(stream + index)), StochasticRounding.Bits(stream, index));
        }

        Assert.Equal(0U, StochasticRounding.Bits(0, 0));
        Assert.Equal(StochasticRounding.Bits(5, 7), StochasticRounding.Bits(7, 5));
    }

    [Fact]
    public void StepKeysAreReproducibleAndDependOnEveryInput()
    {
        uint key = StochasticRounding.StepKey(42, 1000, 3);
        Assert.Equal(key, StochasticRounding.StepKey(42, 1000, 3));
        Assert.NotEqual(key, StochasticRounding.StepKey(43, 1000, 3));
        Assert.NotEqual(key, StochasticRounding.StepKey(42, 1001, 3));
        Assert.NotEqual(key, StochasticRounding.StepKey(42, 1000, 4));
        Assert.NotEqual(StochasticRounding.StepKey(0, 0, 1), StochasticRounding.StepKey(0, 1, 0));

        // Consecutive steps and members give keys spread over all 32 bits: about half the bits differ.
        int differingBits = 0;
        for (int step = 0; step < 1000; step++)
        {
            differingBits += BitOperations.PopCount(StochasticRounding.StepKey(7, step, 0) ^ StochasticRounding.StepKey(7, step + 1, 0));
            differingBits += BitOperations.PopCount(StochasticRounding.StepKey(7, 5, step) ^ StochasticRounding.StepKey(7, 5, step + 1));
        }

        Assert.InRange(differingBits / 2000.0, 15, 17);
    }

    [Theory]
    [MemberData(nameof(Storage16Format.Names), MemberType = typeof(Storage16Format))]
    public void EveryPathStoresTheReferenceBits(string name)
    {
        Storage16Format format = Storage16Format.Named(name);
        int count = Vector<float>.Count;
        foreach (int length in Storage16Format.Lengths)
        {
            var random = new Random(HashCode.Combine(name.Length, length, 3));
            uint stream = (uint)random.Next() ^ 0x80000000U;
            float[] values = format.Inputs(length, random);
            ushort[] expected = new ushort[length];
            ushort[] scalar = new ushort[length];
            ushort[] again = new ushort[length];
            ushort[] vector = new ushort[length];
            for (int i = 0; i < length; i++)
            {
                expected[i] = ReferenceStochastic(format, values[i], StochasticRounding.Bits(stream, (uint)i));
                format.StoreStochastic(values[i], scalar, i, stream);
                format.StoreStochastic(values[i], again, i, stream);
            }

            int registers = length / count;
            for (int r = 0; r < registers; r++)
            {
                format.StoreStochasticVector(new Vector<float>(values, r * count), vector, r, stream);
            }

            for (int i = registers * count; i < length; i++)
            {
                format.StoreStochastic(values[i], vector, i, stream);
            }

            AssertEqual(format, values, expected, scalar);
            AssertEqual(format, values, expected, again);
            AssertEqual(format, values, expected, vector);
        }
    }

    [Theory]
    [MemberData(nameof(Storage16Format.Names), MemberType = typeof(Storage16Format))]
    public void ExactValuesInfinitiesAndNaNsAreStoredAsRoundingToNearestStoresThem(string name)
    {
        Storage16Format format = Storage16Format.Named(name);
        ushort[] stored = new ushort[1];
        for (int i = 0; i < 0x10000; i++)
        {
            ushort bits = (ushort)i;
            float value = format.ToSingle(bits);
            for (uint stream = 0; stream < 4; stream++)
            {
                format.StoreStochastic(value, stored, 0, stream * 0x40000001U);
                Assert.Equal(format.FromSingle(value), stored[0]);
            }
        }

        // Beyond the largest finite, bfloat16 goes to ∞ or its largest (the next step is ∞); binary16 past 65536 only to ∞.
        format.StoreStochastic(float.MaxValue, stored, 0, 1);
        Assert.True(stored[0] is 0x7F80 or 0x7F7F || format.Name == "Float16");
        format.StoreStochastic(-70000f, stored, 0, 1);
        Assert.True(format.Name == "BFloat16" || stored[0] == 0xFC00);
    }

    /// <summary>
    /// Unbiased: 2^20 elements of one value x, with distinct indices, round to the lower neighbor lo or the upper
    /// hi only, and their mean equals x within 6 standard deviations of a Bernoulli mean,
    /// 6·ulp·√(p(1−p)/N) with p = (|x| − |lo|)/ulp and N = 2^20, plus the rule's own resolution: 0 where the
    /// probability is exact (bfloat16; binary16 normal results), 2^−13·ulp for binary16 subnormal results whose
    /// float has bits below 2^−37. A fixed seed, so the test is deterministic; a correct rule fails such a bound
    /// with probability about 2·10^−9.
    /// </summary>
    [Theory]
    [InlineData("BFloat16", 1.00234f)]
    [InlineData("BFloat16", 1.99999f)] // just below a binade edge: hi is 2
    [InlineData("BFloat16", -3.14159f)]
    [InlineData("BFloat16", 3.3e-39f)] // a float subnormal
    [InlineData("BFloat16", 1.7e38f)]
    [InlineData("Float16", 0.1f)]
    [InlineData("Float16", 0.99999f)] // just below a binade edge: hi is 1
    [InlineData("Float16", -2047.3f)]
    [InlineData("Float16", 1.23e-6f)] // binary16 subnormal
    [InlineData("Float16", -3.1e-8f)] // binary16 subnormal, below 2^−15: probability truncated to 13 bits
    [InlineData("Float16", 65510f)] // between the largest finite and ∞ (hi stands for 65536)
    public void RoundingIsUnbiased(string name, float x)
    {
        Storage16Format format = Storage16Format.Named(name);
        const int N = 1 << 20;
        int count = Vector<float>.Count;
        ushort[] stored = new ushort[N];
        uint stream = StochasticRounding.StepKey(11, 3, name.Length);
        for (int r = 0; r < N / count; r++)
        {
            format.StoreStochasticVector(new Vector<float>(x), stored, r, stream);
        }

        (double lo, double hi) = Neighbors(format, x);
        double ulp = Math.Abs(hi - lo);
        double p = Math.Abs(x - lo) / ulp;
        Assert.InRange(p, 1e-3, 1 - 1e-3); // the value is not exact, so both neighbors occur

        double sum = 0;
        int away = 0;
        foreach (ushort bits in stored)
        {
            double value = ValueOf(format, bits, hi);
            Assert.True(value == lo || value == hi, $"{x:R} stored as {value:R}, not {lo:R} or {hi:R}");
            away += value == hi ? 1 : 0;
            sum += value;
        }

        double resolution = format.Name == "Float16" && Math.Abs(x) < Math.ScaleB(1, -14) ? ulp * Math.ScaleB(1, -13) : 0;
        double bound = (6 * ulp * Math.Sqrt(p * (1 - p) / N)) + resolution;
        Assert.True(Math.Abs((sum / N) - x) <= bound, $"{format} {x:R}: mean {sum / N:R} (away {away} of {N}, p {p}) is more than {bound} from it.");
    }

    /// <summary>The two neighbors of x, the one toward zero first; ∞ as the binary16 step after 65504 stands for 65536.</summary>
    private static (double Lo, double Hi) Neighbors(Storage16Format format, float x)
    {
        double a = Math.Abs((double)x);
        ushort p = RoundTowardZero(format, a);
        double lo = ValueOf(format, p, double.NaN);
        double hi = (p & 0x7FFF) == (format.Name == "BFloat16" ? 0x7F7F : 0x7BFF)
            ? (format.Name == "BFloat16" ? Math.ScaleB(1, 128) : 65536)
            : ValueOf(format, (ushort)(p + 1), double.NaN);
        return x < 0 ? (-lo, -hi) : (lo, hi);
    }

    private static double ValueOf(Storage16Format format, ushort bits, double infinity) =>
        float.IsInfinity(format.ReferenceWiden(bits)) ? Math.CopySign(Math.Abs(infinity), (bits & 0x8000) != 0 ? -1 : 1) : format.ReferenceWiden(bits);

    /// <summary>The largest non-negative pattern whose value is at most <paramref name="a"/> (finite, below the step after the largest finite).</summary>
    private static ushort RoundTowardZero(Storage16Format format, double a)
    {
        ushort p = (ushort)(format.ReferenceNarrow((float)a) & 0x7FFF);
        double value = float.IsInfinity(format.ReferenceWiden(p)) ? double.PositiveInfinity : format.ReferenceWiden(p);
        return value > a ? (ushort)(p - 1) : p;
    }

    /// <summary>
    /// The documented rule, written independently: bfloat16 adds <c>r &gt;&gt; 16</c> to the bits; binary16 rounds
    /// away from zero when the first 13 bits of the fraction of a step that |x| lies past its lower neighbor, plus
    /// <c>r &gt;&gt; 19</c>, reach 2^13.
    /// </summary>
    internal static ushort ReferenceStochastic(Storage16Format format, float x, uint r)
    {
        int bits = BitConverter.SingleToInt32Bits(x);
        bool negative = bits < 0;
        if (float.IsNaN(x))
        {
            return format.CanonicalNaN(negative);
        }

        if (format.Name == "BFloat16")
        {
            return (ushort)(unchecked((uint)bits + (r >> 16)) >> 16);
        }

        ushort sign = (ushort)(negative ? 0x8000 : 0);
        double a = Math.Abs((double)x);
        if (a >= 65536)
        {
            return (ushort)(sign | 0x7C00);
        }

        ushort p = RoundTowardZero(format, a);
        double lo = format.ReferenceWiden(p);
        double hi = p == 0x7BFF ? 65536 : format.ReferenceWiden((ushort)(p + 1));
        uint fraction = (uint)Math.Floor((a - lo) / (hi - lo) * 8192);
        return (ushort)(sign | (p + (fraction + (r >> 19) >= 8192 ? 1 : 0)));
    }

    internal static void AssertEqual(Storage16Format format, float[] values, ushort[] expected, ushort[] actual)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                Assert.Fail($"{format}: element {i}, {values[i]:R} (0x{BitConverter.SingleToInt32Bits(values[i]):X8}) stored as 0x{actual[i]:X4}; expected 0x{expected[i]:X4}.");
            }
        }
    }

    private static uint Lowbias32(uint x)
    {
        x ^= x >> 16;
        x *= 0x7FEB352D;
        x ^= x >> 15;
        x *= 0x846CA68B;
        x ^= x >> 16;
        return x;
    }
}
