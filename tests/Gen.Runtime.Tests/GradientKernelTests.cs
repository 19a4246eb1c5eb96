using System;
using System.Linq;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// The kernels that the public operations reach only through a few shapes (the accumulator's division,
/// the norm's second pass), for every length 0..49 and a few large ones, against scalar references.
/// CI runs this class again under each SIMD setting.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class GradientKernelTests
{
    [Fact]
    public void DivideDividesEveryElementOnce()
    {
        foreach (int length in TestData.Lengths)
        {
            foreach (int divisor in new[] { 2, 3, 7 })
            {
                var random = new Random(TestData.StableSeed("divide", length));
                float[] single = new float[length];
                double[] @double = new double[length];
                TestData.Fill(single, random, 5);
                TestData.Fill(@double, random, 5);
                float[] singleBefore = (float[])single.Clone();
                double[] doubleBefore = (double[])@double.Clone();

                GradientKernels.Divide<float>(single, divisor);
                GradientKernels.Divide<double>(@double, divisor);

                Assert.Equal(singleBefore.Select(x => BitConverter.SingleToInt32Bits(x / divisor)), single.Select(BitConverter.SingleToInt32Bits));
                Assert.Equal(doubleBefore.Select(x => BitConverter.DoubleToInt64Bits(x / divisor)), @double.Select(BitConverter.DoubleToInt64Bits));
            }
        }
    }

    [Fact]
    public void MaxMagnitudeFindsTheLargestWherever()
    {
        foreach (int length in TestData.Lengths.Where(n => n > 0))
        {
            var random = new Random(TestData.StableSeed("max", length));
            float[] single = new float[length];
            double[] @double = new double[length];
            TestData.Fill(single, random, 1);
            TestData.Fill(@double, random, 1);
            int at = random.Next(length);
            single[at] = -1e30f;
            @double[at] = -1e300;

            Assert.Equal(1e30f, GradientKernels.MaxMagnitude<float>(single));
            Assert.Equal(1e300, GradientKernels.MaxMagnitude<double>(@double));
        }

        Assert.Equal(0.0, GradientKernels.MaxMagnitude<float>(ReadOnlySpan<float>.Empty));
    }

    [Fact]
    public void SumsOfSquaresFollowTheSpecifiedOrder()
    {
        foreach (int length in TestData.Lengths)
        {
            var random = new Random(TestData.StableSeed("squares", length));
            float[] single = new float[length];
            double[] @double = new double[length];
            TestData.Fill(single, random, 7);
            TestData.Fill(@double, random, 7);
            double[] widened = single.Select(x => (double)x).ToArray();
            double scale = Math.ScaleB(1.0, -3);

            Assert.Equal(Reference.LaneSumOfSquares(new[] { widened }), GradientKernels.SumOfSquares(single));
            Assert.Equal(Reference.LaneSumOfSquares(new[] { @double }), GradientKernels.SumOfSquares(@double));
            Assert.Equal(Reference.LaneSumOfSquares(new[] { widened }, scale), GradientKernels.ScaledSumOfSquares<float>(single, scale));
            Assert.Equal(Reference.LaneSumOfSquares(new[] { @double }, scale), GradientKernels.ScaledSumOfSquares<double>(@double, scale));
        }
    }

    [Fact]
    public void MismatchedAddLengthsThrowBeforeWriting()
    {
        float[] target = { 1, 2, 3 };
        Assert.Throws<InvalidOperationException>(() => GradientKernels.Add<float>(target, new float[2]));
        Assert.Equal(new float[] { 1, 2, 3 }, target);
    }
}
