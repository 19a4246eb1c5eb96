using System;
using System.Linq;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// AllFinite and TryFindNonFinite find a NaN or ±∞ planted at every position of every length 0..49
/// and of a large array (every SIMD block, remainder and tail), float and double, and never flag a
/// finite value. CI runs this class again under each SIMD setting.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class NonFiniteDetectionTests
{
    private static readonly double[] NonFinite =
    {
        double.NaN,
        double.PositiveInfinity,
        double.NegativeInfinity,
        BitConverter.Int64BitsToDouble(unchecked((long)0xFFF0_0000_0000_0001)), // a negative NaN with a payload
    };

    private static readonly int[] Lengths = Enumerable.Range(0, 50).Append(4099).ToArray();

    [Fact]
    public void FindsEveryPlantedFloatNonFiniteAtItsIndex()
    {
        foreach (int length in Lengths)
        {
            var gradients = new SingleVector.Gradients(new SingleVector { P = new float[length] });
            TestData.Fill(gradients.P, new Random(length), 1e30);
            Assert.True(gradients.AllFinite());
            Assert.False(gradients.TryFindNonFinite(out string? none, out int noIndex));
            Assert.Null(none);
            Assert.Equal(-1, noIndex);

            foreach (double bad in NonFinite)
            {
                for (int position = 0; position < length; position++)
                {
                    float saved = gradients.P[position];
                    gradients.P[position] = (float)bad;
                    Assert.False(gradients.AllFinite());
                    Assert.True(gradients.TryFindNonFinite(out string? member, out int index));
                    if (member != "P" || index != position)
                    {
                        Assert.Fail($"length {length}: {bad} planted at {position}, found {member}[{index}].");
                    }

                    gradients.P[position] = saved;
                }
            }
        }
    }

    [Fact]
    public void FindsEveryPlantedDoubleNonFiniteAtItsIndex()
    {
        foreach (int length in Lengths)
        {
            var gradients = new DoubleVector.Gradients(new DoubleVector { P = new double[length] });
            TestData.Fill(gradients.P, new Random(length), 1e300);
            Assert.True(gradients.AllFinite());

            foreach (double bad in NonFinite)
            {
                for (int position = 0; position < length; position++)
                {
                    double saved = gradients.P[position];
                    gradients.P[position] = bad;
                    Assert.False(gradients.AllFinite());
                    Assert.True(gradients.TryFindNonFinite(out string? member, out int index));
                    if (member != "P" || index != position)
                    {
                        Assert.Fail($"length {length}: {bad} planted at {position}, found {member}[{index}].");
                    }

                    gradients.P[position] = saved;
                }
            }
        }
    }

    [Fact]
    public void ReportsTheFirstOfSeveral()
    {
        foreach (int length in new[] { 2, 17, 64, 100, 4099 })
        {
            var single = new SingleVector.Gradients(new SingleVector { P = new float[length] });
            var @double = new DoubleVector.Gradients(new DoubleVector { P = new double[length] });
            for (int first = 0; first < length - 1; first += Math.Max(1, length / 40))
            {
                Array.Clear(single.P);
                Array.Clear(@double.P);
                single.P[length - 1] = float.NaN;
                @double.P[length - 1] = double.NaN;
                single.P[first] = float.PositiveInfinity;
                @double.P[first] = double.NegativeInfinity;

                Assert.True(single.TryFindNonFinite(out _, out int singleIndex));
                Assert.True(@double.TryFindNonFinite(out _, out int doubleIndex));
                Assert.Equal(first, singleIndex);
                Assert.Equal(first, doubleIndex);
            }
        }
    }

    [Fact]
    public void ExtremeFiniteValuesAreFinite()
    {
        float[] singles = { float.MaxValue, -float.MaxValue, float.Epsilon, -float.Epsilon, 0f, -0f, 1.17549435e-38f, BitConverter.Int32BitsToSingle(0x7F7F_FFFF) };
        double[] doubles =
        {
            double.MaxValue, -double.MaxValue, double.Epsilon, -double.Epsilon, 0d, -0d, 2.2250738585072014e-308,
            BitConverter.Int64BitsToDouble(0x3FF0_0000_7F80_0000), // the low half holds float +∞'s bits
            BitConverter.Int64BitsToDouble(0x7FE0_0000_FFFF_FFFF), // a large double whose low half is all ones
            BitConverter.Int64BitsToDouble(0x0000_0000_7FFF_FFFF), // a subnormal whose low half is a float NaN's bits
        };
        foreach (int length in new[] { 1, 7, 16, 33, 129 })
        {
            var single = TestData.SingleGradients(Enumerable.Range(0, length).Select(i => singles[i % singles.Length]).ToArray());
            var @double = TestData.DoubleGradients(Enumerable.Range(0, length).Select(i => doubles[i % doubles.Length]).ToArray());
            Assert.True(single.AllFinite());
            Assert.True(@double.AllFinite());
        }
    }

    [Fact]
    public void FindsEveryNaNEncoding()
    {
        int[] singleBits = { 0x7F80_0001, unchecked((int)0xFF80_0001), 0x7FFF_FFFF, 0x7FC0_0000, unchecked((int)0xFFC0_0000) };
        long[] doubleBits = { 0x7FF0_0000_0000_0001, unchecked((long)0xFFF8_0000_0000_0000), 0x7FFF_FFFF_FFFF_FFFF, 0x7FF0_0001_0000_0000 };
        foreach (int length in new[] { 1, 31, 100, 1000 })
        {
            var single = new SingleVector.Gradients(new SingleVector { P = new float[length] });
            var @double = new DoubleVector.Gradients(new DoubleVector { P = new double[length] });
            foreach (int position in new[] { 0, length / 2, length - 1 })
            {
                foreach (int bits in singleBits)
                {
                    Array.Clear(single.P);
                    single.P[position] = BitConverter.Int32BitsToSingle(bits);
                    Assert.True(single.TryFindNonFinite(out _, out int index), $"float 0x{bits:X8} at {position} of {length}");
                    Assert.Equal(position, index);
                }

                foreach (long bits in doubleBits)
                {
                    Array.Clear(@double.P);
                    @double.P[position] = BitConverter.Int64BitsToDouble(bits);
                    Assert.True(@double.TryFindNonFinite(out _, out int index), $"double 0x{bits:X16} at {position} of {length}");
                    Assert.Equal(position, index);
                }
            }
        }
    }

    [Fact]
    public void SearchesMembersInDeclarationOrder()
    {
        var model = MixedModel.Create(1);
        var gradients = new MixedModel.Gradients(model);
        TestData.Fill(gradients, new Random(2));
        Assert.True(gradients.AllFinite());

        gradients.Kernel[1, 2, 3] = double.NaN;
        Assert.True(gradients.TryFindNonFinite(out string? member, out int index));
        Assert.Equal(("Kernel", (1 * 15) + (2 * 5) + 3), (member, index));

        gradients.B1[32] = float.NegativeInfinity;
        Assert.True(gradients.TryFindNonFinite(out member, out index));
        Assert.Equal(("B1", 32), (member, index));

        gradients.W1[15, 31] = float.PositiveInfinity;
        Assert.True(gradients.TryFindNonFinite(out member, out index));
        Assert.Equal(("W1", 511), (member, index));
    }
}
